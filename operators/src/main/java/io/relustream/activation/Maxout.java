package io.relustream.activation;

/**
 * Maxout: the maximum of each group of {@code k} consecutive features, so an input of length {@code
 * n} (a multiple of {@code k}) gives {@code n / k} outputs.
 *
 * <p>The derivative of each output with respect to the inputs of its group is the one-hot mask of
 * the group's arg-max, ties going to the lowest index. A NaN anywhere in a group makes that group's
 * output NaN (the group's first NaN, payload kept) and its whole mask NaN. Zero outputs are {@code
 * +0.0}.
 *
 * <pre>{@code
 * Maxout maxout = Activations.maxout(2);
 * double[] out = new double[maxout.outputLength(4)];   // 2
 * maxout.apply(new double[] {1, 3, -2, -5}, out);       // [3, -2]
 * }</pre>
 */
public final class Maxout implements VectorActivation {

    private static final long serialVersionUID = 1L;

    private final int groupSize;

    Maxout(int groupSize) {
        if (groupSize < 2) {
            throw new IllegalArgumentException(
                    "Invalid activation parameter k=" + groupSize + ": must be an integer >= 2");
        }
        this.groupSize = groupSize;
    }

    /** {@code k}: the number of consecutive features each output is the maximum of. */
    public int groupSize() {
        return groupSize;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code inputLength} is negative or not a multiple of
     *     {@code k}
     */
    @Override
    public int outputLength(int inputLength) {
        if (inputLength < 0 || inputLength % groupSize != 0) {
            throw new IllegalArgumentException(
                    "maxout(k="
                            + groupSize
                            + ") needs an input length that is a non-negative multiple of "
                            + groupSize
                            + ", got "
                            + inputLength);
        }
        return inputLength / groupSize;
    }

    private void requireOutputLength(int inputLength, int outputLength) {
        int groups = outputLength(inputLength);
        if (outputLength != groups) {
            throw new IllegalArgumentException(
                    "Output array has length "
                            + outputLength
                            + " but maxout(k="
                            + groupSize
                            + ") of "
                            + inputLength
                            + " inputs gives "
                            + groups
                            + " outputs; they must be equal");
        }
    }

    @Override
    public void apply(double[] in, double[] out) {
        requireOutputLength(in.length, out.length);
        for (int group = 0, base = 0; group < out.length; group++, base += groupSize) {
            out[group] = groupMax(in, base);
        }
    }

    @Override
    public void derivative(double[] in, double[] out) {
        Lengths.requireSame(in.length, out.length, "Derivative");
        int groups = outputLength(in.length);
        for (int group = 0, base = 0; group < groups; group++, base += groupSize) {
            int argMax = groupArgMax(in, base);
            for (int i = base; i < base + groupSize; i++) {
                out[i] = argMax < 0 ? Double.NaN : (i == argMax ? 1.0 : 0.0);
            }
        }
    }

    @Override
    public void apply(float[] in, float[] out) {
        requireOutputLength(in.length, out.length);
        for (int g = 0, base = 0; g < out.length; g++, base += groupSize) {
            // Floats compare as the doubles they widen to: the double form's arg-max, computed
            // without a group's worth of doubles (k may be as large as an int).
            int argMax = groupArgMax(in, base);
            out[g] = (float) ((double) in[argMax < 0 ? -1 - argMax : argMax] + 0.0);
        }
    }

    @Override
    public void derivative(float[] in, float[] out) {
        Lengths.requireSame(in.length, out.length, "Derivative");
        double[] widened = new double[in.length];
        for (int i = 0; i < in.length; i++) {
            widened[i] = in[i];
        }
        double[] mask = new double[in.length];
        derivative(widened, mask);
        for (int i = 0; i < in.length; i++) {
            out[i] = (float) mask[i];
        }
    }

    private double groupMax(double[] in, int base) {
        int argMax = groupArgMax(in, base);
        // A NaN keeps its payload, as through the rectifiers; "+ 0.0" also turns -0.0 into +0.0.
        return in[argMax < 0 ? -1 - argMax : argMax] + 0.0;
    }

    /**
     * Index of the group's maximum, the lowest on ties; {@code -1 - i} when the group holds a NaN,
     * {@code i} the index of its first NaN.
     */
    private int groupArgMax(double[] in, int base) {
        int argMax = base;
        double max = in[base];
        for (int i = base; i < base + groupSize; i++) {
            double z = in[i];
            if (z != z) {
                return -1 - i;
            }
            if (z > max) {
                max = z;
                argMax = i;
            }
        }
        return argMax;
    }

    /** {@link #groupArgMax(double[], int)} of floats. */
    private int groupArgMax(float[] in, int base) {
        int argMax = base;
        float max = in[base];
        for (int i = base; i < base + groupSize; i++) {
            float z = in[i];
            if (z != z) {
                return -1 - i;
            }
            if (z > max) {
                max = z;
                argMax = i;
            }
        }
        return argMax;
    }

    @Override
    public String spec() {
        return "maxout(k=" + groupSize + ")";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Maxout && ((Maxout) other).groupSize == groupSize;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(groupSize);
    }

    @Override
    public String toString() {
        return spec();
    }
}
