package io.relustream.activation;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static java.lang.Double.MAX_VALUE;
import static java.lang.Double.MIN_VALUE;
import static java.lang.Double.NEGATIVE_INFINITY;
import static java.lang.Double.NaN;
import static java.lang.Double.POSITIVE_INFINITY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The semantics contract at the edges, one table per named activation. Expected values are literals
 * worked out by hand (and, for the rounded products, by IEEE arithmetic outside Java), never by the
 * code under test. Comparisons are bit-level: {@code +0.0} is not {@code -0.0}.
 */
class ActivationGoldenTest {

    /** One row: f(z) and f'(z). */
    private record Row(double z, double value, double derivative) {}

    private static Row row(double z, double value, double derivative) {
        return new Row(z, value, derivative);
    }

    private static final List<Row> RELU =
            List.of(
                    row(NEGATIVE_INFINITY, 0.0, 0.0),
                    row(-MAX_VALUE, 0.0, 0.0),
                    row(-1.0, 0.0, 0.0),
                    row(-MIN_VALUE, 0.0, 0.0),
                    row(-0.0, 0.0, 0.0),
                    row(0.0, 0.0, 0.0),
                    row(MIN_VALUE, MIN_VALUE, 1.0),
                    row(1.0, 1.0, 1.0),
                    row(1e300, 1e300, 1.0),
                    row(MAX_VALUE, MAX_VALUE, 1.0),
                    row(POSITIVE_INFINITY, POSITIVE_INFINITY, 1.0),
                    row(NaN, NaN, NaN));

    private static final List<Row> LEAKY_RELU_DEFAULT =
            List.of(
                    row(NEGATIVE_INFINITY, NEGATIVE_INFINITY, 0.01),
                    row(-MAX_VALUE, -1.7976931348623156e306, 0.01),
                    row(-1.0, -0.01, 0.01),
                    // 0.01 * -4.9e-324 underflows to -0.0, which must come out as +0.0.
                    row(-MIN_VALUE, 0.0, 0.01),
                    row(-0.0, 0.0, 0.01),
                    row(0.0, 0.0, 0.01),
                    row(MIN_VALUE, MIN_VALUE, 1.0),
                    row(1.0, 1.0, 1.0),
                    row(MAX_VALUE, MAX_VALUE, 1.0),
                    row(POSITIVE_INFINITY, POSITIVE_INFINITY, 1.0),
                    row(NaN, NaN, NaN));

    private static final List<Row> RELU6 =
            List.of(
                    row(NEGATIVE_INFINITY, 0.0, 0.0),
                    row(-MAX_VALUE, 0.0, 0.0),
                    row(-1.0, 0.0, 0.0),
                    // Math.nextDown of the threshold 0: -0.0 out would be wrong.
                    row(-MIN_VALUE, 0.0, 0.0),
                    row(-0.0, 0.0, 0.0),
                    row(0.0, 0.0, 0.0),
                    row(MIN_VALUE, MIN_VALUE, 1.0),
                    row(5.999999999999999, 5.999999999999999, 1.0),
                    row(6.0, 6.0, 0.0),
                    row(6.000000000000001, 6.0, 0.0),
                    row(MAX_VALUE, 6.0, 0.0),
                    row(POSITIVE_INFINITY, 6.0, 0.0),
                    row(NaN, NaN, NaN));

    private static final List<Row> CLIPPED_RELU_4 =
            List.of(
                    row(NEGATIVE_INFINITY, 0.0, 0.0),
                    row(-MAX_VALUE, 0.0, 0.0),
                    row(-1.0, 0.0, 0.0),
                    // Math.nextDown of the threshold 0: -0.0 out would be wrong.
                    row(-MIN_VALUE, 0.0, 0.0),
                    row(-0.0, 0.0, 0.0),
                    row(0.0, 0.0, 0.0),
                    row(MIN_VALUE, MIN_VALUE, 1.0),
                    row(3.9999999999999996, 3.9999999999999996, 1.0),
                    row(4.0, 4.0, 0.0),
                    row(4.000000000000001, 4.0, 0.0),
                    row(POSITIVE_INFINITY, 4.0, 0.0),
                    row(NaN, NaN, NaN));

