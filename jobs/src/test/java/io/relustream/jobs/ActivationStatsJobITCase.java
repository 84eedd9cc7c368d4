package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The job end to end: a real in-process Kafka broker, a real Flink MiniCluster, the job's own main
 * entry point with {@code --bounded}; every output topic read back and checked against a separate,
 * plain calculation.
 */
class ActivationStatsJobITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Aligned to a 10-second window. */
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

    /** The input: two groups over five windows, NaN and infinities, disorder, and bad bytes. */
    private static final class Input {
        final List<FeatureVector> onTime = new ArrayList<>();
        final List<FeatureVector> late = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        final List<byte[]> garbage = new ArrayList<>();

        Input(String topic, boolean withLateRecord, int partitions) {
            for (int window = 0; window < 5; window++) {
                // Within a window the records are produced out of event-time order.
                for (int j : new int[] {2, 0, 1}) {
                    long t = T0 + window * 10_000L + j * 3_000L + 500;
                    double f1 = window < 3 ? -0.5 * (j + 1) : 0.5 * (j + 1);
                    double f2 = (j - 1) * (window + 1.0);
                    add(
                            topic,
                            partitions,
                            TestRecords.vector(
                                    "a-" + window + "-" + j, t, "a", -(1.0 + j), f1, f2));
                    if (window < 2) {
                        double special =
                                window == 1
                                        ? new double[] {2.0, -3.0, 0.5}[j]
                                        : new double[] {
                                                    Double.NaN,
                                                    Double.POSITIVE_INFINITY,
                                                    Double.NEGATIVE_INFINITY
                                                }
                                                [j];
                        add(
                                topic,
                                partitions,
                                TestRecords.vector(
                                        "b-" + window + "-" + j,
                                        t,
                                        "b",
                                        j - 1.0 + 0.25 * window,
                                        special));
                    }
                }
                if (window == 2) {
                    byte[] bytes = "not avro at all".getBytes(StandardCharsets.UTF_8);
                    garbage.add(bytes);
                    records.add(new ProducerRecord<>(topic, 0, "junk".getBytes(), bytes));
                }
            }
            if (withLateRecord) {
                // Event time in the first window, produced after the fifth: its windows closed.
                FeatureVector late = TestRecords.vector("a-late", T0 + 1_000L, "a", -7.0, 7.0, 0.0);
                this.late.add(late);
                records.add(TestRecords.record(topic, 0, late));
            }
        }

        private void add(String topic, int partitions, FeatureVector vector) {
            onTime.add(vector);
            int partition = Math.floorMod(vector.getId().hashCode(), partitions);
            records.add(TestRecords.record(topic, partition, vector));
        }

        int inputCount() {
            return records.size();
        }
    }

    private static JobTopics createTopics(TestInfo test, int partitions) throws Exception {
        return JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), partitions);
    }

    private static void runJob(JobTopics names, String... extra) throws Exception {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--bounded"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        ActivationStatsJob.run(JobOptions.parse(args.toArray(new String[0])));
    }

    private static <T> List<T> read(String topic, TestRecords.Decoder<T> decoder) {
        return TestRecords.decodeAll(topics.readAll(topic), decoder);
    }

    @Test
    void tumblingWindowsOnOnePartition(TestInfo test) throws Exception {
        JobTopics names = createTopics(test, 1);
        Input input = new Input(names.features, true, 1);
        topics.produce(input.records);

        runJob(names, "--parallelism", "1", "--watermark-interval", "0");

        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<ActivationStats> stats = read(names.stats, ActivationStats::fromByteBuffer);
        List<ActivationAlert> alerts = read(names.alerts, ActivationAlert::fromByteBuffer);
        List<ActivationVector> late = read(names.late, ActivationVector::fromByteBuffer);

        // Nothing lost: every input is an activation or a dead letter, exactly once.
        assertThat(input.inputCount()).isEqualTo(23);
        assertThat(activations).hasSize(22);
        assertThat(deadLetters).hasSize(1);
        assertThat(activations.size() + deadLetters.size()).isEqualTo(input.inputCount());
        assertActivations(activations, input);

        DeadLetter letter = deadLetters.get(0);
        assertThat(letter.getPayload()).isEqualTo(ByteBuffer.wrap(input.garbage.get(0)));
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("junk".getBytes()));
        assertThat(letter.getTopic()).isEqualTo(names.features);
        assertThat(letter.getPartition()).isZero();
        assertThat(letter.getOffset()).isEqualTo(15L);
        assertThat(letter.getReason())
                .isEqualTo(
                        "payload does not start with the Avro single-object marker C3 01 (found 6E"
                                + " 6F): it is not a FeatureVector record in avro-single-object"
                                + " format");

        assertThat(late).extracting(ActivationVector::getId).containsExactly("a-late");
        assertThat(late.get(0).getActivations()).containsExactly(0.0, 7.0, 0.0);

        Map<String, ExpectedStatistics.Row> expected =
                ExpectedStatistics.compute(
                        input.onTime, ExpectedStatistics::relu, 0.0, 10_000L, 10_000L);
        assertStats(stats, expected, 1.0);
        assertThat(stats).hasSize(7);

        assertThat(alerts)
                .extracting(
                        ActivationAlert::getGroup,
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        a -> a.getWindowStart().toEpochMilli() - T0,
                        ActivationAlert::getValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", "dead_feature", 0, 20_000L, 1.0),
                        org.assertj.core.groups.Tuple.tuple("a", "dead_feature", 1, 20_000L, 1.0),
                        org.assertj.core.groups.Tuple.tuple("a", "recovered", 1, 30_000L, 0.0));
    }

    @Test
    void slidingWindows(TestInfo test) throws Exception {
        JobTopics names = createTopics(test, 1);
        Input input = new Input(names.features, true, 1);
        topics.produce(input.records);

        runJob(
                names,
                "--parallelism",
                "1",
                "--watermark-interval",
                "0",
                "--window",
                "10s",
                "--slide",
                "5s",
                "--dead-windows",
                "2");

        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<ActivationStats> stats = read(names.stats, ActivationStats::fromByteBuffer);
        List<ActivationAlert> alerts = read(names.alerts, ActivationAlert::fromByteBuffer);

        assertThat(activations.size() + deadLetters.size()).isEqualTo(input.inputCount());
        assertActivations(activations, input);
        Map<String, ExpectedStatistics.Row> expected =
                ExpectedStatistics.compute(
                        input.onTime, ExpectedStatistics::relu, 0.0, 10_000L, 5_000L);
        assertStats(stats, expected, 1.0);
        // Windows start every 5s from T0 - 5s to T0 + 45s for a, to T0 + 15s for b.
        assertThat(stats).hasSize(11 + 5);
        assertThat(alerts)
                .extracting(
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        a -> a.getWindowStart().toEpochMilli() - T0)
                .containsExactlyElementsOf(expectedAlerts(expected, "a", 2, 1.0));
    }

    @Test
    void parallelismTwoOnTwoPartitions(TestInfo test) throws Exception {
        JobTopics names = createTopics(test, 2);
        Input input = new Input(names.features, false, 2);
        topics.produce(input.records);

        runJob(names, "--parallelism", "2");

        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<ActivationStats> stats = read(names.stats, ActivationStats::fromByteBuffer);
        List<ActivationAlert> alerts = read(names.alerts, ActivationAlert::fromByteBuffer);

        assertThat(input.records.stream().map(ProducerRecord::partition).distinct())
                .containsExactlyInAnyOrder(0, 1);
        assertThat(activations).hasSize(21);
        assertThat(deadLetters).hasSize(1);
        assertActivations(activations, input);
        assertStats(
                stats,
                ExpectedStatistics.compute(
                        input.onTime, ExpectedStatistics::relu, 0.0, 10_000L, 10_000L),
                1.0);
        assertThat(alerts).hasSize(3);
    }

    /** Dead-feature alerts of one group, from the expected rows by the plain streak rule. */
    private static List<org.assertj.core.groups.Tuple> expectedAlerts(
            Map<String, ExpectedStatistics.Row> rows,
            String group,
            int deadWindows,
            double threshold) {
        List<ExpectedStatistics.Row> windows =
                rows.values().stream()
                        .filter(row -> row.group.equals(group))
                        .sorted((x, y) -> Long.compare(x.windowStart, y.windowStart))
                        .collect(Collectors.toList());
        Map<Integer, Integer> streak = new HashMap<>();
        Map<Integer, Boolean> alerted = new HashMap<>();
        List<org.assertj.core.groups.Tuple> alerts = new ArrayList<>();
        for (ExpectedStatistics.Row row : windows) {
            List<Double> fractions = row.perFeatureZeroFraction();
            for (int i = 0; i < fractions.size(); i++) {
                if (fractions.get(i) >= threshold) {
                    int length = streak.merge(i, 1, Integer::sum);
                    if (length == deadWindows && !alerted.getOrDefault(i, false)) {
                        alerts.add(
                                org.assertj.core.groups.Tuple.tuple(
                                        "dead_feature", i, row.windowStart - T0));
                        alerted.put(i, true);
                    }
                } else {
                    streak.put(i, 0);
                    if (alerted.getOrDefault(i, false)) {
                        alerts.add(
                                org.assertj.core.groups.Tuple.tuple(
                                        "recovered", i, row.windowStart - T0));
                        alerted.put(i, false);
                    }
                }
            }
        }
        return alerts;
    }

    private static void assertActivations(List<ActivationVector> activations, Input input) {
        Map<String, ActivationVector> byId = new HashMap<>();
        activations.forEach(a -> byId.put(a.getId(), a));
        List<FeatureVector> all = new ArrayList<>(input.onTime);
        all.addAll(input.late);
        assertThat(byId).hasSize(all.size());
        for (FeatureVector vector : all) {
            ActivationVector activation = byId.get(vector.getId());
            assertThat(activation).as(vector.getId()).isNotNull();
            assertThat(activation.getGroup()).isEqualTo(vector.getGroup());
            assertThat(activation.getEventTime()).isEqualTo(vector.getEventTime());
            assertThat(activation.getActivation()).isEqualTo("relu");
            List<Double> expectedValues = new ArrayList<>();
            List<Double> expectedDerivatives = new ArrayList<>();
            for (double z : vector.getValues()) {
                expectedValues.add(ExpectedStatistics.relu(z));
                expectedDerivatives.add(Double.isNaN(z) ? Double.NaN : z > 0 ? 1.0 : 0.0);
            }
            assertThat(activation.getActivations()).as(vector.getId()).isEqualTo(expectedValues);
            assertThat(activation.getDerivatives())
                    .as(vector.getId())
                    .isEqualTo(expectedDerivatives);
        }
    }

    private static void assertStats(
            List<ActivationStats> stats,
            Map<String, ExpectedStatistics.Row> expected,
            double deadThreshold) {
        Map<String, ActivationStats> byKey = new HashMap<>();
        for (ActivationStats s : stats) {
            String key = s.getGroup() + "@" + s.getWindowStart().toEpochMilli();
            assertThat(byKey.put(key, s)).as("one result per window: " + key).isNull();
        }
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, ExpectedStatistics.Row> entry : expected.entrySet()) {
            ExpectedStatistics.Row row = entry.getValue();
            ActivationStats actual = byKey.get(entry.getKey());
            String at = entry.getKey();
            assertThat(actual.getWindowEnd().toEpochMilli()).as(at).isEqualTo(row.windowEnd);
            assertThat(actual.getActivation()).as(at).isEqualTo("relu");
            assertThat(actual.getRecordCount()).as(at).isEqualTo(row.records);
            assertThat(actual.getValueCount()).as(at).isEqualTo(row.values);
            assertThat(actual.getZeroCount()).as(at).isEqualTo(row.zeros);
            assertThat(actual.getZeroFraction()).as(at).isEqualTo(row.zeroFraction());
            assertThat(actual.getNanCount()).as(at).isEqualTo(row.nan);
            assertThat(actual.getPosInfCount()).as(at).isEqualTo(row.posInf);
            assertThat(actual.getNegInfCount()).as(at).isEqualTo(row.negInf);
            assertThat(actual.getNegativeInputFraction())
                    .as(at)
                    .isEqualTo(row.negativeInputFraction());
            assertThat(actual.getMin()).as(at).isEqualTo(row.min());
            assertThat(actual.getMax()).as(at).isEqualTo(row.max());
            assertClose(actual.getMean(), row.mean(), at + " mean");
            assertClose(actual.getStddev(), row.stddev(), at + " stddev");
            assertThat(actual.getP50()).as(at).isEqualTo(row.quantile(0.5));
            assertThat(actual.getP90()).as(at).isEqualTo(row.quantile(0.9));
            assertThat(actual.getP99()).as(at).isEqualTo(row.quantile(0.99));
            assertThat(actual.getPerFeatureZeroFraction())
                    .as(at)
                    .isEqualTo(row.perFeatureZeroFraction());
            assertThat(actual.getDeadFeatures()).as(at).isEqualTo(row.deadFeatures(deadThreshold));
        }
    }

    /** Means and deviations depend on the order of a floating-point sum; NaN must match NaN. */
    private static void assertClose(Double actual, Double expected, String what) {
        if (expected == null || expected.isNaN() || expected.isInfinite()) {
            assertThat(actual).as(what).isEqualTo(expected);
        } else {
            assertThat(actual)
                    .as(what)
                    .isCloseTo(expected, within(1e-12 * Math.max(1, Math.abs(expected))));
        }
    }
}
