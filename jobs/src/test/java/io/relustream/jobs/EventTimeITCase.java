package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.assertj.core.groups.Tuple;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.relustream.jobs.KafkaJobRuns.restoringFrom;
import static io.relustream.jobs.KafkaJobRuns.start;
import static io.relustream.jobs.KafkaJobRuns.stopWithSavepoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Event time on the real broker: a silent partition, and records late within and beyond bounds. */
class EventTimeITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
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

    private static JobOptions options(JobTopics names, String... extra) {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--parallelism", "1"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    /** Records of windows 0 to 3 of group g, all in partition 0 of two. */
    private static List<ProducerRecord<byte[], byte[]>> onePartitionOnly(String topic) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int window = 0; window < 4; window++) {
            for (int i = 0; i < 5; i++) {
                long t = T0 + window * 10_000L + i * 1_000L;
                records.add(
                        TestRecords.record(
                                topic,
                                0,
                                TestRecords.vector("w" + window + "-" + i, t, "g", i - 2.0)));
            }
        }
        return records;
    }

    /** Runs the unbounded job for {@code seconds} or until the stats topic has {@code wanted}. */
    private static List<ActivationStats> runUnbounded(
            JobOptions options, JobTopics names, int wanted, int seconds) throws Exception {
        JobClient job = start(options, new Configuration(), "unbounded");
        List<ActivationStats> stats = List.of();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline && stats.size() < wanted) {
                Thread.sleep(250);
                stats =
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer);
            }
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
        return stats;
    }

    /** Windows 0 to 2 of {@link #onePartitionOnly}, each with its five records. */
    private static void assertWindowsZeroToTwoOfFiveRecords(List<ActivationStats> stats) {
        assertThat(stats)
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 5L), tuple(10_000L, 5L), tuple(20_000L, 5L));
    }

    @Test
    void aSilentPartitionDoesNotHoldWindowsBack(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        topics.produce(onePartitionOnly(names.features));

        // Windows 0 to 2 can close: the watermark of partition 0 passes them, partition 1 idles.
        List<ActivationStats> stats =
                runUnbounded(
                        options(names, "--idleness", "1s", "--out-of-orderness", "0s"),
                        names,
                        3,
                        60);

        assertWindowsZeroToTwoOfFiveRecords(stats);
    }

    @Test
    void aSilentPartitionDoesNotHoldWindowsBackWithAWatermarkAfterEveryRecord(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        topics.produce(onePartitionOnly(names.features));

        // Idleness is checked on the periodic watermark calls, which --watermark-interval 0s
        // does not need for its watermarks; partition 1 must still become idle after 1 s.
        List<ActivationStats> stats =
                runUnbounded(
                        options(
                                names,
                                "--idleness",
                                "1s",
                                "--out-of-orderness",
                                "0s",
                                "--watermark-interval",
                                "0s"),
                        names,
                        3,
                        60);

        assertWindowsZeroToTwoOfFiveRecords(stats);
    }

    @Test
    void aPartitionOfNothingButBadRecordsDoesNotHoldWindowsBack(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        topics.produce(onePartitionOnly(names.features));

        // While the job runs, partition 1 gets bad bytes and impossible event times, every 100 ms:
        // dead letters all, and no reason for partition 1 to count as active.
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger badRecords = new AtomicInteger();
        Thread badProducer =
                new Thread(
                        () -> {
                            try {
                                while (running.get()) {
                                    int n = badRecords.getAndIncrement();
                                    byte[] value =
                                            n % 2 == 0
                                                    ? new byte[] {1, 2, 3}
                                                    : TestRecords.singleObject(
                                                            TestRecords.vector(
                                                                    "bad-" + n, -5L, "g", 1.0));
                                    topics.produce(
                                            List.of(
                                                    new ProducerRecord<>(
                                                            names.features, 1, null, value)));
                                    Thread.sleep(100);
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "bad-records");
        badProducer.start();
        List<ActivationStats> stats;
        try {
            stats =
                    runUnbounded(
                            options(names, "--idleness", "1s", "--out-of-orderness", "0s"),
                            names,
                            3,
                            60);
        } finally {
            running.set(false);
            badProducer.join(30_000);
        }

        assertWindowsZeroToTwoOfFiveRecords(stats);
        assertThat(badRecords.get()).isGreaterThan(3);
    }

    @Test
    void withoutIdlenessTheSilentPartitionWouldHoldEveryWindow(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        topics.produce(onePartitionOnly(names.features));

        List<ActivationStats> stats =
                runUnbounded(
                        options(names, "--idleness", "10m", "--out-of-orderness", "0s"),
                        names,
                        1,
                        10);

        // Every record was read and activated, yet no window closed.
        assertThat(topics.readAll(names.activations)).hasSize(20);
        assertThat(stats).isEmpty();
    }

    @Test
    void aRecordLateBeforeARestoreIsLateAfterIt(TestInfo test, @TempDir Path savepoints)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String topic = names.features;
        // Two wide over one partition: one source subtask reads nothing and idles after 1 s.
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--parallelism",
                                "2",
                                "--watermark-interval",
                                "0s",
                                "--out-of-orderness",
                                "0s",
                                "--idleness",
                                "1s"));
        args.addAll(names.args());
        JobOptions options = JobOptions.parse(args.toArray(new String[0]));
        // Watermark T0 + 24999 after "c": windows [0s, 10s) and [10s, 20s) fire, one record each.
        topics.produce(
                List.of(
                        TestRecords.record(topic, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)),
                        TestRecords.record(topic, 0, TestRecords.vector("b", T0 + 12_000, "g", -1)),
                        TestRecords.record(
                                topic, 0, TestRecords.vector("c", T0 + 25_000, "g", 2))));
        JobClient first = start(options, new Configuration(), "before the restore");
        List<ActivationStats> stats =
                TestRecords.decodeAll(
                        topics.readAtLeast(names.stats, 2, Duration.ofSeconds(60)),
                        ActivationStats::fromByteBuffer);
        String savepoint = stopWithSavepoint(first, savepoints);

        // Window [0s, 10s) closed for good before the savepoint: "late" is late after it too.
        // "d" moves event time to T0 + 34999, which fires [20s, 30s).
        topics.produce(
                List.of(
                        TestRecords.record(
                                topic, 0, TestRecords.vector("late", T0 + 5_000, "g", 3)),
                        TestRecords.record(
                                topic, 0, TestRecords.vector("d", T0 + 35_000, "g", 4))));
        Configuration restore = restoringFrom(savepoint);
        JobClient second = start(options, restore, "after the restore");
        List<ActivationVector> late = List.of();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((stats.size() < 3 || late.isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                stats =
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer);
                late =
                        TestRecords.decodeAll(
                                topics.readAll(names.late), ActivationVector::fromByteBuffer);
            }
        } finally {
            second.cancel().get(30, TimeUnit.SECONDS);
        }

        // Each window once, of its records on time: no window [0s, 10s) of "late" alone.
        assertThat(stats)
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 1L), tuple(20_000L, 1L));
        assertThat(late).extracting(ActivationVector::getId).containsExactly("late");
    }

    @Test
    void aBoundedRunRestoredFromAnUnboundedRunsSavepointStopsAtTheLatestOffsets(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String topic = names.features;
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--parallelism",
                                "1",
                                "--watermark-interval",
                                "0s",
                                "--out-of-orderness",
                                "0s"));
        args.addAll(names.args());
        JobOptions unbounded = JobOptions.parse(args.toArray(new String[0]));
        args.add("--bounded");
        JobOptions bounded = JobOptions.parse(args.toArray(new String[0]));
        // Watermark T0 + 11999 after "b": window [0s, 10s) fires, [10s, 20s) stays open.
        topics.produce(
                List.of(
                        TestRecords.record(topic, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)),
                        TestRecords.record(
                                topic, 0, TestRecords.vector("b", T0 + 12_000, "g", 2))));
        JobClient first = start(unbounded, new Configuration(), "unbounded, until the savepoint");
        List<ActivationStats> stats =
                TestRecords.decodeAll(
                        topics.readAtLeast(names.stats, 1, Duration.ofSeconds(60)),
                        ActivationStats::fromByteBuffer);
        String savepoint = stopWithSavepoint(first, savepoints);

        topics.produce(
                List.of(
                        TestRecords.record(
                                topic, 0, TestRecords.vector("c", T0 + 25_000, "g", 3))));
        Configuration restore = restoringFrom(savepoint);
        JobClient second = start(bounded, restore, "bounded, restored");
        try {
            // The partition restored without an end stops at the latest offset, after "c".
            second.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        } finally {
            if (!second.getJobStatus().get().isGloballyTerminalState()) {
                second.cancel().get(30, TimeUnit.SECONDS);
            }
        }

        // The end of the input closes the windows still open: [10s, 20s) and [20s, 30s).
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 1L), tuple(20_000L, 1L));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("a", "b", "c");
    }

    /**
     * The README's --out-of-orderness: "how far behind the newest event time a record may be and
     * still be on time". Exactly that far behind is on time; a millisecond more, in a window that
     * ended there, is late.
     */
    @Test
    void aRecordExactlyTheOutOfOrdernessBehindTheNewestIsOnTimeAndOneMillisecondMoreIsLate(
            TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String topic = names.features;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(TestRecords.record(topic, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)));
        // The newest event time: with 2s of out-of-orderness, [T0, T0 + 10s) closes.
        records.add(
                TestRecords.record(topic, 0, TestRecords.vector("newest", T0 + 12_000, "g", 2)));
        // 2s behind the newest: on time, in [T0 + 10s, T0 + 20s).
        records.add(
                TestRecords.record(topic, 0, TestRecords.vector("2000ms", T0 + 10_000, "g", 3)));
        // 2001 ms behind: the last millisecond of the closed window.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("2001ms", T0 + 9_999, "g", 4)));
        topics.produce(records);

        ActivationStatsJob.run(
                options(
                        names,
                        "--bounded",
                        "--watermark-interval",
                        "0s",
                        "--out-of-orderness",
                        "2s"));

        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 2L));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.late), ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("2001ms");
    }

    @Test
    void lateRecordsUpdateTheirWindowWithinTheAllowedLatenessAndAreCountedBeyondIt(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String topic = names.features;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(TestRecords.record(topic, 0, TestRecords.vector("a", T0 + 1_000, "g", 1, -1)));
        records.add(TestRecords.record(topic, 0, TestRecords.vector("b", T0 + 3_000, "g", 2, -2)));
        records.add(TestRecords.record(topic, 0, TestRecords.vector("c", T0 + 12_000, "g", 3, -3)));
        // Watermark T0 + 10999 after this one (5s out-of-orderness): window 0 fires.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("d", T0 + 16_000, "g", 4, -4)));
        // Late, but within the 10s allowed lateness of window 0: it fires again, updated.
        records.add(
                TestRecords.record(topic, 0, TestRecords.vector("within", T0 + 5_000, "g", -5, 5)));
        // Watermark T0 + 30999: window 0 is gone for good.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("e", T0 + 36_000, "g", 6, -6)));
        records.add(
                TestRecords.record(topic, 0, TestRecords.vector("beyond", T0 + 7_000, "g", -7, 7)));
        topics.produce(records);

        JobExecutionResult result =
                ActivationStatsJob.run(
                        options(
                                names,
                                "--bounded",
                                "--watermark-interval",
                                "0",
                                "--allowed-lateness",
                                "10s"));

        List<ActivationStats> window0 =
                TestRecords.decodeAll(topics.readAll(names.stats), ActivationStats::fromByteBuffer)
                        .stream()
                        .filter(s -> s.getWindowStart().toEpochMilli() == T0)
                        .collect(Collectors.toList());
        assertThat(window0).extracting(ActivationStats::getRecordCount).containsExactly(2L, 3L);
        assertThat(window0.get(1).getZeroCount()).isEqualTo(3L);
        assertThat(window0.get(1).getMax()).isEqualTo(5.0);
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.late), ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("beyond");
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .hasSize(7);
        // The operator's counter and, since the per-group metrics, group g's counter beside it.
        Map<Boolean, Long> lateRecords =
                METRICS.findMetrics(result.getJobID(), "lateRecords").entrySet().stream()
                        .filter(metric -> metric.getKey().endsWith(".lateRecords"))
                        .collect(
                                Collectors.partitioningBy(
                                        metric -> metric.getKey().endsWith(".group.g.lateRecords"),
                                        Collectors.summingLong(
                                                metric ->
                                                        ((Counter) metric.getValue()).getCount())));
        assertThat(lateRecords).containsEntry(false, 1L).containsEntry(true, 1L);
        assertThat(Duration.ofMillis(window0.get(1).getWindowEnd().toEpochMilli() - T0))
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aWindowThatOnlyLateRecordsFireContinuesTheDeadFeatureStreak(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String topic = names.features;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        // Feature 0 of g is dead in window [T0, T0 + 10s).
        records.add(TestRecords.record(topic, 0, TestRecords.vector("g0", T0 + 1_000, "g", -1)));
        // Group h moves event time to T0 + 44999: window 0 of g can fire no more (10s + 30s),
        // and window 1 closed without records.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("h", T0 + 45_000, "h", 1)));
        // Within window 1's 30s allowed lateness: Flink fires window 1 with it, the window
        // right after g's last one, where feature 0 is dead again: two windows in a row.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("g1", T0 + 15_000, "g", -2)));
        topics.produce(records);

        ActivationStatsJob.run(
                options(
                        names,
                        "--bounded",
                        "--watermark-interval",
                        "0",
                        "--out-of-orderness",
                        "0s",
                        "--allowed-lateness",
                        "30s",
                        "--dead-windows",
                        "2"));

        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(
                        ActivationStats::getGroup,
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(
                        tuple("g", 0L, 1L), tuple("g", 10_000L, 1L), tuple("h", 40_000L, 1L));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.alerts), ActivationAlert::fromByteBuffer))
                .extracting(
                        ActivationAlert::getGroup,
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        a -> a.getWindowStart().toEpochMilli() - T0)
                .containsExactly(tuple("g", "dead_feature", 0, 10_000L));
        assertThat(topics.readAll(names.late)).isEmpty();
    }

    @Test
    void aRecordThatMissesOneOfItsSlidingWindowsIsLateThoughTheNextStillCountsIt(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String topic = names.features;
        // 10s windows sliding by 5s, no out-of-orderness, no allowed lateness; times after T0 (a
        // multiple of 10s). A record at t is in [t - t % 5s - 5s, +10s) and [t - t % 5s, +10s).
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        // [-5s, 5s) and [0s, 10s); watermark 999.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)));
        // [0s, 10s) and [5s, 15s); watermark 7999.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("b", T0 + 8_000, "g", 2)));
        // [10s, 20s) and [15s, 25s); watermark 15999: [-5s, 5s), [0s, 10s) and [5s, 15s) (last
        // millisecond 14999) fire and close.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("c", T0 + 16_000, "g", 3)));
        // [5s, 15s), closed, and [10s, 20s) (last millisecond 19999), open: late, and counted
        // in [10s, 20s) only.
        records.add(
                TestRecords.record(topic, 0, TestRecords.vector("partly", T0 + 12_001, "g", 4)));
        // [-5s, 5s) and [0s, 10s), both closed: late for all its windows.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("fully", T0 + 3_000, "g", 5)));
        topics.produce(records);

        JobExecutionResult result = runSlidingByHalfAWindow(names, "0s");

        // [-5s, 5s): a; [0s, 10s): a, b; [5s, 15s): b; then, at the end of the input,
        // [10s, 20s): c, partly; [15s, 25s): c.
        assertThat(windowsOf(names))
                .containsExactly(
                        tuple(-5_000L, 1L, 1.0),
                        tuple(0L, 2L, 2.0),
                        tuple(5_000L, 1L, 2.0),
                        tuple(10_000L, 2L, 4.0),
                        tuple(15_000L, 1L, 3.0));
        // Each late record once: the one [5s, 15s) misses and the one all its windows miss.
        assertThat(lateIds(names)).containsExactlyInAnyOrder("partly", "fully");
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .hasSize(5);
        assertThat(lateRecordCounts(result)).containsEntry(false, 2L).containsEntry(true, 2L);
    }

    @Test
    void withAllowedLatenessASlidingWindowRecordIsLateOnlyForTheWindowsBeyondIt(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String topic = names.features;
        // 10s windows sliding by 5s, no out-of-orderness, 5s allowed lateness: a window takes
        // records until the watermark reaches its last millisecond + 5s.
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        // [-5s, 5s) and [0s, 10s); watermark 999.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)));
        // [15s, 25s) and [20s, 30s); watermark 20999: [-5s, 5s) and [0s, 10s) fire. Closed for
        // good: [0s, 10s) (9999 + 5000), [5s, 15s) (14999 + 5000); [10s, 20s) (19999 + 5000) still
        // takes records.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("c", T0 + 21_000, "g", 3)));
        // [5s, 15s), closed, and [10s, 20s), open (it fires at once, with this record only).
        records.add(
                TestRecords.record(topic, 0, TestRecords.vector("partly", T0 + 12_001, "g", 4)));
        // [10s, 20s) and [15s, 25s), both open: late within the allowed lateness, not a late
        // record; [10s, 20s) fires again with two records.
        records.add(
                TestRecords.record(topic, 0, TestRecords.vector("within", T0 + 16_000, "g", 5)));
        // [0s, 10s) and [5s, 15s), both closed.
        records.add(TestRecords.record(topic, 0, TestRecords.vector("fully", T0 + 9_000, "g", 6)));
        topics.produce(records);

        JobExecutionResult result = runSlidingByHalfAWindow(names, "5s");

        // [-5s, 5s): a; [0s, 10s): a; [10s, 20s): partly, then partly and within; at the end of
        // the input [15s, 25s): c, within; [20s, 30s): c.
        assertThat(windowsOf(names))
                .containsExactly(
                        tuple(-5_000L, 1L, 1.0),
                        tuple(0L, 1L, 1.0),
                        tuple(10_000L, 1L, 4.0),
                        tuple(10_000L, 2L, 5.0),
                        tuple(15_000L, 2L, 5.0),
                        tuple(20_000L, 1L, 3.0));
        assertThat(lateIds(names)).containsExactlyInAnyOrder("partly", "fully");
        assertThat(lateRecordCounts(result)).containsEntry(false, 2L).containsEntry(true, 2L);
    }

    /**
     * The job over the whole input, one event time at a time, on 10s windows sliding by 5s with the
     * given allowed lateness.
     */
    private static JobExecutionResult runSlidingByHalfAWindow(
            JobTopics names, String allowedLateness) throws Exception {
        return ActivationStatsJob.run(
                options(
                        names,
                        "--bounded",
                        "--watermark-interval",
                        "0s",
                        "--out-of-orderness",
                        "0s",
                        "--allowed-lateness",
                        allowedLateness,
                        "--window",
                        "10s",
                        "--slide",
                        "5s"));
    }

    /** Each statistics record as (window start after T0, record count, max), in topic order. */
    private static List<Tuple> windowsOf(JobTopics names) {
        return TestRecords.decodeAll(topics.readAll(names.stats), ActivationStats::fromByteBuffer)
                .stream()
                .map(
                        s ->
                                tuple(
                                        s.getWindowStart().toEpochMilli() - T0,
                                        s.getRecordCount(),
                                        s.getMax()))
                .collect(Collectors.toList());
    }

    /** The ids of the records in the late topic. */
    private static List<String> lateIds(JobTopics names) {
        return TestRecords.decodeAll(topics.readAll(names.late), ActivationVector::fromByteBuffer)
                .stream()
                .map(ActivationVector::getId)
                .collect(Collectors.toList());
    }

    /** The operator's lateRecords counters (false) and group g's (true), each summed. */
    private static Map<Boolean, Long> lateRecordCounts(JobExecutionResult result) {
        return METRICS.findMetrics(result.getJobID(), "lateRecords").entrySet().stream()
                .filter(metric -> metric.getKey().endsWith(".lateRecords"))
                .collect(
                        Collectors.partitioningBy(
                                metric -> metric.getKey().endsWith(".group.g.lateRecords"),
                                Collectors.summingLong(
                                        metric -> ((Counter) metric.getValue()).getCount())));
    }

    @Test
    void theStageThatFindsPartlyLateRecordsRunsChainedToTheWindow(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        JobOptions options = options(names, "--window", "10s", "--slide", "5s");
        StreamExecutionEnvironment env = ActivationStatsJob.environment(options);
        ActivationStatsPipeline.build(
                env,
                options,
                ActivationStatsJob.kafkaSource(options),
                ActivationStatsJob.kafkaOutputs(options));

        // One task: it sees the elements and watermarks the window operator sees, in its order;
        // so does the stage that restores the watermark of a checkpoint.
        assertThat(env.getStreamGraph().getJobGraph().getVertices())
                .extracting(JobVertex::getName)
                .anySatisfy(
                        name ->
                                assertThat(name)
                                        .contains("restored watermark")
                                        .contains("partly late records")
                                        .contains("window statistics"));
    }

    @Test
    void aWindowClosedEarlyByTheEndOfABoundedInputIsWrittenThoughItEndsHoursAhead(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        long now = System.currentTimeMillis();
        // The first window length from 24h up whose window around now ends over 2h ahead, beyond
        // the broker's default limit for timestamps in the future (message.timestamp.after.max.ms,
        // 1h).
        long window = Duration.ofHours(24).toMillis();
        while (now - now % window + window - now <= Duration.ofHours(2).toMillis()) {
            window += Duration.ofHours(1).toMillis();
        }
        long windowEnd = now - now % window + window;
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("a", now, "g", 1, -1)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("b", now, "g", 2, -2))));

        JobOptions options = options(names, "--bounded", "--window", window / 3_600_000 + "h");
        JobClient job = start(options, new Configuration(), "bounded, window ending hours ahead");
        try {
            // A refused record would fail the job again after every restart.
            job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }

        List<ActivationStats> stats =
                TestRecords.decodeAll(topics.readAll(names.stats), ActivationStats::fromByteBuffer);
        assertThat(stats).hasSize(1);
        assertThat(stats.get(0).getRecordCount()).isEqualTo(2L);
        assertThat(stats.get(0).getWindowEnd().toEpochMilli()).isEqualTo(windowEnd);
    }
}
