package io.relustream.simd;

import io.relustream.activation.Activation;
import io.relustream.activation.Activations;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vector API loops against relu's definition written out value by value, whatever the length
 * (full vectors and every tail) and whatever the bits (NaN payloads, signed zeros, subnormals).
 */
class VectorApiLoopsTest {

    private static final double NAN_WITH_PAYLOAD = Double.longBitsToDouble(0x7ff8_0000_dead_beefL);

    /** relu by cases, as ARCHITECTURE.md states it; NaN keeps its bits. */
    private static double relu(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        return z > 0.0 ? z : 0.0;
    }

    private static double reluDerivative(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        return z > 0.0 ? 1.0 : 0.0;
    }

    @Test
    void theTestRunLoadsTheModuleSoTheVectorPathIsWhatTheOtherTestsExercise() {
        assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
        assertThat(SimdLoops.ENABLED).isEqualTo(VectorApiLoops.hardwareFits());
        assertThat(SimdLoops.describe())
                .startsWith(SimdLoops.ENABLED ? "Vector API loops" : "plain loops");
    }

    @Test
    void edgeValuesInWholeVectorsAndTheTailLeftToTheCaller() {
        double[] in = {
            -1.5,
            -0.0,
            0.0,
            2.5,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE,
            -Double.MIN_VALUE,
            NAN_WITH_PAYLOAD,
            -Double.MAX_VALUE
        };
        double[] out = new double[in.length];
        double[] derivatives = new double[in.length];

        int done = VectorApiLoops.reluWithDerivative(in, out, derivatives);

        // Two vectors of four; the last three values are the caller's, untouched here.
        assertThat(done).isEqualTo(8);
        double[] expectedOut = {
            0.0,
            0.0,
            0.0,
            2.5,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            0.0,
            Double.MIN_VALUE,
            0.0,
            0.0,
            0.0
        };
        double[] expectedDerivatives = {
            0.0, 0.0, 0.0, 1.0, Double.NaN, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0
        };
        assertThat(bits(out)).containsExactly(bits(expectedOut));
        // Which NaN a multiplication returns is the hardware's choice: any NaN is right there.
        assertThat(canonicalBits(derivatives)).containsExactly(canonicalBits(expectedDerivatives));
        assertThat(VectorApiLoops.countZeros(out, out.length)).isEqualTo(7);
        assertThat(VectorApiLoops.countZeros(out, 4)).isEqualTo(3);
        assertThat(VectorApiLoops.anyNonFinite(in, 4)).isFalse();
        assertThat(VectorApiLoops.anyNonFinite(in, 5)).isTrue();
        assertThat(VectorApiLoops.anyNonFinite(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, -0.0}, 10))
                .isFalse();
        assertThat(VectorApiLoops.anyNonFinite(new double[] {1, 2, 3, 4, 5, 6, 7, 8, -1e300}, 9))
                .isFalse();
        assertThat(
                        VectorApiLoops.anyNonFinite(
                                new double[] {1, 2, 3, 4, 5, 6, 7, 8, Double.NEGATIVE_INFINITY}, 9))
                .isTrue();
    }

    @Property(tries = 500)
    void reluAndItsDerivativeMatchTheDefinition(
            @ForAll @Size(max = 100) List<@From("anyDoubles") Double> inputs) {
        double[] in = inputs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] out = new double[in.length];
        double[] fusedOut = new double[in.length];
        double[] derivatives = new double[in.length];

        int done = VectorApiLoops.relu(in, out);
        int fusedDone = VectorApiLoops.reluWithDerivative(in, fusedOut, derivatives);

        assertThat(done).isEqualTo(in.length - in.length % 4).isEqualTo(fusedDone);
        for (int i = 0; i < done; i++) {
            long expected = Double.doubleToRawLongBits(relu(in[i]));
            assertThat(Double.doubleToRawLongBits(out[i]))
                    .as("relu(%s)", in[i])
                    .isEqualTo(expected);
            assertThat(Double.doubleToRawLongBits(fusedOut[i]))
                    .as("fused relu(%s)", in[i])
                    .isEqualTo(expected);
            assertThat(Double.doubleToLongBits(derivatives[i]))
                    .as("relu'(%s)", in[i])
                    .isEqualTo(Double.doubleToLongBits(reluDerivative(in[i])));
        }
        for (int i = done; i < in.length; i++) {
            assertThat(Double.doubleToRawLongBits(out[i])).as("left to the caller").isZero();
        }
    }

    /** The scalar forms (which never take these loops) are the reference, bit for bit. */
    @Property(tries = 300)
    void leakyAndCappedMatchTheirScalarFormsBitForBit(
            @ForAll @Size(max = 100) List<@From("anyDoubles") Double> inputs,
            @ForAll("slopes") double slope,
            @ForAll("caps") double cap) {
        double[] in = inputs.stream().mapToDouble(Double::doubleValue).toArray();
        int whole = in.length - in.length % 4;
        Activation leaky = Activations.leakyRelu(slope);
        Activation capped = Activations.clippedRelu(cap);
        double[] out = new double[in.length];
        double[] fusedOut = new double[in.length];
        double[] derivatives = new double[in.length];

        assertThat(VectorApiLoops.leaky(in, out, slope)).isEqualTo(whole);
        assertThat(VectorApiLoops.leakyWithDerivative(in, fusedOut, derivatives, slope))
                .isEqualTo(whole);
        assertMatches(leaky, in, whole, out, fusedOut, derivatives);

        assertThat(VectorApiLoops.clipped(in, out, cap)).isEqualTo(whole);
        assertThat(VectorApiLoops.clippedWithDerivative(in, fusedOut, derivatives, cap))
                .isEqualTo(whole);
        assertMatches(capped, in, whole, out, fusedOut, derivatives);
    }

    private static void assertMatches(
            Activation activation,
            double[] in,
            int whole,
            double[] out,
            double[] fusedOut,
            double[] derivatives) {
        for (int i = 0; i < whole; i++) {
            long expected = Double.doubleToRawLongBits(activation.apply(in[i]));
            assertThat(Double.doubleToRawLongBits(out[i]))
                    .as("%s(%s)", activation.spec(), in[i])
                    .isEqualTo(expected);
            assertThat(Double.doubleToRawLongBits(fusedOut[i]))
                    .as("fused %s(%s)", activation.spec(), in[i])
                    .isEqualTo(expected);
            assertThat(Double.doubleToRawLongBits(derivatives[i]))
                    .as("%s'(%s)", activation.spec(), in[i])
                    .isEqualTo(Double.doubleToRawLongBits(activation.derivative(in[i])));
        }
    }

    @Property(tries = 500)
    void countsMatchAValueByValueCount(
            @ForAll @Size(max = 100) List<@From("anyDoubles") Double> inputs,
            @ForAll @IntRange(min = 0, max = 100) int prefix) {
        double[] values = inputs.stream().mapToDouble(Double::doubleValue).toArray();
        int length = Math.min(prefix, values.length);
        int zeros = 0;
        boolean nonFinite = false;
        for (int i = 0; i < length; i++) {
            zeros += values[i] == 0.0 ? 1 : 0;
            nonFinite |= Double.isNaN(values[i]) || Double.isInfinite(values[i]);
        }

        assertThat(VectorApiLoops.countZeros(values, length)).isEqualTo(zeros);
        assertThat(VectorApiLoops.anyNonFinite(values, length)).isEqualTo(nonFinite);
    }

    private static long[] bits(double[] values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Double.doubleToRawLongBits(values[i]);
        }
        return bits;
    }

    private static long[] canonicalBits(double[] values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Double.doubleToLongBits(values[i]);
        }
        return bits;
    }

    @Provide
    Arbitrary<Double> slopes() {
        return Arbitraries.oneOf(
                Arbitraries.of(0.01, 0.1, 0.3, 1.0, 1e-9, Double.MIN_VALUE),
                Arbitraries.doubles().between(1e-6, 3.0).ofScale(9));
    }

    @Provide
    Arbitrary<Double> caps() {
        return Arbitraries.oneOf(
                Arbitraries.of(6.0, 1.0, 0.5, Double.MIN_VALUE, Double.MAX_VALUE),
                Arbitraries.doubles().between(1e-6, 100.0).ofScale(9));
    }

    /** Every bit pattern plus the edges, a third of them zeros so that counts are not all 0. */
    @Provide
    Arbitrary<Double> anyDoubles() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().map(Double::longBitsToDouble)),
                Tuple.of(3, Arbitraries.doubles().between(-10.0, 10.0).ofScale(3)),
                Tuple.of(3, Arbitraries.of(0.0, -0.0)),
                Tuple.of(
                        2,
                        Arbitraries.of(
                                Double.NaN,
                                NAN_WITH_PAYLOAD,
                                Double.NEGATIVE_INFINITY,
                                Double.POSITIVE_INFINITY,
                                Double.MIN_VALUE,
                                -Double.MIN_VALUE,
                                Double.MAX_VALUE,
                                -Double.MAX_VALUE)));
    }
}
