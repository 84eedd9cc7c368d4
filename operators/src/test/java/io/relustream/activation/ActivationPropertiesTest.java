package io.relustream.activation;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Properties every activation keeps, over generated parameters and inputs. */
class ActivationPropertiesTest {

    @Property(tries = 300)
    void batchEqualsScalarBitForBit(
            @ForAll("activations") Activation activation,
            @ForAll @Size(max = 70) List<@From("anyDoubles") Double> inputs) {
        double[] in = inputs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] values = new double[in.length];
        double[] derivatives = new double[in.length];
        activation.apply(in, values);
        activation.derivative(in, derivatives);
        for (int i = 0; i < in.length; i++) {
            assertThat(Double.doubleToRawLongBits(values[i]))
                    .as("%s: f(%s)", activation.spec(), in[i])
                    .isEqualTo(Double.doubleToRawLongBits(activation.apply(in[i])));
            assertThat(Double.doubleToRawLongBits(derivatives[i]))
                    .as("%s: f'(%s)", activation.spec(), in[i])
                    .isEqualTo(Double.doubleToRawLongBits(activation.derivative(in[i])));
        }
    }

    @Property(tries = 50)
    void outputLengthIsTheInputLengthWhichIsNeverNegative(
            @ForAll("activations") Activation activation) {
        assertThat(activation.outputLength(0)).isZero();
        assertThat(activation.outputLength(7)).isEqualTo(7);
        // As maxout refuses it: -1 made callers fail later, at new double[-1].
        assertThatThrownBy(() -> activation.outputLength(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(activation.spec() + " needs a non-negative input length, got -1");
    }

    @Property(tries = 300)
    void fusedApplyWithDerivativeEqualsTheTwoPassesBitForBit(
            @ForAll("activations") Activation activation,
            @ForAll @Size(max = 200) List<@From("anyDoubles") Double> inputs) {
        double[] in = inputs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] values = new double[in.length];
        double[] derivatives = new double[in.length];
        double[] fusedValues = new double[in.length];
        double[] fusedDerivatives = new double[in.length];
        activation.apply(in, values);
        activation.derivative(in, derivatives);
        activation.applyWithDerivative(in, fusedValues, fusedDerivatives);
        for (int i = 0; i < in.length; i++) {
            assertThat(Double.doubleToRawLongBits(fusedValues[i]))
                    .as("%s: f(%s)", activation.spec(), in[i])
                    .isEqualTo(Double.doubleToRawLongBits(values[i]));
            assertThat(Double.doubleToRawLongBits(fusedDerivatives[i]))
                    .as("%s: f'(%s)", activation.spec(), in[i])
                    .isEqualTo(Double.doubleToRawLongBits(derivatives[i]));
        }
    }

    @Property(tries = 300)
    void applyWithDerivativeInPlaceGivesTheDerivativesOfTheInputs(
            @ForAll("activations") Activation activation,
            @ForAll @Size(max = 200) List<@From("anyDoubles") Double> inputs) {
        double[] in = inputs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] inPlace = in.clone();
        double[] derivatives = new double[in.length];
        activation.applyWithDerivative(inPlace, inPlace, derivatives);
        float[] floatIn = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            floatIn[i] = (float) in[i];
        }
        float[] floatInPlace = floatIn.clone();
        float[] floatDerivatives = new float[in.length];
        activation.applyWithDerivative(floatInPlace, floatInPlace, floatDerivatives);
        for (int i = 0; i < in.length; i++) {
            assertThat(Double.doubleToRawLongBits(inPlace[i]))
                    .as("%s: f(%s) in place", activation.spec(), in[i])
                    .isEqualTo(Double.doubleToRawLongBits(activation.apply(in[i])));
            assertThat(Double.doubleToRawLongBits(derivatives[i]))
                    .as("%s: f'(%s) in place", activation.spec(), in[i])
                    .isEqualTo(Double.doubleToRawLongBits(activation.derivative(in[i])));
            assertThat(Float.floatToIntBits(floatDerivatives[i]))
                    .as("%s: f'(%sf) in place", activation.spec(), floatIn[i])
                    .isEqualTo(
                            Float.floatToIntBits(
                                    roundedOnce(activation.derivative((double) floatIn[i]))));
        }
    }

    @Example
    void applyWithDerivativeInPlaceAtAThresholdOtherThanZero() {
        // thresholded_relu(theta=-1) of -1.5 is 0 with f' = 0; 0 itself is above the threshold,
        // where f' = 1: the derivatives must be taken of the inputs, not of the outputs.
        double[] values = {-1.5, -1.0, -0.5, 2.0};
        double[] derivatives = new double[4];
        Activations.thresholdedRelu(-1).applyWithDerivative(values, values, derivatives);
        assertThat(values).containsExactly(0.0, 0.0, -0.5, 2.0);
        assertThat(derivatives).containsExactly(0.0, 0.0, 1.0, 1.0);
        // relu(grad_at_threshold=1): f' = 0 below 0, 1 at 0; relu(-2) = 0 is not the input.
        float[] floats = {-2f, 0f, 3f};
        float[] floatDerivatives = new float[3];
        Activations.parse("relu(grad_at_threshold=1)")
                .applyWithDerivative(floats, floats, floatDerivatives);
        assertThat(floats).containsExactly(0f, 0f, 3f);
        assertThat(floatDerivatives).containsExactly(0f, 1f, 1f);
    }

    @Property(tries = 300)
    void floatPathIsTheDoublePathRoundedOnce(
            @ForAll("activations") Activation activation,
            @ForAll @Size(max = 70) List<@From("anyFloats") Float> inputs) {
        float[] in = new float[inputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = inputs.get(i);
        }
        float[] values = new float[in.length];
        float[] derivatives = new float[in.length];
        activation.apply(in, values);
        activation.derivative(in, derivatives);
        for (int i = 0; i < in.length; i++) {
            float expectedValue = roundedOnce(activation.apply((double) in[i]));
            float expectedDerivative = roundedOnce(activation.derivative((double) in[i]));
            assertThat(Float.floatToIntBits(values[i]))
                    .as("%s: f(%sf)", activation.spec(), in[i])
                    .isEqualTo(Float.floatToIntBits(expectedValue));
            assertThat(Float.floatToIntBits(derivatives[i]))
                    .as("%s: f'(%sf)", activation.spec(), in[i])
                    .isEqualTo(Float.floatToIntBits(expectedDerivative));
        }
    }

    @Property(tries = 300)
    void floatApplyWithDerivativeIsTheDoublePathRoundedOnce(
            @ForAll("activations") Activation activation,
            @ForAll @Size(max = 200) List<@From("anyFloats") Float> inputs) {
        float[] in = new float[inputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = inputs.get(i);
        }
        float[] values = new float[in.length];
        float[] derivatives = new float[in.length];
        activation.applyWithDerivative(in, values, derivatives);
        for (int i = 0; i < in.length; i++) {
            float expectedValue = roundedOnce(activation.apply((double) in[i]));
            float expectedDerivative = roundedOnce(activation.derivative((double) in[i]));
            assertThat(Float.floatToIntBits(values[i]))
                    .as("%s: f(%sf)", activation.spec(), in[i])
                    .isEqualTo(Float.floatToIntBits(expectedValue));
            assertThat(Float.floatToIntBits(derivatives[i]))
                    .as("%s: f'(%sf)", activation.spec(), in[i])
                    .isEqualTo(Float.floatToIntBits(expectedDerivative));
        }
    }

    /** The nearest float; a zero as +0.0f, since zero outputs are never -0.0. */
    private static float roundedOnce(double value) {
        float rounded = (float) value;
        return rounded == 0.0f ? 0.0f : rounded;
    }

    @Property(tries = 1000)
    void derivativeAgreesWithACentralDifferenceAwayFromKinks(
            @ForAll("activations") Activation activation,
            @ForAll @DoubleRange(min = -50, max = 50) double z) {
        Rectifier rectifier = (Rectifier) activation;
        double h = 1e-6;
        double kinkDistance =
                Math.min(Math.abs(z - rectifier.threshold()), Math.abs(z - rectifier.maxValue()));
        if (kinkDistance < 1e-3) {
            return;
        }
        double slope = (activation.apply(z + h) - activation.apply(z - h)) / (2 * h);
        assertThat(activation.derivative(z))
                .as("%s at %s: difference quotient %s", activation.spec(), z, slope)
                .isCloseTo(slope, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Property(tries = 500)
    void specRoundTrips(@ForAll("activations") Activation activation) {
        Activation parsed = Activations.parse(activation.spec());
        assertThat(parsed).isEqualTo(activation);
        assertThat(parsed.spec()).isEqualTo(activation.spec());
        assertThat(Activations.parseVector(activation.spec())).isEqualTo(activation);
    }

    @Property(tries = 200)
    void zeroOutputsAreAlwaysPositiveZero(
            @ForAll("activations") Activation activation, @ForAll("anyDoubles") double z) {
        double value = activation.apply(z);
        if (value == 0.0) {
            assertThat(Double.doubleToRawLongBits(value))
                    .as("%s: f(%s)", activation.spec(), z)
                    .isZero();
        }
    }

    @Property(tries = 200)
    void maxoutBatchMatchesAGroupByGroupMaximum(
            @ForAll @net.jqwik.api.constraints.IntRange(min = 2, max = 5) int k,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 8) int groups,
            @ForAll @Size(value = 40) List<@From("anyDoubles") Double> pool) {
        double[] in = new double[k * groups];
        for (int i = 0; i < in.length; i++) {
            in[i] = pool.get(i);
        }
        double[] out = new double[groups];
        double[] mask = new double[in.length];
        Maxout maxout = Activations.maxout(k);
        maxout.apply(in, out);
        maxout.derivative(in, mask);
        for (int g = 0; g < groups; g++) {
            boolean hasNaN = false;
            double max = Double.NEGATIVE_INFINITY;
            int arg = g * k;
            for (int i = g * k; i < (g + 1) * k; i++) {
                hasNaN |= Double.isNaN(in[i]);
                if (in[i] > max) {
                    max = in[i];
                    arg = i;
                }
            }
            if (hasNaN) {
                assertThat(out[g]).isNaN();
                continue;
            }
            assertThat(out[g]).isEqualTo(max == 0.0 ? 0.0 : max);
            for (int i = g * k; i < (g + 1) * k; i++) {
                assertThat(mask[i]).isEqualTo(i == arg ? 1.0 : 0.0);
            }
        }
    }

    @Provide
    Arbitrary<Activation> activations() {
        Arbitrary<Double> slopes =
                Arbitraries.oneOf(
                        Arbitraries.just(0.0),
                        Arbitraries.doubles().between(0.0, 3.0).ofScale(6),
                        Arbitraries.of(0.01, 0.1, 0.2, 1e-9));
        Arbitrary<Double> thresholds =
                Arbitraries.oneOf(
                        Arbitraries.just(0.0),
                        Arbitraries.doubles().between(-5.0, 5.0).ofScale(6),
                        Arbitraries.of(0.5, 1.0, -1.0));
        Arbitrary<Double> capAbove = Arbitraries.doubles().between(0.01, 20.0).ofScale(6);
        Arbitrary<Activation> general =
                Combinators.combine(
                                slopes,
                                thresholds,
                                capAbove,
                                Arbitraries.of(true, false),
                                Arbitraries.of(true, false))
                        .as(
                                (slope, threshold, above, capped, ownGradient) -> {
                                    RectifierBuilder builder =
                                            Activations.rectifier()
                                                    .negativeSlope(slope)
                                                    .threshold(threshold);
                                    if (capped) {
                                        builder.maxValue(threshold + above);
                                    }
                                    if (ownGradient) {
                                        builder.gradientAtThreshold(0.5);
                                    }
                                    return builder.build();
                                });
        return Arbitraries.oneOf(
                Arbitraries.of(Activations.relu(), Activations.relu6()),
                Arbitraries.doubles().between(0.0, 1.0).ofScale(6).map(Activations::leakyRelu),
                Arbitraries.doubles().between(0.01, 100.0).ofScale(6).map(Activations::clippedRelu),
                // Caps a float holds exactly take the float kernels of the float path.
                Arbitraries.of(0.5, 1.25, 4.0, 6.0, (double) 1e-3f).map(Activations::clippedRelu),
                Arbitraries.doubles()
                        .between(-10.0, 10.0)
                        .ofScale(6)
                        .map(Activations::thresholdedRelu),
                general);
    }

    /** Every bit pattern (NaN payloads, subnormals) plus the edges. */
    @Provide
    Arbitrary<Double> anyDoubles() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(Double::longBitsToDouble),
                Arbitraries.doubles().between(-10.0, 10.0).ofScale(6),
                Arbitraries.of(
                        Double.NaN,
                        Double.NEGATIVE_INFINITY,
                        Double.POSITIVE_INFINITY,
                        -0.0,
                        0.0,
                        Double.MIN_VALUE,
                        -Double.MIN_VALUE,
                        Double.MAX_VALUE,
                        -Double.MAX_VALUE,
                        6.0,
                        1.0,
                        0.5));
    }

    @Provide
    Arbitrary<Float> anyFloats() {
        return Arbitraries.oneOf(
                Arbitraries.integers().map(Float::intBitsToFloat),
                Arbitraries.floats().between(-10f, 10f).ofScale(6),
                Arbitraries.of(
                        Float.NaN,
                        Float.NEGATIVE_INFINITY,
                        Float.POSITIVE_INFINITY,
                        -0.0f,
                        0.0f,
                        Float.MIN_VALUE,
                        -Float.MIN_VALUE,
                        Float.MAX_VALUE,
                        6.0f));
    }
}
