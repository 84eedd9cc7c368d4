package io.relustream.sql;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;

import java.util.List;

/**
 * {@code ZERO_FRACTION(x)}: the share of values equal to 0.0 among the non-NULL, non-NaN values of
 * the group; {@code x} a DOUBLE, a FLOAT or an ARRAY of them (every element is a value). NULL when
 * the group has no such value.
 *
 * <pre>{@code
 * CREATE TEMPORARY SYSTEM FUNCTION ZERO_FRACTION AS 'io.relustream.sql.ZeroFractionFunction';
 * SELECT `group`, window_start, ZERO_FRACTION(RELU(`values`))
 * FROM TABLE(TUMBLE(TABLE features, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
 * GROUP BY `group`, window_start, window_end;
 * }</pre>
 *
 * <p>Infinities are values (not zero); {@code -0.0} is zero. This is the {@code zero_fraction} of
 * {@code ACTIVATION_STATS}. It retracts exactly (two counters), so it also works over updating
 * tables, and it merges, for HOP, CUMULATE and SESSION windows and two-phase aggregation. Other
 * numbers are cast to DOUBLE; arrays must hold DOUBLE or FLOAT (cast others explicitly).
 */
public final class ZeroFractionFunction
        extends AggregateFunction<Double, ZeroFractionFunction.Accumulator> {

    private static final long serialVersionUID = 1L;

    /** Counts of the group: a Flink structured type, serialized without Kryo. */
    public static final class Accumulator {
        /** Values equal to 0.0. */
        public long zeros;

        /** Non-NULL, non-NaN values. */
        public long values;
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    public void accumulate(Accumulator acc, Double x) {
        add(acc, x, 1);
    }

    public void accumulate(Accumulator acc, Float x) {
        add(acc, x, 1);
    }

    public void accumulate(Accumulator acc, Double[] x) {
        addAll(acc, x, 1);
    }

    public void accumulate(Accumulator acc, Float[] x) {
        addAll(acc, x, 1);
    }

    public void retract(Accumulator acc, Double x) {
        add(acc, x, -1);
    }

    public void retract(Accumulator acc, Float x) {
        add(acc, x, -1);
    }

    public void retract(Accumulator acc, Double[] x) {
        addAll(acc, x, -1);
    }

    public void retract(Accumulator acc, Float[] x) {
        addAll(acc, x, -1);
    }

    private static void addAll(Accumulator acc, Number[] x, int sign) {
        if (x != null) {
            for (Number value : x) {
                add(acc, value, sign);
            }
        }
    }

    private static void add(Accumulator acc, Number x, int sign) {
        if (x == null) {
            return;
        }
        // FLOAT widens to DOUBLE exactly: zeros, NaN and infinities stay what they are.
        double v = x.doubleValue();
        if (v != v) {
            return;
        }
        acc.values += sign;
        if (v == 0.0) {
            acc.zeros += sign;
        }
    }

    public void merge(Accumulator acc, Iterable<Accumulator> others) {
        for (Accumulator other : others) {
            acc.zeros += other.zeros;
            acc.values += other.values;
        }
    }

    public void resetAccumulator(Accumulator acc) {
        acc.zeros = 0;
        acc.values = 0;
    }

    @Override
    public Double getValue(Accumulator acc) {
        return acc.values <= 0 ? null : (double) acc.zeros / acc.values;
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return TypeInference.newBuilder()
                .inputTypeStrategy(
                        ArgumentTypes.sequence(
                                1,
                                ArgumentTypes.signatures(
                                        List.of(), ArgumentTypes.Values.SCALAR_OR_ARRAY, List.of()),
                                ArgumentTypes.values(ArgumentTypes.Values.SCALAR_OR_ARRAY)))
                .accumulatorTypeStrategy(
                        TypeStrategies.explicit(typeFactory.createDataType(Accumulator.class)))
                .outputTypeStrategy(TypeStrategies.explicit(DataTypes.DOUBLE()))
                .build();
    }
}