    private static final List<Row> THRESHOLDED_RELU_1 =
            List.of(
                    row(NEGATIVE_INFINITY, 0.0, 0.0),
                    row(-MAX_VALUE, 0.0, 0.0),
                    row(-1.0, 0.0, 0.0),
                    row(-0.0, 0.0, 0.0),
                    row(0.0, 0.0, 0.0),
                    row(MIN_VALUE, 0.0, 0.0),
                    row(0.9999999999999999, 0.0, 0.0),
                    row(1.0, 0.0, 0.0),
                    row(1.0000000000000002, 1.0000000000000002, 1.0),
                    row(MAX_VALUE, MAX_VALUE, 1.0),
                    row(POSITIVE_INFINITY, POSITIVE_INFINITY, 1.0),
                    row(NaN, NaN, NaN));

    /** relu(negative_slope=0.1, max_value=6, threshold=0.5): f(z) = 0.1 * (z - 0.5) below 0.5. */
    private static final List<Row> GENERAL =
            List.of(
                    row(NEGATIVE_INFINITY, NEGATIVE_INFINITY, 0.1),
                    row(-MAX_VALUE, -1.7976931348623158e307, 0.1),
                    row(-1.0, -0.15000000000000002, 0.1),
                    row(-0.0, -0.05, 0.1),
                    row(0.0, -0.05, 0.1),
                    row(MIN_VALUE, -0.05, 0.1),
                    row(0.49999999999999994, -5.551115123125783e-18, 0.1),
                    row(0.5, 0.0, 0.1),
                    row(0.5000000000000001, 0.5000000000000001, 1.0),
                    row(5.999999999999999, 5.999999999999999, 1.0),
                    row(6.0, 6.0, 0.0),
                    row(6.000000000000001, 6.0, 0.0),
                    row(POSITIVE_INFINITY, 6.0, 0.0),
                    row(NaN, NaN, NaN));

    /** relu(grad_at_threshold=1): plain ReLU whose derivative at exactly 0 is 1. */
    private static final List<Row> RELU_GRADIENT_ONE_AT_ZERO =
            List.of(
                    row(-MIN_VALUE, 0.0, 0.0),
                    row(-0.0, 0.0, 1.0),
                    row(0.0, 0.0, 1.0),
                    row(MIN_VALUE, MIN_VALUE, 1.0),
                    row(NaN, NaN, NaN));

    /** relu(threshold=-1): the identity side reaches -0.0, which must come out as +0.0. */
    private static final List<Row> NEGATIVE_THRESHOLD =
            List.of(
                    row(-1.0, 0.0, 0.0),
                    row(-0.9999999999999999, -0.9999999999999999, 1.0),
                    row(-0.0, 0.0, 1.0),
                    row(0.0, 0.0, 1.0),
                    row(-2.0, 0.0, 0.0));

    /**
     * relu(negative_slope=0.5, threshold=MAX_VALUE): z - t overflows below -0.0, a*(z - t) does
     * not. f(-MAX) = 0.5 * -2*MAX = -MAX; f(-1e308) = 0.5 * -(1e308 + MAX) rounded once
     * (-1.398846567431158e308, from exact rational arithmetic); f(0) = -MAX/2.
     */
    private static final List<Row> THRESHOLD_AT_MAX_VALUE =
            List.of(
                    row(NEGATIVE_INFINITY, NEGATIVE_INFINITY, 0.5),
                    row(-MAX_VALUE, -MAX_VALUE, 0.5),
                    row(-1e308, -1.398846567431158e308, 0.5),
                    row(0.0, -8.988465674311579e307, 0.5),
                    row(MAX_VALUE, 0.0, 0.5),
                    row(POSITIVE_INFINITY, POSITIVE_INFINITY, 1.0),
                    row(NaN, NaN, NaN));

    /** relu(negative_slope=2, threshold=MAX_VALUE): here 2*(z - t) itself is beyond MAX_VALUE. */
    private static final List<Row> THRESHOLD_AT_MAX_VALUE_STEEP =
            List.of(
                    row(-MAX_VALUE, NEGATIVE_INFINITY, 2.0),
                    row(0.0, NEGATIVE_INFINITY, 2.0),
                    row(MAX_VALUE, 0.0, 2.0));

