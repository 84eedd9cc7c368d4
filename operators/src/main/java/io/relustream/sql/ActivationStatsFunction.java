package io.relustream.sql;

import io.relustream.activation.VectorActivation;
import io.relustream.avro.ActivationStats;
import io.relustream.stats.ActivationSample;
import io.relustream.stats.ActivationStatsAccumulator;
import io.relustream.stats.ActivationStatsAccumulatorSerializer;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.ArgumentCount;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.ConstantArgumentCount;
import org.apache.flink.table.types.inference.InputTypeStrategy;
import org.apache.flink.table.types.inference.Signature;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code ACTIVATION_STATS(arr [, dead_threshold])}: the statistics of the activation job's {@code
 * ActivationStats} record over the group's arrays of activation outputs, as one ROW; {@code
 * ACTIVATION_STATS(spec, x [, dead_threshold])}: the same over {@code ACTIVATION(spec, x)}, with
 * the input counts over the arrays {@code x} of inputs, as the job counts them.
 *
 * <pre>{@code
 * CREATE TEMPORARY SYSTEM FUNCTION ACTIVATION_STATS AS 'io.relustream.sql.ActivationStatsFunction';
 * SELECT `group`, window_start, s.zero_fraction, s.p99, s.dead_features
 * FROM (
 *   SELECT `group`, window_start, ACTIVATION_STATS(RELU(`values`), 0.99) AS s
 *   FROM TABLE(TUMBLE(TABLE features, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
 *   GROUP BY `group`, window_start, window_end);
 * }</pre>
 *
 * <p>{@code arr} is an ARRAY of DOUBLE or FLOAT (FLOAT is widened to DOUBLE) holding activation
 * outputs: the "input" counts of the job are over these same values here, with threshold 0. With a
 * spec (a string literal {@link io.relustream.activation.Activations#parseVector} reads), {@code x}
 * holds the inputs: the statistics are over its activations, the input counts over {@code x}, and
 * {@code negative_input_fraction} uses the activation's threshold. NULL arrays are skipped, and so
 * are arrays whose length maxout cannot take (as {@code ACTIVATION} gives NULL for them). The
 * fields:
 *
 * <ul>
 *   <li>{@code record_count}: rows with a non-NULL array.
 *   <li>{@code value_count}: non-NULL, non-NaN elements (infinities included).
 *   <li>{@code zero_count}: elements equal to 0.0; {@code zero_fraction} = zero_count /
 *       value_count, NULL when value_count is 0.
 *   <li>{@code nan_count}, {@code pos_inf_count}, {@code neg_inf_count}: NaN, +inf and -inf input
 *       elements.
 *   <li>{@code negative_input_fraction}: the share of the non-NULL, non-NaN input elements strictly
 *       below the activation's threshold ({@code t}, {@code theta} for thresholded_relu, 0 for
 *       maxout and without a spec); NULL when there is none.
 *   <li>{@code min}, {@code max}, {@code mean}, {@code stddev} (population) and the quantiles
 *       {@code p50}, {@code p90}, {@code p99}: over the non-NULL, non-NaN elements; NULL when there
 *       is none. The mean is the exact sum over the count, rounded once, in any order of rows and
 *       merges (see {@link ActivationStatsAccumulator}). An infinity makes the mean infinite (NaN
 *       with both signs) and the stddev NaN. The quantiles come from a KLL sketch: exact up to 200
 *       values per group, then within about 1.3% rank error; p = the smallest value with at least
 *       that share of values at or below it.
 *   <li>{@code per_feature_zero_fraction[i]}: zero elements at index {@code i} over the rows whose
 *       array has index {@code i} (a NaN or NULL element counts as a row that was not zero).
 *   <li>{@code dead_features}: ascending indexes whose per-feature zero fraction is at least {@code
 *       dead_threshold}, a numeric literal in {@code (0, 1]}, default 1.0.
 * </ul>
 *
 * <p>The accumulator ({@link ActivationStatsAccumulator}, O(features), never a buffer of rows)
 * merges, so HOP, CUMULATE and SESSION windows and two-phase aggregation work. It does not retract:
 * min, max and the quantile sketch cannot forget a value, so over an updating table (a changelog
 * with retractions), and in a streaming OVER window with a bounded start ({@code ROWS BETWEEN 9
 * PRECEDING AND CURRENT ROW}, whose leaving rows are retracted), the query fails when it is
 * planned; an OVER window from {@code UNBOUNDED PRECEDING}, or any in batch mode, works. Not a
 * streaming OVER window ordered by a column that is not a time attribute: it plans, but Flink
 * compares the stored accumulators of such a window once a row comes out of order, ties or is
 * retracted, and cannot compare the sketch (a RAW value), so the job fails then. Field names such
 * as {@code min} are reserved words in SQL: quote them, {@code s.`min`}.
 */
public final class ActivationStatsFunction
        extends AggregateFunction<Row, ActivationStatsFunction.Accumulator> {

    private static final long serialVersionUID = 1L;

    private transient ActivationSpecs specs;
    private transient WrittenValues thresholds;

    /** Dead threshold when the call gives none, as in the activation job. */
    public static final double DEFAULT_DEAD_THRESHOLD = 1.0;

    /** The job's window accumulator and the call's dead threshold. */
    public static final class Accumulator {
        /** Serialized by its own Flink serializer, as a RAW field. */
        public ActivationStatsAccumulator stats = new ActivationStatsAccumulator();

        /** The threshold of the call; NaN until a row has been added. */
        public double deadThreshold = Double.NaN;
    }

    /** The result: the statistics of {@code ActivationStats} without the key and window. */
    static final DataType RESULT =
            DataTypes.ROW(
                    DataTypes.FIELD("record_count", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("value_count", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("zero_count", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("zero_fraction", DataTypes.DOUBLE()),
                    DataTypes.FIELD("nan_count", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("pos_inf_count", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("neg_inf_count", DataTypes.BIGINT().notNull()),
                    DataTypes.FIELD("negative_input_fraction", DataTypes.DOUBLE()),
                    DataTypes.FIELD("min", DataTypes.DOUBLE()),
                    DataTypes.FIELD("max", DataTypes.DOUBLE()),
                    DataTypes.FIELD("mean", DataTypes.DOUBLE()),
                    DataTypes.FIELD("stddev", DataTypes.DOUBLE()),
                    DataTypes.FIELD("p50", DataTypes.DOUBLE()),
                    DataTypes.FIELD("p90", DataTypes.DOUBLE()),
                    DataTypes.FIELD("p99", DataTypes.DOUBLE()),
                    DataTypes.FIELD(
                            "per_feature_zero_fraction",
                            DataTypes.ARRAY(DataTypes.DOUBLE().notNull()).notNull()),
                    DataTypes.FIELD(
                            "dead_features", DataTypes.ARRAY(DataTypes.INT().notNull()).notNull()));

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    public void accumulate(Accumulator acc, Double[] arr) {
        accumulate(acc, arr, DEFAULT_DEAD_THRESHOLD);
    }

    public void accumulate(Accumulator acc, Double[] arr, Number deadThreshold) {
        add(acc, arr, arr, 0.0, thresholds().of(deadThreshold));
    }

    public void accumulate(Accumulator acc, Float[] arr) {
        add(acc, arr, arr, 0.0, DEFAULT_DEAD_THRESHOLD);
    }

    public void accumulate(Accumulator acc, Float[] arr, Number deadThreshold) {
        add(acc, arr, arr, 0.0, thresholds().of(deadThreshold));
    }

    public void accumulate(Accumulator acc, String spec, Double[] x) {
        accumulate(acc, spec, x, DEFAULT_DEAD_THRESHOLD);
    }

    public void accumulate(Accumulator acc, String spec, Double[] x, Number deadThreshold) {
        VectorActivation activation = specs().vector(spec);
        add(
                acc,
                x,
                Kernels.apply(activation, false, x),
                activation.threshold(),
                thresholds().of(deadThreshold));
    }

    public void accumulate(Accumulator acc, String spec, Float[] x) {
        accumulate(acc, spec, x, DEFAULT_DEAD_THRESHOLD);
    }

    public void accumulate(Accumulator acc, String spec, Float[] x, Number deadThreshold) {
        VectorActivation activation = specs().vector(spec);
        add(
                acc,
                x,
                Kernels.apply(activation, false, x),
                activation.threshold(),
                thresholds().of(deadThreshold));
    }

    private WrittenValues thresholds() {
        if (thresholds == null) {
            thresholds = new WrittenValues();
        }
        return thresholds;
    }

    private ActivationSpecs specs() {
        if (specs == null) {
            specs = new ActivationSpecs();
        }
        return specs;
    }

    /**
     * Adds one row; {@code outputs} NULL (a NULL array, or one maxout cannot take) adds none.
     *
     * @param threshold inputs strictly below it count in {@code negative_input_fraction}
     */
    private static void add(
            Accumulator acc,
            Number[] inputs,
            Number[] outputs,
            double threshold,
            double deadThreshold) {
        acc.deadThreshold = deadThreshold;
        if (outputs != null) {
            acc.stats.add(sample(inputs, outputs, threshold));
        }
    }

    /**
     * The row as the job's sample: NULL elements are neither inputs nor values, but the row has
     * their index.
     */
    private static ActivationSample sample(Number[] inputs, Number[] outputs, double threshold) {
        ActivationSample sample = new ActivationSample();
        for (Number x : inputs) {
            if (x == null) {
                continue;
            }
            double z = x.doubleValue();
            sample.inputCount++;
            if (z != z) {
                sample.nanInputs++;
                continue;
            }
            if (z == Double.POSITIVE_INFINITY) {
                sample.posInfInputs++;
            } else if (z == Double.NEGATIVE_INFINITY) {
                sample.negInfInputs++;
            }
            if (z < threshold) {
                sample.belowThresholdInputs++;
            }
        }
        double[] values = new double[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            values[i] = outputs[i] == null ? Double.NaN : outputs[i].doubleValue();
        }
        sample.activations = values;
        return sample;
    }

    public void merge(Accumulator acc, Iterable<Accumulator> others) {
        for (Accumulator other : others) {
            if (Double.isNaN(acc.deadThreshold)) {
                acc.deadThreshold = other.deadThreshold;
            }
            acc.stats.merge(other.stats);
        }
    }

    public void resetAccumulator(Accumulator acc) {
        acc.stats = new ActivationStatsAccumulator();
        acc.deadThreshold = Double.NaN;
    }

    @Override
    public Row getValue(Accumulator acc) {
        double threshold =
                Double.isNaN(acc.deadThreshold) ? DEFAULT_DEAD_THRESHOLD : acc.deadThreshold;
        ActivationStats stats = acc.stats.toStats("", 0L, 0L, "", threshold);
        return Row.of(
                stats.getRecordCount(),
                stats.getValueCount(),
                stats.getZeroCount(),
                stats.getZeroFraction(),
                stats.getNanCount(),
                stats.getPosInfCount(),
                stats.getNegInfCount(),
                stats.getNegativeInputFraction(),
                stats.getMin(),
                stats.getMax(),
                stats.getMean(),
                stats.getStddev(),
                stats.getP50(),
                stats.getP90(),
                stats.getP99(),
                stats.getPerFeatureZeroFraction().toArray(new Double[0]),
                stats.getDeadFeatures().toArray(new Integer[0]));
    }

    private static final String FORMS =
            " takes (x [, dead_threshold]) or (spec, x [, dead_threshold])";

    /** {@code (x [, dead_threshold])}, or with a string first {@code (spec, x [, ...])}. */
    private static InputTypeStrategy inputTypes() {
        List<Signature.Argument> threshold =
                List.of(Signature.Argument.of("dead_threshold", "DOUBLE"));
        InputTypeStrategy outputs =
                ArgumentTypes.sequence(
                        1,
                        ArgumentTypes.signatures(List.of(), ArgumentTypes.Values.ARRAY, threshold),
                        ArgumentTypes.values(ArgumentTypes.Values.ARRAY),
                        ArgumentTypes.deadThreshold());
        InputTypeStrategy inputs =
                ArgumentTypes.sequence(
                        2,
                        ArgumentTypes.signatures(
                                List.of(Signature.Argument.of("spec", "STRING")),
                                ArgumentTypes.Values.ARRAY,
                                threshold),
                        ActivationSpecs::spec,
                        ArgumentTypes.values(ArgumentTypes.Values.ARRAY),
                        ArgumentTypes.deadThreshold());
        return new InputTypeStrategy() {
            @Override
            public ArgumentCount getArgumentCount() {
                // Any count reaches the checks below, as for the other functions (see
                // ArgumentTypes.sequence): the planner's own refusal names no form.
                return ConstantArgumentCount.any();
            }

            @Override
            public Optional<List<DataType>> inferInputTypes(
                    CallContext context, boolean throwOnFailure) {
                List<DataType> types = context.getArgumentDataTypes();
                if (types.isEmpty()) {
                    return ArgumentTypes.fail(
                            context,
                            throwOnFailure,
                            context.getName() + FORMS + ", not 0 arguments");
                }
                // An untyped NULL first is a spec before an array or with three arguments: its
                // check then names it, where the form without a spec could not type it and
                // left Calcite's "Illegal use of 'NULL'", naming neither function nor argument.
                boolean withSpec =
                        types.get(0).getLogicalType().is(LogicalTypeFamily.CHARACTER_STRING)
                                || (types.get(0).getLogicalType().is(LogicalTypeRoot.NULL)
                                        && (types.size() == 3
                                                || (types.size() == 2
                                                        && ArgumentTypes.isArray(types.get(1)))));
                InputTypeStrategy form = withSpec ? inputs : outputs;
                // (spec, x) or (x), each with an optional dead threshold.
                int required = withSpec ? 2 : 1;
                if (types.size() < required || types.size() > required + 1) {
                    return ArgumentTypes.fail(
                            context,
                            throwOnFailure,
                            context.getName()
                                    + FORMS
                                    + ", not "
                                    + ArgumentTypes.arguments(types.size())
                                    + " starting with "
                                    + types.get(0).getLogicalType().asSummaryString());
                }
                return form.inferInputTypes(context, throwOnFailure);
            }

            @Override
            public List<Signature> getExpectedSignatures(FunctionDefinition definition) {
                List<Signature> signatures =
                        new ArrayList<>(outputs.getExpectedSignatures(definition));
                signatures.addAll(inputs.getExpectedSignatures(definition));
                return signatures;
            }
        };
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        DataType accumulator =
                DataTypes.STRUCTURED(
                        Accumulator.class,
                        DataTypes.FIELD(
                                "stats",
                                DataTypes.RAW(
                                        ActivationStatsAccumulator.class,
                                        ActivationStatsAccumulatorSerializer.INSTANCE)),
                        DataTypes.FIELD("deadThreshold", DataTypes.DOUBLE().notNull()));
        return TypeInference.newBuilder()
                .inputTypeStrategy(inputTypes())
                .accumulatorTypeStrategy(TypeStrategies.explicit(accumulator))
                .outputTypeStrategy(TypeStrategies.explicit(RESULT))
                .build();
    }
}
