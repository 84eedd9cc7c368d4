package io.relustream.jobs.local;

import io.relustream.avro.ActivationStats;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatsTableTest {

    private static ActivationStats.Builder window() {
        return ActivationStats.newBuilder()
                .setGroup("layer-0")
                .setWindowStart(Instant.parse("2026-11-27T10:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-27T10:00:05Z"))
                .setActivation("relu")
                .setRecordCount(4)
                .setValueCount(8)
                .setZeroCount(3)
                .setZeroFraction(0.375)
                .setNanCount(1)
                .setPosInfCount(0)
                .setNegInfCount(2)
                .setNegativeInputFraction(0.5)
                .setPerFeatureZeroFraction(List.of(0.5, 0.25))
                .setDeadFeatures(List.of(1, 3));
    }

    @Test
    void printsOrdinaryMagnitudesWithThreeDecimals() {
        ActivationStats stats =
                window().setMin(0.0)
                        .setMax(99999.5)
                        .setMean(1.25)
                        .setStddev(0.001)
                        .setP50(-2.5)
                        .setP90(12.0)
                        .setP99(-0.0015)
                        .build();

        assertThat(StatsTable.row(stats).split(" +"))
                .containsExactly(
                        "10:00:00-10:00:05",
                        "layer-0",
                        "4",
                        "8",
                        "37.5",
                        "1",
                        "0",
                        "2",
                        "50.0",
                        "0.000",
                        "99999.500",
                        "1.250",
                        "0.001",
                        "-2.500",
                        "12.000",
                        "-0.002",
                        "[1,",
                        "3]");
    }

    @Test
    void printsHugeTinyAndMissingValuesInPowersOfTen() {
        ActivationStats stats =
                window().setZeroFraction(null)
                        .setMin(-1e300)
                        .setMax(Double.POSITIVE_INFINITY)
                        .setMean(1e5)
                        .setStddev(4.2e-4)
                        .setP50(Double.MIN_VALUE)
                        .setP90(null)
                        .setP99(Double.NaN)
                        .setDeadFeatures(List.of())
                        .build();

        assertThat(StatsTable.row(stats).split(" +"))
                .containsExactly(
                        "10:00:00-10:00:05",
                        "layer-0",
                        "4",
                        "8",
                        "-",
                        "1",
                        "0",
                        "2",
                        "50.0",
                        "-1.00e+300",
                        "Infinity",
                        "1.00e+05",
                        "4.20e-04",
                        "4.90e-324",
                        "-",
                        "NaN",
                        "none");
    }

    @Test
    void aValueThatRoundsUpToTenToTheFifthIsInPowersOfTenToo() {
        // "%.3f" would print 100000.000: a sixth integer digit where the rest of the column has
        // five.
        ActivationStats stats =
                window().setMin(-99999.9996)
                        .setMax(99999.9996)
                        .setMean(99999.9994)
                        .setStddev(0.0)
                        .setP50(0.0)
                        .setP90(0.0)
                        .setP99(0.0)
                        .build();

        // The seven statistics, min to p99, after the window's nine columns of counts.
        assertThat(Arrays.copyOfRange(StatsTable.row(stats).split(" +"), 9, 16))
                .containsExactly(
                        "-1.00e+05", "1.00e+05", "99999.999", "0.000", "0.000", "0.000", "0.000");
    }

    private static String[] columns(ActivationStats.Builder stats) {
        return StatsTable.row(
                        stats.setMin(0.0)
                                .setMax(1.0)
                                .setMean(0.5)
                                .setStddev(0.5)
                                .setP50(0.0)
                                .setP90(1.0)
                                .setP99(1.0)
                                .build())
                .split(" +");
    }

    @Test
    void showsAllAndNoneOnlyWhenExact() {
        // 1999 zeros of 2000 values: 99.95%, which rounds to 100.0 but is not every value;
        // 1 of 4000 inputs below the threshold: 0.025%, which rounds to 0.0 but is not none.
        String[] nearlyAll =
                columns(
                        window().setValueCount(2000)
                                .setZeroCount(1999)
                                .setZeroFraction(1999 / 2000.0)
                                .setNegativeInputFraction(1 / 4000.0));
        assertThat(nearlyAll[4]).isEqualTo(">99.9");
        assertThat(nearlyAll[8]).isEqualTo("<0.1");

        // 1998 of 2000: 99.9%; 3 of 2000: 0.15%, printed 0.1 (or 0.2) as any other share.
        String[] near =
                columns(
                        window().setValueCount(2000)
                                .setZeroCount(1998)
                                .setZeroFraction(1998 / 2000.0)
                                .setNegativeInputFraction(3 / 2000.0));
        assertThat(near[4]).isEqualTo("99.9");
        assertThat(near[8]).isIn("0.1", "0.2");

        String[] exact =
                columns(
                        window().setValueCount(2000)
                                .setZeroCount(2000)
                                .setZeroFraction(1.0)
                                .setNegativeInputFraction(0.0));
        assertThat(exact[4]).isEqualTo("100.0");
        assertThat(exact[8]).isEqualTo("0.0");
    }

    @Test
    void showsMillisecondsAndDatesWhereTimesAloneWouldNotTellTheWindow() {
        // A window of 1 ms: seconds alone would print 10:00:00-10:00:00.
        assertThat(
                        columns(
                                window().setWindowStart(Instant.parse("2026-11-27T10:00:00Z"))
                                        .setWindowEnd(Instant.parse("2026-11-27T10:00:00.001Z")))[
                                0])
                .isEqualTo("10:00:00.000-10:00:00.001");
        // 1.5 s windows: every one has a bound within a second.
        assertThat(
                        columns(
                                window().setWindowStart(Instant.parse("2026-11-27T10:00:01.500Z"))
                                        .setWindowEnd(Instant.parse("2026-11-27T10:00:03Z")))[0])
                .isEqualTo("10:00:01.500-10:00:03.000");
        // A day: times alone would print 00:00:00-00:00:00.
        assertThat(
                        columns(
                                window().setWindowStart(Instant.parse("2026-12-31T00:00:00Z"))
                                        .setWindowEnd(Instant.parse("2027-01-01T00:00:00Z")))[0])
                .isEqualTo("2026-12-31T00:00:00-2027-01-01T00:00:00");
        // Under a day, a window across midnight needs no date: 23:00:00-00:00:00 is one hour.
        assertThat(
                        columns(
                                window().setWindowStart(Instant.parse("2026-11-27T23:00:00Z"))
                                        .setWindowEnd(Instant.parse("2026-11-28T00:00:00Z")))[0])
                .isEqualTo("23:00:00-00:00:00");
    }

    @Test
    void theHeaderOfWiderWindowsLinesUpWithTheirRows() {
        ActivationStats stats =
                window().setWindowStart(Instant.parse("2026-11-27T10:00:00Z"))
                        .setWindowEnd(Instant.parse("2026-11-27T10:00:00.001Z"))
                        .setMin(0.0)
                        .setMax(1.0)
                        .setMean(0.5)
                        .setStddev(0.5)
                        .setP50(0.0)
                        .setP90(1.0)
                        .setP99(1.0)
                        .build();

        String header = StatsTable.header(stats);
        String row = StatsTable.row(stats);

        // "10:00:00.000-10:00:00.001" is 25 characters, then two spaces: the group at 27.
        assertThat(header.indexOf("group")).isEqualTo(27);
        assertThat(row.indexOf("layer-0")).isEqualTo(27);
        assertThat(header.indexOf("dead features")).isEqualTo(row.indexOf("[1, 3]"));
        // Windows of whole seconds keep the narrow column.
        assertThat(StatsTable.header(window().build()).indexOf("group")).isEqualTo(19);
        assertThat(StatsTable.header()).isEqualTo(StatsTable.header(window().build()));
    }
}
