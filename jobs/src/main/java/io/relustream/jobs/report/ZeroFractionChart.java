package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * The line chart of {@code zero_fraction} over time: one line per group, x the window end (UTC), y
 * the share of zero activations from 0 to 1.
 *
 * <pre>{@code
 * Optional<BufferedImage> chart = ZeroFractionChart.draw(series, 1200, 700);
 * }</pre>
 *
 * <p>The layout is fixed so that a point's place can be computed from its values alone: the plot
 * area spans x from {@link #LEFT} to {@code width - }{@link #RIGHT} (the legend is on the right)
 * and y from {@link #TOP} to {@code height - }{@link #BOTTOM}; inside it, {@link #INSET} pixels
 * from each edge, the first and last window ends map to the left and right, and 0 and 1 to the
 * bottom and top. Lines take the colours of {@link Palette#groups} in name order, each its own. A
 * line breaks where a window has no zero fraction (no values) or where windows are missing; every
 * window gets a marker unless they would crowd.
 */
final class ZeroFractionChart {

    static final int LEFT = 84;
    static final int RIGHT = 220;
    static final int TOP = 76;
    static final int BOTTOM = 64;
    static final int INSET = 14;

    static final double MARKER_RADIUS = 4;
    static final float LINE_WIDTH = 2f;

    private static final int LEGEND_ROW = 24;

    private ZeroFractionChart() {}

    /** The chart, or empty when no window of any group has a zero fraction. */
    static Optional<BufferedImage> draw(StatsSeries series, int width, int height) {
        boolean anyValue =
                series.lines().stream()
                        .flatMap(line -> series.windows(line).stream())
                        .anyMatch(w -> share(w) != null);
        if (!anyValue) {
            return Optional.empty();
        }
        BufferedImage image = Charts.canvas(width, height);
        Graphics2D g = Charts.graphics(image);
        try {
            new Drawing(g, series, width, height).draw();
        } finally {
            g.dispose();
        }
        return Optional.of(image);
    }

    /**
     * A window's zero fraction, or null when it has none; NaN and infinities, which no job writes,
     * are none too (drawn, NaN would join the line across the window instead of breaking it, and an
     * infinity would send it off the chart in a stroke through every share).
     */
    static Double share(ActivationStats window) {
        Double share = window.getZeroFraction();
        return share == null || !Double.isFinite(share) ? null : share;
    }

    private static final class Drawing {
        private final Graphics2D g;
        private final StatsSeries series;
        private final int width;
        private final int height;
        private final double x0;
        private final double x1;
        private final double y0;
        private final double y1;
        private final long from;
        private final long to;
        private final long step;

        Drawing(Graphics2D g, StatsSeries series, int width, int height) {
            this.g = g;
            this.series = series;
            this.width = width;
            this.height = height;
            this.x0 = LEFT;
            this.x1 = width - RIGHT;
            this.y0 = TOP;
            this.y1 = height - BOTTOM;
            List<Long> ends = series.windowEnds();
            this.step = series.windowStep();
            long first = ends.get(0);
            long last = ends.get(ends.size() - 1);
            // One window: put it in the middle, a window's step from either side.
            this.from = first == last ? first - step : first;
            this.to = first == last ? last + step : last;
        }

        double x(long time) {
            return x0 + INSET + (double) (time - from) / (to - from) * (x1 - x0 - 2 * INSET);
        }

        double y(double share) {
            return y1 - INSET - share * (y1 - y0 - 2 * INSET);
        }

        long timeAt(double x) {
            return from + Math.round((x - x0 - INSET) / (x1 - x0 - 2 * INSET) * (to - from));
        }

        void draw() {
            List<Long> ends = series.windowEnds();
            Charts.title(
                    g,
                    width,
                    "Share of zero activations per window",
                    String.format(
                            "activation %s \u00b7 %d group%s \u00b7 %d window%s of %s \u00b7 window"
                                    + " ends %s UTC",
                            String.join(", ", series.activations()),
                            series.groups().size(),
                            series.groups().size() == 1 ? "" : "s",
                            series.windowCount(),
                            series.windowCount() == 1 ? "" : "s",
                            series.windowLengths(),
                            TimeTicks.span(ends.get(0), ends.get(ends.size() - 1))));
            axes();
            Rectangle2D area = new Rectangle2D.Double(x0, y0, x1 - x0, y1 - y0);
            g.setClip(area);
            List<StatsSeries.Line> lines = series.lines();
            List<Color> colours = Palette.groups(lines.size());
            for (int i = 0; i < lines.size(); i++) {
                line(series.windows(lines.get(i)), series.windowStep(lines.get(i)), colours.get(i));
            }
            g.setClip(null);
            legend(lines, colours);
        }

        private void axes() {
            g.setFont(Charts.TICK_FONT);
            double ascent = g.getFontMetrics().getAscent();
            Ticks shares = Ticks.between(0, 1, 10);
            for (int i = 0; i < shares.values().size(); i++) {
                double y = Charts.crisp(y(shares.values().get(i)));
                g.setColor(Charts.GRID);
                g.setStroke(Charts.stroke(1f));
                g.draw(new Line2D.Double(x0, y, x1, y));
                g.setColor(Charts.FRAME);
                g.draw(new Line2D.Double(x0 - Charts.TICK_LENGTH, y, x0, y));
                g.setColor(Charts.TEXT);
                Charts.rightAligned(
                        g, shares.labels().get(i), x0 - Charts.TICK_LENGTH - 4, y + ascent / 2 - 1);
            }
            TimeTicks times = TimeTicks.fitting(timeAt(x0), timeAt(x1), x1 - x0, g);
            for (int i = 0; i < times.times().size(); i++) {
                double x = Charts.crisp(x(times.times().get(i)));
                g.setColor(Charts.GRID);
                g.draw(new Line2D.Double(x, y0, x, y1));
                g.setColor(Charts.FRAME);
                g.draw(new Line2D.Double(x, y1, x, y1 + Charts.TICK_LENGTH));
                g.setColor(Charts.TEXT);
                Charts.centred(g, times.labels().get(i), x, y1 + Charts.TICK_LENGTH + 4 + ascent);
            }
            g.setColor(Charts.FRAME);
            g.draw(Charts.frame(x0, y0, x1, y1));
            g.setColor(Charts.TEXT);
            g.setFont(Charts.LABEL_FONT);
            Charts.centred(g, "window end (UTC)", (x0 + x1) / 2, height - 14);
            Charts.vertical(g, "zero_fraction (share of zero activations)", 22, (y0 + y1) / 2);
        }

        /** A line's windows, {@code step} apart where none is missing. */
        private void line(List<ActivationStats> windows, long step, Color color) {
            boolean markers = windows.size() <= (x1 - x0) / (3 * MARKER_RADIUS);
            g.setColor(color);
            g.setStroke(Charts.stroke(LINE_WIDTH));
            Path2D.Double path = new Path2D.Double();
            boolean open = false;
            long previous = Long.MIN_VALUE;
            for (ActivationStats window : windows) {
                long end = window.getWindowEnd().toEpochMilli();
                Double share = share(window);
                // A missing window is a gap in the data: no line across it.
                boolean gap = previous != Long.MIN_VALUE && end - previous > step * 3 / 2;
                if (share == null || gap) {
                    open = false;
                }
                if (share != null) {
                    if (open) {
                        path.lineTo(x(end), y(share));
                    } else {
                        path.moveTo(x(end), y(share));
                        open = true;
                    }
                }
                previous = end;
            }
            g.draw(path);
            for (int i = 0; i < windows.size(); i++) {
                Double share = share(windows.get(i));
                if (share == null) {
                    continue;
                }
                // Without markers, a window between two gaps would not show at all.
                if (markers || isolated(windows, i, step)) {
                    double r = markers ? MARKER_RADIUS : LINE_WIDTH;
                    long end = windows.get(i).getWindowEnd().toEpochMilli();
                    g.fill(new Ellipse2D.Double(x(end) - r, y(share) - r, 2 * r, 2 * r));
                }
            }
        }

        private boolean isolated(List<ActivationStats> windows, int i, long step) {
            return !joined(windows, i - 1, i, step) && !joined(windows, i, i + 1, step);
        }

        private boolean joined(List<ActivationStats> windows, int a, int b, long step) {
            if (a < 0 || b >= windows.size()) {
                return false;
            }
            ActivationStats first = windows.get(a);
            ActivationStats second = windows.get(b);
            return share(first) != null
                    && share(second) != null
                    && second.getWindowEnd().toEpochMilli() - first.getWindowEnd().toEpochMilli()
                            <= step * 3 / 2;
        }

        private void legend(List<StatsSeries.Line> groups, List<Color> colours) {
            double left = x1 + 24;
            double top = y0 + 4;
            g.setFont(Charts.LABEL_FONT);
            double ascent = g.getFontMetrics().getAscent();
            g.setColor(Charts.TEXT);
            g.drawString("group", (float) left, (float) (top + ascent));
            int rows = (int) ((y1 - top) / LEGEND_ROW) - 1;
            boolean cut = groups.size() > rows;
            int shown = cut ? rows - 1 : groups.size();
            for (int i = 0; i < shown; i++) {
                double middle = top + (i + 1.5) * LEGEND_ROW;
                g.setColor(colours.get(i));
                g.setStroke(Charts.stroke(LINE_WIDTH));
                g.draw(new Line2D.Double(left, middle, left + 28, middle));
                double r = MARKER_RADIUS;
                g.fill(new Ellipse2D.Double(left + 14 - r, middle - r, 2 * r, 2 * r));
                g.setColor(Charts.TEXT);
                String name = Charts.fit(g, groups.get(i).label(), width - left - 40 - 8);
                g.drawString(name, (float) (left + 38), (float) (middle + ascent / 2 - 1));
            }
            if (cut) {
                double middle = top + (shown + 1.5) * LEGEND_ROW;
                g.setColor(Charts.MUTED_TEXT);
                String more = "\u2026 and " + (groups.size() - shown) + " more";
                g.drawString(more, (float) (left + 38), (float) (middle + ascent / 2 - 1));
            }
        }
    }
}
