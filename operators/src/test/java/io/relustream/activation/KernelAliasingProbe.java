package io.relustream.activation;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch kernels with the input array passed again as the output or as the derivatives, checked
 * bit for bit against the scalar functions for every length from 0 to 70. Run by {@link
 * KernelAliasingTest} in the test JVM (the Vector API loops where the hardware has them) and in a
 * JVM of its own with the plain loops; prints each mismatch, or {@code mismatches: none}.
 */
public final class KernelAliasingProbe {

    static final String[] SPECS = {
        "relu",
        "leaky_relu(alpha=0.1)",
        "relu6",
        "clipped_relu(max=0.1)",
        "thresholded_relu(theta=1)",
        "relu(negative_slope=0.1, max_value=6)",
        "relu(negative_slope=0.1, max_value=6, threshold=0.5)",
        "relu(grad_at_threshold=1)",
        "maxout(k=2)",
        "maxout(k=3)",
    };

    // Every branch of every kernel: both zeros, the threshold 0.5 and caps 0.1 and 6 exactly,
    // around them, NaN, the infinities, the smallest subnormal and its negative.
    private static final double[] VALUES = {
        -2.5,
        0.0,
        3.0,
        -0.0,
        0.5,
        Double.NaN,
        6.0,
        0.1,
        7.25,
        Double.POSITIVE_INFINITY,
        -1.0,
        Double.MIN_VALUE,
        1.0,
        Double.NEGATIVE_INFINITY,
        0.25,
        -Double.MIN_VALUE,
        2.0,
    };

    private KernelAliasingProbe() {}

    public static void main(String[] args) {
        List<String> mismatches = mismatches();
        System.out.println(
                "mismatches: " + (mismatches.isEmpty() ? "none" : String.join("\n", mismatches)));
    }

    static List<String> mismatches() {
        List<String> mismatches = new ArrayList<>();
        for (String spec : SPECS) {
            VectorActivation activation = Activations.parseVector(spec);
            int k = activation instanceof Maxout ? ((Maxout) activation).groupSize() : 1;
            for (int length = 0; length <= 70; length += k) {
                checkDoubles(activation, inputs(length), mismatches);
                checkFloats(activation, inputs(length), mismatches);
            }
        }
        return mismatches;
    }

    private static double[] inputs(int length) {
        double[] in = new double[length];
        for (int i = 0; i < length; i++) {
            // A stride prime to the table's length, so each length sees the values in new places.
            in[i] = VALUES[(i * 7 + length) % VALUES.length];
        }
        return in;
    }

    private static void checkDoubles(VectorActivation activation, double[] in, List<String> out) {
        double[] values = expectedValues(activation, in);
        double[] derivatives = expectedDerivatives(activation, in);
        String name = activation.spec() + " double[" + in.length + "] ";
        if (activation instanceof Activation) {
            double[] a = in.clone();
            activation.apply(a, a);
            compare(name + "apply(in, in)", a, values, out);

            double[] b = in.clone();
            double[] bDerivatives = new double[in.length];
            activation.applyWithDerivative(b, b, bDerivatives);
            compare(name + "applyWithDerivative(in, in, d) values", b, values, out);
            compare(
                    name + "applyWithDerivative(in, in, d) derivatives",
                    bDerivatives,
                    derivatives,
                    out);
        }
        double[] c = in.clone();
        activation.derivative(c, c);
        compare(name + "derivative(in, in)", c, derivatives, out);

        double[] d = in.clone();
        double[] dValues = new double[values.length];
        activation.applyWithDerivative(d, dValues, d);
        compare(name + "applyWithDerivative(in, out, in) values", dValues, values, out);
        compare(name + "applyWithDerivative(in, out, in) derivatives", d, derivatives, out);
    }

    private static void checkFloats(VectorActivation activation, double[] wide, List<String> out) {
        float[] in = new float[wide.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) wide[i];
        }
        double[] widened = new double[in.length];
        for (int i = 0; i < in.length; i++) {
            widened[i] = in[i];
        }
        double[] values = expectedValues(activation, widened);
        double[] derivatives = expectedDerivatives(activation, widened);
        String name = activation.spec() + " float[" + in.length + "] ";
        if (activation instanceof Activation) {
            float[] a = in.clone();
            activation.apply(a, a);
            compare(name + "apply(in, in)", a, values, out);

            float[] b = in.clone();
            float[] bDerivatives = new float[in.length];
            activation.applyWithDerivative(b, b, bDerivatives);
            compare(name + "applyWithDerivative(in, in, d) values", b, values, out);
            compare(
                    name + "applyWithDerivative(in, in, d) derivatives",
                    bDerivatives,
                    derivatives,
                    out);
        }
        float[] c = in.clone();
        activation.derivative(c, c);
        compare(name + "derivative(in, in)", c, derivatives, out);

        float[] d = in.clone();
        float[] dValues = new float[values.length];
        activation.applyWithDerivative(d, dValues, d);
        compare(name + "applyWithDerivative(in, out, in) values", dValues, values, out);
        compare(name + "applyWithDerivative(in, out, in) derivatives", d, derivatives, out);
    }

    /** The scalar functions; for maxout, each group's maximum written out here. */
    private static double[] expectedValues(VectorActivation activation, double[] in) {
        if (activation instanceof Activation) {
            double[] values = new double[in.length];
            for (int i = 0; i < in.length; i++) {
                values[i] = ((Activation) activation).apply(in[i]);
            }
            return values;
        }
        int k = ((Maxout) activation).groupSize();
        double[] values = new double[in.length / k];
        for (int g = 0; g < values.length; g++) {
            int argMax = argMax(in, g * k, k);
            values[g] = argMax < 0 ? Double.NaN : in[argMax] + 0.0;
        }
        return values;
    }

    private static double[] expectedDerivatives(VectorActivation activation, double[] in) {
        double[] derivatives = new double[in.length];
        if (activation instanceof Activation) {
            for (int i = 0; i < in.length; i++) {
                derivatives[i] = ((Activation) activation).derivative(in[i]);
            }
            return derivatives;
        }
        int k = ((Maxout) activation).groupSize();
        for (int base = 0; base < in.length; base += k) {
            int argMax = argMax(in, base, k);
            for (int i = base; i < base + k; i++) {
                derivatives[i] = argMax < 0 ? Double.NaN : (i == argMax ? 1.0 : 0.0);
            }
        }
        return derivatives;
    }

    /** The lowest index of the group's maximum; -1 when the group holds a NaN. */
    private static int argMax(double[] in, int base, int k) {
        int argMax = base;
        for (int i = base; i < base + k; i++) {
            if (Double.isNaN(in[i])) {
                return -1;
            }
            if (in[i] > in[argMax]) {
                argMax = i;
            }
        }
        return argMax;
    }

    private static void compare(String what, double[] actual, double[] expected, List<String> out) {
        for (int i = 0; i < expected.length; i++) {
            // doubleToLongBits tells -0.0 from +0.0 and takes any NaN for NaN.
            if (Double.doubleToLongBits(actual[i]) != Double.doubleToLongBits(expected[i])) {
                out.add(what + " [" + i + "]: " + actual[i] + ", expected " + expected[i]);
                return;
            }
        }
    }

    private static void compare(String what, float[] actual, double[] expected, List<String> out) {
        for (int i = 0; i < expected.length; i++) {
            float want = Activations.toFloat(expected[i]);
            if (Float.floatToIntBits(actual[i]) != Float.floatToIntBits(want)) {
                out.add(what + " [" + i + "]: " + actual[i] + ", expected " + want);
                return;
            }
        }
    }
}
