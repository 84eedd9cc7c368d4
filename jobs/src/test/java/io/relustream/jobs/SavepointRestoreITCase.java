package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.formats.SourcedFeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.relustream.jobs.KafkaJobRuns.restoringFrom;
import static io.relustream.jobs.KafkaJobRuns.start;
import static io.relustream.jobs.KafkaJobRuns.stopWithSavepoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Savepoints on the real broker, restored into a job whose options changed. */
class SavepointRestoreITCase {

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

    /** One subtask, a watermark right behind every record. */
    private static JobOptions options(JobTopics names, String... extra) {
        return options(names, 1, extra);
    }

    /** {@code parallelism} subtasks, a watermark right behind every record. */
    private static JobOptions options(JobTopics names, int parallelism, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--parallelism",
                                String.valueOf(parallelism),
                                "--watermark-interval",
                                "0s",
                                "--out-of-orderness",
                                "0s"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    private static List<ActivationStats> stats(JobTopics names) {
        return TestRecords.decodeAll(topics.readAll(names.stats), ActivationStats::fromByteBuffer);
    }

    /** Runs {@code options} until the stats topic has {@code wanted}, then stops it. */
    private static String runToSavepoint(JobOptions options, JobTopics names, int wanted, Path dir)
            throws Exception {
        JobClient job = start(options, new Configuration(), "until the savepoint");
        topics.readAtLeast(names.stats, wanted, Duration.ofSeconds(60));
        return stopWithSavepoint(job, dir);
    }

    /** Runs a restored job to its end (it is {@code --bounded}) or failure. */
    private static void runToEnd(JobOptions options, Configuration restore) throws Exception {
        KafkaJobRuns.runToEnd(options, restore, "restored", Duration.ofSeconds(120));
    }

    /**
     * A stop with {@code --drain} ends the job for good: every open window closes, also when the
     * source is idle by then, whose own end of event time Flink drops (FLINK-40499). Under
     * exactly-once the statistics of those windows are in the savepoint's transaction, committed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"at-least-once", "exactly-once"})
    void aStopWithDrainClosesTheOpenWindowAlsoWhenTheSourceIsIdle(
            String deliveryGuarantee, TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names =
                JobTopics.create(
                        kafka,
                        test.getTestMethod().orElseThrow().getName() + "-" + deliveryGuarantee,
                        1);
        // Watermark T0 + 11999 after "b": [0s, 10s) fires with "a", [10s, 20s) holds "b".
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("b", T0 + 12_000, "g", 2))));
        JobClient job =
                start(
                        options(
                                names,
                                "--idleness",
                                "1s",
                                "--delivery-guarantee",
                                deliveryGuarantee,
                                "--checkpoint-interval",
                                "1s"),
                        new Configuration(),
                        "drained");
        try {
            topics.readAtLeast(names.stats, 1, Duration.ofSeconds(60));
            // Nothing more comes: after --idleness the source is idle.
            Thread.sleep(3_000);
            KafkaJobRuns.drain(job, savepoints);
        } finally {
            KafkaJobRuns.cancelIfRunning(job);
        }

        // Without the job's own end of event time: [(0, 10000, 1)] alone, "b" in no window.
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        s -> s.getWindowEnd().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 10_000L, 1L), tuple(10_000L, 20_000L, 1L));
    }

    @Test
    void aSavepointOfOtherWindowsIsRefusedAtStartRatherThanMixedWithTheNewOnes(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        // Watermark T0 + 11999 after "b": [0s, 10s) fires, [10s, 20s) holds "b" at the savepoint.
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("b", T0 + 12_000, "g", 2))));
        String savepoint = runToSavepoint(options(names, "--window", "10s"), names, 1, savepoints);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("c", T0 + 16_000, "g", 3))));

        // Restored into 5 s windows, the 10 s window [10s, 20s) of "b" would close beside the new
        // [15s, 20s) of "c": two windows of the group ending at 20 s, one of them half a window.
        assertThatThrownBy(
                        () ->
                                runToEnd(
                                        options(names, "--window", "5s", "--bounded"),
                                        restoringFrom(savepoint)))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("Cannot map checkpoint/savepoint state");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        s -> s.getWindowEnd().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 10_000L, 1L));

        // The same for a slide added to the same window length.
        assertThatThrownBy(
                        () ->
                                runToEnd(
                                        options(
                                                names,
                                                "--window",
                                                "10s",
                                                "--slide",
                                                "5s",
                                                "--bounded"),
                                        restoringFrom(savepoint)))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("Cannot map checkpoint/savepoint state");
    }

    @Test
    void aSavepointOfAnotherActivationIsRefusedRatherThanMixedIntoItsOpenWindows(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("a", T0 + 1_000, "g", -1)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("b", T0 + 12_000, "g", -1))));
        String savepoint = runToSavepoint(options(names, "--window", "10s"), names, 1, savepoints);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("c", T0 + 15_000, "g", -1))));

        // Restored, [10s, 20s) would hold relu(-1) = 0 of "b" and leaky_relu(-1) = -0.5 of "c",
        // and be reported as leaky_relu with a zero that leaky_relu never gives for -1.
        assertThatThrownBy(
                        () ->
                                runToEnd(
                                        options(
                                                names,
                                                "--window",
                                                "10s",
                                                "--activation",
                                                "leaky_relu(alpha=0.5)",
                                                "--bounded"),
                                        restoringFrom(savepoint)))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("Cannot map checkpoint/savepoint state");
        assertThat(stats(names))
                .extracting(ActivationStats::getActivation, ActivationStats::getZeroCount)
                .containsExactly(tuple("relu", 1L));
    }

    @Test
    void allowingNonRestoredStateDropsTheOpenWindowsOfTheOldDefinitionOnly(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("b", T0 + 12_000, "g", 2))));
        String savepoint = runToSavepoint(options(names, "--window", "10s"), names, 1, savepoints);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("c", T0 + 16_000, "g", 3)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("d", T0 + 21_000, "g", 4))));
        Configuration restore = restoringFrom(savepoint);
        restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        runToEnd(options(names, "--window", "5s", "--bounded"), restore);

        // The open 10 s window of "b" is dropped; the offsets are kept ("a" and "b" are not read
        // again), and so is event time: [15s, 20s) of "c", [20s, 25s) of "d", each once.
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        s -> s.getWindowEnd().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(
                        tuple(0L, 10_000L, 1L),
                        tuple(15_000L, 20_000L, 1L),
                        tuple(20_000L, 25_000L, 1L));
    }

    /**
     * A savepoint restored with another --input-topic reads that topic, not the one the savepoint
     * read as well: Kafka's source restores every partition it had and never revokes one, so the
     * records written to the old topic after the savepoint would be activated and counted in the
     * windows of a job told to read another topic.
     */
    @Test
    void aSavepointRestoredWithAnotherInputTopicReadsThatTopicOnly(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String newTopic = names.features + "-new";
        kafka.createTopics(1, newTopic);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("b", T0 + 12_000, "g", 2))));
        String savepoint = runToSavepoint(options(names, "--window", "10s"), names, 1, savepoints);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("old-topic", T0 + 15_000, "g", 5)),
                        TestRecords.record(
                                newTopic, 0, TestRecords.vector("c", T0 + 16_000, "g", 3)),
                        TestRecords.record(
                                newTopic, 0, TestRecords.vector("d", T0 + 21_000, "g", 4))));
        List<String> args =
                new ArrayList<>(List.of(options(names, "--window", "10s", "--bounded").toArgs()));
        args.set(args.indexOf("--input-topic=" + names.features), "--input-topic=" + newTopic);
        runToEnd(JobOptions.parse(args.toArray(new String[0])), restoringFrom(savepoint));

        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("a", "b", "c", "d");
        // The open window [10s, 20s) is kept, with "b" from the old topic and "c" from the new.
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 2L), tuple(20_000L, 1L));
    }

    /**
     * An unbounded run restored with another --input-topic closes its windows on the new topic's
     * event time at once. Flink's source operator gives each restored partition a watermark output
     * of its own, also the old topic's, which the run drops: never released, that output held the
     * watermark back until it was idle, --idleness later.
     */
    @Test
    void aRunRestoredWithAnotherInputTopicIsNotHeldBackByTheOldTopicsPartitions(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String newTopic = names.features + "-new";
        kafka.createTopics(1, newTopic);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("b", T0 + 12_000, "g", 2))));
        String savepoint =
                runToSavepoint(
                        options(names, "--window", "10s", "--idleness", "10m"),
                        names,
                        1,
                        savepoints);
        topics.produce(
                List.of(
                        TestRecords.record(
                                newTopic, 0, TestRecords.vector("c", T0 + 16_000, "g", 3)),
                        TestRecords.record(
                                newTopic, 0, TestRecords.vector("d", T0 + 21_000, "g", 4))));
        List<String> args =
                new ArrayList<>(
                        List.of(options(names, "--window", "10s", "--idleness", "10m").toArgs()));
        args.set(args.indexOf("--input-topic=" + names.features), "--input-topic=" + newTopic);
        JobClient restored =
                start(
                        JobOptions.parse(args.toArray(new String[0])),
                        restoringFrom(savepoint),
                        "restored, unbounded");
        try {
            // "d" closes [10s, 20s); it was closed 10 minutes later, when the old topic's
            // partition had been idle for --idleness.
            topics.readAtLeast(names.stats, 2, Duration.ofSeconds(60));
        } finally {
            KafkaJobRuns.cancelIfRunning(restored);
        }

        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L), tuple(10_000L, 2L));
    }

    /**
     * Back to the first topic: restored from a savepoint of a run of another --input-topic, which
     * was itself restored from one of the first topic, the job reads the first topic again (from
     * its earliest offsets, as a topic new to it). Kafka's enumerator kept the first topic's
     * partition as assigned through the second run, and never handed it out again: the third run
     * read nothing.
     */
    @Test
    void aSavepointRestoredWithTheInputTopicOfAnEarlierRunReadsThatTopicAgain(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String first = names.features;
        String second = names.features + "-second";
        kafka.createTopics(1, second);
        topics.produce(
                List.of(
                        TestRecords.record(first, 0, TestRecords.vector("a", T0 + 1_000, "g", 1)),
                        TestRecords.record(
                                first, 0, TestRecords.vector("b", T0 + 12_000, "g", 2))));
        String firstSavepoint =
                runToSavepoint(options(names, "--window", "10s"), names, 1, savepoints);
        topics.produce(
                List.of(
                        TestRecords.record(second, 0, TestRecords.vector("c", T0 + 13_000, "g", 3)),
                        TestRecords.record(
                                second, 0, TestRecords.vector("d", T0 + 21_000, "g", 4))));
        List<String> secondArgs =
                new ArrayList<>(List.of(options(names, "--window", "10s").toArgs()));
        secondArgs.set(secondArgs.indexOf("--input-topic=" + first), "--input-topic=" + second);
        JobClient secondRun =
                start(
                        JobOptions.parse(secondArgs.toArray(new String[0])),
                        restoringFrom(firstSavepoint),
                        "the second topic");
        topics.readAtLeast(names.stats, 2, Duration.ofSeconds(60));
        String secondSavepoint = stopWithSavepoint(secondRun, savepoints);
        topics.produce(
                List.of(
                        TestRecords.record(first, 0, TestRecords.vector("e", T0 + 22_000, "g", 5)),
                        TestRecords.record(
                                first, 0, TestRecords.vector("f", T0 + 31_000, "g", 6))));

        runToEnd(options(names, "--window", "10s", "--bounded"), restoringFrom(secondSavepoint));

        // "a" and "b" again, late now; "e" joins "d" in [20s, 30s), "f" closes [30s, 40s).
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("a", "b", "c", "d", "a", "b", "e", "f");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(
                        tuple(0L, 1L), tuple(10_000L, 2L), tuple(20_000L, 2L), tuple(30_000L, 1L));
    }

    @Test
    void aSavepointOfOneSubtaskRestoresIntoTwoWithEverythingItHeld(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        assertRestoredAtAnotherParallelism(names, savepoints, 1, 2);
    }

    @Test
    void aSavepointOfTwoSubtasksRestoresIntoOneWithEverythingItHeld(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 2);
        // Exactly-once: the transactional sinks of two subtasks restore into one as well.
        assertRestoredAtAnotherParallelism(
                names,
                savepoints,
                2,
                1,
                "--delivery-guarantee",
                "exactly-once",
                "--checkpoint-interval",
                "1s",
                "--transactional-id-prefix",
                names.features);
    }

    /**
     * The max parallelism is that of the first start: the keyed state is split into that many key
     * groups, so a restore wider than it, or one that asks for another, is refused at start.
     */
    @Test
    void aSavepointRestoresNoWiderThanTheMaxParallelismOfItsFirstStart(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        topics.produce(
                List.of(
                        deadAndAlive(names.features, 0, "g", "a", 1_000),
                        deadAndAlive(names.features, 0, "g", "b", 12_000)));
        Configuration firstStart = new Configuration();
        firstStart.set(PipelineOptions.MAX_PARALLELISM, 1);
        JobClient first = start(options(names, "--window", "10s"), firstStart, "max parallelism 1");
        topics.readAtLeast(names.stats, 1, Duration.ofSeconds(60));
        String savepoint = stopWithSavepoint(first, savepoints);

        assertThatThrownBy(
                        () ->
                                runToEnd(
                                        options(names, 2, "--window", "10s", "--bounded"),
                                        restoringFrom(savepoint)))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining(
                        "The maximum parallelism (1) of the restored state is lower than the"
                                + " configured parallelism (2)");
        Configuration wider = restoringFrom(savepoint);
        wider.set(PipelineOptions.MAX_PARALLELISM, 2);
        assertThatThrownBy(() -> runToEnd(options(names, "--window", "10s", "--bounded"), wider))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("Cannot map operator")
                .hasStackTraceContaining(
                        "with max parallelism 1 to new program with max parallelism 2");
        assertThat(stats(names))
                .extracting(
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactly(tuple(0L, 1L));
    }

    /** Record {@code id} of {@code group} at {@code millis} after T0: feature 0 dead, 1 alive. */
    private static ProducerRecord<byte[], byte[]> deadAndAlive(
            String topic, int partition, String group, String id, long millis) {
        return TestRecords.record(
                topic, partition, TestRecords.vector(id, T0 + millis, group, -1, 1));
    }

    /**
     * Runs the job {@code before} subtasks wide over the two partitions of its input topic to a
     * savepoint, restores it {@code after} wide and runs it to its end: the offsets, the open
     * windows, the alert streaks and the event time reached all come through.
     */
    private static void assertRestoredAtAnotherParallelism(
            JobTopics names, Path savepoints, int before, int after, String... extra)
            throws Exception {
        // Two subtasks keep the groups apart (key groups 81 and 22 of the default 128): a run
        // two wide holds each group's windows and streaks in another subtask.
        assertThat(List.of("a", "b"))
                .extracting(
                        group -> KeyGroupRangeAssignment.assignKeyToParallelOperator(group, 128, 2))
                .containsExactly(1, 0);
        String topic = names.features;
        // Event time T0 + 10999 once "a-11" and "b-12", the last of their partitions, are read
        // (partition 0 at 10999, partition 1 at 11999): [0s, 10s) fires with two records of each
        // group, and [10s, 20s) holds "a-11" and "b-12" at the savepoint.
        topics.produce(
                List.of(
                        deadAndAlive(topic, 0, "a", "a-1", 1_000),
                        deadAndAlive(topic, 0, "b", "b-3", 3_000),
                        deadAndAlive(topic, 0, "a", "a-11", 11_000),
                        deadAndAlive(topic, 1, "a", "a-2", 2_000),
                        deadAndAlive(topic, 1, "b", "b-4", 4_000),
                        deadAndAlive(topic, 1, "b", "b-12", 12_000)));
        List<String> args = new ArrayList<>(List.of("--window", "10s"));
        args.addAll(List.of(extra));
        String savepoint =
                runToSavepoint(
                        options(names, before, args.toArray(new String[0])), names, 2, savepoints);
        // "late-a-5" and "late-b-6" are of [0s, 10s), closed for good before the savepoint: late
        // after it, whichever subtask holds their group now. [10s, 20s) gets two more records of
        // each group, [20s, 30s) and [30s, 40s) one each.
        topics.produce(
                List.of(
                        deadAndAlive(topic, 0, "a", "late-a-5", 5_000),
                        deadAndAlive(topic, 0, "a", "a-13", 13_000),
                        deadAndAlive(topic, 0, "b", "b-14", 14_000),
                        deadAndAlive(topic, 0, "a", "a-21", 21_000),
                        deadAndAlive(topic, 0, "b", "b-32", 32_000),
                        deadAndAlive(topic, 1, "b", "late-b-6", 6_000),
                        deadAndAlive(topic, 1, "b", "b-15", 15_000),
                        deadAndAlive(topic, 1, "a", "a-16", 16_000),
                        deadAndAlive(topic, 1, "b", "b-22", 22_000),
                        deadAndAlive(topic, 1, "a", "a-31", 31_000)));
        args.add("--bounded");
        runToEnd(options(names, after, args.toArray(new String[0])), restoringFrom(savepoint));

        // Each record once: the offsets of both partitions came through, none read twice.
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactlyInAnyOrder(
                        "a-1",
                        "b-3",
                        "a-11",
                        "a-2",
                        "b-4",
                        "b-12",
                        "late-a-5",
                        "a-13",
                        "b-14",
                        "a-21",
                        "b-32",
                        "late-b-6",
                        "b-15",
                        "a-16",
                        "b-22",
                        "a-31");
        // [10s, 20s) kept the records from before the savepoint: "a-11" with "a-13" and "a-16",
        // "b-12" with "b-14" and "b-15". [0s, 10s) once, without the late records.
        assertThat(stats(names))
                .extracting(
                        ActivationStats::getGroup,
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactlyInAnyOrder(
                        tuple("a", 0L, 2L),
                        tuple("b", 0L, 2L),
                        tuple("a", 10_000L, 3L),
                        tuple("b", 10_000L, 3L),
                        tuple("a", 20_000L, 1L),
                        tuple("b", 20_000L, 1L),
                        tuple("a", 30_000L, 1L),
                        tuple("b", 30_000L, 1L));
        // Feature 0 is dead in every window: [0s, 10s) before the savepoint, then [10s, 20s) and
        // [20s, 30s) are the second and third in a row (--dead-windows 3 by default). A streak
        // lost on the restore would be reported in [30s, 40s).
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.alerts), ActivationAlert::fromByteBuffer))
                .extracting(
                        ActivationAlert::getGroup,
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        alert -> alert.getWindowStart().toEpochMilli() - T0)
                .containsExactlyInAnyOrder(
                        tuple("a", "dead_feature", 0, 20_000L),
                        tuple("b", "dead_feature", 0, 20_000L));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.late), ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactlyInAnyOrder("late-a-5", "late-b-6");
    }

    /** Records r{from} to r{to - 1} of group g, 100 ms apart from T0, in partition 0. */
    private static List<ProducerRecord<byte[], byte[]>> records(String topic, int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(
                        i ->
                                TestRecords.record(
                                        topic,
                                        0,
                                        TestRecords.vector("r" + i, T0 + i * 100L, "g", i % 2)))
                .collect(Collectors.toList());
    }

    // Static: the MiniCluster runs in this JVM, and they outlive the failover they cause.
    private static volatile String extraTopic;
    private static final AtomicInteger EXTRA_PRODUCED = new AtomicInteger();
    private static final AtomicInteger FAILOVERS = new AtomicInteger();

    /**
     * Once the restored run reads, writes r300 to r399 to its input, then fails at the first record
     * after a completed checkpoint; slowed down so that checkpoints fall between records.
     */
    private static final class ProduceThenFail
            extends RichMapFunction<SourcedFeatureVector, SourcedFeatureVector>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;

        private transient boolean checkpointCompleted;

        @Override
        public SourcedFeatureVector map(SourcedFeatureVector record) throws Exception {
            Thread.sleep(20);
            if (EXTRA_PRODUCED.compareAndSet(0, 1)) {
                topics.produce(records(extraTopic, 300, 400));
            }
            if (checkpointCompleted && FAILOVERS.compareAndSet(0, 1)) {
                throw new IllegalStateException("Injected failure after a checkpoint");
            }
            return record;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointCompleted = true;
        }
    }

    @Test
    void aFailoverOfABoundedRunRestoredFromAnUnboundedOneStopsWhereTheRunWould(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        List<String> args =
                List.of(
                        "--window",
                        "1s",
                        "--delivery-guarantee",
                        "exactly-once",
                        "--checkpoint-interval",
                        "100ms");
        topics.produce(records(names.features, 0, 50));
        JobOptions unbounded = options(names, args.toArray(new String[0]));
        JobClient first = start(unbounded, new Configuration(), "unbounded, until the savepoint");
        topics.readAtLeast(names.activations, 50, Duration.ofSeconds(60));
        String savepoint =
                first.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        topics.produce(records(names.features, 50, 300));

        extraTopic = names.features;
        EXTRA_PRODUCED.set(0);
        FAILOVERS.set(0);
        List<String> boundedArgs = new ArrayList<>(args);
        boundedArgs.add("--bounded");
        JobClient second =
                start(
                        options(names, boundedArgs.toArray(new String[0])),
                        restoringFrom(savepoint),
                        "bounded, restored, failing over",
                        new ActivationStatsPipeline.StageTaps(
                                stream ->
                                        stream.map(new ProduceThenFail())
                                                .returns(
                                                        TypeInformation.of(
                                                                SourcedFeatureVector.class)),
                                stream -> stream));
        try {
            second.getJobExecutionResult().get(180, TimeUnit.SECONDS);
        } finally {
            if (!second.getJobStatus().get().isGloballyTerminalState()) {
                second.cancel().get(30, TimeUnit.SECONDS);
            }
        }

        // The run started at offset 300: it ends there, before and after its failover; r300 to
        // r399, written while it ran, are for the next run. 30 windows of 1 s, 10 records each.
        assertThat(FAILOVERS).hasValue(1);
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(vector -> vector.getId())
                .containsExactlyElementsOf(
                        IntStream.range(0, 300)
                                .mapToObj(i -> "r" + i)
                                .collect(Collectors.toList()));
        List<ActivationStats> stats = stats(names);
        assertThat(stats)
                .extracting(s -> (s.getWindowStart().toEpochMilli() - T0) / 1_000)
                .containsExactlyElementsOf(
                        IntStream.range(0, 30)
                                .mapToObj(i -> (long) i)
                                .collect(Collectors.toList()));
        assertThat(stats).extracting(ActivationStats::getRecordCount).containsOnly(10L);
    }
}
