package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;
import io.relustream.jobs.report.ReportFixtures.Run;

import org.apache.avro.Schema;
import org.apache.avro.file.Codec;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.relustream.jobs.report.ReportFixtures.BLUE;
import static io.relustream.jobs.report.ReportFixtures.DEAD;
import static io.relustream.jobs.report.ReportFixtures.GREEN;
import static io.relustream.jobs.report.ReportFixtures.NO_DATA;
import static io.relustream.jobs.report.ReportFixtures.ORANGE;
import static io.relustream.jobs.report.ReportFixtures.VIRIDIS_0;
import static io.relustream.jobs.report.ReportFixtures.VIRIDIS_7_8;
import static io.relustream.jobs.report.ReportFixtures.VIRIDIS_HALF;
import static io.relustream.jobs.report.ReportFixtures.WHITE;
import static io.relustream.jobs.report.ReportFixtures.WINDOWS;
import static io.relustream.jobs.report.ReportFixtures.pixel;
import static io.relustream.jobs.report.ReportFixtures.png;
import static io.relustream.jobs.report.ReportFixtures.rowsOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report drawn from an exported file. The expected pixel places follow from the documented
 * layout: for the line chart, the plot area's inner box runs from x 98 to {@code width - 234} and y
 * 90 to {@code height - 78}; for the heatmap, cells run from x 84 to {@code width - 170}, panels
 * from y 76 to {@code height - 64}, 10 pixels apart, each with a 22-pixel label band on top.
 */
class ReportCommandTest {

    @TempDir Path dir;

