package io.relustream.stats;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random histories of one group's windows (gaps, late re-firings of the latest window, late firings
 * of older ones, vectors of varying length) held against a plain model of the alert rules written
 * from the contract: consecutive dead windows, one alert per streak, recovered once, the sparsity
 * edge.
 */
class DeadFeatureDetectorRandomTest {

    private static final long W = 10_000L;

    @Test
    void alertsAgreeWithAPlainModelOfTheRules() throws Exception {
        Random random = new Random(42);
        double[] choices = {0.0, 0.5, 0.9, 1.0};
        for (int trial = 0; trial < 500; trial++) {
            int deadWindows = 1 + random.nextInt(3);
            double threshold = random.nextBoolean() ? 1.0 : 0.9;
            Double limit = random.nextBoolean() ? null : 0.6;
            DeadFeatureDetector detector =
                    new DeadFeatureDetector(deadWindows, threshold, limit, "relu", 10, W);
            KeyedOneInputStreamOperatorTestHarness<String, ActivationStats, ActivationAlert> h =
                    ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                            detector, ActivationStats::getGroup, Types.STRING);
            List<String> expected = new ArrayList<>();
            int[] streak = new int[6];
            boolean[] alerted = new boolean[6];
            boolean prevAbove = false;
            long index = random.nextInt(3);
            long last = Long.MIN_VALUE;
            int[] streakBefore = streak.clone();
            boolean[] alertedBefore = alerted.clone();
            boolean prevAboveBefore = false;
            int lastLen = 0;
            List<String> inputs = new ArrayList<>();
            for (int w = 0; w < 16; w++) {
                int kind = w == 0 ? 9 : random.nextInt(10);
                boolean refire = kind < 2;
                boolean older = kind == 2 && last > 1;
                long idx;
                if (older) {
                    idx = last - 1 - random.nextInt(2);
                } else if (refire) {
                    idx = last;
                } else {
                    index = last == Long.MIN_VALUE ? index : last;
                    index += random.nextInt(10) < 2 ? 2 + random.nextInt(2) : 1;
                    idx = index;
                }
                int len = random.nextInt(6);
                if (refire) {
                    // Late records only add to a window: never fewer features.
                    len = Math.max(len, lastLen);
                }
                if (!older) {
                    lastLen = len;
                }
                List<Double> fractions = new ArrayList<>();
                for (int i = 0; i < len; i++) {
                    fractions.add(choices[random.nextInt(choices.length)]);
                }
                Double zf = random.nextInt(5) == 0 ? null : choices[random.nextInt(4)];
                if (!older) {
                    boolean[] soFar;
                    boolean aboveSoFar;
                    if (refire) {
                        soFar = alerted.clone();
                        aboveSoFar = prevAbove;
                        streak = streakBefore.clone();
                        alerted = alertedBefore.clone();
                        prevAbove = prevAboveBefore;
                    } else {
                        if (last != Long.MIN_VALUE && idx > last + 1) {
                            streak = new int[6];
                            prevAbove = false;
                        }
                        streakBefore = streak.clone();
                        alertedBefore = alerted.clone();
                        prevAboveBefore = prevAbove;
                        soFar = alerted.clone();
                        aboveSoFar = prevAbove;
                    }
                    last = idx;
                    for (int i = 0; i < len; i++) {
                        if (fractions.get(i) >= threshold) {
                            streak[i]++;
                            if (streak[i] >= deadWindows) {
                                alerted[i] = true;
                            }
                        } else {
                            streak[i] = 0;
                            alerted[i] = false;
                        }
                    }
                    for (int i = 0; i < 6; i++) {
                        if (alerted[i] && !soFar[i]) {
                            expected.add("dead_feature " + i + " " + idx + " " + fractions.get(i));
                        } else if (!alerted[i] && soFar[i]) {
                            expected.add("recovered " + i + " " + idx + " " + fractions.get(i));
                        }
                    }
                    boolean above = limit != null && zf != null && zf > limit;
                    if (above && !prevAbove && !aboveSoFar) {
                        expected.add("sparsity_above null " + idx + " " + zf);
                    }
                    prevAbove = above;
                }
                ActivationStats stats = stats(idx, fractions, zf);
                inputs.add(idx + " " + fractions + " " + zf);
                h.processElement(stats, (idx + 1) * W - 1);
            }
            List<String> actual = new ArrayList<>();
            for (ActivationAlert a : h.extractOutputValues()) {
                assertThat(a.getWindowEnd().toEpochMilli() - a.getWindowStart().toEpochMilli())
                        .isEqualTo(W);
                assertThat(a.getThreshold())
                        .isEqualTo(
                                a.getKind().equals(DeadFeatureDetector.SPARSITY_ABOVE)
                                        ? limit
                                        : threshold);
                actual.add(
                        a.getKind()
                                + " "
                                + a.getFeature()
                                + " "
                                + a.getWindowStart().toEpochMilli() / W
                                + " "
                                + a.getValue());
            }
            h.close();
            assertThat(actual)
                    .as(
                            "trial %d %s dw=%d thr=%s lim=%s",
                            trial, inputs, deadWindows, threshold, limit)
                    .isEqualTo(expected);
        }
    }

    /**
     * The same group's windows as Flink delivers them (each window's statistics before the
     * watermark that fired it, late firings only while the lateness allows them, also the first
     * firing of a window that closed without records, gaps of up to eight windows), to a detector
     * that clears the state of a group once it is of no more use and to one that keeps it: the
     * alerts are the same, and in the end only the features reported dead are left.
     */
    @Test
    void clearingTheStateOfAGroupChangesNoAlert() throws Exception {
        Random random = new Random(7);
        long[] latenesses = {0, W / 2, W, 3 * W};
        int[] gaps = {1, 1, 1, 2, 3, 5, 8};
        double[] choices = {0.0, 0.5, 1.0};
        int cleared = 0;
        for (int trial = 0; trial < 300; trial++) {
            int deadWindows = 1 + random.nextInt(3);
            Double limit = random.nextBoolean() ? null : 0.6;
            long lateness = latenesses[random.nextInt(latenesses.length)];
            var clearing =
                    ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                            new DeadFeatureDetector(
                                    deadWindows, 1.0, limit, "relu", 10, W, lateness),
                            ActivationStats::getGroup,
                            Types.STRING);
            var keeping =
                    ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                            new DeadFeatureDetector(deadWindows, 1.0, limit, "relu", 10, W),
                            ActivationStats::getGroup,
                            Types.STRING);
            List<String> history = new ArrayList<>();
            long watermark = Long.MIN_VALUE;
            long latest = -1;
            int latestFeatures = 0;
            for (int step = 0; step < 20; step++) {
                if (latest >= 0 && random.nextInt(4) == 0) {
                    // Time passes without a window closing with records.
                    watermark += 1 + random.nextInt((int) (2 * W));
                    clearing.processWatermark(watermark);
                    keeping.processWatermark(watermark);
                }
                long index;
                boolean late = latest >= 0 && lateness > 0 && random.nextInt(4) == 0;
                if (late) {
                    // The latest window or one before it, while it still takes late records; or
                    // the next one, which closed without records and is fired by late ones.
                    index = latest + 1 - random.nextInt(3);
                    if (index < 0 || watermark >= (index + 1) * W - 1 + lateness) {
                        continue;
                    }
                    if (index > latest) {
                        if (watermark < (index + 1) * W - 1) {
                            continue;
                        }
                        latest = index;
                        latestFeatures = 0;
                    }
                } else {
                    // The first window whose last millisecond the watermark has not reached.
                    index =
                            Math.max(
                                    latest + gaps[random.nextInt(gaps.length)],
                                    Math.floorDiv(watermark + 1, W));
                    // Windows in the gap had no records; the watermark may be anywhere before
                    // this window's last millisecond.
                    long before = (index + 1) * W - 2;
                    long to = Math.max(watermark, before - random.nextInt((int) W));
                    if (to > watermark) {
                        watermark = to;
                        clearing.processWatermark(watermark);
                        keeping.processWatermark(watermark);
                    }
                    latest = index;
                    latestFeatures = 0;
                }
                // Late records only add to a window: never fewer features.
                int features = random.nextInt(4);
                if (index == latest) {
                    features = Math.max(features, latestFeatures);
                    latestFeatures = features;
                }
                List<Double> fractions = new ArrayList<>();
                for (int i = 0; i < features; i++) {
                    fractions.add(choices[random.nextInt(choices.length)]);
                }
                Double zeroFraction = random.nextInt(5) == 0 ? null : choices[random.nextInt(3)];
                ActivationStats stats = stats(index, fractions, zeroFraction);
                history.add(index + " " + fractions + " " + zeroFraction + " @" + watermark);
                clearing.processElement(stats, (index + 1) * W - 1);
                keeping.processElement(stats, (index + 1) * W - 1);
                if (!late && (index + 1) * W - 1 > watermark) {
                    // The watermark that fired the window follows its statistics.
                    watermark = (index + 1) * W - 1;
                    clearing.processWatermark(watermark);
                    keeping.processWatermark(watermark);
                }
            }
            assertThat(clearing.extractOutputValues())
                    .as(
                            "trial %d dw=%d lim=%s lateness=%d %s",
                            trial, deadWindows, limit, lateness, history)
                    .isEqualTo(keeping.extractOutputValues());
            int kept = keeping.numKeyedStateEntries();
            clearing.processWatermark(Long.MAX_VALUE);
            // Features whose last alert says dead: their recovery is still to be reported.
            Map<Integer, String> lastAlert = new HashMap<>();
            for (ActivationAlert alert : keeping.extractOutputValues()) {
                if (alert.getFeature() != null) {
                    lastAlert.put(alert.getFeature(), alert.getKind());
                }
            }
            boolean deadLeft = lastAlert.containsValue(DeadFeatureDetector.DEAD_FEATURE);
            assertThat(clearing.numKeyedStateEntries())
                    .as("trial %d %s", trial, history)
                    .isEqualTo(deadLeft ? 1 : 0);
            if (kept > clearing.numKeyedStateEntries()) {
                cleared++;
            }
            clearing.close();
            keeping.close();
        }
        // Every trial had state to clear.
        assertThat(cleared).isEqualTo(300);
    }

    /**
     * The statistics as Flink's own window operator delivers them (tumbling or sliding windows,
     * records on time, late within the allowed lateness and beyond it, for two groups; watermarks;
     * restores of all three operators from a checkpoint, with the watermark carried across as the
     * job's restored-watermark stage does), to a detector that clears the state of a group and to
     * one that keeps it: the alerts are the same.
     */
    @Test
    void clearingTheStateChangesNoAlertBehindFlinksWindowOperator() throws Exception {
        Random random = new Random(11);
        long[] latenesses = {0, W / 2, W, 3 * W};
        int alerts = 0;
        int cleared = 0;
        for (int trial = 0; trial < 150; trial++) {
            Pipeline pipeline =
                    new Pipeline(
                            random.nextBoolean() ? 3 * W : W,
                            latenesses[random.nextInt(latenesses.length)],
                            1 + random.nextInt(3),
                            random.nextBoolean() ? null : 0.6,
                            // Some in RocksDB: its state is a copy on every read, the heap's not.
                            trial % 10 == 0);
            List<String> history = new ArrayList<>();
            for (int step = 0; step < 60; step++) {
                int kind = random.nextInt(10);
                if (kind < 6) {
                    String group = random.nextBoolean() ? "a" : "b";
                    long now = Math.max(pipeline.watermark, 0);
                    // Mostly around the watermark, some beyond the lateness.
                    long time =
                            Math.max(
                                    0,
                                    now
                                            - pipeline.lateness
                                            - 2 * W
                                            + random.nextInt((int) (pipeline.lateness + 4 * W)));
                    double[] values = new double[random.nextInt(4)];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = random.nextInt(4) == 0 ? 1.0 : 0.0;
                    }
                    history.add(group + "@" + time + Arrays.toString(values));
                    pipeline.record(ActivationSample.of("r", time, group, values, values, 0.0));
                } else if (kind < 9) {
                    long from = Math.max(pipeline.watermark, 0);
                    long to =
                            from
                                    + 1
                                    + random.nextInt(
                                            (int) (random.nextInt(5) == 0 ? 8 * W : 2 * W));
                    if (random.nextBoolean()) {
                        // Where a window's lateness ends, or the millisecond before.
                        long end = (to / W + 1) * W - 1 + pipeline.lateness - random.nextInt(2);
                        to = Math.max(from + 1, end);
                    }
                    history.add("wm " + to);
                    pipeline.watermark(to);
                } else {
                    history.add("restore");
                    pipeline.restore();
                }
                // (The harness counts the entries of heap state only.)
                if (!pipeline.rocksDb
                        && pipeline.clearing.numKeyedStateEntries()
                                < pipeline.keeping.numKeyedStateEntries()) {
                    cleared++;
                }
            }
            alerts += pipeline.keepingAlerts().size();
            assertThat(pipeline.clearingAlerts())
                    .as(
                            "trial %d size=%d lateness=%d rocksdb=%s %s",
                            trial, pipeline.size, pipeline.lateness, pipeline.rocksDb, history)
                    .isEqualTo(pipeline.keepingAlerts());
            pipeline.close();
        }
        // Not vacuous: alerts enough, and steps enough after a group's state was cleared.
        assertThat(alerts).isGreaterThan(1000);
        assertThat(cleared).isGreaterThan(1000);
    }

    /** A window operator of one-slide ({@link #W}) windows feeding two detectors. */
    private static final class Pipeline {
        final long size;
        final long lateness;
        final int deadWindows;
        final Double limit;
        final boolean rocksDb;
        long watermark = Long.MIN_VALUE;
        private long checkpoint;
        private KeyedOneInputStreamOperatorTestHarness<String, ActivationSample, ActivationStats>
                window;
        private KeyedOneInputStreamOperatorTestHarness<String, ActivationStats, ActivationAlert>
                clearing;
        private KeyedOneInputStreamOperatorTestHarness<String, ActivationStats, ActivationAlert>
                keeping;
        private final List<ActivationAlert> clearingAlerts = new ArrayList<>();
        private final List<ActivationAlert> keepingAlerts = new ArrayList<>();

        Pipeline(long size, long lateness, int deadWindows, Double limit, boolean rocksDb)
                throws Exception {
            this.size = size;
            this.rocksDb = rocksDb;
            this.lateness = lateness;
            this.deadWindows = deadWindows;
            this.limit = limit;
            window = window(null);
            clearing = detector(true, null);
            keeping = detector(false, null);
        }

        private KeyedOneInputStreamOperatorTestHarness<String, ActivationSample, ActivationStats>
                window(OperatorSubtaskState state) throws Exception {
            WindowOperatorBuilder<ActivationSample, String, TimeWindow> builder =
                    new WindowOperatorBuilder<>(
                            size == W
                                    ? TumblingEventTimeWindows.of(Duration.ofMillis(W))
                                    : SlidingEventTimeWindows.of(
                                            Duration.ofMillis(size), Duration.ofMillis(W)),
                            EventTimeTrigger.create(),
                            new ExecutionConfig(),
                            TypeInformation.of(ActivationSample.class),
                            sample -> sample.group,
                            Types.STRING);
            builder.allowedLateness(Duration.ofMillis(lateness));
            var harness =
                    new KeyedOneInputStreamOperatorTestHarness<>(
                            builder.aggregate(
                                    new ActivationStatsAggregate(),
                                    new ActivationStatsWindowFunction("relu", 1.0),
                                    TypeInformation.of(ActivationStatsAccumulator.class)),
                            sample -> sample.group,
                            Types.STRING);
            if (state != null) {
                harness.initializeState(state);
            }
            harness.open();
            return harness;
        }

        private KeyedOneInputStreamOperatorTestHarness<String, ActivationStats, ActivationAlert>
                detector(boolean clears, OperatorSubtaskState state) throws Exception {
            DeadFeatureDetector detector =
                    clears
                            ? new DeadFeatureDetector(
                                    deadWindows, 1.0, limit, "relu", 10, W, lateness)
                            : new DeadFeatureDetector(deadWindows, 1.0, limit, "relu", 10, W);
            var harness =
                    new KeyedOneInputStreamOperatorTestHarness<>(
                            new KeyedProcessOperator<>(detector),
                            ActivationStats::getGroup,
                            Types.STRING);
            if (clears && rocksDb) {
                harness.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            if (state != null) {
                harness.initializeState(state);
            }
            harness.open();
            return harness;
        }

        void record(ActivationSample sample) throws Exception {
            window.processElement(new StreamRecord<>(sample, sample.eventTime));
            forward();
        }

        void watermark(long to) throws Exception {
            watermark = to;
            window.processWatermark(to);
            forward();
        }

        /** A failure and a restore from a checkpoint taken now. */
        void restore() throws Exception {
            checkpoint++;
            OperatorSubtaskState windowState = window.snapshot(checkpoint, checkpoint);
            OperatorSubtaskState clearingState = clearing.snapshot(checkpoint, checkpoint);
            OperatorSubtaskState keepingState = keeping.snapshot(checkpoint, checkpoint);
            clearingAlerts.addAll(clearing.extractOutputValues());
            keepingAlerts.addAll(keeping.extractOutputValues());
            close();
            window = window(windowState);
            clearing = detector(true, clearingState);
            keeping = detector(false, keepingState);
            if (watermark != Long.MIN_VALUE) {
                // The restored-watermark stage in front of the window: event time goes on.
                watermark(watermark);
            }
        }

        /** The window operator's output, records and watermarks in order, to both detectors. */
        private void forward() throws Exception {
            Object out;
            while ((out = window.getOutput().poll()) != null) {
                if (out instanceof StreamRecord<?> record) {
                    ActivationStats stats = (ActivationStats) record.getValue();
                    clearing.processElement(stats, record.getTimestamp());
                    keeping.processElement(stats, record.getTimestamp());
                } else if (out instanceof Watermark mark) {
                    clearing.processWatermark(mark);
                    keeping.processWatermark(mark);
                }
            }
        }

        List<ActivationAlert> clearingAlerts() {
            List<ActivationAlert> all = new ArrayList<>(clearingAlerts);
            all.addAll(clearing.extractOutputValues());
            return all;
        }

        List<ActivationAlert> keepingAlerts() {
            List<ActivationAlert> all = new ArrayList<>(keepingAlerts);
            all.addAll(keeping.extractOutputValues());
            return all;
        }

        void close() throws Exception {
            window.close();
            clearing.close();
            keeping.close();
        }
    }

    private static ActivationStats stats(long index, List<Double> fractions, Double zeroFraction) {
        return ActivationStats.newBuilder()
                .setGroup("g")
                .setWindowStart(Instant.ofEpochMilli(index * W))
                .setWindowEnd(Instant.ofEpochMilli((index + 1) * W))
                .setActivation("relu")
                .setRecordCount(10)
                .setValueCount(zeroFraction == null ? 0 : 10)
                .setZeroCount(0)
                .setZeroFraction(zeroFraction)
                .setNanCount(0)
                .setPosInfCount(0)
                .setNegInfCount(0)
                .setPerFeatureZeroFraction(fractions)
                .setDeadFeatures(List.of())
                .build();
    }
}
