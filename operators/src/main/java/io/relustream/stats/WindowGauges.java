package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Gauges of the last window of one group: {@code lastWindowZeroFraction} (NaN before the first
 * window, or when the window had no values) and {@code lastWindowDeadFeatures}.
 *
 * <pre>{@code
 * GroupMetrics<WindowGauges> gauges =
 *         new GroupMetrics<>(getRuntimeContext().getMetricGroup(), 100, WindowGauges::new);
 * gauges.of(stats.getGroup()).update(stats);   // for every window result
 * }</pre>
 */
public final class WindowGauges {

    private volatile double zeroFraction = Double.NaN;
    private volatile int deadFeatures;

    public WindowGauges(MetricGroup group) {
        group.gauge("lastWindowZeroFraction", (Gauge<Double>) () -> zeroFraction);
        group.gauge("lastWindowDeadFeatures", (Gauge<Integer>) () -> deadFeatures);
    }

    /** Takes the values of a window that just closed. */
    public void update(ActivationStats stats) {
        Double fraction = stats.getZeroFraction();
        zeroFraction = fraction == null ? Double.NaN : fraction;
        deadFeatures = stats.getDeadFeatures().size();
    }
}
