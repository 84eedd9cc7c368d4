package io.relustream.stats;

import io.relustream.activation.Activations;
import io.relustream.activation.VectorActivation;
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
import java.util.OptionalLong;

/**
 * Watches the {@link ActivationStats} of each group, window after window, and raises {@link
 * ActivationAlert}s: {@code dead_feature} when a feature has been dead (zero fraction at least the
 * dead threshold) in {@code deadWindows} consecutive windows, {@code recovered} when such a feature
 * comes back, and {@code sparsity_above} when the group's zero fraction rises above the sparsity
 * limit. Every alert is also logged at WARN.
 *
 * <pre>{@code
 * // stats of 10 s tumbling windows without allowed lateness: 3 dead windows in a row,
 * // threshold 1.0, sparsity limit 0.9
 * DataStream<ActivationAlert> alerts =
 *         stats.keyBy(s -> s.getGroup())
 *                 .process(new DeadFeatureDetector(3, 1.0, 0.9, "relu", 100, 10_000L, 0L));
 * }</pre>
 *
 * <p>Give the windows' slide (their size, for tumbling windows) and allowed lateness, as above, so
 * that a window without records breaks the streaks and the state of a group that stopped sending is
 * cleared; the shorter constructors leave them unknown.
 *
 * <p>Rules, per group, in the order the statistics arrive:
 *
 * <ul>
 *   <li>"Consecutive" windows follow each other without a gap: given the windows' slide (the size
 *       of tumbling windows), a window that starts more than one slide after the last one the group
 *       reached breaks every streak, since the windows between had no records and so no dead
 *       features. Without a slide, every window the group reached follows the one before. For a
 *       feature, only windows that observed it count (records with that index): a window whose
 *       vectors were all shorter leaves the feature's streak and alert as they were.
 *   <li>A window that fires again (allowed lateness), while it is still the group's latest,
 *       supersedes its first firing: the window is evaluated again from the state before it, and
 *       what changed is alerted ({@code recovered} when the late records brought a feature reported
 *       dead in that window back, {@code dead_feature} or {@code sparsity_above} when they
 *       completed a streak or crossed the limit). So does a session window that holds the latest
 *       (starts no later, ends no earlier): late records extended that session or merged it with
 *       others, so it is the same session, not the next window. Statistics of a window before the
 *       latest are ignored: counting them would extend a streak with a window already in it, or
 *       break it with a window that is not the latest.
 *   <li>{@code dead_feature} fires once, in the window where the streak reaches {@code deadWindows}
 *       (after a restore with a lower {@code deadWindows}, in the first dead window of a streak
 *       already that long); {@code recovered} fires in the first observed window where the feature
 *       is alive again, and resets the streak.
 *   <li>{@code sparsity_above} is edge-triggered: it fires when the zero fraction is strictly above
 *       the limit and was not in the window before (a window without values, zero fraction null,
 *       counts as not above, and so do the windows of a gap). The window before is compared with
 *       the limit in force, also when a restore changed or added it.
 *   <li>Within one window: feature alerts in ascending feature order, then the group's alert.
 * </ul>
 *
 * <p>State: given the windows' slide and allowed lateness, a group's state is cleared once its
 * latest window can fire no more and its next one closed without records and can take no late
 * records either (every streak broken), all but the features reported dead and not recovered; the
 * alerts are those of a detector that kept it. Restored with another slide or lateness, a group's
 * state is cleared at the time they give, or at the time it was saved with where that is later. The
 * shorter constructors keep every group's state for as long as the job runs.
 *
 * <p>Metrics per group ({@link WindowGauges}): the gauges show the group's latest window,
 * re-firings included; {@code closedWindows} counts each window once, when it becomes the group's
 * latest; statistics of an older window change neither.
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

    /** The longest group an alert's message names whole: see {@link #shown}. */
    private static final int SHOWN_GROUP_CHARS = 64;

    private static final int[] NO_STREAKS = new int[0];
    private static final boolean[] NO_ALERTS = new boolean[0];
    private static final long UNKNOWN_LATENESS = -1L;

    private final int deadWindows;
    private final double deadThreshold;
    private final Double sparsityLimit;
    private final String activationSpec;
    private final int groupMetricsLimit;
    private final long windowSlideMillis;
    // UNKNOWN_LATENESS when not given: then no state is ever cleared, as a re-firing could come.
    private final long allowedLatenessMillis;
    private transient GroupMetrics<WindowGauges> gauges;

    // Primitive arrays and boxed primitives: Flink has serializers of its own for them, no Kryo.
    private transient ValueState<Long> lastWindowEnd;
    // Its start: a session window that starts no later and ends no earlier is the same session,
    // extended or merged by late records. Absent in state saved before it was kept.
    private transient ValueState<Long> lastWindowStart;
    private transient ValueState<int[]> streaks;
    private transient ValueState<boolean[]> alerted;
    // The latest window's zero fraction, NaN when it had no values. Kept with or without a limit
    // and compared with the limit in force, so that a limit added or changed on a restore starts
    // from the group's real last window, not from an edge taken against another limit.
    private transient ValueState<Double> zeroFraction;
    // The same, as they were before the latest window: what a re-firing of it is evaluated from.
    private transient ValueState<int[]> streaksBefore;
    private transient ValueState<boolean[]> alertedBefore;
    private transient ValueState<Double> zeroFractionBefore;
    // Savepoints written before the zero fractions were kept hold only whether the latest window
    // (and the one before it) was above the limit then; read once, where no zero fraction is.
    private transient ValueState<Boolean> sparsityAbove;
    private transient ValueState<Boolean> sparsityAboveBefore;

    /**
     * @param deadWindows consecutive dead windows before a feature is reported; at least 1
     * @param deadThreshold a feature is dead in a window when its zero fraction is at least this;
     *     in {@code (0, 1]}
     * @param sparsityLimit zero fraction of the group above which {@code sparsity_above} fires; in
     *     {@code [0, 1)}, or null for no sparsity alerts
     * @param activationSpec spec of the activation, written into every alert in its canonical form
     *     ({@link VectorActivation#spec()})
     */
    public DeadFeatureDetector(
            int deadWindows, double deadThreshold, Double sparsityLimit, String activationSpec) {
        this(deadWindows, deadThreshold, sparsityLimit, activationSpec, 100);
    }

    /**
     * @param groupMetricsLimit how many groups get metrics of their own ({@code
     *     lastWindowZeroFraction}, {@code lastWindowDeadFeatures}, {@code closedWindows}: {@link
     *     WindowGauges}) in each parallel instance; the rest share {@link GroupMetrics#OVERFLOW}
     * @see #DeadFeatureDetector(int, double, Double, String)
     */
    public DeadFeatureDetector(
            int deadWindows,
            double deadThreshold,
            Double sparsityLimit,
            String activationSpec,
            int groupMetricsLimit) {
        this(deadWindows, deadThreshold, sparsityLimit, activationSpec, groupMetricsLimit, 0L);
    }

    /**
     * @param windowSlideMillis the slide of the windows the statistics are of (their size, for
     *     tumbling windows): a window further than this after the group's last one breaks the
     *     streaks; 0 when unknown or for session windows, which have no slide, and which makes
     *     every window the group reaches the next one
     * @see #DeadFeatureDetector(int, double, Double, String, int)
     */
    public DeadFeatureDetector(
            int deadWindows,
            double deadThreshold,
            Double sparsityLimit,
            String activationSpec,
            int groupMetricsLimit,
            long windowSlideMillis) {
        this(
                deadWindows,
                deadThreshold,
                sparsityLimit,
                activationSpec,
                groupMetricsLimit,
                windowSlideMillis,
                OptionalLong.empty());
    }

    /**
     * @param allowedLatenessMillis the allowed lateness of the windows the statistics are of: once
     *     the watermark has passed the end of a group's latest window by one slide and this
     *     lateness, that window can fire no more and the next one has closed without records and
     *     takes no late records either, so every streak of the group is broken; its state is then
     *     cleared, all but the features reported dead and not yet recovered (their {@code
     *     recovered} alert is still to come). Without a slide (0) nothing is cleared: no window is
     *     known to be missing.
     * @see #DeadFeatureDetector(int, double, Double, String, int, long)
     */
    public DeadFeatureDetector(
            int deadWindows,
            double deadThreshold,
            Double sparsityLimit,
            String activationSpec,
            int groupMetricsLimit,
            long windowSlideMillis,
            long allowedLatenessMillis) {
        this(
                deadWindows,
                deadThreshold,
                sparsityLimit,
                activationSpec,
                groupMetricsLimit,
                windowSlideMillis,
                OptionalLong.of(checkLateness(allowedLatenessMillis)));
    }

    private DeadFeatureDetector(
            int deadWindows,
            double deadThreshold,
            Double sparsityLimit,
            String activationSpec,
            int groupMetricsLimit,
            long windowSlideMillis,
            OptionalLong allowedLatenessMillis) {
        if (deadWindows < 1) {
            throw new IllegalArgumentException("deadWindows must be at least 1: " + deadWindows);
        }
        // A zero fraction is never above 1, so a limit of 1 would never fire.
        if (sparsityLimit != null && !(sparsityLimit >= 0.0 && sparsityLimit < 1.0)) {
            throw new IllegalArgumentException(
                    "sparsityLimit must be in [0, 1) or null: " + sparsityLimit);
        }
        if (windowSlideMillis < 0) {
            throw new IllegalArgumentException(
                    "windowSlideMillis must be >= 0: " + windowSlideMillis);
        }
        this.windowSlideMillis = windowSlideMillis;
        this.allowedLatenessMillis = allowedLatenessMillis.orElse(UNKNOWN_LATENESS);
        this.deadWindows = deadWindows;
        this.deadThreshold = checkDeadThreshold(deadThreshold);
        // -0.0 is the limit 0, and is written into every sparsity alert and its message as 0.0.
        this.sparsityLimit = sparsityLimit == null ? null : sparsityLimit + 0.0;
        this.activationSpec = canonicalSpec(activationSpec);
        if (groupMetricsLimit < 0) {
            throw new IllegalArgumentException(
                    "groupMetricsLimit must be >= 0: " + groupMetricsLimit);
        }
        this.groupMetricsLimit = groupMetricsLimit;
    }

    /**
     * The spec as {@link VectorActivation#spec()} writes it, the form the activations carry: a typo
     * fails here, not as a label on every record.
     */
    static String canonicalSpec(String activationSpec) {
        Objects.requireNonNull(activationSpec, "activationSpec");
        try {
            return Activations.parseVector(activationSpec).spec();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid activationSpec '" + activationSpec + "': " + e.getMessage(), e);
        }
    }

    private static long checkLateness(long allowedLatenessMillis) {
        if (allowedLatenessMillis < 0) {
            throw new IllegalArgumentException(
                    "allowedLatenessMillis must be >= 0: " + allowedLatenessMillis);
        }
        return allowedLatenessMillis;
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
        lastWindowStart =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("last-window-start", Types.LONG));
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
        streaksBefore =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "dead-streaks-before",
                                        PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
        alertedBefore =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "dead-alerted-before",
                                        PrimitiveArrayTypeInfo.BOOLEAN_PRIMITIVE_ARRAY_TYPE_INFO));
        sparsityAboveBefore =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>("sparsity-above-before", Types.BOOLEAN));
        zeroFraction =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("zero-fraction", Types.DOUBLE));
        zeroFractionBefore =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("zero-fraction-before", Types.DOUBLE));
    }

    @Override
    public void processElement(
            ActivationStats stats, Context context, Collector<ActivationAlert> out)
            throws IOException {
        long windowEnd = stats.getWindowEnd().toEpochMilli();
        Long lastEnd = lastWindowEnd.value();
        if (lastEnd != null && windowEnd < lastEnd) {
            LOG.debug(
                    "Ignoring statistics of group {} for [{}, {}): before the latest window, {}",
                    GroupNames.shown(stats.getGroup()),
                    stats.getWindowStart(),
                    stats.getWindowEnd(),
                    Instant.ofEpochMilli(lastEnd));
            return;
        }
        long windowStart = stats.getWindowStart().toEpochMilli();
        Long lastStart = lastWindowStart.value();
        // Tumbling, sliding and new session windows all start after the latest one did.
        boolean supersedesLatest = lastEnd != null && lastStart != null && windowStart <= lastStart;
        boolean refiring = lastEnd != null && (windowEnd == lastEnd || supersedesLatest);
        int[] streakBase;
        boolean[] alertBase;
        boolean aboveBase;
        if (refiring) {
            streakBase = streaksBefore.value();
            alertBase = alertedBefore.value();
            if (streakBase == null || alertBase == null) {
                // Restored from a version that kept no state before the window: cannot redo it.
                LOG.debug(
                        "Ignoring a re-firing of [{}, {}) for group {}: no state before it",
                        stats.getWindowStart(),
                        stats.getWindowEnd(),
                        GroupNames.shown(stats.getGroup()));
                return;
            }
            aboveBase = above(zeroFractionBefore.value(), sparsityAboveBefore);
            // A session that late records extended: later windows follow its new end.
            lastWindowEnd.update(windowEnd);
            lastWindowStart.update(windowStart);
        } else {
            streakBase = orEmpty(streaks.value());
            alertBase = orEmpty(alerted.value());
            // No window before the group's first: as one without values.
            Double zeroFractionBase = lastEnd == null ? Double.NaN : zeroFraction.value();
            aboveBase = above(zeroFractionBase, sparsityAbove);
            if (lastEnd != null
                    && windowSlideMillis > 0
                    && windowEnd - lastEnd > windowSlideMillis) {
                // The windows between had no records: no feature was dead in them, and the
                // group's zero fraction was not above the limit, as in a window without values.
                streakBase = new int[streakBase.length];
                zeroFractionBase = Double.NaN;
                aboveBase = false;
            }
            streaksBefore.update(streakBase);
            alertedBefore.update(alertBase);
            if (zeroFractionBase != null) {
                zeroFractionBefore.update(zeroFractionBase);
            } else {
                zeroFractionBefore.clear();
                sparsityAboveBefore.update(aboveBase);
            }
            lastWindowEnd.update(windowEnd);
            lastWindowStart.update(windowStart);
        }
        moveCleanup(context, lastEnd, windowEnd);
        if (refiring) {
            gauges.of(stats.getGroup()).update(stats);
        } else {
            gauges.of(stats.getGroup()).closed(stats);
        }

        // What has been alerted for this window so far: by its first firing when it fires again,
        // else nothing beyond the state it starts from.
        boolean[] alertedSoFar = refiring ? orEmpty(alerted.value()) : alertBase;
        boolean aboveSoFar = refiring ? above(zeroFraction.value(), sparsityAbove) : aboveBase;

        List<Double> fractions = stats.getPerFeatureZeroFraction();
        int observed = fractions.size();
        int length = Math.max(observed, Math.max(streakBase.length, alertedSoFar.length));
        int[] streak = Arrays.copyOf(streakBase, length);
        boolean[] alert = Arrays.copyOf(alertBase, length);
        boolean[] before = Arrays.copyOf(alertedSoFar, length);
        for (int i = 0; i < observed; i++) {
            double fraction = fractions.get(i);
            if (fraction >= deadThreshold) {
                if (streak[i] < Integer.MAX_VALUE) {
                    streak[i]++;
                }
                // At least, not exactly: a streak restored from a savepoint of a job that waited
                // for more windows may already be past a lowered deadWindows.
                alert[i] |= streak[i] >= deadWindows;
            } else {
                streak[i] = 0;
                alert[i] = false;
            }
            if (alert[i] && !before[i]) {
                emit(
                        out,
                        stats,
                        DEAD_FEATURE,
                        i,
                        fraction,
                        deadThreshold,
                        deadMessage(stats, i, fraction));
            } else if (!alert[i] && before[i]) {
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
        streaks.update(streak);
        alerted.update(alert);

        Double windowZeroFraction = stats.getZeroFraction();
        // Rising edge against the window before; not again if this window already alerted it.
        if (above(windowZeroFraction) && !aboveBase && !aboveSoFar) {
            emit(
                    out,
                    stats,
                    SPARSITY_ABOVE,
                    null,
                    windowZeroFraction,
                    sparsityLimit,
                    String.format(
                            "Zero fraction of group %s is %s, above the limit %s, in %s",
                            shown(stats.getGroup()),
                            windowZeroFraction,
                            sparsityLimit,
                            window(stats)));
        }
        zeroFraction.update(windowZeroFraction == null ? Double.NaN : windowZeroFraction);
    }

    /**
     * Clears the state of a group whose latest window can fire no more and whose next window closed
     * without records and takes no late records either (see {@link #cleanupTime}): the streaks are
     * broken and the zero fraction counts as a window without values, which is what a group without
     * state starts from. Only the features reported dead and not recovered are kept.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<ActivationAlert> out)
            throws IOException {
        Long lastEnd = lastWindowEnd.value();
        // Without a slide and lateness (restored into a detector that keeps state) nothing clears.
        if (lastEnd == null || !clearsState()) {
            return;
        }
        // A timer of state restored under another slide or lateness: the group's cleanup is
        // over already, or still to come at the time these options give it.
        long cleanup = cleanupTime(lastEnd);
        if (timestamp < cleanup) {
            context.timerService().registerEventTimeTimer(cleanup);
            return;
        }
        boolean[] dead = alerted.value();
        for (ValueState<?> state :
                List.of(
                        lastWindowEnd,
                        lastWindowStart,
                        streaks,
                        alerted,
                        zeroFraction,
                        streaksBefore,
                        alertedBefore,
                        zeroFractionBefore,
                        sparsityAbove,
                        sparsityAboveBefore)) {
            state.clear();
        }
        if (dead != null && anyTrue(dead)) {
            alerted.update(dead);
        }
    }

    /** Moves the group's cleanup from its last window's time to the latest window's. */
    private void moveCleanup(Context context, Long lastEnd, long windowEnd) {
        if (!clearsState()) {
            return;
        }
        if (lastEnd != null && lastEnd != windowEnd) {
            context.timerService().deleteEventTimeTimer(cleanupTime(lastEnd));
        }
        context.timerService().registerEventTimeTimer(cleanupTime(windowEnd));
    }

    private boolean clearsState() {
        return windowSlideMillis > 0 && allowedLatenessMillis != UNKNOWN_LATENESS;
    }

    /**
     * The watermark from which a group whose latest window ends at {@code windowEnd} has no more
     * use for its state: the next window, one slide later, takes no late records from its last
     * millisecond plus the allowed lateness on (Flink drops them), and neither does the latest,
     * which ends before it. Until then late records may still fire the next window, though it
     * closed without records, and it follows the latest: the streaks go on into it. Windows after
     * it break them anyway. Long.MAX_VALUE, the end of the input, where the sum would overflow.
     */
    private long cleanupTime(long windowEnd) {
        long after =
                windowSlideMillis > Long.MAX_VALUE - allowedLatenessMillis
                        ? Long.MAX_VALUE
                        : windowSlideMillis + allowedLatenessMillis;
        return windowEnd - 1 > Long.MAX_VALUE - after ? Long.MAX_VALUE : windowEnd - 1 + after;
    }

    private static boolean anyTrue(boolean[] values) {
        for (boolean value : values) {
            if (value) {
                return true;
            }
        }
        return false;
    }

    /** Whether a zero fraction (null or NaN: a window without values) is above the limit. */
    private boolean above(Double fraction) {
        // NaN > limit is false.
        return sparsityLimit != null && fraction != null && fraction > sparsityLimit;
    }

    /**
     * Whether a window's kept zero fraction is above the limit; where none is kept (state from
     * before they were), what was kept instead: whether it was above the limit of that time.
     */
    private boolean above(Double keptFraction, ValueState<Boolean> keptAbove) throws IOException {
        if (keptFraction != null) {
            return above(keptFraction);
        }
        return sparsityLimit != null && Boolean.TRUE.equals(keptAbove.value());
    }

    private String deadMessage(ActivationStats stats, int feature, double fraction) {
        if (deadWindows == 1) {
            return String.format(
                    "Feature %d of group %s is dead (zero fraction %s >= %s) in %s",
                    feature, shown(stats.getGroup()), fraction, deadThreshold, window(stats));
        }
        return String.format(
                "Feature %d of group %s has been dead (zero fraction %s >= %s) for %d consecutive"
                        + " windows, the last %s",
                feature,
                shown(stats.getGroup()),
                fraction,
                deadThreshold,
                deadWindows,
                window(stats));
    }

    private String recoveredMessage(ActivationStats stats, int feature, double fraction) {
        return String.format(
                "Feature %d of group %s has recovered (zero fraction %s < %s) in %s",
                feature, shown(stats.getGroup()), fraction, deadThreshold, window(stats));
    }

    /**
     * The group as the message names it: whole where that takes up to {@value #SHOWN_GROUP_CHARS}
     * characters (code points: an emoji is one), else its longest start that does and its length in
     * characters; quoted where it would not read as one name ({@link GroupNames#shown}), so that a
     * line break in a group cannot forge a line of the log. The limit is on the text shown, escapes
     * included: a control character is written as six characters (a backslash, u and four hex
     * digits), and 64 of them would take 386. The alert holds the group whole in its own field and
     * as its Kafka key; written a third time in full, a long group would make the alert larger than
     * the statistics that raised it, which the job has checked against the producers' {@code
     * max.request.size}, and a producer refusing the alert fails the job, which restarts into the
     * same window for ever.
     */
    private static String shown(String group) {
        int characters = characters(group);
        // Shown, a group is never shorter than written.
        if (characters <= SHOWN_GROUP_CHARS) {
            String whole = GroupNames.shown(group);
            if (characters(whole) <= SHOWN_GROUP_CHARS) {
                return whole;
            }
        }
        // Whole code points: never half of a surrogate pair.
        int count = Math.min(characters, SHOWN_GROUP_CHARS);
        while (true) {
            String start = GroupNames.shown(group.substring(0, group.offsetByCodePoints(0, count)));
            if (characters(start) <= SHOWN_GROUP_CHARS) {
                return start + "... (" + characters + " characters)";
            }
            count--;
        }
    }

    /** Characters as a reader counts them: code points, an emoji one, not two UTF-16 chars. */
    private static int characters(String text) {
        return text.codePointCount(0, text.length());
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
