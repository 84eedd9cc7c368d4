package io.relustream.simd;

import io.relustream.testing.ChildJvm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vector API is optional: a JVM without the incubator module (or with the loops switched off)
 * computes the same values with the plain loops, and a bad switch value fails naming the property.
 */
class SimdFallbackTest {

    private static final String[] INPUTS = {
        "-1.5", "-0.0", "0.0", "2.5", "NaN", "Infinity", "-Infinity", "3.0", "-2.0", "4.9E-324"
    };
    private static final String RELU = "0.0,0.0,0.0,2.5,NaN,Infinity,0.0,3.0,0.0,4.9E-324";
    private static final String DERIVATIVE = "0.0,0.0,0.0,1.0,NaN,1.0,0.0,1.0,0.0,1.0";

    @Test
    void withoutTheModuleThePlainLoopsGiveTheSameValues() throws Exception {
        ChildJvm result = probe(false, null);

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output)
                .contains("enabled=false")
                .contains("describe=plain loops (start the JVM with --add-modules")
                .contains("relu=" + RELU)
                .contains("derivative=" + DERIVATIVE);
    }

    @Test
    void withTheModuleTheVectorLoopsGiveTheSameValues() throws Exception {
        ChildJvm result = probe(true, null);

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output)
                .contains("enabled=" + VectorApiLoops.hardwareFits())
                .contains("relu=" + RELU)
                .contains("derivative=" + DERIVATIVE);
    }

    @Test
    void theSwitchTurnsThemOff() throws Exception {
        ChildJvm result = probe(true, "false");

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output)
                .contains("enabled=false")
                .contains("describe=plain loops (-Drelustream.simd=false)")
                .contains("relu=" + RELU);
    }

    @Test
    void aBadSwitchValueFailsNamingThePropertyAndWhatIsAllowed() throws Exception {
        ChildJvm result = probe(true, "fast");

        // The exception leaves main uncaught: the JVM's status 1, and nothing computed.
        assertThat(result.exitCode).as(result.output).isEqualTo(1);
        assertThat(result.output)
                .contains("Invalid system property relustream.simd=fast: must be true or false")
                .doesNotContain("enabled=")
                .doesNotContain("relu=");
    }

    private static ChildJvm probe(boolean withModule, String simdSetting) throws Exception {
        List<String> options = new ArrayList<>();
        if (withModule) {
            options.add("--add-modules=jdk.incubator.vector");
        }
        if (simdSetting != null) {
            options.add("-D" + SimdLoops.PROPERTY + "=" + simdSetting);
        }
        return ChildJvm.run(options, SimdProbe.class, INPUTS);
    }
}
