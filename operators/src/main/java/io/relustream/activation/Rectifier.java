package io.relustream.activation;

import io.relustream.simd.SimdLoops;

import java.util.Objects;

/**
 * The rectifier family: ReLU, leaky ReLU, ReLU6, clipped and thresholded ReLU, and the general
 * Keras-style rectifier they are all special cases of.
 *
 * <p>With negative slope {@code a}, max value {@code m} and threshold {@code t}:
 *
 * <pre>
 *   f(z)  = a*(z - t)  for z &lt;= t       f'(z) = a  for z &lt; t, g for z == t (default a)
 *           z          for t &lt; z &lt; m            1  for t &lt; z &lt; m
 *           m          for z &gt;= m                0  for z &gt;= m (only when m is set)
 * </pre>
 *
 * Zero outputs are always {@code +0.0}, NaN maps to NaN, and without a max value there is no cap at
 * all: {@code f(+inf) = +inf}, {@code f'(+inf) = 1}.
 *
 * <p>Build one with the factories of {@link Activations}: {@code Activations.relu()}, {@code
 * Activations.rectifier().negativeSlope(0.1).maxValue(6).build()}.
 */
public final class Rectifier implements Activation {

    private static final long serialVersionUID = 1L;

    /** The named form the rectifier was created as; it decides the spec string only. */
    enum Form {
        RELU,
        LEAKY_RELU,
        RELU6,
        CLIPPED_RELU,
        THRESHOLDED_RELU,
        GENERAL
    }

    /**
     * The kernel the parameters allow, picked once. The common forms (threshold 0, gradient at the
     * threshold = the slope) have branch-free kernels that C2 vectorizes; the rest take the
     * general, branchy one.
     */
    private enum Kernel {
        /** relu: max(z, 0). */
        PLAIN,
        /** relu6 and clipped_relu: min(max(z, 0), m). */
        CLIPPED,
        /** leaky_relu: max(z, 0) + a * min(z, 0). */
        LEAKY,
        /** leaky with a cap: min(max(z, 0), m) + a * min(z, 0). */
        LEAKY_CLIPPED,
        /** Anything else: a threshold other than 0 or a gradient of its own at the threshold. */
        GENERAL
    }

    /**
     * Below this length one fused pass beats two: the second loop's set-up costs more (JMH at 16
     * values: 8.0 ns fused, 11.5 ns as two loops).
     */
    private static final int TWO_PASS_MIN_LENGTH = 64;

    /** 2^1023: a positive double times it twice is at least 1 (even Double.MIN_VALUE). */
    private static final double HUGE = 0x1p1023;

    private final double negativeSlope;
    private final double maxValue;
    private final double threshold;
    private final double gradientAtThreshold;
    private final Form form;
    private final Kernel kernel;
    // NaN when there is no cap, so that "z >= cap" is false even for z = +inf.
    private final double derivativeCap;

    Rectifier(
            double negativeSlope,
            double maxValue,
            double threshold,
            double gradientAtThreshold,
            Form form) {
        // Adding +0.0 turns -0.0 into +0.0 and leaves every other value unchanged.
        this.negativeSlope = negativeSlope + 0.0;
        this.maxValue = maxValue + 0.0;
        this.threshold = threshold + 0.0;
        this.gradientAtThreshold = gradientAtThreshold + 0.0;
        this.form = Objects.requireNonNull(form, "form");
        checkConsistent();
        this.kernel =
                kernelOf(
                        this.negativeSlope,
                        this.maxValue,
                        this.threshold,
                        this.gradientAtThreshold);
        this.derivativeCap = this.maxValue == Double.POSITIVE_INFINITY ? Double.NaN : this.maxValue;
    }

    private static Kernel kernelOf(double a, double m, double t, double g) {
        if (t != 0.0 || Double.compare(g, a) != 0) {
            return Kernel.GENERAL;
        }
        boolean capped = m != Double.POSITIVE_INFINITY;
        if (a == 0.0) {
            return capped ? Kernel.CLIPPED : Kernel.PLAIN;
        }
        return capped ? Kernel.LEAKY_CLIPPED : Kernel.LEAKY;
    }

    // The factories validate with the parameter names the user wrote; this is the last guard.
    private void checkConsistent() {
        if (!(Double.isFinite(negativeSlope) && negativeSlope >= 0.0)
                || !Double.isFinite(threshold)
                || !(maxValue > threshold)
                || !Double.isFinite(gradientAtThreshold)) {
            throw new IllegalArgumentException(
                    "Inconsistent rectifier parameters: negative_slope="
                            + negativeSlope
                            + ", max_value="
                            + maxValue
                            + ", threshold="
                            + threshold
                            + ", grad_at_threshold="
                            + gradientAtThreshold);
        }
    }

