package io.relustream.jobs;

import io.relustream.jobs.generator.GeneratorCommand;
import io.relustream.jobs.local.LocalRun;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.JobOptions;
import io.relustream.jobs.report.PlotCommand;
import io.relustream.jobs.report.ReportCommand;
import io.relustream.jobs.sql.SqlZeroFractionJob;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every main takes {@code -h} for {@code --help}, as the SQL job always did, and words it alike.
 */
class HelpOptionTest {

    /** What one run of a main printed and returned. */
    private record Run(int status, String out, String err) {}

    private interface Main {
        Run run(String... args);
    }

    static Stream<Arguments> mains() {
        return Stream.of(
                Arguments.of("job", (Main) HelpOptionTest::job, "--window"),
                Arguments.of("local run", (Main) HelpOptionTest::localRun, "--duration"),
                Arguments.of(
                        "generator",
                        (Main) args -> picocli(GeneratorCommand::commandLine, args),
                        "--topic"),
                Arguments.of(
                        "report",
                        (Main) args -> picocli(ReportCommand::commandLine, args),
                        "--topic"),
                Arguments.of(
                        "plot", (Main) args -> picocli(PlotCommand::commandLine, args), "--width"),
                Arguments.of(
                        "SQL job",
                        (Main) args -> picocli(SqlZeroFractionJob::commandLine, args),
                        "--window"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mains")
    void shortHelpPrintsWhatLongHelpPrints(String name, Main main, String option) {
        Run longHelp = main.run("--help");
        Run shortHelp = main.run("-h");

        assertThat(longHelp.status()).isZero();
        assertThat(longHelp.err()).isEmpty();
        assertThat(shortHelp).isEqualTo(longHelp);
        assertThat(longHelp.out()).contains("-h, --help", "Print this help and exit.");
    }

    /**
     * Every help is wrapped at 100 columns: the longest line fills it (each help has descriptions
     * long enough to wrap), and none passes it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mains")
    void everyHelpIsWrappedAtOneWidth(String name, Main main, String option) {
        int longest = main.run("--help").out().lines().mapToInt(String::length).max().orElseThrow();

        assertThat(longest).isBetween(96, 100);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mains")
    void shortHelpIsNeverTakenAsTheValueOfAnOption(String name, Main main, String option) {
        // "-h" after an option that wants a value is a mistake, not a value nor a help request.
        Run run = main.run(option, "-h");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .startsWith("Expected parameter for option '" + option + "' but found '-h'");
    }

    /**
     * The README: "{@code --help} ... prints every option with its default". An option without one
     * says so ("Default: none ..."), or that it is required.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mains")
    void everyOptionTheHelpListsShowsItsDefault(String name, Main main, String option) {
        assertThat(helpEntries(main))
                .as(name)
                .allSatisfy(
                        (entry, help) ->
                                assertThat(help)
                                        .as("%s %s", name, entry)
                                        .containsAnyOf("Default: ", "Required."));
    }

    /**
     * No main has a {@code --version} (the jar carries no version to print): every one refuses it
     * as the unknown option it is, with the help or without, before it would say that a required
     * option is missing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mains")
    void versionIsAnUnknownOptionInEveryMain(String name, Main main, String option) {
        // The local run's pointer names what its help lists.
        String useHelp = name.equals("local run") ? "Use --help to see the options" : "Use --help";
        for (List<String> args :
                List.of(
                        List.of("--version"),
                        List.of("--help", "--version"),
                        List.of("--version", "--bootstrap-servers", "kafka:9092"),
                        List.of("-V"))) {
            if (name.equals("local run") && args.contains("--bootstrap-servers")) {
                continue; // refused on its own: the local run starts its own broker
            }
            Run run = main.run(args.toArray(new String[0]));
            assertThat(run.status()).as("%s %s", name, args).isEqualTo(2);
            assertThat(run.out()).as("%s %s", name, args).isEmpty();
            assertThat(run.err().lines())
                    .as("%s %s", name, args)
                    .hasSize(2)
                    .first()
                    .isEqualTo(
                            "Unknown option: '" + (args.contains("-V") ? "-V" : "--version") + "'");
            assertThat(run.err().lines().skip(1))
                    .as("%s %s", name, args)
                    .allMatch(line -> line.startsWith(useHelp));
        }
    }

    /** Every main, with the options it cannot do without (the job's brokers, say). */
    static Stream<Arguments> mainsAndTheirRequiredOptions() {
        List<String> brokers = List.of("--bootstrap-servers", "kafka:9092");
        return Stream.of(
                Arguments.of("job", (Main) HelpOptionTest::job, brokers),
                Arguments.of("local run", (Main) HelpOptionTest::localRun, List.of()),
                Arguments.of(
                        "generator",
                        (Main) args -> picocli(GeneratorCommand::commandLine, args),
                        brokers),
                Arguments.of(
                        "report",
                        (Main) args -> picocli(ReportCommand::commandLine, args),
                        List.of()),
                Arguments.of(
                        "plot", (Main) args -> picocli(PlotCommand::commandLine, args), List.of()),
                Arguments.of(
                        "SQL job",
                        (Main) args -> picocli(SqlZeroFractionJob::commandLine, args),
                        brokers));
    }

    /**
     * The range each {@code --help} entry shows is the one the main enforces, tried at its bounds
     * and one past them: {@code , 1 to 32768}, {@code in (0, 1]}, {@code at least 1}, {@code at
     * least 10ms}, {@code at most 1h}, {@code shorter than 24000h} and {@code more than 0s}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mainsAndTheirRequiredOptions")
    void everyRangeTheHelpShowsIsTheOneEnforced(String name, Main main, List<String> required) {
        Checker check = new Checker(main, required);
        for (Map.Entry<String, String> entry : helpEntries(main).entrySet()) {
            String option = entry.getKey();
            String text = entry.getValue();
            Matcher integers = Pattern.compile(", (-?[0-9]+) to (-?[0-9]+)\\b").matcher(text);
            while (integers.find()) {
                long min = Long.parseLong(integers.group(1));
                long max = Long.parseLong(integers.group(2));
                check.accepts(option, String.valueOf(min));
                check.accepts(option, String.valueOf(max));
                check.refuses(option, String.valueOf(min - 1));
                check.refuses(option, String.valueOf(max + 1));
            }
            Matcher shares = Pattern.compile("in ([\\[(])0, 1([\\])])").matcher(text);
            while (shares.find()) {
                check.says(shares.group(1).equals("["), option, "0");
                check.says(shares.group(2).equals("]"), option, "1");
                check.accepts(option, "0.001");
                check.accepts(option, "0.999");
                check.refuses(option, "-0.001");
                check.refuses(option, "1.001");
            }
            Matcher leastInteger = Pattern.compile("at least (-?[0-9]+)(?![0-9a-z])").matcher(text);
            while (leastInteger.find()) {
                long least = Long.parseLong(leastInteger.group(1));
                check.accepts(option, String.valueOf(least));
                check.refuses(option, String.valueOf(least - 1));
            }
            Matcher atLeast = Pattern.compile("at least ([0-9]+(?:ms|s|m|h))").matcher(text);
            while (atLeast.find()) {
                Duration least = Durations.parse(atLeast.group(1));
                check.accepts(option, atLeast.group(1));
                check.refuses(option, Durations.format(least.minusMillis(1)));
            }
            Matcher atMost = Pattern.compile("at most ([0-9]+(?:ms|s|m|h))").matcher(text);
            while (atMost.find()) {
                Duration most = Durations.parse(atMost.group(1));
                check.accepts(option, atMost.group(1));
                check.refuses(option, Durations.format(most.plusMillis(1)));
            }
            Matcher shorter = Pattern.compile("shorter than ([0-9]+(?:ms|s|m|h))").matcher(text);
            while (shorter.find()) {
                Duration bound = Durations.parse(shorter.group(1));
                check.refuses(option, shorter.group(1));
                check.accepts(option, Durations.format(bound.minusMillis(1)));
            }
            if (text.contains("more than 0s")) {
                check.refuses(option, "0s");
                check.refuses(option, "0");
                check.accepts(option, "1ms");
            }
        }
        System.out.printf("%s: %d range bounds tried%n", name, check.tried);
        assertThat(check.problems).isEmpty();
    }

    /**
     * Every duration option of every main reads one form, a whole number and a unit, and refuses
     * any other with the same message; one that refuses 24000h shows an upper bound in its help
     * (the range test tries it), and one that refuses zero says so in its help ({@code more than
     * 0s}), since the same option of another main may take it ({@code --connect-timeout 0s} leaves
     * the job's Kafka checks to the cluster).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mainsAndTheirRequiredOptions")
    void everyDurationOptionReadsOneFormAndSaysWhetherItTakesZero(
            String name, Main main, List<String> required) {
        Checker check = new Checker(main, required);
        int durations = 0;
        for (Map.Entry<String, String> entry : helpEntries(main).entrySet()) {
            String option = entry.getKey();
            Run probe = check.run(option, "1h30m");
            if (!probe.err().contains("is not a duration")) {
                continue; // not a duration
            }
            durations++;
            for (String other : List.of("1h30m", "PT1M", "1.5s", "-1s", "1d", "90 s")) {
                check.refusesWith(
                        option,
                        other,
                        "'"
                                + other
                                + "' is not a duration; use a whole number and a unit: 500ms, 10s,"
                                + " 5m, 2h");
            }
            Run longest = check.run(option, "24000h");
            if (longest.status() != 0
                    && longest.err().startsWith("Invalid value for option '" + option + "'")
                    && !entry.getValue().contains("at most")
                    && !entry.getValue().contains("shorter than")) {
                check.problems.add(option + " refuses 24000h, and its --help shows no upper bound");
            }
            Run zero = check.run(option, "0s");
            assertThat(check.run(option, "0").status())
                    .as("%s %s: 0 as 0s", name, option)
                    .isEqualTo(zero.status());
            if (zero.status() != 0
                    && zero.err().contains("'0s' must be > 0")
                    && !entry.getValue().contains("more than 0s")) {
                check.problems.add(option + " refuses 0s, and its --help does not say so");
            }
        }
        // The plot has no duration option.
        assertThat(durations > 0)
                .as("duration options of the %s", name)
                .isEqualTo(!name.equals("plot"));
        assertThat(check.problems).isEmpty();
    }

    /**
     * The bounds a main enforces on a number are in its help: a share refused with {@code must be
     * in [0, 1]} has an interval in its help ({@code in [0, 1]}, or narrower), and an integer
     * refused with {@code must be an integer >= N} says {@code at least N} (or {@code , N to M});
     * the range test then tries what the help says.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mainsAndTheirRequiredOptions")
    void everyNumberRangeAMainEnforcesIsInItsHelp(String name, Main main, List<String> required) {
        Checker check = new Checker(main, required);
        Pattern share = Pattern.compile("must be in [\\[(]0, 1[\\])]");
        Pattern atLeast = Pattern.compile("must be an integer >= (-?[0-9]+)");
        for (Map.Entry<String, String> entry : helpEntries(main).entrySet()) {
            String option = entry.getKey();
            String help = entry.getValue();
            for (String value : List.of("-1", "1.5", "-0.5")) {
                String err = check.run(option, value).err();
                if (!err.startsWith("Invalid value for option '" + option + "'")) {
                    continue;
                }
                if (share.matcher(err).find() && !help.matches(".*\\bin [\\[(]0, 1[\\])].*")) {
                    check.problems.add(option + " is a share, and its --help shows no interval");
                }
                Matcher least = atLeast.matcher(err);
                if (least.find()
                        && !help.contains("at least " + least.group(1))
                        && !help.contains(", " + least.group(1) + " to ")) {
                    check.problems.add(
                            option
                                    + " must be at least "
                                    + least.group(1)
                                    + ", and its --help does not say so");
                }
            }
        }
        assertThat(check.problems.stream().distinct()).isEmpty();
    }

    /**
     * An option of one name takes the same values in every main that has it, or the help of a main
     * that refuses what another takes says how it differs: users carry options from one command
     * line to the next ({@code --connect-timeout 0s} from the job to the generator, a {@code
     * --group-id} from the job to the SQL job).
     */
    @Test
    void optionsOfOneNameTakeTheSameValuesInEveryMainOrSayWhyNot() {
        // What the help of a main that refuses another main's value says, by option.
        Map<String, String> statedDifferences =
                Map.of(
                        "--connect-timeout", "more than 0s",
                        "--window", "shorter than 24000h",
                        "--out-of-orderness", "shorter than 24000h",
                        "--group-id", "a-z, A-Z, 0-9",
                        "--activation", "not maxout");
        List<String> values =
                List.of(
                        "0",
                        "0s",
                        "1ms",
                        "24000h",
                        "-1",
                        "1",
                        "1.5",
                        "0.5",
                        "32769",
                        "a b",
                        "a/b",
                        "é",
                        "x".repeat(250),
                        "relu6",
                        "maxout(k=2)",
                        "avro",
                        "kafka:9092");
        Map<String, Map<String, String>> helps = new LinkedHashMap<>();
        Map<String, Checker> checkers = new LinkedHashMap<>();
        mainsAndTheirRequiredOptions()
                .forEach(
                        arguments -> {
                            Object[] main = arguments.get();
                            @SuppressWarnings("unchecked")
                            List<String> required = (List<String>) main[2];
                            helps.put((String) main[0], helpEntries((Main) main[1]));
                            checkers.put((String) main[0], new Checker((Main) main[1], required));
                        });
        Map<String, List<String>> mainsByOption = new LinkedHashMap<>();
        helps.forEach(
                (main, entries) ->
                        entries.keySet()
                                .forEach(
                                        option ->
                                                mainsByOption
                                                        .computeIfAbsent(
                                                                option, o -> new ArrayList<>())
                                                        .add(main)));
        List<String> unexplained = new ArrayList<>();
        int compared = 0;
        for (Map.Entry<String, List<String>> shared : mainsByOption.entrySet()) {
            String option = shared.getKey();
            if (shared.getValue().size() < 2) {
                continue;
            }
            for (String value : values) {
                List<String> taking = new ArrayList<>();
                List<String> refusing = new ArrayList<>();
                for (String main : shared.getValue()) {
                    (checkers.get(main).run(option, value).status() == 0 ? taking : refusing)
                            .add(main);
                }
                compared++;
                if (taking.isEmpty() || refusing.isEmpty()) {
                    continue;
                }
                for (String main : refusing) {
                    String stated = statedDifferences.get(option);
                    if (stated == null || !helps.get(main).get(option).contains(stated)) {
                        unexplained.add(
                                option
                                        + " "
                                        + value
                                        + ": taken by "
                                        + taking
                                        + ", refused by "
                                        + main
                                        + ", whose --help does not say so");
                    }
                }
            }
        }
        System.out.printf("options shared by several mains: values compared %d%n", compared);
        assertThat(compared).isGreaterThan(200);
        assertThat(unexplained).isEmpty();
    }

    /**
     * One rule for every option of fixed values, in every main: values are read ignoring case, as
     * Flink reads its enum configuration values, and spelled as the help lists them, words joined
     * by '-'; a refusal lists the allowed values, and says so for '_' in place of '-' ({@code
     * EXACTLY_ONCE}, Flink's spelling of its checkpointing mode). Activation names (with their '_',
     * as Keras spells them) are read ignoring case too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mainsAndTheirRequiredOptions")
    void everyOptionOfFixedValuesReadsThemIgnoringCaseAndListsThemWhenRefused(
            String name, Main main, List<String> required) {
        Checker check = new Checker(main, required);
        Pattern notOneOf = Pattern.compile("is not one of: ([a-z, -]+)$", Pattern.MULTILINE);
        List<String> fixed = new ArrayList<>();
        for (String option : helpEntries(main).keySet()) {
            Matcher allowed = notOneOf.matcher(check.run(option, "no-such-value").err());
            if (option.equals("--activation")) {
                for (String value : List.of("relu6", "RELU6", "Leaky_ReLU(Alpha=0.1)")) {
                    check.accepts(option, value);
                }
                continue;
            }
            if (!allowed.find()) {
                continue;
            }
            fixed.add(option);
            String list = allowed.group(1);
            check.refusesWith(option, "no-such-value", "'no-such-value' is not one of: " + list);
            for (String value : list.split(", ")) {
                check.accepts(option, value);
                check.accepts(option, value.toUpperCase(java.util.Locale.ROOT));
                check.accepts(
                        option,
                        value.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                                + value.substring(1));
                if (value.contains("-")) {
                    String underscored = value.replace('-', '_').toUpperCase(java.util.Locale.ROOT);
                    check.refusesWith(
                            option,
                            underscored,
                            "'"
                                    + underscored
                                    + "' is not one of: "
                                    + list
                                    + "; did you mean '"
                                    + value
                                    + "'? (words are joined by '-', not '_')");
                }
            }
        }
        Map<String, List<String>> expected =
                Map.of(
                        "job",
                        List.of(
                                "--starting-offsets",
                                "--invalid-values",
                                "--delivery-guarantee",
                                "--format"),
                        "local run",
                        List.of(
                                "--starting-offsets",
                                "--invalid-values",
                                "--delivery-guarantee",
                                "--format"),
                        "generator",
                        List.of("--format"),
                        "report",
                        List.of("--format"),
                        "plot",
                        List.of(),
                        "SQL job",
                        List.of());
        assertThat(fixed)
                .as("options of fixed values")
                .containsExactlyElementsOf(expected.get(name));
        assertThat(check.problems).isEmpty();
    }

    /**
     * An option's value is labelled alike in every main's help ({@code
     * --connect-timeout=<duration>} in the job and the generator), never with picocli's default,
     * the field's name ({@code <connectTimeout>}); and a main that requires {@code
     * --bootstrap-servers} says so in its help.
     */
    @Test
    void optionsOfOneNameShowOneValueLabelInEveryMain() {
        Pattern labelled = Pattern.compile("^(?:-h, )?--[a-z\\[\\]-]+(?:=(\\S+))?");
        Map<String, Map<String, String>> labels = new java.util.TreeMap<>();
        Map<String, String> bootstrapServers = new LinkedHashMap<>();
        mainsAndTheirRequiredOptions()
                .forEach(
                        arguments -> {
                            Object[] main = arguments.get();
                            String name = (String) main[0];
                            helpEntries((Main) main[1])
                                    .forEach(
                                            (option, entry) -> {
                                                Matcher label = labelled.matcher(entry);
                                                assertThat(label.find()).as(entry).isTrue();
                                                labels.computeIfAbsent(
                                                                option, o -> new LinkedHashMap<>())
                                                        .put(
                                                                name,
                                                                label.group(1) == null
                                                                        ? ""
                                                                        : label.group(1));
                                            });
                            @SuppressWarnings("unchecked")
                            List<String> required = (List<String>) main[2];
                            if (required.contains("--bootstrap-servers")) {
                                bootstrapServers.put(
                                        name,
                                        helpEntries((Main) main[1]).get("--bootstrap-servers"));
                            }
                        });
        List<String> problems = new ArrayList<>();
        labels.forEach(
                (option, byMain) -> {
                    if (byMain.values().stream().distinct().count() > 1) {
                        problems.add(option + " is labelled differently: " + byMain);
                    }
                    byMain.forEach(
                            (main, label) -> {
                                if (label.matches(".*<[a-z]+[A-Z][A-Za-z]*>.*")) {
                                    problems.add(
                                            option
                                                    + " of the "
                                                    + main
                                                    + " is labelled with a field name: "
                                                    + label);
                                }
                            });
                });
        bootstrapServers.forEach(
                (main, entry) -> {
                    if (!entry.contains("Required.")) {
                        problems.add(
                                "--bootstrap-servers of the "
                                        + main
                                        + " is required, and its --help does not say so: "
                                        + entry);
                    }
                });
        assertThat(problems).isEmpty();
    }

    /** Tries values of options, with --help added, and keeps what went otherwise than expected. */
    private static final class Checker {
        private final Main main;
        private final List<String> required;
        final List<String> problems = new ArrayList<>();
        int tried;

        Checker(Main main, List<String> required) {
            this.main = main;
            this.required = required;
        }

        Run run(String option, String value) {
            List<String> args = new ArrayList<>();
            for (int i = 0; i < required.size(); i += 2) {
                if (!required.get(i).equals(option)) {
                    args.add(required.get(i));
                    args.add(required.get(i + 1));
                }
            }
            args.add("--help");
            args.add(option + "=" + value);
            return main.run(args.toArray(new String[0]));
        }

        void accepts(String option, String value) {
            tried++;
            Run run = run(option, value);
            if (run.status() != 0) {
                problems.add(option + " " + value + " is refused: " + run.err().strip());
            }
        }

        void refuses(String option, String value) {
            refusesWith(option, value, "");
        }

        void refusesWith(String option, String value, String message) {
            tried++;
            Run run = run(option, value);
            String expected = "Invalid value for option '" + option + "': " + message;
            if (run.status() != 2 || !run.err().startsWith(expected)) {
                problems.add(
                        option
                                + " "
                                + value
                                + ": status "
                                + run.status()
                                + ", "
                                + (run.err().isEmpty() ? "accepted" : run.err().strip())
                                + "; expected "
                                + expected
                                + "...");
            }
        }

        void says(boolean accepted, String option, String value) {
            if (accepted) {
                accepts(option, value);
            } else {
                refuses(option, value);
            }
        }
    }

    /** The entries of a main's {@code --help}, by option, each on one line. */
    private static Map<String, String> helpEntries(Main main) {
        Run help = main.run("--help");
        assertThat(help.status()).isZero();
        Map<String, String> entries = new LinkedHashMap<>();
        Pattern start = Pattern.compile("^ {2,6}(?:-h, )?(--[a-z\\[\\]-]+)");
        String option = null;
        StringBuilder entry = new StringBuilder();
        for (String line : (help.out() + "\n").split("\\R")) {
            Matcher matcher = start.matcher(line);
            if (option != null && line.startsWith("   ") && !matcher.find()) {
                entry.append(' ').append(line.strip());
                continue;
            }
            if (option != null) {
                entries.put(option, entry.toString());
                option = null;
            }
            if (matcher.reset().find()) {
                option = matcher.group(1).replace("[no-]", "");
                entry.setLength(0);
                entry.append(line.strip());
            }
        }
        if (entries.isEmpty()) {
            fail("no options in " + help.out());
        }
        entries.remove("--help");
        entries.remove("--kafka.<property>");
        return entries;
    }

    private static Run job(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                JobOptions.run(
                        args,
                        options -> {
                            throw new AssertionError("the job must not start for help");
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run localRun(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                LocalRun.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run picocli(Supplier<CommandLine> commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = commandLine.get();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int status = command.execute(args);
        return new Run(status, out.toString(), err.toString());
    }
}