    @TestFactory
    Stream<DynamicTest> negativeSideIsFiniteWhereOnlyZMinusTOverflows() {
        return Stream.concat(
                table(
                        "relu(negative_slope=0.5, threshold=MAX_VALUE)",
                        Activations.rectifier().negativeSlope(0.5).threshold(MAX_VALUE).build(),
                        THRESHOLD_AT_MAX_VALUE),
                table(
                        "relu(negative_slope=2, threshold=MAX_VALUE)",
                        Activations.rectifier().negativeSlope(2.0).threshold(MAX_VALUE).build(),
                        THRESHOLD_AT_MAX_VALUE_STEEP));
    }

    @TestFactory
    Stream<DynamicTest> reluMatchesTheContract() {
        return table("relu", Activations.relu(), RELU);
    }

    @TestFactory
    Stream<DynamicTest> leakyReluWithDefaultAlphaMatchesTheContract() {
        return table("leaky_relu", Activations.parse("leaky_relu"), LEAKY_RELU_DEFAULT);
    }

    @TestFactory
    Stream<DynamicTest> relu6MatchesTheContract() {
        return table("relu6", Activations.relu6(), RELU6);
    }

    @TestFactory
    Stream<DynamicTest> clippedReluMatchesTheContract() {
        return table("clipped_relu(max=4)", Activations.clippedRelu(4), CLIPPED_RELU_4);
    }

    @TestFactory
    Stream<DynamicTest> thresholdedReluMatchesTheContract() {
        return table(
                "thresholded_relu(theta=1)", Activations.thresholdedRelu(1.0), THRESHOLDED_RELU_1);
    }

    @TestFactory
    Stream<DynamicTest> generalRectifierMatchesTheContract() {
        return table(
                "relu(negative_slope=0.1, max_value=6, threshold=0.5)",
                Activations.parse("relu(negative_slope=0.1, max_value=6, threshold=0.5)"),
                GENERAL);
    }

    @TestFactory
    Stream<DynamicTest> gradientAtThresholdIsConfigurable() {
        return table(
                "relu(grad_at_threshold=1)",
                Activations.rectifier().gradientAtThreshold(1.0).build(),
                RELU_GRADIENT_ONE_AT_ZERO);
    }

    @TestFactory
    Stream<DynamicTest> identitySideNeverReturnsNegativeZero() {
        return table(
                "relu(threshold=-1)",
                Activations.rectifier().threshold(-1.0).build(),
                NEGATIVE_THRESHOLD);
    }

    @Test
    void reluOfMinusInfinityIsZeroNotNaN() {
        // IEEE: 0 * -inf = NaN; the contract says relu(-inf) = 0.
        assertThat(bits(Activations.relu().apply(NEGATIVE_INFINITY))).isEqualTo(bits(0.0));
        assertThat(bits(Activations.relu6().apply(NEGATIVE_INFINITY))).isEqualTo(bits(0.0));
        assertThat(bits(Activations.thresholdedRelu(2.5).apply(NEGATIVE_INFINITY)))
                .isEqualTo(bits(0.0));
    }

    @Test
    void aNaNKeepsItsPayloadInTheValueAndTheDerivativeOfEveryForm() {
        // Avro keeps a double's bits, so a NaN that tags why a value is missing reaches the
        // activations topic; the derivatives keep the same tag, whatever the form.
        long tagged = 0x7ff8000000000123L;
        double nan = Double.longBitsToDouble(tagged);
        List<Activation> forms = new ArrayList<>(namedActivations());
        forms.add(Activations.parse("relu(grad_at_threshold=1)"));
        forms.add(Activations.parse("relu(negative_slope=0.1, max_value=6)"));
        for (Activation activation : forms) {
            double[] in = {nan, nan, nan, nan, nan};
            double[] values = new double[in.length];
            double[] derivatives = new double[in.length];
            activation.applyWithDerivative(in, values, derivatives);
            assertThat(Double.doubleToRawLongBits(activation.apply(nan)))
                    .as("%s: f(NaN)", activation.spec())
                    .isEqualTo(tagged);
            assertThat(Double.doubleToRawLongBits(activation.derivative(nan)))
                    .as("%s: f'(NaN)", activation.spec())
                    .isEqualTo(tagged);
            for (int i = 0; i < in.length; i++) {
                assertThat(Double.doubleToRawLongBits(values[i]))
                        .as("%s: batch f(NaN)", activation.spec())
                        .isEqualTo(tagged);
                assertThat(Double.doubleToRawLongBits(derivatives[i]))
                        .as("%s: batch f'(NaN)", activation.spec())
                        .isEqualTo(tagged);
            }
        }
    }

