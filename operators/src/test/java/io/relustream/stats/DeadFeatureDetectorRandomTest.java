package io.relustream.stats;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
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