    /** Slope {@code a} below the threshold; 0 for plain ReLU. */
    public double negativeSlope() {
        return negativeSlope;
    }

    /** Cap {@code m}; {@code +inf} when there is none. */
    public double maxValue() {
        return maxValue;
    }

    /** The derivative used exactly at the threshold. */
    public double gradientAtThreshold() {
        return gradientAtThreshold;
    }

    @Override
    public double threshold() {
        return threshold;
    }

    @Override
    public double apply(double z) {
        switch (kernel) {
            case PLAIN:
                return plain(z);
            case CLIPPED:
                return clipped(z, maxValue);
            case LEAKY:
                return leaky(z, negativeSlope);
            case LEAKY_CLIPPED:
                return leakyClipped(z, negativeSlope, maxValue);
            default:
                return general(z, negativeSlope, threshold, maxValue);
        }
    }

    @Override
    public double derivative(double z) {
        switch (kernel) {
            case PLAIN:
                return positive(z);
            case CLIPPED:
                return clippedDerivative(z, maxValue);
            case LEAKY:
                return leakyDerivative(z, negativeSlope);
            case LEAKY_CLIPPED:
                return leakyClippedDerivative(z, negativeSlope, maxValue);
            default:
                return generalDerivative(
                        z, negativeSlope, threshold, derivativeCap, gradientAtThreshold);
        }
    }

    @Override
    public void apply(double[] in, double[] out) {
        Lengths.requireSame(in.length, out.length);
        final double a = negativeSlope;
        final double m = maxValue;
        final double t = threshold;
        // The Vector API loops do whole vectors first, when the JVM has them; the loops here do
        // the rest (or everything), with the same definitions.
        int done;
        switch (kernel) {
            case PLAIN:
                done = SimdLoops.ENABLED ? SimdLoops.relu(in, out) : 0;
                for (int i = done; i < in.length; i++) {
                    out[i] = plain(in[i]);
                }
                break;
            case CLIPPED:
                done = SimdLoops.ENABLED ? SimdLoops.clipped(in, out, m) : 0;
                for (int i = done; i < in.length; i++) {
                    out[i] = clipped(in[i], m);
                }
                break;
            case LEAKY:
                done = SimdLoops.ENABLED ? SimdLoops.leaky(in, out, a) : 0;
                for (int i = done; i < in.length; i++) {
                    out[i] = leaky(in[i], a);
                }
                break;
            case LEAKY_CLIPPED:
                for (int i = 0; i < in.length; i++) {
                    out[i] = leakyClipped(in[i], a, m);
                }
                break;
            default:
                for (int i = 0; i < in.length; i++) {
                    out[i] = general(in[i], a, t, m);
                }
        }
    }

    @Override
    public void derivative(double[] in, double[] out) {
        Lengths.requireSame(in.length, out.length, "Derivative");
        final double a = negativeSlope;
        final double m = maxValue;
        final double t = threshold;
        final double cap = derivativeCap;
        final double g = gradientAtThreshold;
        switch (kernel) {
            case PLAIN:
                for (int i = 0; i < in.length; i++) {
                    out[i] = positive(in[i]);
                }
                break;
            case CLIPPED:
                for (int i = 0; i < in.length; i++) {
                    out[i] = clippedDerivative(in[i], m);
                }
                break;
            case LEAKY:
                for (int i = 0; i < in.length; i++) {
                    out[i] = leakyDerivative(in[i], a);
                }
                break;
            case LEAKY_CLIPPED:
                for (int i = 0; i < in.length; i++) {
                    out[i] = leakyClippedDerivative(in[i], a, m);
                }
                break;
            default:
                for (int i = 0; i < in.length; i++) {
                    out[i] = generalDerivative(in[i], a, t, cap, g);
                }
        }
    }

