package io.relustream.sql;

import io.relustream.activation.Activations;
import io.relustream.activation.Rectifier;

import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.inference.TypeInference;

import java.util.List;

/**
 * {@code RELU(x)}: {@code max(x, 0)} of a DOUBLE, a FLOAT or every element of an ARRAY of them.
 *
 * <pre>{@code
 * CREATE TEMPORARY SYSTEM FUNCTION RELU AS 'io.relustream.sql.ReluFunction';
 * SELECT RELU(score), RELU(embedding) FROM readings;
 * }</pre>
 *
 * <p>The result has the argument's type (other numbers are cast to DOUBLE first; arrays must hold
 * DOUBLE or FLOAT). NULL gives NULL, and so does a NULL element of an array, at its index. NaN
 * gives NaN, {@code RELU(-0.0)} is {@code +0.0}, {@code RELU(+inf)} is {@code +inf}; see {@link
 * Activations#relu()}.
 */
public final class ReluFunction extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    private static final Rectifier RELU = Activations.relu();

    public Double eval(Double x) {
        return Kernels.apply(RELU, false, x);
    }

    public Float eval(Float x) {
        return Kernels.apply(RELU, false, x);
    }

    public Double[] eval(Double[] x) {
        return Kernels.apply(RELU, false, x);
    }

    public Float[] eval(Float[] x) {
        return Kernels.apply(RELU, false, x);
    }

    /** An ARRAY of DOUBLE or FLOAT as Flink passes it: {@code Double} or {@code Float} elements. */
    public List<? extends Number> eval(List<? extends Number> x) {
        return Kernels.apply(RELU, false, x);
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return ArgumentTypes.elementWise();
    }
}
