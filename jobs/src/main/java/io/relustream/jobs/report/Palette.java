package io.relustream.jobs.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The colours of the charts: one per line (Tableau's ten, which stay apart for most colour vision,
 * then colours of their own), and the scale of the heatmap.
 *
 * <pre>{@code
 * List<Color> lines = Palette.groups(12);  // blue, orange, ..., then two more
 * Color half = Palette.scale(0.5);         // viridis at 0.5, a teal
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

    /**
     * Lines that get a colour of their own; further ones take the colours again from the first. Far
     * more than a legend names (326 at 8000 pixels) and a small part of the colours below.
     */
    static final int DISTINCT_COLOURS = 100_000;

    /** The plastic number: its powers spread points evenly in three dimensions (Roberts' R3). */
    private static final double PLASTIC = 1.2207440846057596;

    /**
     * {@code count} colours, one per line in the chart's order: Tableau's ten, then hue, saturation
     * (0.45 to 1) and brightness (0.45 to 0.9) spread evenly, so none is pale on the white chart,
     * each unlike every colour before it. The more lines, the more alike they look; the legend
     * names them. After {@link #DISTINCT_COLOURS} they repeat.
     */
    static List<Color> groups(int count) {
        Set<Color> colours = new LinkedHashSet<>();
        for (int i = 0; i < Math.min(count, GROUPS.length); i++) {
            colours.add(GROUPS[i]);
        }
        int distinct = Math.min(count, DISTINCT_COLOURS);
        for (long k = 0; colours.size() < distinct; k++) {
            double hue = fraction(0.5 + k / PLASTIC);
            double saturation = 0.45 + 0.55 * fraction(0.5 + k / (PLASTIC * PLASTIC));
            double brightness = 0.45 + 0.45 * fraction(0.5 + k / (PLASTIC * PLASTIC * PLASTIC));
            // A colour that rounds to one already taken is passed over.
            colours.add(Color.getHSBColor((float) hue, (float) saturation, (float) brightness));
        }
        List<Color> list = new ArrayList<>(colours);
        for (int i = distinct; i < count; i++) {
            list.add(list.get(i % DISTINCT_COLOURS));
        }
        return list;
    }

    private static double fraction(double x) {
        return x - Math.floor(x);
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
