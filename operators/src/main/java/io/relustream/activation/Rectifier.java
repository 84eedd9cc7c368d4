package io.relustream.activation;

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

    /** The kernel the parameters allow; picked once so the hot loops carry no extra branches. */
    private enum Kernel {
        /** a = 0, t = 0, no max value: max(z, 0). */
        PLAIN,
        /** a = 0: zero up to the threshold. */
        ZERO_BELOW,
        /** a &gt; 0: a line of slope a up to the threshold. */
        SLOPED
    }

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
        if (this.negativeSlope == 0.0) {
            boolean plain = this.threshold == 0.0 && this.maxValue == Double.POSITIVE_INFINITY;
            this.kernel = plain ? Kernel.PLAIN : Kernel.ZERO_BELOW;
        } else {
            this.kernel = Kernel.SLOPED;
        }
        this.derivativeCap = this.maxValue == Double.POSITIVE_INFINITY ? Double.NaN : this.maxValue;
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
            case ZERO_BELOW:
                return zeroBelow(z, threshold, maxValue);
            default:
                return sloped(z, negativeSlope, threshold, maxValue);
        }
    }

    @Override
    public double derivative(double z) {
        return derivative(z, negativeSlope, threshold, derivativeCap, gradientAtThreshold);
    }

    @Override
    public void apply(double[] in, double[] out) {
        Lengths.requireSame(in.length, out.length);
        final double t = threshold;
        final double m = maxValue;
        final double a = negativeSlope;
        switch (kernel) {
            case PLAIN:
                for (int i = 0; i < in.length; i++) {
                    out[i] = plain(in[i]);
                }
                break;
            case ZERO_BELOW:
                for (int i = 0; i < in.length; i++) {
                    out[i] = zeroBelow(in[i], t, m);
                }
                break;
            default:
                for (int i = 0; i < in.length; i++) {
                    out[i] = sloped(in[i], a, t, m);
                }
        }
    }

    @Override
    public void derivative(double[] in, double[] out) {
        Lengths.requireSame(in.length, out.length);
        final double a = negativeSlope;
        final double t = threshold;
        final double cap = derivativeCap;
        final double g = gradientAtThreshold;
        for (int i = 0; i < in.length; i++) {
            out[i] = derivative(in[i], a, t, cap, g);
        }
    }

    @Override
    public void apply(float[] in, float[] out) {
        Lengths.requireSame(in.length, out.length);
        final double t = threshold;
        final double m = maxValue;
        final double a = negativeSlope;
        switch (kernel) {
            case PLAIN:
                for (int i = 0; i < in.length; i++) {
                    out[i] = (float) plain(in[i]);
                }
                break;
            case ZERO_BELOW:
                for (int i = 0; i < in.length; i++) {
                    out[i] = (float) zeroBelow(in[i], t, m);
                }
                break;
            default:
                for (int i = 0; i < in.length; i++) {
                    out[i] = (float) sloped(in[i], a, t, m);
                }
        }
    }

    @Override
    public void derivative(float[] in, float[] out) {
        Lengths.requireSame(in.length, out.length);
        final double a = negativeSlope;
        final double t = threshold;
        final double cap = derivativeCap;
        final double g = gradientAtThreshold;
        for (int i = 0; i < in.length; i++) {
            out[i] = (float) derivative(in[i], a, t, cap, g);
        }
    }

    // The scalar and the batch forms call the same functions, so they agree bit for bit.

    private static double plain(double z) {
        // Math.max keeps NaN and orders -0.0 below +0.0, so max(-0.0, 0.0) is +0.0.
        return Math.max(z, 0.0);
    }

    private static double zeroBelow(double z, double t, double m) {
        // Not a*(z - t) with a = 0: 0 * -inf would be NaN.
        return z <= t ? 0.0 : Math.min(z, m) + 0.0;
    }

    private static double sloped(double z, double a, double t, double m) {
        // "+ 0.0" maps -0.0 (z = -0.0 at t = 0, or an underflow) to +0.0.
        return z <= t ? a * (z - t) + 0.0 : Math.min(z, m) + 0.0;
    }

    private static double derivative(double z, double a, double t, double cap, double g) {
        if (z < t) {
            return a;
        }
        if (z == t) {
            return g;
        }
        if (z > t) {
            return z >= cap ? 0.0 : 1.0;
        }
        return Double.NaN;
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
