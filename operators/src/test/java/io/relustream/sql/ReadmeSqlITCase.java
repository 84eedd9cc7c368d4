package io.relustream.sql;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.runtime.typeutils.ExternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The README's "Flink SQL" example as written there: its statements are read from the README, run
 * over a small {@code features} table with an event-time attribute, and give the numbers worked out
 * by hand below, with the functions registered by {@link SqlFunctions#registerAll} and by the
 * README's {@code CREATE FUNCTION} statements.
 */
class ReadmeSqlITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Path README = Path.of("..", "README.md");

    private static final DataType FEATURE =
            DataTypes.ROW(
                    DataTypes.FIELD("group", DataTypes.STRING()),
                    DataTypes.FIELD("values", DataTypes.ARRAY(DataTypes.DOUBLE())),
                    DataTypes.FIELD("millis", DataTypes.BIGINT()));

    /** In event-time order; two one-minute windows of group g, one of group h. */
    private static final List<Row> FEATURES =
            List.of(
                    Row.of("g", new Double[] {-1.0, 2.0, 7.0}, 1_000L),
                    Row.of("g", new Double[] {3.0, -4.0, 0.5}, 2_000L),
                    Row.of("h", new Double[] {-2.0, 0.0}, 3_000L),
                    Row.of("g", new Double[] {-1.0, -1.0, -1.0}, 61_000L));

    @Test
    void readmeQueryOverFunctionsRegisteredByRegisterAll() throws Exception {
        StreamTableEnvironment tableEnv = tableEnvironment();
        SqlFunctions.registerAll(tableEnv);

        assertReadmeResults(tableEnv);
    }

    @Test
    void readmeQueryOverFunctionsCreatedByTheReadmeStatements() throws Exception {
        StreamTableEnvironment tableEnv = tableEnvironment();
        List<String> statements = readmeStatements();
        for (String statement : statements.subList(0, statements.size() - 1)) {
            tableEnv.executeSql(statement);
        }
        // The classes the README's comment lists for the rest, by the name SqlFunctions gives.
        Matcher also = Pattern.compile("-- also ([^\\n]*(\\n--[^\\n]*)*)").matcher(readmeSql());
        assertThat(also.find()).isTrue();
        List<String> created = new ArrayList<>();
        for (String simpleName : also.group(1).replace("--", "").split("[,\\s]+")) {
            for (Map.Entry<String, ?> function : SqlFunctions.FUNCTIONS.entrySet()) {
                Class<?> type = (Class<?>) function.getValue();
                if (type.getSimpleName().equals(simpleName)) {
                    tableEnv.executeSql(
                            "CREATE TEMPORARY SYSTEM FUNCTION "
                                    + function.getKey()
                                    + " AS '"
                                    + type.getName()
                                    + "'");
                    created.add(function.getKey());
                }
            }
        }
        // With RELU and ZERO_FRACTION above, every function of SqlFunctions.
        assertThat(created)
                .containsExactlyInAnyOrder(
                        "RELU_GRAD",
                        "LEAKY_RELU",
                        "ACTIVATION",
                        "ACTIVATION_GRAD",
                        "DEAD_FEATURES",
                        "ACTIVATION_STATS");

        assertReadmeResults(tableEnv);
    }

    private static StreamTableEnvironment tableEnvironment() {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env);
        tableEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        DataStream<Row> stream =
                env.fromData(FEATURES, ExternalTypeInfo.of(FEATURE))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Row>forMonotonousTimestamps()
                                        .withTimestampAssigner(
                                                (row, previous) -> (Long) row.getField(2)));
        tableEnv.createTemporaryView(
                "features",
                tableEnv.fromDataStream(
                        stream,
                        Schema.newBuilder()
                                .columnByMetadata(
                                        "event_time", DataTypes.TIMESTAMP_LTZ(3), "rowtime")
                                .watermark("event_time", "SOURCE_WATERMARK()")
                                .build()));
        return tableEnv;
    }

    private static void assertReadmeResults(StreamTableEnvironment tableEnv) throws Exception {
        List<String> statements = readmeStatements();
        String query = statements.get(statements.size() - 1);
        assertThat(query).startsWith("SELECT");
        List<Row> rows = SqlTables.collect(tableEnv.executeSql(query));
        rows.sort(
                (a, b) ->
                        (a.getField(0) + "" + a.getField(1))
                                .compareTo(b.getField(0) + "" + b.getField(1)));
        assertThat(rows).hasSize(3);

        // g, [0, 60s): RELU gives [0, 2, 7], [3, 0, 0.5]: 2 zeros of 6. relu6 gives [0, 2, 6],
        // [3, 0, 0.5]: features 0 and 1 are zero in one row of two, none is dead. LEAKY_RELU(0.01)
        // gives [-0.01, 2, 7], [3, -0.04, 0.5]: no zeros; sorted -0.04, -0.01, 0.5, 2, 3, 7, so p50
        // (3 of 6 at or below) is 0.5, p90 and p99 are 7; mean 12.45 / 6 = 2.075; the squared
        // deviations sum to 36.41795, so stddev = sqrt(36.41795 / 6).
        Row g0 = rows.get(0);
        assertThat(g0.getField(0)).isEqualTo("g");
        assertThat(g0.getField(1)).isEqualTo(LocalDateTime.of(1970, 1, 1, 0, 0));
        assertThat(g0.getField(2)).isEqualTo(2.0 / 6);
        assertThat((Integer[]) g0.getField(3)).isEmpty();
        Row s = (Row) g0.getField(4);
        assertThat(s.getField("record_count")).isEqualTo(2L);
        assertThat(s.getField("value_count")).isEqualTo(6L);
        assertThat(s.getField("zero_count")).isEqualTo(0L);
        assertThat(s.getField("zero_fraction")).isEqualTo(0.0);
        assertThat(s.getField("nan_count")).isEqualTo(0L);
        assertThat(s.getField("min")).isEqualTo(-0.04);
        assertThat(s.getField("max")).isEqualTo(7.0);
        assertThat((Double) s.getField("mean")).isCloseTo(2.075, within(1e-12));
        assertThat((Double) s.getField("stddev")).isCloseTo(Math.sqrt(36.41795 / 6), within(1e-12));
        assertThat(s.getField("p50")).isEqualTo(0.5);
        assertThat(s.getField("p90")).isEqualTo(7.0);
        assertThat(s.getField("p99")).isEqualTo(7.0);
        assertThat((Double[]) s.getField("per_feature_zero_fraction"))
                .containsExactly(0.0, 0.0, 0.0);
        assertThat((Integer[]) s.getField("dead_features")).isEmpty();

        // g, [60s, 120s): [-1, -1, -1] is all zeros after RELU and relu6, so every feature is
        // dead; LEAKY_RELU gives -0.01 three times.
        Row g1 = rows.get(1);
        assertThat(g1.getField(0)).isEqualTo("g");
        assertThat(g1.getField(1)).isEqualTo(LocalDateTime.of(1970, 1, 1, 0, 1));
        assertThat(g1.getField(2)).isEqualTo(1.0);
        assertThat((Integer[]) g1.getField(3)).containsExactly(0, 1, 2);
        s = (Row) g1.getField(4);
        assertThat(s.getField("record_count")).isEqualTo(1L);
        assertThat(s.getField("zero_count")).isEqualTo(0L);
        assertThat(s.getField("min")).isEqualTo(-0.01);
        assertThat(s.getField("max")).isEqualTo(-0.01);
        assertThat(s.getField("p99")).isEqualTo(-0.01);
        assertThat((Integer[]) s.getField("dead_features")).isEmpty();

        // h, [0, 60s): RELU and relu6 give [0, 0]; LEAKY_RELU gives [-0.02, 0]: one zero of two,
        // feature 1 zero in every row, so dead at 0.99; p50 (1 of 2 at or below) is -0.02.
        Row h0 = rows.get(2);
        assertThat(h0.getField(0)).isEqualTo("h");
        assertThat(h0.getField(2)).isEqualTo(1.0);
        assertThat((Integer[]) h0.getField(3)).containsExactly(0, 1);
        s = (Row) h0.getField(4);
        assertThat(s.getField("value_count")).isEqualTo(2L);
        assertThat(s.getField("zero_count")).isEqualTo(1L);
        assertThat(s.getField("zero_fraction")).isEqualTo(0.5);
        assertThat(s.getField("mean")).isEqualTo(-0.01);
        assertThat(s.getField("p50")).isEqualTo(-0.02);
        assertThat(s.getField("p90")).isEqualTo(0.0);
        assertThat((Double[]) s.getField("per_feature_zero_fraction")).containsExactly(0.0, 1.0);
        assertThat((Integer[]) s.getField("dead_features")).containsExactly(1);
    }

    /** The README's {@code sql} block. */
    private static String readmeSql() throws Exception {
        Matcher block =
                Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL)
                        .matcher(Files.readString(README));
        assertThat(block.find()).as("the README's sql block").isTrue();
        return block.group(1);
    }

    /** The statements of the README's {@code sql} block, in order, without their semicolons. */
    private static List<String> readmeStatements() throws Exception {
        return Arrays.stream(readmeSql().split(";"))
                .map(statement -> statement.replaceAll("(?m)^--.*$", "").strip())
                .filter(statement -> !statement.isEmpty())
                .toList();
    }
}
