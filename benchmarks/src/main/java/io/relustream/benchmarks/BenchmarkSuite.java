package io.relustream.benchmarks;

import io.relustream.simd.SimdLoops;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every benchmark and prints one table of ratios, each against a baseline measured in the same
 * run: {@code mvn -B -q -DskipTests package exec:exec@benchmarks} (about 7 minutes on two cores).
 * {@code --smoke} runs each benchmark once with a tiny count, so CI keeps them compiling and
 * running; it measures nothing. {@code --output FILE} also writes the table as Markdown.
 */
public final class BenchmarkSuite {

    private final boolean smoke;
    private final List<String> sections;
    private final List<String> lines = new ArrayList<>();

    BenchmarkSuite(boolean smoke) {
        this(smoke, List.of());
    }

    /**
     * @param sections the sections to run (kernels, statistics, operators, end-to-end, memory); all
     *     when empty
     */
    BenchmarkSuite(boolean smoke, List<String> sections) {
        this.smoke = smoke;
        this.sections = sections;
    }

    /** The sections {@code --only} chooses from, in the order they run. */
    static final List<String> SECTIONS =
            List.of("kernels", "statistics", "operators", "end-to-end", "memory");

    private static final String USAGE =
            "Usage: BenchmarkSuite [--smoke] [--only "
                    + String.join(",", SECTIONS)
                    + "] [--output FILE] [--help]";

    public static void main(String[] args) throws Exception {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            // Before anything runs: a misspelt option or section would otherwise run the whole
            // suite, or nothing, or fail only once the suite is done.
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (arguments.help) {
            System.out.println(USAGE);
            System.out.println(
                    "  --smoke        run each benchmark once with a tiny count; measures nothing");
            System.out.println(
                    "  --only a,b     run only these sections, of " + String.join(", ", SECTIONS));
            System.out.println("  --output FILE  also write the table as Markdown to FILE");
            System.out.println("  -h, --help     print this help and exit");
            return;
        }
        List<String> table = new BenchmarkSuite(arguments.smoke, arguments.sections).run();
        if (arguments.output != null) {
            Files.write(arguments.output, table, StandardCharsets.UTF_8);
        }
        // Flink and Kafka leave non-daemon threads behind.
        System.exit(0);
    }

    /**
     * The suite's command line: {@code --smoke}, {@code --only a,b}, {@code --output FILE}, {@code
     * --help}.
     */
    static final class Arguments {
        final boolean smoke;
        final List<String> sections;
        final Path output;
        final boolean help;

        private Arguments(boolean smoke, List<String> sections, Path output, boolean help) {
            this.smoke = smoke;
            this.sections = sections;
            this.output = output;
            this.help = help;
        }

