package io.relustream.jobs.report;

import io.relustream.activation.Activation;
import io.relustream.activation.Rectifier;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;

/**
 * An activation {@code f} and its derivative {@code f'} over a range of inputs: the picture of the
 * ReLU article, for any element-wise activation.
 *
 * <pre>{@code
 * Optional<BufferedImage> plot =
 *         ActivationPlot.draw(Activations.parse("relu"), -6, 6, 1201, 1200, 700);
 * }</pre>
 *
 * <p>{@code f} is a solid line ({@link #F_COLOR}), {@code f'} a dashed one on top of it ({@link
 * #DERIVATIVE_COLOR}), so both show where they coincide. The layout is fixed: the plot area spans x
 * from {@link #LEFT} (or further right, as far as value labels wider than its margin need to stay
 * clear of the axis title) to {@code width - }{@link #RIGHT}, mapped exactly to {@code [from, to]},
 * and y from {@link #TOP} to {@code height - }{@link #BOTTOM}, mapped to {@code [lo - pad, hi +
 * pad]} where {@code lo} and {@code hi} are the smallest and largest finite values of both curves
 * and of 0 (up to {@link #AXIS_LIMIT} in magnitude), and {@code pad} is 5% of {@code hi - lo} (1
 * when that is below {@link PlotCommand#MIN_RANGE}, too narrow for an axis). The axes go through
 * zero where zero is in range; grid lines and labels sit at round values.
 *
 * <p>For a {@link Rectifier} the threshold and the max value get thin vertical lines, and the
 * curves are drawn in pieces between them: where a curve jumps (the derivative at the threshold,
 * thresholded ReLU itself) the line breaks, a filled dot marks the value exactly there (so {@code
 * relu'(0) = 0} shows) and an open dot the limit on the other side. NaN breaks a line; infinite
 * values, and finite ones beyond {@link #AXIS_LIMIT}, are clipped at the edge of the plot.
 */
final class ActivationPlot {

    static final int LEFT = 76;
    static final int RIGHT = 36;
    static final int TOP = 76;
    static final int BOTTOM = 64;

    /** Where the value axis' title reads upwards, and the least room between it and the labels. */
    private static final int TITLE_X = 22;

    private static final int TITLE_GAP = 6;

    /**
     * The largest magnitude the y axis reaches: with the padding, its span stays a finite double (a
     * leaky slope near Double.MAX_VALUE gives values up to it on both sides of 0).
     */
    static final double AXIS_LIMIT = Double.MAX_VALUE / 4;

    static final Color F_COLOR = new Color(31, 119, 180);
    static final Color DERIVATIVE_COLOR = new Color(255, 127, 14);
    static final Color THRESHOLD_COLOR = new Color(110, 110, 110);
    static final Color MAX_COLOR = new Color(148, 103, 189);

    static final float F_WIDTH = 3f;
    static final float DERIVATIVE_WIDTH = 2f;

    /** Dash and gap of the derivative's line, in pixels. */
    static final float[] DASH = {10f, 7f};

    /**
     * Radii of the dots at a jump: the function's around the derivative's, so that both show where
     * they coincide (thresholded ReLU jumps to 1 and its derivative too).
     */
    static final double F_DOT_RADIUS = 5.5;

    static final double DERIVATIVE_DOT_RADIUS = 3.5;

    private ActivationPlot() {}

    /**
     * The plot of {@code activation} at {@code samples} evenly spaced inputs from {@code from} to
     * {@code to} (and at its threshold and max value), or empty when neither curve has a finite
     * value there.
     */
    static Optional<BufferedImage> draw(
            Activation activation, double from, double to, int samples, int width, int height) {
        List<Double> breaks = breakpoints(activation, from, to);
        List<List<double[]>> f = pieces(activation::apply, from, to, samples, breaks);
        List<List<double[]>> derivative = pieces(activation::derivative, from, to, samples, breaks);
        // The curves, and the values exactly at the breakpoints, which the dots show.
        List<double[]> values = new ArrayList<>();
        for (List<List<double[]>> curve : List.of(f, derivative)) {
            curve.forEach(values::addAll);
        }
        for (double at : breaks) {
            values.add(new double[] {at, activation.apply(at)});
            values.add(new double[] {at, activation.derivative(at)});
        }
        double lo = 0;
        double hi = 0;
        boolean finite = false;
        for (double[] point : values) {
            finite |= Double.isFinite(point[1]);
            if (Math.abs(point[1]) <= AXIS_LIMIT) {
                lo = Math.min(lo, point[1]);
                hi = Math.max(hi, point[1]);
            }
        }
        if (!finite) {
            return Optional.empty();
        }
        // A narrower span has no room for tick values (5% of it may even round to 0).
        double pad = hi - lo >= PlotCommand.MIN_RANGE ? 0.05 * (hi - lo) : 1;
        BufferedImage image = Charts.canvas(width, height);
        Graphics2D g = Charts.graphics(image);
        try {
            new Drawing(g, activation, from, to, lo - pad, hi + pad, width, height)
                    .draw(f, derivative, breaks);
        } finally {
            g.dispose();
        }
        return Optional.of(image);
    }

