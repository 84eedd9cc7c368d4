package io.relustream.jobs.local;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders window statistics and alerts as the rows of a plain-text table.
 *
 * <pre>{@code
 * System.out.println(StatsTable.header());
 * System.out.println(StatsTable.row(stats));   // one ActivationStats
 * System.out.println(StatsTable.alert(alert)); // one ActivationAlert
 * }</pre>
 */
public final class StatsTable {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final String ROW =
            "%-17s  %-12s %8s %9s %6s %5s %5s %5s %6s %8s %8s %8s %8s %8s %8s %8s  %s";

    private StatsTable() {}

    /** The column titles. */
    public static String header() {
        return String.format(
                Locale.ROOT,
                ROW,
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
        return String.format(
                Locale.ROOT,
                ROW,
                window(stats.getWindowStart(), stats.getWindowEnd()),
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
        return TIME.format(start) + "-" + TIME.format(end);
    }

    private static String percent(Double fraction) {
        return fraction == null ? "-" : String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }

    private static String number(Double value) {
        if (value == null) {
            return "-";
        }
        // Fixed notation would print 300 digits for 1e300 and 0.000 for 1e-4: a column of 8
        // shows such magnitudes as powers of ten.
        double magnitude = Math.abs(value);
        boolean fixed = magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e5);
        return String.format(Locale.ROOT, fixed ? "%.3f" : "%.2e", value);
    }

    private static String deadFeatures(List<Integer> dead) {
        return dead.isEmpty() ? "none" : dead.toString();
    }
}
