package io.relustream.simd;

import io.relustream.activation.Activations;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Run in a JVM of its own by {@link SimdFallbackTest}: prints whether the Vector API loops are on,
 * and relu with its derivative of a few values computed through the public API.
 */
public final class SimdProbe {

    private SimdProbe() {}

    public static void main(String[] args) {
        SimdLoops.checkSetting();
        double[] in = new double[args.length];
        for (int i = 0; i < args.length; i++) {
            in[i] = Double.parseDouble(args[i]);
        }
        double[] out = new double[in.length];
        double[] derivatives = new double[in.length];
        Activations.relu().applyWithDerivative(in, out, derivatives);
        System.out.println("enabled=" + SimdLoops.ENABLED);
        System.out.println("describe=" + SimdLoops.describe());
        System.out.println("relu=" + render(out));
        System.out.println("derivative=" + render(derivatives));
    }

    private static String render(double[] values) {
        return Arrays.stream(values).mapToObj(Double::toString).collect(Collectors.joining(","));
    }
}