    /** The threshold and the max value of a rectifier that lie in the range, ends included. */
    static List<Double> breakpoints(Activation activation, double from, double to) {
        TreeSet<Double> breaks = new TreeSet<>();
        if (activation instanceof Rectifier) {
            Rectifier rectifier = (Rectifier) activation;
            for (double at : new double[] {rectifier.threshold(), rectifier.maxValue()}) {
                if (at >= from && at <= to) {
                    breaks.add(at);
                }
            }
        }
        return new ArrayList<>(breaks);
    }

    /**
     * The curve {@code (z, g(z))} as pieces between the breakpoints. At a breakpoint each piece
     * takes the limit from its own side, {@code g} of the neighbouring double, so that a jump never
     * becomes a vertical line (also at the ends of the range: {@code relu6'} over {@code [-6, 6]}
     * ends at 1, not with a drop to {@code relu6'(6) = 0}).
     */
    private static List<List<double[]>> pieces(
            DoubleUnaryOperator g, double from, double to, int samples, List<Double> breaks) {
        List<List<double[]>> pieces = new ArrayList<>();
        List<double[]> piece = new ArrayList<>();
        boolean breakAtFrom = !breaks.isEmpty() && breaks.get(0) == from;
        piece.add(new double[] {from, g.applyAsDouble(breakAtFrom ? Math.nextUp(from) : from)});
        int next = breakAtFrom ? 1 : 0;
        for (int i = 1; i < samples; i++) {
            // The share of the range first: the range's width times i may be no double (2e306
            // times 1200), a share of it always is.
            double z = i == samples - 1 ? to : from + (to - from) * ((double) i / (samples - 1));
            while (next < breaks.size() && breaks.get(next) <= z) {
                double at = breaks.get(next++);
                piece.add(new double[] {at, g.applyAsDouble(Math.nextDown(at))});
                if (at < to) {
                    pieces.add(piece);
                    piece = new ArrayList<>();
                    piece.add(new double[] {at, g.applyAsDouble(Math.nextUp(at))});
                }
            }
            if (piece.get(piece.size() - 1)[0] < z) {
                piece.add(new double[] {z, g.applyAsDouble(z)});
            }
        }
        pieces.add(piece);
        return pieces;
    }

    private static final class Drawing {
        private final Graphics2D g;
        private final Activation activation;
        private final double from;
        private final double to;
        private final double bottom;
        private final double top;
        private final int width;
        private final int height;
        private final double x0;
        private final double x1;
        private final double y0;
        private final double y1;

        Drawing(
                Graphics2D g,
                Activation activation,
                double from,
                double to,
                double bottom,
                double top,
                int width,
                int height) {
            this.g = g;
            this.activation = activation;
            this.from = from;
            this.to = to;
            this.bottom = bottom;
            this.top = top;
            this.width = width;
            this.height = height;
            this.y0 = TOP;
            this.y1 = height - BOTTOM;
            this.x0 = Math.max(LEFT, Math.ceil(leftOfValueLabels()));
            this.x1 = width - RIGHT;
        }

        /** The ticks of the value axis: they depend on its height only. */
        Ticks valueTicks() {
            return Ticks.between(bottom, top, (int) Math.max(2, (y1 - y0) / 50));
        }

        /**
         * Where the plot area must start for the widest value label, which ends a tick and 4 pixels
         * left of it, to start {@link #TITLE_GAP} pixels right of the axis title (which reads
         * upwards at x 22); the plot starts there where {@link #LEFT} leaves too little room.
         */
        private double leftOfValueLabels() {
            g.setFont(Charts.LABEL_FONT);
            FontMetrics title = g.getFontMetrics();
            double titleEnd = TITLE_X + title.getAscent() / 2.0 + title.getDescent();
            g.setFont(Charts.TICK_FONT);
            double widest = 0;
            for (String label : valueTicks().labels()) {
                widest = Math.max(widest, Charts.textWidth(g, label));
            }
            return titleEnd + TITLE_GAP + widest + 4 + Charts.TICK_LENGTH;
        }

        double x(double z) {
            return x0 + (z - from) / (to - from) * (x1 - x0);
        }