    @Test
    void zeroOutputsArePositiveZeroInEveryPath() {
        double[] in = {-0.0, -MIN_VALUE, -1.0, NEGATIVE_INFINITY, 0.0};
        for (Activation activation : namedActivations()) {
            double[] out = new double[in.length];
            activation.apply(in, out);
            float[] floatOut = new float[in.length];
            activation.apply(toFloats(in), floatOut);
            for (int i = 0; i < in.length; i++) {
                if (out[i] == 0.0) {
                    assertThat(Double.doubleToRawLongBits(out[i]))
                            .as("%s batch f(%s)", activation.spec(), in[i])
                            .isZero();
                }
                if (floatOut[i] == 0.0f) {
                    assertThat(Float.floatToRawIntBits(floatOut[i]))
                            .as("%s float f(%s)", activation.spec(), in[i])
                            .isZero();
                }
            }
        }
    }

    @Test
    void floatResultsThatRoundToZeroArePositiveZero() {
        // Each result is a tiny negative number in double, too small for a float.
        assertRoundsToPositiveZero(Activations.leakyRelu(0.01), -Float.MIN_VALUE);
        assertRoundsToPositiveZero(Activations.leakyRelu(MIN_VALUE), -1486.45f);
        assertRoundsToPositiveZero(
                Activations.parse("relu(negative_slope=0.1, max_value=6)"), -Float.MIN_VALUE);
        assertRoundsToPositiveZero(
                Activations.parse("relu(negative_slope=0.5, threshold=1e-310)"), 0.0f);
    }

    private static void assertRoundsToPositiveZero(Activation activation, float z) {
        assertThat(activation.apply((double) z))
                .as("%s double f(%sf)", activation.spec(), z)
                .isNegative();
        float[] out = new float[1];
        activation.apply(new float[] {z}, out);
        assertThat(Float.floatToRawIntBits(out[0]))
                .as("%s float f(%sf)", activation.spec(), z)
                .isZero();
        float[] fused = new float[1];
        activation.applyWithDerivative(new float[] {z}, fused, new float[1]);
        assertThat(Float.floatToRawIntBits(fused[0]))
                .as("%s float f(%sf) with f'", activation.spec(), z)
                .isZero();
    }

    private static List<Activation> namedActivations() {
        return List.of(
                Activations.relu(),
                Activations.leakyRelu(0.01),
                Activations.relu6(),
                Activations.clippedRelu(4),
                Activations.thresholdedRelu(1.0),
                Activations.parse("relu(negative_slope=0.1, max_value=6, threshold=0.5)"));
    }

    private static Stream<DynamicTest> table(String name, Activation activation, List<Row> rows) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Row row : rows) {
            tests.add(
                    DynamicTest.dynamicTest(
                            name + ": f(" + row.z + ") = " + row.value + ", f' = " + row.derivative,
                            () -> {
                                assertThat(bits(activation.apply(row.z)))
                                        .as("f(%s) = %s", row.z, activation.apply(row.z))
                                        .isEqualTo(bits(row.value));
                                assertThat(bits(activation.derivative(row.z)))
                                        .as("f'(%s) = %s", row.z, activation.derivative(row.z))
                                        .isEqualTo(bits(row.derivative));
                            }));
        }
        tests.add(
                DynamicTest.dynamicTest(
                        name + ": the batch kernels give the same table",
                        () -> {
                            double[] in = rows.stream().mapToDouble(Row::z).toArray();
                            double[] values = new double[in.length];
                            double[] derivatives = new double[in.length];
                            activation.apply(in, values);
                            activation.derivative(in, derivatives);
                            for (int i = 0; i < in.length; i++) {
                                assertThat(bits(values[i]))
                                        .as("batch f(%s)", in[i])
                                        .isEqualTo(bits(rows.get(i).value));
                                assertThat(bits(derivatives[i]))
                                        .as("batch f'(%s)", in[i])
                                        .isEqualTo(bits(rows.get(i).derivative));
                            }
                        }));
        return tests.stream();
    }

    /** Bits that tell +0.0 from -0.0 and treat every NaN alike. */
    private static long bits(double value) {
        return Double.doubleToLongBits(value);
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
