package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.formats.SourcedFeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.admin.Admin;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.relustream.jobs.KafkaJobRuns.cancelIfRunning;
import static io.relustream.jobs.KafkaJobRuns.restoringFrom;
import static io.relustream.jobs.KafkaJobRuns.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The ends and restarts of the job's life while its source is idle (nothing read for {@code
 * --idleness}): a drain, the end of a bounded run, a failover, a savepoint and its restore.
 */
class IdleLifecycleITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T0 = 1_700_000_000_000L;

    /** Long enough past --idleness 1s for the source to be idle, its periodic check included. */
    private static final long IDLE_MILLIS = 3_000;

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

    /** One subtask, a watermark right behind every record, idle after a second. */
    private static JobOptions options(JobTopics names, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--group-id",
                                names.features + "-group",
                                "--parallelism",
                                "1",
                                "--watermark-interval",
                                "0s",
                                "--out-of-orderness",
                                "0s",
                                "--idleness",
                                "1s"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    private static JobTopics names(TestInfo test, int partitions) throws Exception {
        return JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), partitions);
    }

    /** Record {@code id} of group g at {@code millis} after T0: feature 0 dead, 1 alive. */
    private static ProducerRecord<byte[], byte[]> rec(
            String topic, int partition, String id, long millis) {
        return TestRecords.record(
                topic, partition, TestRecords.vector(id, T0 + millis, "g", -1, 1));
    }

    private static List<ActivationStats> stats(JobTopics names) {
        return TestRecords.decodeAll(topics.readAll(names.stats), ActivationStats::fromByteBuffer);
    }

    private static List<String> activationIds(JobTopics names) {
        return TestRecords.decodeAll(
                        topics.readAll(names.activations), ActivationVector::fromByteBuffer)
                .stream()
                .map(vector -> vector.getId())
                .toList();
    }

    /** The offset the job's group has committed in partition 0 of its input, or -1. */
    private static long committed(JobTopics names) throws Exception {
        try (Admin admin = kafka.admin()) {
            OffsetAndMetadata offset =
                    admin.listConsumerGroupOffsets(names.features + "-group")
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS)
                            .get(new TopicPartition(names.features, 0));
            return offset == null ? -1L : offset.offset();
        }
    }

    @Test
    void aDrainWhileIdleClosesEverySlidingWindowOnceAndTheDetectorGetsTheLastOnes(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = names(test, 1);
        // 10 s windows every 5 s, 5 s allowed lateness. Watermark T0 + 11999 after "b": [-5s, 5s)
        // and [0s, 10s) fire with "a"; [5s, 15s) and [10s, 20s) hold "b" until the drain.
        topics.produce(
                List.of(rec(names.features, 0, "a", 1_000), rec(names.features, 0, "b", 12_000)));
        JobClient job =
                start(
                        options(
                                names,
                                "--window",
                                "10s",
                                "--slide",
                                "5s",
                                "--allowed-lateness",
                                "5s",
                                "--dead-windows",
                                "4"),
                        new Configuration(),
                        "sliding, drained");
        try {
            topics.readAtLeast(names.stats, 2, Duration.ofSeconds(60));
            Thread.sleep(IDLE_MILLIS);
        } finally {
            KafkaJobRuns.drain(job, savepoints);
        }

        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        s -> s.getWindowEnd().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(
                        tuple(-5_000L, 5_000L, 1L),
                        tuple(0L, 10_000L, 1L),
                        tuple(5_000L, 15_000L, 1L),
                        tuple(10_000L, 20_000L, 1L));
        // Feature 0 is dead in each of the four windows in a row: the fourth, closed by the drain,
        // completes the streak of --dead-windows 4.
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.alerts), ActivationAlert::fromByteBuffer))
                .extracting(
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        alert -> alert.getWindowStart().toEpochMilli() - T0)
                .containsExactly(tuple("dead_feature", 0, 10_000L));
    }

    @Test
    void aBoundedRunEndingWhileEveryPartitionIsIdleClosesItsWindows(TestInfo test)
            throws Exception {
        JobTopics names = names(test, 2);
        String t = names.features;
        topics.produce(List.of(rec(t, 0, "a", 1_000), rec(t, 0, "b", 12_000)));
        // Open when the run starts: the run reads partition 1 up to its end, which the transaction
        // holds back. Partition 0 is read to its end, partition 1 goes idle waiting, and the abort
        // ends it with nothing more read: the input ends while the source is idle.
        try (KafkaProducer<byte[], byte[]> open =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                t + "-upstream"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            open.initTransactions();
            open.beginTransaction();
            open.send(rec(t, 1, "aborted", 2_000)).get();
            JobClient job = start(options(names, "--bounded"), new Configuration(), "bounded");
            try {
                topics.readAtLeast(names.stats, 1, Duration.ofSeconds(60));
                Thread.sleep(IDLE_MILLIS);
                open.abortTransaction();
                job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } finally {
                cancelIfRunning(job);
            }
        }

        assertThat(activationIds(names)).containsExactly("a", "b");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 1L));
    }

    // Static: the MiniCluster runs in this JVM, and they outlive the failover they cause.
    private static final AtomicBoolean FAIL_ON_CHECKPOINT = new AtomicBoolean();
    private static final AtomicInteger FAILOVERS = new AtomicInteger();
    private static final AtomicInteger RESTARTED = new AtomicInteger();

    /** Fails the task when a checkpoint completes once told to: no record has to come for it. */
    private static final class FailOnCheckpoint
            extends RichMapFunction<SourcedFeatureVector, SourcedFeatureVector>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;

        @Override
        public void open(OpenContext context) {
            if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
                RESTARTED.incrementAndGet();
            }
        }

        @Override
        public SourcedFeatureVector map(SourcedFeatureVector record) {
            return record;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (FAIL_ON_CHECKPOINT.compareAndSet(true, false)) {
                FAILOVERS.incrementAndGet();
                throw new IllegalStateException("Injected failure while the source is idle");
            }
        }
    }

    @Test
    void aFailoverWhileIdleKeepsTheOpenWindowAndCountsEachRecordOnce(TestInfo test)
            throws Exception {
        JobTopics names = names(test, 1);
        topics.produce(
                List.of(rec(names.features, 0, "a", 1_000), rec(names.features, 0, "b", 12_000)));
        FAIL_ON_CHECKPOINT.set(false);
        FAILOVERS.set(0);
        RESTARTED.set(0);
        JobClient job =
                start(
                        options(names, "--checkpoint-interval", "500ms"),
                        new Configuration(),
                        "failing over while idle",
                        new ActivationStatsPipeline.StageTaps(
                                stream ->
                                        stream.map(new FailOnCheckpoint())
                                                .returns(
                                                        TypeInformation.of(
                                                                SourcedFeatureVector.class)),
                                stream -> stream));
        try {
            topics.readAtLeast(names.stats, 1, Duration.ofSeconds(60));
            Thread.sleep(IDLE_MILLIS);
            FAIL_ON_CHECKPOINT.set(true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (RESTARTED.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            // Idle again after the restart before the next records come.
            Thread.sleep(IDLE_MILLIS);
            topics.produce(
                    List.of(
                            rec(names.features, 0, "c", 15_000),
                            rec(names.features, 0, "d", 21_000)));
            topics.readAtLeast(names.stats, 2, Duration.ofSeconds(60));
        } finally {
            cancelIfRunning(job);
        }

        assertThat(FAILOVERS).hasValue(1);
        assertThat(RESTARTED).hasValue(1);
        // The checkpoint the restart restores was taken after "b", idle: nothing is read twice.
        assertThat(activationIds(names)).containsExactly("a", "b", "c", "d");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 2L));
    }

    @Test
    void aSavepointWithoutDrainWhileIdleKeepsTheOpenWindowForTheRecordsAfterIt(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = names(test, 1);
        topics.produce(
                List.of(rec(names.features, 0, "a", 1_000), rec(names.features, 0, "b", 12_000)));
        JobClient first = start(options(names), new Configuration(), "until the savepoint");
        String savepoint;
        try {
            topics.readAtLeast(names.stats, 1, Duration.ofSeconds(60));
            Thread.sleep(IDLE_MILLIS);
        } finally {
            savepoint = KafkaJobRuns.stopWithSavepoint(first, savepoints);
        }
        // The stop closed nothing: [10s, 20s) with "b" is in the savepoint.
        assertThat(stats(names)).hasSize(1);
        topics.produce(
                List.of(rec(names.features, 0, "c", 15_000), rec(names.features, 0, "d", 21_000)));
        JobClient restored = start(options(names), restoringFrom(savepoint), "restored");
        try {
            topics.readAtLeast(names.stats, 2, Duration.ofSeconds(60));
        } finally {
            cancelIfRunning(restored);
        }

        assertThat(activationIds(names)).containsExactly("a", "b", "c", "d");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 2L));
    }

    private static final AtomicBoolean FAIL_AFTER_THE_END = new AtomicBoolean();

    /**
     * Fails its task at the first checkpoint completed after its input ended, once: chained to the
     * window, when the window has closed its last windows and passed on the end of event time.
     */
    private static final class FailAfterTheEnd extends AbstractStreamOperator<ActivationStats>
            implements OneInputStreamOperator<ActivationStats, ActivationStats>, BoundedOneInput {
        private static final long serialVersionUID = 1L;

        private transient boolean ended;

        @Override
        public void processElement(StreamRecord<ActivationStats> element) {
            output.collect(element);
        }

        @Override
        public void endInput() {
            ended = true;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            super.notifyCheckpointComplete(checkpointId);
            if (ended && FAIL_AFTER_THE_END.compareAndSet(true, false)) {
                FAILOVERS.incrementAndGet();
                throw new IllegalStateException("Injected failure after the end of the input");
            }
        }
    }

    /**
     * The end of event time a bounded run's window stage reached is not taken for a drained
     * savepoint's on a failover after it: Flink restores the finished stage as finished.
     */
    @Test
    void aFailoverAfterTheEndOfABoundedRunsInputEndsTheRun(TestInfo test) throws Exception {
        JobTopics names = names(test, 1);
        topics.produce(
                List.of(rec(names.features, 0, "a", 1_000), rec(names.features, 0, "b", 12_000)));
        FAIL_AFTER_THE_END.set(true);
        FAILOVERS.set(0);
        JobClient job =
                start(
                        options(
                                names,
                                "--bounded",
                                "--delivery-guarantee",
                                "exactly-once",
                                "--checkpoint-interval",
                                "100ms"),
                        new Configuration(),
                        "bounded, failing over after the end",
                        new ActivationStatsPipeline.StageTaps(
                                stream -> stream,
                                stream ->
                                        stream.transform(
                                                "fail after the end",
                                                new AvroTypeInfo<>(ActivationStats.class),
                                                new FailAfterTheEnd())));
        try {
            job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        } finally {
            cancelIfRunning(job);
        }

        assertThat(FAILOVERS).hasValue(1);
        assertThat(activationIds(names)).containsExactly("a", "b");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 1L));
    }

    /**
     * A drained job is not to be resumed: restored, event time would start over, and a record of a
     * window the drain closed would open it again alone, a second result of the window that
     * supersedes the first, the records before the drain counted in neither. Refused at start, for
     * good; a run from the offsets its last checkpoint committed goes on from there.
     */
    @Test
    void aDrainedSavepointIsRefusedAtStartForGood(TestInfo test, @TempDir Path savepoints)
            throws Exception {
        JobTopics names = names(test, 1);
        topics.produce(
                List.of(rec(names.features, 0, "a", 1_000), rec(names.features, 0, "b", 12_000)));
        JobClient first =
                start(
                        options(names, "--checkpoint-interval", "500ms"),
                        new Configuration(),
                        "drained");
        String savepoint;
        try {
            topics.readAtLeast(names.stats, 1, Duration.ofSeconds(60));
            // The checkpoints after "b" commit the offset after it (the first commit of a broker
            // waits for its offsets topic).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (committed(names) != 2L && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(IDLE_MILLIS);
        } finally {
            savepoint = KafkaJobRuns.drain(first, savepoints);
        }
        assertThat(committed(names)).isEqualTo(2L);
        topics.produce(
                List.of(rec(names.features, 0, "c", 15_000), rec(names.features, 0, "d", 21_000)));

        // Resumed, "c" opened [10s, 20s) again: [(0s, 1), (10s, 1), (10s, 1), (20s, 1)], the
        // second [10s, 20s) of "c" alone superseding the drain's of "b".
        assertThatThrownBy(
                        () ->
                                KafkaJobRuns.runToEnd(
                                        options(names, "--bounded"),
                                        restoringFrom(savepoint),
                                        "restored from a drained savepoint",
                                        Duration.ofSeconds(60)))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage(RestoredWatermark.DRAINED);
        assertThat(activationIds(names)).containsExactly("a", "b");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 1L));

        KafkaJobRuns.runToEnd(
                options(names, "--bounded", "--starting-offsets", "committed"),
                new Configuration(),
                "from the drain's offsets",
                Duration.ofSeconds(60));
        // As any run from committed offsets alone: [10s, 20s), closed by the drain, is reported
        // again with the records after it.
        assertThat(activationIds(names)).containsExactly("a", "b", "c", "d");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(
                        tuple(0L, 1L), tuple(10_000L, 1L), tuple(10_000L, 1L), tuple(20_000L, 1L));
    }
}
