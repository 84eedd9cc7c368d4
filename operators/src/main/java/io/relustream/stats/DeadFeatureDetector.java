package io.relustream.stats;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.operators.GroupMetrics;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Watches the {@link ActivationStats} of each group, window after window, and raises {@link
 * ActivationAlert}s: {@code dead_feature} when a feature has been dead (zero fraction at least the
 * dead threshold) in {@code deadWindows} consecutive windows, {@code recovered} when such a feature
 * comes back, and {@code sparsity_above} when the group's zero fraction crosses the sparsity limit.
 * Every alert is also logged at WARN.
 *
 * <pre>{@code
 * DataStream<ActivationAlert> alerts =
 *         stats.keyBy(s -> s.getGroup().toString())
 *                 .process(new DeadFeatureDetector(3, 1.0, 0.9, "relu"));
 * }</pre>
 *
 * <p>Rules, per group, in the order the statistics arrive:
 *
 * <ul>
 *   <li>"Consecutive" counts the group's windows that reached the detector, and for a feature only
 *       those that observed it (records with that index): a window without records emits no
 *       statistics, and a window whose vectors were all shorter leaves the feature's streak and
 *       alert as they were.
 *   <li>Statistics whose window ends at or before the last processed one are ignored. They are late
 *       re-firings of a window already counted (allowed lateness): counting them again would extend
 *       a streak with a window already in it, or break it with a window that is not the latest.
 *   <li>{@code dead_feature} fires once, in the window where the streak reaches {@code
 *       deadWindows}; {@code recovered} fires in the first observed window where the feature is
 *       alive again, and resets the streak.
 *   <li>{@code sparsity_above} is edge-triggered: it fires when the zero fraction is strictly above
 *       the limit and was not in the previous processed window (a window without values, zero
 *       fraction null, counts as not above).
 *   <li>Within one window: feature alerts in ascending feature order, then the group's alert.
 * </ul>
 */
