package io.relustream.jobs.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TicksTest {

    @Test
    void picksTheSmallestRoundStepThatKeepsTheCount() {
        Ticks ticks = Ticks.between(-0.3, 6.3, 8);

        assertThat(ticks.step()).isEqualTo(1.0);
        assertThat(ticks.values()).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        assertThat(ticks.labels()).containsExactly("0", "1", "2", "3", "4", "5", "6");
    }

    @Test
    void labelsDecimalsAsTyped() {
        Ticks ticks = Ticks.between(0, 1, 10);

        assertThat(ticks.step()).isEqualTo(0.1);
        assertThat(ticks.labels())
                .containsExactly(
                        "0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1");
        assertThat(ticks.values().get(3)).isEqualTo(0.3);
    }

    @Test
    void usesStepsOfTwoAndFive() {
        assertThat(Ticks.between(-8, 8, 13).labels())
                .isEqualTo(List.of("-8", "-6", "-4", "-2", "0", "2", "4", "6", "8"));
        assertThat(Ticks.between(-0.93, 6.33, 15).labels())
                .isEqualTo(
                        List.of(
                                "-0.5", "0", "0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5",
                                "5", "5.5", "6"));
    }

    @Test
    void writesVeryLargeAndSmallValuesInScientificForm() {
        assertThat(Ticks.between(0, 5e9, 5).labels())
                .containsExactly("0", "1E+9", "2E+9", "3E+9", "4E+9", "5E+9");
        assertThat(Ticks.between(0, 2e-5, 2).labels()).containsExactly("0", "0.00001", "0.00002");
    }

    @Test
    void rejectsAnEmptyRange() {
        assertThatThrownBy(() -> Ticks.between(1, 1, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("No ticks between 1.0 and 1.0 with at most 5");
    }
}
