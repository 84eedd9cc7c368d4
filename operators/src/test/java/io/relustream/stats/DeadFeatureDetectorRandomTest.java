package io.relustream.stats;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
                ActivationStats stats =
                        ActivationStats.newBuilder()
                                .setGroup("g")
                                .setWindowStart(Instant.ofEpochMilli(idx * W))
                                .setWindowEnd(Instant.ofEpochMilli((idx + 1) * W))
                                .setActivation("relu")
                                .setRecordCount(10)
                                .setValueCount(zf == null ? 0 : 10)
                                .setZeroCount(0)
                                .setZeroFraction(zf)
                                .setNanCount(0)
                                .setPosInfCount(0)
                                .setNegInfCount(0)
                                .setPerFeatureZeroFraction(fractions)
                                .setDeadFeatures(List.of())
                                .build();
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
}
