package io.relustream.jobs;

import io.relustream.activation.VectorActivation;
import io.relustream.jobs.generator.GeneratorCommand;
import io.relustream.jobs.local.LocalRun;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.JobOptions;
import io.relustream.jobs.report.PlotCommand;
import io.relustream.jobs.report.ReportCommand;
import io.relustream.jobs.sql.SqlZeroFractionJob;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * a class that exists and options that class accepts; and the options the README tells of: every
 * option of every main is named in the README's part about it, with the defaults that main uses.
 * Read from the README itself, so that the two cannot drift apart.
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

    /**
     * The table options the README quotes where it tells of the SQL example job ({@code 'name' =
     * 'value'}, templates such as {@code 'properties.<property>'} aside) are ones its script sets:
     * a user looks for them there.
     */
    @Test
    void tableOptionsTheReadmeQuotesForTheSqlJobAreInItsScript() throws Exception {
        String part =
                part(Files.readString(README), "The SQL example job runs", "The generator above");
        String script =
                Files.readString(Path.of("src", "main", "resources", "sql", "zero-fraction.sql"));
        Matcher quoted = Pattern.compile("`('[^'`]+' = '[^'`]*')`").matcher(part);
        List<String> options = new ArrayList<>();
        while (quoted.find()) {
            if (!quoted.group(1).contains("<")) {
                options.add(quoted.group(1));
            }
        }
        assertThat(options).isNotEmpty();
        assertThat(options)
                .as("table options the README quotes and the script does not set")
                .allSatisfy(option -> assertThat(script).contains(option));
    }

    /**
     * Every option of every main (as its picocli model has it, so as it parses) is named in the
     * part of the README about that main: an option that only {@code --help} knows is one users of
     * the README never hear of.
     */
    @Test
    void everyOptionOfEveryMainIsInTheReadme() throws Exception {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Main main : mains()) {
            String part = main.readmePart();
            for (OptionSpec option : main.options().values()) {
                if (option.usageHelp()) {
                    continue; // "--help (or -h, in every main)", once for all
                }
                List<String> names = new ArrayList<>(List.of(option.longestName()));
                if (option.negatable()) {
                    names.add(option.longestName().replaceFirst("^--", "--no-"));
                }
                checked++;
                if (names.stream().noneMatch(name -> mentions(part, name))) {
                    missing.add(main.name() + " " + String.join("/", names));
                }
            }
        }
        System.out.printf("options looked for in the README: %d%n", checked);
        assertThat(checked).isGreaterThan(60);
        assertThat(missing)
                .as("options the README does not name where it describes their main")
                .isEmpty();
    }

    /**
     * Where the README lists a main's options ("Options: ..." of the SQL job, the report and the
     * plot), it gives every option the default its {@code --help} shows as a value (flags, and
     * defaults in words such as "the cluster's", aside), as it does for most of them.
     */
    @Test
    void theReadmesOptionListsGiveEveryDefaultTheHelpShows() throws Exception {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Main main : mains()) {
            if (!List.of("SQL job", "report", "plot").contains(main.name())) {
                continue;
            }
            Set<String> given = new TreeSet<>();
            readmeDefaults(main.readmePart()).forEach(claim -> given.add(claim.getKey()));
            for (Map.Entry<String, String> shown : helpDefaults(main.help()).entrySet()) {
                String value = shown.getValue();
                Object type = main.options().get(shown.getKey()).typeInfo().getType();
                if (value.startsWith("none")
                        || value.startsWith("the ")
                        || value.equals("all")
                        || type == boolean.class
                        || type == Boolean.class) {
                    continue;
                }
                checked++;
                if (!given.contains(shown.getKey())) {
                    missing.add(main.name() + " " + shown.getKey() + " (default " + value + ")");
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(20);
        assertThat(missing).as("defaults --help shows and the README does not").isEmpty();
    }

    /**
     * Every default the README gives an option ({@code `--name` (default `value`)}, {@code `--name`
     * (`value`)}, {@code `--a` and `--b` (default 1 and 2)}, {@code `--width` and `--height`
     * (default 1200x700, ...)}, {@code within `--name`, default `value`}) is the value that main
     * resolves when the option is absent; and so is the default every {@code --help} entry shows,
     * where it shows a value.
     */
    @Test
    void everyDefaultTheReadmeAndTheHelpShowIsTheOneTheMainUses() throws Exception {
        List<String> wrong = new ArrayList<>();
        Set<String> claimed = new TreeSet<>();
        Set<String> unclaimed = new TreeSet<>();
        int readmeDefaults = 0;
        int helpDefaults = 0;
        for (Main main : mains()) {
            Map<String, OptionSpec> options = main.options();
            for (Map.Entry<String, String> claim : readmeDefaults(main.readmePart())) {
                OptionSpec option = options.get(claim.getKey());
                if (option == null) {
                    // A part may tell of another main's options too (the generator's, of the SQL
                    // job's): each is checked by the main that has it.
                    unclaimed.add(claim.getKey());
                    continue;
                }
                claimed.add(claim.getKey());
                readmeDefaults++;
                if (!same(claim.getValue(), option.getValue())) {
                    wrong.add(
                            main.name()
                                    + ": README says "
                                    + claim.getKey()
                                    + " defaults to '"
                                    + claim.getValue()
                                    + "', the main uses '"
                                    + text(option.getValue())
                                    + "'");
                }
            }
            for (Map.Entry<String, String> shown : helpDefaults(main.help()).entrySet()) {
                OptionSpec option = options.get(shown.getKey());
                assertThat(option)
                        .as("%s: --help lists %s", main.name(), shown.getKey())
                        .isNotNull();
                String value = shown.getValue();
                if (value.startsWith("none") || value.startsWith("the ") || value.equals("all")) {
                    // Words, not a value: "none (tumbling windows)", "the --group-id".
                    continue;
                }
                helpDefaults++;
                if (!same(value, option.getValue())) {
                    wrong.add(
                            main.name()
                                    + ": --help says "
                                    + shown.getKey()
                                    + " defaults to '"
                                    + value
                                    + "', the main uses '"
                                    + text(option.getValue())
                                    + "'");
                }
            }
        }
        unclaimed.removeAll(claimed);
        assertThat(unclaimed)
                .as("options the README gives defaults for that no main has")
                .isEmpty();
        System.out.printf(
                "README defaults checked: %d, --help defaults checked: %d%n",
                readmeDefaults, helpDefaults);
        assertThat(readmeDefaults).isGreaterThanOrEqualTo(15);
        assertThat(helpDefaults).isGreaterThan(60);
        assertThat(wrong).isEmpty();
    }

    /** A main: its name, README part, {@code --help} text and options with their defaults. */
    private record Main(
            String name, String readmePart, String help, Map<String, OptionSpec> options) {}

    private static List<Main> mains() throws Exception {
        String readme = Files.readString(README);
        String setUp = part(readme, "## Set-up: two commands", "## Layout");
        String job =
                part(readme, "## The job", "## Flink SQL")
                        + part(readme, "## Reliability", "## Seeing it")
                        + part(readme, "## Deploy", "## Development");
        String generator =
                setUp
                        + part(
                                readme,
                                "Where the brokers do not create topics on first use (the compose",
                                "## Reliability");
        String sql = part(readme, "The SQL example job runs", "The generator above");
        String report =
                part(readme, "**The job's statistics.**", "**An activation and its derivative**");
        String plot = part(readme, "**An activation and its derivative**", "## Deploy");

        Map<String, OptionSpec> jobOptions = parsed(jobCommand(), "--bootstrap-servers", "k:9092");
        ByteArrayOutputStream localHelp = new ByteArrayOutputStream();
        assertThat(
                        LocalRun.run(
                                new String[] {"--help"},
                                new PrintStream(localHelp, true, UTF_8),
                                new PrintStream(new ByteArrayOutputStream(), true, UTF_8)))
                .isZero();
        Constructor<LocalRun> local =
                LocalRun.class.getDeclaredConstructor(PrintStream.class, PrintStream.class);
        local.setAccessible(true);
        // The local run's own options and the generator's; every other one goes to the job.
        Map<String, OptionSpec> localOptions =
                parsed(new CommandLine(local.newInstance(System.out, System.err)));
        String localHelpText = localHelp.toString(UTF_8);
        int jobOptionsStart = localHelpText.indexOf("Options of the job");
        assertThat(jobOptionsStart).isPositive();
        return List.of(
                new Main("job", job, JobOptions.usage(), jobOptions),
                new Main(
                        "local run",
                        setUp,
                        localHelpText.substring(0, jobOptionsStart),
                        localOptions),
                // The job's options as the local run's --help lists them: the job's defaults.
                new Main(
                        "local run's job",
                        job,
                        localHelpText.substring(jobOptionsStart),
                        jobOptions),
                new Main(
                        "generator",
                        generator,
                        help(GeneratorCommand.commandLine()),
                        parsed(GeneratorCommand.commandLine(), "--bootstrap-servers", "k:9092")),
                new Main(
                        "SQL job",
                        sql,
                        help(SqlZeroFractionJob.commandLine()),
                        parsed(SqlZeroFractionJob.commandLine(), "--bootstrap-servers", "k:9092")),
                new Main(
                        "report",
                        report,
                        help(ReportCommand.commandLine()),
                        parsed(ReportCommand.commandLine())),
                new Main(
                        "plot",
                        plot,
                        help(PlotCommand.commandLine()),
                        parsed(PlotCommand.commandLine())));
    }

    /**
     * The README from the first line that starts with {@code from} up to the one with {@code to}.
     */
    private static String part(String readme, String from, String to) {
        int start = readme.indexOf(from);
        assertThat(start).as("README has '%s'", from).isNotNegative();
        int end = readme.indexOf(to, start + from.length());
        assertThat(end).as("README has '%s' after '%s'", to, from).isPositive();
        return readme.substring(start, end) + "\n";
    }

    /** Whether {@code text} names {@code option}, not merely a longer option that starts so. */
    private static boolean mentions(String text, String option) {
        return Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])")
                .matcher(text)
                .find();
    }

    /** A value as the README writes it: in backticks, or a number or duration. */
    private static final String VALUE = "(?:`([^`]+)`|(-?[0-9][0-9.]*(?:ms|s|m|h)?))";

    /**
     * {@code `--a` (default V)}, {@code `--a` (V, ...)}, {@code `--a`, default V}, {@code `--a` and
     * `--b` (default V and W)} and {@code `--a` and `--b` (default VxW, ...)}: a value right after
     * the parenthesis (or after "default"), ended by punctuation, so that {@code `--a` (1 to 9)} is
     * a range and no default.
     */
    private static final Pattern README_DEFAULT =
            Pattern.compile(
                    "`(?:>= )?(--[a-z][a-z-]*)`(?:\\s+and\\s+`(--[a-z][a-z-]*)`)?\\s*"
                            + "(?:\\((?:default\\s+)?|,\\s+default\\s+)"
                            + VALUE
                            + "(?:(?:\\s+and\\s+|x)"
                            + VALUE
                            + ")?(?=[,;:)])");

    /** {@code `--a` (how long to run; `V`, the default, ...)}. */
    private static final Pattern README_THE_DEFAULT =
            Pattern.compile("`(--[a-z][a-z-]*)`\\s+\\([^()`]*`([^`]+)`, the default");

    /** The defaults a part of the README gives, option and value, in the order it gives them. */
    private static List<Map.Entry<String, String>> readmeDefaults(String part) {
        List<Map.Entry<String, String>> defaults = new ArrayList<>();
        Matcher matcher = README_DEFAULT.matcher(part);
        while (matcher.find()) {
            String first = matcher.group(3) != null ? matcher.group(3) : matcher.group(4);
            String second = matcher.group(5) != null ? matcher.group(5) : matcher.group(6);
            if (matcher.group(2) == null) {
                defaults.add(Map.entry(matcher.group(1), first));
            } else {
                assertThat(second).as("the second default of '%s'", matcher.group()).isNotNull();
                defaults.add(Map.entry(matcher.group(1), first));
                defaults.add(Map.entry(matcher.group(2), second));
            }
        }
        Matcher theDefault = README_THE_DEFAULT.matcher(part);
        while (theDefault.find()) {
            defaults.add(Map.entry(theDefault.group(1), theDefault.group(2)));
        }
        return defaults;
    }

    /** The {@code Default: ...} of every entry of a {@code --help} text, by option. */
    private static Map<String, String> helpDefaults(String help) {
        Map<String, String> defaults = new LinkedHashMap<>();
        String option = null;
        StringBuilder entry = new StringBuilder();
        for (String line : (help + "\n").split("\\R")) {
            Matcher start = Pattern.compile("^ {2,6}(?:-h, )?(--[a-z\\[\\]-]+)").matcher(line);
            boolean continued = option != null && line.startsWith("   ") && !start.find(0);
            if (continued) {
                entry.append(' ').append(line.strip());
                continue;
            }
            if (option != null) {
                Matcher shown = Pattern.compile("Default: (.+?)\\.$").matcher(entry);
                if (shown.find()) {
                    defaults.put(option, shown.group(1));
                }
                option = null;
            }
            if (start.reset().find()) {
                option = start.group(1).replace("[no-]", "");
                entry.setLength(0);
                entry.append(line.strip());
            }
        }
        return defaults;
    }

    /** Whether {@code written} (a README or help text) is {@code value}, as the option reads it. */
    private static boolean same(String written, Object value) {
        if (value instanceof Duration) {
            try {
                return Durations.parse(written).equals(value);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (value instanceof Number) {
            try {
                return new BigDecimal(written).compareTo(new BigDecimal(value.toString())) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return written.equals(text(value));
    }

    /** An option's value as its command line writes it. */
    private static String text(Object value) {
        if (value instanceof Duration) {
            return Durations.format((Duration) value);
        }
        if (value instanceof VectorActivation) {
            return ((VectorActivation) value).spec();
        }
        if (value != null) {
            try {
                Method optionValue = value.getClass().getMethod("optionValue");
                return (String) optionValue.invoke(value);
            } catch (NoSuchMethodException e) {
                // Not one of the project's enums.
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.valueOf(value);
    }

    /** The options of {@code commandLine} by longest name, parsed from {@code args}. */
    private static Map<String, OptionSpec> parsed(CommandLine commandLine, String... args) {
        commandLine.parseArgs(args);
        Map<String, OptionSpec> options = new LinkedHashMap<>();
        commandLine.getCommandSpec().options().forEach(o -> options.put(o.longestName(), o));
        return options;
    }

    /** The job's picocli model, which {@link JobOptions} copies its values from. */
    private static CommandLine jobCommand() throws Exception {
        Constructor<?> constructor =
                Class.forName("io.relustream.jobs.options.JobCommand").getDeclaredConstructor();
        constructor.setAccessible(true);
        return new CommandLine(constructor.newInstance());
    }

    private static String help(CommandLine commandLine) {
        return commandLine.getUsageMessage(CommandLine.Help.Ansi.OFF);
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