    @Override
    public void applyWithDerivative(double[] in, double[] out, double[] derivatives) {
        Lengths.requireSame(in.length, out.length);
        Lengths.requireSame(in.length, derivatives.length, "Derivative");
        Lengths.requireDistinct(out, derivatives);
        final double a = negativeSlope;
        final double m = maxValue;
        // As in apply: whole vectors first when the JVM has the Vector API, then these loops.
        int done;
        switch (kernel) {
            case PLAIN:
                done = SimdLoops.ENABLED ? SimdLoops.reluWithDerivative(in, out, derivatives) : 0;
                if (in.length - done < TWO_PASS_MIN_LENGTH) {
                    for (int i = done; i < in.length; i++) {
                        double z = in[i];
                        out[i] = plain(z);
                        derivatives[i] = positive(z);
                    }
                    break;
                }
                // Two passes, the second over the outputs (positive(z) is positivePart(max(z, 0))):
                // C2 17 compiles the fused loop worse (JMH at 1024 values: 158-168 ns as two
                // loops, 215-221 ns as one).
                for (int i = done; i < in.length; i++) {
                    out[i] = plain(in[i]);
                }
                for (int i = done; i < in.length; i++) {
                    derivatives[i] = positivePart(out[i]);
                }
                break;
            case CLIPPED:
                done =
                        SimdLoops.ENABLED
                                ? SimdLoops.clippedWithDerivative(in, out, derivatives, m)
                                : 0;
                for (int i = done; i < in.length; i++) {
                    double z = in[i];
                    out[i] = clipped(z, m);
                    derivatives[i] = clippedDerivative(z, m);
                }
                break;
            case LEAKY:
                done =
                        SimdLoops.ENABLED
                                ? SimdLoops.leakyWithDerivative(in, out, derivatives, a)
                                : 0;
                for (int i = done; i < in.length; i++) {
                    double z = in[i];
                    out[i] = leaky(z, a);
                    derivatives[i] = leakyDerivative(z, a);
                }
                break;
            case LEAKY_CLIPPED:
                for (int i = 0; i < in.length; i++) {
                    double z = in[i];
                    out[i] = leakyClipped(z, a, m);
                    derivatives[i] = leakyClippedDerivative(z, a, m);
                }
                break;
            default:
                // Two passes, the one that writes over the inputs (out or derivatives may be in)
                // last.
                Activation.super.applyWithDerivative(in, out, derivatives);
        }
    }

    @Override
    public void apply(float[] in, float[] out) {
        Lengths.requireSame(in.length, out.length);
        switch (floatKernel()) {
            case PLAIN:
                for (int i = 0; i < in.length; i++) {
                    out[i] = Math.max(in[i], 0.0f);
                }
                break;
            case CLIPPED:
                final float m = (float) maxValue;
                for (int i = 0; i < in.length; i++) {
                    out[i] = Math.min(Math.max(in[i], 0.0f), m);
                }
                break;
            default:
                for (int i = 0; i < in.length; i++) {
                    out[i] = Activations.toFloat(apply((double) in[i]));
                }
        }
    }

    @Override
    public void derivative(float[] in, float[] out) {
        Lengths.requireSame(in.length, out.length, "Derivative");
        switch (floatKernel()) {
            case PLAIN:
                for (int i = 0; i < in.length; i++) {
                    out[i] = positive(in[i]);
                }
                break;
            case CLIPPED:
                final float m = (float) maxValue;
                for (int i = 0; i < in.length; i++) {
                    out[i] = positive(in[i]) * positive(m - in[i]);
                }
                break;
            default:
                for (int i = 0; i < in.length; i++) {
                    out[i] = Activations.toFloat(derivative((double) in[i]));
                }
        }
    }

    @Override
    public void applyWithDerivative(float[] in, float[] out, float[] derivatives) {
        Lengths.requireSame(in.length, out.length);
        Lengths.requireSame(in.length, derivatives.length, "Derivative");
        Lengths.requireDistinct(out, derivatives);
        if (floatKernel() != Kernel.PLAIN) {
            // Two passes, the one that writes over the inputs last.
            Activation.super.applyWithDerivative(in, out, derivatives);
            return;
        }
        // As in the double form: the derivative pass reads the outputs.
        if (in.length < TWO_PASS_MIN_LENGTH) {
            for (int i = 0; i < in.length; i++) {
                float z = in[i];
                out[i] = Math.max(z, 0.0f);
                derivatives[i] = positive(z);
            }
            return;
        }
        for (int i = 0; i < in.length; i++) {
            out[i] = Math.max(in[i], 0.0f);
        }
        for (int i = 0; i < in.length; i++) {
            derivatives[i] = positivePart(out[i]);
        }
    }

    /**
     * The kernel the {@code float} forms may run in {@code float} arithmetic: where it gives
     * exactly {@code Activations.toFloat(f((double) z))}. Max and min of floats are floats, so
     * plain ReLU qualifies, and so does a cap that is itself a float (no float lies between a cap
     * and its rounding); a slope does not, since {@code a * z} would round differently. C2
     * vectorizes float loops only when they stay in {@code float}.
     */
    private Kernel floatKernel() {
        if (kernel == Kernel.PLAIN) {
            return Kernel.PLAIN;
        }
        if (kernel == Kernel.CLIPPED && (double) (float) maxValue == maxValue) {
            return Kernel.CLIPPED;
        }
        return Kernel.GENERAL;
    }

    /** The {@code float} form of {@link #positive(double)}: 2^127 twice lifts Float.MIN_VALUE. */
    private static float positive(float z) {
        return positivePart(Math.max(z, 0.0f));
    }

    private static float positivePart(float y) {
        return Math.min(y * 0x1p127f * 0x1p127f, 1.0f);
    }

