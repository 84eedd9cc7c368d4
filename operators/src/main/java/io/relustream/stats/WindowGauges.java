package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Metrics of the windows of one group: gauges of its last window, {@code lastWindowZeroFraction}
 * (NaN before the first window, or when the window had no values) and {@code
 * lastWindowDeadFeatures}, and the counter {@code closedWindows} of its windows that closed. The
 * gauges keep their values when the group stops sending; the counter then stops growing, which
 * tells a group that is gone from one whose windows still close.
 *
 * <pre>{@code
 * GroupMetrics<WindowGauges> gauges =
 *         new GroupMetrics<>(getRuntimeContext().getMetricGroup(), 100, WindowGauges::new);
 * gauges.of(stats.getGroup()).closed(stats);   // a window's first result
 * gauges.of(stats.getGroup()).update(stats);   // the same window again, with late records
 * }</pre>
 */
public final class WindowGauges {

    /** The counter of the group's closed windows. */
    public static final String CLOSED_WINDOWS = "closedWindows";

    private volatile double zeroFraction = Double.NaN;
    private volatile int deadFeatures;
    private final Counter closedWindows;

    public WindowGauges(MetricGroup group) {
        group.gauge("lastWindowZeroFraction", (Gauge<Double>) () -> zeroFraction);
        group.gauge("lastWindowDeadFeatures", (Gauge<Integer>) () -> deadFeatures);
        closedWindows = group.counter(CLOSED_WINDOWS);
    }

    /** Takes the values of a window that just closed, and counts it. */
    public void closed(ActivationStats stats) {
        update(stats);
        // After the gauges: whoever sees the count sees the window's values.
        closedWindows.inc();
    }

    /**
     * Takes the values of a window that closed before and fired again (records within the allowed
     * lateness), without counting it again.
     */
    public void update(ActivationStats stats) {
        Double fraction = stats.getZeroFraction();
        zeroFraction = fraction == null ? Double.NaN : fraction;
        deadFeatures = stats.getDeadFeatures().size();
    }
}
