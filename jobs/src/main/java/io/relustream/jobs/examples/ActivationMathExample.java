package io.relustream.jobs.examples;

import io.relustream.activation.Activation;
import io.relustream.activation.Activations;
import io.relustream.activation.VectorActivation;

import java.util.Arrays;

/**
 * The activation math on its own, without Flink: read an activation from its spec, apply it and its
 * derivative to single values and to {@code double[]} batches, and maxout over groups of features.
 *
 * <p>Needs nothing but the {@code relu-stream-operators} jar: run {@code main} from the IDE, or
 * through {@code ExamplesTest}, which runs every example and checks what it prints.
 */
public final class ActivationMathExample {

    private ActivationMathExample() {}

    public static void main(String[] args) {
        // A spec string names an activation everywhere: job options, SQL, the output records.
        // spec() gives its canonical form, which parse reads back to an equal activation.
        Activation leaky = Activations.parse("leaky_relu(alpha=0.1)");
        System.out.println("spec: " + leaky.spec());
        for (double z : new double[] {-2.0, 0.0, 3.0}) {
            System.out.println(
                    "f("
                            + z
                            + ") = "
                            + leaky.apply(z)
                            + ", f'("
                            + z
                            + ") = "
                            + leaky.derivative(z));
        }

        // relu'(0) is 0, as in PyTorch and TensorFlow.
        Activation relu = Activations.relu();
        System.out.println(
                "relu(0.0) = " + relu.apply(0.0) + ", relu'(0.0) = " + relu.derivative(0.0));

        // The general rectifier: negative slope, cap and threshold in one.
        Activation general =
                Activations.rectifier().negativeSlope(0.1).maxValue(6).threshold(0.5).build();
        System.out.println(general.spec() + " at -1.0 = " + general.apply(-1.0));

        // Batch kernels: one call for a whole vector, bit for bit the scalar results. NaN in gives
        // NaN out, in the value and in the derivative.
        Activation relu6 = Activations.relu6();
        double[] z = {-1.5, 0.0, 2.5, 6.0, 8.0, Double.NaN};
        double[] out = new double[z.length];
        double[] grad = new double[z.length];
        relu6.applyWithDerivative(z, out, grad);
        System.out.println("relu6  " + Arrays.toString(out));
        System.out.println("relu6' " + Arrays.toString(grad));

        // Maxout is not element-wise (it shortens the vector), so parseVector reads it; parse
        // refuses it. Its derivative is one per input: the one-hot mask of each group's arg-max.
        VectorActivation maxout = Activations.parseVector("maxout(k=2)");
        double[] in = {1.0, 3.0, 2.0, 2.0};
        double[] max = new double[maxout.outputLength(in.length)];
        double[] mask = new double[in.length];
        maxout.applyWithDerivative(in, max, mask);
        System.out.println("maxout  " + Arrays.toString(max));
        System.out.println("maxout' " + Arrays.toString(mask));

        // A bad spec fails at once, saying what is allowed.
        try {
            Activations.parse("relu7");
        } catch (IllegalArgumentException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}
