package io.relustream.sql;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class WrittenValuesTest {

    @Test
    void readsEachLiteralAsWrittenAndFollowsAChangeOfLiteral() {
        WrittenValues values = new WrittenValues();

        // The float 0.3f is 0.30000001192092896 as a double; written, it is 0.3.
        assertThat(values.of(0.3f)).isEqualTo(0.3);
        assertThat(values.of(0.3f)).isEqualTo(0.3);
        assertThat(values.of(new BigDecimal("0.25"))).isEqualTo(0.25);
        assertThat(values.of(1e-7f)).isEqualTo(1e-7);
        assertThat(values.of(0.5)).isEqualTo(0.5);
        assertThat(values.of(0.3f)).isEqualTo(0.3);
    }
}
