package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The heatmap of {@code per_feature_zero_fraction}: one panel per group, x the window (time, UTC),
 * y the feature index (0 at the top), the colour the share of zero activations, from {@link
 * Palette#scale} (viridis, 0 dark to 1 yellow); dead features, whose share is at least the dead
 * threshold, in {@link Palette#DEAD}, and cells without a value in {@link Palette#NO_DATA}.
 *
 * <pre>{@code
 * Optional<BufferedImage> heatmap = FeatureHeatmap.draw(series, 1.0, 1200, 700);
 * }</pre>
 *
 * <p>The layout is fixed so that a cell's place can be computed from its values alone. The panels
 * share the area from x {@link #LEFT} to {@code width - }{@link #RIGHT} (the colour scale is on the
 * right) and y {@link #TOP} to {@code height - }{@link #BOTTOM}, split into equal slots {@link
 * #PANEL_GAP} apart; a slot's first {@link #PANEL_LABEL} pixels hold the group's name and the rest
 * its cells, one row per feature; a group with windows of several lengths has a panel per length.
 * Groups that would leave a panel less than {@link #MIN_PANEL_CELLS} pixels of cells are left out,
 * and the subtitle says how many are shown. Each window is a column ending at its window end and as
 * wide as the time between the windows of its panel ({@link
 * StatsSeries#windowStep(StatsSeries.Line)}); the time axis of all panels is the same, from the
 * start of the first column to the last window end. Missing windows stay empty. Cells are whole
 * pixels, at least one, inside the panel's frame; where features outnumber a panel's rows of
 * pixels, features that share a row show the largest share among them, so a dead feature always
 * shows.
 */
final class FeatureHeatmap {

    static final int LEFT = 84;
    static final int RIGHT = 170;
    static final int TOP = 76;
    static final int BOTTOM = 64;
    static final int PANEL_GAP = 10;
    static final int PANEL_LABEL = 22;

    /** The least height of a panel's cells; groups beyond those that fit are left out. */
    static final int MIN_PANEL_CELLS = 20;

    private static final int SCALE_WIDTH = 18;
    private static final int MIN_LABEL_SPACING = 14;

    private FeatureHeatmap() {}

    /**
     * The heatmap, or empty when no window of any group has per-feature values (NaN is none); a
     * group without any has no panel.
     */
    static Optional<BufferedImage> draw(
            StatsSeries series, double deadThreshold, int width, int height) {
        List<StatsSeries.Line> groups = new ArrayList<>();
        for (StatsSeries.Line line : series.lines()) {
            if (hasValues(series.windows(line))) {
                groups.add(line);
            }
        }
        if (groups.isEmpty()) {
            return Optional.empty();
        }
        int total = groups.size();
        List<StatsSeries.Line> shown = groups.subList(0, Math.min(total, panelsThatFit(height)));
        BufferedImage image = Charts.canvas(width, height);
        Graphics2D g = Charts.graphics(image);
        try {
            new Drawing(g, series, shown, total, deadThreshold, width, height).draw();
        } finally {
            g.dispose();
        }
        return Optional.of(image);
    }

    /** How many panels of at least {@link #MIN_PANEL_CELLS} rows of pixels fit; at least one. */
    static int panelsThatFit(int height) {
        int area = height - TOP - BOTTOM;
        return Math.max(1, (area + PANEL_GAP) / (PANEL_LABEL + MIN_PANEL_CELLS + PANEL_GAP));
    }

    /**
     * Whether any window has a share to paint: a NaN share, which no job writes, is none, as a NaN
     * zero_fraction is none in the zero-fraction chart; a heatmap of nothing but missing cells
     * would show nothing.
     */
    static boolean hasValues(List<ActivationStats> windows) {
        return windows.stream()
                .flatMap(w -> w.getPerFeatureZeroFraction().stream())
                .anyMatch(share -> !Double.isNaN(share));
    }

    /** The number of features of a group: the longest per-feature array of its windows. */
    static int features(List<ActivationStats> windows) {
        return windows.stream().mapToInt(w -> w.getPerFeatureZeroFraction().size()).max().orElse(0);
    }

    private static final class Drawing {
        private final Graphics2D g;
        private final StatsSeries series;
        // One panel per group and window length.
        private final List<StatsSeries.Line> groups;
        private final int totalGroups;
        private final double deadThreshold;
        private final int width;
        private final int height;
        private final double x0;
        private final double x1;
        private final double y0;
        private final double y1;
        private final long from;
        private final long to;
        private final double slot;

        Drawing(
                Graphics2D g,
                StatsSeries series,
                List<StatsSeries.Line> groups,
                int totalGroups,
                double deadThreshold,
                int width,
                int height) {
            this.g = g;
            this.series = series;
            this.groups = groups;
            this.totalGroups = totalGroups;
            this.deadThreshold = deadThreshold;
            this.width = width;
            this.height = height;
            this.x0 = LEFT;
            this.x1 = width - RIGHT;
            this.y0 = TOP;
            this.y1 = height - BOTTOM;
            List<Long> ends = series.windowEnds();
            this.from = firstColumnStart(series);
            this.to = ends.get(ends.size() - 1);
            this.slot = (y1 - y0 - (groups.size() - 1) * PANEL_GAP) / groups.size();
        }

        /**
         * Where the first column of any panel starts: a line of longer windows may start before the
         * first window end of all by more than the time between those.
         */
        private static long firstColumnStart(StatsSeries series) {
            long start = Long.MAX_VALUE;
            for (StatsSeries.Line line : series.lines()) {
                long end = series.windows(line).get(0).getWindowEnd().toEpochMilli();
                start = Math.min(start, end - series.windowStep(line));
            }
            return start;
        }

        double x(long time) {
            return x0 + (double) (time - from) / (to - from) * (x1 - x0);
        }

        /** The subtitle, but for {@link #leftOut()}. */
        String subtitle() {
            List<Long> ends = series.windowEnds();
            return String.format(
                    "activation %s \u00b7 dead: zero fraction \u2265 %s \u00b7 %d window%s of %s"
                            + " \u00b7 window ends %s UTC",
                    String.join(", ", series.activations()),
                    share(deadThreshold),
                    series.windowCount(),
                    series.windowCount() == 1 ? "" : "s",
                    series.windowLengths(),
                    TimeTicks.span(ends.get(0), ends.get(ends.size() - 1)));
        }

        /**
         * The end of the subtitle that says how many groups have no panel, or nothing when every
         * one has.
         */
        String leftOut() {
            return groups.size() < totalGroups
                    ? String.format(
                            " \u00b7 the first %d of %d %s (--group chooses)",
                            groups.size(),
                            totalGroups,
                            // A group of several window lengths has several.
                            series.lines().size() == series.groups().size() ? "groups" : "panels")
                    : "";
        }

        void draw() {
            Charts.title(
                    g,
                    width,
                    "Share of zero activations per feature and window",
                    subtitle(),
                    leftOut());
            for (int i = 0; i < groups.size(); i++) {
                panel(i);
            }
            timeAxis();
            scale();
            g.setColor(Charts.TEXT);
            g.setFont(Charts.LABEL_FONT);
            Charts.vertical(g, "feature index", 22, (y0 + y1) / 2);
            Charts.centredInside(
                    g,
                    "time (UTC): each column is a window, up to its end",
                    (x0 + x1) / 2,
                    height - 14,
                    width);
        }

        private void panel(int index) {
            StatsSeries.Line group = groups.get(index);
            List<ActivationStats> windows = series.windows(group);
            // Each window's column spans its own line's step: longer windows, wider columns.
            long step = series.windowStep(group);
            int features = features(windows);
            double top = y0 + index * (slot + PANEL_GAP);
            double gridTop = top + PANEL_LABEL;
            double gridBottom = top + slot;
            double row = (gridBottom - gridTop) / features;

            g.setColor(Palette.NO_DATA);
            g.fill(new Rectangle2D.Double(x0, gridTop, x1 - x0, gridBottom - gridTop));
            // Cells edge to edge: anti-aliasing would leave seams between them.
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            for (ActivationStats window : windows) {
                long end = window.getWindowEnd().toEpochMilli();
                // Whole pixels: neighbours share an edge exactly, so no seam shows between them.
                long[] columns = inside(x(end - step), x(end), x0, x1);
                List<Double> shares = window.getPerFeatureZeroFraction();
                // Features that share a row of pixels (more features than rows) show the largest
                // share among them, so that a dead feature is never painted over by a live one.
                long[] cell = null;
                double largest = Double.NaN;
                for (int f = 0; f < shares.size(); f++) {
                    double share = shares.get(f);
                    if (Double.isNaN(share)) {
                        continue;
                    }
                    long[] rows =
                            inside(gridTop + f * row, gridTop + (f + 1) * row, gridTop, gridBottom);
                    if (cell != null && rows[0] == cell[0]) {
                        largest = Math.max(largest, share);
                        cell[1] = Math.max(cell[1], rows[1]);
                        continue;
                    }
                    fillCell(columns, cell, largest);
                    cell = rows;
                    largest = share;
                }
                fillCell(columns, cell, largest);
            }
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Charts.FRAME);
            g.setStroke(Charts.stroke(1f));
            g.draw(Charts.frame(x0, gridTop, x1, gridBottom));

            g.setFont(Charts.TICK_FONT);
            double ascent = g.getFontMetrics().getAscent();
            int every = labelEvery(row);
            for (int f = 0; f < features; f += every) {
                double middle = Charts.crisp(gridTop + (f + 0.5) * row);
                g.setColor(Charts.FRAME);
                g.draw(new Line2D.Double(x0 - Charts.TICK_LENGTH, middle, x0, middle));
                g.setColor(Charts.TEXT);
                Charts.rightAligned(
                        g,
                        Integer.toString(f),
                        x0 - Charts.TICK_LENGTH - 4,
                        middle + ascent / 2 - 1);
            }

            g.setFont(Charts.LABEL_FONT.deriveFont(Font.BOLD));
            g.setColor(Charts.TEXT);
            String name = Charts.fit(g, group.label(), (x1 - x0) / 2);
            g.drawString(name, (float) x0, (float) (gridTop - 6));
            double nameWidth = Charts.textWidth(g, name);
            g.setFont(Charts.TICK_FONT);
            g.setColor(Charts.MUTED_TEXT);
            String about = Charts.fit(g, describe(windows, features), x1 - x0 - nameWidth - 12);
            g.drawString(about, (float) (x0 + nameWidth + 12), (float) (gridTop - 6));
        }

        /** Paints the cell of a share, if there is one. */
        private void fillCell(long[] columns, long[] rows, double share) {
            if (rows == null) {
                return;
            }
            g.setColor(share >= deadThreshold ? Palette.DEAD : Palette.scale(share));
            g.fillRect(
                    (int) columns[0],
                    (int) rows[0],
                    (int) (columns[1] - columns[0]),
                    (int) (rows[1] - rows[0]));
        }

        /** Features and the dead ones of the last window, e.g. "16 features; dead in ...". */
        private String describe(List<ActivationStats> windows, int features) {
            List<Double> last = windows.get(windows.size() - 1).getPerFeatureZeroFraction();
            List<Integer> dead = new ArrayList<>();
            for (int f = 0; f < last.size(); f++) {
                if (last.get(f) >= deadThreshold) {
                    dead.add(f);
                }
            }
            String count = features + (features == 1 ? " feature" : " features");
            if (dead.isEmpty()) {
                return count + "; none dead in the last window";
            }
            return count
                    + "; dead in the last window: "
                    + dead.size()
                    + " ("
                    + String.join(", ", dead.stream().map(String::valueOf).toList())
                    + ")";
        }

        /** Label every n-th feature, n a round number that keeps labels apart. */
        private int labelEvery(double row) {
            int every = 1;
            while (every * row < MIN_LABEL_SPACING) {
                int power = 1;
                while (power * 10 <= every) {
                    power *= 10;
                }
                int multiple = every / power;
                every = multiple == 1 ? 2 * power : multiple == 2 ? 5 * power : 10 * power;
            }
            return every;
        }

        private void timeAxis() {
            g.setFont(Charts.TICK_FONT);
            double ascent = g.getFontMetrics().getAscent();
            TimeTicks times = TimeTicks.fitting(from, to, x1 - x0, g);
            g.setStroke(Charts.stroke(1f));
            for (int i = 0; i < times.times().size(); i++) {
                double x = Charts.crisp(x(times.times().get(i)));
                g.setColor(Charts.FRAME);
                g.draw(new Line2D.Double(x, y1, x, y1 + Charts.TICK_LENGTH));
                g.setColor(Charts.TEXT);
                Charts.centred(g, times.labels().get(i), x, y1 + Charts.TICK_LENGTH + 4 + ascent);
            }
        }

        private void scale() {
            double left = x1 + 28;
            double top = y0 + PANEL_LABEL;
            double length = Math.max(60, Math.min(220, y1 - top - 90));
            g.setFont(Charts.TICK_FONT);
            double ascent = g.getFontMetrics().getAscent();
            g.setColor(Charts.TEXT);
            g.drawString("zero fraction", (float) left, (float) (top - 8));
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            for (int i = 0; i < (int) length; i++) {
                g.setColor(Palette.scale(1 - i / (length - 1)));
                g.fill(new Rectangle2D.Double(left, top + i, SCALE_WIDTH, 1));
            }
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Charts.FRAME);
            g.draw(new Rectangle2D.Double(left, top, SCALE_WIDTH, (int) length));
            for (double share : new double[] {0, 0.25, 0.5, 0.75, 1}) {
                double y = top + (1 - share) * ((int) length - 1) + 0.5;
                g.setColor(Charts.FRAME);
                g.draw(new Line2D.Double(left + SCALE_WIDTH, y, left + SCALE_WIDTH + 4, y));
                g.setColor(Charts.TEXT);
                g.drawString(
                        share(share),
                        (float) (left + SCALE_WIDTH + 8),
                        (float) (y + ascent / 2 - 1));
            }
            double swatch = top + length + 20;
            g.setColor(Palette.DEAD);
            g.fill(new Rectangle2D.Double(left, swatch, SCALE_WIDTH, 14));
            g.setColor(Charts.TEXT);
            // A threshold of many digits is cut at the image's edge, with an ellipsis.
            g.drawString(
                    Charts.fit(
                            g,
                            "dead (\u2265 " + share(deadThreshold) + ")",
                            width - 4 - (left + SCALE_WIDTH + 8)),
                    (float) (left + SCALE_WIDTH + 8),
                    (float) (swatch + 7 + ascent / 2 - 1));
            swatch += 24;
            g.setColor(Palette.NO_DATA);
            g.fill(new Rectangle2D.Double(left, swatch, SCALE_WIDTH, 14));
            g.setColor(Charts.FRAME);
            g.draw(new Rectangle2D.Double(left, swatch, SCALE_WIDTH, 14));
            g.setColor(Charts.TEXT);
            g.drawString(
                    "no data",
                    (float) (left + SCALE_WIDTH + 8),
                    (float) (swatch + 7 + ascent / 2 - 1));
        }
    }

    /**
     * The pixels {@code [first, end)} that a cell from {@code from} to {@code to} covers, rounded
     * to whole pixels: at least one, and inside the frame drawn at {@code lo} and {@code hi}, which
     * would hide a one-pixel cell at either edge (a window years from the others, the first or last
     * of 100,000 features).
     */
    static long[] inside(double from, double to, double lo, double hi) {
        long firstInside = (long) Math.floor(lo) + 1;
        long endInside = (long) Math.floor(hi);
        long first = Math.max(Math.round(from), firstInside);
        long end = Math.min(Math.max(Math.round(to), first + 1), endInside);
        return new long[] {Math.min(first, end - 1), end};
    }

    /**
     * A share as typed, to its last digit (a threshold rounded to 1 or 0 would name another share):
     * 1, 0.9, 0.25, 0.99999, 0.000001; below a millionth in powers of ten, 1E-7.
     */
    static String share(double share) {
        BigDecimal exact = BigDecimal.valueOf(share).stripTrailingZeros();
        return share == 0 || Math.abs(share) >= 1e-6 ? exact.toPlainString() : exact.toString();
    }
}
