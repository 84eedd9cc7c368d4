package io.relustream.activation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Every rectifier path held against the contract's formulas, written out here as plain Java: the
 * scalar functions, the {@code double[]} and {@code float[]} kernels (with the derivatives, fused,
 * in place, at lengths around the vector width), and the activation re-read from its {@code
 * spec()}, over odd parameters (slopes above 1 or subnormal, thresholds at the ends of the doubles,
 * caps just above the threshold or at or below 0, a gradient of its own at the threshold) and the
 * inputs at their edges. Run by {@link ContractOracleTest} in the test JVM and in JVMs of their own
 * with the plain loops; prints each mismatch, or {@code mismatches: none}.
 */
public final class ContractOracleProbe {

    private static final double MIN = Double.MIN_VALUE;
    private static final double MAX = Double.MAX_VALUE;
    private static final double INF = Double.POSITIVE_INFINITY;

    private static final double[] SLOPES = {
        0.0, -0.0, MIN, 1e-300, 0.01, 0.5, 1.0, 2.0, 1e300, MAX
    };
    private static final double[] THRESHOLDS = {
        0.0, -0.0, MIN, -MIN, 1e-310, 0.5, -1.0, 6.0, 1e300, -1e300, MAX, -MAX
    };
    // null: the default, the negative slope.
    private static final Double[] GRADIENTS = {null, -0.0, 1.0, -3.0};

    /** Each mismatch is reported once per activation and path; more would only repeat it. */
    private static final int MAX_REPORTED = 50;

    private ContractOracleProbe() {}

    public static void main(String[] args) {
        List<String> mismatches = mismatches();
        System.out.println(
                "mismatches: " + (mismatches.isEmpty() ? "none" : String.join("\n", mismatches)));
    }

    static List<String> mismatches() {
        List<String> mismatches = new ArrayList<>();
        double[] common = commonInputs();
        for (double a : SLOPES) {
            for (double t : THRESHOLDS) {
                double[] caps = {INF, Math.nextUp(t), t + 1.0, 6.0, MAX, MIN, 0.0, -0.5};
                for (double m : caps) {
                    if (!(m > t)) {
                        continue;
                    }
                    for (Double g : GRADIENTS) {
                        RectifierBuilder builder =
                                Activations.rectifier().negativeSlope(a).maxValue(m).threshold(t);
                        if (g != null) {
                            builder.gradientAtThreshold(g);
                        }
                        Contract contract = new Contract(a, m, t, g == null ? a : g);
                        double[] inputs = withEdges(common, t, m);
                        checkWithItsSpec(builder.build(), contract, inputs, mismatches);
                    }
                }
            }
        }
        checkWithItsSpec(Activations.relu(), new Contract(0, INF, 0, 0), common, mismatches);
        checkWithItsSpec(Activations.relu6(), new Contract(0, 6, 0, 0), common, mismatches);
        for (double alpha : new double[] {0.0, MIN, 0.01, 0.3, 1.0, 2.0, 1e300, MAX}) {
            checkWithItsSpec(
                    Activations.leakyRelu(alpha),
                    new Contract(alpha, INF, 0, alpha),
                    common,
                    mismatches);
        }
        // Caps that are floats take the float kernels of the float forms.
        double[] maxima = {
            MIN, 1e-320, 0.1, (double) 0.1f, 6, 1e300, MAX, (double) Float.MAX_VALUE
        };
        for (double max : maxima) {
            checkWithItsSpec(
                    Activations.clippedRelu(max),
                    new Contract(0, max, 0, 0),
                    withEdges(common, 0, max),
                    mismatches);
        }
        for (double theta : new double[] {0.0, -0.0, 1.0, -1.0, MIN, -MIN, MAX, -MAX}) {
            checkWithItsSpec(
                    Activations.thresholdedRelu(theta),
                    new Contract(0, INF, theta, 0),
                    withEdges(common, theta, INF),
                    mismatches);
        }
        return mismatches.size() > MAX_REPORTED ? mismatches.subList(0, MAX_REPORTED) : mismatches;
    }

    /** The contract of one rectifier: slope a, max value m, threshold t, gradient g at t. */
    private static final class Contract {
        final double a;
        final double m;
        final double t;
        final double g;

        Contract(double a, double m, double t, double g) {
            this.a = a;
            this.m = m;
            this.t = t;
            this.g = g;
        }

