package io.relustream.jobs.options;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "0, 0",
        "0ms, 0",
        "0s, 0",
        "0m, 0",
        "0h, 0",
        "1ms, 1",
        "500ms, 500",
        "1500ms, 1500",
        "10s, 10000",
        "5m, 300000",
        "2h, 7200000",
        "90m, 5400000",
        "007s, 7000",
        "' 10s ', 10000",
        "9223372036854775807ms, 9223372036854775807"
    })
    void parsesWholeNumbersWithAUnit(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(
            strings = {
                "", " ", "10", "10x", "s", "-1s", "+1s", "1.5s", "10 s", "10S", "10sec", "1d",
                "PT10S", "1h30m", "1e3ms", "0x10s"
            })
    void rejectsEverythingElseNamingTheTextAndTheForms(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "'"
                                + text
                                + "' is not a duration; use a whole number and a unit: 500ms,"
                                + " 10s, 5m, 2h");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Durations.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "'null' is not a duration; use a whole number and a unit: 500ms, 10s, 5m,"
                                + " 2h");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(
            strings = {
                "9223372036854775808ms",
                "9223372036854776s",
                "153722867280913m",
                "2562047788016h",
                "1000000000000000000000000000000m"
            })
    void rejectsDurationsLongerThanALongOfMilliseconds(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "'"
                                + text
                                + "' is too long; the longest duration is 9223372036854775807ms");
    }

    @ParameterizedTest(name = "{0} ms = {1}")
    @CsvSource({
        "0, 0s",
        "1, 1ms",
        "999, 999ms",
        "1000, 1s",
        "1500, 1500ms",
        "10000, 10s",
        "59000, 59s",
        "60000, 1m",
        "61000, 61s",
        "300000, 5m",
        "3600000, 1h",
        "5400000, 90m",
        "7200000, 2h",
        "86400000, 24h",
        "9223372036854775807, 9223372036854775807ms"
    })
    void formatsInTheLargestExactUnit(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} ms")
    @ValueSource(longs = {0, 1, 999, 1000, 1500, 60000, 61000, 3600000, 3601000, 86400000})
    void formatReadsBackToTheSameDuration(long millis) {
        Duration duration = Duration.ofMillis(millis);

        assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
    }

    @Test
    void formatRejectsNegativeDurations() {
        assertThatThrownBy(() -> Durations.format(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot write PT-1S as a duration option: it must be a whole, non-negative"
                                + " number of milliseconds");
    }

    @Test
    void formatRejectsFractionsOfAMillisecond() {
        assertThatThrownBy(() -> Durations.format(Duration.ofNanos(1_500_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot write PT0.0015S as a duration option: it must be a whole,"
                                + " non-negative number of milliseconds");
    }

    @Test
    void formatRejectsDurationsLongerThanALongOfMilliseconds() {
        assertThatThrownBy(() -> Durations.format(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot write PT2562047788015215H30M7S as a duration option: it is longer"
                                + " than 9223372036854775807ms");
    }

    @Test
    void aDeadlineIsTheTimeoutFromNow() {
        long before = System.nanoTime();
        long deadline = Durations.deadlineNanos(Duration.ofSeconds(10));
        long after = System.nanoTime();

        assertThat(deadline - before).isBetween(10_000_000_000L, 10_000_000_000L + after - before);
    }

    @Test
    void theDeadlineOfTheLongestTimeoutIsCappedAndDoesNotOverflow() {
        // Long.MAX_VALUE ms is about 292 million years, far more nanoseconds than a long holds;
        // the cap, Long.MAX_VALUE / 4 ns, is about 73 years.
        long cap = Long.MAX_VALUE / 4;
        for (Duration timeout :
                new Duration[] {
                    Duration.ofMillis(Long.MAX_VALUE),
                    Duration.ofNanos(cap),
                    Duration.ofNanos(cap + 1)
                }) {
            long before = System.nanoTime();
            long deadline = Durations.deadlineNanos(timeout);
            long after = System.nanoTime();

            assertThat(deadline - before)
                    .as(timeout.toString())
                    .isBetween(cap, cap + after - before);
        }
    }
}
