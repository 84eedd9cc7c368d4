package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.options.CommandLines;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.KafkaProperties;
import io.relustream.jobs.options.OptionConverters;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Draws the job's activation statistics: {@code zero-fraction.png}, the share of zero activations
 * per window and group, and {@code feature-heatmap.png}, the share per feature and window with the
 * dead features marked. Reads the {@code ActivationStats} of the stats topic, or of a file that
 * {@code --export} wrote.
 *
 * <pre>{@code
 * java -cp relu-stream-jobs.jar:slf4j-api.jar io.relustream.jobs.report.ReportCommand \
 *     --bootstrap-servers localhost:9092 --output-dir report --export stats.avro
 * java -cp relu-stream-jobs.jar:slf4j-api.jar io.relustream.jobs.report.ReportCommand \
 *     --input stats.avro
 * }</pre>
 *
 * <p>(Avro and the Kafka client log through slf4j, which the job jar leaves to Flink; {@code mvn
 * exec:exec@report} puts it on the class path. Without it, {@link #main} says so and exits with 1,
 * {@code --help} too.)
 *
 * <p>When a window re-fired (allowed lateness), the record read later wins: see {@link
 * StatsSeries}. Exit status: 0 when both images were written; 2 for invalid options (an {@code
 * --input} that does not exist or is not a file too, and a folder where an image goes), or when
 * there is nothing to plot (no records, none of the chosen groups, or no values for one image,
 * which is then not written); 1 when the topic or the file cannot be read, or an image cannot be
 * drawn (more than the Java heap holds) or written.
 */
@Command(
        name = "report",
        sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "Draws zero-fraction.png (share of zero activations per window and group) and"
                    + " feature-heatmap.png (share per feature and window, dead features marked)"
                    + " from the ActivationStats of the stats topic or of an exported file.",
            ""
        },
        footerHeading = "%nKafka client properties:%n",
        footer = {
            "      --kafka.<property>=<value>, --kafka.<property> <value>",
            "                             Passed to the Kafka consumer, e.g."
                    + " --kafka.security.protocol=SASL_SSL.",
            "                               Repeatable; each property at most once, read and"
                    + " checked as",
            "                               the job's are."
        })
public final class ReportCommand implements Callable<Integer> {

    /** The image of zero_fraction over time. */
    public static final String ZERO_FRACTION_FILE = "zero-fraction.png";

    /** The image of per_feature_zero_fraction. */
    public static final String HEATMAP_FILE = "feature-heatmap.png";

    private static final String KAFKA_PREFIX = KafkaProperties.PREFIX;

    private static final String OWN_DESERIALIZATION =
            "the report reads Avro bytes itself; --format chooses their wire format";

    /**
     * The report assigns itself every partition and seeks to the beginning: a consumer group would
     * neither place it nor keep its offsets, and a starting offset would be ignored.
     */
    private static final String NO_GROUP =
            "the report reads every partition of --topic from the beginning, without a consumer"
                    + " group, and commits no offsets; leave it out";

    /** Kafka properties the report sets itself or does without, with what to do instead. */
    private static final Map<String, String> RESERVED_PROPERTIES =
            Map.of(
                    "bootstrap.servers", "use --bootstrap-servers instead",
                    "key.deserializer", OWN_DESERIALIZATION,
                    "value.deserializer", OWN_DESERIALIZATION,
                    "group.id", NO_GROUP,
                    "auto.offset.reset", NO_GROUP);

