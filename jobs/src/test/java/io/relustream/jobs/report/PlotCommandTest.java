package io.relustream.jobs.report;

import io.relustream.activation.Activation;
import io.relustream.jobs.report.ReportFixtures.Run;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.relustream.jobs.report.ReportFixtures.WHITE;
import static io.relustream.jobs.report.ReportFixtures.pixel;
import static io.relustream.jobs.report.ReportFixtures.png;
import static io.relustream.jobs.report.ReportFixtures.rowsOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plot of an activation and its derivative. Expected places follow from the documented layout:
 * the plot area spans x 76 (further right where value labels are wider than that leaves room for)
 * to {@code width - 36}, mapped to {@code [--from, --to]}, and y 76 to {@code height - 64}, mapped
 * to the values' range padded by 5%.
 */
class PlotCommandTest {

    private static final Color F = new Color(31, 119, 180);
    private static final Color DERIVATIVE = new Color(255, 127, 14);
    private static final Color THRESHOLD = new Color(110, 110, 110);
    private static final Color MAX = new Color(148, 103, 189);

    @TempDir static Path dir;

    private static BufferedImage relu;

    @BeforeAll
    static void drawRelu() throws IOException {
        Path file = dir.resolve("relu.png");
        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--output", file.toString());
        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out)
                .isEqualTo(ReportCommandTest.lines("Wrote " + file + " (1200x700): relu."));
        relu = png(file);
    }

    /** relu over [-6, 6]: values from 0 to 6, so y spans -0.3 to 6.3. */
    private static double x(double z) {
        return 76 + (z + 6) / 12 * (1200 - 36 - 76);
    }

    private static double y(double value) {
        return 76 + (6.3 - value) / 6.6 * (700 - 64 - 76);
    }

    @Test
    void drawsAPngOfTheRequestedSize() {
        assertThat(relu.getWidth()).isEqualTo(1200);
        assertThat(relu.getHeight()).isEqualTo(700);
        assertThat(pixel(relu, 0, 0)).isEqualTo(WHITE);
        assertThat(pixel(relu, 1199, 699)).isEqualTo(WHITE);
    }

    @Test
    void helpNamesEveryParameterOfTheSpecsItDraws() {
        // The element-wise specs of the activation semantics and all their parameters, as the
        // job's --help lists them; grad_at_threshold is drawn as the derivative at the threshold.
        // Without white space: the help wraps its lines also inside a spec.
        Run run = ReportFixtures.run(PlotCommand.commandLine(), "--help");
        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out.replaceAll("\\s+", ""))
                .contains(
                        "relu,",
                        "leaky_relu(alpha=",
                        "relu6,",
                        "clipped_relu(max=",
                        "thresholded_relu(theta=",
                        "relu(negative_slope=",
                        "max_value=",
                        "threshold=",
                        "grad_at_threshold=");
    }

    @Test
    void reluIsOnTheZeroLineBelowZeroAndRisesAboveIt() {
        // At z = -3 the solid line lies on y = 0 (the dashed derivative covers it in places).
        List<Integer> zeroRows = rowsNear(F, x(-3));
        assertThat(zeroRows).isNotEmpty().allMatch(row -> Math.abs(row - y(0)) <= 2);
        // At z = +3 (the middle of the pixel column: z = 3 + 6/1088) at y = 3.
        int column = (int) Math.floor(x(3));
        double z = -6 + (column + 0.5 - 76) / 1088 * 12;
        List<Integer> rows = rowsOf(relu, column, F, 76, 636);
        assertThat(rows)
                .contains((int) Math.floor(y(z)))
                .allMatch(row -> Math.abs(row - y(z)) <= 3);
        assertThat(rowsOf(relu, column, F, 76, 636)).noneMatch(row -> Math.abs(row - y(0)) <= 3);
    }

    @Test
    void derivativeIsADashedLineAtOneAboveZeroAndAtZeroBelow() {
        int above = 0;
        int columns = 0;
        for (int column = (int) Math.ceil(x(0.5)); column < x(5.5); column++) {
            List<Integer> rows = rowsOf(relu, column, DERIVATIVE, 76, 636);
            assertThat(rows).allMatch(row -> Math.abs(row - y(1)) <= 2);
            if (rows.contains((int) Math.floor(y(1)))) {
                above++;
            }
            columns++;
        }
        // Dashes of 10 pixels, gaps of 7: 10/17 of the columns, give or take a dash.
        assertThat((double) above / columns).isBetween(10.0 / 17 - 0.05, 10.0 / 17 + 0.05);
        List<Integer> below = rowsNear(DERIVATIVE, x(-3));
        assertThat(below).isNotEmpty().allMatch(row -> Math.abs(row - y(0)) <= 2);
    }

    @Test
    void marksTheThresholdAndTheValueOfTheDerivativeThere() {
        // A dashed vertical line at z = 0, over the y axis.
        int column = (int) Math.floor(x(0));
        assertThat(rowsOf(relu, column, THRESHOLD, 76, 636).size()).isGreaterThan(200);
        // relu'(0) = 0: a filled dot at (0, 0), an open one at (0, 1).
        assertThat(pixel(relu, x(0) - 2.5, y(0))).isEqualTo(DERIVATIVE);
        assertThat(pixel(relu, x(0) + 2.5, y(0))).isEqualTo(DERIVATIVE);
        assertThat(pixel(relu, x(0) + 1.5, y(1))).isEqualTo(WHITE);
        assertThat(pixel(relu, x(0) + 3.5, y(1))).isEqualTo(DERIVATIVE);
    }

    @Test
    void marksTheMaxValueOfRelu6() throws IOException {
        Path file = dir.resolve("relu6.png");
        Run run =
                ReportFixtures.run(
                        PlotCommand.commandLine(),
                        "--activation",
                        "relu6",
                        "--from",
                        "-2",
                        "--to",
                        "8",
                        "--width",
                        "1000",
                        "--height",
                        "500",
                        "--output",
                        file.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage image = png(file);
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(500);
        // x: 76 to 964 for [-2, 8]; y: 76 to 436 for [-0.3, 6.3].
        double plotWidth = 1000 - 36 - 76;
        double maxColumn = 76 + 8 / 10.0 * plotWidth;
        assertThat(rowsOf(image, (int) Math.floor(maxColumn), MAX, 76, 436).size())
                .isGreaterThan(100);
        // Capped at 6 from z = 6 on: at z = 7 the line is at y = 6.
        int column = (int) Math.floor(76 + 9 / 10.0 * plotWidth);
        double six = 76 + 0.3 / 6.6 * (500 - 64 - 76);
        assertThat(rowsOf(image, column, F, 76, 436))
                .contains((int) Math.floor(six))
                .allMatch(row -> Math.abs(row - six) <= 2);
        // relu6'(6) = 0: a filled dot at (6, 0).
        double zero = 76 + 6.3 / 6.6 * (500 - 64 - 76);
        assertThat(pixel(image, maxColumn + 2.5, zero)).isEqualTo(DERIVATIVE);
    }

    @Test
    void aJumpAtTheEndOfTheRangeIsADotNotALine() throws IOException {
        Path file = dir.resolve("relu6-edge.png");
        Run run =
                ReportFixtures.run(
                        PlotCommand.commandLine(),
                        "--activation",
                        "relu6",
                        "--output",
                        file.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage image = png(file);
        // relu6'(6) = 0, but the derivative ends at 1 (an open dot) and a filled dot sits at 0.
        int edge = (int) Math.floor(x(6));
        for (int column = edge - 5; column <= edge; column++) {
            assertThat(rowsOf(image, column, DERIVATIVE, (int) y(1) + 6, (int) y(0) - 6))
                    .as("column %d", column)
                    .isEmpty();
        }
        assertThat(pixel(image, x(6) - 2.5, y(0))).isEqualTo(DERIVATIVE);
        assertThat(pixel(image, x(6) - 3.5, y(1))).isEqualTo(DERIVATIVE);
    }

    @Test
    void thresholdedReluJumpsWithItsDerivative() throws IOException {
        Path file = dir.resolve("thresholded.png");
        Run run =
                ReportFixtures.run(
                        PlotCommand.commandLine(),
                        "--activation",
                        "thresholded_relu(theta=1)",
                        "--output",
                        file.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage image = png(file);
        // Values from 0 to 6, as for relu. At z = 1 both jump from 0 to 1: f(1) = f'(1) = 0,
        // filled dots, the function's around the derivative's; open ones at 1.
        assertThat(pixel(image, x(1), y(0))).isEqualTo(DERIVATIVE);
        assertThat(pixel(image, x(1) + 4.5, y(0))).isEqualTo(F);
        assertThat(pixel(image, x(1), y(1))).isEqualTo(WHITE);
        assertThat(pixel(image, x(1) + 3.5, y(1))).isEqualTo(DERIVATIVE);
        assertThat(pixel(image, x(1) + 5.5, y(1))).isEqualTo(F);
        // No line climbs from 0 to 1 at the jump.
        int column = (int) Math.floor(x(1));
        assertThat(rowsOf(image, column, F, (int) y(1) + 8, (int) y(0) - 8)).isEmpty();
        assertThat(rowsOf(image, column, DERIVATIVE, (int) y(1) + 8, (int) y(0) - 8)).isEmpty();
    }

    @Test
    void leakyReluSlopesBelowZero() throws IOException {
        Path file = dir.resolve("leaky.png");
        Run run =
                ReportFixtures.run(
                        PlotCommand.commandLine(),
                        "--activation",
                        "leaky_relu(alpha=0.1)",
                        "--output",
                        file.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage image = png(file);
        // Values from -0.6 to 6: y spans -0.93 to 6.33.
        int column = (int) Math.floor(x(-5));
        double z = -6 + (column + 0.5 - 76) / 1088 * 12;
        double row = 76 + (6.33 - 0.1 * z) / 7.26 * 560;
        assertThat(rowsOf(image, column, F, 76, 636))
                .isNotEmpty()
                .allMatch(r -> Math.abs(r - row) <= 2);
        // f' = 0.1 below zero.
        double slope = 76 + (6.33 - 0.1) / 7.26 * 560;
        assertThat(rowsNear(image, DERIVATIVE, x(-3)))
                .isNotEmpty()
                .allMatch(r -> Math.abs(r - slope) <= 2);
    }

    @Test
    void infiniteValuesAreClippedAndNaNLeavesAGap() {
        // z itself, but +inf at 0; its derivative 1, but NaN above 3.
        Activation odd =
                new TestActivation(
                        z -> z == 0 ? Double.POSITIVE_INFINITY : z, z -> z > 3 ? Double.NaN : 1);

        BufferedImage image = ActivationPlot.draw(odd, -6, 6, 1201, 1200, 700).orElseThrow();

        // Finite values from -6 to 6: y spans -6.6 to 6.6.
        double one = 76 + 5.6 / 13.2 * 560;
        int column = (int) Math.floor(x(-3));
        assertThat(rowsOf(image, column, DERIVATIVE, 76, 636))
                .allMatch(r -> Math.abs(r - one) <= 2);
        // The spike at 0 reaches the top of the plot area and stops there.
        int zero = (int) Math.floor(x(0));
        assertThat(rowsOf(image, zero, F, 76, 90)).isNotEmpty();
        assertThat(rowsOf(image, zero, F, 0, 76)).isEmpty();
        // Nothing of the derivative above z = 3.
        for (int c = (int) Math.ceil(x(3.2)); c < x(6); c++) {
            assertThat(rowsOf(image, c, DERIVATIVE, 76, 636)).as("column %d", c).isEmpty();
        }
    }

    @Test
    void drawsActivationsWhoseValuesSpanNoRoomForAnAxisOrMoreThanADouble() throws IOException {
        // f from 0 to 4.9E-324 and f' = 0 (no double lies strictly between 0 and the max): a span
        // whose tick step is no double; and f of a slope of Double.MAX_VALUE, which reaches
        // -Double.MAX_VALUE within [-6, 6], so that the span with its padding is no double either.
        for (String spec :
                List.of(
                        "clipped_relu(max=4.9E-324)",
                        "relu(negative_slope=1.7976931348623157e308)",
                        "relu(negative_slope=1e308, threshold=100)")) {
            Path file = dir.resolve("extreme.png");
            Run run =
                    ReportFixtures.run(
                            PlotCommand.commandLine(),
                            "--activation",
                            spec,
                            "--output",
                            file.toString());
            assertThat(run.status).as(spec + ": " + run.err).isZero();
            assertThat(png(file).getWidth()).isEqualTo(1200);
        }
        // The slope of Double.MAX_VALUE: the axis reaches down to about -Double.MAX_VALUE / 4, so
        // above 0, f(z) = z lies on the zero line, which is the padding (5% of a span of 110%)
        // below the top: 76 + 0.05 / 1.1 * 560 = 101.45. Below 0, f runs off the bottom of the
        // plot, where the clip cuts it.
        BufferedImage steep =
                ActivationPlot.draw(
                                io.relustream.activation.Activations.leakyRelu(Double.MAX_VALUE),
                                -6,
                                6,
                                1201,
                                1200,
                                700)
                        .orElseThrow();
        assertThat(rowsNear(steep, F, x(3))).isNotEmpty().allMatch(r -> Math.abs(r - 101.45) <= 2);
        assertThat(rowsNear(steep, F, x(-3))).isEmpty();
    }

    @Test
    void aRangeNearTheLargestDoubleIsSampledAcrossItsWholeWidth() throws IOException {
        // Ranges the plot accepts (their width is a double) but whose width times the index of a
        // sample is not: 2e306 * 1200 and 2e303 * 999999 are beyond Double.MAX_VALUE.
        for (List<String> range :
                List.of(
                        List.of("--from", "-1e306", "--to", "1e306"),
                        List.of("--from", "-1e303", "--to", "1e303", "--samples", "1000000"))) {
            double r = Double.parseDouble(range.get(3));
            Path file = dir.resolve("wide.png");
            List<String> args = new java.util.ArrayList<>(range);
            args.addAll(List.of("--output", file.toString()));
            Run run = ReportFixtures.run(PlotCommand.commandLine(), args.toArray(new String[0]));

            assertThat(run.status).as(run.err).isZero();
            BufferedImage image = png(file);
            // relu over [-r, r]: values from 0 to r, so y spans -0.05 r to 1.05 r. The labels of
            // such values are wider than the 76 pixels left of the plot leave them: it starts at
            // its frame's column, left, and ends at 1164. Three quarters across (the middle of
            // its pixel at z = r * (column + 0.5 - left) / (1164 - left) * 2 - r), f is at
            // y = 76 + (1.05 r - z) / 1.1 r * 560.
            int left = 76;
            while (!pixel(image, left, 300).equals(new Color(160, 160, 160))) {
                left++;
            }
            int column = (int) Math.floor(left + 0.75 * (1164 - left));
            double z = r * ((column + 0.5 - left) / (1164 - left) * 2 - 1);
            double row = 76 + (1.05 * r - z) / (1.1 * r) * 560;
            assertThat(rowsOf(image, column, F, 76, 636))
                    .as("f at z = %s, row %s", z, row)
                    .contains((int) Math.floor(row))
                    .allMatch(y -> Math.abs(y - row) <= 3);
            // And f' = 1 there, just above the zero line at 76 + 1.05 / 1.1 * 560.
            double one = 76 + (1.05 * r - 1) / (1.1 * r) * 560;
            assertThat(rowsNear(image, DERIVATIVE, column))
                    .isNotEmpty()
                    .allMatch(y -> Math.abs(y - one) <= 2);
        }
    }

    @Test
    void longTickLabelsAtTheEdgesStayInsideTheImage() throws IOException {
        Path file = dir.resolve("far.png");
        Run run =
                ReportFixtures.run(
                        PlotCommand.commandLine(),
                        "--from",
                        "123456789.1",
                        "--to",
                        "123456789.9",
                        "--output",
                        file.toString());

        assertThat(run.status).as(run.err).isZero();
        BufferedImage far = png(file);
        // The last label, 123456789.9, is centred on x 1164 but about 75 pixels wide: more than
        // the 36 to the right edge. Its row of text runs from y 641 to about 656.
        for (int x = far.getWidth() - 2; x < far.getWidth(); x++) {
            for (int y = 636; y < 665; y++) {
                assertThat(pixel(far, x, y)).as("(%d, %d)", x, y).isEqualTo(WHITE);
            }
        }
    }

    @Test
    void longValueLabelsStayClearOfTheAxisTitle() throws IOException {
        // f(z) = z over these ranges: labels such as -6000000 and -1.5E+308, 50 to 60 pixels wide.
        for (String range : List.of("6000000", "1.5e308", "0.00015")) {
            Path file = dir.resolve("wide-" + range + ".png");
            Run run =
                    ReportFixtures.run(
                            PlotCommand.commandLine(),
                            "--activation",
                            "leaky_relu(alpha=1)",
                            "--from",
                            "-" + range,
                            "--to",
                            range.equals("1.5e308") ? "1.5e307" : range,
                            "--output",
                            file.toString());
            assertThat(run.status).as(run.err).isZero();
            BufferedImage plot = png(file);

            // The title "f(z), f'(z)" reads upwards around x 22: the columns with ink around it,
            // from the top of the plot area to its bottom, are the title's alone, 12 to 34.
            int left = 22;
            while (left > 0 && inked(plot, left - 1)) {
                left--;
            }
            int right = 22;
            while (right < plot.getWidth() - 1 && inked(plot, right + 1)) {
                right++;
            }
            assertThat(left).as("first column of the title, %s", range).isGreaterThanOrEqualTo(12);
            assertThat(right).as("last column of the title, %s", range).isLessThanOrEqualTo(34);
        }
    }

    /** Whether a column has a pixel other than white between the top and bottom of the plot. */
    private static boolean inked(BufferedImage image, int x) {
        for (int y = 60; y < image.getHeight() - 50; y++) {
            if (!pixel(image, x, y).equals(WHITE)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void nothingFiniteIsNothingToPlot() {
        Activation nan = new TestActivation(z -> Double.NaN, z -> Double.NaN);

        assertThat(ActivationPlot.draw(nan, -6, 6, 1201, 1200, 700)).isEmpty();
    }

    /** The rows of {@code color} in the columns of the 30 pixels around {@code x}. */
    private static List<Integer> rowsNear(Color color, double x) {
        return rowsNear(relu, color, x);
    }

    private static List<Integer> rowsNear(BufferedImage image, Color color, double x) {
        List<Integer> rows = new java.util.ArrayList<>();
        for (int column = (int) x - 15; column < (int) x + 15; column++) {
            rows.addAll(rowsOf(image, column, color, 76, 636));
        }
        return rows;
    }

    /** An element-wise activation given by two functions. */
    private static final class TestActivation implements Activation {
        private static final long serialVersionUID = 1L;
        private final java.util.function.DoubleUnaryOperator f;
        private final java.util.function.DoubleUnaryOperator derivative;

        TestActivation(
                java.util.function.DoubleUnaryOperator f,
                java.util.function.DoubleUnaryOperator derivative) {
            this.f = f;
            this.derivative = derivative;
        }

        @Override
        public double apply(double z) {
            return f.applyAsDouble(z);
        }

        @Override
        public double derivative(double z) {
            return derivative.applyAsDouble(z);
        }

        @Override
        public String spec() {
            return "test";
        }
    }
}
