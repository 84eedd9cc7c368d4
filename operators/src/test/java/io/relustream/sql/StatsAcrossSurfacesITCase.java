package io.relustream.sql;

import io.relustream.activation.Activations;
import io.relustream.activation.VectorActivation;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.FeatureVectorActivator;
import io.relustream.operators.InvalidValuePolicy;
import io.relustream.stats.ActivationSample;
import io.relustream.stats.ActivationStatsAggregate;
import io.relustream.stats.ActivationStatsWindowFunction;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Windows of edge cases (NaN only, ragged records, infinities, -0.0, one value, maxout ties)
 * through the job's path (activator, samples, {@link ActivationStatsAggregate}) and through SQL
 * ({@code ACTIVATION_STATS(spec, x)}, {@code ZERO_FRACTION}, {@code DEAD_FEATURES}): both give the
 * statistics worked out by hand, field for field.
 */
class StatsAcrossSurfacesITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Aligned to 10 s: every record below falls in the window [T0, T0 + 10 s). */
    private static final long T0 = 1_700_000_000_000L;

    private static final double DEAD_THRESHOLD = 0.5;

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    private static final DataType ROW =
            DataTypes.ROW(
                    DataTypes.FIELD("g", DataTypes.STRING().notNull()),
                    DataTypes.FIELD("t", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("x", DataTypes.ARRAY(DataTypes.DOUBLE())));

    // The expected rows are by hand. Fields as ACTIVATION_STATS has them: record, value and zero
    // counts, zero fraction, NaN, +inf and -inf inputs, negative input fraction, min, max, mean,
    // stddev, p50, p90, p99, per-feature zero fractions, dead features (threshold 0.5).

    @Test
    void aCappedThresholdedRectifierOverNaNRaggedInfiniteAndSingleValueWindows() throws Exception {
        // 0 up to and at 1, z between 1 and 6, 6 from 6 on.
        Map<String, Row> expected = new TreeMap<>();
        // Only NaN: no values, so every statistic of values is NULL; the indexes are still had.
        expected.put(
                "nan",
                Row.of(
                        2L,
                        0L,
                        0L,
                        null,
                        3L,
                        0L,
                        0L,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        new Double[] {0.0, 0.0},
                        new Integer[0]));
        // Outputs [0, 6, NaN], [6], [0]: values 0, 6, 6, 0; inputs 0, 7, 6, -3 (two below 1).
        expected.put(
                "ragged",
                Row.of(
                        3L,
                        4L,
                        2L,
                        0.5,
                        1L,
                        0L,
                        0L,
                        0.5,
                        0.0,
                        6.0,
                        3.0,
                        3.0,
                        0.0,
                        6.0,
                        6.0,
                        new Double[] {2.0 / 3, 0.0, 0.0},
                        new Integer[] {0}));
        // Infinite inputs, capped and zeroed: outputs [6, 0].
        expected.put(
                "capped",
                Row.of(
                        1L,
                        2L,
                        1L,
                        0.5,
                        0L,
                        1L,
                        1L,
                        0.5,
                        0.0,
                        6.0,
                        3.0,
                        3.0,
                        0.0,
                        6.0,
                        6.0,
                        new Double[] {0.0, 1.0},
                        new Integer[] {1}));
        expected.put(
                "single",
                Row.of(
                        1L,
                        1L,
                        0L,
                        0.0,
                        0L,
                        0L,
                        0L,
                        0.0,
                        3.0,
                        3.0,
                        3.0,
                        0.0,
                        3.0,
                        3.0,
                        3.0,
                        new Double[] {0.0},
                        new Integer[0]));
        assertSurfacesAgree(
                "relu(max_value=6, threshold=1)",
                new Object[][] {
                    {"nan", new double[] {NAN, NAN}},
                    {"nan", new double[] {NAN}},
                    {"ragged", new double[] {0, 7, NAN}},
                    {"ragged", new double[] {6}},
                    {"ragged", new double[] {-3}},
                    {"capped", new double[] {INF, -INF}},
                    {"single", new double[] {3}},
                },
                expected);
    }

    @Test
    void infiniteOutputsAndZerosOfBothSignsOfALeakyRectifier() throws Exception {
        Map<String, Row> expected = new TreeMap<>();
        // Outputs [inf, -inf, 2]: both infinities make the mean NaN; the stddev is NaN.
        expected.put(
                "both",
                Row.of(
                        1L,
                        3L,
                        0L,
                        0.0,
                        0L,
                        1L,
                        1L,
                        1.0 / 3,
                        -INF,
                        INF,
                        NAN,
                        NAN,
                        2.0,
                        INF,
                        INF,
                        new Double[] {0.0, 0.0, 0.0},
                        new Integer[0]));
        // Outputs [inf, -1]: the mean is +inf.
        expected.put(
                "positive",
                Row.of(
                        1L,
                        2L,
                        0L,
                        0.0,
                        0L,
                        1L,
                        0L,
                        0.5,
                        -1.0,
                        INF,
                        INF,
                        NAN,
                        -1.0,
                        INF,
                        INF,
                        new Double[] {0.0, 0.0},
                        new Integer[0]));
        // -0.0 is zero, not below 0, and its output +0.0.
        expected.put(
                "zeros",
                Row.of(
                        1L,
                        2L,
                        2L,
                        1.0,
                        0L,
                        0L,
                        0L,
                        0.0,
                        0.0,
                        0.0,
                        0.0,
                        0.0,
                        0.0,
                        0.0,
                        0.0,
                        new Double[] {1.0, 1.0},
                        new Integer[] {0, 1}));
        assertSurfacesAgree(
                "leaky_relu(alpha=0.5)",
                new Object[][] {
                    {"both", new double[] {INF, -INF, 2}},
                    {"positive", new double[] {INF, -2}},
                    {"zeros", new double[] {-0.0, 0.0}},
                },
                expected);
    }

    @Test
    void maxoutGroupsWithTiesAndNaN() throws Exception {
        Map<String, Row> expected = new TreeMap<>();
        // Outputs [1, NaN] and [0]: output index 1 is had by one record, whose output is NaN.
        expected.put(
                "g",
                Row.of(
                        2L,
                        2L,
                        1L,
                        0.5,
                        1L,
                        0L,
                        0L,
                        0.2,
                        0.0,
                        1.0,
                        0.5,
                        0.5,
                        0.0,
                        1.0,
                        1.0,
                        new Double[] {0.5, 0.0},
                        new Integer[] {0}));
        assertSurfacesAgree(
                "maxout(k=2)",
                new Object[][] {
                    {"g", new double[] {1, 1, NAN, 5}},
                    {"g", new double[] {-0.0, -1}},
                },
                expected);
    }

    /**
     * Runs {@code records} (group and inputs, in event-time order, all in one 10 s window) through
     * the job's path and through SQL, and checks both give {@code expected} per group.
     */
    private static void assertSurfacesAgree(
            String spec, Object[][] records, Map<String, Row> expected) throws Exception {
        SqlTables sql = new SqlTables(2);

        // The job's path: the activator, the job's samples, the window aggregate.
        VectorActivation activation = Activations.parseVector(spec);
        FeatureVectorActivator activator =
                new FeatureVectorActivator(activation, InvalidValuePolicy.PROPAGATE, false);
        List<ActivationSample> samples = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < records.length; i++) {
            String group = (String) records[i][0];
            double[] inputs = (double[]) records[i][1];
            long time = T0 + 1_000L * i;
            FeatureVectorActivator.Outcome outcome =
                    activator.activate(
                            FeatureVector.newBuilder()
                                    .setId("r" + i)
                                    .setEventTime(Instant.ofEpochMilli(time))
                                    .setGroup(group)
                                    .setValues(
                                            Arrays.stream(inputs)
                                                    .boxed()
                                                    .collect(Collectors.toList()))
                                    .build());
            assertThat(outcome.problem()).isNull();
            samples.add(
                    ActivationSample.of(
                            "r" + i,
                            time,
                            group,
                            outcome.inputs(),
                            outcome.activations(),
                            activation.threshold()));
            rows.add(Row.of(group, time, Arrays.stream(inputs).boxed().toArray(Double[]::new)));
        }
        Map<String, Row> job = new TreeMap<>();
        try (CloseableIterator<ActivationStats> windows =
                sql.env
                        .fromData(samples, TypeInformation.of(ActivationSample.class))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<ActivationSample>forMonotonousTimestamps()
                                        .withTimestampAssigner((s, previous) -> s.eventTime))
                        .keyBy(s -> s.group)
                        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                        .aggregate(
                                new ActivationStatsAggregate(),
                                new ActivationStatsWindowFunction(spec, DEAD_THRESHOLD))
                        .executeAndCollect()) {
            windows.forEachRemaining(
                    s -> {
                        assertThat(s.getWindowStart().toEpochMilli()).isEqualTo(T0);
                        job.put(s.getGroup(), asRow(s));
                    });
        }

        // SQL over the same inputs.
        sql.tableEnv.createTemporaryView("features", sql.eventTimeTable(ROW, rows, 1));
        String activated = "ACTIVATION('" + spec + "', x)";
        Map<String, Row> stats = new TreeMap<>();
        Map<String, Double> zeroFractions = new TreeMap<>();
        Map<String, Integer[]> deadFeatures = new TreeMap<>();
        for (Row row :
                sql.query(
                        "SELECT g, ACTIVATION_STATS('"
                                + spec
                                + "', x, "
                                + DEAD_THRESHOLD
                                + "), ZERO_FRACTION("
                                + activated
                                + "), DEAD_FEATURES("
                                + activated
                                + ", "
                                + DEAD_THRESHOLD
                                + ") FROM TABLE(TUMBLE(TABLE features, DESCRIPTOR(rowtime),"
                                + " INTERVAL '10' SECOND)) GROUP BY g, window_start,"
                                + " window_end")) {
            String group = (String) row.getField(0);
            stats.put(group, (Row) row.getField(1));
            zeroFractions.put(group, (Double) row.getField(2));
            deadFeatures.put(group, (Integer[]) row.getField(3));
        }

        assertThat(job).as("the job's window statistics").isEqualTo(expected);
        assertThat(stats).as("ACTIVATION_STATS").isEqualTo(expected);
        for (Map.Entry<String, Row> window : expected.entrySet()) {
            assertThat(zeroFractions.get(window.getKey()))
                    .as("ZERO_FRACTION of %s", window.getKey())
                    .isEqualTo(window.getValue().getField(3));
            assertThat(deadFeatures.get(window.getKey()))
                    .as("DEAD_FEATURES of %s", window.getKey())
                    .isEqualTo(window.getValue().getField(16));
        }
    }

    private static Row asRow(ActivationStats s) {
        return Row.of(
                s.getRecordCount(),
                s.getValueCount(),
                s.getZeroCount(),
                s.getZeroFraction(),
                s.getNanCount(),
                s.getPosInfCount(),
                s.getNegInfCount(),
                s.getNegativeInputFraction(),
                s.getMin(),
                s.getMax(),
                s.getMean(),
                s.getStddev(),
                s.getP50(),
                s.getP90(),
                s.getP99(),
                s.getPerFeatureZeroFraction().toArray(new Double[0]),
                s.getDeadFeatures().toArray(new Integer[0]));
    }
}