public final class DeadFeatureDetector
        extends KeyedProcessFunction<String, ActivationStats, ActivationAlert>
        implements ResultTypeQueryable<ActivationAlert> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(DeadFeatureDetector.class);

    /** Alert kind: a feature was dead for {@code deadWindows} consecutive windows. */
    public static final String DEAD_FEATURE = "dead_feature";

    /** Alert kind: a feature reported dead is alive again. */
    public static final String RECOVERED = "recovered";

    /** Alert kind: the group's zero fraction rose above the sparsity limit. */
    public static final String SPARSITY_ABOVE = "sparsity_above";

    private static final int[] NO_STREAKS = new int[0];
    private static final boolean[] NO_ALERTS = new boolean[0];

    private final int deadWindows;
    private final double deadThreshold;
    private final Double sparsityLimit;
    private final String activationSpec;
    private final int groupMetricsLimit;
    private transient GroupMetrics<WindowGauges> gauges;

    // Primitive arrays and boxed primitives: Flink has serializers of its own for them, no Kryo.
    private transient ValueState<Long> lastWindowEnd;
    private transient ValueState<int[]> streaks;
    private transient ValueState<boolean[]> alerted;
    private transient ValueState<Boolean> sparsityAbove;

    /**
     * @param deadWindows consecutive dead windows before a feature is reported; at least 1
     * @param deadThreshold a feature is dead in a window when its zero fraction is at least this;
     *     in {@code (0, 1]}
     * @param sparsityLimit zero fraction of the group above which {@code sparsity_above} fires; in
     *     {@code [0, 1]}, or null for no sparsity alerts
     * @param activationSpec canonical spec of the activation, written into every alert
     */
    public DeadFeatureDetector(
            int deadWindows, double deadThreshold, Double sparsityLimit, String activationSpec) {
        this(deadWindows, deadThreshold, sparsityLimit, activationSpec, 100);
    }

    /**
     * @param groupMetricsLimit how many groups get gauges of their own ({@code
     *     lastWindowZeroFraction}, {@code lastWindowDeadFeatures}); the rest share {@link
     *     GroupMetrics#OVERFLOW}
     * @see #DeadFeatureDetector(int, double, Double, String)
     */
    public DeadFeatureDetector(
            int deadWindows,
            double deadThreshold,
            Double sparsityLimit,
            String activationSpec,
            int groupMetricsLimit) {
        if (deadWindows < 1) {
            throw new IllegalArgumentException("deadWindows must be at least 1: " + deadWindows);
        }
        if (sparsityLimit != null && !(sparsityLimit >= 0.0 && sparsityLimit <= 1.0)) {
            throw new IllegalArgumentException(
                    "sparsityLimit must be in [0, 1] or null: " + sparsityLimit);
        }
        this.deadWindows = deadWindows;
        this.deadThreshold = checkDeadThreshold(deadThreshold);
        this.sparsityLimit = sparsityLimit;
        this.activationSpec = Objects.requireNonNull(activationSpec, "activationSpec");
        if (groupMetricsLimit < 0) {
            throw new IllegalArgumentException(
                    "groupMetricsLimit must be >= 0: " + groupMetricsLimit);
        }
        this.groupMetricsLimit = groupMetricsLimit;
    }

    static double checkDeadThreshold(double deadThreshold) {
        // Written so that NaN fails too.
        if (!(deadThreshold > 0.0 && deadThreshold <= 1.0)) {
            throw new IllegalArgumentException("deadThreshold must be in (0, 1]: " + deadThreshold);
        }
        return deadThreshold;
    }

    @Override
    public void open(OpenContext openContext) {
        gauges =
                new GroupMetrics<>(
                        getRuntimeContext().getMetricGroup(), groupMetricsLimit, WindowGauges::new);
        lastWindowEnd =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("last-window-end", Types.LONG));
        streaks =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "dead-streaks",
                                        PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
        alerted =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "dead-alerted",
                                        PrimitiveArrayTypeInfo.BOOLEAN_PRIMITIVE_ARRAY_TYPE_INFO));
        sparsityAbove =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("sparsity-above", Types.BOOLEAN));
    }

    @Override
    public void processElement(
            ActivationStats stats, Context context, Collector<ActivationAlert> out)
            throws IOException {
        long windowEnd = stats.getWindowEnd().toEpochMilli();
        Long lastEnd = lastWindowEnd.value();
        if (lastEnd != null && windowEnd <= lastEnd) {
            LOG.debug(
                    "Ignoring statistics of group {} for [{}, {}): not after the last window, {}",
                    stats.getGroup(),
                    stats.getWindowStart(),
                    stats.getWindowEnd(),
                    Instant.ofEpochMilli(lastEnd));
            return;
        }
        lastWindowEnd.update(windowEnd);
        gauges.of(stats.getGroup()).update(stats);

        String group = stats.getGroup();
        List<Double> fractions = stats.getPerFeatureZeroFraction();
        int observed = fractions.size();
        int[] streak = orEmpty(streaks.value());
        boolean[] alert = orEmpty(alerted.value());
        if (observed > streak.length) {
            streak = Arrays.copyOf(streak, observed);
        }
        if (observed > alert.length) {
            alert = Arrays.copyOf(alert, observed);
        }
        for (int i = 0; i < observed; i++) {
            double fraction = fractions.get(i);
            if (fraction >= deadThreshold) {
                if (streak[i] < Integer.MAX_VALUE) {
                    streak[i]++;
                }
                if (streak[i] == deadWindows && !alert[i]) {
                    alert[i] = true;
                    emit(
                            out,
                            stats,
                            DEAD_FEATURE,
                            i,
                            fraction,
                            deadThreshold,
                            deadMessage(stats, i, fraction));
                }
            } else {
                streak[i] = 0;
                if (alert[i]) {
                    alert[i] = false;
                    emit(
                            out,
                            stats,
                            RECOVERED,
                            i,
                            fraction,
                            deadThreshold,
                            recoveredMessage(stats, i, fraction));
                }
            }
        }
        streaks.update(streak);
        alerted.update(alert);

        if (sparsityLimit != null) {
            Double zeroFraction = stats.getZeroFraction();
            boolean above = zeroFraction != null && zeroFraction > sparsityLimit;
            boolean wasAbove = Boolean.TRUE.equals(sparsityAbove.value());
            if (above && !wasAbove) {
                emit(
                        out,
                        stats,
                        SPARSITY_ABOVE,
                        null,
                        zeroFraction,
                        sparsityLimit,
                        String.format(
                                "Zero fraction of group %s is %s, above the limit %s, in %s",
                                group, zeroFraction, sparsityLimit, window(stats)));
            }
            sparsityAbove.update(above);
        }
    }

    private String deadMessage(ActivationStats stats, int feature, double fraction) {
        if (deadWindows == 1) {
            return String.format(
                    "Feature %d of group %s is dead (zero fraction %s >= %s) in %s",
                    feature, stats.getGroup(), fraction, deadThreshold, window(stats));
        }
        return String.format(
                "Feature %d of group %s has been dead (zero fraction %s >= %s) for %d consecutive"
                        + " windows, the last %s",
                feature, stats.getGroup(), fraction, deadThreshold, deadWindows, window(stats));
    }

    private String recoveredMessage(ActivationStats stats, int feature, double fraction) {
        return String.format(
                "Feature %d of group %s has recovered (zero fraction %s < %s) in %s",
                feature, stats.getGroup(), fraction, deadThreshold, window(stats));
    }

    private static String window(ActivationStats stats) {
        return "[" + stats.getWindowStart() + ", " + stats.getWindowEnd() + ")";
    }

    private void emit(
            Collector<ActivationAlert> out,
            ActivationStats stats,
            String kind,
            Integer feature,
            double value,
            double threshold,
            String message) {
        LOG.warn("Activation alert {}: {}", kind, message);
        out.collect(
                ActivationAlert.newBuilder()
                        .setGroup(stats.getGroup())
                        .setKind(kind)
                        .setFeature(feature)
                        .setWindowStart(stats.getWindowStart())
                        .setWindowEnd(stats.getWindowEnd())
                        .setValue(value)
                        .setThreshold(threshold)
                        .setActivation(activationSpec)
                        .setMessage(message)
                        .build());
    }

    private static int[] orEmpty(int[] values) {
        return values == null ? NO_STREAKS : values;
    }

    private static boolean[] orEmpty(boolean[] values) {
        return values == null ? NO_ALERTS : values;
    }

    @Override
    public TypeInformation<ActivationAlert> getProducedType() {
        return new AvroTypeInfo<>(ActivationAlert.class);
    }
}
