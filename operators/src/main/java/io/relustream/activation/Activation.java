package io.relustream.activation;

/**
 * An element-wise activation: every output depends on the input at the same index only.
 *
 * <p>The batch forms give bit-identical results to the scalar ones; the {@code float[]} forms
 * compute in {@code double} and round once, so {@code out[i] == Activations.toFloat(apply((double)
 * in[i]))} (a zero is {@code +0.0f} there too). One exception in the bits alone: a signalling
 * {@code float} NaN may come out of a {@code float[]} form as it went in, where widening it to
 * {@code double} would have quieted it; NaN in gives NaN out either way.
 *
 * <pre>{@code
 * Activation relu = Activations.relu();
 * relu.apply(-2.0);       // 0.0
 * relu.derivative(0.0);   // 0.0: relu'(0) = 0
 * relu.apply(values, out);
 * }</pre>
 */
public non-sealed interface Activation extends VectorActivation {

    /** The activation of one input. */
    double apply(double z);

    /** The derivative of the activation at one input. */
    double derivative(double z);

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code inputLength} is negative
     */
    @Override
    default int outputLength(int inputLength) {
        if (inputLength < 0) {
            throw new IllegalArgumentException(
                    spec() + " needs a non-negative input length, got " + inputLength);
        }
        return inputLength;
    }

    @Override
    default void apply(double[] in, double[] out) {
        Lengths.requireSame(in.length, out.length);
        for (int i = 0; i < in.length; i++) {
            out[i] = apply(in[i]);
        }
    }

    @Override
    default void derivative(double[] in, double[] out) {
        Lengths.requireSame(in.length, out.length, "Derivative");
        for (int i = 0; i < in.length; i++) {
            out[i] = derivative(in[i]);
        }
    }

    @Override
    default void apply(float[] in, float[] out) {
        Lengths.requireSame(in.length, out.length);
        for (int i = 0; i < in.length; i++) {
            out[i] = Activations.toFloat(apply((double) in[i]));
        }
    }

    @Override
    default void derivative(float[] in, float[] out) {
        Lengths.requireSame(in.length, out.length, "Derivative");
        for (int i = 0; i < in.length; i++) {
            out[i] = Activations.toFloat(derivative((double) in[i]));
        }
    }
}
