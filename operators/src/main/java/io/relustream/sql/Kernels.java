package io.relustream.sql;

import io.relustream.activation.Activation;
import io.relustream.activation.Activations;
import io.relustream.activation.Maxout;
import io.relustream.activation.VectorActivation;

import java.util.Arrays;
import java.util.List;

/**
 * The SQL forms of the activation math: boxed values and arrays whose elements may be NULL. A NULL
 * value, array or element gives NULL at the same place; everything else is exactly what {@link
 * Activation} and {@link Maxout} compute ({@code float} in {@code double}, rounded once).
 */
final class Kernels {

    private Kernels() {}

    static Double apply(Activation activation, boolean derivative, Double z) {
        if (z == null) {
            return null;
        }
        return derivative ? activation.derivative(z) : activation.apply(z);
    }

    static Float apply(Activation activation, boolean derivative, Float z) {
        if (z == null) {
            return null;
        }
        double wide = z;
        return Activations.toFloat(
                derivative ? activation.derivative(wide) : activation.apply(wide));
    }

    static Double[] apply(Activation activation, boolean derivative, Double[] z) {
        if (z == null) {
            return null;
        }
        Double[] out = new Double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = apply(activation, derivative, z[i]);
        }
        return out;
    }

    static Float[] apply(Activation activation, boolean derivative, Float[] z) {
        if (z == null) {
            return null;
        }
        Float[] out = new Float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = apply(activation, derivative, z[i]);
        }
        return out;
    }

    /** Any activation over an array; NULL when maxout cannot take the array's length. */
    static Double[] apply(VectorActivation activation, boolean derivative, Double[] z) {
        if (activation instanceof Activation) {
            return apply((Activation) activation, derivative, z);
        }
        Maxout maxout = (Maxout) activation;
        if (z == null || z.length % maxout.groupSize() != 0) {
            return null;
        }
        double[] in = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            // A NULL element makes its whole group NULL below; NaN keeps the math defined
            // meanwhile.
            in[i] = z[i] == null ? Double.NaN : z[i];
        }
        double[] out = new double[derivative ? z.length : maxout.outputLength(z.length)];
        if (derivative) {
            maxout.derivative(in, out);
        } else {
            maxout.apply(in, out);
        }
        Double[] result = new Double[out.length];
        for (int i = 0; i < out.length; i++) {
            result[i] = out[i];
        }
        nullGroups(maxout.groupSize(), derivative, z, result);
        return result;
    }

    /** The {@code float} form of {@link #apply(VectorActivation, boolean, Double[])}. */
    static Float[] apply(VectorActivation activation, boolean derivative, Float[] z) {
        if (activation instanceof Activation) {
            return apply((Activation) activation, derivative, z);
        }
        Maxout maxout = (Maxout) activation;
        if (z == null || z.length % maxout.groupSize() != 0) {
            return null;
        }
        float[] in = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            in[i] = z[i] == null ? Float.NaN : z[i];
        }
        float[] out = new float[derivative ? z.length : maxout.outputLength(z.length)];
        if (derivative) {
            maxout.derivative(in, out);
        } else {
            maxout.apply(in, out);
        }
        Float[] result = new Float[out.length];
        for (int i = 0; i < out.length; i++) {
            result[i] = out[i];
        }
        nullGroups(maxout.groupSize(), derivative, z, result);
        return result;
    }

    /**
     * Any activation over an array as a scalar function gets it from Flink (see {@link
     * ArgumentTypes#scalarValues()}): {@code Double} elements for an ARRAY of DOUBLE, {@code Float}
     * for FLOAT, and the result the same; NULL when maxout cannot take the array's length.
     */
    static List<? extends Number> apply(
            VectorActivation activation, boolean derivative, List<? extends Number> z) {
        if (z == null) {
            return null;
        }
        Number[] out =
                holdsFloats(z)
                        ? apply(activation, derivative, z.toArray(new Float[0]))
                        : apply(activation, derivative, z.toArray(new Double[0]));
        return out == null ? null : Arrays.asList(out);
    }

    /** Whether the elements are {@code Float}s; an array of NULLs only is NULLs of either type. */
    private static boolean holdsFloats(List<? extends Number> z) {
        for (Number x : z) {
            if (x != null) {
                return x instanceof Float;
            }
        }
        return false;
    }

    /** Sets the output of every group holding a NULL input to NULL (all of its mask entries). */
    private static void nullGroups(int k, boolean derivative, Object[] in, Object[] out) {
        for (int group = 0, base = 0; base < in.length; group++, base += k) {
            boolean hasNull = false;
            for (int i = base; i < base + k; i++) {
                hasNull |= in[i] == null;
            }
            if (!hasNull) {
                continue;
            }
            if (derivative) {
                for (int i = base; i < base + k; i++) {
                    out[i] = null;
                }
            } else {
                out[group] = null;
            }
        }
    }
}
