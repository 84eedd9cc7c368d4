package io.relustream.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job jar as {@code flink run} gets it: runs after packaging (Maven's integration-test phase),
 * on the jar itself.
 */
class ShadedJarTest {

    private static Path jar;
    private static List<String> entries;

    @BeforeAll
    static void openJar() throws IOException {
        jar = Path.of(System.getProperty("job.jar", "target/relu-stream-jobs-0.1.0-SNAPSHOT.jar"));
        assertThat(jar).exists();
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = file.stream().map(e -> e.getName()).collect(Collectors.toList());
        }
        System.out.printf(
                "Job jar %s: %,d bytes, %,d entries%n",
                jar.getFileName(), Files.size(jar), entries.size());
    }

    @Test
    void namesTheJobAsItsMainClass() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.relustream.jobs.ActivationStatsJob");
        }
    }

    @Test
    void bundlesWhatTheFlinkDistributionDoesNotHave() {
        assertThat(entries)
                .contains(
                        "io/relustream/jobs/ActivationStatsJob.class",
                        "io/relustream/jobs/generator/GeneratorCommand.class",
                        "io/relustream/activation/Activations.class",
                        "io/relustream/avro/FeatureVector.class",
                        "io/relustream/avro/history/index.properties",
                        "io/relustream/avro/history/FeatureVector/v1.avsc",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/flink/formats/avro/typeutils/AvroTypeInfo.class",
                        "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                        "org/apache/avro/Schema.class",
                        "org/apache/datasketches/kll/KllDoublesSketch.class",
                        "picocli/CommandLine.class",
                        "io/relustream/jobs/sql/SqlZeroFractionJob.class",
                        "sql/zero-fraction.sql",
                        "io/relustream/sql/ReluFunction.class",
                        "io/relustream/sql/ActivationStatsFunction.class",
                        "org/apache/flink/streaming/connectors/kafka/table/KafkaDynamicTableFactory.class",
                        "org/apache/flink/formats/avro/AvroFormatFactory.class");
    }

    @Test
    void listsTheTableFactoriesOfTheKafkaConnectorAndTheAvroFormat() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            String factories =
                    new String(
                            file.getInputStream(
                                            file.getEntry(
                                                    "META-INF/services/"
                                                        + "org.apache.flink.table.factories.Factory"))
                                    .readAllBytes(),
                            StandardCharsets.UTF_8);
            assertThat(factories)
                    .contains(
                            "org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory",
                            "org.apache.flink.formats.avro.AvroFormatFactory");
        }
    }

    @Test
    void leavesOutFlinkLoggingScalaTheBrokerAndTheLauncher() {
        List<String> forbidden =
                List.of(
                        "org/apache/flink/api/common/",
                        "org/apache/flink/runtime/",
                        "org/apache/flink/streaming/api/",
                        "org/apache/flink/configuration/",
                        "org/apache/flink/connector/base/",
                        // The Table API, planner, table runtime and JSON format are in the
                        // distribution's lib/.
                        "org/apache/flink/table/api/",
                        "org/apache/flink/table/functions/",
                        "org/apache/flink/table/planner/",
                        "org/apache/flink/table/runtime/",
                        "org/apache/flink/table/types/",
                        "org/apache/flink/formats/json/",
                        "org/apache/calcite/",
                        "org/slf4j/",
                        "org/apache/logging/",
                        "org/apache/log4j/",
                        "ch/qos/logback/",
                        "scala/",
                        // The broker: its Scala core (kafka-clients keeps only a version file
                        // under kafka/) and the Java modules beside kafka-clients.
                        "kafka/server/",
                        "kafka/log/",
                        "kafka/cluster/",
                        "kafka/network/",
                        "org/apache/kafka/common/test/",
                        "org/apache/kafka/network/",
                        "org/apache/kafka/raft/",
                        "org/apache/kafka/controller/",
                        "org/apache/kafka/metadata/",
                        "org/apache/kafka/storage/",
                        "org/apache/kafka/coordinator/",
                        "org/apache/kafka/server/log/",
                        "org/apache/kafka/config/",
                        "org/junit/",
                        "io/relustream/jobs/local/",
                        "log4j2-local.properties",
                        "log4j2.properties",
                        "module-info.class");
        List<String> found =
                entries.stream()
                        .filter(entry -> forbidden.stream().anyMatch(entry::startsWith))
                        .collect(Collectors.toList());
        assertThat(found).isEmpty();
        assertThat(entries).noneMatch(e -> e.startsWith("kafka/") && e.endsWith(".class"));
        assertThat(entries).noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
    }

    @Test
    void entryPointRejectsBadOptionsBeforeStartingAnything() throws Exception {
        Result result = runJar("--bootstrap-servers", "localhost:9092", "--window", "10x");
        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr)
                .contains(
                        "Invalid value for option '--window': '10x' is not a duration; use a whole"
                                + " number and a unit: 500ms, 10s, 5m, 2h")
                .contains("Use --help to see every option.");
    }

    @Test
    void entryPointPrintsHelp() throws Exception {
        Result result = runJar("--help");
        assertThat(result.exitCode).isZero();
        assertThat(result.stdout).contains("--bootstrap-servers", "--activation", "Default: relu.");
    }

    @Test
    void sqlEntryPointPrintsHelpAndRejectsBadOptions() throws Exception {
        String sqlJob = "io.relustream.jobs.sql.SqlZeroFractionJob";
        Result help = runMain(sqlJob, "--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.stdout)
                .contains("--bootstrap-servers", "--window", "Default: 10s.", "--bounded");

        Result bad = runMain(sqlJob, "--bootstrap-servers", "localhost:9092", "--window", "10x");
        assertThat(bad.exitCode).isEqualTo(2);
        assertThat(bad.stderr)
                .contains(
                        "Invalid value for option '--window': '10x' is not a duration; use a whole"
                                + " number and a unit: 500ms, 10s, 5m, 2h");
    }

    private static final class Result {
        final int exitCode;
        final String stdout;
        final String stderr;

        Result(int exitCode, String stdout, String stderr) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }

    /** The job's main class from the jar beside Flink's own jars only, as on a Flink cluster. */
    private static Result runJar(String... args) throws Exception {
        return runMain("io.relustream.jobs.ActivationStatsJob", args);
    }

    /** A main class from the jar beside Flink's own jars only, as on a Flink cluster. */
    private static Result runMain(String mainClass, String... args) throws Exception {
        String flinkJars =
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(
                                path ->
                                        path.contains("/org/apache/flink/flink-")
                                                && !path.contains("flink-connector-kafka")
                                                && !path.contains("flink-avro"))
                        .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(jar.toAbsolutePath() + File.pathSeparator + flinkJars);
        command.add(mainClass);
        command.addAll(List.of(args));
        Path out = Files.createTempFile("job-out", ".txt");
        Path err = Files.createTempFile("job-err", ".txt");
        try {
            Process process =
                    new ProcessBuilder(command)
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile())
                            .start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
