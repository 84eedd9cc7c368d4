package io.relustream.sql;

import io.relustream.activation.Activations;
import io.relustream.activation.Rectifier;

import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.inference.TypeInference;

import java.util.List;

/**
 * {@code RELU_GRAD(x)}: the derivative of {@code RELU} at a DOUBLE, a FLOAT or every element of an
 * ARRAY of them.
 *
 * <pre>{@code
 * CREATE TEMPORARY SYSTEM FUNCTION RELU_GRAD AS 'io.relustream.sql.ReluGradFunction';
 * SELECT RELU_GRAD(score), RELU_GRAD(embedding) FROM readings;
 * }</pre>
 *
 * <p>1 for {@code x > 0}, 0 for {@code x <= 0} (so {@code RELU_GRAD(0) = 0}, as in PyTorch and
 * TensorFlow), 1 at {@code +inf}, NaN at NaN. The result has the argument's type (other numbers are
 * cast to DOUBLE first; arrays must hold DOUBLE or FLOAT); NULL gives NULL, and so does a NULL
 * element of an array, at its index.
 */
public final class ReluGradFunction extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    private static final Rectifier RELU = Activations.relu();

    public Double eval(Double x) {
        return Kernels.apply(RELU, true, x);
    }

    public Float eval(Float x) {
        return Kernels.apply(RELU, true, x);
    }

    public Double[] eval(Double[] x) {
        return Kernels.apply(RELU, true, x);
    }

    public Float[] eval(Float[] x) {
        return Kernels.apply(RELU, true, x);
    }

    /** An ARRAY of DOUBLE or FLOAT as Flink passes it: {@code Double} or {@code Float} elements. */
    public List<? extends Number> eval(List<? extends Number> x) {
        return Kernels.apply(RELU, true, x);
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return ArgumentTypes.elementWise();
    }
}
