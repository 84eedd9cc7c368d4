package io.relustream.jobs.local;

import io.relustream.avro.ActivationStats;

import org.junit.jupiter.api.Test;

import java.time.Instant;
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
}
