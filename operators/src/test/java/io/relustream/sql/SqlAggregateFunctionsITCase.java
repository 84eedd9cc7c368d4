package io.relustream.sql;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.types.DataType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.apache.flink.table.api.Expressions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The aggregate functions on a MiniCluster: in GROUP BY (one and two phases), in TUMBLE, HOP,
 * CUMULATE and SESSION windows over event time, and over updating input, where ZERO_FRACTION and
 * DEAD_FEATURES retract. Every result is held against {@link ExpectedAggregates}, computed from the
 * same rows the plain way.
 */
class SqlAggregateFunctionsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Aligned to every window size used here. */
    private static final long T0 = 1_700_000_000_000L;

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    private static final DataType EVENT =
            DataTypes.ROW(
                    DataTypes.FIELD("g", DataTypes.STRING().notNull()),
                    DataTypes.FIELD("t", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("x", DataTypes.DOUBLE()),
                    DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.DOUBLE())),
                    DataTypes.FIELD("farr", DataTypes.ARRAY(DataTypes.FLOAT())));

    /** One input row: group, event time (ms after T0), a scalar and an array of outputs. */
    private static final class Event {
        final String g;
        final long t;
        final Double x;
        final Double[] arr;

        Event(String g, long t, Double x, Double... arr) {
            this.g = g;
            this.t = t;
            this.x = x;
            this.arr = arr;
        }

        Row row() {
            return Row.of(g, T0 + t, x, arr, Reference.toFloats(arr));
        }
    }

    /** In event-time order; zeros of both signs, NaN, NULL, infinities, empty and NULL arrays. */
    private static final List<Event> EVENTS =
            List.of(
                    new Event("a", 1_000, 0.0, 0.0, 1.0, 2.0),
                    new Event("b", 2_000, 4.0, 2.0, 0.0),
                    new Event("a", 3_000, -0.0, 0.0, -0.0, 3.0),
                    new Event("a", 6_000, 1.5, 0.0, NAN, 0.0, 4.0),
                    new Event("b", 8_000, 0.0, 0.0, 0.0),
                    new Event("a", 9_000, NAN, 1.0, 0.0, null),
                    new Event("a", 12_000, null, 0.0, 2.0, 0.0),
                    new Event("a", 14_000, 2.0, (Double[]) null),
                    new Event("b", 15_000, -1.0, -0.5, 0.0, 7.0),
                    new Event("a", 17_000, 0.0, 0.0, INF, 5.0),
                    new Event("b", 21_000, 0.0, new Double[0]),
                    new Event("a", 23_000, 3.0, 0.0, 0.0, 0.0),
                    new Event("b", 26_000, 0.0, -INF, 0.0));

    private static final String AGGREGATES =
            "COUNT(*) AS n, ZERO_FRACTION(x) AS zx, ZERO_FRACTION(CAST(x AS FLOAT)) AS zxf,"
                    + " ZERO_FRACTION(arr) AS za, ZERO_FRACTION(farr) AS zf,"
                    + " DEAD_FEATURES(arr, 0.5) AS dead, DEAD_FEATURES(farr, 1.0) AS dead_all,"
                    + " ACTIVATION_STATS(arr, 0.5) AS s, ACTIVATION_STATS(farr) AS sf";

    private SqlTables sql;

    @BeforeEach
    void createTable() {
        sql = new SqlTables(2);
        List<Row> rows = EVENTS.stream().map(Event::row).collect(Collectors.toList());
        sql.tableEnv.createTemporaryView("events", sql.eventTimeTable(EVENT, rows, 1));
    }

    @Test
    void groupByComputesEveryAggregateOverEachGroup() {
        Map<Row, Row> result =
                SqlTables.materialize(
                        sql.query("SELECT g, " + AGGREGATES + " FROM events GROUP BY g"), 1);
        assertWindows(
                result,
                groupBy(event -> List.of(new Window(event.g, 0, 0))),
                row -> new Window((String) row.getField(0), 0, 0),
                1);
    }

    @Test
    void untypedNullArraysAreNoRowsAndThresholdsMayBeAnyNumericLiteral() {
        // A NULL array adds no row, so the untyped NULL gives what an empty group gives.
        List<Row> rows =
                sql.query(
                        "SELECT DEAD_FEATURES(NULL, 1.0), DEAD_FEATURES(NULL, 1),"
                                + " ACTIVATION_STATS(NULL).record_count,"
                                + " ACTIVATION_STATS(NULL, 0.5).value_count,"
                                + " ACTIVATION_STATS('maxout(k=2)', NULL).record_count,"
                                + " ACTIVATION_STATS('maxout(k=2)', NULL, 0.5).record_count"
                                + " FROM events WHERE g = 'a'");
        assertThat(rows).containsExactly(Row.of(new Integer[0], new Integer[0], 0L, 0L, 0L, 0L));

        Table groupA = sql.tableEnv.sqlQuery("SELECT arr FROM events WHERE g = 'a'");
        // A global aggregate over a stream: the table its changelog ends as.
        Map<Row, Row> fromTheTableApi =
                SqlTables.materialize(
                        SqlTables.collect(
                                groupA.select(
                                                call("DEAD_FEATURES", $("arr"), lit(0.5f)),
                                                call("DEAD_FEATURES", $("arr"), lit(1L)),
                                                call("ACTIVATION_STATS", $("arr"), lit(0.5f))
                                                        .get("dead_features"))
                                        .execute()),
                        0);
        List<Double[]> arraysOfA =
                EVENTS.stream()
                        .filter(event -> event.g.equals("a"))
                        .map(event -> event.arr)
                        .collect(Collectors.toList());
        Integer[] deadAtHalf = ExpectedAggregates.deadFeatures(arraysOfA, 0.5);
        Integer[] deadAtOne = ExpectedAggregates.deadFeatures(arraysOfA, 1.0);
        assertThat(fromTheTableApi.values())
                .containsExactly(Row.of(deadAtHalf, deadAtOne, deadAtHalf));
    }

    @Test
    void negativeInputFractionIsOverTheInputsBelowTheActivationsThreshold() {
        Map<Row, Row> result =
                SqlTables.materialize(
                        sql.query(
                                "SELECT g, ACTIVATION_STATS(arr).negative_input_fraction,"
                                        + " ACTIVATION_STATS(farr).negative_input_fraction,"
                                        + " ACTIVATION_STATS('relu', arr).negative_input_fraction,"
                                        + " ACTIVATION_STATS('thresholded_relu(theta=1)', arr, 0.5)"
                                        + " AS t, ACTIVATION_STATS('maxout(k=2)', farr) AS m"
                                        + " FROM events GROUP BY g"),
                        1);
        // a: 20 non-NULL, non-NaN values, none below 0 (-0.0 is not); 12 below 1:
        //    [0, 1, 2] 1, [0, -0, 3] 2, [0, NaN, 0, 4] 2, [1, 0, NULL] 1, [0, 2, 0] 2,
        //    [0, inf, 5] 1, [0, 0, 0] 3.
        // b: [2, 0], [0, 0], [-0.5, 0, 7], [], [-inf, 0]: 9 values, 2 below 0, 7 below 1.
        Row a = result.get(Row.of("a"));
        assertThat(a.getField(1)).isEqualTo(0.0);
        assertThat(a.getField(2)).isEqualTo(0.0);
        assertThat(a.getField(3)).isEqualTo(0.0);
        assertThat(((Row) a.getField(4)).getField("negative_input_fraction")).isEqualTo(12.0 / 20);
        Row b = result.get(Row.of("b"));
        assertThat(b.getField(1)).isEqualTo(2.0 / 9);
        assertThat(b.getField(2)).isEqualTo(2.0 / 9);
        assertThat(b.getField(3)).isEqualTo(2.0 / 9);
        // thresholded_relu(theta=1) of b: [2, 0], [0, 0], [0, 0, 7], [], [0, 0].
        Row thresholded = (Row) b.getField(4);
        assertThat(thresholded.getField("negative_input_fraction")).isEqualTo(7.0 / 9);
        assertThat(thresholded.getField("record_count")).isEqualTo(5L);
        assertThat(thresholded.getField("value_count")).isEqualTo(9L);
        assertThat(thresholded.getField("zero_count")).isEqualTo(7L);
        assertThat(thresholded.getField("neg_inf_count")).isEqualTo(1L);
        assertThat(thresholded.getField("max")).isEqualTo(7.0);
        assertThat((Object[]) thresholded.getField("per_feature_zero_fraction"))
                .containsExactly(3.0 / 4, 1.0, 0.0);
        assertThat((Object[]) thresholded.getField("dead_features")).containsExactly(0, 1);
        // maxout(k=2) of b: [2], [0], [], [0]; [-0.5, 0, 7] has no output, as ACTIVATION
        // gives NULL for it. Inputs 2, 0, 0, 0, -inf, 0: one of six below 0.
        Row maxout = (Row) b.getField(5);
        assertThat(maxout.getField("negative_input_fraction")).isEqualTo(1.0 / 6);
        assertThat(maxout.getField("record_count")).isEqualTo(4L);
        assertThat(maxout.getField("value_count")).isEqualTo(3L);
        assertThat(maxout.getField("zero_count")).isEqualTo(2L);
        assertThat(maxout.getField("neg_inf_count")).isEqualTo(1L);
        assertThat((Object[]) maxout.getField("per_feature_zero_fraction"))
                .containsExactly(2.0 / 3);
    }

    @Test
    void groupByInTwoPhasesMergesPartialAccumulators() {
        sql.tableEnv.getConfig().set("table.exec.mini-batch.enabled", "true");
        sql.tableEnv.getConfig().set("table.exec.mini-batch.allow-latency", "100 ms");
        sql.tableEnv.getConfig().set("table.exec.mini-batch.size", "4");
        sql.tableEnv.getConfig().set("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        String query = "SELECT g, " + AGGREGATES + " FROM events GROUP BY g";
        assertThat(sql.tableEnv.explainSql(query))
                .contains("LocalGroupAggregate", "GlobalGroupAggregate");

        Map<Row, Row> result = SqlTables.materialize(sql.query(query), 1);
        assertWindows(
                result,
                groupBy(event -> List.of(new Window(event.g, 0, 0))),
                row -> new Window((String) row.getField(0), 0, 0),
                1);
    }

    @Test
    void activationStatsMeanIsTheExactSumOverTheCountRoundedOnce() {
        sql.tableEnv.getConfig().set("table.exec.mini-batch.enabled", "true");
        sql.tableEnv.getConfig().set("table.exec.mini-batch.allow-latency", "100 ms");
        sql.tableEnv.getConfig().set("table.exec.mini-batch.size", "2");
        sql.tableEnv.getConfig().set("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        DataType rowType =
                DataTypes.ROW(
                        DataTypes.FIELD("g", DataTypes.STRING().notNull()),
                        DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.DOUBLE())));
        List<Row> rows =
                List.of(
                        Row.of("thirds", new Double[] {0.0}),
                        Row.of("tenths", new Double[] {0.1}),
                        Row.of("huge", new Double[] {1e308}),
                        Row.of("infinities", new Double[] {INF}),
                        Row.of("thirds", new Double[] {1.0}),
                        Row.of("tenths", new Double[] {0.2, 0.3}),
                        Row.of("huge", new Double[] {1e308}),
                        Row.of("infinities", new Double[] {1.0, -INF}),
                        Row.of("thirds", new Double[] {0.0}));
        sql.tableEnv.createTemporaryView("means", sql.table(rowType, rows));

        Map<Row, Row> result =
                SqlTables.materialize(
                        sql.query(
                                "SELECT g, ACTIVATION_STATS(arr).mean AS mean FROM means GROUP BY"
                                        + " g"),
                        1);

        Map<String, Double> means = new TreeMap<>();
        result.forEach((key, row) -> means.put((String) key.getField(0), (Double) row.getField(1)));
        // 1/3 rounded once (running means gave 0.33333333333333337); the doubles 0.1, 0.2 and
        // 0.3 add up to exactly 0.60000000000000000555, whose third is nearest to 0.2; 2e308
        // overflows, its half does not; +inf and -inf together have no mean.
        assertThat(means)
                .containsExactly(
                        Map.entry("huge", 1e308),
                        Map.entry("infinities", NAN),
                        Map.entry("tenths", 0.2),
                        Map.entry("thirds", 1.0 / 3.0));
    }

    @Test
    void tumbleWindowsComputeEveryAggregatePerGroupAndWindow() {
        List<Row> rows =
                sql.query(
                        windowQuery(
                                "TUMBLE(TABLE events, DESCRIPTOR(rowtime), INTERVAL '10'"
                                        + " SECOND)"));
        Map<Window, List<Event>> expected =
                groupBy(event -> List.of(window(event.g, floor(event.t, 10_000), 10_000)));
        assertThat(expected).hasSize(6);
        assertWindows(rows, expected);

        // One window by hand, so that the reference is checked too: group a in [0s, 10s).
        Row a0 =
                rows.stream()
                        .filter(r -> r.getField(0).equals("a") && windowOf(r).start == 0)
                        .findFirst()
                        .orElseThrow();
        assertThat(a0.getField("n")).isEqualTo(4L);
        assertThat(a0.getField("zx")).isEqualTo(2.0 / 3.0);
        assertThat(a0.getField("za")).isEqualTo(6.0 / 11.0);
        assertThat((Integer[]) a0.getField("dead")).containsExactly(0, 1);
        Row stats = (Row) a0.getField("s");
        assertThat(stats.getField("value_count")).isEqualTo(11L);
        assertThat(stats.getField("nan_count")).isEqualTo(1L);
        assertThat(stats.getField("p90")).isEqualTo(3.0);
        assertThat((Double) stats.getField("mean")).isCloseTo(11.0 / 11.0, within(1e-12));
        assertThat((Double[]) stats.getField("per_feature_zero_fraction"))
                .containsExactly(0.75, 0.5, 0.25, 0.0);
    }

    @Test
    void hopWindowsInTwoPhasesMergeSlices() {
        sql.tableEnv.getConfig().set("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        String query =
                windowQuery(
                        "HOP(TABLE events, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL"
                                + " '10' SECOND)");
        assertThat(sql.tableEnv.explainSql(query))
                .contains("LocalWindowAggregate", "GlobalWindowAggregate");

        List<Row> rows = sql.query(query);
        Map<Window, List<Event>> expected =
                groupBy(
                        event -> {
                            long last = floor(event.t, 5_000);
                            return List.of(
                                    window(event.g, last - 5_000, 10_000),
                                    window(event.g, last, 10_000));
                        });
        assertWindows(rows, expected);
    }

    @Test
    void cumulateWindowsGrowInStepsAndMergeSlices() {
        List<Row> rows =
                sql.query(
                        windowQuery(
                                "CUMULATE(TABLE events, DESCRIPTOR(rowtime), INTERVAL '5' SECOND,"
                                        + " INTERVAL '10' SECOND)"));
        Map<Window, List<Event>> expected =
                groupBy(
                        event -> {
                            long start = floor(event.t, 10_000);
                            List<Window> windows = new ArrayList<>();
                            for (long end = start + 5_000; end <= start + 10_000; end += 5_000) {
                                if (event.t < end) {
                                    windows.add(new Window(event.g, start, end));
                                }
                            }
                            return windows;
                        });
        assertWindows(rows, expected);
    }

    @Test
    void sessionWindowsMergeTheAccumulatorsOfJoinedSessions() {
        List<Row> rows =
                sql.query(
                        windowQuery(
                                "SESSION(TABLE events PARTITION BY g, DESCRIPTOR(rowtime),"
                                        + " INTERVAL '4' SECOND)"));
        // Per group, an event within 4s of the previous one extends its session.
        Map<String, List<Window>> sessions = new TreeMap<>();
        for (Event event : EVENTS) {
            List<Window> own = sessions.computeIfAbsent(event.g, g -> new ArrayList<>());
            Window last = own.isEmpty() ? null : own.get(own.size() - 1);
            if (last != null && event.t < last.end) {
                own.set(own.size() - 1, new Window(event.g, last.start, event.t + 4_000));
            } else {
                own.add(new Window(event.g, event.t, event.t + 4_000));
            }
        }
        Map<Window, List<Event>> expected =
                groupBy(
                        event ->
                                sessions.get(event.g).stream()
                                        .filter(w -> w.start <= event.t && event.t < w.end)
                                        .collect(Collectors.toList()));
        assertThat(sessions.get("a"))
                .containsExactly(new Window("a", 1_000, 21_000), new Window("a", 23_000, 27_000));
        assertWindows(rows, expected);
    }

    @Test
    void overWindowsFromTheFirstRowAggregateEveryRowOfTheGroupSoFar() {
        List<Row> rows =
                sql.query(
                        "SELECT g, t, COUNT(*) OVER w AS n, ZERO_FRACTION(x) OVER w,"
                            + " ZERO_FRACTION(CAST(x AS FLOAT)) OVER w, ZERO_FRACTION(arr) OVER w,"
                            + " ZERO_FRACTION(farr) OVER w, DEAD_FEATURES(arr, 0.5) OVER w,"
                            + " DEAD_FEATURES(farr, 1.0) OVER w, ACTIVATION_STATS(arr, 0.5) OVER w,"
                            + " ACTIVATION_STATS(farr) OVER w FROM events WINDOW w AS (PARTITION BY"
                            + " g ORDER BY rowtime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT"
                            + " ROW)");
        // One row out per row in, over the rows of its group up to and including it: a window
        // [0, t] per row, as the other tests' windows.
        Map<Window, List<Event>> expected =
                groupBy(
                        event ->
                                EVENTS.stream()
                                        .filter(later -> later.g.equals(event.g))
                                        .filter(later -> later.t >= event.t)
                                        .map(later -> new Window(later.g, 0, later.t))
                                        .collect(Collectors.toList()));
        assertThat(rows).hasSize(EVENTS.size());
        assertThat(rows).allMatch(row -> row.getKind() == RowKind.INSERT);
        Map<Window, Row> byRow = new TreeMap<>();
        Function<Row, Window> rowOf =
                row -> new Window((String) row.getField(0), 0, (Long) row.getField(1) - T0);
        rows.forEach(row -> byRow.put(rowOf.apply(row), row));
        assertWindows(byRow, expected, rowOf, 2);
        // By hand, group a's fourth row (t = 9s) sees [0, 1, 2], [0, -0, 3], [0, NaN, 0, 4]
        // and [1, 0, NULL]: 11 values, 6 zeros.
        assertThat(byRow.get(new Window("a", 0, 9_000)).getField(5)).isEqualTo(6.0 / 11);
    }

    @Test
    void boundedOverWindowsRetractTheRowsThatLeaveThem() {
        List<Row> rows =
                sql.query(
                        "SELECT g, t, ZERO_FRACTION(x) OVER w, ZERO_FRACTION(arr) OVER w,"
                                + " DEAD_FEATURES(arr, 1.0) OVER w FROM events WINDOW w AS"
                                + " (PARTITION BY g ORDER BY rowtime"
                                + " ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)");
        assertThat(rows).hasSize(EVENTS.size());
        for (Row row : rows) {
            String g = (String) row.getField(0);
            long t = (Long) row.getField(1) - T0;
            // The row and the one before it in its group.
            List<Event> last =
                    EVENTS.stream()
                            .filter(e -> e.g.equals(g) && e.t <= t)
                            .collect(Collectors.toList());
            last = last.subList(Math.max(0, last.size() - 2), last.size());
            List<Double> x = last.stream().map(e -> e.x).collect(Collectors.toList());
            List<Double[]> arr = last.stream().map(e -> e.arr).collect(Collectors.toList());
            String as = g + "@" + t;
            assertThat(row.getField(2)).as(as).isEqualTo(ExpectedAggregates.zeroFraction(x));
            assertThat(row.getField(3))
                    .as(as)
                    .isEqualTo(ExpectedAggregates.zeroFractionOfArrays(arr));
            assertThat((Integer[]) row.getField(4))
                    .as(as)
                    .isEqualTo(ExpectedAggregates.deadFeatures(arr, 1.0));
        }
        // By hand, group a at 6s: [0, -0, 3] and [0, NaN, 0, 4] give 6 values, 4 zeros, and
        // index 0 is zero in both rows, 1 and 2 in one of two, 3 in none of one.
        Row a6 =
                rows.stream()
                        .filter(row -> row.getField(0).equals("a"))
                        .filter(row -> (Long) row.getField(1) == T0 + 6_000)
                        .findFirst()
                        .orElseThrow();
        assertThat(a6.getField(3)).isEqualTo(4.0 / 6);
        assertThat((Integer[]) a6.getField(4)).containsExactly(0);
    }

    @Test
    void zeroFractionAndDeadFeaturesRetractUpdatedAndDeletedRows() {
        DataType type =
                DataTypes.ROW(
                        DataTypes.FIELD("k", DataTypes.INT()),
                        DataTypes.FIELD("x", DataTypes.DOUBLE()),
                        DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.DOUBLE())));
        List<Row> changes =
                List.of(
                        Row.ofKind(RowKind.INSERT, 1, 0.0, new Double[] {0.0, 0.0, 0.0}),
                        Row.ofKind(RowKind.INSERT, 2, 1.0, new Double[] {0.0, 1.0}),
                        Row.ofKind(RowKind.INSERT, 3, 0.0, new Double[] {1.0, 0.0}),
                        Row.ofKind(RowKind.UPDATE_BEFORE, 1, 0.0, new Double[] {0.0, 0.0, 0.0}),
                        Row.ofKind(RowKind.UPDATE_AFTER, 1, 2.0, new Double[] {0.0, 5.0}),
                        Row.ofKind(RowKind.DELETE, 3, 0.0, new Double[] {1.0, 0.0}),
                        Row.ofKind(RowKind.INSERT, 4, NAN, new Double[] {0.0, NAN}));
        sql.tableEnv.createTemporaryView("changes", sql.changelogTable(type, changes));

        Map<Row, Row> result =
                SqlTables.materialize(
                        sql.query(
                                "SELECT ZERO_FRACTION(x), ZERO_FRACTION(arr),"
                                        + " DEAD_FEATURES(arr, 1.0), DEAD_FEATURES(arr, 0.5)"
                                        + " FROM changes"),
                        0);

        // What is left: k1 (2.0, [0, 5]), k2 (1.0, [0, 1]), k4 (NaN, [0, NaN]).
        List<Double> x = List.of(2.0, 1.0, NAN);
        List<Double[]> arr =
                List.of(new Double[] {0.0, 5.0}, new Double[] {0.0, 1.0}, new Double[] {0.0, NAN});
        Row row = result.values().iterator().next();
        assertThat(result).hasSize(1);
        assertThat(row.getField(0)).isEqualTo(ExpectedAggregates.zeroFraction(x)).isEqualTo(0.0);
        assertThat(row.getField(1))
                .isEqualTo(ExpectedAggregates.zeroFractionOfArrays(arr))
                .isEqualTo(0.6);
        // Index 2 had rows only in the retracted version of k1: no rows left, so not dead.
        assertThat((Integer[]) row.getField(2))
                .isEqualTo(ExpectedAggregates.deadFeatures(arr, 1.0))
                .containsExactly(0);
        assertThat((Integer[]) row.getField(3))
                .isEqualTo(ExpectedAggregates.deadFeatures(arr, 0.5))
                .containsExactly(0);
    }

    @Test
    void integerAndDecimalValuesAreCastToDoubleAndRetractedAsSuch() {
        DataType type =
                DataTypes.ROW(
                        DataTypes.FIELD("k", DataTypes.INT()),
                        DataTypes.FIELD("i", DataTypes.INT()),
                        DataTypes.FIELD("b", DataTypes.BIGINT()),
                        DataTypes.FIELD("dc", DataTypes.DECIMAL(10, 3)),
                        DataTypes.FIELD("ti", DataTypes.TINYINT()));
        List<Row> changes =
                List.of(
                        Row.ofKind(RowKind.INSERT, 1, 0, 0L, new BigDecimal("0.000"), (byte) 0),
                        Row.ofKind(
                                RowKind.INSERT,
                                2,
                                -3,
                                Long.MAX_VALUE,
                                new BigDecimal("-1.500"),
                                Byte.MIN_VALUE),
                        Row.ofKind(RowKind.INSERT, 3, null, null, null, null),
                        Row.ofKind(RowKind.INSERT, 4, 5, -7L, new BigDecimal("0.001"), (byte) 0),
                        Row.ofKind(
                                RowKind.DELETE,
                                2,
                                -3,
                                Long.MAX_VALUE,
                                new BigDecimal("-1.500"),
                                Byte.MIN_VALUE),
                        Row.ofKind(RowKind.INSERT, 5, 0, 0L, new BigDecimal("0.000"), (byte) 1));
        sql.tableEnv.createTemporaryView("numbers", sql.changelogTable(type, changes));

        Map<Row, Row> result =
                SqlTables.materialize(
                        sql.query(
                                "SELECT ZERO_FRACTION(i), ZERO_FRACTION(b), ZERO_FRACTION(dc),"
                                    + " ZERO_FRACTION(ti), ZERO_FRACTION(RELU(i)) FROM numbers"),
                        0);

        // Left: k1 (0, 0, 0.000, 0), k3 (NULLs: no values), k4 (5, -7, 0.001, 0),
        // k5 (0, 0, 0.000, 1); k2 (-3, 2^63 - 1, -1.500, -128) was retracted.
        // i: 0, 5, 0 -> 2/3; b: 0, -7, 0 -> 2/3; dc: 0, 0.001, 0 -> 2/3 (0.001 is no zero);
        // ti: 0, 0, 1 -> 2/3; RELU(i): 0, 5, 0 -> 2/3.
        assertThat(result.values())
                .containsExactly(Row.of(2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3));
    }

    @Test
    void arraysBuiltByFlinksArrayFunctionsAreTakenAsAnyOther() {
        // In two phases the local aggregate runs chained to the projection that builds the
        // arrays, so it gets them as Flink's functions made them, not from a serialized row.
        sql.tableEnv.getConfig().set("table.exec.mini-batch.enabled", "true");
        sql.tableEnv.getConfig().set("table.exec.mini-batch.allow-latency", "100 ms");
        sql.tableEnv.getConfig().set("table.exec.mini-batch.size", "4");
        sql.tableEnv.getConfig().set("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        String query =
                "SELECT g, ZERO_FRACTION(ARRAY_CONCAT(arr, arr)),"
                        + " DEAD_FEATURES(ARRAY_REVERSE(arr), 0.5),"
                        + " ACTIVATION_STATS(ARRAY_SLICE(arr, 2, 3), 0.5),"
                        + " ZERO_FRACTION(ARRAY_REVERSE(farr)) FROM events GROUP BY g";
        assertThat(sql.tableEnv.explainSql(query)).contains("LocalGroupAggregate");

        Map<Row, Row> result = SqlTables.materialize(sql.query(query), 1);

        assertThat(result.keySet()).containsExactlyInAnyOrder(Row.of("a"), Row.of("b"));
        for (String g : List.of("a", "b")) {
            List<Double[]> arrays =
                    EVENTS.stream()
                            .filter(event -> event.g.equals(g))
                            .map(event -> event.arr)
                            .collect(Collectors.toList());
            List<Double[]> reversed = new ArrayList<>();
            List<Double[]> sliced = new ArrayList<>();
            for (Double[] arr : arrays) {
                if (arr == null) {
                    reversed.add(null);
                    sliced.add(null);
                    continue;
                }
                Double[] r = new Double[arr.length];
                for (int i = 0; i < arr.length; i++) {
                    r[i] = arr[arr.length - 1 - i];
                }
                reversed.add(r);
                // ARRAY_SLICE(arr, 2, 3): the 2nd and 3rd elements, those there are.
                sliced.add(
                        Arrays.copyOfRange(arr, Math.min(1, arr.length), Math.min(3, arr.length)));
            }
            Row row = result.get(Row.of(g));
            // Each array twice over: the same share of zeros.
            assertThat(row.getField(1))
                    .as(g)
                    .isEqualTo(ExpectedAggregates.zeroFractionOfArrays(arrays));
            assertThat((Integer[]) row.getField(2))
                    .as(g)
                    .isEqualTo(ExpectedAggregates.deadFeatures(reversed, 0.5));
            assertStats(g, (Row) row.getField(3), ExpectedAggregates.activationStats(sliced, 0.5));
            assertThat(row.getField(4))
                    .as(g)
                    .isEqualTo(ExpectedAggregates.zeroFractionOfArrays(arrays));
        }
    }

    @Test
    void zeroFractionRetractsTheUpdatesOfAnUpstreamAggregate() {
        String query =
                "SELECT ZERO_FRACTION(x), DEAD_FEATURES(arr, 1.0) FROM"
                        + " (SELECT g, LAST_VALUE(x) AS x, LAST_VALUE(arr) AS arr FROM events"
                        + " GROUP BY g)";
        Map<Row, Row> result = SqlTables.materialize(sql.query(query), 0);

        // LAST_VALUE skips NULLs: the last non-NULL x and arr of each group.
        List<Double> x = new ArrayList<>();
        List<Double[]> arr = new ArrayList<>();
        for (String g : List.of("a", "b")) {
            List<Event> events =
                    EVENTS.stream().filter(e -> e.g.equals(g)).collect(Collectors.toList());
            events.stream()
                    .map(e -> e.x)
                    .filter(v -> v != null)
                    .reduce((p, q) -> q)
                    .ifPresent(x::add);
            events.stream()
                    .map(e -> e.arr)
                    .filter(v -> v != null)
                    .reduce((p, q) -> q)
                    .ifPresent(arr::add);
        }
        Row row = result.values().iterator().next();
        assertThat(row.getField(0)).isEqualTo(ExpectedAggregates.zeroFraction(x)).isEqualTo(0.5);
        assertThat((Integer[]) row.getField(1))
                .isEqualTo(ExpectedAggregates.deadFeatures(arr, 1.0))
                .containsExactly(1, 2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void overWindowsOrderedByAColumnThatIsNotTimeRecomputeFromEachSortKeysOwnAccumulator(
            String stateBackend) {
        // Flink keeps an accumulator per sort key here and starts a late row from the one of the
        // key before it: accumulating must leave that stored one as it was, on every backend.
        sql.tableEnv.getConfig().set("state.backend.type", stateBackend);
        DataType type =
                DataTypes.ROW(
                        DataTypes.FIELD("id", DataTypes.INT()),
                        DataTypes.FIELD("g", DataTypes.STRING()),
                        DataTypes.FIELD("k", DataTypes.INT()),
                        DataTypes.FIELD("x", DataTypes.DOUBLE()),
                        DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.DOUBLE())));
        List<Row> changes =
                List.of(
                        Row.ofKind(RowKind.INSERT, 1, "a", 10, 0.0, new Double[] {0.0, 0.0}),
                        Row.ofKind(RowKind.INSERT, 2, "a", 30, 1.0, new Double[] {1.0, 1.0}),
                        // Out of order: 20 after 30, then a second 20, later a 25.
                        Row.ofKind(RowKind.INSERT, 3, "a", 20, -0.0, new Double[] {0.0, 1.0}),
                        Row.ofKind(RowKind.INSERT, 4, "a", 20, NAN, new Double[] {-0.0, NAN, null}),
                        Row.ofKind(RowKind.INSERT, 5, "b", 5, INF, new Double[0]),
                        Row.ofKind(RowKind.UPDATE_BEFORE, 2, "a", 30, 1.0, new Double[] {1.0, 1.0}),
                        Row.ofKind(RowKind.UPDATE_AFTER, 2, "a", 40, 2.0, new Double[] {1.0, 0.0}),
                        Row.ofKind(RowKind.INSERT, 6, "a", 25, 0.0, new Double[] {1.0}),
                        Row.ofKind(RowKind.DELETE, 4, "a", 20, NAN, new Double[] {-0.0, NAN, null}),
                        Row.ofKind(RowKind.INSERT, 7, "b", 1, null, null));
        sql.tableEnv.createTemporaryView("changes", sql.changelogTable(type, changes));

        // Retracting a row that was never emitted as it is fails here.
        Map<Row, Row> result =
                SqlTables.materialize(
                        sql.query(
                                "SELECT id, ZERO_FRACTION(x) OVER w, ZERO_FRACTION(arr) OVER w,"
                                        + " DEAD_FEATURES(arr, 1.0) OVER w FROM changes WINDOW w AS"
                                        + " (PARTITION BY g ORDER BY k RANGE BETWEEN UNBOUNDED"
                                        + " PRECEDING AND CURRENT ROW)"),
                        1);

        // What is left, by id: each row's window is its group's rows with k up to its own.
        Map<Integer, Row> left = new TreeMap<>();
        left.put(1, Row.of("a", 10, 0.0, new Double[] {0.0, 0.0}));
        left.put(2, Row.of("a", 40, 2.0, new Double[] {1.0, 0.0}));
        left.put(3, Row.of("a", 20, -0.0, new Double[] {0.0, 1.0}));
        left.put(5, Row.of("b", 5, INF, new Double[0]));
        left.put(6, Row.of("a", 25, 0.0, new Double[] {1.0}));
        left.put(7, Row.of("b", 1, null, null));
        assertThat(result.keySet().stream().map(key -> (Integer) key.getField(0)))
                .containsExactlyInAnyOrderElementsOf(left.keySet());
        for (Map.Entry<Integer, Row> entry : left.entrySet()) {
            Row row = entry.getValue();
            List<Double> x = new ArrayList<>();
            List<Double[]> arr = new ArrayList<>();
            for (Row other : left.values()) {
                if (other.getField(0).equals(row.getField(0))
                        && (Integer) other.getField(1) <= (Integer) row.getField(1)) {
                    x.add((Double) other.getField(2));
                    arr.add((Double[]) other.getField(3));
                }
            }
            Row actual = result.get(Row.of(entry.getKey()));
            String as = "id " + entry.getKey();
            assertThat(actual.getField(1)).as(as).isEqualTo(ExpectedAggregates.zeroFraction(x));
            assertThat(actual.getField(2))
                    .as(as)
                    .isEqualTo(ExpectedAggregates.zeroFractionOfArrays(arr));
            assertThat((Integer[]) actual.getField(3))
                    .as(as)
                    .isEqualTo(ExpectedAggregates.deadFeatures(arr, 1.0));
        }
        // By hand, id 3 (k = 20) sees [0, 0] and [0, 1]: index 0 is zero in both.
        assertThat((Integer[]) result.get(Row.of(3)).getField(3)).containsExactly(0);
    }

    @Test
    void activationStatsOverANonTimeOrderFailsWhileRunningOnceARowComesOutOfOrder() {
        DataType type =
                DataTypes.ROW(
                        DataTypes.FIELD("k", DataTypes.INT()),
                        DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.DOUBLE())));
        List<Row> rows =
                List.of(
                        Row.of(10, new Double[] {0.0, 1.0}),
                        Row.of(30, new Double[] {2.0, 0.0}),
                        Row.of(20, new Double[] {0.0, 0.0}));
        sql.tableEnv.createTemporaryView("late", sql.table(type, rows));
        // Flink compares the stored accumulators of the keys after a late row's, and the sketch
        // of ACTIVATION_STATS is a RAW value, which Flink cannot compare unserialized.
        String query =
                "SELECT k, ACTIVATION_STATS(arr) OVER (ORDER BY k RANGE BETWEEN UNBOUNDED"
                        + " PRECEDING AND CURRENT ROW) FROM late";
        assertThat(sql.tableEnv.explainSql(query)).contains("ACTIVATION_STATS");
        assertThatThrownBy(() -> sql.query(query))
                .hasRootCauseInstanceOf(UnsupportedOperationException.class)
                .hasRootCauseMessage("Unmaterialized BinaryRawValueData cannot be compared.");
        // A row that ties an earlier one fails it too, in order as the rows are.
        sql.tableEnv.createTemporaryView(
                "tie",
                sql.table(
                        type,
                        List.of(
                                Row.of(10, new Double[] {0.0, 1.0}),
                                Row.of(10, new Double[] {2.0, 0.0}))));
        assertThatThrownBy(() -> sql.query(query.replace(" late", " tie")))
                .hasRootCauseMessage("Unmaterialized BinaryRawValueData cannot be compared.");
    }

    @Test
    void overWindowsOrderedByAColumnThatIsNotTimeFailTheirRowsFormOnceARowComesLate() {
        // Rows in order run; a row after a greater one makes Flink 2.2 cast the accumulator of
        // such a ROWS window to the value type: the README sends users to the RANGE form, which
        // the test above runs. Flink's own COLLECT fails the same way.
        DataType type =
                DataTypes.ROW(
                        DataTypes.FIELD("k", DataTypes.INT()),
                        DataTypes.FIELD("x", DataTypes.DOUBLE()),
                        DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.DOUBLE())));
        Row first = Row.of(10, 0.0, new Double[] {0.0, 1.0});
        Row second = Row.of(20, 1.0, new Double[] {2.0, 0.0});
        Row third = Row.of(30, 0.0, new Double[] {0.0, 0.0});
        sql.tableEnv.createTemporaryView("ordered", sql.table(type, List.of(first, second, third)));
        sql.tableEnv.createTemporaryView("late", sql.table(type, List.of(first, third, second)));
        String rows = " OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)";

        assertThat(
                        sql.query(
                                "SELECT k, ZERO_FRACTION(x)"
                                        + rows
                                        + ", DEAD_FEATURES(arr, 1.0)"
                                        + rows
                                        + " FROM ordered"))
                .containsExactly(
                        Row.of(10, 1.0, new Integer[] {0}),
                        Row.of(20, 0.5, new Integer[0]),
                        Row.of(30, 2.0 / 3, new Integer[0]));
        for (String aggregate :
                List.of("ZERO_FRACTION(x)", "DEAD_FEATURES(arr, 1.0)", "COLLECT(x)")) {
            assertThatThrownBy(() -> sql.query("SELECT k, " + aggregate + rows + " FROM late"))
                    .as(aggregate)
                    .hasRootCauseInstanceOf(ClassCastException.class);
        }
        // Its accumulator, a ROW of two fields, taken for the result's ROW of 17.
        assertThatThrownBy(() -> sql.query("SELECT k, ACTIVATION_STATS(arr)" + rows + " FROM late"))
                .hasRootCauseMessage("Row arity: 2, but serializer arity: 17");
    }

    @Test
    void inBatchModeActivationStatsRunsInBoundedOverWindowsOverAnyOrder() {
        TableEnvironment batch = SqlTables.tableEnvironment(false);
        SqlFunctions.registerAll(batch);
        // In no order: a batch OVER window sorts its rows first.
        batch.executeSql(
                "CREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES"
                        + " (3, TIMESTAMP '2026-01-01 00:02:00', ARRAY[CAST(1 AS DOUBLE), 0]),"
                        + " (1, TIMESTAMP '2026-01-01 00:00:00', ARRAY[CAST(0 AS DOUBLE), 1]),"
                        + " (2, TIMESTAMP '2026-01-01 00:00:30', ARRAY[CAST(0 AS DOUBLE), 0]))"
                        + " AS t(k, ts, arr)");
        List<Row> rows =
                SqlTables.collect(
                        batch.executeSql(
                                "SELECT k, s.record_count, s.zero_count, s.dead_features FROM"
                                        + " (SELECT k, ACTIVATION_STATS(arr) OVER (ORDER BY k ROWS"
                                        + " BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM v)"));
        rows.sort((a, b) -> Integer.compare((Integer) a.getField(0), (Integer) b.getField(0)));
        // k = 1: [0, 1]; k = 2: [0, 1], [0, 0]; k = 3: [0, 0], [1, 0], the row of k = 1 left.
        assertThat(rows)
                .containsExactly(
                        Row.of(1, 1L, 1L, new Integer[] {0}),
                        Row.of(2, 2L, 3L, new Integer[] {0}),
                        Row.of(3, 2L, 3L, new Integer[] {1}));
        // What Flink 2.2's batch planner fails for every aggregate, its own COUNT(*) too.
        for (String aggregate : List.of("ZERO_FRACTION(arr)", "COUNT(*)")) {
            assertThatThrownBy(
                            () ->
                                    SqlTables.collect(
                                            batch.executeSql(
                                                    "SELECT k, "
                                                            + aggregate
                                                            + " OVER (ORDER BY ts RANGE BETWEEN"
                                                            + " INTERVAL '1' MINUTE PRECEDING AND"
                                                            + " CURRENT ROW) FROM v")))
                    .as(aggregate)
                    .hasStackTraceContaining(
                            "Cannot cast \"org.apache.flink.table.data.TimestampData\" to"
                                    + " \"java.lang.Long\"");
        }
    }

    // ---------------------------------------------------------------------------------------

    private static String windowQuery(String window) {
        return "SELECT g, window_start, window_end, "
                + AGGREGATES
                + " FROM TABLE("
                + window
                + ") GROUP BY g, window_start, window_end";
    }

    /** A group's window, as milliseconds after T0; GROUP BY results use 0, 0. */
    private static final class Window implements Comparable<Window> {
        final String g;
        final long start;
        final long end;

        Window(String g, long start, long end) {
            this.g = g;
            this.start = start;
            this.end = end;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Window
                    && ((Window) o).g.equals(g)
                    && ((Window) o).start == start
                    && ((Window) o).end == end;
        }

        @Override
        public int hashCode() {
            return g.hashCode() * 31 + Long.hashCode(start) * 17 + Long.hashCode(end);
        }

        @Override
        public int compareTo(Window o) {
            int byGroup = g.compareTo(o.g);
            if (byGroup != 0) {
                return byGroup;
            }
            return start != o.start ? Long.compare(start, o.start) : Long.compare(end, o.end);
        }

        @Override
        public String toString() {
            return g + "[" + start + ", " + end + ")";
        }
    }

    private static Window window(String g, long start, long size) {
        return new Window(g, start, start + size);
    }

    private static long floor(long t, long size) {
        return Math.floorDiv(t, size) * size;
    }

    private static Map<Window, List<Event>> groupBy(Function<Event, List<Window>> windows) {
        Map<Window, List<Event>> groups = new TreeMap<>();
        for (Event event : EVENTS) {
            for (Window w : windows.apply(event)) {
                groups.computeIfAbsent(w, k -> new ArrayList<>()).add(event);
            }
        }
        return groups;
    }

    private static Window windowOf(Row row) {
        return new Window(
                (String) row.getField(0),
                millis((LocalDateTime) row.getField(1)),
                millis((LocalDateTime) row.getField(2)));
    }

    private static long millis(LocalDateTime time) {
        return time.toInstant(ZoneOffset.UTC).toEpochMilli() - T0;
    }

    /** Window results: group, window_start, window_end, then the aggregates. */
    private static void assertWindows(List<Row> rows, Map<Window, List<Event>> expected) {
        assertThat(rows).allMatch(row -> row.getKind() == RowKind.INSERT);
        Map<Window, Row> byWindow = new TreeMap<>();
        for (Row row : rows) {
            assertThat(byWindow.put(windowOf(row), row)).as("one row per window").isNull();
        }
        assertWindows(byWindow, expected, row -> windowOf(row), 3);
    }

    private static <K> void assertWindows(
            Map<K, Row> actual,
            Map<Window, List<Event>> expected,
            Function<Row, Window> windowOf,
            int firstAggregate) {
        Map<Window, Row> byWindow = new TreeMap<>();
        actual.values().forEach(row -> byWindow.put(windowOf.apply(row), row));
        assertThat(byWindow.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach(
                (window, events) -> {
                    Row row = byWindow.get(window);
                    String as = window.toString();
                    List<Double> x = events.stream().map(e -> e.x).collect(Collectors.toList());
                    List<Double[]> arr =
                            events.stream().map(e -> e.arr).collect(Collectors.toList());
                    int i = firstAggregate;
                    assertThat(row.getField(i++)).as(as).isEqualTo((long) events.size());
                    Double zx = ExpectedAggregates.zeroFraction(x);
                    assertThat(row.getField(i++)).as(as).isEqualTo(zx);
                    // FLOAT holds the same zeros, NaNs and infinities as DOUBLE here.
                    assertThat(row.getField(i++)).as(as).isEqualTo(zx);
                    Double za = ExpectedAggregates.zeroFractionOfArrays(arr);
                    assertThat(row.getField(i++)).as(as).isEqualTo(za);
                    assertThat(row.getField(i++)).as(as).isEqualTo(za);
                    assertThat((Integer[]) row.getField(i++))
                            .as(as)
                            .isEqualTo(ExpectedAggregates.deadFeatures(arr, 0.5));
                    assertThat((Integer[]) row.getField(i++))
                            .as(as)
                            .isEqualTo(ExpectedAggregates.deadFeatures(arr, 1.0));
                    assertStats(
                            as,
                            (Row) row.getField(i++),
                            ExpectedAggregates.activationStats(arr, 0.5));
                    assertStats(
                            as + " (FLOAT)",
                            (Row) row.getField(i++),
                            ExpectedAggregates.activationStats(arr, 1.0));
                });
    }

    private static void assertStats(String as, Row actual, Row expected) {
        assertThat(actual.getArity()).isEqualTo(17);
        for (int i = 0; i < expected.getArity(); i++) {
            Object want = expected.getField(i);
            Object got = actual.getField(i);
            String field = as + " field " + i;
            boolean moment = i == 10 || i == 11;
            if (moment && want != null && Double.isFinite((Double) want)) {
                // Mean and stddev: the accumulator's one-pass sums against two passes here.
                assertThat((Double) got).as(field).isCloseTo((Double) want, within(1e-12));
            } else if (want instanceof Object[]) {
                assertThat(Arrays.deepEquals((Object[]) got, (Object[]) want))
                        .as(field + ": " + Arrays.toString((Object[]) got))
                        .isTrue();
            } else {
                assertThat(got).as(field).isEqualTo(want);
            }
        }
    }
}
