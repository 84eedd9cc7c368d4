package io.relustream.sql;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.runtime.typeutils.ExternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tables of exact Java values for the SQL tests. The rows come from a DataStream, not from SQL
 * literals, so that -0.0, NaN and infinities reach the functions as they are (SQL literals are
 * decimals and know none of them) and nothing can be folded at planning time.
 */
final class SqlTables {

    final StreamExecutionEnvironment env;
    final StreamTableEnvironment tableEnv;

    /** A streaming table environment on the test's MiniCluster, every function registered. */
    SqlTables(int parallelism) {
        // Kryo would be a bug here: every accumulator must have a Flink serializer.
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        tableEnv = StreamTableEnvironment.create(env);
        // Window starts and ends as UTC wall-clock times, whatever the machine's zone.
        tableEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        SqlFunctions.registerAll(tableEnv);
    }

    /**
     * A table environment of its own (batch or streaming) with Flink's generic-type fallback off,
     * as in {@link #SqlTables(int)}: a type only Kryo could serialize fails the test.
     */
    static TableEnvironment tableEnvironment(boolean streaming) {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        EnvironmentSettings.Builder settings = EnvironmentSettings.newInstance();
        (streaming ? settings.inStreamingMode() : settings.inBatchMode()).withConfiguration(config);
        return TableEnvironment.create(settings.build());
    }

    /** A table of {@code rows} with the columns of {@code rowType}. */
    Table table(DataType rowType, List<Row> rows) {
        return tableEnv.fromDataStream(env.fromData(rows, ExternalTypeInfo.of(rowType)));
    }

    /**
     * A table of {@code rows} with an event-time attribute {@code rowtime} (TIMESTAMP_LTZ(3)) taken
     * from the epoch milliseconds in field {@code eventTimeField}; the watermark follows the rows,
     * which must come in time order.
     */
    Table eventTimeTable(DataType rowType, List<Row> rows, int eventTimeField) {
        DataStream<Row> stream =
                env.fromData(rows, ExternalTypeInfo.of(rowType))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Row>forMonotonousTimestamps()
                                        .withTimestampAssigner(
                                                (row, previous) ->
                                                        (Long) row.getField(eventTimeField)));
        return tableEnv.fromDataStream(
                stream,
                Schema.newBuilder()
                        .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                        .watermark("rowtime", "SOURCE_WATERMARK()")
                        .build());
    }

    /** A changelog table: each row's {@link RowKind} says whether it is added or retracted. */
    Table changelogTable(DataType rowType, List<Row> rows) {
        return tableEnv.fromChangelogStream(env.fromData(rows, ExternalTypeInfo.of(rowType)));
    }

    /** Every row {@code query} emits, in order, with its kind. */
    List<Row> query(String query) {
        return collect(tableEnv.executeSql(query));
    }

    /** Every row the query emits, in order, with its kind. */
    static List<Row> collect(TableResult result) {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(rows::add);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    /**
     * The table a changelog ends as: rows by their first {@code keyColumns} fields, inserts and
     * update-afters applied, update-befores and deletes removed.
     */
    static Map<Row, Row> materialize(List<Row> changelog, int keyColumns) {
        Map<Row, Row> table = new LinkedHashMap<>();
        for (Row row : changelog) {
            Row key = Row.withPositions(keyColumns);
            for (int i = 0; i < keyColumns; i++) {
                key.setField(i, row.getField(i));
            }
            Row value = Row.copy(row);
            value.setKind(RowKind.INSERT);
            switch (row.getKind()) {
                case INSERT:
                case UPDATE_AFTER:
                    table.put(key, value);
                    break;
                default:
                    if (!value.equals(table.remove(key))) {
                        throw new AssertionError("Retracted a row that is not there: " + row);
                    }
            }
        }
        return table;
    }
}
