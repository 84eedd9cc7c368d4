package io.relustream.activation;

import java.io.Serializable;

/**
 * An activation applied to a whole feature vector: either element-wise ({@link Activation}, the
 * ReLU family) or across neighbouring features ({@link Maxout}, which shortens the vector).
 *
 * <p>Operators and jobs accept any {@code VectorActivation}; read one from its spec string with
 * {@link Activations#parseVector(String)}:
 *
 * <pre>{@code
 * VectorActivation maxout = Activations.parseVector("maxout(k=2)");
 * double[] out = new double[maxout.outputLength(in.length)];
 * maxout.apply(in, out);
 * }</pre>
 */
public sealed interface VectorActivation extends Serializable permits Activation, Maxout {

    /** The canonical spec string; {@link Activations#parseVector(String)} reads it back. */
    String spec();

    /**
     * Length of the output for an input of {@code inputLength} values.
     *
     * @throws IllegalArgumentException when this activation cannot take an input of that length
     */
    int outputLength(int inputLength);

    /**
     * Writes the activations of {@code in} into {@code out} of length {@link #outputLength}. For an
     * element-wise {@link Activation}, {@code out} may be {@code in} itself (in place).
     */
    void apply(double[] in, double[] out);

    /**
     * Writes the derivative of every output with respect to its input into {@code out}, which has
     * the length of {@code in}; {@code out} may be {@code in} itself (in place).
     */
    void derivative(double[] in, double[] out);

    /**
     * {@link #apply(double[], double[])} and {@link #derivative(double[], double[])} in one call,
     * in whichever passes over the arrays are fastest for the activation. In place, as a buffer is
     * activated in PyTorch with {@code inplace=True}: {@code out} may be {@code in} itself (for an
     * element-wise {@link Activation}), or {@code derivatives} may, and the results are those of
     * the inputs as they were.
     *
     * @throws IllegalArgumentException when {@code out} and {@code derivatives} are the same array,
     *     which cannot hold both
     */
    default void applyWithDerivative(double[] in, double[] out, double[] derivatives) {
        Lengths.requireDistinct(out, derivatives);
        // The pass that writes over the inputs goes last.
        if (derivatives == in) {
            apply(in, out);
            derivative(in, derivatives);
        } else {
            derivative(in, derivatives);
            apply(in, out);
        }
    }

    /** The {@code float} form of {@link #apply(double[], double[])}. */
    void apply(float[] in, float[] out);

    /** The {@code float} form of {@link #derivative(double[], double[])}. */
    void derivative(float[] in, float[] out);

    /**
     * The {@code float} form of {@link #applyWithDerivative(double[], double[], double[])}, in
     * place alike.
     *
     * @throws IllegalArgumentException when {@code out} and {@code derivatives} are the same array
     */
    default void applyWithDerivative(float[] in, float[] out, float[] derivatives) {
        Lengths.requireDistinct(out, derivatives);
        if (derivatives == in) {
            apply(in, out);
            derivative(in, derivatives);
        } else {
            derivative(in, derivatives);
            apply(in, out);
        }
    }

    /**
     * Inputs below this value are on the flat (or negative-slope) side of the activation; the
     * statistics report their share. Zero unless the activation says otherwise.
     */
    default double threshold() {
        return 0.0;
    }
}
