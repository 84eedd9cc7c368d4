package io.relustream.sql;

import io.relustream.activation.Activations;

import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.types.inference.TypeInference;

import java.util.List;

/**
 * {@code ACTIVATION(spec, x)}: any activation of the ReLU family, named by its spec, of a DOUBLE, a
 * FLOAT or an ARRAY of them.
 *
 * <pre>{@code
 * CREATE TEMPORARY SYSTEM FUNCTION ACTIVATION AS 'io.relustream.sql.ActivationFunction';
 * SELECT ACTIVATION('relu6', score),
 *        ACTIVATION('relu(negative_slope=0.1, max_value=6, threshold=0.5)', embedding),
 *        ACTIVATION('maxout(k=2)', embedding)
 * FROM readings;
 * }</pre>
 *
 * <p>The spec is read by {@link Activations#parseVector(String)}: {@code relu}, {@code
 * leaky_relu(alpha=0.01)}, {@code relu6}, {@code clipped_relu(max=4)}, {@code
 * thresholded_relu(theta=1.0)}, {@code relu(negative_slope=.., max_value=.., threshold=..,
 * grad_at_threshold=..)} and {@code maxout(k=..)}. It must be a string literal: a column, a NULL or
 * a spec the parser rejects fails when the query is planned, with the parser's message.
 *
 * <p>Element-wise activations give the argument's type; NULL gives NULL, also per array element.
 * {@code maxout(k)} takes an ARRAY of length {@code n} (a multiple of {@code k}) and gives {@code n
 * / k} group maxima; a group holding a NULL gives NULL, a group holding a NaN gives NaN, and an
 * array whose length is not a multiple of {@code k} gives NULL (there is no dead-letter path in a
 * query; filter on {@code CARDINALITY(x) % k = 0} to keep them apart).
 */
public final class ActivationFunction extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    private transient ActivationSpecs specs;

    public Double eval(String spec, Double x) {
        return Kernels.apply(specs().elementWise(spec), false, x);
    }

    public Float eval(String spec, Float x) {
        return Kernels.apply(specs().elementWise(spec), false, x);
    }

    public Double[] eval(String spec, Double[] x) {
        return Kernels.apply(specs().vector(spec), false, x);
    }

    public Float[] eval(String spec, Float[] x) {
        return Kernels.apply(specs().vector(spec), false, x);
    }

    /** An ARRAY of DOUBLE or FLOAT as Flink passes it: {@code Double} or {@code Float} elements. */
    public List<? extends Number> eval(String spec, List<? extends Number> x) {
        return Kernels.apply(specs().vector(spec), false, x);
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
