package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
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
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.relustream.jobs.KafkaJobRuns.cancelIfRunning;
import static io.relustream.jobs.KafkaJobRuns.restoringFrom;
import static io.relustream.jobs.KafkaJobRuns.start;
import static io.relustream.jobs.KafkaJobRuns.stopWithSavepoint;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job several subtasks wide: over more partitions than subtasks and fewer, with partitions that
 * never get a record, and run two wide, stopped with a savepoint, restored four wide, stopped again
 * and restored one wide. Every output is checked exactly against {@link ContractStatistics}, which
 * knows nothing of subtasks: the statistics and alerts of a parallel run are those of one subtask,
 * and a savepoint carries the open windows, the alert streaks and event time to any parallelism.
 */
class ParallelRunsITCase {

    private static final int SLOTS = 4;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(SLOTS)
                            .build());

    /** Aligned to a 10-second window. */
    private static final long T0 = 1_700_000_000_000L;

    private static final long WINDOW = 10_000L;

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

    /**
     * Records of windows {@code from} to {@code to - 1}: four per group and window, each in its own
     * partition of the first {@code fed} (round robin), so every fed partition has records of every
     * window, in window order. Group a: feature 0 always dead, feature 1 dead in windows 0 to 2.
     * Group b: NaN and infinities now and then. Group c: feature 1 dead in windows 1 to 5.
     */
    private static final class Input {
        final List<FeatureVector> vectors = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> garbage = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        private final String topic;
        private final int fed;
        private int next;

        Input(String topic, int fed) {
            this.topic = topic;
            this.fed = fed;
        }

        /** Adds windows {@code from} to {@code to - 1}; returns the records added. */
        List<ProducerRecord<byte[], byte[]>> windows(int from, int to) {
            List<ProducerRecord<byte[], byte[]>> added = new ArrayList<>();
            for (int window = from; window < to; window++) {
                // Out of event-time order within a window, in order across windows.
                for (int j : new int[] {3, 1, 0, 2}) {
                    long t = T0 + window * WINDOW + j * 2_000L + 250;
                    double a1 = window < 3 ? -0.5 * (j + 1) : 0.5 * (j + 1);
                    added.add(add("a", window, j, t, -(1.0 + j), a1, (j - 1.5) * (window + 1)));
                    double special =
                            window % 3 == 1 && j == 0
                                    ? Double.NaN
                                    : window % 3 == 2 && j == 3
                                            ? Double.POSITIVE_INFINITY
                                            : window % 4 == 0 && j == 1
                                                    ? Double.NEGATIVE_INFINITY
                                                    : j - 1.25;
                    added.add(add("b", window, j, t + 500, 0.25 * window - j, special));
                    double c1 = window >= 1 && window <= 5 ? -1.0 - j : 1.0 + j;
                    added.add(add("c", window, j, t + 1_000, j + 0.5, c1, 2.5, window - 2.5));
                }
            }
            return added;
        }

        private ProducerRecord<byte[], byte[]> add(
                String group, int window, int j, long t, double... values) {
            FeatureVector vector =
                    TestRecords.vector(group + "-" + window + "-" + j, t, group, values);
            vectors.add(vector);
            ProducerRecord<byte[], byte[]> record = TestRecords.record(topic, next++ % fed, vector);
            records.add(record);
            return record;
        }

        /** Bytes that do not decode, into {@code partition}. */
        ProducerRecord<byte[], byte[]> garbage(int partition, String text) {
            ProducerRecord<byte[], byte[]> record =
                    new ProducerRecord<>(
                            topic,
                            partition,
                            text.getBytes(StandardCharsets.UTF_8),
                            text.getBytes(StandardCharsets.UTF_8));
            garbage.add(record);
            records.add(record);
            return record;
        }

        /**
         * A record of group a in {@code window}, into {@code partition}, once that window has
         * closed: activated, written to the late topic, in no statistics.
         */
        ProducerRecord<byte[], byte[]> late(int partition, int window) {
            String id = "late-" + window;
            FeatureVector vector = TestRecords.vector(id, T0 + window * WINDOW + 5_000, "a", 7, 7);
            vectors.add(vector);
            late.add(id);
            ProducerRecord<byte[], byte[]> record = TestRecords.record(topic, partition, vector);
            records.add(record);
            return record;
        }

        /** The vectors of windows before {@code window} that came on time. */
        List<FeatureVector> before(int window) {
            return vectors.stream()
                    .filter(v -> !late.contains(v.getId()))
                    .filter(v -> v.getEventTime().toEpochMilli() < T0 + window * WINDOW)
                    .collect(Collectors.toList());
        }
    }

    private static JobOptions options(JobTopics names, int parallelism, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--group-id",
                                names.features + "-group",
                                "--parallelism",
                                String.valueOf(parallelism),
                                "--window",
                                "10s",
                                "--out-of-orderness",
                                "0s"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    private static <T> List<T> read(String topic, TestRecords.Decoder<T> decoder) {
        return TestRecords.decodeAll(topics.readAll(topic), decoder);
    }

    /**
     * Everything a run wrote, checked against the contract for {@code input}: each record one
     * activation or one dead letter, the statistics of the windows before {@code closedBefore} once
     * each, and the alerts of those windows once each.
     */
    private static void assertOutputs(JobTopics names, Input input, int closedBefore) {
        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<ActivationVector> late = read(names.late, ActivationVector::fromByteBuffer);
        List<ActivationStats> stats = read(names.stats, ActivationStats::fromByteBuffer);
        List<ActivationAlert> alerts = read(names.alerts, ActivationAlert::fromByteBuffer);

        // Every input once: an activation or a dead letter; the late ones in the late topic too.
        assertThat(activations.size() + deadLetters.size()).isEqualTo(input.records.size());
        assertThat(activations).hasSize(input.vectors.size());
        JobOutputAssertions.assertActivations(activations, input.vectors);
        assertThat(deadLetters)
                .extracting(
                        letter -> new String(TestRecords.bytes(letter.getPayload())),
                        DeadLetter::getPartition)
                .containsExactlyInAnyOrderElementsOf(
                        input.garbage.stream()
                                .map(
                                        g ->
                                                org.assertj.core.groups.Tuple.tuple(
                                                        new String(g.value()), g.partition()))
                                .collect(Collectors.toList()));
        assertThat(late).extracting(v -> v.getId()).containsExactlyInAnyOrderElementsOf(input.late);

        ContractStatistics expected =
                ContractStatistics.relu(input.before(closedBefore), WINDOW, WINDOW);
        JobOutputAssertions.assertStats(stats, expected, 1.0);
        // The windows' record counts and the late records add up to the activations of the
        // windows that closed.
        long closedEnd = T0 + closedBefore * WINDOW;
        assertThat(stats.stream().mapToLong(ActivationStats::getRecordCount).sum() + late.size())
                .isEqualTo(
                        activations.stream()
                                .filter(v -> v.getEventTime().toEpochMilli() < closedEnd)
                                .count());

        for (String group : List.of("a", "b", "c")) {
            assertThat(alerts.stream().filter(alert -> alert.getGroup().equals(group)))
                    .as("alerts of " + group)
                    .extracting(
                            ActivationAlert::getKind,
                            ActivationAlert::getFeature,
                            alert -> alert.getWindowStart().toEpochMilli() - T0)
                    .containsExactlyElementsOf(
                            JobOutputAssertions.expectedAlerts(expected, group, 3, 1.0, T0));
        }
    }

    private static String[] with(String[] options, String... more) {
        List<String> all = new ArrayList<>(List.of(options));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    /** How many alerts the windows before {@code closedBefore} raise, by the contract's rules. */
    private static int expectedAlerts(Input input, int closedBefore) {
        ContractStatistics expected =
                ContractStatistics.relu(input.before(closedBefore), WINDOW, WINDOW);
        return List.of("a", "b", "c").stream()
                .mapToInt(g -> JobOutputAssertions.expectedAlerts(expected, g, 3, 1.0, T0).size())
                .sum();
    }

    /**
     * Partition 0 holds every record; the others never get one. Each silent partition, and each
     * source subtask without a partition, holds event time back for {@code --idleness} only. With
     * one partition fed, no record can be late whatever the pace of the subtasks.
     */
    @ParameterizedTest(name = "{0} partitions, {1} wide")
    @CsvSource({"3, 4", "5, 2"})
    void silentPartitionsAndSubtasksWithoutOneCloseWindowsAfterTheIdleness(
            int partitions, int parallelism, TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName() + "-" + partitions;
        JobTopics names = JobTopics.create(kafka, name, partitions);
        Input input = new Input(names.features, 1);
        input.windows(0, 6);
        input.garbage(0, "not avro");
        topics.produce(input.records);

        JobClient job =
                start(
                        options(names, parallelism, "--idleness", "1s"),
                        new Configuration(),
                        parallelism + " wide");
        try {
            // Windows 0 to 4 of three groups close; window 5 stays open, nothing comes after it.
            topics.readAtLeast(names.stats, 3 * 5, Duration.ofSeconds(60));
            topics.readAtLeast(names.alerts, expectedAlerts(input, 5), Duration.ofSeconds(10));
        } finally {
            cancelIfRunning(job);
        }
        assertOutputs(names, input, 5);
    }

    @Test
    void moreSubtasksOrFewerAfterASavepointLoseAndRepeatNothing(
            TestInfo test, @TempDir Path savepoints) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 6);
        Input input = new Input(names.features, 6);
        String idleness = "10m";
        String[] exactlyOnce = {
            "--delivery-guarantee", "exactly-once", "--checkpoint-interval", "300ms"
        };

        // Two wide over six partitions: windows 0 and 1 close, 2 is open at the savepoint.
        topics.produce(input.windows(0, 3));
        JobClient first =
                start(
                        options(names, 2, with(exactlyOnce, "--idleness", idleness)),
                        new Configuration(),
                        "2");
        topics.readAtLeast(names.stats, 3 * 2, Duration.ofSeconds(60));
        String savepoint = stopWithSavepoint(first, savepoints.resolve("first"));

        // Four wide: windows 2 to 4 close, 5 is open at the savepoint. A record of window 0,
        // closed for good before the savepoint, is late after it too.
        List<ProducerRecord<byte[], byte[]>> second = new ArrayList<>(input.windows(3, 6));
        second.add(input.garbage(4, "bad bytes in the second run"));
        second.add(input.late(5, 0));
        topics.produce(second);
        JobClient wider =
                start(
                        options(names, SLOTS, with(exactlyOnce, "--idleness", idleness)),
                        restoringFrom(savepoint),
                        "4, restored");
        topics.readAtLeast(names.stats, 3 * 5, Duration.ofSeconds(60));
        savepoint = stopWithSavepoint(wider, savepoints.resolve("second"));

        // One wide, to the end of the input: windows 5 to 8; a record of window 3 is late.
        List<ProducerRecord<byte[], byte[]>> third = new ArrayList<>(input.windows(6, 9));
        third.add(input.garbage(1, "bad bytes in the third run"));
        third.add(input.late(2, 3));
        topics.produce(third);
        JobClient narrower =
                start(
                        options(names, 1, with(exactlyOnce, "--idleness", idleness, "--bounded")),
                        restoringFrom(savepoint),
                        "1, restored");
        try {
            narrower.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        } finally {
            cancelIfRunning(narrower);
        }

        assertOutputs(names, input, 9);
    }
}
