package io.relustream.jobs.report;

import java.awt.Color;

/**
 * The colours of the charts: one per group (Tableau's ten, which stay apart for most colour
 * vision), and the scale of the heatmap.
 *
 * <pre>{@code
 * Color first = Palette.group(0);      // blue
 * Color half = Palette.scale(0.5);     // viridis at 0.5, a teal
 * }</pre>
 */
final class Palette {

    private static final Color[] GROUPS = {
        new Color(31, 119, 180),
        new Color(255, 127, 14),
        new Color(44, 160, 44),
        new Color(214, 39, 40),
        new Color(148, 103, 189),
        new Color(140, 86, 75),
        new Color(227, 119, 194),
        new Color(127, 127, 127),
        new Color(188, 189, 34),
        new Color(23, 190, 207)
    };

    /** Viridis at 0, 1/8, ..., 1: dark, perceptually even, readable in grey and by most. */
    private static final int[][] VIRIDIS = {
        {68, 1, 84},
        {71, 44, 122},
        {59, 81, 139},
        {44, 113, 142},
        {33, 144, 141},
        {39, 173, 129},
        {92, 200, 99},
        {170, 220, 50},
        {253, 231, 37}
    };

    /** The heatmap's colour of a dead feature: a red that viridis never reaches. */
    static final Color DEAD = new Color(220, 20, 60);

    /** The heatmap's colour where a group has no value: a window or a feature it lacks. */
    static final Color NO_DATA = new Color(238, 238, 238);

    private Palette() {}

    /** The colour of the group at {@code index} in the chart's order; repeats after ten. */
    static Color group(int index) {
        return GROUPS[Math.floorMod(index, GROUPS.length)];
    }

    /** The heatmap colour of a share in {@code [0, 1]} (values outside are clamped). */
    static Color scale(double share) {
        double clamped = Math.max(0.0, Math.min(1.0, share));
        double position = clamped * (VIRIDIS.length - 1);
        int lower = Math.min((int) Math.floor(position), VIRIDIS.length - 2);
        double t = position - lower;
        int[] a = VIRIDIS[lower];
        int[] b = VIRIDIS[lower + 1];
        return new Color(
                (int) Math.round(a[0] + t * (b[0] - a[0])),
                (int) Math.round(a[1] + t * (b[1] - a[1])),
                (int) Math.round(a[2] + t * (b[2] - a[2])));
    }
}
