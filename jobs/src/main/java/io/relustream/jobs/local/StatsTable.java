package io.relustream.jobs.local;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders window statistics and alerts as the rows of a plain-text table.
 *
 * <pre>{@code
 * // The titles, the window column as wide as the rows of windows like that of stats need.
 * System.out.println(StatsTable.header(stats));
 * System.out.println(StatsTable.row(stats));    // one ActivationStats
 * System.out.println(StatsTable.alert(alert));  // one ActivationAlert
 * }</pre>
 */
public final class StatsTable {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME_MILLIS =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE_TIME_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** Room for {@code 10:00:00-10:00:05}. */
    private static final int WINDOW_WIDTH = 17;

    /** The columns after the window's. */
    private static final String COLUMNS =
            "  %-12s %8s %9s %6s %5s %5s %5s %6s %8s %8s %8s %8s %8s %8s %8s  %s";

    private StatsTable() {}

    /** The column titles, over windows of whole seconds within a day. */
    public static String header() {
        return header(WINDOW_WIDTH);
    }

    /**
     * The column titles over rows of windows like the one of {@code like}: windows with
     * milliseconds or dates take a wider column than {@link #header()} leaves them.
     */
    public static String header(ActivationStats like) {
        return header(window(like.getWindowStart(), like.getWindowEnd()).length());
    }

    private static String header(int windowWidth) {
        return String.format(
                Locale.ROOT,
                "%-" + windowWidth + "s" + COLUMNS,
                "window (UTC)",
                "group",
                "records",
                "values",
                "zero%",
                "NaN",
                "+inf",
                "-inf",
                "<thr%",
                "min",
                "max",
                "mean",
                "stddev",
                "p50",
                "p90",
                "p99",
                "dead features");
    }

    /** One window of one group. */
    public static String row(ActivationStats stats) {
        String window = window(stats.getWindowStart(), stats.getWindowEnd());
        return String.format(
                Locale.ROOT,
                "%-" + Math.max(WINDOW_WIDTH, window.length()) + "s" + COLUMNS,
                window,
                stats.getGroup(),
                stats.getRecordCount(),
                stats.getValueCount(),
                percent(stats.getZeroFraction()),
                stats.getNanCount(),
                stats.getPosInfCount(),
                stats.getNegInfCount(),
                percent(stats.getNegativeInputFraction()),
                number(stats.getMin()),
                number(stats.getMax()),
                number(stats.getMean()),
                number(stats.getStddev()),
                number(stats.getP50()),
                number(stats.getP90()),
                number(stats.getP99()),
                deadFeatures(stats.getDeadFeatures()));
    }

    /** One alert, on a line of its own. */
    public static String alert(ActivationAlert alert) {
        return "ALERT " + alert.getKind() + " " + alert.getMessage();
    }

    private static String window(Instant start, Instant end) {
        // Times alone would show a window of 1 ms as 10:00:00-10:00:00 and one of a day as
        // 00:00:00-00:00:00: milliseconds when a bound is not a whole second, the date when
        // the window is a day or longer.
        boolean millis = start.getNano() != 0 || end.getNano() != 0;
        boolean dated = !Duration.between(start, end).minusDays(1).isNegative();
        DateTimeFormatter format =
                dated ? (millis ? DATE_TIME_MILLIS : DATE_TIME) : (millis ? TIME_MILLIS : TIME);
        return format.format(start) + "-" + format.format(end);
    }

    private static String percent(Double fraction) {
        if (fraction == null) {
            return "-";
        }
        // 100.0 means every value, 0.0 none: a share that only rounds to them says it is near.
        String rounded = String.format(Locale.ROOT, "%.1f", 100 * fraction);
        if (rounded.equals("100.0") && fraction < 1) {
            return ">99.9";
        }
        if (rounded.equals("0.0") && fraction > 0) {
            return "<0.1";
        }
        return rounded;
    }

    private static String number(Double value) {
        if (value == null) {
            return "-";
        }
        // Fixed notation would print 300 digits for 1e300 and 0.000 for 1e-4: a column of 8
        // shows such magnitudes as powers of ten.
        double magnitude = Math.abs(value);
        if (magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e5)) {
            String fixed = String.format(Locale.ROOT, "%.3f", value);
            // Just below 1e5 it may round up to 100000.000, a digit wider than the rest.
            if (fixed.length() - (value < 0 ? 1 : 0) <= "99999.999".length()) {
                return fixed;
            }
        }
        return String.format(Locale.ROOT, "%.2e", value);
    }

    private static String deadFeatures(List<Integer> dead) {
        return dead.isEmpty() ? "none" : dead.toString();
    }
}