        /**
         * @throws IllegalArgumentException naming the option or section that is not one the suite
         *     knows, an option without its value, an option given twice with both values, or an
         *     {@code --output} file whose folder does not exist
         */
        static Arguments parse(String... args) {
            boolean smoke = false;
            List<String> sections = List.of();
            Path output = null;
            // Read on after it: only a valid command line prints the help, as in the job's mains.
            boolean help = false;
            String onlyGiven = null;
            String outputGiven = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-h":
                    case "--help":
                        help = true;
                        break;
                    case "--smoke":
                        smoke = true;
                        break;
                    case "--only":
                        String list = valueOf(args, i++);
                        onlyGiven = givenOnce("--only", onlyGiven, list);
                        // Spaces around the commas are not part of the names, as in the
                        // report's --group and Kafka's own lists: "kernels, memory".
                        sections = new ArrayList<>();
                        for (String section : list.split(",", -1)) {
                            sections.add(section.strip());
                        }
                        for (String section : sections) {
                            if (!SECTIONS.contains(section)) {
                                throw new IllegalArgumentException(
                                        "Invalid value for option '--only': '"
                                                + section
                                                + "' is not a section; the sections are "
                                                + String.join(", ", SECTIONS));
                            }
                        }
                        break;
                    case "--output":
                        outputGiven = givenOnce("--output", outputGiven, valueOf(args, i++));
                        output = Path.of(outputGiven);
                        Path folder = output.toAbsolutePath().getParent();
                        if (folder != null && !Files.isDirectory(folder)) {
                            throw new IllegalArgumentException(
                                    "Invalid value for option '--output': the folder of '"
                                            + output
                                            + "' does not exist");
                        }
                        break;
                    default:
                        throw new IllegalArgumentException("Unknown option: '" + args[i] + "'");
                }
            }
            return new Arguments(smoke, sections, output, help);
        }

        /**
         * {@code value}, the value of {@code option}, when the option had none before ({@code
         * earlier} is null): given twice, one value would silently be dropped, so the command line
         * is refused naming both, as the job's mains do.
         */
        private static String givenOnce(String option, String earlier, String value) {
            if (earlier != null) {
                throw new IllegalArgumentException(
                        "option '"
                                + option
                                + "' should be specified only once, got '"
                                + earlier
                                + "' and '"
                                + value
                                + "'");
            }
            return value;
        }

        private static String valueOf(String[] args, int option) {
            if (option + 1 >= args.length || args[option + 1].startsWith("--")) {
                throw new IllegalArgumentException(
                        "Missing the value of option '" + args[option] + "'");
            }
            return args[option + 1];
        }
    }

    /** Runs everything; returns the table's lines (also printed). */
    List<String> run() throws Exception {
        line(
                "relu-stream benchmarks, %s, %s %s, %d cores, %s",
                LocalDate.now(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                smoke ? "SMOKE RUN: numbers mean nothing" : "full run");
        if (wanted("kernels")) {
            kernels();
        }
        if (wanted("statistics")) {
            statistics();
        }
        if (wanted("operators")) {
            operators();
        }
        if (wanted("end-to-end")) {
            endToEnd();
        }
        if (wanted("memory")) {
            memory();
        }
        return lines;
    }

    private boolean wanted(String section) {
        return sections.isEmpty() || sections.contains(section);
    }

    private void kernels() throws Exception {
        String dimensions = smoke ? "64" : null;
        List<String> rows = smoke ? List.of("64") : List.of("16", "64", "256", "1024", "65536");
        Map<String, Double> ns = jmh("KernelBenchmark\\..*", dimensions);
        // relu, leaky and the floor again in a JVM with the Vector API loops switched off: what a
        // TaskManager started without the incubator module runs.
        Map<String, Double> plain =
                jmh(
                        "KernelBenchmark\\.(relu|leakyRelu|baselineTwoArrayCopies)$",
                        dimensions,
                        "-D" + SimdLoops.PROPERTY + "=false");
        line("");
        line(
                "## 1. Kernel: activation + derivative, one double[] into two (ns per call; ratio ="
                        + " baseline time / ours)");
        line("");
        line("relu and leaky run as: %s.", SimdLoops.describe());
        line("");
        line(
                "| d | relu ns | relu, plain loops ns | leaky ns | leaky, plain loops ns | float"
                        + " relu ns | vs 2x arraycopy (floor) | plain loops vs floor | float vs"
                        + " floor | vs branchy loop | vs boxed stream |");
        line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String d : rows) {
            double relu = ns.get("relu@" + d);
            double plainRelu = plain.get("relu@" + d);
            double floatRelu = ns.get("reluFloat@" + d);
            line(
                    "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.1f |",
                    d,
                    relu,
                    plainRelu,
                    ns.get("leakyRelu@" + d),
                    plain.get("leakyRelu@" + d),
                    floatRelu,
                    ns.get("baselineTwoArrayCopies@" + d) / relu,
                    plain.get("baselineTwoArrayCopies@" + d) / plainRelu,
                    ns.get("baselineTwoArrayCopiesFloat@" + d) / floatRelu,
                    ns.get("baselineBranchyLoop@" + d) / relu,
                    ns.get("baselineBoxedStream@" + d) / relu);
        }
        line("");
        line(
                "Targets at d = 1024: at least 0.8 of the floor, at least 5x the boxed stream."
                        + " Plain loops: relu, leaky and the floor measured again in a JVM"
                        + " started with -D%s=false.",
                SimdLoops.PROPERTY);
        line("");
        line(
                "### relu + derivative into new arrays, as an operator writes every record (ns per"
                        + " call)");
        line("");
        line(
                "| d | relu, new arrays ns | relu, same arrays ns | two new copies ns | vs two new"
                        + " copies | new arrays vs same arrays |");
        line("|---:|---:|---:|---:|---:|---:|");
        for (String d : rows) {
            double newArrays = ns.get("reluIntoNewArrays@" + d);
            double sameArrays = ns.get("relu@" + d);
            double copies = ns.get("baselineTwoNewCopies@" + d);
            line(
                    "| %s | %.1f | %.1f | %.1f | %.2f | %.1fx |",
                    d, newArrays, sameArrays, copies, copies / newArrays, newArrays / sameArrays);
        }
    }

    private void statistics() throws Exception {
        Map<String, Double> ns = jmh("StatisticsBenchmark\\..*", null);
        line("");
        line("## Statistics update per record, d = 64 (ns per record)");
        line("");
        line("| whole accumulator | zero and per-feature counts | quantile sketch (64 updates) |");
        line("|---:|---:|---:|");
        line(
                "| %.1f | %.1f | %.1f |",
                ns.get("accumulator@64"),
                ns.get("zeroAndPerFeatureCounts@64"),
                ns.get("quantileSketch@64"));
    }

    private void operators() throws Exception {
        long records = smoke ? 2_000 : 2_000_000;
        int rounds = smoke ? 1 : 5;
        line("");
        line(
                "## 2. Operator in Flink: %,d records of d = %d, parallelism 1 (records/s, best of"
                        + " %d)",
                records, FlinkOperatorHarness.DIMENSIONS, rounds);
        line("");
        line(
                "| source | activation | identity | read map | copy map | boxed map | Flink SQL |"
                        + " vs identity | read map vs identity | vs copy map | vs boxed map | vs"
                        + " Flink SQL |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (boolean fresh : new boolean[] {false, true}) {
            FlinkOperatorHarness harness = new FlinkOperatorHarness(records, fresh);
            Map<String, Double> best = bestOf(harness.variants(), rounds, harness::run);
            double activation = best.get("activation");
            line(
                    "| %s | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %.2f |"
                            + " %.2f | %.2f |",
                    fresh ? "fresh records" : "pooled records",
                    activation,
                    best.get("identity"),
                    best.get("read map"),
                    best.get("copy map"),
                    best.get("boxed map"),
                    best.get("Flink SQL"),
                    activation / best.get("identity"),
                    best.get("read map") / best.get("identity"),
                    activation / best.get("copy map"),
                    activation / best.get("boxed map"),
                    activation / best.get("Flink SQL"));
        }
        line("");
        line(
                "Pooled: the source hands out records of a pool, so identity is Flink's own"
                        + " per-record work alone. Fresh: the source builds every record, as a"
                        + " deserializer does. Read map: reads every value and passes the record"
                        + " on. Copy map: the same output record from copies of"
                        + " the input, no math. Targets: at least 0.9 of identity, at least 1.5x"
                        + " Flink SQL.");
    }

    private void endToEnd() throws Exception {
        int records = smoke ? 1_000 : 300_000;
        try (EndToEndHarness harness = new EndToEndHarness(records)) {
            int rounds = smoke ? 1 : 5;
            Map<String, Double> best = bestOf(harness.variants(), rounds, harness::run);
            line("");
            line(
                    "## 3. End to end on the in-process broker: %,d records of d = %d, --bounded,"
                            + " parallelism 1 (records/s, best of %d)",
                    records, EndToEndHarness.DIMENSIONS, rounds);
            line("");
            line(
                    "| job | job --no-derivatives | pass-through | pass-through, default batches"
                            + " | decode + re-encode | job vs pass-through | job vs pass-through,"
                            + " default batches | --no-derivatives vs pass-through | job vs"
                            + " decode + re-encode |");
            line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            double job = best.get("job");
            double jobWithoutDerivatives = best.get("job --no-derivatives");
            double passThrough = best.get("pass-through");
            double passThroughDefaults = best.get("pass-through, default batches");
            double reEncode = best.get("decode + re-encode");
            line(
                    "| %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %.2f | %.2f |",
                    job,
                    jobWithoutDerivatives,
                    passThrough,
                    passThroughDefaults,
                    reEncode,
                    job / passThrough,
                    job / passThroughDefaults,
                    jobWithoutDerivatives / passThrough,
                    job / reEncode);
            line("");
            line(
                    "The job writes activations and derivatives (about twice the input's bytes)"
                            + " plus statistics; --no-derivatives writes the activations alone."
                            + " Its producers use 256 KiB batches (batch.size); so do the"
                            + " pass-through and the re-encode job, except the column with"
                            + " Kafka's default 16 KiB. Target: at least 0.6 of the pass-through"
                            + " job.");
        }
    }

    private void memory() throws IOException {
        int[] dimensions = smoke ? new int[] {64} : new int[] {16, 64, 256, 1024, 4096};
        Map<Integer, Integer> bytes = MemoryHarness.stateBytes(dimensions, smoke ? 1_000 : 10_000);
        line("");
        line(
                "## 4. Memory: statistics state per (group, window), serialized, after %,d records",
                smoke ? 1_000 : 10_000);
        line("");
        line("| d | bytes |");
        line("|---:|---:|");
        bytes.forEach((d, size) -> line("| %d | %,d |", d, size));
        int records = smoke ? 4_000 : 1_000_000;
        Map<Integer, Long> heap = MemoryHarness.heapWhileOneWindowFills(records);
        line("");
        line("Heap in use after a full GC while one window takes %,d records of d = 64:", records);
        line("");
        line("| records in the window | heap MiB |");
        line("|---:|---:|");
        heap.forEach((taken, used) -> line("| %,d | %.1f |", taken, used / 1048576.0));
    }

    /**
     * @param benchmarks a regular expression for the benchmark methods, e.g. {@code
     *     KernelBenchmark\\..*}
     * @param jvmArgs appended to the forked JVM's arguments (ignored by the smoke run, which does
     *     not fork)
     */
    private Map<String, Double> jmh(String benchmarks, String dimensions, String... jvmArgs)
            throws Exception {
        ChainedOptionsBuilder options =
                new OptionsBuilder().include("io\\.relustream\\.benchmarks\\." + benchmarks);
        if (smoke) {
            options.forks(0)
                    .warmupIterations(0)
                    .measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(20));
        } else {
            options.forks(1)
                    .warmupIterations(3)
                    .warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(4)
                    .measurementTime(TimeValue.milliseconds(500))
                    .jvmArgsAppend(append("-Xmx1g", jvmArgs));
        }
        if (dimensions != null) {
            options.param("dimensions", dimensions);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Double> scores = new HashMap<>();
        for (RunResult result : results) {
            String method = result.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            scores.put(
                    method + "@" + result.getParams().getParam("dimensions"),
                    result.getPrimaryResult().getScore());
        }
        return scores;
    }

    private static String[] append(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** Runs the variants side by side, round after round, and keeps each one's best. */
    private static Map<String, Double> bestOf(
            List<String> variants, int rounds, Measurement measurement) throws Exception {
        Map<String, Double> best = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String variant : variants) {
                best.merge(variant, measurement.recordsPerSecond(variant), Math::max);
            }
        }
        return best;
    }

    @FunctionalInterface
    private interface Measurement {
        double recordsPerSecond(String variant) throws Exception;
    }

    private void line(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        lines.add(line);
        System.out.println(line);
    }
}
