package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The running statistics of one group in one window: counts, min/max, mean and variance, a KLL
 * quantile sketch and per-feature zero counts. Its size depends on the number of features and
 * (logarithmically) on the number of values, never on the number of records: records are folded in
 * and dropped. Accumulators merge, so Flink can use them for sliding and session windows and for
 * partial aggregation.
 *
 * <pre>{@code
 * ActivationStatsAccumulator acc = new ActivationStatsAccumulator();
 * samples.forEach(acc::add);
 * acc.merge(otherPartition);
 * ActivationStats stats = acc.toStats("layer1", start, end, "relu", 1.0);
 * }</pre>
 *
 * <p>What is counted over what:
 *
 * <ul>
 *   <li>{@code value_count}, {@code zero_fraction}, min, max, mean, stddev and the quantiles are
 *       over the non-NaN activation outputs; infinities are values.
 *   <li>{@code per_feature_zero_fraction[i]} is over the records that have index {@code i}, NaN
 *       outputs at {@code i} included (a NaN output is a record that was not zero there).
 *   <li>The input counts come from {@link ActivationSample}.
 * </ul>
 *
 * <p>Infinite outputs (e.g. {@code relu(+inf)}) flow through the arithmetic as IEEE summation would
 * have them: the mean is {@code +inf} when there are {@code +inf} outputs, {@code -inf} when there
 * are {@code -inf} outputs, NaN when there are both; the standard deviation is NaN whenever an
 * infinity is present. Mean and variance of the finite outputs are kept separately (Welford, Chan
 * et al. to merge) and the infinities counted, because running Welford through an infinity gives
 * order-dependent results ({@code [inf, 1]} has mean NaN, {@code [1, inf]} mean {@code inf}), and
 * Flink promises no order within a window. Finite outputs whose differences overflow a double
 * (around {@code 1e308}) give infinite or NaN moments too.
 *
 * <p>The quantiles are exact while the window holds at most {@value #SKETCH_K} values; past that
 * they carry the KLL rank error (about 1.3% for {@code k = 200}) and, because the sketch compacts
 * at random, two runs over the same window may report slightly different quantiles.
 *
 * <p>Flink serializes it with {@link ActivationStatsAccumulatorSerializer} (see {@link
 * ActivationStatsAccumulatorTypeInfo}), never with Kryo.
 */
@TypeInfo(ActivationStatsAccumulatorTypeInfo.Factory.class)
public final class ActivationStatsAccumulator {

    /** The KLL sketch's {@code k}: exact up to this many values, ~1.3% rank error past it. */
    public static final int SKETCH_K = 200;

    private static final long[] NO_FEATURES = new long[0];

    long recordCount;
    long valueCount;
    long zeroCount;
    long nanInputs;
    long posInfInputs;
    long negInfInputs;
    long nonNaNInputs;
    long belowThresholdInputs;
    long posInfValues;
    long negInfValues;
    // Over all non-NaN outputs; meaningful only when valueCount > 0.
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    // Over the finite outputs only (valueCount - posInfValues - negInfValues of them).
    double mean;
    double m2;
    KllDoublesSketch sketch;
    long[] featureRecords = NO_FEATURES;
    long[] featureZeros = NO_FEATURES;

    /** An empty accumulator. */
    public ActivationStatsAccumulator() {
        this(KllDoublesSketch.newHeapInstance(SKETCH_K));
    }

    ActivationStatsAccumulator(KllDoublesSketch sketch) {
        this.sketch = sketch;
    }

    /** Folds one record in. */
    public void add(ActivationSample sample) {
        recordCount++;
        nanInputs += sample.nanInputs;
        posInfInputs += sample.posInfInputs;
        negInfInputs += sample.negInfInputs;
        nonNaNInputs += sample.inputCount - sample.nanInputs;
        belowThresholdInputs += sample.belowThresholdInputs;

        double[] values = sample.activations;
        if (values == null) {
            return;
        }
        ensureFeatures(values.length);
        for (int i = 0; i < values.length; i++) {
            featureRecords[i]++;
            double v = values[i];
            if (v != v) {
                continue;
            }
            valueCount++;
            if (v == 0.0) {
                zeroCount++;
                featureZeros[i]++;
            }
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            sketch.update(v);
            if (v == Double.POSITIVE_INFINITY) {
                posInfValues++;
            } else if (v == Double.NEGATIVE_INFINITY) {
                negInfValues++;
            } else {
                // Welford's update over the finite outputs.
                long n = finiteValues();
                double delta = v - mean;
                mean += delta / n;
                m2 += delta * (v - mean);
            }
        }
    }

    /**
     * Folds another accumulator in, as if its records had been added here; {@code other} is left
     * unchanged.
     */
    public void merge(ActivationStatsAccumulator other) {
        if (other == this) {
            throw new IllegalArgumentException("Cannot merge an accumulator with itself");
        }
        long finiteHere = finiteValues();
        long finiteThere = other.finiteValues();
        if (finiteThere > 0) {
            if (finiteHere == 0) {
                mean = other.mean;
                m2 = other.m2;
            } else {
                // Chan, Golub and LeVeque's pairwise combination.
                double n = (double) finiteHere + finiteThere;
                double delta = other.mean - mean;
                mean += delta * (finiteThere / n);
                m2 += other.m2 + delta * delta * (finiteHere * (finiteThere / n));
            }
        }
        recordCount += other.recordCount;
        valueCount += other.valueCount;
        zeroCount += other.zeroCount;
        nanInputs += other.nanInputs;
        posInfInputs += other.posInfInputs;
        negInfInputs += other.negInfInputs;
        nonNaNInputs += other.nonNaNInputs;
        belowThresholdInputs += other.belowThresholdInputs;
        posInfValues += other.posInfValues;
        negInfValues += other.negInfValues;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        sketch.merge(other.sketch);
        ensureFeatures(other.featureRecords.length);
        for (int i = 0; i < other.featureRecords.length; i++) {
            featureRecords[i] += other.featureRecords[i];
            featureZeros[i] += other.featureZeros[i];
        }
    }

    /**
     * The statistics of the window.
     *
     * @param deadThreshold features whose zero fraction is at least this are listed as dead
     */
    public ActivationStats toStats(
            String group,
            long windowStartMillis,
            long windowEndMillis,
            String activationSpec,
            double deadThreshold) {
        List<Double> perFeature = new ArrayList<>(featureRecords.length);
        List<Integer> dead = new ArrayList<>();
        for (int i = 0; i < featureRecords.length; i++) {
            double fraction = fraction(featureZeros[i], featureRecords[i]);
            perFeature.add(fraction);
            if (fraction >= deadThreshold) {
                dead.add(i);
            }
        }
        boolean hasValues = valueCount > 0;
        return ActivationStats.newBuilder()
                .setGroup(group)
                .setWindowStart(Instant.ofEpochMilli(windowStartMillis))
                .setWindowEnd(Instant.ofEpochMilli(windowEndMillis))
                .setActivation(activationSpec)
                .setRecordCount(recordCount)
                .setValueCount(valueCount)
                .setZeroCount(zeroCount)
                .setZeroFraction(hasValues ? fraction(zeroCount, valueCount) : null)
                .setNanCount(nanInputs)
                .setPosInfCount(posInfInputs)
                .setNegInfCount(negInfInputs)
                .setNegativeInputFraction(
                        nonNaNInputs > 0 ? fraction(belowThresholdInputs, nonNaNInputs) : null)
                .setMin(hasValues ? plusZero(min) : null)
                .setMax(hasValues ? plusZero(max) : null)
                .setMean(hasValues ? plusZero(mean()) : null)
                .setStddev(hasValues ? plusZero(stddev()) : null)
                .setP50(hasValues ? quantile(0.5) : null)
                .setP90(hasValues ? quantile(0.9) : null)
                .setP99(hasValues ? quantile(0.99) : null)
                .setPerFeatureZeroFraction(perFeature)
                .setDeadFeatures(dead)
                .build();
    }

    /** Records folded in. */
    public long recordCount() {
        return recordCount;
    }

    /** Non-NaN activation outputs folded in. */
    public long valueCount() {
        return valueCount;
    }

    /** Length of the longest activation vector folded in. */
    public int features() {
        return featureRecords.length;
    }

    /** A deep copy. */
    public ActivationStatsAccumulator copy() {
        ActivationStatsAccumulator copy = new ActivationStatsAccumulator(copyOf(sketch));
        copy.recordCount = recordCount;
        copy.valueCount = valueCount;
        copy.zeroCount = zeroCount;
        copy.nanInputs = nanInputs;
        copy.posInfInputs = posInfInputs;
        copy.negInfInputs = negInfInputs;
        copy.nonNaNInputs = nonNaNInputs;
        copy.belowThresholdInputs = belowThresholdInputs;
        copy.posInfValues = posInfValues;
        copy.negInfValues = negInfValues;
        copy.min = min;
        copy.max = max;
        copy.mean = mean;
        copy.m2 = m2;
        copy.featureRecords = featureRecords.clone();
        copy.featureZeros = featureZeros.clone();
        return copy;
    }

    static KllDoublesSketch copyOf(KllDoublesSketch sketch) {
        // The 6.x sketches have no copy method; the round trip through bytes is the documented way.
        return KllDoublesSketch.heapify(Memory.wrap(sketch.toByteArray()));
    }

    private long finiteValues() {
        return valueCount - posInfValues - negInfValues;
    }

    private double mean() {
        if (posInfValues > 0 && negInfValues > 0) {
            return Double.NaN;
        }
        if (posInfValues > 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (negInfValues > 0) {
            return Double.NEGATIVE_INFINITY;
        }
        return mean;
    }

    private double stddev() {
        if (posInfValues > 0 || negInfValues > 0) {
            return Double.NaN;
        }
        // Rounding can leave a tiny negative M2 only in theory; clamp so sqrt never gives NaN.
        return Math.sqrt(Math.max(0.0, m2) / valueCount);
    }

    private double quantile(double rank) {
        return plusZero(sketch.getQuantile(rank, QuantileSearchCriteria.INCLUSIVE));
    }

    private static double fraction(long part, long whole) {
        // part >= 0 and whole > 0, so a zero fraction is +0.0.
        return (double) part / whole;
    }

    /** The Avro records promise +0.0 for zero: a -0.0 input must not leak into the output. */
    private static double plusZero(double v) {
        return v == 0.0 ? 0.0 : v;
    }

    private void ensureFeatures(int length) {
        if (length > featureRecords.length) {
            featureRecords = Arrays.copyOf(featureRecords, length);
            featureZeros = Arrays.copyOf(featureZeros, length);
        }
    }
}
