package io.relustream.benchmarks;

import io.relustream.avro.ActivationVector;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.FeatureActivationFunction;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Records per second of the activation operator in a Flink pipeline, against an identity map (the
 * pipeline's own cost), the boxed map one writes by hand, and Flink SQL computing the same with
 * {@code GREATEST(x, 0)} and {@code CASE} over 64 columns. Each pipeline: a generated in-memory
 * source, parallelism 1, a discarding sink, the job's configuration (Avro and POJO types only,
 * object reuse).
 */
final class FlinkOperatorHarness {

    static final int DIMENSIONS = 64;
    private static final int POOL = 4096;

    private final long records;

    FlinkOperatorHarness(long records) {
        this.records = records;
    }

    /** The pipelines by name; each returns its records per second. */
    List<String> variants() {
        return List.of("activation", "identity", "boxed map", "Flink SQL");
    }

    double run(String variant) throws Exception {
        StreamExecutionEnvironment env = environment();
        switch (variant) {
            case "activation":
                vectors(env)
                        .process(FeatureActivationFunction.builder().build())
                        .sinkTo(new DiscardingSink<>());
                break;
            case "identity":
                vectors(env)
                        .map(vector -> vector)
                        .returns(new AvroTypeInfo<>(FeatureVector.class))
                        .sinkTo(new DiscardingSink<>());
                break;
            case "boxed map":
                vectors(env)
                        .map(new BoxedActivation())
                        .returns(new AvroTypeInfo<>(ActivationVector.class))
                        .sinkTo(new DiscardingSink<>());
                break;
            case "Flink SQL":
                sql(env);
                break;
            default:
                throw new IllegalArgumentException(variant);
        }
        long nanos = System.nanoTime();
        long runtime = env.execute(variant).getNetRuntime();
        long wall = (System.nanoTime() - nanos) / 1_000_000;
        return records * 1000.0 / Math.max(1, Math.min(runtime, wall));
    }

    private static StreamExecutionEnvironment environment() {
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        configuration.set(PipelineOptions.OBJECT_REUSE, true);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);
        return env;
    }

    private DataStream<FeatureVector> vectors(StreamExecutionEnvironment env) {
        FeatureVector[] pool = Records.vectors(POOL, DIMENSIONS, 4, 3);
        return env.fromSequence(0, records - 1)
                .map(new FromPool(pool))
                .returns(new AvroTypeInfo<>(FeatureVector.class));
    }

    private void sql(StreamExecutionEnvironment env) {
        FeatureVector[] pool = Records.vectors(POOL, DIMENSIONS, 4, 3);
        String[] columns =
                IntStream.range(0, DIMENSIONS).mapToObj(i -> "x" + i).toArray(String[]::new);
        TypeInformation<?>[] types = new TypeInformation<?>[DIMENSIONS];
        java.util.Arrays.fill(types, Types.DOUBLE);
        DataStream<Row> rows =
                env.fromSequence(0, records - 1)
                        .map(new RowsFromPool(pool))
                        .returns(new RowTypeInfo(types, columns));
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.createTemporaryView("features", tables.fromDataStream(rows));
        String outputs =
                IntStream.range(0, DIMENSIONS)
                        .mapToObj(
                                i ->
                                        "GREATEST(x"
                                                + i
                                                + ", 0.0) AS a"
                                                + i
                                                + ", CASE WHEN x"
                                                + i
                                                + " > 0 THEN 1.0 ELSE 0.0 END AS d"
                                                + i)
                        .collect(Collectors.joining(", "));
        String sinkColumns =
                IntStream.range(0, DIMENSIONS)
                        .mapToObj(i -> "a" + i + " DOUBLE, d" + i + " DECIMAL(2, 1)")
                        .collect(Collectors.joining(", "));
        tables.executeSql(
                "CREATE TEMPORARY TABLE discard ("
                        + sinkColumns
                        + ") WITH ('connector' = 'blackhole')");
        tables.createStatementSet()
                .addInsertSql("INSERT INTO discard SELECT " + outputs + " FROM features")
                .attachAsDataStream();
    }

    private static final class FromPool implements MapFunction<Long, FeatureVector> {
        private static final long serialVersionUID = 1L;
        private final FeatureVector[] pool;

        FromPool(FeatureVector[] pool) {
            this.pool = pool;
        }

        @Override
        public FeatureVector map(Long index) {
            return pool[(int) (index % pool.length)];
        }
    }

    private static final class RowsFromPool implements MapFunction<Long, Row> {
        private static final long serialVersionUID = 1L;
        private final double[][] pool;

        RowsFromPool(FeatureVector[] vectors) {
            pool = new double[vectors.length][];
            for (int i = 0; i < vectors.length; i++) {
                pool[i] =
                        vectors[i].getValues().stream().mapToDouble(Double::doubleValue).toArray();
            }
        }

        @Override
        public Row map(Long index) {
            double[] values = pool[(int) (index % pool.length)];
            Row row = new Row(values.length);
            for (int i = 0; i < values.length; i++) {
                row.setField(i, values[i]);
            }
            return row;
        }
    }

    /** The map one writes by hand: boxed streams over the record's list. */
    private static final class BoxedActivation
            implements MapFunction<FeatureVector, ActivationVector> {
        private static final long serialVersionUID = 1L;

        @Override
        public ActivationVector map(FeatureVector vector) {
            List<Double> activations =
                    vector.getValues().stream()
                            .map(z -> Math.max(z, 0.0))
                            .collect(Collectors.toList());
            List<Double> derivatives =
                    vector.getValues().stream()
                            .map(z -> z > 0 ? 1.0 : 0.0)
                            .collect(Collectors.toList());
            return ActivationVector.newBuilder()
                    .setId(vector.getId())
                    .setEventTime(vector.getEventTime())
                    .setGroup(vector.getGroup())
                    .setActivation("relu")
                    .setActivations(new ArrayList<>(activations))
                    .setDerivatives(derivatives)
                    .build();
        }
    }
}
