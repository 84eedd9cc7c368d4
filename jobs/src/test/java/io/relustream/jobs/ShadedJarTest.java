package io.relustream.jobs;

import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
        jar = Path.of(System.getProperty("job.jar", "target/relu-stream-jobs.jar"));
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
            // Flink's PackagedProgram (flink run) reads program-class before Main-Class.
            assertThat(file.getManifest().getMainAttributes().getValue("program-class"))
                    .isEqualTo("io.relustream.jobs.ActivationStatsJob");
            // java -jar: the job when Flink is there, its help when it is not.
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.relustream.jobs.JobJarMain");
        }
    }

    @Test
    void isMultiReleaseAsTheLibrariesItBundles() throws IOException {
        // jackson-core and datasketches-memory ship classes for Java 11 and later under
        // META-INF/versions; without the attribute the JVM reads only their Java 8 versions.
        assertThat(entries).anyMatch(name -> name.startsWith("META-INF/versions/11/"));
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.isMultiRelease()).isTrue();
        }
    }

    @Test
    void bundlesWhatTheFlinkDistributionDoesNotHave() {
        assertThat(entries)
                .contains(
                        "io/relustream/jobs/ActivationStatsJob.class",
                        "io/relustream/jobs/generator/GeneratorCommand.class",
                        "io/relustream/jobs/report/ReportCommand.class",
                        "io/relustream/jobs/report/PlotCommand.class",
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
                        "io/relustream/jobs/sql/FeatureVectorFunctions$DeadLetterBytes.class",
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
        // Of Flink's own classes only what the distribution does not have: the Kafka connector
        // (with its table factory) and the Avro format. Anything else of Flink in the jar, under
        // whichever package (util, core, metrics, shaded, ...), would shadow the cluster's.
        List<String> flinkAllowed =
                List.of(
                        "org/apache/flink/connector/kafka/",
                        "org/apache/flink/streaming/connectors/kafka/",
                        "org/apache/flink/streaming/util/serialization/",
                        "org/apache/flink/formats/avro/");
        assertThat(
                        entries.stream()
                                .filter(
                                        e ->
                                                e.startsWith("org/apache/flink/")
                                                        && e.endsWith(".class"))
                                .filter(e -> flinkAllowed.stream().noneMatch(e::startsWith))
                                .collect(Collectors.toList()))
                .isEmpty();
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
    void entryPointRejectsABadVectorApiSwitchBeforeStartingAnything() throws Exception {
        Result result =
                runJar(
                        List.of("-Drelustream.simd=fast"),
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--bounded");
        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.stderr)
                .contains("Invalid system property relustream.simd=fast: must be true or false");
    }

    @Test
    void entryPointRejectsABadKafkaPropertyBeforeStartingAnything() throws Exception {
        Result result =
                runJar("--bootstrap-servers", "localhost:9092", "--kafka.acks=banana", "--bounded");
        assertThat(result.exitCode).as(result.stderr).isEqualTo(2);
        assertThat(result.stderr)
                .contains(
                        "Invalid value for option '--kafka.acks': Invalid value banana for"
                                + " configuration acks: String must be one of: all, -1, 0, 1");
    }

    @Test
    void entryPointPrintsHelp() throws Exception {
        Result result = runJar("--help");
        assertThat(result.exitCode).isZero();
        assertThat(result.stdout).contains("--bootstrap-servers", "--activation", "Default: relu.");
    }

    @Test
    void plainJavaJarPrintsTheHelpAndPointsAnythingElseToFlink() throws Exception {
        // `java -jar` puts the jar alone on the class path: no Flink, no slf4j. The job's help
        // needs neither; running it needs Flink, and the message says where to get it.
        Result help = javaJar("--help");
        assertThat(help.exitCode).as(help.stderr).isZero();
        assertThat(help.stdout).isEqualTo(JobOptions.usage());
        assertThat(help.stderr).isEmpty();
        assertThat(javaJar("-h").stdout).isEqualTo(JobOptions.usage());
        // --help added to a whole command line: its --kafka. values are left to flink run (they
        // need slf4j), and the help is printed as without them.
        Result helpWithKafka =
                javaJar(
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--kafka.security.protocol=SASL_SSL",
                        "--kafka.sasl.mechanism",
                        "PLAIN",
                        "--help");
        assertThat(helpWithKafka.exitCode).as(helpWithKafka.stderr).isZero();
        assertThat(helpWithKafka.stdout).isEqualTo(JobOptions.usage());
        assertThat(helpWithKafka.stderr).isEmpty();
        assertThat(javaJar("-h", "--kafka.acks=all").stdout).isEqualTo(JobOptions.usage());
        // A checkpoint interval that only the --kafka. transaction timeout allows: the command
        // line is valid, with the help and without.
        String[] longCheckpoints = {
            "--bootstrap-servers",
            "localhost:9092",
            "--delivery-guarantee",
            "exactly-once",
            "--checkpoint-interval",
            "20m",
            "--kafka.transaction.timeout.ms=3600000"
        };
        Result longCheckpointsRun = javaJar(longCheckpoints);
        assertThat(longCheckpointsRun.exitCode).as(longCheckpointsRun.stderr).isEqualTo(1);
        assertThat(longCheckpointsRun.stderr)
                .startsWith(
                        "relu-stream-jobs.jar is a Flink job and Flink is not on the class path");
        List<String> longCheckpointsHelp = new ArrayList<>(List.of(longCheckpoints));
        longCheckpointsHelp.add("--help");
        Result longCheckpointsHelpRun = javaJar(longCheckpointsHelp.toArray(new String[0]));
        assertThat(longCheckpointsHelpRun.exitCode).as(longCheckpointsHelpRun.stderr).isZero();
        assertThat(longCheckpointsHelpRun.stdout).isEqualTo(JobOptions.usage());

        Result run = javaJar("--bootstrap-servers", "localhost:9092");
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.stdout).isEmpty();
        assertThat(run.stderr)
                .isEqualTo(
                        "relu-stream-jobs.jar is a Flink job and Flink is not on the class path:"
                                + " submit it with `flink run relu-stream-jobs.jar"
                                + " --bootstrap-servers <host:port> ...` (--help lists the"
                                + " options)\n");
    }

    @Test
    void plainJavaJarRefusesBadOptionsAsTheJobDoes() throws Exception {
        // Neither Flink nor slf4j is needed to read the options: a bad one exits 2 with the job's
        // one-line message, --help or not, before the pointer to flink run.
        String useHelp = "Use --help to see every option.\n";
        Result helpAndBad = javaJar("--help", "--window", "0s");
        assertThat(helpAndBad.exitCode).as(helpAndBad.stderr).isEqualTo(2);
        assertThat(helpAndBad.stdout).isEmpty();
        assertThat(helpAndBad.stderr)
                .isEqualTo("Invalid value for option '--window': '0s' must be > 0\n" + useHelp);

        Result bad = javaJar("--bootstrap-servers", "localhost:9092", "--window", "10x");
        assertThat(bad.exitCode).as(bad.stderr).isEqualTo(2);
        assertThat(bad.stderr)
                .isEqualTo(
                        "Invalid value for option '--window': '10x' is not a duration; use a whole"
                                + " number and a unit: 500ms, 10s, 5m, 2h\n"
                                + useHelp);

        Result unknown = javaJar("--version");
        assertThat(unknown.exitCode).as(unknown.stderr).isEqualTo(2);
        assertThat(unknown.stderr).isEqualTo("Unknown option: '--version'\n" + useHelp);

        Result missing = javaJar("--window", "5s");
        assertThat(missing.exitCode).as(missing.stderr).isEqualTo(2);
        assertThat(missing.stderr)
                .startsWith("Missing required option '--bootstrap-servers'")
                .endsWith(useHelp);

        // --kafka. values are Kafka's clients' to check, which need slf4j: left to flink run.
        Result kafka = javaJar("--bootstrap-servers", "localhost:9092", "--kafka.acks=banana");
        assertThat(kafka.exitCode).as(kafka.stderr).isEqualTo(1);
        assertThat(kafka.stderr)
                .startsWith(
                        "relu-stream-jobs.jar is a Flink job and Flink is not on the class path");
        // A bad option beside them is still refused.
        Result kafkaAndBad = javaJar("--help", "--kafka.acks=all", "--window", "0s");
        assertThat(kafkaAndBad.exitCode).as(kafkaAndBad.stderr).isEqualTo(2);
        assertThat(kafkaAndBad.stdout).isEmpty();
        assertThat(kafkaAndBad.stderr)
                .isEqualTo("Invalid value for option '--window': '0s' must be > 0\n" + useHelp);
    }

    @Test
    void plainJavaJarLeavesTheWriterSchemasToFlinkRunAndChecksTheOtherOptions() throws Exception {
        // Avro reads the schemas, and logs through slf4j, which the jar leaves to Flink: read
        // here, the first --writer-schemas ended in a NoClassDefFoundError and its stack trace.
        Path schema = Files.createTempFile("FeatureVector-v2", ".avsc");
        try {
            try (var in =
                    ShadedJarTest.class.getResourceAsStream("/evolution/FeatureVector-v2.avsc")) {
                Files.write(schema, in.readAllBytes());
            }
            Result run =
                    javaJar(
                            "--bootstrap-servers",
                            "localhost:9092",
                            "--writer-schemas",
                            schema.toString());
            assertThat(run.exitCode).as(run.stderr).isEqualTo(1);
            assertThat(run.stdout).isEmpty();
            assertThat(run.stderr)
                    .isEqualTo(
                            "relu-stream-jobs.jar is a Flink job and Flink is not on the class"
                                    + " path: submit it with `flink run relu-stream-jobs.jar"
                                    + " --bootstrap-servers <host:port> ...` (--help lists the"
                                    + " options)\n");
            Result help = javaJar("--writer-schemas=" + schema, "--kafka.acks=all", "--help");
            assertThat(help.exitCode).as(help.stderr).isZero();
            assertThat(help.stdout).isEqualTo(JobOptions.usage());
            assertThat(help.stderr).isEmpty();
            // The options after it are still read, and checked against each other.
            Result bad =
                    javaJar(
                            "--bootstrap-servers",
                            "localhost:9092",
                            "--writer-schemas",
                            schema.toString(),
                            "--window",
                            "5s",
                            "--slide",
                            "10s");
            assertThat(bad.exitCode).as(bad.stderr).isEqualTo(2);
            assertThat(bad.stderr)
                    .isEqualTo(
                            "Invalid value for option '--slide': '10s' must be shorter than"
                                    + " --window (5s); leave --slide out for tumbling windows\n"
                                    + "Use --help to see every option.\n");
        } finally {
            Files.deleteIfExists(schema);
        }
    }

    @Test
    void plotRunsFromTheJarAlone() throws Exception {
        Path png = Files.createTempFile("relu", ".png");
        try {
            Result result =
                    run(
                            jar.toAbsolutePath().toString(),
                            "io.relustream.jobs.report.PlotCommand",
                            "--activation",
                            "relu6",
                            "--output",
                            png.toString());
            assertThat(result.exitCode).as(result.stderr).isZero();
            assertThat(result.stdout).isEqualTo("Wrote " + png + " (1200x700): relu6.\n");
            assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
        } finally {
            Files.deleteIfExists(png);
        }
    }

    @Test
    void reportRunsFromTheJarWithSlf4j() throws Exception {
        // Avro and the Kafka client log through slf4j, which the jar leaves to Flink.
        String slf4j =
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(path -> path.matches(".*/slf4j-api-[0-9.]+\\.jar"))
                        .findFirst()
                        .orElseThrow();
        Path dir = Files.createTempDirectory("report");
        try {
            Result result =
                    run(
                            jar.toAbsolutePath() + File.pathSeparator + slf4j,
                            "io.relustream.jobs.report.ReportCommand",
                            "--input",
                            dir.resolve("missing.avro").toString(),
                            "--output-dir",
                            dir.toString());
            assertThat(result.exitCode).isEqualTo(2);
            assertThat(result.stderr)
                    .startsWith("Invalid value for option '--input': '")
                    .contains("missing.avro' does not exist");
            // A file of one window's statistics: read with Avro (no trusted-packages property
            // given) and drawn off screen.
            Path stats = dir.resolve("stats.avro");
            try (DataFileWriter<ActivationStats> writer =
                    new DataFileWriter<>(new SpecificDatumWriter<>(ActivationStats.class))) {
                writer.create(ActivationStats.getClassSchema(), stats.toFile());
                writer.append(
                        ActivationStats.newBuilder()
                                .setGroup("layer-0")
                                .setWindowStart(Instant.parse("2025-03-01T10:00:00Z"))
                                .setWindowEnd(Instant.parse("2025-03-01T10:00:10Z"))
                                .setActivation("relu")
                                .setRecordCount(10)
                                .setValueCount(20)
                                .setZeroCount(15)
                                .setZeroFraction(0.75)
                                .setNanCount(0)
                                .setPosInfCount(0)
                                .setNegInfCount(0)
                                .setPerFeatureZeroFraction(List.of(1.0, 0.5))
                                .setDeadFeatures(List.of(0))
                                .build());
            }
            result =
                    run(
                            jar.toAbsolutePath() + File.pathSeparator + slf4j,
                            "io.relustream.jobs.report.ReportCommand",
                            "--input",
                            stats.toString(),
                            "--output-dir",
                            dir.toString());
            assertThat(result.exitCode).as(result.stderr).isZero();
            assertThat(result.stdout)
                    .startsWith("Read 1 ActivationStats record(s) from file " + stats + ".");
            assertThat(Files.readAllBytes(dir.resolve("zero-fraction.png")))
                    .startsWith(0x89, 'P', 'N', 'G');
            assertThat(Files.readAllBytes(dir.resolve("feature-heatmap.png")))
                    .startsWith(0x89, 'P', 'N', 'G');
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.collect(Collectors.toList())) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void generatorRunsFromTheJarBesideFlinksLib() throws Exception {
        // The class path of the README and docker-compose.yml: the jar and Flink's lib/, whose
        // SLF4J the Kafka client logs through. A broker that does not answer ends the check.
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Result result =
                runMain(
                        "io.relustream.jobs.generator.GeneratorCommand",
                        "--bootstrap-servers",
                        "localhost:" + port,
                        "--connect-timeout",
                        "1s");
        assertThat(result.exitCode).as(result.stderr).isEqualTo(1);
        assertThat(result.stderr)
                .contains("Could not reach Kafka at --bootstrap-servers 'localhost:" + port + "'")
                .doesNotContain("Exception");
    }

    @Test
    void generatorPrintsHelpAndRejectsBadOptionsFromTheJarAlone() throws Exception {
        // No slf4j: Kafka's client classes, which need it, are not touched before Kafka is.
        String generator = "io.relustream.jobs.generator.GeneratorCommand";
        Result help = run(jar.toAbsolutePath().toString(), generator, "--help");
        assertThat(help.exitCode).as(help.stderr).isZero();
        assertThat(help.stdout).contains("--bootstrap-servers", "--kafka.<property>=<value>");
        assertThat(help.stderr).isEmpty();

        Result bad =
                run(
                        jar.toAbsolutePath().toString(),
                        generator,
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--late-share",
                        "1");
        assertThat(bad.exitCode).isEqualTo(2);
        assertThat(bad.stderr)
                .isEqualTo(
                        "Invalid value for option '--late-share': '1' must be below 1: when every"
                                + " record is late by the same time, none is late\n"
                                + "Use --help to see every option.\n");
    }

    @Test
    void generatorFromTheJarAloneSaysWhatItNeedsForKafka() throws Exception {
        // Checking --kafka. properties, or reaching Kafka, loads the Kafka client, which logs
        // through slf4j: one line saying what to add, not a NoClassDefFoundError's trace.
        String generator = "io.relustream.jobs.generator.GeneratorCommand";
        String expected =
                "The generator needs slf4j-api on the class path for the Kafka client, which"
                        + " logs through it and which the job jar leaves to Flink: run it beside"
                        + " Flink's lib/, e.g. java -cp \"relu-stream-jobs.jar:$FLINK_HOME/lib/*\" "
                        + generator
                        + " ...\n";
        for (List<String> args :
                List.of(
                        List.of("--help", "--kafka.acks=all"),
                        List.of("--bootstrap-servers", "localhost:1", "--connect-timeout", "1s"))) {
            Result result =
                    run(jar.toAbsolutePath().toString(), generator, args.toArray(String[]::new));
            assertThat(result.exitCode).as(result.stderr).isEqualTo(1);
            assertThat(result.stderr).as(args.toString()).isEqualTo(expected);
        }
    }

    @Test
    void sqlEntryPointPrintsHelpAndRejectsBadOptions() throws Exception {
        String sqlJob = "io.relustream.jobs.sql.SqlZeroFractionJob";
        Result help = runMain(sqlJob, "--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.stdout)
                .contains(
                        "--bootstrap-servers",
                        "--window",
                        "Default: 10s.",
                        "--bounded",
                        "--dlq-topic",
                        "zero-fraction-dead-letters.");

        Result bad = runMain(sqlJob, "--bootstrap-servers", "localhost:9092", "--window", "10x");
        assertThat(bad.exitCode).isEqualTo(2);
        assertThat(bad.stderr)
                .contains(
                        "Invalid value for option '--window': '10x' is not a duration; use a whole"
                                + " number and a unit: 500ms, 10s, 5m, 2h");
    }

    @Test
    void jobRunsFromTheJarOnAFlinkClusterAndAccountsForEveryRecord() throws Exception {
        // The other checks stop before a job starts: this one runs it from the jar, with its
        // Kafka connector, Kafka client and Avro loaded from the jar as a cluster loads them.
        long t0 = 1_700_000_000_000L; // a multiple of 10 s: the three records share one window
        byte[] bad = {1, 2, 3};
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            JobTopics names = JobTopics.create(kafka, "from-the-jar", 1);
            KafkaTopics topics = new KafkaTopics(kafka.bootstrapServers());
            topics.produce(
                    List.of(
                            TestRecords.record(
                                    names.features, 0, TestRecords.vector("a", t0, "g", -1.0, 2.0)),
                            new ProducerRecord<>(names.features, 0, null, bad),
                            TestRecords.record(
                                    names.features,
                                    0,
                                    TestRecords.vector("b", t0 + 1_000, "g", 3.0, -4.0)),
                            TestRecords.record(
                                    names.features,
                                    0,
                                    TestRecords.vector("c", t0 + 2_000, "g", 0.0, 5.0))));
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    jar.toAbsolutePath().toString(),
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--bounded",
                                    "--parallelism",
                                    "1",
                                    "--window",
                                    "10s"));
            args.addAll(names.args());

            Result result =
                    run(
                            List.of(
                                    "--add-modules=jdk.incubator.vector",
                                    "-Dorg.apache.avro.SERIALIZABLE_PACKAGES="
                                            + System.getProperty(
                                                    "org.apache.avro.SERIALIZABLE_PACKAGES")),
                            flinkClusterClassPath(),
                            JobJarOnMiniCluster.class.getName(),
                            args.toArray(new String[0]));

            assertThat(result.exitCode).as(result.stdout + result.stderr).isZero();
            assertThat(result.stdout).contains("Main class: io.relustream.jobs.ActivationStatsJob");
            // relu by hand, max(0, z) value by value.
            Map<String, List<Double>> activations = new java.util.TreeMap<>();
            TestRecords.decodeAll(
                            topics.readAll(names.activations), ActivationVector::fromByteBuffer)
                    .forEach(a -> activations.put(a.getId(), a.getActivations()));
            assertThat(activations)
                    .containsOnly(
                            Map.entry("a", List.of(0.0, 2.0)),
                            Map.entry("b", List.of(3.0, 0.0)),
                            Map.entry("c", List.of(0.0, 5.0)));
            List<DeadLetter> letters =
                    TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
            assertThat(letters).hasSize(1);
            assertThat(letters.get(0).getOffset()).isEqualTo(1L);
            assertThat(letters.get(0).getPayload()).isEqualTo(ByteBuffer.wrap(bad));
            assertThat(letters.get(0).getReason())
                    .isEqualTo(
                            "payload does not start with the Avro single-object marker C3 01"
                                    + " (found 01 02): it is not a FeatureVector record in"
                                    + " avro-single-object format");
            // One window of group g: 3 records, 6 values, of which -1, -4 and 0 give zeros.
            List<ActivationStats> stats =
                    TestRecords.decodeAll(
                            topics.readAll(names.stats), ActivationStats::fromByteBuffer);
            assertThat(stats).hasSize(1);
            ActivationStats window = stats.get(0);
            assertThat(window.getGroup()).isEqualTo("g");
            assertThat(window.getWindowStart().toEpochMilli()).isEqualTo(t0);
            assertThat(window.getWindowEnd().toEpochMilli()).isEqualTo(t0 + 10_000);
            assertThat(window.getRecordCount()).isEqualTo(3);
            assertThat(window.getValueCount()).isEqualTo(6);
            assertThat(window.getZeroCount()).isEqualTo(3);
            assertThat(window.getZeroFraction()).isEqualTo(0.5);
        }
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

    /** {@code java -jar} on the job jar, with no other class path and no JVM options. */
    private static Result javaJar(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        command.addAll(List.of(args));
        return execute(command, Duration.ofSeconds(60));
    }

    /** The job's main class from the jar beside Flink's own jars only, as on a Flink cluster. */
    private static Result runJar(String... args) throws Exception {
        return runJar(List.of(), args);
    }

    private static Result runJar(List<String> jvmOptions, String... args) throws Exception {
        return run(jvmOptions, flinkClassPath(), "io.relustream.jobs.ActivationStatsJob", args);
    }

    /** A main class from the jar beside Flink's own jars only, as on a Flink cluster. */
    private static Result runMain(String mainClass, String... args) throws Exception {
        return run(List.of(), flinkClassPath(), mainClass, args);
    }

    /**
     * The jar and Flink's own jars, without the ones the jar bundles, plus the SLF4J API, which
     * every Flink distribution has in its lib/.
     */
    private static String flinkClassPath() {
        String flinkJars =
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(
                                path ->
                                        (path.contains("/org/apache/flink/flink-")
                                                        && !path.contains("flink-connector-kafka")
                                                        && !path.contains("flink-avro"))
                                                || path.contains("/org/slf4j/slf4j-api/"))
                        .collect(Collectors.joining(File.pathSeparator));
        return jar.toAbsolutePath() + File.pathSeparator + flinkJars;
    }

    /**
     * The class path of a Flink process running the jar: this JVM's without what the jar bundles
     * (the Kafka connector and clients, Avro and its Flink format, the project's own classes), so
     * that those come from the jar alone; the test classes stay, for {@link JobJarOnMiniCluster}.
     */
    private static String flinkClusterClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(
                        path ->
                                !path.contains("/org/apache/kafka/")
                                        && !path.contains("/org/apache/avro/")
                                        && !path.contains("flink-connector-kafka")
                                        && !path.contains("flink-avro")
                                        && !path.contains("/io/relustream/")
                                        // The modules' classes or jars in a reactor build.
                                        && !path.endsWith("/target/classes")
                                        && !Path.of(path)
                                                .getFileName()
                                                .toString()
                                                .startsWith("relu-stream-"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** A main class of the jar on a class path of its own, with no JVM options. */
    private static Result run(String classPath, String mainClass, String... args) throws Exception {
        return run(List.of(), classPath, mainClass, args);
    }

    /** A main class on a class path of its own, with only the given JVM options. */
    private static Result run(
            List<String> jvmOptions, String classPath, String mainClass, String... args)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(List.of(args));
        return execute(command, Duration.ofSeconds(180));
    }

    /** Runs {@code command} to its end, which must come within {@code timeout}. */
    private static Result execute(List<String> command, Duration timeout) throws Exception {
        Path out = Files.createTempFile("job-out", ".txt");
        Path err = Files.createTempFile("job-err", ".txt");
        try {
            Process process =
                    new ProcessBuilder(command)
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile())
                            .start();
            assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
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
