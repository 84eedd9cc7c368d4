package io.relustream.stats;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/** The window aggregate and the detector on a real Flink MiniCluster, with Kryo switched off. */
class ActivationStatsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static StreamExecutionEnvironment environment() {
        Configuration configuration = new Configuration();
        // A Kryo fallback would be a bug: samples are POJOs, the accumulator has its serializer.
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        return env;
    }

    /** Records of two groups over 0..40 s, in shuffled order, with NaN, zeros, ragged lengths. */
    private static List<ActivationSample> samples() {
        Random random = new Random(3);
        List<ActivationSample> samples = new ArrayList<>();
        for (int r = 0; r < 300; r++) {
            double[] inputs = new double[1 + random.nextInt(6)];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = random.nextInt(15) == 0 ? Double.NaN : random.nextGaussian();
            }
            double[] activations = new double[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                activations[i] = Double.isNaN(inputs[i]) ? Double.NaN : Math.max(inputs[i], 0.0);
            }
            samples.add(
                    ActivationSample.of(
                            "r" + r,
                            random.nextInt(40_000),
                            random.nextBoolean() ? "layer1" : "layer2",
                            inputs,
                            activations,
                            0.0));
        }
        return samples;
    }

    private static DataStream<ActivationSample> source(
            StreamExecutionEnvironment env, List<ActivationSample> samples) {
        return env.fromData(samples, TypeInformation.of(ActivationSample.class))
                .assignTimestampsAndWatermarks(
                        // The bound covers the whole input: no record is late, all windows fire
                        // at the end of the bounded input.
                        WatermarkStrategy.<ActivationSample>forBoundedOutOfOrderness(
                                        Duration.ofSeconds(60))
                                .withTimestampAssigner((s, previous) -> s.eventTime));
    }

    private static List<ActivationStats> run(
            List<ActivationSample> samples, WindowAssigner<Object, TimeWindow> windows)
            throws Exception {
        StreamExecutionEnvironment env = environment();
        DataStream<ActivationStats> stats =
                source(env, samples)
                        .keyBy(s -> s.group)
                        .window(windows)
                        .aggregate(
                                new ActivationStatsAggregate(),
                                new ActivationStatsWindowFunction("relu", 1.0));
        return drain(stats.executeAndCollect());
    }

    private static <T> List<T> drain(CloseableIterator<T> iterator) throws Exception {
        List<T> items = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(items::add);
        }
        return items;
    }

    /** What one group's window should hold, counted record by record. */
    private static final class Expected {
        long records;
        long values;
        long zeros;
        long nanInputs;
        final List<long[]> features = new ArrayList<>(); // {records, zeros} per index

        void add(ActivationSample s) {
            records++;
            nanInputs += s.nanInputs;
            for (int i = 0; i < s.activations.length; i++) {
                if (features.size() <= i) {
                    features.add(new long[2]);
                }
                features.get(i)[0]++;
                double v = s.activations[i];
                if (!Double.isNaN(v)) {
                    values++;
                    if (v == 0.0) {
                        zeros++;
                        features.get(i)[1]++;
                    }
                }
            }
        }

        List<Double> perFeature() {
            List<Double> fractions = new ArrayList<>();
            for (long[] f : features) {
                fractions.add((double) f[1] / f[0]);
            }
            return fractions;
        }
    }

    private static String key(String group, long start, long end) {
        return group + " [" + start + ", " + end + ")";
    }

    private static void assertMatches(
            List<ActivationStats> actual, Map<String, Expected> expected) {
        Map<String, ActivationStats> byWindow = new TreeMap<>();
        for (ActivationStats s : actual) {
            String key =
                    key(
                            s.getGroup(),
                            s.getWindowStart().toEpochMilli(),
                            s.getWindowEnd().toEpochMilli());
            assertThat(byWindow.put(key, s)).as("one record per window: %s", key).isNull();
        }
        assertThat(byWindow.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            ActivationStats s = byWindow.get(e.getKey());
            Expected x = e.getValue();
            assertThat(s.getRecordCount()).as("records of %s", e.getKey()).isEqualTo(x.records);
            assertThat(s.getValueCount()).as("values of %s", e.getKey()).isEqualTo(x.values);
            assertThat(s.getZeroCount()).as("zeros of %s", e.getKey()).isEqualTo(x.zeros);
            assertThat(s.getNanCount()).as("NaN of %s", e.getKey()).isEqualTo(x.nanInputs);
            assertThat(s.getZeroFraction()).isEqualTo((double) x.zeros / x.values);
            assertThat(s.getPerFeatureZeroFraction())
                    .as("per feature of %s", e.getKey())
                    .isEqualTo(x.perFeature());
            assertThat(s.getActivation()).isEqualTo("relu");
        }
    }

    @Test
    void tumblingWindowsCountEveryRecordOnce() throws Exception {
        List<ActivationSample> samples = samples();
        Map<String, Expected> expected = new HashMap<>();
        for (ActivationSample s : samples) {
            long start = s.eventTime / 10_000 * 10_000;
            expected.computeIfAbsent(key(s.group, start, start + 10_000), k -> new Expected())
                    .add(s);
        }
        Collections.shuffle(samples, new Random(4));

        List<ActivationStats> stats =
                run(samples, TumblingEventTimeWindows.of(Duration.ofSeconds(10)));

        // Two groups, four windows each.
        assertThat(expected).hasSize(8);
        assertMatches(stats, expected);
        assertThat(stats.stream().mapToLong(ActivationStats::getRecordCount).sum())
                .isEqualTo(samples.size());
    }

    @Test
    void slidingWindowsCountEveryRecordInEachOfItsWindows() throws Exception {
        List<ActivationSample> samples = samples();
        Map<String, Expected> expected = new HashMap<>();
        for (ActivationSample s : samples) {
            // 10 s windows every 5 s: the windows starting at the last two 5 s marks <= t.
            long lastMark = s.eventTime / 5_000 * 5_000;
            for (long start : new long[] {lastMark - 5_000, lastMark}) {
                expected.computeIfAbsent(key(s.group, start, start + 10_000), k -> new Expected())
                        .add(s);
            }
        }
        Collections.shuffle(samples, new Random(5));

        List<ActivationStats> stats =
                run(
                        samples,
                        SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(5)));

        // Two groups, windows starting at -5 s, 0 s, ..., 35 s.
        assertThat(expected).hasSize(18);
        assertMatches(stats, expected);
        assertThat(stats.stream().mapToLong(ActivationStats::getRecordCount).sum())
                .isEqualTo(2L * samples.size());
    }

    @Test
    void sessionWindowsMergeTheirAccumulators() throws Exception {
        List<ActivationSample> samples = new ArrayList<>();
        Random random = new Random(6);
        // Bursts of records 0..900 ms apart, bursts 5 s apart: sessions with a 2 s gap.
        for (int burst = 0; burst < 5; burst++) {
            long t = burst * 10_000L;
            for (int r = 0; r < 20; r++) {
                t += random.nextInt(900);
                double[] inputs = {random.nextGaussian(), random.nextGaussian(), -1.0};
                double[] activations = {Math.max(inputs[0], 0.0), Math.max(inputs[1], 0.0), 0.0};
                samples.add(
                        ActivationSample.of(
                                "b" + burst + "r" + r,
                                t,
                                burst % 2 == 0 ? "even" : "odd",
                                inputs,
                                activations,
                                0.0));
            }
        }
        Map<String, Expected> expected = new HashMap<>();
        Map<String, List<ActivationSample>> byGroup = new HashMap<>();
        for (ActivationSample s : samples) {
            byGroup.computeIfAbsent(s.group, g -> new ArrayList<>()).add(s);
        }
        for (List<ActivationSample> group : byGroup.values()) {
            group.sort((a, b) -> Long.compare(a.eventTime, b.eventTime));
            // A session runs from its first record to its last plus the gap; a record joins it
            // when it comes before that end.
            List<ActivationSample> session = new ArrayList<>();
            for (ActivationSample s : group) {
                if (!session.isEmpty()
                        && s.eventTime >= session.get(session.size() - 1).eventTime + 2_000) {
                    addSession(expected, session);
                    session = new ArrayList<>();
                }
                session.add(s);
            }
            addSession(expected, session);
        }
        Collections.shuffle(samples, new Random(7));

        List<ActivationStats> stats =
                run(samples, EventTimeSessionWindows.withGap(Duration.ofSeconds(2)));

        assertThat(expected).hasSize(5);
        assertMatches(stats, expected);
        assertThat(stats)
                .allSatisfy(s -> assertThat(s.getPerFeatureZeroFraction().get(2)).isEqualTo(1.0))
                .allSatisfy(s -> assertThat(s.getDeadFeatures()).contains(2));
    }

    @Test
    void aSessionMergedFromOutOfOrderRecordsHasEveryStatisticOfItsRecords() throws Exception {
        // One group, four records whose 2 s sessions only join as the last one arrives: the
        // window's accumulator is merged from accumulators merged before, and must give what one
        // accumulator over the four records gives. A fifth record 16 s later is a session of
        // its own.
        List<ActivationSample> samples =
                List.of(
                        relu("d", 4_000L, Double.NaN, 1.0),
                        relu("a", 0L, -1.0, 2.0),
                        relu("c", 3_000L, -0.5, 4.0, -2.0),
                        relu("b", 1_500L, 3.0),
                        relu("e", 20_000L, -3.0));

        List<ActivationStats> stats =
                run(samples, EventTimeSessionWindows.withGap(Duration.ofSeconds(2)));

        assertThat(stats).hasSize(2);
        ActivationStats merged =
                stats.stream().filter(s -> s.getRecordCount() == 4).findFirst().orElseThrow();
        assertThat(merged.getWindowStart()).isEqualTo(Instant.ofEpochMilli(0L));
        assertThat(merged.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(6_000L));
        // Outputs 0, 2 | 3 | 0, 4, 0 | NaN, 1: seven values, three zeros.
        assertThat(merged.getValueCount()).isEqualTo(7L);
        assertThat(merged.getZeroCount()).isEqualTo(3L);
        assertThat(merged.getZeroFraction()).isEqualTo(3.0 / 7.0);
        assertThat(merged.getNanCount()).isEqualTo(1L);
        assertThat(merged.getPosInfCount()).isZero();
        assertThat(merged.getNegInfCount()).isZero();
        // Inputs -1, 2, 3, -0.5, 4, -2, 1 are not NaN; -1, -0.5 and -2 are below 0.
        assertThat(merged.getNegativeInputFraction()).isEqualTo(3.0 / 7.0);
        assertThat(merged.getMin()).isEqualTo(0.0);
        assertThat(merged.getMax()).isEqualTo(4.0);
        // Sum 10, so the mean is 10 / 7 rounded once; squares 30, so the variance is
        // 30 / 7 - (10 / 7)^2 = 110 / 49 and the standard deviation sqrt(110) / 7.
        assertThat(merged.getMean()).isEqualTo(10.0 / 7.0);
        double stddev =
                BigDecimal.valueOf(110)
                        .sqrt(MathContext.DECIMAL128)
                        .divide(BigDecimal.valueOf(7), MathContext.DECIMAL128)
                        .doubleValue();
        assertThat(merged.getStddev()).isCloseTo(stddev, within(2 * Math.ulp(stddev)));
        // Sorted 0, 0, 0, 1, 2, 3, 4: ranks ceil(3.5) = 4, ceil(6.3) = 7 and ceil(6.93) = 7.
        assertThat(merged.getP50()).isEqualTo(1.0);
        assertThat(merged.getP90()).isEqualTo(4.0);
        assertThat(merged.getP99()).isEqualTo(4.0);
        // Index 0 in four records (0, 3, 0, NaN), 1 in three (2, 4, 1), 2 in one (0).
        assertThat(merged.getPerFeatureZeroFraction()).containsExactly(0.5, 0.0, 1.0);
        assertThat(merged.getDeadFeatures()).containsExactly(2);

        ActivationStats alone =
                stats.stream().filter(s -> s.getRecordCount() == 1).findFirst().orElseThrow();
        assertThat(alone.getWindowStart()).isEqualTo(Instant.ofEpochMilli(20_000L));
        assertThat(alone.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(22_000L));
        assertThat(alone.getZeroFraction()).isEqualTo(1.0);
        assertThat(alone.getNegativeInputFraction()).isEqualTo(1.0);
        assertThat(alone.getMean()).isEqualTo(0.0);
        assertThat(alone.getStddev()).isEqualTo(0.0);
        assertThat(alone.getDeadFeatures()).containsExactly(0);
    }

    @Test
    void aDeadFeatureWhoseOutputsTurnNaNIsReportedRecoveredWithAZeroFractionOfZero()
            throws Exception {
        // A NaN output is a record that was not zero at its index: a window where feature 1 is
        // NaN in every record has a zero fraction of 0 there, so the feature is alive again.
        List<ActivationSample> samples =
                List.of(
                        relu("a", 1_000L, 1.0, -1.0),
                        relu("b", 2_000L, 2.0, -2.0),
                        relu("c", 11_000L, 1.0, Double.NaN),
                        relu("d", 12_000L, 2.0, Double.NaN));
        StreamExecutionEnvironment env = environment();
        DataStream<ActivationAlert> alerts =
                detectedInTenSecondWindows(
                        source(env, samples),
                        new DeadFeatureDetector(1, 1.0, null, "relu", 100, 10_000L));

        List<ActivationAlert> raised = drain(alerts.executeAndCollect());

        assertThat(raised)
                .extracting(
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        a -> a.getWindowStart().toEpochMilli(),
                        ActivationAlert::getValue,
                        ActivationAlert::getThreshold)
                .containsExactly(
                        tuple("dead_feature", 1, 0L, 1.0, 1.0),
                        tuple("recovered", 1, 10_000L, 0.0, 1.0));
    }

    /** The alerts of {@code detector} over the relu statistics of 10 s tumbling windows. */
    private static DataStream<ActivationAlert> detectedInTenSecondWindows(
            DataStream<ActivationSample> samples, DeadFeatureDetector detector) {
        return samples.keyBy(s -> s.group)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .aggregate(
                        new ActivationStatsAggregate(),
                        new ActivationStatsWindowFunction("relu", 1.0))
                .keyBy(ActivationStats::getGroup)
                .process(detector);
    }

    private static ActivationSample relu(String id, long eventTime, double... inputs) {
        double[] outputs = new double[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            outputs[i] = Double.isNaN(inputs[i]) ? Double.NaN : Math.max(inputs[i], 0.0);
        }
        return ActivationSample.of(id, eventTime, "g", inputs, outputs, 0.0);
    }

    private static void addSession(Map<String, Expected> expected, List<ActivationSample> session) {
        long start = session.get(0).eventTime;
        long end = session.get(session.size() - 1).eventTime + 2_000;
        Expected x = new Expected();
        session.forEach(x::add);
        expected.put(key(session.get(0).group, start, end), x);
    }

    @Test
    void detectorRaisesOneDeadFeatureAlertDownstreamOfTheWindows() throws Exception {
        List<ActivationSample> samples = new ArrayList<>();
        // Feature 1 is zero in every record of windows 0..3; feature 0 never is.
        for (int w = 0; w < 4; w++) {
            for (int r = 0; r < 5; r++) {
                long t = w * 10_000L + r * 1_000L;
                samples.add(
                        ActivationSample.of(
                                "w" + w + "r" + r,
                                t,
                                "layer1",
                                new double[] {1.0 + r, -2.0},
                                new double[] {1.0 + r, 0.0},
                                0.0));
            }
        }
        StreamExecutionEnvironment env = environment();
        DataStream<ActivationAlert> alerts =
                detectedInTenSecondWindows(
                        source(env, samples), new DeadFeatureDetector(3, 1.0, null, "relu"));

        List<ActivationAlert> raised = drain(alerts.executeAndCollect());

        assertThat(raised).hasSize(1);
        ActivationAlert alert = raised.get(0);
        assertThat(alert.getKind()).isEqualTo("dead_feature");
        assertThat(alert.getGroup()).isEqualTo("layer1");
        assertThat(alert.getFeature()).isEqualTo(1);
        assertThat(alert.getWindowStart()).isEqualTo(Instant.ofEpochMilli(20_000L));
        assertThat(alert.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(30_000L));
        assertThat(alert.getValue()).isEqualTo(1.0);
    }
}
