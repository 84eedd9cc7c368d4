package io.relustream.benchmarks;

import io.relustream.avro.ActivationVector;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.FeatureActivationFunction;
import io.relustream.operators.internal.AvroArrays;
import io.relustream.operators.internal.DoubleArrayList;

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
 * pipeline's own cost), a map that only reads the values, a map that builds the same output record
 * from copies, the boxed map one writes by hand, and Flink SQL computing the same with {@code
 * GREATEST(x, 0)} and {@code CASE} over 64 columns. Each pipeline: a generated in-memory source,
 * parallelism 1, a discarding sink, the job's configuration (Avro and POJO types only, object
 * reuse).
 */
final class FlinkOperatorHarness {

    static final int DIMENSIONS = 64;
    private static final org.apache.avro.Schema VALUES_SCHEMA =
            FeatureVector.getClassSchema().getField("values").schema();
    private static final int POOL = 4096;

    private final long records;
    private final boolean freshRecords;

    /**
     * @param freshRecords whether the source builds every record anew, as a deserializer does,
     *     rather than handing out records of a pool (which leaves the identity pipeline nothing to
     *     do but Flink's own per-record work)
     */
    FlinkOperatorHarness(long records, boolean freshRecords) {
        this.records = records;
        this.freshRecords = freshRecords;
    }

    /** The pipelines by name; each returns its records per second. */
    List<String> variants() {
        return List.of("activation", "identity", "read map", "copy map", "boxed map", "Flink SQL");
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
            case "read map":
                vectors(env)
                        .map(new ReadMap())
                        .returns(new AvroTypeInfo<>(FeatureVector.class))
                        .sinkTo(new DiscardingSink<>());
                break;
            case "copy map":
                vectors(env)
                        .map(new CopyMap())
                        .returns(new AvroTypeInfo<>(ActivationVector.class))
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
        MapFunction<Long, FeatureVector> source =
                freshRecords ? new FreshFromPool(pool) : new FromPool(pool);
        return env.fromSequence(0, records - 1)
                .map(source)
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
                                                + ", 0e0) AS a"
                                                + i
                                                + ", CASE WHEN x"
                                                + i
                                                + " > 0 THEN 1e0 ELSE 0e0 END AS d"
                                                + i)
                        .collect(Collectors.joining(", "));
        String sinkColumns =
                IntStream.range(0, DIMENSIONS)
                        .mapToObj(i -> "a" + i + " DOUBLE, d" + i + " DOUBLE")
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

    /**
     * A new record with a new {@code double[]} for every index, as the job's deserializer produces
     * them.
     */
    private static final class FreshFromPool implements MapFunction<Long, FeatureVector> {
        private static final long serialVersionUID = 1L;
        private final FeatureVector[] pool;
        private transient double[][] values;

        FreshFromPool(FeatureVector[] pool) {
            this.pool = pool;
        }

        @Override
        public FeatureVector map(Long index) {
            if (values == null) {
                values = new double[pool.length][];
                for (int i = 0; i < pool.length; i++) {
                    values[i] =
                            pool[i].getValues().stream().mapToDouble(Double::doubleValue).toArray();
                }
            }
            int slot = (int) (index % pool.length);
            FeatureVector template = pool[slot];
            return new FeatureVector(
                    template.getId(),
                    template.getEventTime(),
                    template.getGroup(),
                    new DoubleArrayList(values[slot].clone(), VALUES_SCHEMA));
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

    /**
     * Reads every value (counts the positive ones) and passes the record on: what any map that
     * looks at the values pays beyond the identity map, before it produces anything.
     */
    private static final class ReadMap implements MapFunction<FeatureVector, FeatureVector> {
        private static final long serialVersionUID = 1L;
        // Kept so that the JIT cannot drop the loop.
        private long positives;

        @Override
        public FeatureVector map(FeatureVector vector) {
            double[] values = AvroArrays.toDoubles(vector.getValues(), null);
            int count = 0;
            for (double z : values) {
                count += z > 0 ? 1 : 0;
            }
            positives += count;
            return vector;
        }
    }

    /**
     * The output record built from copies of the input, without any math: what producing an
     * ActivationVector costs before anything is computed.
     */
    private static final class CopyMap implements MapFunction<FeatureVector, ActivationVector> {
        private static final long serialVersionUID = 1L;

        @Override
        public ActivationVector map(FeatureVector vector) {
            double[] values = AvroArrays.toDoubles(vector.getValues(), null);
            return new ActivationVector(
                    vector.getId(),
                    vector.getEventTime(),
                    vector.getGroup(),
                    "copy",
                    new DoubleArrayList(values.clone(), VALUES_SCHEMA),
                    new DoubleArrayList(values.clone(), VALUES_SCHEMA));
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