        /**
         * f(z); null where z - t overflows though z is finite, which the golden tests pin by hand.
         */
        Double value(double z) {
            if (Double.isNaN(z)) {
                return Double.NaN;
            }
            if (z <= t) {
                // relu(-inf) = 0, not 0 * -inf.
                if (a == 0.0) {
                    return 0.0;
                }
                double below = z - t;
                if (below == Double.NEGATIVE_INFINITY && z != Double.NEGATIVE_INFINITY) {
                    return null;
                }
                return positiveZero(a * below);
            }
            return positiveZero(m != INF && z >= m ? m : z);
        }

        double derivative(double z) {
            if (Double.isNaN(z)) {
                return Double.NaN;
            }
            if (z < t) {
                return positiveZero(a);
            }
            if (z == t) {
                return positiveZero(g);
            }
            // Without a max value there is no cap: f'(+inf) = 1.
            return m != INF && z >= m ? 0.0 : 1.0;
        }
    }

    private static double positiveZero(double value) {
        return value == 0.0 ? 0.0 : value;
    }

    private static float roundedOnce(double value) {
        float rounded = (float) value;
        return rounded == 0.0f ? 0.0f : rounded;
    }

    private static double[] commonInputs() {
        List<Double> inputs =
                new ArrayList<>(
                        List.of(
                                0.0,
                                -0.0,
                                MIN,
                                -MIN,
                                Double.MIN_NORMAL,
                                MAX,
                                -MAX,
                                INF,
                                Double.NEGATIVE_INFINITY,
                                Double.NaN,
                                Double.longBitsToDouble(0xfff8000000000123L),
                                1.0,
                                -1.0,
                                0.5,
                                6.0,
                                1e-310,
                                -1e-310,
                                -2.5,
                                7.25,
                                1e300,
                                -1e300,
                                (double) Float.MIN_VALUE,
                                -(double) Float.MIN_VALUE,
                                (double) Float.MAX_VALUE,
                                1e39,
                                -1e39,
                                1e-46,
                                -1e-46));
        Random random = new Random(20261128L);
        for (int i = 0; i < 24; i++) {
            inputs.add(Double.longBitsToDouble(random.nextLong()));
            inputs.add(random.nextGaussian() * 8.0);
        }
        return inputs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The inputs at and beside the threshold and the cap, added to {@code common}. */
    private static double[] withEdges(double[] common, double t, double m) {
        double[] edges = {
            t, Math.nextUp(t), Math.nextDown(t), m, Math.nextUp(m), Math.nextDown(m), -t, t - 1
        };
        double[] inputs = Arrays.copyOf(common, common.length + edges.length);
        System.arraycopy(edges, 0, inputs, common.length, edges.length);
        return inputs;
    }

    private static void checkWithItsSpec(
            Activation activation, Contract contract, double[] inputs, List<String> mismatches) {
        String spec = activation.spec();
        Activation reparsed = Activations.parse(spec);
        if (!reparsed.equals(activation) || !reparsed.spec().equals(spec)) {
            mismatches.add(spec + " re-read as " + reparsed.spec());
        }
        check(spec, activation, contract, inputs, mismatches);
        check(spec + " (re-read)", reparsed, contract, inputs, mismatches);
    }

    private static void check(
            String name,
            Activation activation,
            Contract contract,
            double[] inputs,
            List<String> mismatches) {
        for (double z : inputs) {
            Double value = contract.value(z);
            if (value == null) {
                continue;
            }
            compare(name, "f", z, activation.apply(z), value, mismatches);
            compare(name, "f'", z, activation.derivative(z), contract.derivative(z), mismatches);
        }
        // Lengths around the vector widths, starting at different inputs.
        int[] lengths = {3, 4, 5, 9, inputs.length - 1};
        for (int from = 0; from < 2; from++) {
            for (int length : lengths) {
                double[] in = Arrays.copyOfRange(inputs, from, from + length);
                checkDoubles(name, activation, contract, in, mismatches);
                checkFloats(name, activation, contract, in, mismatches);
            }
        }
    }

    private static void checkDoubles(
            String name,
            Activation activation,
            Contract contract,
            double[] in,
            List<String> mismatches) {
        int n = in.length;
        double[] values = new double[n];
        double[] derivatives = new double[n];
        activation.apply(in, values);
        activation.derivative(in, derivatives);
        double[] fusedValues = new double[n];
        double[] fusedDerivatives = new double[n];
        activation.applyWithDerivative(in, fusedValues, fusedDerivatives);
        double[] inPlace = in.clone();
        activation.apply(inPlace, inPlace);
        double[] derivativesInPlace = in.clone();
        activation.derivative(derivativesInPlace, derivativesInPlace);
        double[] fusedInPlace = in.clone();
        double[] fusedInPlaceDerivatives = new double[n];
        activation.applyWithDerivative(fusedInPlace, fusedInPlace, fusedInPlaceDerivatives);
        String at = name + " double[" + n + "]";
        for (int i = 0; i < n; i++) {
            Double value = contract.value(in[i]);
            if (value == null) {
                continue;
            }
            double derivative = contract.derivative(in[i]);
            compare(at, "apply", in[i], values[i], value, mismatches);
            compare(at, "fused apply", in[i], fusedValues[i], value, mismatches);
            compare(at, "apply in place", in[i], inPlace[i], value, mismatches);
            compare(at, "fused apply in place", in[i], fusedInPlace[i], value, mismatches);
            compare(at, "derivative", in[i], derivatives[i], derivative, mismatches);
            compare(at, "fused derivative", in[i], fusedDerivatives[i], derivative, mismatches);
            compare(
                    at,
                    "derivative in place",
                    in[i],
                    derivativesInPlace[i],
                    derivative,
                    mismatches);
            compare(
                    at,
                    "fused derivative, values in place",
                    in[i],
                    fusedInPlaceDerivatives[i],
                    derivative,
                    mismatches);
        }
    }

    private static void checkFloats(
            String name,
            Activation activation,
            Contract contract,
            double[] wide,
            List<String> mismatches) {
        int n = wide.length;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = (float) wide[i];
        }
        float[] values = new float[n];
        float[] derivatives = new float[n];
        activation.apply(in, values);
        activation.derivative(in, derivatives);
        float[] fusedValues = new float[n];
        float[] fusedDerivatives = new float[n];
        activation.applyWithDerivative(in, fusedValues, fusedDerivatives);
        float[] inPlace = in.clone();
        activation.apply(inPlace, inPlace);
        float[] fusedInPlace = in.clone();
        float[] fusedInPlaceDerivatives = new float[n];
        activation.applyWithDerivative(fusedInPlace, fusedInPlace, fusedInPlaceDerivatives);
        String at = name + " float[" + n + "]";
        for (int i = 0; i < n; i++) {
            // Computed on the float widened to double and rounded once.
            Double value = contract.value(in[i]);
            if (value == null) {
                continue;
            }
            float expectedValue = roundedOnce(value);
            float expectedDerivative = roundedOnce(contract.derivative(in[i]));
            compare(at, "apply", in[i], values[i], expectedValue, mismatches);
            compare(at, "fused apply", in[i], fusedValues[i], expectedValue, mismatches);
            compare(at, "apply in place", in[i], inPlace[i], expectedValue, mismatches);
            compare(at, "fused apply in place", in[i], fusedInPlace[i], expectedValue, mismatches);
            compare(at, "derivative", in[i], derivatives[i], expectedDerivative, mismatches);
            compare(
                    at,
                    "fused derivative",
                    in[i],
                    fusedDerivatives[i],
                    expectedDerivative,
                    mismatches);
            compare(
                    at,
                    "fused derivative, values in place",
                    in[i],
                    fusedInPlaceDerivatives[i],
                    expectedDerivative,
                    mismatches);
        }
    }

    // The message is built only for a mismatch: building one per value took most of the time.
    private static void compare(
            String name,
            String path,
            double z,
            double actual,
            double expected,
            List<String> mismatches) {
        // doubleToLongBits tells -0.0 from +0.0 and takes any NaN for NaN.
        if (Double.doubleToLongBits(actual) != Double.doubleToLongBits(expected)
                && mismatches.size() <= MAX_REPORTED) {
            mismatches.add(
                    name + " " + path + " at " + z + " = " + actual + ", expected " + expected);
        }
    }

    private static void compare(
            String name,
            String path,
            float z,
            float actual,
            float expected,
            List<String> mismatches) {
        if (Float.floatToIntBits(actual) != Float.floatToIntBits(expected)
                && mismatches.size() <= MAX_REPORTED) {
            mismatches.add(
                    name
                            + " "
                            + path
                            + " at "
                            + z
                            + "f = "
                            + actual
                            + "f, expected "
                            + expected
                            + "f");
        }
    }
}
