package io.relustream.jobs.examples;

import io.relustream.sql.SqlFunctions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * The Table/SQL functions: {@link SqlFunctions#registerAll} registers them under their SQL names,
 * then plain queries call them. A batch query over {@code VALUES}, so that it ends and needs no
 * connector; the same calls work in streaming, over windows (see the README's "Flink SQL").
 *
 * <p>Runs on a local Flink started in-process: run {@code main} from the IDE (with Flink's table
 * planner on the class path, as the {@code provided} dependencies of this module put it there), or
 * through {@code ExamplesTest}.
 */
public final class SqlFunctionsExample {

    private SqlFunctionsExample() {}

    public static void main(String[] args) throws Exception {
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        TableEnvironment tableEnv =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inBatchMode()
                                .withConfiguration(configuration)
                                .build());
        SqlFunctions.registerAll(tableEnv); // RELU, RELU_GRAD, ..., ACTIVATION_STATS

        // The functions take DOUBLE or FLOAT arrays: the literals' INT and DECIMAL arrays are cast.
        tableEnv.executeSql(
                "CREATE TEMPORARY VIEW features AS"
                        + " SELECT id, `group`, CAST(v AS ARRAY<DOUBLE>) AS `values`"
                        + " FROM (VALUES"
                        + "   (1, 'layer-1', ARRAY[-1, 2, 7]),"
                        + "   (2, 'layer-1', ARRAY[3, -4, 0.5]),"
                        + "   (3, 'layer-2', ARRAY[-2, 0]),"
                        + "   (4, 'layer-2', ARRAY[-3, 5])"
                        + " ) AS t(id, `group`, v)");

        // Scalar functions, row by row.
        print(
                tableEnv,
                "SELECT id, RELU(`values`) AS relu, RELU_GRAD(`values`) AS relu_grad,"
                        + " ACTIVATION('relu6', `values`) AS relu6"
                        + " FROM features ORDER BY id");

        // Aggregates per group: ACTIVATION_STATS(spec, inputs) is what the job computes per
        // window, as a ROW; read its fields in an outer query (`max` and `min` are reserved words).
        print(
                tableEnv,
                "SELECT `group`, zero_fraction, dead_features, s.record_count, s.zero_count,"
                        + " s.negative_input_fraction, s.mean, s.p50, s.`max`"
                        + " FROM ("
                        + "   SELECT `group`,"
                        + "          ZERO_FRACTION(RELU(`values`)) AS zero_fraction,"
                        + "          DEAD_FEATURES(RELU(`values`), 1.0) AS dead_features,"
                        + "          ACTIVATION_STATS('relu', `values`) AS s"
                        + "   FROM features GROUP BY `group`)"
                        + " ORDER BY `group`");
    }

    private static void print(TableEnvironment tableEnv, String query) throws Exception {
        try (CloseableIterator<Row> rows = tableEnv.executeSql(query).collect()) {
            rows.forEachRemaining(System.out::println);
        }
    }
}
