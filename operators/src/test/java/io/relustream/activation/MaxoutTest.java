package io.relustream.activation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaxoutTest {

    private final Maxout maxoutOfTwo = Activations.maxout(2);

    @Test
    void takesTheMaximumOfEachGroup() {
        double[] in = {1, 3, -2, -5, 7, 7.5};
        double[] out = new double[3];
        maxoutOfTwo.apply(in, out);
        assertThat(out).containsExactly(3, -2, 7.5);
    }

    @Test
    void derivativeIsTheOneHotMaskOfTheArgMax() {
        double[] in = {1, 3, -2, -5, 7, 7.5};
        double[] mask = new double[6];
        maxoutOfTwo.derivative(in, mask);
        assertThat(mask).containsExactly(0, 1, 1, 0, 0, 1);
    }

    @Test
    void tiesGoToTheLowestIndex() {
        Maxout maxoutOfThree = Activations.maxout(3);
        double[] in = {2, 5, 5, -1, -1, -1};
        double[] out = new double[2];
        double[] mask = new double[6];
        maxoutOfThree.apply(in, out);
        maxoutOfThree.derivative(in, mask);
        assertThat(out).containsExactly(5, -1);
        assertThat(mask).containsExactly(0, 1, 0, 1, 0, 0);
    }

    @Test
    void negativeAndPositiveZeroTieAndGivePositiveZero() {
        double[] in = {-0.0, 0.0};
        double[] out = new double[1];
        double[] mask = new double[2];
        maxoutOfTwo.apply(in, out);
        maxoutOfTwo.derivative(in, mask);
        assertThat(Double.doubleToRawLongBits(out[0])).isZero();
        assertThat(mask).containsExactly(1, 0);
    }

    @Test
    void nanMakesItsGroupNaNAndLeavesOtherGroupsAlone() {
        double[] in = {1, Double.NaN, -4, -3};
        double[] out = new double[2];
        double[] mask = new double[4];
        maxoutOfTwo.apply(in, out);
        maxoutOfTwo.derivative(in, mask);
        assertThat(out[0]).isNaN();
        assertThat(out[1]).isEqualTo(-3.0);
        assertThat(mask[0]).isNaN();
        assertThat(mask[1]).isNaN();
        assertThat(mask[2]).isEqualTo(0.0);
        assertThat(mask[3]).isEqualTo(1.0);
    }

    @Test
    void aGroupsNaNOutputIsItsFirstNaNWithThePayloadKept() {
        // As the rectifiers keep a NaN's payload (a tag for why a value is missing), maxout
        // passes on the first NaN of the group, in the double and the float forms.
        long first = 0x7ff8000000000123L;
        long second = 0x7ff8000000000456L;
        double[] in = {
            2.0, Double.longBitsToDouble(first), Double.longBitsToDouble(second), 1.0, 1.0, 1.0
        };
        double[] out = new double[2];
        Activations.maxout(3).apply(in, out);
        assertThat(Double.doubleToRawLongBits(out[0])).isEqualTo(first);
        assertThat(out[1]).isEqualTo(1.0);

        int firstFloat = 0x7fc00123;
        float[] floats = {
            2.0f, Float.intBitsToFloat(firstFloat), Float.intBitsToFloat(0x7fc00456), 1f, 1f, 1f
        };
        float[] floatOut = new float[2];
        Activations.maxout(3).apply(floats, floatOut);
        assertThat(Float.floatToRawIntBits(floatOut[0])).isEqualTo(firstFloat);
        assertThat(floatOut[1]).isEqualTo(1.0f);
    }

    @Test
    void infinitiesAreOrdinaryValues() {
        double[] in = {
            Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 1, Double.POSITIVE_INFINITY
        };
        double[] out = new double[2];
        double[] mask = new double[4];
        maxoutOfTwo.apply(in, out);
        maxoutOfTwo.derivative(in, mask);
        assertThat(out).containsExactly(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        assertThat(mask).containsExactly(1, 0, 0, 1);
    }

    @Test
    void floatPathRoundsTheDoubleResult() {
        float[] in = {0.1f, 0.3f, -0.5f, -0.25f};
        float[] out = new float[2];
        float[] mask = new float[4];
        maxoutOfTwo.apply(in, out);
        maxoutOfTwo.derivative(in, mask);
        assertThat(out).containsExactly(0.3f, -0.25f);
        assertThat(mask).containsExactly(0f, 1f, 0f, 1f);
    }

    @Test
    void floatFormsOfTheLargestKTakeAnEmptyInputWithoutMemoryForAGroup() {
        // Any k divides 0; a group's worth of doubles at k = 2^31 - 1 is more than any heap.
        Maxout largest = Activations.maxout(Integer.MAX_VALUE);
        float[] out = new float[0];
        float[] mask = new float[0];

        largest.apply(new float[0], out);
        largest.applyWithDerivative(new float[0], out, mask);

        assertThat(out).isEmpty();
        assertThat(mask).isEmpty();
    }

    @Test
    void floatFormsKeepEveryGroupsMaximumNaNAndSignOfZero() {
        Maxout maxoutOfThree = Activations.maxout(3);
        float nan = Float.intBitsToFloat(0x7fc00123);
        float[] in = {-0.0f, -0.0f, -1f, 2f, 7f, 7f, 1f, nan, 9f, -3e38f, -1e-45f, -3e-45f};
        float[] out = new float[4];
        float[] mask = new float[12];

        maxoutOfThree.applyWithDerivative(in, out, mask);

        assertThat(Float.floatToRawIntBits(out[0])).isZero();
        assertThat(out[1]).isEqualTo(7f);
        assertThat(Float.floatToRawIntBits(out[2])).isEqualTo(0x7fc00123);
        assertThat(out[3]).isEqualTo(-1e-45f);
        assertThat(mask)
                .containsExactly(
                        1f, 0f, 0f, 0f, 1f, 0f, Float.NaN, Float.NaN, Float.NaN, 0f, 1f, 0f);
    }

    @Test
    void outputLengthIsInputLengthOverK() {
        assertThat(maxoutOfTwo.outputLength(8)).isEqualTo(4);
        assertThat(maxoutOfTwo.outputLength(0)).isZero();
    }

    @Test
    void rejectsALengthThatIsNotAMultipleOfK() {
        assertThatThrownBy(() -> maxoutOfTwo.outputLength(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "maxout(k=2) needs an input length that is a non-negative multiple of 2,"
                                + " got 3");
        assertThatThrownBy(() -> maxoutOfTwo.outputLength(-2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "maxout(k=2) needs an input length that is a non-negative multiple of 2,"
                                + " got -2");
        assertThatThrownBy(() -> maxoutOfTwo.apply(new double[3], new double[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "maxout(k=2) needs an input length that is a non-negative multiple of 2,"
                                + " got 3");
    }

    @Test
    void rejectsOutputArraysOfTheWrongLength() {
        // Four inputs in groups of two give two outputs.
        String message =
                "Output array has length 4 but maxout(k=2) of 4 inputs gives 2 outputs; they must"
                        + " be equal";
        assertThatThrownBy(() -> maxoutOfTwo.apply(new double[4], new double[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> maxoutOfTwo.apply(new float[4], new float[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsGroupsSmallerThanTwo() {
        assertThatThrownBy(() -> Activations.maxout(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid activation parameter k=1: must be an integer >= 2");
    }

    @Test
    void specRoundTrips() {
        assertThat(maxoutOfTwo.spec()).isEqualTo("maxout(k=2)");
        assertThat(Activations.parseVector("maxout(k=2)")).isEqualTo(maxoutOfTwo);
        assertThat(Activations.parseVector(" MAXOUT( k = 4 ) ")).isEqualTo(Activations.maxout(4));
    }

    @Test
    void theDerivativesMayBeWrittenOverTheInputsButTheOutputsMayNot() {
        Maxout maxout = Activations.maxout(2);
        // Groups (1, 3), (2, 2) and (NaN, 0): maxima 3, 2 (a tie, to the lower index) and NaN.
        double[] values = {1, 3, 2, 2, Double.NaN, 0};
        double[] out = new double[3];
        maxout.applyWithDerivative(values, out, values);
        assertThat(out).containsExactly(3, 2, Double.NaN);
        assertThat(values).containsExactly(0, 1, 1, 0, Double.NaN, Double.NaN);

        float[] floats = {1, 3, 2, 2, Float.NaN, 0};
        float[] floatOut = new float[3];
        maxout.applyWithDerivative(floats, floatOut, floats);
        assertThat(floatOut).containsExactly(3, 2, Float.NaN);
        assertThat(floats).containsExactly(0, 1, 1, 0, Float.NaN, Float.NaN);

        assertThatThrownBy(() -> maxout.apply(values, values))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Output array has length 6 but maxout(k=2) of 6 inputs gives 3 outputs;"
                                + " they must be equal");
    }
}
