package io.relustream.jobs.report;

import io.relustream.jobs.report.ReportFixtures.Run;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Invalid options of the report and the plot: exit status 2, a message naming the problem. */
class ReportOptionsTest {

    private static final String FILE = "<file>";
    private static final String HELP = "Use --help to see every option.";

    @TempDir static Path dir;

    private static Path input;

    @BeforeEach
    void writeInput() throws IOException {
        input = dir.resolve("in.avro");
        if (!Files.exists(input)) {
            ReportFixtures.writeFile(ReportFixtures.threeGroups(), input);
        }
    }

    static Stream<Arguments> invalidReports() {
        return Stream.of(
                invalid(
                        "Missing input: give --bootstrap-servers to read the stats topic, or"
                                + " --input to read a file written by --export"),
                invalid(
                        "Options '--input' and '--bootstrap-servers' cannot be used together:"
                                + " read either a file or a topic",
                        "--input",
                        FILE,
                        "--bootstrap-servers",
                        "localhost:9092"),
                invalid(
                        "Invalid value for option '--input': 'missing.avro' does not exist",
                        "--input",
                        "missing.avro"),
                invalid(
                        "Option '--topic' reads from Kafka; it cannot be used with --input",
                        "--input",
                        FILE,
                        "--topic",
                        "stats"),
                invalid(
                        "Option '--format' reads from Kafka; it cannot be used with --input",
                        "--input",
                        FILE,
                        "--format",
                        "avro"),
                invalid(
                        "Option '--kafka.security.protocol' reads from Kafka; it cannot be used"
                                + " with --input",
                        "--input",
                        FILE,
                        "--kafka.security.protocol=SSL"),
                invalid(
                        "Invalid value for option '--width': '399' must be an integer in [400,"
                                + " 8000]",
                        "--input",
                        FILE,
                        "--width",
                        "399"),
                invalid(
                        "Invalid value for option '--height': '8001' must be an integer in [400,"
                                + " 8000]",
                        "--input",
                        FILE,
                        "--height",
                        "8001"),
                invalid(
                        "Invalid value for option '--width': 'wide' must be an integer in [400,"
                                + " 8000]",
                        "--input",
                        FILE,
                        "--width",
                        "wide"),
                invalid(
                        "Invalid value for option '--dead-threshold': '0' must be in (0, 1]",
                        "--input",
                        FILE,
                        "--dead-threshold",
                        "0"),
                invalid(
                        "Invalid value for option '--dead-threshold': '1.5' must be in (0, 1]",
                        "--input",
                        FILE,
                        "--dead-threshold",
                        "1.5"),
                // It assigns itself every partition and seeks to the beginning: a group would
                // neither place it nor keep its offsets, and a starting offset would be ignored.
                invalid(
                        "Invalid option '--kafka.group.id': the report reads every partition of"
                                + " --topic from the beginning, without a consumer group, and"
                                + " commits no offsets; leave it out",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.group.id=report"),
                invalid(
                        "Invalid option '--kafka.auto.offset.reset': the report reads every"
                                + " partition of --topic from the beginning, without a consumer"
                                + " group, and commits no offsets; leave it out",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.auto.offset.reset",
                        "latest"),
                invalid(
                        "Invalid value for option '--format': 'json' is not one of:"
                                + " avro-single-object, avro",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--format",
                        "json"),
                invalid(
                        "Invalid value for option '--timeout': '10x' is not a duration; use a"
                                + " whole number and a unit: 500ms, 10s, 5m, 2h",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--timeout",
                        "10x"),
                invalid(
                        "Invalid value for option '--timeout': '0s' must be > 0",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--timeout",
                        "0s"),
                invalid(
                        "Invalid value for option '--bootstrap-servers': 'localhost' has"
                                + " 'localhost' without a port; use a comma-separated list of"
                                + " host:port with ports 1 to 65535, e.g."
                                + " kafka-1:9092,kafka-2:9092",
                        "--bootstrap-servers",
                        "localhost"),
                invalid(
                        "Invalid value for option '--topic': 'my topic' is not a Kafka topic"
                                + " name; use 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_'"
                                + " and '-', other than '.' or '..'",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--topic",
                        "my topic"),
                invalid(
                        "Invalid option '--kafka.bootstrap.servers': use --bootstrap-servers"
                                + " instead",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.bootstrap.servers=other:9092"),
                invalid(
                        "Option '--kafka.acks' should be specified only once",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.acks=all",
                        "--kafka.acks",
                        "1"),
                invalid(
                        "Invalid value for option '--kafka.max.poll.records': Invalid value abc"
                                + " for configuration max.poll.records: Not a number of type INT",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.max.poll.records=abc"),
                invalid(
                        "Invalid value for option '--kafka.isolation.level': Invalid value dirty"
                                + " for configuration isolation.level: String must be one of:"
                                + " read_committed, read_uncommitted",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.isolation.level",
                        "dirty"),
                // Read as the job reads them, with the job's messages.
                invalid(
                        "Missing value for option '--kafka.client.id'; use"
                                + " --kafka.client.id=<value> or --kafka.client.id <value>",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.client.id"),
                invalid(
                        "Invalid option '--kafka.': the Kafka property name is missing; use"
                                + " --kafka.<property>=<value>, e.g."
                                + " --kafka.security.protocol=SASL_SSL",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.=SSL"),
                invalid(
                        "Invalid option '--kafka.value.deserializer': the report reads Avro bytes"
                                + " itself; --format chooses their wire format",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.value.deserializer=org.example.Json"),
                invalid(
                        "Unexpected argument: 'x'; every argument is an option or an option's"
                                + " value",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--",
                        "x"),
                // Checked together as the consumer checks them, before any broker is asked.
                invalid(
                        "Invalid --kafka. options for the report's Kafka consumer:"
                                + " enable.auto.commit cannot be set to true when default group id"
                                + " (null) is used.",
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.enable.auto.commit=true"),
                invalid("Unknown option: '--widht'", "--input", FILE, "--widht", "800"),
                // Never the value of --input, to be quoted as a file that does not exist.
                invalid(
                        "Expected parameter for option '--input' but found"
                                + " '--kafka.sasl.jaas.config'",
                        "--input",
                        "--kafka.sasl.jaas.config=password=secret"),
                invalid(
                        "Unexpected argument: 'stats.avro'; every argument is an option or an"
                                + " option's value",
                        "--input",
                        FILE,
                        "stats.avro"),
                // Named as every other invalid value, not as picocli's "cannot convert".
                invalid(
                        "Invalid value for option '--input': 'a\0b' is not a path: Nul character"
                                + " not allowed",
                        "--input",
                        "a\0b"),
                invalid(
                        "Invalid value for option '--export': 'a\0b' is not a path: Nul character"
                                + " not allowed",
                        "--input",
                        FILE,
                        "--export",
                        "a\0b"),
                invalid(
                        "Invalid value for option '--output-dir': 'a\0b' is not a path: Nul"
                                + " character not allowed",
                        "--input",
                        FILE,
                        "--output-dir",
                        "a\0b"),
                invalid(
                        "Invalid value for option '--export': '' names no file; give an .avro file",
                        "--input",
                        FILE,
                        "--export",
                        ""),
                invalid(
                        "Invalid value for option '--output-dir': '' names no folder; give one,"
                                + " e.g. . for the current folder",
                        "--input",
                        FILE,
                        "--output-dir",
                        ""),
                invalid(
                        "Invalid value for option '--output-dir': '" + FILE + "' is not a folder",
                        "--input",
                        FILE,
                        "--output-dir",
                        FILE),
                // A file where a folder must be: refused at start, not after reading.
                invalid(
                        "Invalid value for option '--output-dir': '"
                                + FILE
                                + "/report' cannot be created: '"
                                + FILE
                                + "' is a file, not a folder",
                        "--input",
                        FILE,
                        "--output-dir",
                        FILE + "/report"),
                invalid(
                        "Invalid value for option '--export': '"
                                + FILE
                                + "/out.avro' cannot be created: '"
                                + FILE
                                + "' is a file, not a folder",
                        "--input",
                        FILE,
                        "--export",
                        FILE + "/out.avro"),
                // Echoed as typed: a Path drops a trailing '/' and doubled ones.
                invalid(
                        "Invalid value for option '--output-dir': '"
                                + FILE
                                + "//report/' cannot be created: '"
                                + FILE
                                + "' is a file, not a folder",
                        "--input",
                        FILE,
                        "--output-dir",
                        FILE + "//report/"),
                invalid(
                        "Invalid value for option '--export': '"
                                + FILE
                                + "/out.avro/' cannot be created: '"
                                + FILE
                                + "' is a file, not a folder",
                        "--input",
                        FILE,
                        "--export",
                        FILE + "/out.avro/"),
                // The image would overwrite the export written just before it.
                invalid(
                        "Invalid value for option '--export': '"
                                + FILE
                                + "-images/zero-fraction.png' is the file of the image"
                                + " zero-fraction.png in --output-dir; export to another file,"
                                + " e.g. stats.avro",
                        "--input",
                        FILE,
                        "--output-dir",
                        FILE + "-images",
                        "--export",
                        FILE + "-images/zero-fraction.png"),
                invalid(
                        "Invalid value for option '--export': '"
                                + FILE
                                + "-images/./more/../feature-heatmap.png' is the file of the"
                                + " image feature-heatmap.png in --output-dir; export to another"
                                + " file, e.g. stats.avro",
                        "--input",
                        FILE,
                        "--output-dir",
                        FILE + "-images",
                        "--export",
                        FILE + "-images/./more/../feature-heatmap.png"),
                // The export would replace the input with its records in this build's schema:
                // the fields of a newer one would be gone.
                invalid(exportOverInput(FILE, "in-export.avro"), "--input", FILE, "--export", FILE),
                invalid(
                        exportOverInput(FILE + "-images/../in.avro", "in-export.avro"),
                        "--input",
                        FILE,
                        "--export",
                        FILE + "-images/../in.avro"),
                invalid(
                        "Unexpected argument: '--group'; every argument is an option or an"
                                + " option's value",
                        "--input",
                        FILE,
                        "--",
                        "--group",
                        "layer-0"));
    }

    @ParameterizedTest
    @MethodSource("invalidReports")
    void reportRejectsInvalidOptionsWithTwo(String message, List<String> args) {
        Run run = ReportFixtures.run(ReportCommand.commandLine(), withInput(args));

        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err)
                .isEqualTo(ReportCommandTest.lines(message.replace(FILE, input.toString()), HELP));
        assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
    }

    static Stream<Arguments> invalidPlots() {
        return Stream.of(
                invalid(
                        "Unexpected argument: '--samples'; every argument is an option or an"
                                + " option's value",
                        "--",
                        "--samples",
                        "10"),
                invalid(
                        "Invalid value for option '--activation': 'maxout(k=2)' is not"
                                + " element-wise: maxout takes the largest of each group of k"
                                + " inputs, so it has no curve f(z) to draw; plot an element-wise"
                                + " activation such as relu",
                        "--activation",
                        "maxout(k=2)"),
                // A tab after a spec is read, and echoed as the parser echoes it: escaped.
                invalid(
                        "Invalid value for option '--activation': 'maxout(k=2)\\u0009' is not"
                                + " element-wise: maxout takes the largest of each group of k"
                                + " inputs, so it has no curve f(z) to draw; plot an element-wise"
                                + " activation such as relu; \\u0009 is a character tabulation"
                                + " (U+0009)",
                        "--activation",
                        "maxout(k=2)\t"),
                invalid(
                        "Invalid value for option '--activation': Unknown activation 'gelu' in"
                                + " spec 'gelu'; allowed: relu, leaky_relu, relu6, clipped_relu,"
                                + " thresholded_relu, maxout",
                        "--activation",
                        "gelu"),
                invalid(
                        "Invalid value for option '--to': '1' must be greater than --from (1)",
                        "--from",
                        "1",
                        "--to",
                        "1"),
                invalid(
                        "Invalid value for option '--to': '6' must be greater than --from (7.5)",
                        "--from",
                        "7.5"),
                invalid(
                        "Invalid value for option '--from': 'NaN' must be a finite decimal"
                                + " number, e.g. -6 or 2.5",
                        "--from",
                        "NaN"),
                invalid(
                        "Invalid value for option '--to': '1e999' must be a finite decimal"
                                + " number, e.g. -6 or 2.5",
                        "--to",
                        "1e999"),
                invalid(
                        "Invalid range: --from -1e308 to --to 1e308 is wider than the largest"
                                + " double; narrow it",
                        "--from",
                        "-1e308",
                        "--to",
                        "1e308"),
                invalid(
                        "Invalid range: --from 5e-324 to --to 1e-323 is too narrow to draw; it"
                                + " must span at least 1e-9 of its largest magnitude, and at least"
                                + " 1e-300",
                        "--from",
                        "5e-324",
                        "--to",
                        "1e-323"),
                invalid(
                        "Invalid range: --from 1e15 to --to 1.0000000000000002e15 is too narrow to"
                                + " draw; it must span at least 1e-9 of its largest magnitude, and"
                                + " at least 1e-300",
                        "--from",
                        "1e15",
                        "--to",
                        "1.0000000000000002e15"),
                invalid(
                        "Invalid value for option '--samples': '1' must be an integer in [2,"
                                + " 1000000]",
                        "--samples",
                        "1"),
                invalid(
                        "Invalid value for option '--samples': '99999999999999999999' must be an"
                                + " integer in [2, 1000000]",
                        "--samples",
                        "99999999999999999999"),
                invalid(
                        "Invalid value for option '--height': '300' must be an integer in [400,"
                                + " 8000]",
                        "--height",
                        "300"),
                invalid(
                        "Expected parameter for option '--activation' but found"
                                + " '--kafka.sasl.jaas.config'",
                        "--activation",
                        "--kafka.sasl.jaas.config=password=secret"),
                // Named as the job names it, without the value (Kafka values may be secrets).
                invalid("Unknown option: '--kafka.acks'", "--kafka.acks=all"));
    }

    @ParameterizedTest
    @MethodSource("invalidPlots")
    void plotRejectsInvalidOptionsWithTwo(String message, List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.add("--output");
        all.add(dir.resolve("plot.png").toString());

        Run run = ReportFixtures.run(PlotCommand.commandLine(), all.toArray(new String[0]));

        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err).isEqualTo(ReportCommandTest.lines(message, HELP));
        assertThat(dir.resolve("plot.png")).doesNotExist();
    }

    @Test
    void plotOutputMustNameAFile() {
        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--output", "");

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Invalid value for option '--output': '' names no file; give a"
                                        + " .png file",
                                HELP));
    }

    /** The plot writes PNG whatever the name, so a name of another image format would lie. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "jpg", "jpeg", "JPG", "Jpeg", "svg", "gif", "bmp", "pdf", "webp", "tiff", "SVG"
            })
    void plotOutputNamedForAnotherImageFormatIsRefusedAtStart(String extension) {
        Path output = dir.resolve("chart." + extension);
        String message =
                "Invalid value for option '--output': '"
                        + output
                        + "' ends in ."
                        + extension
                        + ", but the plot writes PNG; name the file .png ("
                        + dir.resolve("chart.png")
                        + "), or give a name without an extension";

        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--output", output.toString());
        Run help =
                ReportFixtures.run(
                        PlotCommand.commandLine(), "--help", "--output", output.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err).isEqualTo(ReportCommandTest.lines(message, HELP));
        assertThat(output).doesNotExist();
        assertThat(help.status).isEqualTo(2);
        assertThat(help.err).isEqualTo(ReportCommandTest.lines(message, HELP));
    }

    /** The name as typed, not as a Path writes it back, which drops the slash. */
    @Test
    void plotOutputNamedForAnotherImageFormatIsEchoedAsTyped() {
        String output = dir + "/chart.jpg/";

        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--output", output);

        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Invalid value for option '--output': '"
                                        + dir
                                        + "/chart.jpg/' ends in .jpg, but the plot writes PNG;"
                                        + " name the file .png ("
                                        + dir
                                        + "/chart.png), or give a name without an extension",
                                HELP));
        assertThat(dir.resolve("chart.jpg")).doesNotExist();
    }

    @Test
    void plotOutputUnderAFileIsEchoedAsTyped() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder-either"), "x");
        String output = file + "//plot.png";

        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--output", output);

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Invalid value for option '--output': '"
                                        + file
                                        + "//plot.png' cannot be created: '"
                                        + file
                                        + "' is a file, not a folder",
                                HELP));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chart", "chart.png", "chart.PNG", "chart.Png", "chart.v2"})
    void plotOutputNamedPngOrWithoutAnImageExtensionIsWritten(String name) throws IOException {
        Path output = dir.resolve(name);

        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--output", output.toString());

        assertThat(run.status).as(run.err).isZero();
        assertThat(ReportFixtures.png(output).getWidth()).isEqualTo(1200);
    }

    @Test
    void plotOutputToTheStandardOutputIsAccepted() {
        // Checked as a run checks it, without writing the image into the test's output.
        Run run =
                ReportFixtures.run(PlotCommand.commandLine(), "--help", "--output", "/dev/stdout");

        assertThat(run.status).as(run.err).isZero();
        assertThat(run.err).isEmpty();
    }

    @Test
    void plotOutputUnderAFileIsRefusedAtStart() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path output = file.resolve("plot.png");

        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--output", output.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Invalid value for option '--output': '"
                                        + output
                                        + "' cannot be created: '"
                                        + file
                                        + "' is a file, not a folder",
                                HELP));
    }

    @Test
    void anExportThroughALinkedFolderToTheInputIsRefusedAndLeavesTheInputAsItWas()
            throws IOException {
        // The export replaces the file at its path, so a link to the input would be replaced,
        // but a linked folder leads to the input itself.
        Path folder = Files.createSymbolicLink(dir.resolve("linked-folder"), dir);
        Path link = folder.resolve(input.getFileName());
        byte[] before = Files.readAllBytes(input);

        Run run =
                ReportFixtures.run(
                        ReportCommand.commandLine(),
                        "--input",
                        input.toString(),
                        "--output-dir",
                        dir.resolve("linked").toString(),
                        "--export",
                        link.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                exportOverInput(link.toString(), "in-export.avro"), HELP));
        assertThat(Files.readAllBytes(input)).isEqualTo(before);
        assertThat(dir.resolve("linked")).doesNotExist();
    }

    @Test
    void anExportOverTheInputSuggestsAFileOtherThanTheInput() throws IOException {
        // The README's input is stats.avro: a suggestion of stats.avro would name it again.
        Path stats = Files.copy(input, dir.resolve("stats.avro"));

        Run run =
                ReportFixtures.run(
                        ReportCommand.commandLine(),
                        "--input",
                        stats.toString(),
                        "--output-dir",
                        dir.resolve("report").toString(),
                        "--export",
                        stats.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                exportOverInput(stats.toString(), "stats-export.avro"), HELP));
    }

    @Test
    void aFolderWhereTheReportWritesAnImageIsRefusedAtStart() throws IOException {
        // As the plot refuses an --output that is a folder: empty, it would be replaced by the
        // image; not empty, the image could not be written, after reading the whole input.
        for (String image : List.of("zero-fraction.png", "feature-heatmap.png")) {
            Path out = dir.resolve("taken-" + image);
            Path folder = Files.createDirectories(out.resolve(image));

            Run run =
                    ReportFixtures.run(
                            ReportCommand.commandLine(),
                            "--input",
                            input.toString(),
                            "--output-dir",
                            out.toString());

            assertThat(run.status).isEqualTo(2);
            assertThat(run.out).isEmpty();
            assertThat(run.err)
                    .isEqualTo(
                            ReportCommandTest.lines(
                                    "Invalid value for option '--output-dir': '"
                                            + folder
                                            + "' is a folder, where the report writes the image "
                                            + image,
                                    HELP));
            assertThat(folder).isDirectory();
            try (var files = Files.list(out)) {
                assertThat(files).containsExactly(folder);
            }
        }
    }

    @Test
    void plotOutputMustBeAPath() {
        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--output", "a\0b.png");

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Invalid value for option '--output': 'a\0b.png' is not a path:"
                                        + " Nul character not allowed",
                                HELP));
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        Run report = ReportFixtures.run(ReportCommand.commandLine(), "--help");
        Run plot = ReportFixtures.run(PlotCommand.commandLine(), "--help");

        assertThat(report.status).isZero();
        assertThat(report.out)
                .contains(
                        "--bootstrap-servers",
                        "--topic",
                        "Default: activation-stats.",
                        "--format",
                        "Default: avro-single-object.",
                        "--timeout",
                        "--input",
                        "--export",
                        "--output-dir",
                        "--group",
                        "--dead-threshold",
                        "Default: 1.0.",
                        "--width",
                        "Default: 1200.",
                        "--height",
                        "Default: 700.",
                        "--kafka.<property>=<value>");
        assertThat(plot.status).isZero();
        assertThat(plot.out)
                .contains(
                        "--activation",
                        "Default: relu.",
                        "--from",
                        "Default: -6.",
                        "--to",
                        "Default: 6.",
                        "--samples",
                        "Default: 1201.",
                        "--output",
                        "Default: activation.png.",
                        "--width",
                        "--height");
    }

    static Stream<Arguments> invalidWithHelp() {
        return Stream.of(
                invalid("Unknown option: '--widht'", "--help", "--widht", "800"),
                invalid("Unknown option: '--widht'", "--widht", "800", "--help"),
                invalid(
                        "Unexpected argument: 'stats.avro'; every argument is an option or an"
                                + " option's value",
                        "--help",
                        "stats.avro"),
                invalid(
                        "Invalid value for option '--width': '300' must be an integer in [400,"
                                + " 8000]",
                        "--help",
                        "--width",
                        "300"));
    }

    @ParameterizedTest
    @MethodSource("invalidWithHelp")
    void helpLetsNoInvalidOptionOfTheReportOrThePlotPass(String message, List<String> args) {
        for (picocli.CommandLine commandLine :
                List.of(ReportCommand.commandLine(), PlotCommand.commandLine())) {
            Run run = ReportFixtures.run(commandLine, args.toArray(new String[0]));

            assertThat(run.status).isEqualTo(2);
            assertThat(run.out).isEmpty();
            assertThat(run.err).isEqualTo(ReportCommandTest.lines(message, HELP));
        }
    }

    /**
     * With {@code --help}, the report refuses what it refuses without it, as the other commands do;
     * only a missing input is no mistake there.
     */
    @ParameterizedTest
    @MethodSource("invalidReports")
    void helpLetsNoInvalidReportPass(String message, List<String> args) {
        List<String> all = new ArrayList<>(List.of("--help"));
        all.addAll(args);
        Run run = ReportFixtures.run(ReportCommand.commandLine(), withInput(all));

        if (args.isEmpty()) {
            assertThat(run.status).isZero();
            assertThat(run.err).isEmpty();
            return;
        }
        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err)
                .isEqualTo(ReportCommandTest.lines(message.replace(FILE, input.toString()), HELP));
    }

    @Test
    void helpChecksTheKafkaPropertiesTogetherWithoutBootstrapServers() {
        Run run =
                ReportFixtures.run(
                        ReportCommand.commandLine(), "--help", "--kafka.enable.auto.commit=true");

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Invalid --kafka. options for the report's Kafka consumer:"
                                        + " enable.auto.commit cannot be set to true when default"
                                        + " group id (null) is used.",
                                HELP));
    }

    @Test
    void helpChecksWhatTheReportAndThePlotCheckThemselves() {
        Run report =
                ReportFixtures.run(
                        ReportCommand.commandLine(), "--help", "--kafka.isolation.level=x");
        Run plot = ReportFixtures.run(PlotCommand.commandLine(), "--help", "--activation", "gelu");

        assertThat(report.status).isEqualTo(2);
        assertThat(report.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Invalid value for option '--kafka.isolation.level': Invalid"
                                        + " value x for configuration isolation.level: String must"
                                        + " be one of: read_committed, read_uncommitted",
                                HELP));
        assertThat(plot.status).isEqualTo(2);
        assertThat(plot.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Invalid value for option '--activation': Unknown activation"
                                        + " 'gelu' in spec 'gelu'; allowed: relu, leaky_relu,"
                                        + " relu6, clipped_relu, thresholded_relu, maxout",
                                HELP));
    }

    @Test
    void aConsumerThatCannotBeMadeSaysWhy() {
        // SASL without a JAAS configuration: the consumer fails before it connects anywhere.
        Run run =
                ReportFixtures.run(
                        ReportCommand.commandLine(),
                        "--bootstrap-servers",
                        "localhost:1",
                        "--output-dir",
                        dir.toString(),
                        "--kafka.security.protocol=SASL_SSL");

        assertThat(run.status).isEqualTo(1);
        assertThat(run.err)
                .startsWith(
                        "Could not read topic 'activation-stats' from localhost:1: Failed to"
                                + " construct kafka consumer: ")
                .contains("Could not find a 'KafkaClient' entry in the JAAS configuration");
    }

    private static String[] withInput(List<String> args) {
        return args.stream().map(arg -> arg.replace(FILE, input.toString())).toArray(String[]::new);
    }

    private static Arguments invalid(String message, String... args) {
        return Arguments.of(message, List.of(args));
    }

    /** The refusal of an --export that names the --input file, suggesting {@code another}. */
    private static String exportOverInput(String export, String another) {
        return "Invalid value for option '--export': '"
                + export
                + "' is the file of --input, which the export would replace with its records in"
                + " this build's schema (without the fields of a newer one); export to another"
                + " file, e.g. "
                + another;
    }
}
