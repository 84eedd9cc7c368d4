package io.relustream.jobs.generator;

import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The generator on its own against a real broker. */
class GeneratorCommandITCase {

    @Test
    void producesTheRequestedRecordsToAnyBroker() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "generated");
            int status =
                    GeneratorCommand.commandLine()
                            .execute(
                                    "--bootstrap-servers", kafka.bootstrapServers(),
                                    "--topic", "generated",
                                    "--rate", "1000",
                                    "--count", "120",
                                    "--groups", "4",
                                    "--dimensions", "32",
                                    "--dead-share", "0.125");
            assertThat(status).isZero();

            List<FeatureVector> vectors = new ArrayList<>();
            Map<String, Object> config =
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                            ConsumerConfig.GROUP_ID_CONFIG, "check",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(
                            config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("generated"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (vectors.size() < 120 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> record :
                            consumer.poll(Duration.ofMillis(200))) {
                        vectors.add(FeatureVector.fromByteBuffer(ByteBuffer.wrap(record.value())));
                    }
                }
            }
            assertThat(vectors).hasSize(120);
            assertThat(vectors).allMatch(v -> v.getValues().size() == 32);
            assertThat(vectors.stream().map(FeatureVector::getGroup).distinct())
                    .containsExactlyInAnyOrder("layer-0", "layer-1", "layer-2", "layer-3");
            // 12.5% of 32 features are dead: 0 to 3 are negative in every record.
            assertThat(vectors)
                    .allMatch(v -> v.getValues().subList(0, 4).stream().allMatch(x -> x < 0));
        }
    }

    @Test
    void producesWithAMaxRequestSizeAtTheFloorItTakes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "floor");
            // 287 bytes: the widest record of 16 values in 3 groups (see FeatureGeneratorTest).
            Run run =
                    generate(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--topic",
                            "floor",
                            "--count",
                            "3",
                            "--kafka.max.request.size=287");

            assertThat(run.status).as(run.stderr).isZero();
            assertThat(run.stderr).isEqualToNormalizingNewlines("Produced 3 records to floor\n");
        }
    }

    @Test
    void countsOneRecordInTheSingular() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "one");

            Run run =
                    generate(
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--topic", "one",
                            "--count", "1");

            assertThat(run.status).as(run.stderr).isZero();
            assertThat(run.stderr).isEqualToNormalizingNewlines("Produced 1 record to one\n");
        }
    }

    @Test
    void writesEitherWireFormatKeyedByTheIdAndStampedWithTheEventTime() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(4, "single-object", "plain");
            for (String format : List.of("avro-single-object", "avro")) {
                String topic = format.equals("avro") ? "plain" : "single-object";
                // No disorder, so only the late records (an hour behind) lag the clock; no
                // recovery within the run, so the seed alone decides the NaN and the late ones.
                int status =
                        GeneratorCommand.commandLine()
                                .execute(
                                        "--bootstrap-servers", kafka.bootstrapServers(),
                                        "--topic", topic,
                                        "--format", format,
                                        "--rate", "5000",
                                        "--count", "5000",
                                        "--groups", "3",
                                        "--dimensions", "16",
                                        "--dead-share", "0.25",
                                        "--recover-after", "1h",
                                        "--nan-share", "0.01",
                                        "--out-of-order", "0s",
                                        "--late-share", "0.01",
                                        "--late-by", "1h",
                                        "--seed", "42");
                assertThat(status).isZero();

                List<ConsumerRecord<byte[], byte[]>> records = consume(kafka, topic, 5000);
                assertThat(records).hasSize(5000);
                // Avro's own decoders: the message decoder checks the single-object header.
                BinaryMessageDecoder<FeatureVector> messages =
                        new BinaryMessageDecoder<>(
                                new SpecificData(), FeatureVector.getClassSchema());
                SpecificDatumReader<FeatureVector> plain =
                        new SpecificDatumReader<>(FeatureVector.getClassSchema());
                List<FeatureVector> vectors = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    FeatureVector vector =
                            format.equals("avro")
                                    ? plain.read(
                                            null,
                                            DecoderFactory.get()
                                                    .binaryDecoder(record.value(), null))
                                    : messages.decode(record.value());
                    assertThat(new String(record.key(), StandardCharsets.UTF_8))
                            .isEqualTo(vector.getId());
                    assertThat(record.timestamp()).isEqualTo(vector.getEventTime().toEpochMilli());
                    vectors.add(vector);
                }
                vectors.sort(Comparator.comparingLong(v -> Long.parseLong(v.getId().substring(2))));
                long newest =
                        vectors.stream()
                                .mapToLong(v -> v.getEventTime().toEpochMilli())
                                .max()
                                .orElseThrow();
                int withNaN = 0;
                int late = 0;
                for (int i = 0; i < vectors.size(); i++) {
                    FeatureVector vector = vectors.get(i);
                    assertThat(vector.getId()).isEqualTo("f-" + i);
                    assertThat(vector.getGroup()).isEqualTo("layer-" + i % 3);
                    List<Double> values = vector.getValues();
                    assertThat(values).hasSize(16);
                    // A quarter of 16 features dead: 0 to 3 below 0 (ReLU zeroes them), never NaN.
                    assertThat(values.subList(0, 4)).allMatch(x -> x < 0);
                    long nans = values.stream().filter(x -> x.isNaN()).count();
                    assertThat(nans).isLessThanOrEqualTo(1);
                    withNaN += (int) nans;
                    long behind = newest - vector.getEventTime().toEpochMilli();
                    if (behind >= Duration.ofHours(1).toMillis()) {
                        late++;
                    } else {
                        // The run takes about a second: nothing else is anywhere near an hour.
                        assertThat(behind).isLessThan(Duration.ofMinutes(10).toMillis());
                    }
                }
                // Seed 42 in either format: 55 of 5,000 hold one NaN and 47 are late (1% each,
                // expected 50, counted from these records).
                assertThat(withNaN).isEqualTo(55);
                assertThat(late).isEqualTo(47);
            }
        }
    }

    @Test
    void failsNamingTheRecordsTheBrokerRefused() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTinyTopic(kafka);
            Run run =
                    generate(
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--topic", "tiny",
                            "--count", "3");

            assertThat(run.status).isOne();
            // The first refusal as it comes, then the count.
            assertThat(run.stderr)
                    .matches(
                            "Record f-[0-9] could not be produced to tiny: "
                                    + Pattern.quote(TOO_LARGE + GOING_ON)
                                    + "\\R3 of 3 records could not be produced to tiny: "
                                    + Pattern.quote(TOO_LARGE)
                                    + "\\R");
        }
    }

    @Test
    void countsOneRefusedRecordOfOneInTheSingular() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTinyTopic(kafka);
            Run run =
                    generate(
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--topic", "tiny",
                            "--count", "1");

            assertThat(run.status).isOne();
            assertThat(run.stderr)
                    .isEqualTo(
                            "Record f-0 could not be produced to tiny: "
                                    + TOO_LARGE
                                    + GOING_ON
                                    + System.lineSeparator()
                                    + "1 of 1 record could not be produced to tiny: "
                                    + TOO_LARGE
                                    + System.lineSeparator());
        }
    }

    /**
     * Run until stopped (--count 0, as docker compose runs it), in a JVM of its own: the first
     * record the broker refuses is reported at once, and the generator goes on producing, as
     * Kafka's console producer and perf-test tool do.
     */
    @Test
    void reportsTheFirstRefusedRecordAtOnceWhenRunUntilStopped(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTinyTopic(kafka);
            Path err = dir.resolve("err.txt");
            Process generator =
                    generatorProcess(
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--topic",
                                    "tiny")
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(err.toFile())
                            .start();
            String firstLine = "";
            try {
                // A bound for a broken run only: the report comes with the first refusal.
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (generator.isAlive()
                        && !firstLine.endsWith(System.lineSeparator())
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    firstLine =
                            Files.readString(err)
                                    .lines()
                                    .findFirst()
                                    .map(l -> l + System.lineSeparator())
                                    .orElse("");
                }
                assertThat(generator.isAlive()).as("still producing").isTrue();
                generator.destroy();
                assertThat(generator.waitFor(5, TimeUnit.MINUTES)).as("ended").isTrue();
            } finally {
                if (generator.isAlive()) {
                    generator.destroyForcibly();
                }
            }

            String printed = Files.readString(err);
            assertThat(firstLine)
                    .as(printed)
                    .matches(
                            "Record f-[0-9]+ could not be produced to tiny: "
                                    + Pattern.quote(TOO_LARGE)
                                    + Pattern.quote(GOING_ON)
                                    + "\\R");
            // Every record was refused, and the count says so when it stops.
            Matcher counted =
                    Pattern.compile("([0-9]+) of ([0-9]+) records could not be produced to tiny: ")
                            .matcher(printed);
            assertThat(counted.find()).as(printed).isTrue();
            assertThat(counted.group(1)).isEqualTo(counted.group(2));
            assertThat(printed).doesNotContain("Produced");
        }
    }

    @Test
    void passesTheKafkaPropertiesToItsProducer() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(8, "partitioned");
            // Keyed by their ids, the records would spread over the partitions; this producer's
            // partitioner puts every one in the last.
            Run run =
                    generate(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--topic",
                            "partitioned",
                            "--count",
                            "5",
                            "--kafka.partitioner.class=" + LastPartition.class.getName());

            assertThat(run.status).as(run.stderr).isZero();
            assertThat(consume(kafka, "partitioned", 5))
                    .extracting(ConsumerRecord::partition)
                    .containsExactly(7, 7, 7, 7, 7);
        }
    }

    /**
     * A partitioner that refuses every record at run time with an IllegalArgumentException, as one
     * may for a key it cannot place: a failure of producing, not of an option the generator read.
     */
    public static final class RefusingPartitioner implements Partitioner {
        @Override
        public int partition(
                String topic,
                Object key,
                byte[] keyBytes,
                Object value,
                byte[] valueBytes,
                Cluster cluster) {
            throw new IllegalArgumentException("no partition for this record");
        }

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }

    @Test
    void aFailureOfProducingIsNoBadOption() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "refused");

            Run run =
                    generate(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--topic",
                            "refused",
                            "--count",
                            "3",
                            "--kafka.partitioner.class=" + RefusingPartitioner.class.getName());

            // Status 1 as for the broker's refusals, without the pointer to the options.
            assertThat(run.status).as(run.stderr).isEqualTo(1);
            assertThat(run.stderr)
                    .isEqualToNormalizingNewlines(
                            "Could not produce to refused: no partition for this record\n");
        }
    }

    /** A partitioner that puts every record in the topic's last partition. */
    public static final class LastPartition implements Partitioner {
        @Override
        public int partition(
                String topic,
                Object key,
                byte[] keyBytes,
                Object value,
                byte[] valueBytes,
                Cluster cluster) {
            return cluster.partitionCountForTopic(topic) - 1;
        }

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }

    @Test
    void producesWithABufferMemoryAtTheFloorItTakes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "floor");
            // A batch of batch.size (16384), or without batching (0) one record: 287 bytes at
            // the widest (see FeatureGeneratorTest).
            for (String batch : List.of("--kafka.batch.size=16384", "--kafka.batch.size=0")) {
                String memory = batch.endsWith("=0") ? "287" : "16384";
                Run run =
                        generate(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--topic",
                                "floor",
                                "--count",
                                "3",
                                batch,
                                "--kafka.buffer.memory=" + memory);

                assertThat(run.status).as(run.stderr).isZero();
                assertThat(run.stderr)
                        .isEqualToNormalizingNewlines("Produced 3 records to floor\n");
            }
        }
    }

    @Test
    void checksKafkaWithTheKafkaProperties() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "secured");
            // The broker speaks plain text: a client told to use TLS cannot talk to it.
            Run run =
                    generate(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--topic",
                            "secured",
                            "--count",
                            "1",
                            "--connect-timeout",
                            "2s",
                            "--kafka.security.protocol=SSL");

            assertThat(run.status).isOne();
            // TLS to a plain-text listener: the client never gets an answer it can read.
            assertThat(run.stderr)
                    .startsWith(
                            "Could not reach Kafka at --bootstrap-servers '"
                                    + kafka.bootstrapServers()
                                    + "' within 2s (")
                    .endsWith(
                            "); check the option and that the brokers are up, or raise"
                                    + " --connect-timeout"
                                    + System.lineSeparator())
                    .doesNotContain("Produced");
        }
    }

    @Test
    void aBrokerThatRefusesTheAuthenticationIsNamedWithTheSecurityOptions() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "secured");
            // The broker's listener takes no SASL: it refuses the handshake at once, and waiting
            // longer would not change that.
            Run run =
                    generate(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--topic",
                            "secured",
                            "--count",
                            "1",
                            "--kafka.security.protocol=SASL_PLAINTEXT",
                            "--kafka.sasl.mechanism=PLAIN",
                            "--kafka.sasl.jaas.config="
                                    + "org.apache.kafka.common.security.plain.PlainLoginModule"
                                    + " required username=\"user\" password=\"secret\";");

            assertThat(run.status).isOne();
            assertThat(run.stderr)
                    .isEqualToNormalizingNewlines(
                            "Kafka at --bootstrap-servers '"
                                    + kafka.bootstrapServers()
                                    + "' refused to authenticate the generator (Unexpected"
                                    + " handshake request with client mechanism PLAIN, enabled"
                                    + " mechanisms are []); check the --kafka. security options"
                                    + " (security.protocol, sasl.mechanism, sasl.jaas.config,"
                                    + " ssl.*) against the brokers' listener\n");
        }
    }

    @Test
    void aClientThatCannotBeMadeSaysWhy(@TempDir Path dir) {
        // A truststore that is not there: the admin client of the check cannot be made. Nothing
        // was waited for, so a longer --connect-timeout would not help.
        Path missing = dir.resolve("missing.jks");
        Run run =
                generate(
                        "--bootstrap-servers",
                        "localhost:1",
                        "--count",
                        "1",
                        "--kafka.security.protocol=SSL",
                        "--kafka.ssl.truststore.location=" + missing);

        assertThat(run.status).isOne();
        assertThat(run.stderr)
                .isEqualToNormalizingNewlines(
                        "Could not connect to Kafka at --bootstrap-servers 'localhost:1': Failed"
                                + " to create new NetworkClient: Failed to load SSL keystore "
                                + missing
                                + " of type JKS; check the option and the --kafka. options\n");
    }

    @Test
    void failsAtStartNamingTheBootstrapServersNoBrokerAnswersAt() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Run run =
                generate(
                        "--bootstrap-servers", "localhost:" + port,
                        "--connect-timeout", "1s",
                        "--count", "1");

        assertThat(run.status).isOne();
        assertThat(run.stderr)
                .startsWith(
                        "Could not reach Kafka at --bootstrap-servers 'localhost:"
                                + port
                                + "' within 1s (")
                .endsWith(
                        "); check the option and that the brokers are up, or raise"
                                + " --connect-timeout"
                                + System.lineSeparator())
                .doesNotContain("could not be produced");
    }

    /**
     * Class names are left to the producer, which loads them as it is made, after the check of
     * Kafka; it runs here, so a class it cannot use is a bad option like any other.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--kafka.partitioner.class=java.lang.String | class java.lang.String is not an"
                        + " instance of org.apache.kafka.clients.producer.Partitioner",
                "--kafka.interceptor.classes=no.such.Interceptor | Class no.such.Interceptor"
                        + " cannot be found",
                "--kafka.partitioner.class=NoSuchPartitioner | Invalid value NoSuchPartitioner for"
                        + " configuration partitioner.class: Class NoSuchPartitioner could not be"
                        + " found.",
            })
    void aProducerClassItCannotUseIsABadOption(String option, String why) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "features");
            StringWriter err = new StringWriter();
            CommandLine command = GeneratorCommand.commandLine();
            command.setErr(new PrintWriter(err, true));

            int status =
                    command.execute(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--count",
                            "2",
                            option);

            assertThat(status).isEqualTo(2);
            assertThat(err.toString())
                    .isEqualToNormalizingNewlines(
                            "Invalid --kafka. options for the generator's Kafka producer: "
                                    + why
                                    + "; the classes they name must be on the generator's class"
                                    + " path, of the kind their property takes\n"
                                    + "Use --help to see every option.\n");
            TopicPartition partition = new TopicPartition("features", 0);
            try (Admin admin = kafka.admin()) {
                // Nothing was produced.
                assertThat(
                                admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                                        .partitionResult(partition)
                                        .get()
                                        .offset())
                        .isZero();
            }
        }
    }

    @Test
    void failsAtStartNamingATopicTheClusterDoesNotCreateOnFirstUse() throws Exception {
        // No topic created on first use, as the compose file's broker and many production
        // clusters have it.
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"))) {
            StringWriter err = new StringWriter();
            CommandLine command = GeneratorCommand.commandLine();
            command.setErr(new PrintWriter(err, true));

            int status =
                    command.execute(
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--topic", "missing",
                            "--connect-timeout", "1s",
                            "--count", "2");

            assertThat(status).isEqualTo(2);
            // As the job's input topic: looked for until --connect-timeout has passed.
            assertThat(err.toString())
                    .startsWith(
                            "Invalid value for option '--topic': 'missing' is not a topic of the"
                                    + " Kafka cluster at --bootstrap-servers '"
                                    + kafka.bootstrapServers()
                                    + "' (looked for during 1s, --connect-timeout), which does"
                                    + " not create topics on first use"
                                    + " (auto.create.topics.enable=false); create it first"
                                    + System.lineSeparator());
        }
    }

    @Test
    void aTopicCreatedWhileTheCheckLooksForItPassesTheCheck() throws Exception {
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"))) {
            AtomicInteger toldMissing = new AtomicInteger();

            // Created just after the generator started (by an init script, say): the check is
            // told the topic is missing, the topic appears, and a later look finds it, as the
            // job's check of its input topic does.
            GeneratorCommand.checkKafka(
                    kafka.bootstrapServers(),
                    "later",
                    Duration.ofMinutes(5),
                    Map.of(),
                    () -> {
                        toldMissing.incrementAndGet();
                        try {
                            kafka.createTopics(1, "later");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });

            assertThat(toldMissing).hasValue(1);
        }
    }

    @Test
    void theLongestConnectTimeoutStillFindsTheTopic() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "features");

            // About 292 million years: more nanoseconds than a long holds.
            assertThatCode(
                            () ->
                                    GeneratorCommand.checkKafka(
                                            kafka.bootstrapServers(),
                                            "features",
                                            Duration.ofMillis(Long.MAX_VALUE),
                                            Map.of(),
                                            () -> {}))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void producesToATopicTheClusterCreatesOnFirstUse() throws Exception {
        // EmbeddedKafka's node keeps Kafka's default, auto.create.topics.enable=true.
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Run run =
                    generate(
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--topic", "created",
                            "--count", "5");

            assertThat(run.status).as(run.stderr).isZero();
            assertThat(run.stderr).contains("Produced 5 records to created");
            try (Admin admin = kafka.admin()) {
                // The broker's default for a topic created on first use: one partition.
                TopicPartition partition = new TopicPartition("created", 0);
                assertThat(
                                admin.describeTopics(List.of("created"))
                                        .allTopicNames()
                                        .get()
                                        .get("created")
                                        .partitions())
                        .hasSize(1);
                assertThat(
                                admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                                        .partitionResult(partition)
                                        .get()
                                        .offset())
                        .isEqualTo(5);
            }
        }
    }

    /**
     * SIGTERM (Ctrl-C alike) in a JVM of its own: the JVM ends when its shutdown hooks return, so
     * the generator must send what it handed to the producer before that.
     */
    @Test
    void aSignalStopsItOnceTheRecordsProducedAreSent(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "stopped");
            Path err = dir.resolve("err.txt");
            Process generator =
                    generatorProcess(
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--topic",
                                    "stopped",
                                    "--rate",
                                    "2000")
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(err.toFile())
                            .start();
            TopicPartition partition = new TopicPartition("stopped", 0);
            try {
                // Running once a record has arrived; bounds for a broken run only.
                try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                Map.of(
                                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        kafka.bootstrapServers()),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer())) {
                    consumer.assign(List.of(partition));
                    consumer.seekToBeginning(List.of(partition));
                    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                    while (consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                        assertThat(System.nanoTime())
                                .as(Files.readString(err))
                                .isLessThan(deadline);
                    }
                }
                generator.destroy();
                assertThat(generator.waitFor(5, TimeUnit.MINUTES)).as("ended").isTrue();
            } finally {
                if (generator.isAlive()) {
                    generator.destroyForcibly();
                }
            }

            String printed = Files.readString(err);
            // 128 + 15: the JVM's status after SIGTERM.
            assertThat(generator.exitValue()).as(printed).isEqualTo(143);
            Matcher produced =
                    Pattern.compile("Produced (\\d+) (records?) to stopped").matcher(printed);
            assertThat(produced.find()).as(printed).isTrue();
            // Whichever count the signal found, its noun agrees with it.
            assertThat(produced.group(2))
                    .isEqualTo(produced.group(1).equals("1") ? "record" : "records");
            try (Admin admin = kafka.admin()) {
                long end =
                        admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                                .partitionResult(partition)
                                .get()
                                .offset();
                assertThat(end).isEqualTo(Long.parseLong(produced.group(1)));
            }
        }
    }

    /** What the broker says of a record larger than the topic's max.message.bytes. */
    private static final String TOO_LARGE =
            "The request included a message larger than the max message size the server will"
                    + " accept.";

    /** What the generator adds to the first refusal of a kind. */
    private static final String GOING_ON =
            "; going on (a refusal for another reason is reported too; how many records could"
                    + " not be produced follows when the generator stops, with status 1)";

    /** A topic that every generated record (16 doubles, over 100 bytes) is too large for. */
    private static void createTinyTopic(EmbeddedKafka kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(
                            List.of(
                                    new NewTopic("tiny", 1, (short) 1)
                                            .configs(Map.of("max.message.bytes", "100"))))
                    .all()
                    .get();
        }
    }

    /** The records of {@code topic}, from the start, once {@code expected} are there. */
    private static List<ConsumerRecord<byte[], byte[]>> consume(
            EmbeddedKafka kafka, String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, Object> config =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "check-" + topic,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The generator's exit status and what it printed on stderr, where it reports. */
    private record Run(int status, String stderr) {}

    private static Run generate(String... args) {
        PrintStream systemErr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            int status = GeneratorCommand.commandLine().execute(args);
            return new Run(status, printed.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(systemErr);
        }
    }

    /** The generator's main in a JVM of its own, with {@code args}. */
    private static ProcessBuilder generatorProcess(String... args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                "-Dlog4j2.configurationFile=log4j2-local.properties",
                                GeneratorCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }
}
