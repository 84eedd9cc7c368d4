package io.relustream.activation;

import io.relustream.testing.ChildJvm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract's formulas, written out in {@link ContractOracleProbe}, against every rectifier path
 * over odd parameters and edge inputs, with each kind of loop a TaskManager may run.
 */
class ContractOracleTest {

    @Test
    void everyPathMatchesTheContractWithTheLoopsOfThisJvm() {
        assertThat(ContractOracleProbe.mismatches()).isEmpty();
    }

    @Test
    void everyPathMatchesTheContractWithTheLoopsSwitchedOff() throws Exception {
        ChildJvm result =
                ChildJvm.run(
                        List.of("--add-modules=jdk.incubator.vector", "-Drelustream.simd=false"),
                        ContractOracleProbe.class);

        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("mismatches: none");
    }
}
