package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.report.ReportFixtures.Run;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.relustream.jobs.report.ReportFixtures.BLUE;
import static io.relustream.jobs.report.ReportFixtures.DEAD;
import static io.relustream.jobs.report.ReportFixtures.GREEN;
import static io.relustream.jobs.report.ReportFixtures.ORANGE;
import static io.relustream.jobs.report.ReportFixtures.pixel;
import static io.relustream.jobs.report.ReportFixtures.png;
import static org.assertj.core.api.Assertions.assertThat;

/** The report reading the stats topic of a real broker. */
class ReportCommandITCase {

    private static EmbeddedKafka kafka;

    @TempDir Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void drawsAndExportsTheStatsTopicUpToItsEnd() throws Exception {
        kafka.createTopics(1, "activation-stats");
        List<ActivationStats> records = ReportFixtures.threeGroups();
        produce("activation-stats", records);
        Path export = dir.resolve("stats.avro");

        Run run =
                report(
                        "--bootstrap-servers", kafka.bootstrapServers(),
                        "--output-dir", dir.toString(),
                        "--export", export.toString());

        assertThat(run.status).as(run.err).isZero();
        assertThat(run.err).isEmpty();
        assertThat(run.out)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Read 19 ActivationStats record(s) from topic 'activation-stats'"
                                        + " on "
                                        + kafka.bootstrapServers()
                                        + ".",
                                "Exported them to " + export + ".",
                                "1 re-fired window(s) superseded by the record read later.",
                                "Wrote " + dir.resolve("zero-fraction.png") + " (1200x700).",
                                "Wrote " + dir.resolve("feature-heatmap.png") + " (1200x700)."));
        assertThat(ReportFixtures.readFile(export)).isEqualTo(records);

        BufferedImage chart = png(dir.resolve("zero-fraction.png"));
        assertThat(chart.getWidth()).isEqualTo(1200);
        assertThat(chart.getHeight()).isEqualTo(700);
        // The first window end at x 98, the last at 966; 0 at y 622, 1 at 90.
        assertThat(pixel(chart, 98, 622 - 0.1 * 532)).isEqualTo(BLUE);
        assertThat(pixel(chart, 966, 622 - 0.6 * 532)).isEqualTo(BLUE);
        assertThat(pixel(chart, 98 + 2 * 868 / 5.0, 622 - 0.8 * 532)).isEqualTo(ORANGE);
        assertThat(pixel(chart, 966, 622 - 0.25 * 532)).isEqualTo(GREEN);
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        assertThat(heatmap.getWidth()).isEqualTo(1200);
        assertThat(heatmap.getHeight()).isEqualTo(700);
        // layer-0's feature 1 in the first window: column 84..241.7, row 98 + 39.5..79.
        assertThat(pixel(heatmap, 84 + 946 / 12.0, 98 + 1.5 * 39.5)).isEqualTo(DEAD);
    }

    @Test
    void skipsRecordsThatAreNotStatisticsAndReadsPlainAvro() throws Exception {
        kafka.createTopics(2, "plain-stats");
        List<ActivationStats> records = ReportFixtures.threeGroups();
        // Plain Avro binary: the records without the single-object header.
        List<byte[]> payloads = new ArrayList<>();
        for (ActivationStats record : records) {
            ByteBuffer single = record.toByteBuffer();
            byte[] body = new byte[single.remaining() - 10];
            single.position(single.position() + 10);
            single.get(body);
            payloads.add(body);
        }
        payloads.add(1, new byte[0]);
        send("plain-stats", payloads);

        Run run =
                report(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        "plain-stats",
                        "--format",
                        "avro",
                        "--kafka.client.id",
                        "report-test",
                        "--kafka.max.poll.records=3",
                        "--output-dir",
                        dir.toString());

        assertThat(run.status).as(run.err).isZero();
        // Every record was sent to partition 0: the empty one is at offset 1.
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Skipped 1 record(s) that are not ActivationStats in avro format;"
                                        + " the first, partition 0, offset 1: payload is empty (0"
                                        + " bytes), not an ActivationStats record in avro format"));
        assertThat(run.out)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Read 19 ActivationStats record(s) from topic 'plain-stats' on "
                                        + kafka.bootstrapServers()
                                        + ".",
                                "1 re-fired window(s) superseded by the record read later.",
                                "Wrote " + dir.resolve("zero-fraction.png") + " (1200x700).",
                                "Wrote " + dir.resolve("feature-heatmap.png") + " (1200x700)."));
        assertThat(pixel(png(dir.resolve("zero-fraction.png")), 966, 622 - 0.6 * 532))
                .isEqualTo(BLUE);
    }

    @Test
    void anEmptyTopicIsNothingToPlot() throws Exception {
        kafka.createTopics(3, "empty-stats");

        Run run =
                report(
                        "--bootstrap-servers", kafka.bootstrapServers(),
                        "--topic", "empty-stats",
                        "--output-dir", dir.toString(),
                        "--export", dir.resolve("stats.avro").toString());

        assertThat(run.status).as(run.err).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Nothing to plot: topic 'empty-stats' on "
                                        + kafka.bootstrapServers()
                                        + " holds no ActivationStats records."));
        assertThat(dir.resolve("stats.avro")).doesNotExist();
        assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
        assertThat(dir.resolve("feature-heatmap.png")).doesNotExist();
    }

    @Test
    void aTimeoutTooLongForNanosecondsNeverRunsOut() throws Exception {
        kafka.createTopics(1, "empty-stats-no-timeout");

        // 2,562,048 hours are more nanoseconds than a long holds (2^63 ns is 2,562,047.8 h).
        Run run =
                report(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        "empty-stats-no-timeout",
                        "--timeout",
                        "2562048h",
                        "--output-dir",
                        dir.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Nothing to plot: topic 'empty-stats-no-timeout' on "
                                        + kafka.bootstrapServers()
                                        + " holds no ActivationStats records."));
    }

    @Test
    void aMissingTopicFailsWithOneAndNeverCreatesIt() throws Exception {
        Run run =
                report(
                        "--bootstrap-servers", kafka.bootstrapServers(),
                        "--topic", "no-such-topic",
                        "--output-dir", dir.toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(run.err)
                .isEqualTo(
                        ReportCommandTest.lines(
                                "Topic 'no-such-topic' does not exist on "
                                        + kafka.bootstrapServers()
                                        + "; the job writes its statistics to --stats-topic"
                                        + " (activation-stats by default)"));
        try (var admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain("no-such-topic");
        }
    }

    /**
     * The README: the report reads "up to the end offsets it finds at start (no consumer group,
     * {@code read_committed})", as an exactly-once job's statistics need: windows of an aborted
     * transaction are not drawn, and one still open neither is nor holds the report up.
     */
    @Test
    void readsCommittedRecordsOnlyAndStopsBeforeAnOpenTransaction() throws Exception {
        String topic = "transactional-stats";
        kafka.createTopics(1, topic);
        ActivationStats committed = ReportFixtures.stats("committed", 0, 0.5, 0.0, 1.0);
        ActivationStats aborted = ReportFixtures.stats("aborted", 0, 0.25, 0.0, 0.5);
        ActivationStats open = ReportFixtures.stats("open", 0, 0.75, 1.0, 0.5);
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        "report-test-transactions");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(singleObject(topic, committed));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(singleObject(topic, aborted));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(singleObject(topic, open)).get();

            Run run =
                    report(
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--topic", topic,
                            "--timeout", "20s",
                            "--output-dir", dir.toString(),
                            "--export", dir.resolve("stats.avro").toString());

            assertThat(run.status).as(run.err).isZero();
            assertThat(run.err).isEmpty();
            assertThat(run.out)
                    .isEqualTo(
                            ReportCommandTest.lines(
                                    "Read 1 ActivationStats record(s) from topic '"
                                            + topic
                                            + "' on "
                                            + kafka.bootstrapServers()
                                            + ".",
                                    "Exported them to " + dir.resolve("stats.avro") + ".",
                                    "Wrote " + dir.resolve("zero-fraction.png") + " (1200x700).",
                                    "Wrote "
                                            + dir.resolve("feature-heatmap.png")
                                            + " (1200x700)."));
            assertThat(ReportFixtures.readFile(dir.resolve("stats.avro")))
                    .containsExactly(committed);
            producer.abortTransaction();
        }
    }

    private static ProducerRecord<byte[], byte[]> singleObject(String topic, ActivationStats record)
            throws Exception {
        ByteBuffer buffer = record.toByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new ProducerRecord<>(
                topic, 0, record.getGroup().getBytes(StandardCharsets.UTF_8), bytes);
    }

    /**
     * The README: {@code --timeout} is how long finding the topic and reading it may take, "or the
     * report exits with status 1"; brokers that do not answer are not waited for longer.
     */
    @Test
    void brokersThatDoNotAnswerWithinTheTimeoutFailWithOne() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String brokers = "localhost:" + closed;
        long start = System.nanoTime();
        Run run =
                report(
                        "--bootstrap-servers",
                        brokers,
                        "--timeout",
                        "2s",
                        "--output-dir",
                        dir.toString());
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(run.status).as(run.err).isEqualTo(1);
        assertThat(run.err)
                .startsWith(
                        "Could not reach Kafka at "
                                + brokers
                                + " within 2s to find topic 'activation-stats' (")
                .endsWith(
                        "); check --bootstrap-servers or raise --timeout" + System.lineSeparator())
                .doesNotContain("\tat ");
        // The 2 s, and no default of Kafka's clients (60 s for metadata) on top.
        assertThat(tookMillis).isBetween(2_000L, 20_000L);
        assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
    }

    private static Run report(String... args) {
        return ReportFixtures.run(ReportCommand.commandLine(), args);
    }

    /** Single-object encoded by Avro's own encoder, keyed by group as the job writes them. */
    private static void produce(String topic, List<ActivationStats> records) throws Exception {
        List<byte[]> payloads = new ArrayList<>();
        for (ActivationStats record : records) {
            ByteBuffer buffer = record.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            payloads.add(bytes);
        }
        send(topic, payloads);
    }

    private static void send(String topic, List<byte[]> payloads) throws Exception {
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] payload : payloads) {
                // One partition for every record, so that the order is the order sent.
                producer.send(
                                new ProducerRecord<>(
                                        topic, 0, "k".getBytes(StandardCharsets.UTF_8), payload))
                        .get();
            }
        }
    }
}