    @Test
    void drawsBothImagesOfAnExportedFile() throws IOException {
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));
        Path out = dir.resolve("images");

        Run run = report("--input", input.toString(), "--output-dir", out.toString());

        assertThat(run.status).isZero();
        assertThat(run.err).isEmpty();
        assertThat(run.out)
                .isEqualTo(
                        lines(
                                "Read 19 ActivationStats record(s) from file " + input + ".",
                                "1 re-fired window(s) superseded by the record read later.",
                                "Wrote " + out.resolve("zero-fraction.png") + " (1200x700).",
                                "Wrote " + out.resolve("feature-heatmap.png") + " (1200x700)."));
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("zero-fraction.png", "feature-heatmap.png");
        }
        BufferedImage chart = png(out.resolve("zero-fraction.png"));
        BufferedImage heatmap = png(out.resolve("feature-heatmap.png"));
        assertThat(chart.getWidth()).isEqualTo(1200);
        assertThat(chart.getHeight()).isEqualTo(700);
        assertThat(heatmap.getWidth()).isEqualTo(1200);
        assertThat(heatmap.getHeight()).isEqualTo(700);
    }

    @Test
    void zeroFractionChartDrawsEveryWindowInItsGroupsColour() throws IOException {
        BufferedImage chart = zeroFractionChart(1200, 700);

        for (int w = 0; w < WINDOWS; w++) {
            double x = chartX(w, 1200);
            assertThat(pixel(chart, x, chartY(ReportFixtures.layer0ZeroFraction(w), 700)))
                    .as("layer-0, window %d", w)
                    .isEqualTo(BLUE);
            assertThat(pixel(chart, x, chartY(0.8, 700)))
                    .as("layer-1, window %d", w)
                    .isEqualTo(ORANGE);
            assertThat(pixel(chart, x, chartY(w == WINDOWS - 1 ? 0.25 : 0.45, 700)))
                    .as("layer-2, window %d", w)
                    .isEqualTo(GREEN);
        }
        // Between two windows the line runs on: halfway from 0.1 to 0.2 at 0.15.
        assertThat(pixel(chart, (chartX(0, 1200) + chartX(1, 1200)) / 2, chartY(0.15, 700)))
                .isEqualTo(BLUE);
        assertThat(pixel(chart, 0, 0)).isEqualTo(WHITE);
        assertThat(pixel(chart, 1199, 699)).isEqualTo(WHITE);
        // Inside the plot area, away from every line: the background.
        assertThat(pixel(chart, chartX(0, 1200) + 40, chartY(0.95, 700))).isEqualTo(WHITE);
    }

    @Test
    void everyGroupBeyondTheTenthGetsAColourOfItsOwn() throws IOException {
        // Twelve groups at shares 1/13 to 12/13, 42 pixels apart at the default height.
        List<ActivationStats> records = new ArrayList<>();
        for (int group = 0; group < 12; group++) {
            for (int w = 0; w < WINDOWS; w++) {
                records.add(
                        ReportFixtures.stats(
                                String.format("g-%02d", group), w, (group + 1) / 13.0, 0.5));
            }
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("twelve.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage chart = png(dir.resolve("zero-fraction.png"));
        List<java.awt.Color> colours = new ArrayList<>();
        for (int group = 0; group < 12; group++) {
            colours.add(pixel(chart, chartX(3, 1200), chartY((group + 1) / 13.0, 700)));
        }
        // Tableau's ten, then two more, each unlike every other and unlike the background.
        assertThat(colours.subList(0, 3)).containsExactly(BLUE, ORANGE, GREEN);
        assertThat(colours.get(9)).isEqualTo(new java.awt.Color(23, 190, 207));
        assertThat(colours).doesNotHaveDuplicates().doesNotContain(WHITE);
    }

    @Test
    void theLaterRecordOfAReFiredWindowWins() throws IOException {
        BufferedImage chart = zeroFractionChart(1200, 700);
        BufferedImage heatmap = heatmap(1200, 700);

        // layer-1's window 2 fired first with 0.3, then with 0.8.
        assertThat(pixel(chart, chartX(2, 1200), chartY(0.8, 700))).isEqualTo(ORANGE);
        assertThat(pixel(chart, chartX(2, 1200), chartY(0.3, 700))).isNotEqualTo(ORANGE);
        // ... and first with no zeros in any feature, then with features 0 and 1 dead.
        assertThat(pixel(heatmap, cellX(2, 1200), cellY(1, 3, 0, 4, 700))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, cellX(2, 1200), cellY(1, 3, 1, 4, 700))).isEqualTo(DEAD);
    }

    @Test
    void windowsOfTwoLengthsInOneGroupAreTwoSeriesThatReplaceNothing() throws IOException {
        // Two jobs writing one topic: layer-0 in 10-second windows (ends 10 s to 60 s, zero
        // fraction 0.1 to 0.6) and in 20-second windows (ends 20, 40 and 60 s, 0.7 each), whose
        // starts are those of the 10-second windows 0, 2 and 4.
        List<ActivationStats> records = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            records.add(
                    ReportFixtures.stats(
                            "layer-0",
                            w,
                            ReportFixtures.layer0ZeroFraction(w),
                            0.0,
                            1.0,
                            0.5,
                            0.25));
            if (w % 2 == 0) {
                ActivationStats twenty = ReportFixtures.stats("layer-0", w, 0.7, 0.0, 1.0);
                twenty.setWindowEnd(twenty.getWindowStart().plusSeconds(20));
                records.add(twenty);
            }
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("lengths.avro"));
        Path out = dir.resolve("lengths");

        Run run = report("--input", input.toString(), "--output-dir", out.toString());

        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out)
                .isEqualTo(
                        lines(
                                "Read 9 ActivationStats record(s) from file " + input + ".",
                                "Wrote " + out.resolve("zero-fraction.png") + " (1200x700).",
                                "Wrote " + out.resolve("feature-heatmap.png") + " (1200x700)."));
        BufferedImage chart = png(out.resolve("zero-fraction.png"));
        for (int w = 0; w < WINDOWS; w++) {
            assertThat(
                            pixel(
                                    chart,
                                    chartX(w, 1200),
                                    chartY(ReportFixtures.layer0ZeroFraction(w), 700)))
                    .as("10-second window %d", w)
                    .isEqualTo(BLUE);
        }
        for (int w = 1; w < WINDOWS; w += 2) {
            assertThat(pixel(chart, chartX(w, 1200), chartY(0.7, 700)))
                    .as("20-second window ending with 10-second window %d", w)
                    .isEqualTo(ORANGE);
        }
        // Consecutive 20-second windows are 20 s apart: one line, no gap between them.
        assertThat(pixel(chart, chartX(2, 1200), chartY(0.7, 700))).isEqualTo(ORANGE);
        // The subtitles count 9 windows (6 of 10 s, 3 of 20 s), not the 6 times they end at.
        assertThat(StatsSeries.of(records).windowCount()).isEqualTo(9);

        // One panel each: the 20-second windows span two 10-second columns.
        BufferedImage heatmap = png(out.resolve("feature-heatmap.png"));
        for (int w = 0; w < WINDOWS; w++) {
            assertThat(pixel(heatmap, cellX(w, 1200), cellY(0, 2, 1, 4, 700))).isEqualTo(DEAD);
            assertThat(pixel(heatmap, cellX(w, 1200), cellY(0, 2, 2, 4, 700)))
                    .isEqualTo(VIRIDIS_HALF);
            assertThat(pixel(heatmap, cellX(w, 1200), cellY(1, 2, 0, 2, 700)))
                    .as("20-second panel, feature 0, column %d", w)
                    .isEqualTo(VIRIDIS_0);
            assertThat(pixel(heatmap, cellX(w, 1200), cellY(1, 2, 1, 2, 700)))
                    .as("20-second panel, feature 1, column %d", w)
                    .isEqualTo(DEAD);
        }
    }

    @Test
    void heatmapTimeAxisStartsWithTheFirstColumnOfEveryPanel() throws IOException {
        // A job of 1-minute windows (two, from 10:00:00 to 10:02:00), then one of 10-second
        // windows (six, from 10:05:00 to 10:06:00) on the same topic: the first column is the
        // first 1-minute window's, from 10:00:00, 70 s before the first 10-second window's.
        List<ActivationStats> records = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            ActivationStats minute =
                    ReportFixtures.stats("g", 6 * m, 0.5, m == 0 ? 1.0 : 0.0, m == 0 ? 0.0 : 1.0);
            minute.setWindowEnd(minute.getWindowStart().plusSeconds(60));
            records.add(minute);
        }
        for (int w = 30; w < 36; w++) {
            records.add(ReportFixtures.stats("g", w, 0.5, 0.5, 1.0));
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("switched.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        // 360 s from x 84 to 1030; the 10-second panel first, then the 1-minute one.
        java.util.function.DoubleUnaryOperator x = seconds -> 84 + seconds / 360 * 946;
        // The first minute, feature 0 dead, as wide as a minute; the second, feature 1 dead.
        for (double second : new double[] {2, 30, 58}) {
            assertThat(pixel(heatmap, x.applyAsDouble(second), cellY(1, 2, 0, 2, 700)))
                    .as("first minute at %s s", second)
                    .isEqualTo(DEAD);
        }
        assertThat(pixel(heatmap, x.applyAsDouble(90), cellY(1, 2, 0, 2, 700)))
                .isEqualTo(VIRIDIS_0);
        assertThat(pixel(heatmap, x.applyAsDouble(90), cellY(1, 2, 1, 2, 700))).isEqualTo(DEAD);
        // The 10-second windows from 300 s on; nothing before them in their panel.
        assertThat(pixel(heatmap, x.applyAsDouble(305), cellY(0, 2, 0, 2, 700)))
                .isEqualTo(VIRIDIS_HALF);
        assertThat(pixel(heatmap, x.applyAsDouble(295), cellY(0, 2, 0, 2, 700))).isEqualTo(NO_DATA);
    }

    @Test
    void heatmapColoursEveryFeatureAndMarksTheDeadOnes() throws IOException {
        BufferedImage heatmap = heatmap(1200, 700);

        for (int w = 0; w < WINDOWS; w++) {
            double x = cellX(w, 1200);
            // layer-0: [0, 1, 0.5, 0.25]
            assertThat(pixel(heatmap, x, cellY(0, 3, 0, 4, 700))).isEqualTo(VIRIDIS_0);
            assertThat(pixel(heatmap, x, cellY(0, 3, 1, 4, 700))).isEqualTo(DEAD);
            assertThat(pixel(heatmap, x, cellY(0, 3, 2, 4, 700))).isEqualTo(VIRIDIS_HALF);
            // layer-1: [1, 1, 0.75, 0]
            assertThat(pixel(heatmap, x, cellY(1, 3, 0, 4, 700))).isEqualTo(DEAD);
            assertThat(pixel(heatmap, x, cellY(1, 3, 3, 4, 700))).isEqualTo(VIRIDIS_0);
            // layer-2: feature i at i/8; feature 7 dead in the last window.
            assertThat(pixel(heatmap, x, cellY(2, 3, 0, 8, 700))).isEqualTo(VIRIDIS_0);
            assertThat(pixel(heatmap, x, cellY(2, 3, 4, 8, 700))).isEqualTo(VIRIDIS_HALF);
            assertThat(pixel(heatmap, x, cellY(2, 3, 7, 8, 700)))
                    .as("layer-2, feature 7, window %d", w)
                    .isEqualTo(w == WINDOWS - 1 ? DEAD : VIRIDIS_7_8);
        }
        assertThat(pixel(heatmap, 0, 0)).isEqualTo(WHITE);
        assertThat(pixel(heatmap, 1199, 699)).isEqualTo(WHITE);
    }

    @Test
    void deadThresholdMarksFeaturesDeadFromThatShare() throws IOException {
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));

        Run run =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.toString(),
                        "--dead-threshold", "0.75");

        assertThat(run.status).isZero();
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        double x = cellX(0, 1200);
        // layer-1 feature 2 is at 0.75; layer-2 features 6 (0.75) and 7 (0.875) too.
        assertThat(pixel(heatmap, x, cellY(1, 3, 2, 4, 700))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, x, cellY(2, 3, 6, 8, 700))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, x, cellY(2, 3, 7, 8, 700))).isEqualTo(DEAD);
        // Below it, the scale: layer-0 feature 2 at 0.5.
        assertThat(pixel(heatmap, x, cellY(0, 3, 2, 4, 700))).isEqualTo(VIRIDIS_HALF);
    }

    /**
     * The heatmap's subtitle and legend say which share is dead ("dead (\u2265 ...)") with the
     * threshold as typed: rounded to four places, 0.99999 read "1" and 0.00001 read "0", which
     * would call every feature dead.
     */
    @Test
    void theHeatmapShowsTheDeadThresholdAsTyped() {
        assertThat(FeatureHeatmap.share(1.0)).isEqualTo("1");
        assertThat(FeatureHeatmap.share(0.0)).isEqualTo("0");
        assertThat(FeatureHeatmap.share(0.25)).isEqualTo("0.25");
        assertThat(FeatureHeatmap.share(0.75)).isEqualTo("0.75");
        assertThat(FeatureHeatmap.share(0.99999)).isEqualTo("0.99999");
        assertThat(FeatureHeatmap.share(0.00001)).isEqualTo("0.00001");
        assertThat(FeatureHeatmap.share(0.000001)).isEqualTo("0.000001");
        assertThat(FeatureHeatmap.share(1e-7)).isEqualTo("1E-7");
        assertThat(FeatureHeatmap.share(Double.MIN_VALUE)).isEqualTo("4.9E-324");
    }

    @Test
    void groupOptionDrawsOnlyTheChosenGroups() throws IOException {
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));

        Run run =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.toString(),
                        "--group", "layer-1");

        assertThat(run.status).isZero();
        BufferedImage chart = png(dir.resolve("zero-fraction.png"));
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        // The only group takes the first colour.
        assertThat(pixel(chart, chartX(0, 1200), chartY(0.8, 700))).isEqualTo(BLUE);
        // Where layer-0 would be: a grid line at the first window end, no marker.
        assertThat(pixel(chart, chartX(0, 1200), chartY(0.1, 700))).isNotEqualTo(BLUE);
        assertThat(pixel(chart, chartX(0, 1200) + 40, chartY(0.12, 700))).isEqualTo(WHITE);
        // One panel over the whole height: features 0 and 1 dead, 2 at 0.75, 3 at 0.
        double x = cellX(4, 1200);
        assertThat(pixel(heatmap, x, cellY(0, 1, 0, 4, 700))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, x, cellY(0, 1, 1, 4, 700))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, x, cellY(0, 1, 3, 4, 700))).isEqualTo(VIRIDIS_0);
    }

    @Test
    void supersededWindowsAreCountedOnlyInTheChosenGroups() throws IOException {
        // Only layer-1 has a re-fired window (window 2, first 0.3, then 0.8).
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));

        Run others =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.resolve("others").toString(),
                        "--group", "layer-0,layer-2");
        Run layer1 =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.resolve("layer-1").toString(),
                        "--group", "layer-1");

        assertThat(others.status).isZero();
        assertThat(others.out)
                .isEqualTo(
                        lines(
                                "Read 19 ActivationStats record(s) from file " + input + ".",
                                "Wrote "
                                        + dir.resolve("others").resolve("zero-fraction.png")
                                        + " (1200x700).",
                                "Wrote "
                                        + dir.resolve("others").resolve("feature-heatmap.png")
                                        + " (1200x700)."));
        assertThat(layer1.status).isZero();
        assertThat(layer1.out)
                .isEqualTo(
                        lines(
                                "Read 19 ActivationStats record(s) from file " + input + ".",
                                "1 re-fired window(s) superseded by the record read later.",
                                "Wrote "
                                        + dir.resolve("layer-1").resolve("zero-fraction.png")
                                        + " (1200x700).",
                                "Wrote "
                                        + dir.resolve("layer-1").resolve("feature-heatmap.png")
                                        + " (1200x700)."));
    }

    @Test
    void widthAndHeightSizeTheImages() throws IOException {
        BufferedImage chart = zeroFractionChart(800, 500);
        BufferedImage heatmap = heatmap(800, 500);

        assertThat(chart.getWidth()).isEqualTo(800);
        assertThat(chart.getHeight()).isEqualTo(500);
        assertThat(heatmap.getWidth()).isEqualTo(800);
        assertThat(heatmap.getHeight()).isEqualTo(500);
        assertThat(pixel(chart, chartX(5, 800), chartY(0.6, 500))).isEqualTo(BLUE);
        assertThat(pixel(chart, chartX(3, 800), chartY(0.8, 500))).isEqualTo(ORANGE);
        assertThat(pixel(heatmap, cellX(5, 800), cellY(2, 3, 7, 8, 500))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, cellX(5, 800), cellY(0, 3, 1, 4, 500))).isEqualTo(DEAD);
    }

    @Test
    void missingWindowsAndFeaturesStayEmpty() throws IOException {
        List<ActivationStats> records = new ArrayList<>();
        // Windows 0, 1 and 4 only; window 1 has two features, the others three.
        records.add(ReportFixtures.stats("solo", 0, 0.2, 0.0, 1.0, 0.5));
        records.add(ReportFixtures.stats("solo", 1, 0.4, 0.0, 1.0));
        records.add(ReportFixtures.stats("solo", 4, 0.6, 1.0, 0.0, 0.5));
        Path input = ReportFixtures.writeFile(records, dir.resolve("gaps.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isZero();
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        // Five columns (window ends 10 s apart, from the first window's start to the last end).
        double[] x = new double[5];
        for (int w = 0; w < 5; w++) {
            x[w] = 84 + (w + 0.5) * (1200 - 170 - 84) / 5.0;
        }
        double slot = 700 - 64 - 76;
        double row = (slot - 22) / 3;
        double[] y = {76 + 22 + 0.5 * row, 76 + 22 + 1.5 * row, 76 + 22 + 2.5 * row};
        assertThat(pixel(heatmap, x[0], y[1])).isEqualTo(DEAD);
        assertThat(pixel(heatmap, x[1], y[2])).isEqualTo(NO_DATA);
        assertThat(pixel(heatmap, x[2], y[0])).isEqualTo(NO_DATA);
        assertThat(pixel(heatmap, x[3], y[0])).isEqualTo(NO_DATA);
        assertThat(pixel(heatmap, x[4], y[0])).isEqualTo(DEAD);
        assertThat(pixel(heatmap, x[4], y[1])).isEqualTo(VIRIDIS_0);

        // The line stops at the missing windows: nothing halfway from window 1 to window 4.
        BufferedImage chart = png(dir.resolve("zero-fraction.png"));
        double left = 98;
        double right = 1200 - 234;
        double x1 = left + (right - left) * 1 / 4;
        double x4 = right;
        assertThat(pixel(chart, x1, 622 - 0.4 * 532)).isEqualTo(BLUE);
        assertThat(pixel(chart, x4, 622 - 0.6 * 532)).isEqualTo(BLUE);
        assertThat(pixel(chart, x1 + (x4 - x1) / 4, 622 - 0.45 * 532)).isEqualTo(WHITE);
    }

    @Test
    void aGroupWithNoTwoWindowsInARowStillShowsTheOneMissing() throws IOException {
        // a in all six 10-second windows; b only in windows 0 and 2, 20 s apart: its window 1 is
        // missing, though no two of its windows are one window apart.
        List<ActivationStats> records = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            records.add(ReportFixtures.stats("a", w, 0.2, 0.0, 0.5));
        }
        records.add(ReportFixtures.stats("b", 0, 0.5, 1.0, 0.0));
        records.add(ReportFixtures.stats("b", 2, 0.9, 1.0, 0.0));
        Path input = ReportFixtures.writeFile(records, dir.resolve("apart.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage chart = png(dir.resolve("zero-fraction.png"));
        assertThat(pixel(chart, chartX(0, 1200), chartY(0.5, 700))).isEqualTo(ORANGE);
        assertThat(pixel(chart, chartX(2, 1200), chartY(0.9, 700))).isEqualTo(ORANGE);
        // No line from 0.5 to 0.9 across window 1 (it would pass there at 0.7).
        for (int x = (int) chartX(0, 1200) + 10; x < chartX(2, 1200) - 10; x++) {
            assertThat(rowsOf(chart, x, ORANGE, 76, 700 - 64)).as("x %d", x).isEmpty();
        }
        // b's feature 0 is dead in windows 0 and 2; its cell of window 1 has no data.
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        assertThat(pixel(heatmap, cellX(0, 1200), cellY(1, 2, 0, 2, 700))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, cellX(1, 1200), cellY(1, 2, 0, 2, 700))).isEqualTo(NO_DATA);
        assertThat(pixel(heatmap, cellX(2, 1200), cellY(1, 2, 0, 2, 700))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, cellX(3, 1200), cellY(1, 2, 0, 2, 700))).isEqualTo(NO_DATA);
    }

    @Test
    void nothingToPlotExitsWithTwoAndWritesNoImage() throws IOException {
        Path input = ReportFixtures.writeFile(List.of(), dir.resolve("empty.avro"));
        Path out = dir.resolve("images");

        Run run = report("--input", input.toString(), "--output-dir", out.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "Nothing to plot: file "
                                        + input
                                        + " holds no ActivationStats records."));
        assertThat(out).doesNotExist();
    }

    @Test
    void windowsWithoutValuesGetNoZeroFractionChart() throws IOException {
        List<ActivationStats> records =
                List.of(
                        ReportFixtures.stats("empty", 0, null, 0.5, 1.0),
                        ReportFixtures.stats("empty", 1, null, 0.25, 1.0));
        Path input = ReportFixtures.writeFile(records, dir.resolve("novalues.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "Nothing to plot for zero-fraction.png: no window has a"
                                        + " zero_fraction (every window had no values); not"
                                        + " written."));
        assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
        assertThat(png(dir.resolve("feature-heatmap.png")).getWidth()).isEqualTo(1200);
    }

    /**
     * A NaN share is no value, as a NaN zero_fraction is none: the heatmap paints it as missing. A
     * file whose shares are all NaN has no heatmap, and a group whose shares are all NaN no panel.
     */
    @Test
    void sharesThatAreAllNaNGetNoHeatmapAndNoPanel() throws IOException {
        Path input =
                ReportFixtures.writeFile(
                        List.of(
                                ReportFixtures.stats("g", 0, 0.5, Double.NaN, Double.NaN),
                                ReportFixtures.stats("g", 1, 0.5, Double.NaN, Double.NaN)),
                        dir.resolve("nan-shares.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "Nothing to plot for feature-heatmap.png: no window has"
                                        + " per_feature_zero_fraction values; not written."));
        assertThat(png(dir.resolve("zero-fraction.png")).getWidth()).isEqualTo(1200);
        assertThat(dir.resolve("feature-heatmap.png")).doesNotExist();

        // Beside a group with values: one panel, the whole height, 98 to 636.
        Path mixed =
                ReportFixtures.writeFile(
                        List.of(
                                ReportFixtures.stats("a-nan", 0, 0.5, Double.NaN),
                                ReportFixtures.stats("b", 0, 0.0, 0.0)),
                        dir.resolve("mixed.avro"));
        Path out = dir.resolve("mixed");
        run = report("--input", mixed.toString(), "--output-dir", out.toString());
        assertThat(run.status).as(run.err).isZero();
        BufferedImage heatmap = png(out.resolve("feature-heatmap.png"));
        assertThat(pixel(heatmap, 500, 120)).isEqualTo(VIRIDIS_0);
        assertThat(pixel(heatmap, 500, 620)).isEqualTo(VIRIDIS_0);
    }

    @Test
    void unknownGroupIsNothingToPlot() throws IOException {
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));

        Run run =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.toString(),
                        "--group", "layer-1,layer-9");

        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "Nothing to plot for --group layer-9: file "
                                        + input
                                        + " has the groups layer-0, layer-1, layer-2."));
        assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
    }

    @Test
    void groupOptionChoosesAGroupWhoseNameHoldsAComma() throws IOException {
        List<ActivationStats> records = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            records.add(ReportFixtures.stats("a", w, 0.2, 0.0));
            records.add(ReportFixtures.stats("a,b", w, 0.8, 0.0));
            records.add(ReportFixtures.stats("b", w, 0.5, 0.0));
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("comma.avro"));

        Run run =
                report(
                        "--input",
                        input.toString(),
                        "--output-dir",
                        dir.toString(),
                        "--group",
                        "a,b");

        assertThat(run.status).as(run.err).isZero();
        // Only "a,b", in the first colour; its first window at x 98.
        BufferedImage chart = png(dir.resolve("zero-fraction.png"));
        assertThat(pixel(chart, 98, chartY(0.8, 700))).isEqualTo(BLUE);
        assertThat(pixel(chart, 98, chartY(0.2, 700))).isNotIn(BLUE, ORANGE, GREEN);
        assertThat(pixel(chart, 98, chartY(0.5, 700))).isNotIn(BLUE, ORANGE, GREEN);
        // A value that is no group's name is still a list.
        assertThat(
                        report(
                                        "--input", input.toString(),
                                        "--output-dir", dir.toString(),
                                        "--group", "a,b,c")
                                .err)
                .isEqualTo(
                        lines(
                                "Nothing to plot for --group c: file "
                                        + input
                                        + " has the groups a, \"a,b\", b."));
    }

    @Test
    void spacesAroundTheCommasOfAGroupListAreNotPartOfTheNames() throws IOException {
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));

        Run run =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.toString(),
                        "--group", "layer-0, layer-2 ");

        assertThat(run.status).as(run.err).isZero();
        // layer-0 (0.1 in its first window) in the first colour, layer-2 (0.45) in the second;
        // layer-1 (0.8) is not drawn.
        BufferedImage chart = png(dir.resolve("zero-fraction.png"));
        assertThat(pixel(chart, chartX(0, 1200), chartY(0.1, 700))).isEqualTo(BLUE);
        assertThat(pixel(chart, chartX(0, 1200), chartY(0.45, 700))).isEqualTo(ORANGE);
        assertThat(pixel(chart, chartX(0, 1200), chartY(0.8, 700))).isNotIn(BLUE, ORANGE, GREEN);
        // A name of no group is reported as it reads.
        assertThat(
                        report(
                                        "--input", input.toString(),
                                        "--output-dir", dir.toString(),
                                        "--group", "layer-0, nosuch")
                                .err)
                .isEqualTo(
                        lines(
                                "Nothing to plot for --group nosuch: file "
                                        + input
                                        + " has the groups layer-0, layer-1, layer-2."));
    }

    @Test
    void groupsWhoseNamesWouldNotReadAsNamesAreListedQuoted() throws IOException {
        List<ActivationStats> records = new ArrayList<>();
        for (String group : List.of("", " ", "x\ny", "layer-0")) {
            records.add(ReportFixtures.stats(group, 0, 0.5, 0.0));
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("odd.avro"));

        Run run =
                report("--input", input.toString(), "--output-dir", dir.toString(), "--group", "");

        assertThat(run.status).as(run.err).isZero();
        run =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.toString(),
                        "--group", "layer-9");
        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "Nothing to plot for --group layer-9: file "
                                        + input
                                        + " has the groups \"\", \" \", layer-0, \"x\\ny\"."));
    }

    @Test
    void aFileWhoseCodecCannotBeLoadedFailsWithOneAndAMessage() throws IOException {
        // A file that says its blocks are xz-compressed (they are not compressed at all): Avro's
        // xz codec needs org.tukaani.xz, which the report's class path does not have.
        Path input = dir.resolve("xz.avro");
        try (DataFileWriter<ActivationStats> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(ActivationStats.class))) {
            writer.setCodec(
                    new CodecFactory() {
                        @Override
                        protected Codec createInstance() {
                            return new NamedAsXz();
                        }
                    });
            writer.create(ActivationStats.getClassSchema(), input.toFile());
            writer.append(ReportFixtures.stats("g", 0, 0.5, 0.5));
        }

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(run.err).startsWith("Cannot read '" + input + "'").doesNotContain("\tat ");
        assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
    }

    /** Writes blocks as they are, under the name of the xz codec. */
    private static final class NamedAsXz extends Codec {
        @Override
        public String getName() {
            return "xz";
        }

        @Override
        public java.nio.ByteBuffer compress(java.nio.ByteBuffer uncompressed) {
            return uncompressed;
        }

        @Override
        public java.nio.ByteBuffer decompress(java.nio.ByteBuffer compressed) {
            return compressed;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof NamedAsXz;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    @Test
    void windowsNoJobWritesAreSkippedWithAMessage() throws IOException {
        ActivationStats backwards = ReportFixtures.stats("g", 1, 0.5, 0.5);
        backwards.setWindowEnd(backwards.getWindowStart().minusSeconds(5));
        ActivationStats beforeTheEpoch = ReportFixtures.stats("g", 2, 0.5, 0.5);
        beforeTheEpoch.setWindowStart(java.time.Instant.ofEpochMilli(Long.MIN_VALUE));
        Path input =
                ReportFixtures.writeFile(
                        List.of(ReportFixtures.stats("g", 0, 0.5, 0.5), backwards, beforeTheEpoch),
                        dir.resolve("impossible.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        // The second window of the fixtures starts at 10:00:10; this one ends 5 s before that.
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "Skipped 2 record(s) whose window cannot be drawn (a window"
                                        + " must end after 1970-01-01T00:00:00Z, after it starts"
                                        + " and before"
                                        + " the year 10000, and last less than 8,000 years); the"
                                        + " first, of group g, from 2025-03-01T10:00:10Z to"
                                        + " 2025-03-01T10:00:05Z."));
        assertThat(dir.resolve("zero-fraction.png")).exists();

        Path onlyImpossible =
                ReportFixtures.writeFile(List.of(backwards), dir.resolve("backwards.avro"));
        run = report("--input", onlyImpossible.toString(), "--output-dir", dir.toString());
        assertThat(run.status).isEqualTo(2);
        assertThat(run.err)
                .endsWith(
                        "Nothing to plot: file "
                                + onlyImpossible
                                + " holds no window to draw."
                                + System.lineSeparator());
    }

    @Test
    void aWindowEndingAtTheEpochOrBeforeIsSkippedAndOneEndingAMillisecondAfterIsDrawn()
            throws IOException {
        // Ten-second windows ending 1 ms before the epoch, at it and 1 ms after it. The end is
        // exclusive: the window ending at 0 is [-10 s, 0), wholly before 1970; the one ending at
        // 1 holds the epoch's first millisecond.
        List<ActivationStats> records = new ArrayList<>();
        for (long end : List.of(-1L, 0L, 1L)) {
            ActivationStats window = ReportFixtures.stats("g", 0, 0.5, 0.5);
            window.setWindowStart(Instant.ofEpochMilli(end - 10_000));
            window.setWindowEnd(Instant.ofEpochMilli(end));
            records.add(window);
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("epoch.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "Skipped 2 record(s) whose window cannot be drawn (a window"
                                        + " must end after 1970-01-01T00:00:00Z, after it starts"
                                        + " and before the year 10000, and last less than 8,000"
                                        + " years); the first, of group g, from"
                                        + " 1969-12-31T23:59:49.999Z to"
                                        + " 1969-12-31T23:59:59.999Z."));
        assertThat(StatsSeries.drawable(records.get(0))).isFalse();
        assertThat(StatsSeries.drawable(records.get(1))).isFalse();
        assertThat(StatsSeries.drawable(records.get(2))).isTrue();
        png(dir.resolve("zero-fraction.png"));
        png(dir.resolve("feature-heatmap.png"));
    }

    @Test
    void slidingWindowsThatStartBeforeTheEpochAreDrawn() throws IOException {
        // --window 10s --slide 5s over records at 1s and 6s after the epoch: the job writes
        // [-5s, 5s), [0s, 10s) and [5s, 15s), every one ending after the epoch.
        List<ActivationStats> records = new ArrayList<>();
        for (long start : List.of(-5_000L, 0L, 5_000L)) {
            ActivationStats window = ReportFixtures.stats("g", 0, 0.5, 0.5);
            window.setWindowStart(java.time.Instant.ofEpochMilli(start));
            window.setWindowEnd(java.time.Instant.ofEpochMilli(start + 10_000));
            records.add(window);
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("early.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        assertThat(run.err).isEmpty();
        png(dir.resolve("zero-fraction.png"));
        png(dir.resolve("feature-heatmap.png"));
    }

    @Test
    void aNaNZeroFractionBreaksTheLineLikeAMissingOne() throws IOException {
        // Five windows at 0.9, the middle one NaN: the line stops at windows 1 and 3.
        List<ActivationStats> records = new ArrayList<>();
        for (int w = 0; w < 5; w++) {
            records.add(ReportFixtures.stats("g", w, w == 2 ? Double.NaN : 0.9, 0.5));
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("nan.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage chart = png(dir.resolve("zero-fraction.png"));
        // Window ends from x 98 to 966, 217 apart: window 1 at 315, window 2 at 532.
        assertThat(pixel(chart, 315, chartY(0.9, 700))).isEqualTo(BLUE);
        assertThat(pixel(chart, 532 - 30, chartY(0.9, 700))).isNotEqualTo(BLUE);
        assertThat(pixel(chart, 532 + 30, chartY(0.9, 700))).isNotEqualTo(BLUE);

        // Only NaN: no zero fraction to draw.
        Path allNaN =
                ReportFixtures.writeFile(
                        List.of(ReportFixtures.stats("g", 0, Double.NaN, 0.5)),
                        dir.resolve("all-nan.avro"));
        Path out = dir.resolve("all-nan");
        run = report("--input", allNaN.toString(), "--output-dir", out.toString());
        assertThat(run.status).isEqualTo(2);
        assertThat(out.resolve("zero-fraction.png")).doesNotExist();
    }

    @Test
    void anInfiniteZeroFractionBreaksTheLineLikeANaNOne() throws IOException {
        // No job writes an infinite share, but a hand-written file may: drawn, its point would
        // be infinitely far off and the line towards it a stroke through the chart.
        for (double infinity : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            List<ActivationStats> records = new ArrayList<>();
            for (int w = 0; w < 5; w++) {
                records.add(ReportFixtures.stats("g", w, w == 2 ? infinity : 0.9, 0.5));
            }
            Path input = ReportFixtures.writeFile(records, dir.resolve("inf.avro"));
            Path out = dir.resolve("inf" + (infinity > 0 ? "+" : "-"));

            Run run = report("--input", input.toString(), "--output-dir", out.toString());

            assertThat(run.status).as(run.err).isZero();
            BufferedImage chart = png(out.resolve("zero-fraction.png"));
            // Window ends from x 98 to 966, 217 apart: window 1 at 315, window 2 at 532, 3 at 749.
            assertThat(pixel(chart, 315, chartY(0.9, 700))).isEqualTo(BLUE);
            assertThat(pixel(chart, 749, chartY(0.9, 700))).isEqualTo(BLUE);
            // Nothing of the line between windows 1 and 3, at any height of the plot area.
            for (int x : new int[] {532 - 60, 532, 532 + 60}) {
                assertThat(rowsOf(chart, x, BLUE, 76, 700 - 64)).as("x %d", x).isEmpty();
            }
        }
    }

    @Test
    void imagesTheHeapCannotHoldFailWithOneAndSaySo() throws Exception {
        // In a JVM of 128 MiB of heap: 8000 x 8000 pixels of 4 bytes are 244 MiB.
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));
        Path out = dir.resolve("images");
        Path err = dir.resolve("err.txt");
        Process report =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx128m",
                                "-cp",
                                System.getProperty("java.class.path"),
                                ReportCommand.class.getName(),
                                "--input",
                                input.toString(),
                                "--output-dir",
                                out.toString(),
                                "--width",
                                "8000",
                                "--height",
                                "8000")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(err.toFile())
                        .start();

        assertThat(report.waitFor()).isEqualTo(1);
        String tooLarge =
                ": 8000x8000 pixels need 244 MiB of Java heap, more than is free (at most ";
        assertThat(Files.readString(err))
                .startsWith("Cannot draw zero-fraction.png" + tooLarge)
                .contains("Cannot draw feature-heatmap.png" + tooLarge)
                .contains("lower --width or --height, or give Java more with -Xmx")
                .doesNotContain("\tat ");
        assertThat(out.resolve("zero-fraction.png")).doesNotExist();
    }

    @Test
    void withoutSlf4jOnTheClassPathTheReportSaysWhatToAddAndExitsWithOne() throws Exception {
        // The class path of `java -cp relu-stream-jobs.jar`: the jar leaves slf4j to Flink.
        String withoutSlf4j =
                Arrays.stream(
                                System.getProperty("java.class.path")
                                        .split(java.io.File.pathSeparator))
                        .filter(entry -> !entry.matches(".*/slf4j-api-[^/]*\\.jar"))
                        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        assertThat(withoutSlf4j).isNotEqualTo(System.getProperty("java.class.path"));
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));
        for (List<String> args :
                List.of(
                        List.of("--input", input.toString(), "--output-dir", dir.toString()),
                        List.of("--help"))) {
            Path err = dir.resolve("err.txt");
            List<String> command =
                    new ArrayList<>(
                            List.of(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-cp",
                                    withoutSlf4j,
                                    ReportCommand.class.getName()));
            command.addAll(args);
            Process report =
                    new ProcessBuilder(command)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(err.toFile())
                            .start();

            assertThat(report.waitFor()).as("%s", args).isEqualTo(1);
            assertThat(Files.readString(err))
                    .as("%s", args)
                    .isEqualTo(
                            lines(
                                    "The report needs slf4j-api on the class path, which the job"
                                            + " jar leaves to Flink (Avro and the Kafka client log"
                                            + " through it): add its jar, e.g. java -cp"
                                            + " relu-stream-jobs.jar:slf4j-api.jar"
                                            + " io.relustream.jobs.report.ReportCommand ..."));
            assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
        }
    }

    @Test
    void exportCopiesWhatWasRead() throws IOException {
        List<ActivationStats> records = ReportFixtures.threeGroups();
        Path input = ReportFixtures.writeFile(records, dir.resolve("in.avro"));
        Path export = dir.resolve("copies/out.avro");

        Run run =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.toString(),
                        "--export", export.toString());

        assertThat(run.status).isZero();
        assertThat(run.out).contains(lines("Exported them to " + export + "."));
        assertThat(ReportFixtures.readFile(export)).isEqualTo(records);
    }

    @Test
    void aFileWhoseWindowsCountMicrosecondsFailsWithOneNamingTheField() throws IOException {
        // Read as milliseconds, a window of 2023 in microseconds would end in the year 55840: the
        // file is refused for its unit, not its windows skipped as if no job could write them.
        Schema micros =
                new Schema.Parser()
                        .parse(
                                ActivationStats.getClassSchema()
                                        .toString()
                                        .replace("timestamp-millis", "timestamp-micros"));
        ActivationStats stats = ReportFixtures.stats("g", 0, 0.5, 0.5);
        GenericData.Record record = new GenericData.Record(micros);
        for (Schema.Field field : micros.getFields()) {
            Object value = stats.get(field.name());
            record.put(
                    field.name(),
                    value instanceof Instant
                            ? ChronoUnit.MICROS.between(Instant.EPOCH, (Instant) value)
                            : value);
        }
        Path input = dir.resolve("micros.avro");
        try (DataFileWriter<GenericRecord> writer =
                new DataFileWriter<>(new GenericDatumWriter<>(micros))) {
            writer.create(micros, input.toFile());
            writer.append(record);
        }

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "'"
                                        + input
                                        + "' is not a file of ActivationStats records: field"
                                        + " window_start is timestamp-micros, but the current"
                                        + " ActivationStats reads timestamp-millis: its values"
                                        + " would be read in the wrong unit"));
        assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
    }

    /**
     * A file of a newer writer that Avro resolves into the current ActivationStats (as {@code
     * AvroRecordDecoder.checkReadable} accepts it): window bounds wrapped in a one-branch union,
     * {@code record_count} an int, {@code min} a float, and a field the report does not know. Avro
     * 1.12's fast reader converted the union's timestamp twice and failed on every record.
     */
    @Test
    void aFileOfANewerWriterThatAvroResolvesIsRead() throws IOException {
        String millis = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
        String current = ActivationStats.getClassSchema().toString();
        String json =
                current.replace(
                                "\"window_start\",\"type\":" + millis,
                                "\"window_start\",\"type\":[" + millis + "]")
                        .replace(
                                "\"window_end\",\"type\":" + millis,
                                "\"window_end\",\"type\":[\"int\"," + millis + "]")
                        .replace(
                                "\"record_count\",\"type\":\"long\"",
                                "\"record_count\",\"type\":\"int\"")
                        .replace(
                                "\"name\":\"min\",\"type\":[\"null\",\"double\"]",
                                "\"name\":\"min\",\"type\":[\"null\",\"float\"]")
                        .replaceFirst(
                                "]}$",
                                ",{\"name\":\"host\",\"type\":\"string\",\"default\":\"\"}]}");
        Schema newer = new Schema.Parser().parse(json);
        assertThat(newer.getField("window_start").schema().getType()).isEqualTo(Schema.Type.UNION);
        assertThat(newer.getField("window_end").schema().getType()).isEqualTo(Schema.Type.UNION);
        assertThat(newer.getField("record_count").schema().getType()).isEqualTo(Schema.Type.INT);
        assertThat(newer.getField("min").schema().getTypes().get(1).getType())
                .isEqualTo(Schema.Type.FLOAT);
        assertThat(newer.getField("host")).isNotNull();
        // 2025-03-01T10:00:00Z and ten seconds later, in milliseconds since the epoch.
        long start = 1_740_823_200_000L;
        GenericData.Record record = new GenericData.Record(newer);
        record.put("group", "g");
        record.put("window_start", start);
        record.put("window_end", start + 10_000L);
        record.put("activation", "relu");
        record.put("record_count", 100);
        record.put("value_count", 200L);
        record.put("zero_count", 100L);
        record.put("zero_fraction", 0.5);
        record.put("nan_count", 0L);
        record.put("pos_inf_count", 0L);
        record.put("neg_inf_count", 0L);
        record.put("min", 0.1f);
        record.put("per_feature_zero_fraction", List.of(0.5, 0.5));
        record.put("dead_features", List.of());
        record.put("host", "tm-3");
        Path input = dir.resolve("newer.avro");
        try (DataFileWriter<GenericRecord> writer =
                new DataFileWriter<>(new GenericDatumWriter<>(newer))) {
            writer.create(newer, input.toFile());
            writer.append(record);
        }
        Path export = dir.resolve("read.avro");

        Run run =
                report(
                        "--input", input.toString(),
                        "--output-dir", dir.toString(),
                        "--export", export.toString());

        assertThat(run.err).isEmpty();
        assertThat(run.status).isZero();
        assertThat(run.out)
                .isEqualTo(
                        lines(
                                "Read 1 ActivationStats record(s) from file " + input + ".",
                                "Exported them to " + export + ".",
                                "Wrote " + dir.resolve("zero-fraction.png") + " (1200x700).",
                                "Wrote " + dir.resolve("feature-heatmap.png") + " (1200x700)."));
        assertThat(ReportFixtures.readFile(export))
                .containsExactly(
                        ActivationStats.newBuilder()
                                .setGroup("g")
                                .setWindowStart(Instant.parse("2025-03-01T10:00:00Z"))
                                .setWindowEnd(Instant.parse("2025-03-01T10:00:10Z"))
                                .setActivation("relu")
                                .setRecordCount(100L)
                                .setValueCount(200L)
                                .setZeroCount(100L)
                                .setZeroFraction(0.5)
                                .setNanCount(0L)
                                .setPosInfCount(0L)
                                .setNegInfCount(0L)
                                // The float 0.1f widened exactly: 0.10000000149011612.
                                .setMin(0.10000000149011612)
                                .setPerFeatureZeroFraction(List.of(0.5, 0.5))
                                .setDeadFeatures(List.of())
                                .build());
        assertThat(dir.resolve("zero-fraction.png")).exists();
        assertThat(dir.resolve("feature-heatmap.png")).exists();
    }

    @Test
    void aFileThatIsNotAvroFailsWithOne() throws IOException {
        Path input = Files.writeString(dir.resolve("stats.csv"), "group,window\n");

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "Cannot read '"
                                        + input
                                        + "' as an Avro object container file of ActivationStats"
                                        + " records: Not an Avro data file."));
    }

    @Test
    void heatmapShowsTheGroupsWhosePanelsFitAndSaysSo() throws IOException {
        // 40 groups of one feature, dead in every window: at 700 pixels, 10 panels of 25 rows of
        // cells fit ((700 - 76 - 64 + 10) / (22 + 20 + 10)); 40 would leave each none.
        List<ActivationStats> records = new ArrayList<>();
        for (int group = 0; group < 40; group++) {
            for (int w = 0; w < ReportFixtures.WINDOWS; w++) {
                records.add(ReportFixtures.stats(String.format("g-%02d", group), w, 1.0, 1.0));
            }
        }
        Path input = ReportFixtures.writeFile(records, dir.resolve("groups.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isZero();
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        int x = (int) cellX(2, 1200);
        assertThat(pixel(heatmap, x, cellY(0, 10, 0, 1, 700))).isEqualTo(DEAD);
        assertThat(pixel(heatmap, x, cellY(9, 10, 0, 1, 700))).isEqualTo(DEAD);
        assertThat(FeatureHeatmap.panelsThatFit(700)).isEqualTo(10);
        assertThat(FeatureHeatmap.panelsThatFit(400)).isEqualTo(5);
        assertThat(FeatureHeatmap.panelsThatFit(150)).isEqualTo(1);
    }

    @Test
    void aTruncatedFileFailsWithOneInsteadOfLosingItsLastRecords() throws IOException {
        // Enough records for several blocks: the cut lands inside the last one.
        List<ActivationStats> records = new ArrayList<>();
        double[] features = new double[64];
        for (int w = 0; w < 3000; w++) {
            Arrays.fill(features, (w % 7) / 7.0);
            records.add(ReportFixtures.stats("layer-0", w, 0.5, features));
        }
        Path whole = ReportFixtures.writeFile(records, dir.resolve("whole.avro"));
        byte[] bytes = Files.readAllBytes(whole);
        Path input = Files.write(dir.resolve("cut.avro"), Arrays.copyOf(bytes, bytes.length - 100));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isEqualTo(1);
        // The blocks as the container format lays them out after the header: a count, a size,
        // that many bytes and a 16-byte sync marker. The cut file holds every block but the last.
        int header = (int) Files.size(ReportFixtures.writeFile(List.of(), dir.resolve("e.avro")));
        List<long[]> blocks = blocks(bytes, header);
        long[] last = blocks.get(blocks.size() - 1);
        assertThat(last[0] + last[2] + 16).isEqualTo(bytes.length);
        assertThat(blocks.stream().mapToLong(block -> block[1]).sum()).isEqualTo(3000);
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "'"
                                        + input
                                        + "' is truncated or corrupt: it ends inside a block, "
                                        + (bytes.length - 100 - last[0])
                                        + " bytes after the last whole one ("
                                        + (3000 - last[1])
                                        + " records read)"));
        assertThat(dir.resolve("zero-fraction.png")).doesNotExist();
        assertThat(report("--input", whole.toString(), "--output-dir", dir.toString()).status)
                .isZero();
    }

    @Test
    void aTruncatedFileCountsOneRecordReadInTheSingular() throws IOException {
        ActivationStats first = ReportFixtures.stats("layer-0", 0, 0.5, 0.5);
        // The first record in a block of its own, ending where a file of it alone ends.
        Path alone = ReportFixtures.writeFile(List.of(first), dir.resolve("alone.avro"));
        Path two = dir.resolve("two.avro");
        try (DataFileWriter<ActivationStats> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(ActivationStats.class))) {
            writer.create(ActivationStats.getClassSchema(), two.toFile());
            writer.append(first);
            writer.sync();
            writer.append(ReportFixtures.stats("layer-0", 1, 0.5, 0.5));
        }
        byte[] bytes = Files.readAllBytes(two);
        // Inside the second record, short of the sync marker after it.
        Path input = Files.write(dir.resolve("cut.avro"), Arrays.copyOf(bytes, bytes.length - 30));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(run.err)
                .isEqualTo(
                        lines(
                                "'"
                                        + input
                                        + "' is truncated or corrupt: it ends inside a block, "
                                        + (bytes.length - 30 - Files.size(alone))
                                        + " bytes after the last whole one (1 record read)"));
    }

    /**
     * Each block of an Avro object container file after its header: where it starts, its count of
     * records and its length up to the sync marker after it.
     */
    private static List<long[]> blocks(byte[] file, int header) {
        List<long[]> blocks = new ArrayList<>();
        int[] at = {header};
        while (at[0] < file.length) {
            long start = at[0];
            long count = zigZag(file, at);
            long size = zigZag(file, at);
            blocks.add(new long[] {start, count, at[0] - start + size});
            at[0] += (int) size + 16;
        }
        return blocks;
    }

    /** Avro's variable-length zig-zag long at {@code at[0]}, which it moves past it. */
    private static long zigZag(byte[] bytes, int[] at) {
        long raw = 0;
        int shift = 0;
        int b;
        do {
            b = bytes[at[0]++] & 0xFF;
            raw |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (raw >>> 1) ^ -(raw & 1);
    }

    @Test
    void aFileCutInItsHeaderOrJustAfterItFailsWithOneAndAReason() throws IOException {
        Path empty = ReportFixtures.writeFile(List.of(), dir.resolve("empty.avro"));
        int header = (int) Files.size(empty);
        Path whole =
                ReportFixtures.writeFile(
                        List.of(ReportFixtures.stats("g", 0, 0.5, 0.5)), dir.resolve("one.avro"));
        byte[] bytes = Files.readAllBytes(whole);
        // Inside the header (the writer schema), and one byte into the first block.
        Map<Integer, String> reasons =
                Map.of(
                        header / 2,
                        "it ends too early (truncated?)",
                        header + 1,
                        "it is truncated or corrupt (Avro's reader failed with"
                                + " NullPointerException)");
        for (Map.Entry<Integer, String> cut : reasons.entrySet()) {
            int length = cut.getKey();
            Path input = Files.write(dir.resolve("cut.avro"), Arrays.copyOf(bytes, length));

            Run run = report("--input", input.toString(), "--output-dir", dir.toString());

            assertThat(run.status).as("cut at %d", length).isEqualTo(1);
            assertThat(run.err)
                    .as("cut at %d", length)
                    .isEqualTo(
                            lines(
                                    "Cannot read '"
                                            + input
                                            + "' as an Avro object container file of"
                                            + " ActivationStats records: "
                                            + cut.getValue()));
        }
    }

    @Test
    void heatmapShowsDeadFeaturesAmongMoreFeaturesThanRowsOfPixels() throws IOException {
        // 2000 features in 538 rows of pixels (one panel: y 98 to 636), 0.269 pixels each: all
        // at zero fraction 0 but features 1, 1000 and 1999, which are dead.
        double[] shares = new double[2000];
        shares[1] = 1.0;
        shares[1000] = 1.0;
        shares[1999] = 1.0;
        Path input =
                ReportFixtures.writeFile(
                        List.of(ReportFixtures.stats("wide", 0, 0.5, shares)),
                        dir.resolve("wide.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        // One window: one column from 84 to 1030; away from the time axis' tick marks (every
        // second, 94.6 pixels apart: 557 is one).
        double x = 520;
        // Feature 1 lies in the row of pixels 98, the frame's: it shows in the first row inside.
        assertThat(pixel(heatmap, x, 99)).isEqualTo(DEAD);
        // Feature 1000 at 98 + 1000 * 0.269 = 367, sharing that row with features 999 and 1001.
        assertThat(pixel(heatmap, x, 367)).isEqualTo(DEAD);
        // Feature 1999 at 635.7, rounded to 636, the frame's row: in the last row inside.
        assertThat(pixel(heatmap, x, 635)).isEqualTo(DEAD);
        assertThat(pixel(heatmap, x, 200)).isEqualTo(VIRIDIS_0);
    }

    @Test
    void heatmapLabelsFeatureIndexesOfAHundredThousandFeatures() throws IOException {
        Path input =
                ReportFixtures.writeFile(
                        List.of(ReportFixtures.stats("wide", 0, 0.5, new double[100_000])),
                        dir.resolve("wide.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        // 538 rows of pixels for 100,000 features, 0.00538 each: labels at least 14 pixels apart
        // are every 5000 features (2000 would be 10.8 apart), so 20 tick marks, 0 to 95000, to
        // the left of the frame at x 84.
        assertThat(ReportFixtures.rowsOf(heatmap, 81, ReportFixtures.FRAME, 90, 640)).hasSize(20);
    }

    @Test
    void heatmapShowsWindowsYearsApartInsideTheFrame() throws IOException {
        // Three one-minute windows: 2001-01-01 00:00, and 2025-06-01 00:00 and 00:01. The columns
        // are a minute wide, far below a pixel: the first lies on the frame's column (84), the
        // last two on the other frame's (1030).
        List<ActivationStats> records = new ArrayList<>();
        records.add(minute("2001-01-01T00:00:00Z", 1.0));
        records.add(minute("2025-06-01T00:00:00Z", 0.0));
        records.add(minute("2025-06-01T00:01:00Z", 0.5));
        Path input = ReportFixtures.writeFile(records, dir.resolve("years.avro"));

        Run run = report("--input", input.toString(), "--output-dir", dir.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage heatmap = png(dir.resolve("feature-heatmap.png"));
        assertThat(pixel(heatmap, 85, 367)).isEqualTo(DEAD);
        // The last window is drawn over the one a minute before it.
        assertThat(pixel(heatmap, 1029, 367)).isEqualTo(VIRIDIS_HALF);
        assertThat(pixel(heatmap, 557, 367)).isEqualTo(NO_DATA);
    }

    @Test
    void aNarrowHeatmapCutsItsSubtitleBeforeTheGroupsLeftOut() {
        java.awt.Graphics2D g = Charts.graphics(Charts.canvas(400, 400));
        // The heatmap's subtitle of 40 groups at 400 x 400, of which 5 have a panel.
        String subtitle =
                "activation relu \u00b7 dead: zero fraction \u2265 1 \u00b7 6 windows of 10s"
                        + " \u00b7 window ends 2025-03-01 10:00:10 \u2013 10:01:00 UTC";
        String leftOut = " \u00b7 the first 5 of 40 groups (--group chooses)";

        String shown = Charts.subtitle(g, 400, subtitle, leftOut);

        assertThat(shown).endsWith("\u2026" + leftOut);
        assertThat(subtitle).startsWith(shown.substring(0, shown.indexOf('\u2026')));
        assertThat(Charts.textWidth(g, shown)).isLessThanOrEqualTo(400 - 40);
        // Where all of it fits, nothing is cut.
        assertThat(Charts.subtitle(g, 1200, subtitle, leftOut)).isEqualTo(subtitle + leftOut);
    }

    @Test
    void aLongHeadingIsCutToTheLongestPrefixThatFits() {
        java.awt.Graphics2D g = Charts.graphics(Charts.canvas(400, 400));
        g.setFont(Charts.TICK_FONT);
        // The heading of 100,000 features, every 7th dead: "0, 7, 14, ..." of 14286 numbers.
        StringBuilder dead = new StringBuilder();
        for (int f = 0; f < 100_000; f += 7) {
            dead.append(f).append(", ");
        }
        String text = dead.toString();

        String cut = Charts.fit(g, text, 300);

        assertThat(cut).endsWith("\u2026");
        String prefix = cut.substring(0, cut.length() - 1);
        assertThat(text).startsWith(prefix);
        assertThat(Charts.textWidth(g, cut)).isLessThanOrEqualTo(300);
        String oneMore = text.substring(0, prefix.length() + 1) + "\u2026";
        assertThat(Charts.textWidth(g, oneMore)).isGreaterThan(300);
        assertThat(Charts.fit(g, "\ud83d\ude00\ud83d\ude00\ud83d\ude00", 1)).isEqualTo("\u2026");
    }

    private static ActivationStats minute(String start, double share) {
        ActivationStats stats = ReportFixtures.stats("g", 0, share, share);
        stats.setWindowStart(java.time.Instant.parse(start));
        stats.setWindowEnd(stats.getWindowStart().plusSeconds(60));
        return stats;
    }

    private BufferedImage zeroFractionChart(int width, int height) throws IOException {
        return png(draw(width, height).resolve("zero-fraction.png"));
    }

    private BufferedImage heatmap(int width, int height) throws IOException {
        return png(draw(width, height).resolve("feature-heatmap.png"));
    }

    private Path draw(int width, int height) throws IOException {
        Path out = imageDir(width, height);
        if (Files.exists(out)) {
            return out;
        }
        Path input = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("in.avro"));
        Run run =
                report(
                        "--input", input.toString(),
                        "--output-dir", out.toString(),
                        "--width", Integer.toString(width),
                        "--height", Integer.toString(height));
        assertThat(run.status).as(run.err).isZero();
        return out;
    }

    private Path imageDir(int width, int height) {
        return dir.resolve(width + "x" + height);
    }

    /** Window w's end on the line chart: the first end at 98, the last at width - 234. */
    private static double chartX(int w, int width) {
        return 98 + w * (width - 234 - 98) / (double) (WINDOWS - 1);
    }

    /** A zero fraction on the line chart: 0 at height - 78, 1 at 90. */
    private static double chartY(double share, int height) {
        return height - 78 - share * (height - 78 - 90);
    }

    /** The middle of window w's column: six columns from 84 to width - 170. */
    private static double cellX(int w, int width) {
        return 84 + (w + 0.5) * (width - 170 - 84) / (double) WINDOWS;
    }

    /** The middle of a feature's row in the panel of a group. */
    private static double cellY(int panel, int panels, int feature, int features, int height) {
        double slot = (height - 64 - 76 - (panels - 1) * 10) / (double) panels;
        double gridTop = 76 + panel * (slot + 10) + 22;
        double row = (slot - 22) / features;
        return gridTop + (feature + 0.5) * row;
    }

    private Run report(String... args) {
        return ReportFixtures.run(ReportCommand.commandLine(), args);
    }

    static String lines(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }
}
