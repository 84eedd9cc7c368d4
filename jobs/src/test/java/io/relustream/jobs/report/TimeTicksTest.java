package io.relustream.jobs.report;

import org.junit.jupiter.api.Test;

import java.awt.Graphics2D;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TimeTicksTest {

    @Test
    void anAxisSpanningYearsHasATickEveryFewNewYearsDays() {
        Graphics2D g = Charts.graphics(Charts.canvas(1200, 700));
        g.setFont(Charts.TICK_FONT);
        long from = Instant.parse("2001-01-01T00:01:00Z").toEpochMilli();
        long to = Instant.parse("2025-06-01T00:02:00Z").toEpochMilli();

        // 896 pixels: a label "2002" is about 30 wide, 28 apart; every year (2002 to 2025, 24
        // labels) needs about 1400 pixels, every second year (12) about 700.
        TimeTicks ticks = TimeTicks.fitting(from, to, 896, g);

        assertThat(ticks.labels())
                .containsExactly(
                        "2002", "2004", "2006", "2008", "2010", "2012", "2014", "2016", "2018",
                        "2020", "2022", "2024");
        assertThat(ticks.times().get(0))
                .isEqualTo(Instant.parse("2002-01-01T00:00:00Z").toEpochMilli());
        assertThat(ticks.times().get(11))
                .isEqualTo(Instant.parse("2024-01-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void centuriesGetRoundStepsOfYears() {
        Graphics2D g = Charts.graphics(Charts.canvas(1200, 700));
        g.setFont(Charts.TICK_FONT);
        long from = Instant.parse("1900-06-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2100-06-01T00:00:00Z").toEpochMilli();

        // 200 years in 400 pixels: every 20 years would be 10 labels of about 58 pixels (580),
        // every 50 years 4 (1950, 2000, 2050, 2100).
        TimeTicks ticks = TimeTicks.fitting(from, to, 400, g);

        assertThat(ticks.labels()).containsExactly("1950", "2000", "2050", "2100");
    }

    @Test
    void aNarrowAxisGetsOneTickRatherThanNone() {
        Graphics2D g = Charts.graphics(Charts.canvas(400, 400));
        g.setFont(Charts.TICK_FONT);
        long from = Instant.parse("2025-03-01T09:46:00Z").toEpochMilli();
        long to = Instant.parse("2025-03-02T00:07:00Z").toEpochMilli();

        // 96 pixels (a 400-pixel chart): every 12 hours gives two labels "03-01 12:00" and
        // "03-02 00:00", about 73 wide each, too many; every day one, "2025-03-02", about 70
        // wide with its gap of 28 just over 96; every two days none.
        TimeTicks ticks = TimeTicks.fitting(from, to, 96, g);

        assertThat(ticks.labels()).containsExactly("2025-03-02");
        assertThat(ticks.times())
                .containsExactly(Instant.parse("2025-03-02T00:00:00Z").toEpochMilli());
    }

    @Test
    void anAxisOfMillisecondWindowsHasMillisecondTicks() {
        Graphics2D g = Charts.graphics(Charts.canvas(1200, 700));
        g.setFont(Charts.TICK_FONT);
        // Ten windows of 1 ms: their ends 10:00:00.001 to 10:00:00.010.
        long from = Instant.parse("2026-11-27T10:00:00.001Z").toEpochMilli();
        long to = Instant.parse("2026-11-27T10:00:00.010Z").toEpochMilli();

        // 896 pixels: a label "10:00:00.002" is about 72 wide, 28 apart; every millisecond (10
        // labels) needs about 1000 pixels, every 2 ms (5) about 500.
        TimeTicks ticks = TimeTicks.fitting(from, to, 896, g);

        assertThat(ticks.labels())
                .containsExactly(
                        "10:00:00.002",
                        "10:00:00.004",
                        "10:00:00.006",
                        "10:00:00.008",
                        "10:00:00.010");
        assertThat(ticks.times()).containsExactly(from + 1, from + 3, from + 5, from + 7, to);
    }

    @Test
    void subtitlesShowMillisecondsWhenAnEndIsWithinASecond() {
        long start = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

        assertThat(TimeTicks.span(start + 1, start + 10))
                .isEqualTo("2026-11-27 10:00:00.001 to 2026-11-27 10:00:00.010");
        assertThat(TimeTicks.span(start, start + 1_500))
                .isEqualTo("2026-11-27 10:00:00.000 to 2026-11-27 10:00:01.500");
        assertThat(TimeTicks.span(start, start + 10_000))
                .isEqualTo("2026-11-27 10:00:00 to 2026-11-27 10:00:10");
    }

    @Test
    void theYear10000IsLabelledWithoutASign() {
        Graphics2D g = Charts.graphics(Charts.canvas(1200, 700));
        g.setFont(Charts.TICK_FONT);
        // A chart of windows from 1970 to the last of 9999 pads its axis into the year 10000.
        long from = Instant.parse("1969-06-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("+10000-06-01T00:00:00Z").toEpochMilli();

        // 896 pixels: every 1000 years, 9 labels of about 36 pixels with their gaps of 28.
        TimeTicks ticks = TimeTicks.fitting(from, to, 896, g);

        assertThat(ticks.labels())
                .containsExactly(
                        "2000", "3000", "4000", "5000", "6000", "7000", "8000", "9000", "10000");
    }
}
