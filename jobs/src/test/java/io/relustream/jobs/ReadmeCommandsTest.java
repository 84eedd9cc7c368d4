package io.relustream.jobs;

import io.relustream.jobs.local.LocalRun;
import io.relustream.jobs.options.JobOptions;
import io.relustream.jobs.sql.SqlZeroFractionJob;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command lines of the README's code blocks, as a user copies them: every {@code flink run},
 * every {@code java -cp ... <class>} and every {@code -Dplot.args} and {@code -Dreport.args} names
 * a class that exists and options that class accepts. Read from the README itself, so that the two
 * cannot drift apart.
 */
class ReadmeCommandsTest {

    private static final Path README = Path.of("..", "README.md");

    private static final String JOB = ActivationStatsJob.class.getName();

    @Test
    void everyFlinkRunAndJavaCommandParses() throws Exception {
        List<String> checked = new ArrayList<>();
        for (List<String> command : commands()) {
            if (command.size() > 2
                    && command.get(0).equals("flink")
                    && command.get(1).equals("run")) {
                checked.add(checkFlinkRun(command.subList(2, command.size())));
            } else if (command.get(0).equals("java") && command.get(1).equals("-cp")) {
                String mainClass = command.get(3);
                parse(mainClass, command.subList(4, command.size()));
                checked.add(mainClass);
            } else if (command.get(0).equals("mvn")) {
                for (String arg : command) {
                    if (arg.startsWith("-Dplot.args=")) {
                        List<String> args = words(arg.substring("-Dplot.args=".length()));
                        parse("io.relustream.jobs.report.PlotCommand", args);
                        checked.add("io.relustream.jobs.report.PlotCommand");
                    } else if (arg.startsWith("-Dreport.args=")) {
                        // The port the local run prints where the README shows <port>.
                        String args =
                                arg.substring("-Dreport.args=".length()).replace("<port>", "9092");
                        parse("io.relustream.jobs.report.ReportCommand", words(args));
                        checked.add("io.relustream.jobs.report.ReportCommand");
                    }
                }
            }
        }
        // The SQL example's generator writes plain Avro to the topic the SQL job reads, which is
        // not the activation job's input of single-object records (one of them fails the SQL job).
        String generated = null;
        String sqlInput = null;
        for (List<String> command : commands()) {
            if (command.contains("io.relustream.jobs.generator.GeneratorCommand")) {
                assertThat(command).containsSequence("--format", "avro");
                generated = command.get(command.indexOf("--topic") + 1);
            } else if (command.contains(SqlZeroFractionJob.class.getName())) {
                sqlInput = command.get(command.indexOf("--input-topic") + 1);
            }
        }
        assertThat(sqlInput)
                .isEqualTo(generated)
                .isNotEqualTo(JobOptions.parse("--bootstrap-servers", "kafka:9092").inputTopic());

        // The job in "The job" and "Deploy", the SQL job and its generator, and the plot.
        assertThat(checked)
                .containsExactlyInAnyOrder(
                        JOB,
                        "io.relustream.jobs.generator.GeneratorCommand",
                        SqlZeroFractionJob.class.getName(),
                        "io.relustream.jobs.report.PlotCommand",
                        "io.relustream.jobs.report.ReportCommand",
                        "io.relustream.jobs.report.ReportCommand",
                        JOB);
    }

    /**
     * The local run's options as the README shows them in {@code -Dlocal.args="..."}, in code
     * blocks or in the text: with {@code --help} added, the run checks every option, prints its
     * help and starts nothing.
     */
    @Test
    void everyLocalRunExampleIsAccepted() throws Exception {
        Matcher localArgs =
                Pattern.compile("-Dlocal\\.args=\"([^\"]*)\"").matcher(Files.readString(README));
        List<String> examples = new ArrayList<>();
        while (localArgs.find()) {
            examples.add(localArgs.group(1));
        }
        assertThat(examples).isNotEmpty();
        for (String example : examples) {
            List<String> args = words(example);
            args.add("--help");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status =
                    LocalRun.run(
                            args.toArray(new String[0]),
                            new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
                            new PrintStream(err, true, UTF_8));
            assertThat(status).as("%s: %s", example, err.toString(UTF_8)).isZero();
        }
    }

    @Test
    void topicsTheReadmeCreatesAreTheOnesTheJobsUseByDefault() throws Exception {
        // Brokers that do not create topics on first use (the compose file's) need every topic
        // created first: the README's "for t in ...; do kafka-topics.sh --create" loops.
        Set<String> created = new TreeSet<>();
        for (List<String> command : commands()) {
            if (command.size() > 3 && command.get(0).equals("for") && command.get(2).equals("in")) {
                for (String spec : command.subList(3, command.size())) {
                    if (spec.endsWith(";")) {
                        created.add(spec.substring(0, spec.length() - 1).split(":")[0]);
                        break;
                    }
                    created.add(spec.split(":")[0]);
                }
            }
        }
        JobOptions job = JobOptions.parse("--bootstrap-servers", "kafka:9092");
        Map<String, String> sql =
                SqlZeroFractionJob.parse("--bootstrap-servers", "kafka:9092").variables();
        assertThat(created)
                .contains(
                        job.inputTopic(),
                        job.outputTopic(),
                        job.statsTopic(),
                        job.alertsTopic(),
                        job.dlqTopic(),
                        job.lateTopic(),
                        sql.get("input_topic"),
                        sql.get("output_topic"),
                        sql.get("dlq_topic"));
    }

    /** {@code flink run [-d] [-c class] jar args}: the jar's main class is the statistics job. */
    private static String checkFlinkRun(List<String> rest) throws Exception {
        String mainClass = JOB;
        int i = 0;
        while (rest.get(i).startsWith("-")) {
            if (rest.get(i).equals("-c")) {
                mainClass = rest.get(++i);
            }
            i++;
        }
        assertThat(rest.get(i)).isEqualTo("jobs/target/relu-stream-jobs.jar");
        List<String> args = rest.subList(i + 1, rest.size());
        if (mainClass.equals(JOB)) {
            // Throws InvalidOptionsException, naming the option, for anything it does not accept.
            JobOptions.parse(args.toArray(new String[0]));
        } else {
            parse(mainClass, args);
        }
        return mainClass;
    }

    private static void parse(String mainClass, List<String> args) throws Exception {
        String[] array = args.toArray(new String[0]);
        if (mainClass.equals(SqlZeroFractionJob.class.getName())) {
            SqlZeroFractionJob.parse(array);
            return;
        }
        Constructor<?> constructor = Class.forName(mainClass).getDeclaredConstructor();
        constructor.setAccessible(true);
        // Throws a ParameterException for an unknown option or a value its converter refuses.
        new CommandLine(constructor.newInstance()).parseArgs(array);
    }

    /** Each command of the shell blocks (no language), split into words; "..." left out. */
    private static List<List<String>> commands() throws Exception {
        List<List<String>> commands = new ArrayList<>();
        String language = null;
        StringBuilder command = new StringBuilder();
        for (String line : Files.readAllLines(README)) {
            if (line.startsWith("```")) {
                language = language == null ? line.substring(3) : null;
                continue;
            }
            if (!"".equals(language)) {
                continue;
            }
            if (line.endsWith("\\")) {
                command.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            List<String> words = words(command.append(line).toString());
            command.setLength(0);
            words.removeIf(word -> word.equals("..."));
            if (!words.isEmpty()) {
                commands.add(words);
            }
        }
        return commands;
    }

    /** The words of a shell line: split at blanks, quotes grouping and removed, as sh does. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