    private static final List<String> KAFKA_OPTIONS = List.of("--topic", "--format", "--timeout");

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "<host:port>[,<host:port>...]",
            converter = OptionConverters.BootstrapServers.class,
            description =
                    "Kafka brokers to read the stats topic from. Give this or --input. Default:"
                            + " none.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = "activation-stats",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description = "The job's stats topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(
            names = "--format",
            defaultValue = "avro-single-object",
            paramLabel = "<format>",
            converter = OptionConverters.WireFormatValue.class,
            description = "avro-single-object or avro. Default: ${DEFAULT-VALUE}.")
    WireFormat format;

    @Option(
            names = "--timeout",
            defaultValue = "30s",
            paramLabel = "<duration>",
            converter = Durations.Converter.class,
            description =
                    "How long finding and reading the topic may take; more than 0s. Default:"
                            + " ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(
            names = "--input",
            converter = OptionConverters.FilePath.class,
            paramLabel = "<file>",
            description =
                    "An Avro object container file of ActivationStats (see --export) to read"
                            + " instead of a topic. Default: none.")
    Path input;

    @Option(
            names = "--export",
            converter = OptionConverters.FilePath.class,
            paramLabel = "<file>",
            description =
                    "Also write the records read to this Avro object container file, for"
                            + " --input later. Default: none (nothing written).")
    Path export;

    @Option(
            names = "--output-dir",
            converter = OptionConverters.FilePath.class,
            defaultValue = ".",
            paramLabel = "<dir>",
            description = "Folder of the images, created if missing. Default: the current folder.")
    Path outputDir;

    @Option(
            names = "--group",
            paramLabel = "<group>",
            description =
                    "Draw only these groups (repeatable, or comma-separated, spaces around the"
                            + " commas left out; a value that is a group's whole name, commas and"
                            + " all, is that group). Default: all.")
    List<String> groups = new ArrayList<>();

    @Option(
            names = "--dead-threshold",
            defaultValue = "1.0",
            paramLabel = "<share>",
            converter = OptionConverters.ShareAboveZero.class,
            description =
                    "Mark a feature dead in a window when at least this share of its activations"
                            + " is zero; in (0, 1]. Default: ${DEFAULT-VALUE}.")
    double deadThreshold;

    @Option(
            names = "--width",
            defaultValue = "1200",
            paramLabel = "<pixels>",
            converter = ReportConverters.ImageSize.class,
            description = "Width of the images, 400 to 8000. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(
            names = "--height",
            defaultValue = "700",
            paramLabel = "<pixels>",
            converter = ReportConverters.ImageSize.class,
            description = "Height of the images, 400 to 8000. Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print this help and exit.")
    boolean help;

    @Unmatched List<String> unmatched = new ArrayList<>();

    @Spec CommandSpec spec;

    public static void main(String[] args) {
        if (!slf4jIsOnTheClassPath()) {
            // Else the first Avro or Kafka class fails with a NoClassDefFoundError and its trace.
            System.err.println(
                    "The report needs slf4j-api on the class path, which the job jar leaves to"
                            + " Flink (Avro and the Kafka client log through it): add its jar,"
                            + " e.g. java -cp relu-stream-jobs.jar:slf4j-api.jar "
                            + ReportCommand.class.getName()
                            + " ...");
            System.exit(1);
        }
        System.exit(commandLine().execute(args));
    }

    private static boolean slf4jIsOnTheClassPath() {
        try {
            Class.forName("org.slf4j.LoggerFactory", false, ReportCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The command line of the report, with the project's handling of invalid options. */
    public static CommandLine commandLine() {
        ReportCommand report = new ReportCommand();
        // With --help, the report checks its options as it would without it.
        return CommandLines.of(report, CommandLines.USE_HELP, report::checkOptions);
    }

    /**
     * Checks every option, alone and with the others, as {@code --help} does too.
     *
     * @return the {@code --kafka.} properties
     * @throws ParameterException naming the option and the value
     */
    private Map<String, String> checkOptions() {
        Map<String, String> kafkaProperties = kafkaProperties();
        checkSource(kafkaProperties);
        return kafkaProperties;
    }

    @Override
    public Integer call() {
        Charts.headless();
        Map<String, String> kafkaProperties = checkOptions();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        List<ActivationStats> records;
        String source;
        try {
            if (input != null) {
                records = StatsReader.fromFile(input);
                source = "file " + input;
            } else {
                StatsReader.Result result =
                        StatsReader.fromTopic(
                                bootstrapServers, topic, format, kafkaProperties, timeout);
                records = result.records();
                source = "topic '" + topic + "' on " + bootstrapServers;
                if (result.undecodable() > 0) {
                    err.println(
                            "Skipped "
                                    + result.undecodable()
                                    + " record(s) that are not ActivationStats in "
                                    + format.optionValue()
                                    + " format; the first, "
                                    + result.firstProblem());
                }
            }
        } catch (StatsReader.ReadException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (records.isEmpty()) {
            err.println("Nothing to plot: " + source + " holds no ActivationStats records.");
            return 2;
        }
        out.println("Read " + records.size() + " ActivationStats record(s) from " + source + ".");
        if (export != null) {
            try {
                StatsReader.writeFile(records, export);
            } catch (IOException e) {
                err.println("Cannot write --export '" + export + "': " + Charts.why(e));
                return 1;
            }
            out.println("Exported them to " + export + ".");
        }

        List<ActivationStats> drawable = new ArrayList<>();
        ActivationStats firstImpossible = null;
        for (ActivationStats record : records) {
            if (StatsSeries.drawable(record)) {
                drawable.add(record);
            } else if (firstImpossible == null) {
                firstImpossible = record;
            }
        }
        if (firstImpossible != null) {
            err.println(
                    "Skipped "
                            + (records.size() - drawable.size())
                            + " record(s) whose window cannot be drawn (a window must end after"
                            + " 1970-01-01T00:00:00Z, after it starts and before the year 10000,"
                            + " and last less than 8,000 years); the first, of group "
                            + StatsSeries.shown(firstImpossible.getGroup())
                            + ", from "
                            + firstImpossible.getWindowStart()
                            + " to "
                            + firstImpossible.getWindowEnd()
                            + ".");
        }
        if (drawable.isEmpty()) {
            err.println("Nothing to plot: " + source + " holds no window to draw.");
            return 2;
        }
        StatsSeries series = StatsSeries.of(drawable);
        if (!groups.isEmpty()) {
            List<String> chosen = chosenGroups(series.groups());
            List<String> missing = new ArrayList<>(new TreeSet<>(chosen));
            missing.removeAll(series.groups());
            if (!missing.isEmpty()) {
                err.println(
                        "Nothing to plot for --group "
                                + shown(missing)
                                + ": "
                                + source
                                + " has the groups "
                                + shown(series.groups())
                                + ".");
                return 2;
            }
            series = series.only(chosen);
        }
        // Counted in the groups drawn only: those --group left out are not reported.
        if (series.superseded() > 0) {
            out.println(
                    series.superseded()
                            + " re-fired window(s) superseded by the record read later.");
        }

        boolean failed = false;
        boolean empty = false;
        final StatsSeries drawn = series;
        // Drawn one at a time, so that only one image is in memory: 8000 x 8000 is 256 MB.
        for (Image image :
                List.of(
                        new Image(
                                ZERO_FRACTION_FILE,
                                () -> ZeroFractionChart.draw(drawn, width, height),
                                "no window has a zero_fraction (every window had no values)"),
                        new Image(
                                HEATMAP_FILE,
                                () -> FeatureHeatmap.draw(drawn, deadThreshold, width, height),
                                "no window has per_feature_zero_fraction values"))) {
            Path file = outputDir.resolve(image.name);
            Optional<BufferedImage> picture;
            try {
                picture = image.draw.get();
            } catch (Charts.TooLargeException e) {
                err.println("Cannot draw " + image.name + ": " + e.getMessage());
                failed = true;
                continue;
            }
            if (picture.isEmpty()) {
                err.println(
                        "Nothing to plot for " + image.name + ": " + image.why + "; not written.");
                empty = true;
                continue;
            }
            try {
                Charts.writePng(picture.get(), file);
                out.println("Wrote " + file + " (" + width + "x" + height + ").");
            } catch (UncheckedIOException e) {
                err.println(e.getMessage());
                failed = true;
            }
        }
        return failed ? 1 : empty ? 2 : 0;
    }

    /**
     * The groups of the {@code --group} values: a value naming a group whole is that group (a name
     * may hold commas), any other value is a comma-separated list of names. Spaces around a name in
     * the list are not part of it, as in Kafka's lists ({@code "layer-0, layer-1"}), unless they
     * are: a name with them that is a group's is that group. A name of no group is reported without
     * them.
     */
    private List<String> chosenGroups(List<String> known) {
        List<String> chosen = new ArrayList<>();
        for (String value : groups) {
            if (known.contains(value)) {
                chosen.add(value);
                continue;
            }
            for (String name : value.split(",", -1)) {
                chosen.add(known.contains(name) ? name : name.strip());
            }
        }
        return chosen;
    }

    private static String shown(List<String> groups) {
        return String.join(", ", groups.stream().map(StatsSeries::shown).toList());
    }

    /** An image to write, and why there is none when it draws nothing. */
    private static final class Image {
        final String name;
        final Supplier<Optional<BufferedImage>> draw;
        final String why;

        Image(String name, Supplier<Optional<BufferedImage>> draw, String why) {
            this.name = name;
            this.draw = draw;
            this.why = why;
        }
    }

    /**
     * The {@code --kafka.<property>} options among the arguments picocli did not know, read and
     * checked as the job reads and checks its own: each value as the Kafka consumer would check it,
     * so that a typo is an invalid option (exit 2) rather than a failure to read; class names are
     * left to the consumer.
     */
    private Map<String, String> kafkaProperties() {
        try {
            List<String> rest = new ArrayList<>();
            Map<String, String> properties =
                    KafkaProperties.extract(unmatched, rest, RESERVED_PROPERTIES);
            if (!rest.isEmpty()) {
                throw new IllegalArgumentException(CommandLines.unmatchedMessage(rest));
            }
            // Kafka's classes only when there is a property to check: a report of a file needs
            // no Kafka at all.
            if (!properties.isEmpty()) {
                KafkaProperties.checkValues(
                        properties, List.of(ConsumerConfig.configDef()), Set.of());
            }
            return properties;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * Exactly one source (none for {@code --help}): a topic or a file, with only the options that
     * apply to it.
     */
    private void checkSource(Map<String, String> kafkaProperties) {
        ParseResult parsed = spec.commandLine().getParseResult();
        // Help may be asked for without a source; what is given is still checked.
        if (input == null && bootstrapServers == null && !help) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Missing input: give --bootstrap-servers to read the stats topic, or --input"
                            + " to read a file written by --export");
        }
        if (input != null && bootstrapServers != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Options '--input' and '--bootstrap-servers' cannot be used together: read"
                            + " either a file or a topic");
        }
        if (input != null) {
            for (String option : KAFKA_OPTIONS) {
                if (parsed.hasMatchedOption(option)) {
                    throw new ParameterException(
                            spec.commandLine(),
                            "Option '"
                                    + option
                                    + "' reads from Kafka; it cannot be used with --input");
                }
            }
            if (!kafkaProperties.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Option '"
                                + KAFKA_PREFIX
                                + kafkaProperties.keySet().iterator().next()
                                + "' reads from Kafka; it cannot be used with --input");
            }
            if (!Files.isRegularFile(input)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Invalid value for option '--input': '"
                                + input
                                + (Files.exists(input) ? "' is not a file" : "' does not exist"));
            }
        }
        if (input == null) {
            try {
                // Any broker will do for --help without --bootstrap-servers.
                StatsReader.checkConsumerConfig(
                        bootstrapServers == null ? "kafka:9092" : bootstrapServers,
                        kafkaProperties,
                        timeout);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Invalid --kafka. options for the report's Kafka consumer: "
                                + e.getMessage());
            }
        }
        if (timeout.isZero()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--timeout': '"
                            + parsed.matchedOption("--timeout").originalStringValues().get(0)
                            + "' must be > 0");
        }
        if (outputDir.toString().isEmpty()) {
            // Refused as --export's and the plot's empty paths are, not read as the current folder.
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--output-dir': '' names no folder; give one, e.g. ."
                            + " for the current folder");
        }
        if (Files.exists(outputDir) && !Files.isDirectory(outputDir)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--output-dir': '" + outputDir + "' is not a folder");
        }
        if (export != null && export.toString().isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--export': '' names no file; give an .avro file");
        }
        OutputPaths.checkCreatable(spec.commandLine(), "--output-dir", outputDir);
        for (String image : List.of(ZERO_FRACTION_FILE, HEATMAP_FILE)) {
            // As the plot's --output: an empty folder would be replaced by the image, a full one
            // could not be, after the whole input was read.
            Path file = outputDir.resolve(image);
            if (Files.isDirectory(file)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Invalid value for option '--output-dir': '"
                                + file
                                + "' is a folder, where the report writes the image "
                                + image);
            }
        }
        if (export != null) {
            OutputPaths.checkCreatable(spec.commandLine(), "--export", export);
            if (Files.isDirectory(export)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Invalid value for option '--export': '"
                                + export
                                + "' is a folder, not a file");
            }
            Path exported = export.toAbsolutePath().normalize();
            for (String image : List.of(ZERO_FRACTION_FILE, HEATMAP_FILE)) {
                // Written after the export, the image would replace it.
                if (outputDir.resolve(image).toAbsolutePath().normalize().equals(exported)) {
                    throw new ParameterException(
                            spec.commandLine(),
                            "Invalid value for option '--export': '"
                                    + export
                                    + "' is the file of the image "
                                    + image
                                    + " in --output-dir; export to another file, e.g."
                                    + " stats.avro");
                }
            }
            if (input != null && sameFile(input, export)) {
                // The export holds what was read, in this build's schema: a file of a newer one
                // would lose the fields this build does not know.
                throw new ParameterException(
                        spec.commandLine(),
                        "Invalid value for option '--export': '"
                                + export
                                + "' is the file of --input, which the export would replace with"
                                + " its records in this build's schema (without the fields of a"
                                + " newer one); export to another file, e.g. "
                                + otherExport(export));
            }
        }
    }

    /**
     * A file beside {@code export} to suggest instead of it: a fixed name such as stats.avro would
     * be the input's own where that is its name, as in the README's examples.
     */
    private static String otherExport(Path export) {
        String name = export.toAbsolutePath().normalize().getFileName().toString();
        String stem = name.endsWith(".avro") ? name.substring(0, name.length() - 5) : name;
        return stem + "-export.avro";
    }

    /**
     * Whether {@code a} and {@code b} name one file: as written, or through a linked folder (a link
     * to the file itself is a file of its own, which an export replaces).
     */
    private static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a)
                    && Files.exists(b)
                    && !Files.isSymbolicLink(b)
                    && Files.isSameFile(a, b);
        } catch (IOException unreadable) {
            // Not told apart here; reading or writing it says what is wrong.
            return false;
        }
    }
}
