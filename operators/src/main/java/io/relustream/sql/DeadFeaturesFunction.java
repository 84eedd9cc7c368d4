package io.relustream.sql;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.table.types.inference.Signature;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code DEAD_FEATURES(arr, threshold)}: the indexes, ascending, whose zero fraction over the rows
 * of the group that have that index is at least {@code threshold}; {@code arr} an ARRAY of DOUBLE
 * or FLOAT activation outputs.
 *
 * <pre>{@code
 * CREATE TEMPORARY SYSTEM FUNCTION DEAD_FEATURES AS 'io.relustream.sql.DeadFeaturesFunction';
 * SELECT `group`, window_start, DEAD_FEATURES(RELU(`values`), 1.0)
 * FROM TABLE(TUMBLE(TABLE features, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
 * GROUP BY `group`, window_start, window_end;
 * }</pre>
 *
 * <p>Index {@code i} is dead when (rows whose array has an element at {@code i} that equals 0.0) /
 * (rows whose array has an element at {@code i}) {@code >= threshold}. A NaN or NULL element counts
 * as a row that has the index and was not zero there, as in {@code ACTIVATION_STATS}, whose {@code
 * dead_features} this equals. NULL arrays are skipped; a group without rows gives an empty array.
 *
 * <p>{@code threshold} must be a numeric literal in {@code (0, 1]} ({@code 1.0}: always zero), as
 * written: {@code 1e-400} (which reads as the double 0) and {@code 1.00000000000000000001} (which
 * reads as 1) fail when the query is planned, naming the number written, as anything else does. The
 * accumulator holds two counters per index, retracts exactly (updating tables) and merges (HOP,
 * CUMULATE and SESSION windows, two-phase aggregation).
 */
public final class DeadFeaturesFunction
        extends AggregateFunction<Integer[], DeadFeaturesFunction.Accumulator> {

    private static final long serialVersionUID = 1L;

    private transient WrittenValues thresholds;

    /** Per-index counts of the group: a Flink structured type, serialized without Kryo. */
    public static final class Accumulator {
        /** Rows that have index {@code i}. */
        public long[] records = new long[0];

        /** Rows whose element at {@code i} is 0.0. */
        public long[] zeros = new long[0];

        /** The threshold of the call; NaN until a row has been added. */
        public double threshold = Double.NaN;
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    public void accumulate(Accumulator acc, Double[] arr, Number threshold) {
        add(acc, arr, thresholds().of(threshold), 1);
    }

    public void accumulate(Accumulator acc, Float[] arr, Number threshold) {
        add(acc, arr, thresholds().of(threshold), 1);
    }

    public void retract(Accumulator acc, Double[] arr, Number threshold) {
        add(acc, arr, thresholds().of(threshold), -1);
    }

    public void retract(Accumulator acc, Float[] arr, Number threshold) {
        add(acc, arr, thresholds().of(threshold), -1);
    }

    private WrittenValues thresholds() {
        if (thresholds == null) {
            thresholds = new WrittenValues();
        }
        return thresholds;
    }

    private static void add(Accumulator acc, Number[] arr, double threshold, int sign) {
        acc.threshold = threshold;
        if (arr == null) {
            return;
        }
        copyCounts(acc, arr.length);
        for (int i = 0; i < arr.length; i++) {
            acc.records[i] += sign;
            Number x = arr[i];
            if (x != null && x.doubleValue() == 0.0) {
                acc.zeros[i] += sign;
            }
        }
    }

    public void merge(Accumulator acc, Iterable<Accumulator> others) {
        for (Accumulator other : others) {
            if (Double.isNaN(acc.threshold)) {
                acc.threshold = other.threshold;
            }
            copyCounts(acc, other.records.length);
            for (int i = 0; i < other.records.length; i++) {
                acc.records[i] += other.records[i];
                acc.zeros[i] += other.zeros[i];
            }
        }
    }

    public void resetAccumulator(Accumulator acc) {
        acc.records = new long[0];
        acc.zeros = new long[0];
        acc.threshold = Double.NaN;
    }

    @Override
    public Integer[] getValue(Accumulator acc) {
        return deadFeatures(acc.records, acc.zeros, acc.threshold);
    }

    /** Indexes with rows whose zero fraction is at least {@code threshold}; none for NaN. */
    static Integer[] deadFeatures(long[] records, long[] zeros, double threshold) {
        List<Integer> dead = new ArrayList<>();
        for (int i = 0; i < records.length; i++) {
            // Retraction can leave an index without rows: it has no fraction, so it is not dead.
            if (records[i] > 0 && (double) zeros[i] / records[i] >= threshold) {
                dead.add(i);
            }
        }
        return dead.toArray(new Integer[0]);
    }

    /**
     * Gives the accumulator counts of its own, at least {@code length} long, before they change:
     * Flink may still hold the arrays as the stored state of another accumulator. A streaming OVER
     * window ordered by a column that is not time keeps one per sort key and starts a row from the
     * one before it; on the heap state backend, changing the arrays in place would change that one
     * too.
     */
    private static void copyCounts(Accumulator acc, int length) {
        int features = Math.max(length, acc.records.length);
        acc.records = Arrays.copyOf(acc.records, features);
        acc.zeros = Arrays.copyOf(acc.zeros, features);
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return TypeInference.newBuilder()
                .inputTypeStrategy(
                        ArgumentTypes.sequence(
                                2,
                                ArgumentTypes.signatures(
                                        List.of(),
                                        ArgumentTypes.Values.ARRAY,
                                        List.of(Signature.Argument.of("threshold", "DOUBLE"))),
                                ArgumentTypes.values(ArgumentTypes.Values.ARRAY),
                                ArgumentTypes.deadThreshold()))
                .accumulatorTypeStrategy(
                        TypeStrategies.explicit(typeFactory.createDataType(Accumulator.class)))
                .outputTypeStrategy(
                        TypeStrategies.explicit(DataTypes.ARRAY(DataTypes.INT().notNull())))
                .build();
    }
}
