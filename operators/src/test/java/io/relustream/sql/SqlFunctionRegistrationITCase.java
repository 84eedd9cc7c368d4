package io.relustream.sql;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both ways to make the functions known, {@link SqlFunctions#registerAll} and {@code CREATE
 * FUNCTION ... AS 'class'}, give the same results; here in batch mode over VALUES.
 */
class SqlFunctionRegistrationITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Every function once; x: -1, 2; arr: [-1, 2], [3, -4]. */
    private static final String EVERY_FUNCTION =
            "SELECT ZERO_FRACTION(RELU(x)), ZERO_FRACTION(RELU_GRAD(x)),"
                    + " ZERO_FRACTION(LEAKY_RELU(x, 0.1)), ZERO_FRACTION(ACTIVATION('relu6', x)),"
                    + " ZERO_FRACTION(ACTIVATION_GRAD('maxout(k=2)', arr)),"
                    + " DEAD_FEATURES(RELU(arr), 0.5), ACTIVATION_STATS(RELU(arr))"
                    + " FROM v";

    private TableEnvironment tableEnv;

    @BeforeEach
    void createView() {
        tableEnv = SqlTables.tableEnvironment(false);
        tableEnv.executeSql(
                "CREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES"
                        + " (CAST(-1 AS DOUBLE), ARRAY[CAST(-1 AS DOUBLE), 2]),"
                        + " (CAST(2 AS DOUBLE), ARRAY[CAST(3 AS DOUBLE), -4])) AS t(x, arr)");
    }

    @Test
    void registerAllNamesEveryFunction() {
        SqlFunctions.registerAll(tableEnv);

        assertThat(Arrays.asList(tableEnv.listFunctions()))
                .containsAll(
                        SqlFunctions.FUNCTIONS.keySet().stream()
                                .map(name -> name.toLowerCase(Locale.ROOT))
                                .toList());
        assertEveryFunctionComputes();
    }

    @Test
    void createTemporarySystemFunctionTakesEveryClass() {
        for (Map.Entry<String, Class<? extends UserDefinedFunction>> function :
                SqlFunctions.FUNCTIONS.entrySet()) {
            tableEnv.executeSql(
                    "CREATE TEMPORARY SYSTEM FUNCTION "
                            + function.getKey()
                            + " AS '"
                            + function.getValue().getName()
                            + "'");
        }
        assertEveryFunctionComputes();
    }

    @Test
    void createFunctionInTheCatalogTakesEveryClass() {
        for (Map.Entry<String, Class<? extends UserDefinedFunction>> function :
                SqlFunctions.FUNCTIONS.entrySet()) {
            tableEnv.executeSql(
                    "CREATE FUNCTION "
                            + function.getKey()
                            + " AS '"
                            + function.getValue().getName()
                            + "' LANGUAGE JAVA");
        }
        assertThat(Arrays.asList(tableEnv.listUserDefinedFunctions()))
                .contains("relu", "activation_stats");
        assertEveryFunctionComputes();
        assertThat(
                        SqlTables.collect(
                                tableEnv.executeSql(
                                        "SELECT default_catalog.default_database.RELU(x) FROM v")))
                .containsExactlyInAnyOrder(Row.of(0.0), Row.of(2.0));
    }

    @Test
    void tableApiCallsTheClassesInline() {
        List<Row> rows =
                SqlTables.collect(
                        tableEnv.from("v")
                                .select(
                                        call(ReluFunction.class, $("x")),
                                        call(ActivationFunction.class, "relu6", $("arr")))
                                .execute());
        // A batch union of VALUES rows comes in any order.
        rows.sort((a, b) -> Double.compare((Double) a.getField(0), (Double) b.getField(0)));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).getField(0)).isEqualTo(0.0);
        assertThat((Double[]) rows.get(0).getField(1)).containsExactly(0.0, 2.0);
        assertThat((Double[]) rows.get(1).getField(1)).containsExactly(3.0, 0.0);
    }

    private void assertEveryFunctionComputes() {
        List<Row> rows = SqlTables.collect(tableEnv.executeSql(EVERY_FUNCTION));
        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        // RELU(x) = [0, 2]; RELU_GRAD(x) = [0, 1]; LEAKY_RELU(x, 0.1) = [-0.1, 2]; relu6 = [0, 2].
        assertThat(row.getField(0)).isEqualTo(0.5);
        assertThat(row.getField(1)).isEqualTo(0.5);
        assertThat(row.getField(2)).isEqualTo(0.0);
        assertThat(row.getField(3)).isEqualTo(0.5);
        // maxout(k=2) masks: [0, 1] and [1, 0].
        assertThat(row.getField(4)).isEqualTo(0.5);
        // RELU(arr) = [0, 2], [3, 0]: each index is zero in one row of two.
        assertThat((Integer[]) row.getField(5)).containsExactly(0, 1);
        Row stats = (Row) row.getField(6);
        assertThat(stats.getField("record_count")).isEqualTo(2L);
        assertThat(stats.getField("value_count")).isEqualTo(4L);
        assertThat(stats.getField("zero_count")).isEqualTo(2L);
        assertThat(stats.getField("max")).isEqualTo(3.0);
        assertThat(stats.getField("mean")).isEqualTo(1.25);
        assertThat((Double[]) stats.getField("per_feature_zero_fraction"))
                .containsExactly(0.5, 0.5);
        assertThat((Integer[]) stats.getField("dead_features")).isEmpty();
    }
}