        /**
         * The row of a value; values beyond the axis (infinities among them) land just outside the
         * plot, where the clip cuts them.
         */
        double y(double value) {
            if (value > top) {
                return y0 - 10;
            }
            if (value < bottom) {
                return y1 + 10;
            }
            return y0 + (top - value) / (top - bottom) * (y1 - y0);
        }

        void draw(List<List<double[]>> f, List<List<double[]>> derivative, List<Double> breaks) {
            String spec = activation.spec();
            Charts.title(
                    g,
                    width,
                    spec + " and its derivative",
                    "f(z) = "
                            + spec
                            + " and f'(z) for z from "
                            + number(from)
                            + " to "
                            + number(to));
            grid();
            Shape area = new Rectangle2D.Double(x0, y0, x1 - x0, y1 - y0);
            markers();
            g.setClip(area);
            curve(f, new BasicStroke(F_WIDTH, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            curve(
                    derivative,
                    new BasicStroke(
                            DERIVATIVE_WIDTH,
                            BasicStroke.CAP_BUTT,
                            BasicStroke.JOIN_ROUND,
                            10f,
                            DASH,
                            0f),
                    DERIVATIVE_COLOR);
            g.setClip(null);
            // Unclipped: a dot at either end of the range shows whole.
            for (double at : breaks) {
                jump(activation::apply, at, F_COLOR, F_DOT_RADIUS);
                jump(activation::derivative, at, DERIVATIVE_COLOR, DERIVATIVE_DOT_RADIUS);
            }
            legend();
        }

        private void curve(List<List<double[]>> pieces, BasicStroke stroke) {
            curve(pieces, stroke, F_COLOR);
        }

        private void curve(List<List<double[]>> pieces, BasicStroke stroke, Color color) {
            g.setColor(color);
            g.setStroke(stroke);
            Path2D.Double path = new Path2D.Double();
            for (List<double[]> piece : pieces) {
                boolean open = false;
                for (double[] point : piece) {
                    if (Double.isNaN(point[1])) {
                        open = false;
                        continue;
                    }
                    if (open) {
                        path.lineTo(x(point[0]), y(point[1]));
                    } else {
                        path.moveTo(x(point[0]), y(point[1]));
                        open = true;
                    }
                }
            }
            g.draw(path);
        }

        /** A filled dot at the value at {@code at}, open dots at the limits that differ from it. */
        private void jump(DoubleUnaryOperator curve, double at, Color color, double radius) {
            double value = curve.applyAsDouble(at);
            // At an end of the range, only the side that is drawn.
            double left = at == from ? value : curve.applyAsDouble(Math.nextDown(at));
            double right = at == to ? value : curve.applyAsDouble(Math.nextUp(at));
            boolean leftJumps = apart(left, value);
            boolean rightJumps = apart(right, value);
            if (!leftJumps && !rightJumps) {
                return;
            }
            g.setStroke(Charts.stroke(2f));
            for (double limit : new double[] {left, right}) {
                if (apart(limit, value) && onAxis(limit)) {
                    Shape dot = dot(at, limit, radius);
                    g.setColor(Charts.BACKGROUND);
                    g.fill(dot);
                    g.setColor(color);
                    g.draw(dot);
                }
            }
            if (onAxis(value)) {
                g.setColor(color);
                g.fill(dot(at, value, radius));
            }
        }

        /** Whether a value is within the y axis; a dot beyond it would land outside the plot. */
        private boolean onAxis(double value) {
            return value >= bottom && value <= top;
        }

        /** Whether two values are drawn at least half a pixel apart. */
        private boolean apart(double a, double b) {
            if (Double.isNaN(a) || Double.isNaN(b)) {
                return Double.isNaN(a) != Double.isNaN(b);
            }
            return Math.abs(y(a) - y(b)) >= 0.5;
        }

        private Shape dot(double z, double value, double r) {
            return new Ellipse2D.Double(x(z) - r, y(value) - r, 2 * r, 2 * r);
        }

        private void grid() {
            g.setFont(Charts.TICK_FONT);
            double ascent = g.getFontMetrics().getAscent();
            g.setStroke(Charts.stroke(1f));
            Ticks xs = Ticks.between(from, to, (int) Math.max(2, (x1 - x0) / 80));
            for (int i = 0; i < xs.values().size(); i++) {
                double x = Charts.crisp(x(xs.values().get(i)));
                g.setColor(Charts.GRID);
                g.draw(new Line2D.Double(x, y0, x, y1));
                g.setColor(Charts.FRAME);
                g.draw(new Line2D.Double(x, y1, x, y1 + Charts.TICK_LENGTH));
                g.setColor(Charts.TEXT);
                // Moved inwards at the image's edges: the right margin is narrower than a long
                // label such as 123456789.9 is wide.
                Charts.centredInside(
                        g, xs.labels().get(i), x, y1 + Charts.TICK_LENGTH + 4 + ascent, width);
            }
            Ticks ys = valueTicks();
            for (int i = 0; i < ys.values().size(); i++) {
                double y = Charts.crisp(y(ys.values().get(i)));
                g.setColor(Charts.GRID);
                g.draw(new Line2D.Double(x0, y, x1, y));
                g.setColor(Charts.FRAME);
                g.draw(new Line2D.Double(x0 - Charts.TICK_LENGTH, y, x0, y));
                g.setColor(Charts.TEXT);
                Charts.rightAligned(
                        g, ys.labels().get(i), x0 - Charts.TICK_LENGTH - 4, y + ascent / 2 - 1);
            }
            g.setColor(Charts.FRAME);
            g.draw(Charts.frame(x0, y0, x1, y1));
            g.setColor(Charts.AXIS);
            g.setStroke(Charts.stroke(1f));
            if (bottom < 0 && 0 < top) {
                g.draw(new Line2D.Double(x0, Charts.crisp(y(0)), x1, Charts.crisp(y(0))));
            }
            if (from < 0 && 0 < to) {
                g.draw(new Line2D.Double(Charts.crisp(x(0)), y0, Charts.crisp(x(0)), y1));
            }
            g.setColor(Charts.TEXT);
            g.setFont(Charts.LABEL_FONT);
            Charts.centred(g, "z", (x0 + x1) / 2, height - 14);
            Charts.vertical(g, "f(z), f'(z)", TITLE_X, (y0 + y1) / 2);
        }

        /**
         * Thin vertical lines at the threshold and the max value of a rectifier, labelled above the
         * plot area: the threshold's label to the left of its line, the max value's to the right
         * (the max value is above the threshold), each turned inwards at an edge.
         */
        private void markers() {
            if (!(activation instanceof Rectifier)) {
                return;
            }
            Rectifier rectifier = (Rectifier) activation;
            marker(
                    rectifier.threshold(),
                    "threshold " + number(rectifier.threshold()),
                    true,
                    THRESHOLD_COLOR);
            if (Double.isFinite(rectifier.maxValue())) {
                marker(
                        rectifier.maxValue(),
                        "max value " + number(rectifier.maxValue()),
                        false,
                        MAX_COLOR);
            }
        }

        private void marker(double at, String label, boolean left, Color color) {
            if (!(at >= from && at <= to)) {
                return;
            }
            double x = Charts.crisp(x(at));
            g.setColor(color);
            g.setStroke(
                    new BasicStroke(
                            1f,
                            BasicStroke.CAP_BUTT,
                            BasicStroke.JOIN_MITER,
                            10f,
                            new float[] {4f, 4f},
                            0f));
            g.draw(new Line2D.Double(x, y0 - 8, x, y1));
            g.setFont(Charts.TICK_FONT);
            double textWidth = Charts.textWidth(g, label);
            double baseline = y0 - 6;
            boolean toLeft = left ? x - 6 - textWidth >= 4 : x + 6 + textWidth > width - 4;
            if (toLeft) {
                Charts.rightAligned(g, label, x - 6, baseline);
            } else {
                g.drawString(label, (float) (x + 6), (float) baseline);
            }
        }

        private void legend() {
            g.setFont(Charts.LABEL_FONT);
            double ascent = g.getFontMetrics().getAscent();
            String[] labels = {"f(z)", "f'(z)"};
            double textWidth =
                    Math.max(Charts.textWidth(g, labels[0]), Charts.textWidth(g, labels[1]));
            double left = x0 + 14;
            double top = y0 + 14;
            Rectangle2D box = new Rectangle2D.Double(left, top, 36 + 10 + textWidth + 14, 56);
            g.setColor(Charts.BACKGROUND);
            g.fill(box);
            g.setColor(Charts.FRAME);
            g.setStroke(Charts.stroke(1f));
            g.draw(box);
            for (int i = 0; i < 2; i++) {
                double middle = top + 16 + i * 24;
                if (i == 0) {
                    g.setColor(F_COLOR);
                    g.setStroke(
                            new BasicStroke(
                                    F_WIDTH, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                } else {
                    g.setColor(DERIVATIVE_COLOR);
                    g.setStroke(
                            new BasicStroke(
                                    DERIVATIVE_WIDTH,
                                    BasicStroke.CAP_BUTT,
                                    BasicStroke.JOIN_ROUND,
                                    10f,
                                    DASH,
                                    0f));
                }
                g.draw(new Line2D.Double(left + 10, middle, left + 46, middle));
                g.setColor(Charts.TEXT);
                g.drawString(labels[i], (float) (left + 56), (float) (middle + ascent / 2 - 1));
            }
        }
    }

    /** A number as the user would type it: 6, -6, 0.5, 1.0E-5. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
