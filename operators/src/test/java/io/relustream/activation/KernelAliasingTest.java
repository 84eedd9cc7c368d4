package io.relustream.activation;

import io.relustream.testing.ChildJvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * In place: the input array may also be the output, the derivatives, or both in turn, as a user
 * activating a buffer in place expects; one array for both results is refused.
 */
class KernelAliasingTest {

    @Test
    void theInputMayBeTheOutputOrTheDerivativesWithTheLoopsOfThisJvm() {
        assertThat(KernelAliasingProbe.mismatches()).isEmpty();
    }

    @Test
    void theInputMayBeTheOutputOrTheDerivativesWithThePlainLoops() throws Exception {
        ChildJvm result =
                ChildJvm.run(
                        List.of("--add-modules=jdk.incubator.vector", "-Drelustream.simd=false"),
                        KernelAliasingProbe.class);

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("mismatches: none");
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "leaky_relu(alpha=0.1)", "relu6", "thresholded_relu(theta=1)"})
    void refusesOneArrayForBothTheOutputAndTheDerivatives(String spec) {
        Activation activation = Activations.parse(spec);
        double[] in = {-1.0, 2.0, 3.0, 4.0, 5.0};
        double[] both = new double[5];
        float[] floatBoth = new float[5];
        String message =
                "The output and the derivative arrays are the same array: the derivatives would"
                        + " overwrite the outputs; give each its own (either may be the input)";

        assertThatThrownBy(() -> activation.applyWithDerivative(in, both, both))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> activation.applyWithDerivative(new float[5], floatBoth, floatBoth))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThat(both).containsOnly(0.0);
    }
}
