package io.relustream.simd;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        Result result = probe(false, null);

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output)
                .contains("enabled=false")
                .contains("describe=plain loops (start the JVM with --add-modules")
                .contains("relu=" + RELU)
                .contains("derivative=" + DERIVATIVE);
    }

    @Test
    void withTheModuleTheVectorLoopsGiveTheSameValues() throws Exception {
        Result result = probe(true, null);

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output)
                .contains("enabled=" + VectorApiLoops.hardwareFits())
                .contains("relu=" + RELU)
                .contains("derivative=" + DERIVATIVE);
    }

    @Test
    void theSwitchTurnsThemOff() throws Exception {
        Result result = probe(true, "false");

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output)
                .contains("enabled=false")
                .contains("describe=plain loops (-Drelustream.simd=false)")
                .contains("relu=" + RELU);
    }

    @Test
    void aBadSwitchValueFailsNamingThePropertyAndWhatIsAllowed() throws Exception {
        Result result = probe(true, "fast");

        assertThat(result.exitCode).isNotZero();
        assertThat(result.output)
                .contains("Invalid system property relustream.simd=fast: must be true or false");
    }

    private static Result probe(boolean withModule, String simdSetting)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (withModule) {
            command.add("--add-modules=jdk.incubator.vector");
        }
        if (simdSetting != null) {
            command.add("-D" + SimdLoops.PROPERTY + "=" + simdSetting);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SimdProbe.class.getName());
        command.addAll(List.of(INPUTS));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static final class Result {
        final int exitCode;
        final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }
}
