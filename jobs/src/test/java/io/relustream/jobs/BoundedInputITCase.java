package io.relustream.jobs;

import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.relustream.jobs.KafkaJobRuns.cancelIfRunning;
import static io.relustream.jobs.KafkaJobRuns.restoringFrom;
import static io.relustream.jobs.KafkaJobRuns.start;
import static io.relustream.jobs.KafkaJobRuns.stopWithSavepoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** {@code --bounded} runs over partitions of every shape, from every starting point. */
class BoundedInputITCase {

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

    private static JobTopics names(TestInfo test, int partitions) throws Exception {
        return JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), partitions);
    }

    private static JobOptions options(JobTopics names, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--group-id",
                                names.features + "-group",
                                "--out-of-orderness",
                                "0s"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    /** Runs a bounded job to its end; one that has not ended within a minute fails the test. */
    private static void runToEnd(JobOptions options, Configuration base) throws Exception {
        KafkaJobRuns.runToEnd(options, base, "bounded", Duration.ofSeconds(60));
    }

    private static List<String> activationIds(JobTopics names) {
        return TestRecords.decodeAll(
                        topics.readAll(names.activations), ActivationVector::fromByteBuffer)
                .stream()
                .map(v -> v.getId())
                .sorted()
                .collect(java.util.stream.Collectors.toList());
    }

    private static List<ActivationStats> stats(JobTopics names) {
        return TestRecords.decodeAll(topics.readAll(names.stats), ActivationStats::fromByteBuffer);
    }

    private static ProducerRecord<byte[], byte[]> rec(
            String topic, int partition, String id, long offsetMillis) {
        return TestRecords.record(
                topic, partition, TestRecords.vector(id, T0 + offsetMillis, "g", 1, -1));
    }

    @Test
    void endsAfterPartitionsThatAreEmptyHoldAnAbortedTransactionOrEndInAMarker(TestInfo test)
            throws Exception {
        JobTopics names = names(test, 5);
        String t = names.features;
        // Partition 1 is empty, 4 holds bad bytes only.
        topics.produce(
                List.of(
                        rec(t, 0, "p0-a", 1_000),
                        rec(t, 0, "p0-b", 12_000),
                        new ProducerRecord<>(t, 4, null, new byte[] {1, 2, 3})));
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        t + "-upstream");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(rec(t, 2, "p2-aborted", 2_000));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(rec(t, 3, "p3-a", 3_000));
            producer.send(rec(t, 3, "p3-b", 25_000));
            producer.commitTransaction();
        }
        runToEnd(options(names, "--bounded", "--parallelism", "2"), new Configuration());

        // Nothing of the aborted transaction; the end of the input closes the last windows.
        assertThat(activationIds(names)).containsExactly("p0-a", "p0-b", "p3-a", "p3-b");
        assertThat(TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer))
                .extracting(DeadLetter::getPartition, DeadLetter::getOffset)
                .containsExactly(tuple(4, 0L));
        assertThat(stats(names))
                .extracting(s -> s.getWindowStart().toEpochMilli() - T0, s -> s.getRecordCount())
                .containsExactlyInAnyOrder(tuple(0L, 2L), tuple(10_000L, 1L), tuple(20_000L, 1L));
    }

    @Test
    void startingAtTheLatestOffsetsEndsAtOnceWithNothingRead(TestInfo test) throws Exception {
        JobTopics names = names(test, 2);
        topics.produce(List.of(rec(names.features, 0, "a", 1_000)));
        runToEnd(options(names, "--bounded", "--starting-offsets", "latest"), new Configuration());
        assertThat(activationIds(names)).isEmpty();
        assertThat(stats(names)).isEmpty();
    }

    @Test
    void startingAtTheCommittedOffsetsReadsFromThemToTheEnd(TestInfo test) throws Exception {
        JobTopics names = names(test, 2);
        String t = names.features;
        topics.produce(
                List.of(rec(t, 0, "a", 1_000), rec(t, 0, "b", 2_000), rec(t, 1, "c", 3_000)));
        // Partition 1 starts at its end.
        try (Admin admin = kafka.admin()) {
            admin.alterConsumerGroupOffsets(
                            names.features + "-group",
                            Map.of(
                                    new TopicPartition(t, 0),
                                    new OffsetAndMetadata(1),
                                    new TopicPartition(t, 1),
                                    new OffsetAndMetadata(1)))
                    .all()
                    .get();
        }
        runToEnd(
                options(names, "--bounded", "--starting-offsets", "committed"),
                new Configuration());
        assertThat(activationIds(names)).containsExactly("b");
        assertThat(stats(names))
                .extracting(s -> s.getWindowStart().toEpochMilli() - T0, s -> s.getRecordCount())
                .containsExactly(tuple(0L, 1L));
    }

    @Test
    void aCommittedOffsetBelowTheLogStartStartsAtTheEarliestRecordKept(TestInfo test)
            throws Exception {
        JobTopics names = names(test, 1);
        topics.produce(
                List.of(
                        rec(names.features, 0, "a", 1_000),
                        rec(names.features, 0, "b", 2_000),
                        rec(names.features, 0, "c", 3_000)));
        try (Admin admin = kafka.admin()) {
            admin.alterConsumerGroupOffsets(
                            names.features + "-group",
                            Map.of(new TopicPartition(names.features, 0), new OffsetAndMetadata(0)))
                    .all()
                    .get();
            admin.deleteRecords(
                            Map.of(
                                    new TopicPartition(names.features, 0),
                                    RecordsToDelete.beforeOffset(2)))
                    .all()
                    .get();
        }
        runToEnd(
                options(names, "--bounded", "--starting-offsets", "committed"),
                new Configuration());
        assertThat(activationIds(names)).containsExactly("c");
    }

    /**
     * A producer of {@code topic} with a transaction open, holding {@code id} in {@code partition}.
     */
    private static KafkaProducer<byte[], byte[]> openTransaction(
            String topic, int partition, String id, long offsetMillis) throws Exception {
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                topic + "-" + id),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(rec(topic, partition, id, offsetMillis)).get();
        return producer;
    }

    /** Reads the activations topic until it has every one of {@code ids} or 30 s have passed. */
    private static List<String> awaitActivations(JobTopics names, String... ids)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> read = activationIds(names);
        while (!read.containsAll(List.of(ids)) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            read = activationIds(names);
        }
        return read;
    }

    @Test
    void anUnboundedRunRestoredFromABoundedOneReadsOnInThePartitionsTheBoundedOneHadFinished(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = names(test, 2);
        String t = names.features;
        topics.produce(List.of(rec(t, 0, "p0-a", 1_000), rec(t, 1, "p1-a", 2_000)));
        // The bounded run ends partition 0 after "p0-open" and waits for its transaction there,
        // while it has finished partition 1 when it is stopped with a savepoint.
        JobClient bounded;
        String savepoint;
        try (KafkaProducer<byte[], byte[]> open = openTransaction(t, 0, "p0-open", 3_000)) {
            bounded =
                    start(
                            options(names, "--bounded", "--parallelism", "1"),
                            new Configuration(),
                            "bounded, until the savepoint");
            assertThat(awaitActivations(names, "p0-a", "p1-a")).containsExactly("p0-a", "p1-a");
            savepoint = stopWithSavepoint(bounded, savepoints);
            open.commitTransaction();
        }
        topics.produce(List.of(rec(t, 0, "p0-b", 4_000), rec(t, 1, "p1-b", 5_000)));

        Configuration restore = restoringFrom(savepoint);
        JobClient unbounded = start(options(names, "--parallelism", "1"), restore, "unbounded");
        List<String> read;
        try {
            read = awaitActivations(names, "p0-open", "p0-b", "p1-b");
        } finally {
            unbounded.cancel().get(30, TimeUnit.SECONDS);
        }
        assertThat(read).containsExactly("p0-a", "p0-b", "p0-open", "p1-a", "p1-b");
    }

    @Test
    void aRestoredBoundedRunReadsAPartitionAddedAfterTheSavepoint(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = names(test, 1);
        String t = names.features;
        topics.produce(List.of(rec(t, 0, "a", 1_000), rec(t, 0, "b", 12_000)));
        JobClient job =
                start(options(names, "--parallelism", "1"), new Configuration(), "unbounded");
        topics.readAtLeast(names.activations, 2, Duration.ofSeconds(60));
        String savepoint = stopWithSavepoint(job, savepoints);
        try (Admin admin = kafka.admin()) {
            admin.createPartitions(Map.of(t, NewPartitions.increaseTo(2))).all().get();
        }
        topics.produce(List.of(rec(t, 1, "new-p1", 13_000), rec(t, 0, "c", 14_000)));
        Configuration restore = restoringFrom(savepoint);
        runToEnd(options(names, "--bounded", "--parallelism", "1"), restore);
        assertThat(activationIds(names)).containsExactly("a", "b", "c", "new-p1");
        assertThat(stats(names))
                .extracting(s -> s.getWindowStart().toEpochMilli() - T0, s -> s.getRecordCount())
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 3L));
    }

    @Test
    void aBoundedRunRestoredFromAnUnboundedOneWaitsForATransactionOpenWhenItStarts(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = names(test, 1);
        String t = names.features;
        topics.produce(List.of(rec(t, 0, "a", 1_000)));
        JobClient unbounded =
                start(options(names, "--parallelism", "1"), new Configuration(), "unbounded");
        awaitActivations(names, "a");
        String savepoint = stopWithSavepoint(unbounded, savepoints);
        topics.produce(List.of(rec(t, 0, "b", 2_000)));

        Configuration restore = restoringFrom(savepoint);
        try (KafkaProducer<byte[], byte[]> open = openTransaction(t, 0, "in-transaction", 3_000)) {
            JobClient bounded =
                    start(
                            options(names, "--bounded", "--parallelism", "1"),
                            restore,
                            "bounded, restored");
            try {
                // "b" read: the run has its end. As a bounded run that is not restored, it ends
                // after the transaction open then, once that commits.
                awaitActivations(names, "b");
                open.commitTransaction();
                bounded.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } finally {
                cancelIfRunning(bounded);
            }
        }
        assertThat(activationIds(names)).containsExactly("a", "b", "in-transaction");
        assertThat(stats(names))
                .extracting(s -> s.getWindowStart().toEpochMilli() - T0, s -> s.getRecordCount())
                .containsExactly(tuple(0L, 3L));
    }

    @Test
    void aCommittedOffsetBeyondTheEndStartsAtTheEarliestRecordAsKafkaResetsIt(TestInfo test)
            throws Exception {
        JobTopics names = names(test, 1);
        String t = names.features;
        topics.produce(List.of(rec(t, 0, "a", 1_000), rec(t, 0, "b", 2_000)));
        // Out of range (a topic deleted and created again, say): an unbounded run's consumer
        // resets it to the earliest offset, as --starting-offsets committed does without one.
        try (Admin admin = kafka.admin()) {
            admin.alterConsumerGroupOffsets(
                            names.features + "-group",
                            Map.of(new TopicPartition(t, 0), new OffsetAndMetadata(100)))
                    .all()
                    .get();
        }
        runToEnd(
                options(names, "--bounded", "--starting-offsets", "committed"),
                new Configuration());
        assertThat(activationIds(names)).containsExactly("a", "b");
    }

    @Test
    void aBoundedRunWaitsForATransactionOpenWhenItStarts(TestInfo test) throws Exception {
        JobTopics names = names(test, 1);
        String t = names.features;
        topics.produce(List.of(rec(t, 0, "a", 1_000)));
        try (KafkaProducer<byte[], byte[]> open = openTransaction(t, 0, "in-transaction", 2_000)) {
            JobClient bounded =
                    start(
                            options(names, "--bounded", "--parallelism", "1"),
                            new Configuration(),
                            "bounded");
            try {
                awaitActivations(names, "a");
                open.commitTransaction();
                bounded.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } finally {
                cancelIfRunning(bounded);
            }
        }
        assertThat(activationIds(names)).containsExactly("a", "in-transaction");
    }

    @Test
    void aBoundedRunRestoredFromABoundedOneEndsWhereItWouldHaveInEveryPartition(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = names(test, 2);
        String t = names.features;
        topics.produce(List.of(rec(t, 0, "p0-a", 1_000), rec(t, 1, "p1-a", 2_000)));
        JobOptions bounded = options(names, "--bounded", "--parallelism", "1");
        String savepoint;
        try (KafkaProducer<byte[], byte[]> open = openTransaction(t, 0, "p0-open", 3_000)) {
            JobClient first = start(bounded, new Configuration(), "bounded, until the savepoint");
            awaitActivations(names, "p0-a", "p1-a");
            savepoint = stopWithSavepoint(first, savepoints);
            open.commitTransaction();
        }
        // Beyond the end of the first run in both partitions: for a later run.
        topics.produce(List.of(rec(t, 0, "p0-later", 4_000), rec(t, 1, "p1-later", 5_000)));

        Configuration restore = restoringFrom(savepoint);
        runToEnd(bounded, restore);

        assertThat(activationIds(names)).containsExactly("p0-a", "p0-open", "p1-a");
        assertThat(stats(names))
                .extracting(s -> s.getWindowStart().toEpochMilli() - T0, s -> s.getRecordCount())
                .containsExactly(tuple(0L, 3L));
    }

    @Test
    void aPartitionAddedWhileABoundedRunReadsIsNotPartOfItsInput(TestInfo test) throws Exception {
        JobTopics names = names(test, 1);
        String t = names.features;
        topics.produce(List.of(rec(t, 0, "a", 1_000)));
        // The open transaction keeps the run reading until the partition has been added.
        try (KafkaProducer<byte[], byte[]> open = openTransaction(t, 0, "in-transaction", 2_000)) {
            JobClient bounded =
                    start(
                            options(
                                    names,
                                    "--bounded",
                                    "--parallelism",
                                    "1",
                                    "--delivery-guarantee",
                                    "none",
                                    "--kafka.partition.discovery.interval.ms=100"),
                            new Configuration(),
                            "bounded");
            try {
                awaitActivations(names, "a");
                try (Admin admin = kafka.admin()) {
                    admin.createPartitions(Map.of(t, NewPartitions.increaseTo(2))).all().get();
                }
                topics.produce(List.of(rec(t, 1, "added", 3_000)));
                open.commitTransaction();
                bounded.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } finally {
                cancelIfRunning(bounded);
            }
        }
        assertThat(activationIds(names)).containsExactly("a", "in-transaction");
        assertThat(stats(names))
                .extracting(s -> s.getWindowStart().toEpochMilli() - T0, s -> s.getRecordCount())
                .containsExactly(tuple(0L, 2L));
    }
}
