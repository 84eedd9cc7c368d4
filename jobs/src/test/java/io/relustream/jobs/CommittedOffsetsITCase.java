package io.relustream.jobs;

import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * How docker-compose's job goes on when the stack is started again ({@code --starting-offsets
 * committed}): the running job commits the offsets of its checkpoints to its consumer group, and a
 * new run starts from them.
 */
class CommittedOffsetsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T0 = 1_700_000_000_000L;

    private static EmbeddedKafka kafka;
    private static KafkaTopics topics;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        topics = new KafkaTopics(kafka.bootstrapServers());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    private static JobOptions options(JobTopics names, String group, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--parallelism",
                                "1",
                                "--group-id",
                                group,
                                "--starting-offsets",
                                "committed",
                                "--checkpoint-interval",
                                "100ms"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    private static Map<Integer, Long> committed(String group, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            Map<Integer, Long> byPartition = new TreeMap<>();
            offsets.forEach(
                    (partition, offset) -> {
                        if (partition.topic().equals(topic) && offset != null) {
                            byPartition.put(partition.partition(), offset.offset());
                        }
                    });
            return byPartition;
        }
    }

    /**
     * The offsets {@code group} has committed for {@code topic} once they are {@code expected}, or
     * after a minute, while {@code job} runs; then the job is cancelled.
     */
    private static Map<Integer, Long> committedWhileRunning(
            JobClient job, String group, String topic, Map<Integer, Long> expected)
            throws Exception {
        Map<Integer, Long> committed = Map.of();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!committed.equals(expected) && System.nanoTime() < deadline) {
                // Polled: the job commits every 100 ms or so, the deadline bounds the wait.
                Thread.sleep(200);
                committed = committed(group, topic);
            }
        } finally {
            KafkaJobRuns.cancelIfRunning(job);
        }
        return committed;
    }

    @Test
    void theRunningJobCommitsItsCheckpointedOffsetsAndANewRunGoesOnFromThem(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        String group = names.features + "-group";
        String t = names.features;
        topics.produce(
                List.of(
                        TestRecords.record(t, 0, TestRecords.vector("a", T0, "g", 1.0)),
                        TestRecords.record(t, 0, TestRecords.vector("b", T0 + 1_000, "g", 2.0)),
                        TestRecords.record(t, 1, TestRecords.vector("c", T0 + 2_000, "g", 3.0))));

        // The first run, unbounded as in docker-compose, until its checkpoints have committed
        // the offsets after the three records: 2 in partition 0, 1 in partition 1.
        JobClient job =
                KafkaJobRuns.start(
                        options(names, group), new Configuration(), "committing offsets");
        assertThat(committedWhileRunning(job, group, t, Map.of(0, 2L, 1, 1L)))
                .isEqualTo(Map.of(0, 2L, 1, 1L));

        // The stack started again: one more record, and a run from the committed offsets reads
        // it alone (bounded here, so that it ends).
        topics.produce(
                List.of(TestRecords.record(t, 0, TestRecords.vector("d", T0 + 3_000, "g", 4.0))));
        ActivationStatsJob.run(options(names, group, "--bounded"));

        List<String> ids =
                TestRecords.decodeAll(
                                topics.readAll(names.activations), ActivationVector::fromByteBuffer)
                        .stream()
                        .map(ActivationVector::getId)
                        .collect(Collectors.toList());
        assertThat(ids).containsExactlyInAnyOrder("a", "b", "c", "d");
    }

    /**
     * Without checkpoints ({@code --delivery-guarantee none}) the job commits no offsets: Flink's
     * Kafka source commits on checkpoints only, and turns Kafka's auto-commit off unless asked.
     */
    @Test
    void aRunWithoutCheckpointsCommitsNoOffsets(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        String group = names.features + "-group";
        String t = names.features;
        topics.produce(threeRecords(t));

        ActivationStatsJob.run(
                withoutCheckpoints(names, group, "--bounded", "--delivery-guarantee", "none"));

        assertThat(activationIds(names)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(committed(group, t)).isEmpty();
    }

    /**
     * Asked for, Kafka's auto-commit commits what the consumer has read, checkpoints or not: the
     * offsets after the three records, 2 in partition 0 and 1 in partition 1, with no checkpoint
     * taken at all.
     */
    @Test
    void kafkaAutoCommitCommitsTheOffsetsReadWithoutCheckpoints(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        String group = names.features + "-group";
        String t = names.features;
        topics.produce(threeRecords(t));

        JobClient job =
                KafkaJobRuns.start(
                        withoutCheckpoints(
                                names,
                                group,
                                "--delivery-guarantee",
                                "none",
                                "--kafka.enable.auto.commit=true",
                                "--kafka.auto.commit.interval.ms=100"),
                        new Configuration(),
                        "auto-commit");
        assertThat(committedWhileRunning(job, group, t, Map.of(0, 2L, 1, 1L)))
                .isEqualTo(Map.of(0, 2L, 1, 1L));
    }

    private static List<ProducerRecord<byte[], byte[]>> threeRecords(String topic) {
        return List.of(
                TestRecords.record(topic, 0, TestRecords.vector("a", T0, "g", 1.0)),
                TestRecords.record(topic, 0, TestRecords.vector("b", T0 + 1_000, "g", 2.0)),
                TestRecords.record(topic, 1, TestRecords.vector("c", T0 + 2_000, "g", 3.0)));
    }

    private static JobOptions withoutCheckpoints(JobTopics names, String group, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--parallelism",
                                "1",
                                "--group-id",
                                group,
                                "--starting-offsets",
                                "earliest"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    private static List<String> activationIds(JobTopics names) throws Exception {
        return TestRecords.decodeAll(
                        topics.readAll(names.activations), ActivationVector::fromByteBuffer)
                .stream()
                .map(ActivationVector::getId)
                .collect(Collectors.toList());
    }

    /**
     * The README's example: 10 s windows of 40 records, offsets committed 25 s in. A new run from
     * the committed offsets alone has none of the window state: [20 s, 30 s), open at the commit,
     * is reported with the 20 records after it, not the 40 it holds.
     */
    @Test
    void aRunFromTheCommittedOffsetsAloneReportsAnOpenWindowWithoutTheRecordsReadBefore(
            TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String group = names.features + "-group";
        String t = names.features;
        // 4 records a second from T0 (a multiple of 10 s): 40 in each 10 s window.
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            records.add(
                    TestRecords.record(t, 0, TestRecords.vector("r" + i, T0 + 250L * i, "g", 1)));
        }
        topics.produce(records.subList(0, 100));
        String[] exact = {"--out-of-orderness", "0s", "--watermark-interval", "0s"};

        JobClient job =
                KafkaJobRuns.start(options(names, group, exact), new Configuration(), "25 s");
        assertThat(committedWhileRunning(job, group, t, Map.of(0, 100L)))
                .isEqualTo(Map.of(0, 100L));

        topics.produce(records.subList(100, 160));
        List<String> args = new ArrayList<>(List.of(exact));
        args.add("--bounded");
        ActivationStatsJob.run(options(names, group, args.toArray(new String[0])));

        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(
                        tuple(0L, 40L),
                        tuple(10_000L, 40L),
                        tuple(20_000L, 20L),
                        tuple(30_000L, 40L));
    }
}