    // The scalar and the batch forms call the same functions, so they agree bit for bit. The
    // branch-free ones use only max, min, + and *, which C2 turns into vector instructions; they
    // keep NaN (any operation on NaN is NaN) and give +0.0, never -0.0, for zero.

    private static double plain(double z) {
        // Math.max orders -0.0 below +0.0, so max(-0.0, 0.0) is +0.0.
        return Math.max(z, 0.0);
    }

    private static double clipped(double z, double m) {
        return Math.min(Math.max(z, 0.0), m);
    }

    private static double leaky(double z, double a) {
        // For z <= 0 the first term is +0.0, and +0.0 + a*z turns an underflow's -0.0 into +0.0.
        return Math.max(z, 0.0) + a * Math.min(z, 0.0);
    }

    private static double leakyClipped(double z, double a, double m) {
        return Math.min(Math.max(z, 0.0), m) + a * Math.min(z, 0.0);
    }

    /** 1 for z &gt; 0, 0 for z &lt;= 0, NaN for NaN, without a branch. */
    private static double positive(double z) {
        return positivePart(Math.max(z, 0.0));
    }

    /** {@link #positive(double)} of a value already known to be +0.0, positive or NaN. */
    private static double positivePart(double y) {
        return Math.min(y * HUGE * HUGE, 1.0);
    }

    private static double clippedDerivative(double z, double m) {
        // 1 strictly between 0 and m; m - z is -inf for z = +inf, so the cap holds there too.
        return positive(z) * positive(m - z);
    }

    private static double leakyDerivative(double z, double a) {
        double p = positive(z);
        // a*(1 - p) + p is exactly a for p = 0 and exactly 1 for p = 1.
        return a * (1.0 - p) + p;
    }

    private static double leakyClippedDerivative(double z, double a, double m) {
        return leakyDerivative(z, a) * positive(m - z);
    }

    private static double general(double z, double a, double t, double m) {
        if (z <= t) {
            // Not a*(z - t) with a = 0: 0 * -inf would be NaN. "+ 0.0" maps -0.0 to +0.0.
            if (a == 0.0) {
                return 0.0;
            }
            double below = z - t;
            if (below == Double.NEGATIVE_INFINITY && z != Double.NEGATIVE_INFINITY) {
                // z - t overflowed (a threshold near the largest double) while a*(z - t) need
                // not: halve both, exact at this magnitude, and double the product back.
                return 2.0 * (a * (0.5 * z - 0.5 * t));
            }
            return a * below + 0.0;
        }
        return Math.min(z, m) + 0.0;
    }

    private static double generalDerivative(double z, double a, double t, double cap, double g) {
        if (z < t) {
            return a;
        }
        if (z == t) {
            return g;
        }
        if (z > t) {
            return z >= cap ? 0.0 : 1.0;
        }
        // z is NaN: keep its payload (quieted by "+ 0.0"), as f(z) and the other kernels do.
        return z + 0.0;
    }

    @Override
    public String spec() {
        switch (form) {
            case RELU:
                return "relu";
            case LEAKY_RELU:
                return "leaky_relu(alpha=" + SpecNumbers.format(negativeSlope) + ")";
            case RELU6:
                return "relu6";
            case CLIPPED_RELU:
                return "clipped_relu(max=" + SpecNumbers.format(maxValue) + ")";
            case THRESHOLDED_RELU:
                return "thresholded_relu(theta=" + SpecNumbers.format(threshold) + ")";
            default:
                return generalSpec();
        }
    }

    private String generalSpec() {
        StringBuilder params = new StringBuilder();
        if (negativeSlope != 0.0) {
            append(params, "negative_slope", negativeSlope);
        }
        if (maxValue != Double.POSITIVE_INFINITY) {
            append(params, "max_value", maxValue);
        }
        if (threshold != 0.0) {
            append(params, "threshold", threshold);
        }
        if (Double.compare(gradientAtThreshold, negativeSlope) != 0) {
            append(params, "grad_at_threshold", gradientAtThreshold);
        }
        return params.length() == 0 ? "relu" : "relu(" + params + ")";
    }

    private static void append(StringBuilder params, String name, double value) {
        if (params.length() > 0) {
            params.append(", ");
        }
        params.append(name).append('=').append(SpecNumbers.format(value));
    }

    /** Two rectifiers are equal when they compute the same function, whatever form named them. */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Rectifier)) {
            return false;
        }
        Rectifier that = (Rectifier) other;
        return Double.compare(negativeSlope, that.negativeSlope) == 0
                && Double.compare(maxValue, that.maxValue) == 0
                && Double.compare(threshold, that.threshold) == 0
                && Double.compare(gradientAtThreshold, that.gradientAtThreshold) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(negativeSlope, maxValue, threshold, gradientAtThreshold);
    }

    @Override
    public String toString() {
        return spec();
    }
}
