package io.relustream.sql;

import io.relustream.activation.Activations;

import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.inference.TypeInference;

import java.util.List;

/**
 * {@code ACTIVATION_GRAD(spec, x)}: the derivative of {@code ACTIVATION(spec, x)} with respect to
 * each input, of a DOUBLE, a FLOAT or an ARRAY of them.
 *
 * <pre>{@code
 * CREATE TEMPORARY SYSTEM FUNCTION ACTIVATION_GRAD AS 'io.relustream.sql.ActivationGradFunction';
 * SELECT ACTIVATION_GRAD('relu6', score),
 *        ACTIVATION_GRAD('maxout(k=2)', embedding)
 * FROM readings;
 * }</pre>
 *
 * <p>The spec is read by {@link Activations#parseVector(String)}: {@code relu}, {@code
 * leaky_relu(alpha=0.01)}, {@code relu6}, {@code clipped_relu(max=4)}, {@code
 * thresholded_relu(theta=1.0)}, {@code relu(negative_slope=.., max_value=.., threshold=..,
 * grad_at_threshold=..)} and {@code maxout(k=..)}. It must be a string literal: a column, a NULL or
 * a spec the parser rejects fails when the query is planned, with the parser's message.
 *
 * <p>The derivative of the rectifiers is {@code a} below the threshold, {@code grad_at_threshold}
 * exactly at it, 1 between the threshold and the cap, 0 from the cap on, NaN at NaN. Element-wise
 * activations give the argument's type; NULL gives NULL, also per array element. {@code maxout(k)}
 * takes an ARRAY of length {@code n} (a multiple of {@code k}) and gives the {@code n} entries of
 * each group's one-hot arg-max mask (ties to the lowest index); a group holding a NULL gives NULL
 * entries, a group holding a NaN gives NaN entries, and an array whose length is not a multiple of
 * {@code k} gives NULL.
 */
public final class ActivationGradFunction extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    private transient ActivationSpecs specs;

    public Double eval(String spec, Double x) {
        return Kernels.apply(specs().elementWise(spec), true, x);
    }

    public Float eval(String spec, Float x) {
        return Kernels.apply(specs().elementWise(spec), true, x);
    }

    public Double[] eval(String spec, Double[] x) {
        return Kernels.apply(specs().vector(spec), true, x);
    }

    public Float[] eval(String spec, Float[] x) {
        return Kernels.apply(specs().vector(spec), true, x);
    }

    /** An ARRAY of DOUBLE or FLOAT as Flink passes it: {@code Double} or {@code Float} elements. */
    public List<? extends Number> eval(String spec, List<? extends Number> x) {
        return Kernels.apply(specs().vector(spec), true, x);
    }

    private ActivationSpecs specs() {
        if (specs == null) {
            specs = new ActivationSpecs();
        }
        return specs;
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return ActivationSpecs.typeInference();
    }
}
