package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.DoublesSortedView;

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
 * <p>The mean is the sum of the finite outputs divided by their count, rounded once: the sum is
 * kept compensated, as two doubles (about 106 bits), so the mean is the correctly rounded one
 * unless the outputs nearly cancel (their sum is tiny against their magnitudes) or outputs below
 * about {@code 2^-106} of the largest decide its last bit. {@code [0, 1, 0]} has mean {@code 1.0 /
 * 3}, {@code [0.1, 0.2, 0.3]} mean {@code 0.2}, whether the outputs come in one record or many, in
 * any order, merged in any order. Infinite outputs (e.g. {@code relu(+inf)}) are counted, not
 * summed: the mean is {@code +inf} when the only infinities are {@code +inf}, {@code -inf} when
 * they are {@code -inf}, NaN with both, whatever the order; the standard deviation (population) is
 * NaN whenever an infinity is present. Otherwise it is {@code sqrt(M2 / n)}, M2 the sum of squared
 * deviations, summed per record from the record's mean and combined with Chan, Golub and LeVeque's
 * update (the difference of the means taken from the compensated sums, so values far from zero lose
 * nothing to it). M2 is kept compensated as well, as two doubles: rounded into one double at each
 * record, its error would grow with the number of records. So the standard deviation is within a
 * few ulps of the exact value (at most 8 over random windows of up to 128,000 values, in records of
 * any size). Sum and M2 hold over the whole range of a double: for magnitudes past about {@code
 * 1e135} or below about {@code 1e-135} they are kept in units of a power of two taken from the min
 * and max, so neither the sum nor the squares overflow or underflow ({@code [1e308, 1e308]} has
 * mean {@code 1e308}).
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

    /**
     * Magnitudes within {@code 2^±450} need no scaling: M2 stays below {@code 2^965} for any count
     * and a deviation of an ulp of the largest magnitude still has a normal square.
     */
    private static final int UNSCALED_EXPONENT = 450;

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
    // Outputs below zero: with the zeros, they place the sketch's values in the whole order.
    long negativeValues;
    // Over all non-NaN outputs; meaningful only when valueCount > 0.
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    // The sum of the finite outputs (valueCount - posInfValues - negInfValues of them) as an
    // unevaluated sum + sumTail, |sumTail| <= ulp(sum) / 2, in units of 2^scale(): the scale
    // follows from min and max, so it needs no field of its own.
    double sum;
    double sumTail;
    // Their sum of squared deviations from their mean, in units of 2^(2 * scale()), as an
    // unevaluated sum m2 + m2Tail like the sum: rounded into one double at each record, its
    // error would grow with the number of records (tens of ulps over 100,000 of them).
    double m2;
    double m2Tail;
    // The non-zero, non-NaN outputs: zeros, most outputs of a sparse activation, are counted
    // exactly instead, which spares the sketch most of its updates.
    KllDoublesSketch sketch;
    long[] featureRecords = NO_FEATURES;
    long[] featureZeros = NO_FEATURES;

    // Scratch space of add(), one per thread: not state, and not kept in each accumulator, where
    // every open window of every group held it on the heap state backend (8 bytes per feature
    // beside the 16 of its counts).
    private static final ThreadLocal<double[]> SCRATCH =
            ThreadLocal.withInitial(() -> new double[0]);

    /** An empty accumulator. */
    public ActivationStatsAccumulator() {
        this(KllDoublesSketch.newHeapInstance(SKETCH_K));
    }

    ActivationStatsAccumulator(KllDoublesSketch sketch) {
        this.sketch = sketch;
    }

    /** Folds one record in. */
    public void add(ActivationSample sample) {
        int scaleBefore = scale();
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
        int length = values.length;
        ensureFeatures(length);
        double[] nonZero = SCRATCH.get();
        if (nonZero.length < length) {
            nonZero = new double[length];
            SCRATCH.set(nonZero);
        }
        int sketched = 0;
        long zeros = 0;
        long finite = 0;
        // Zeros are about half the outputs of a sparse activation, at random: a branch on them
        // mispredicts every other value. This pass has none: it counts them with conditional
        // moves and packs the non-zero, non-NaN values to the front of nonZero, in order.
        for (int i = 0; i < length; i++) {
            double v = values[i];
            int zero = v == 0.0 ? 1 : 0;
            featureRecords[i]++;
            featureZeros[i] += zero;
            zeros += zero;
            nonZero[sketched] = v;
            sketched += (v != 0.0 & v == v) ? 1 : 0;
        }
        for (int i = 0; i < sketched; i++) {
            double v = nonZero[i];
            if (v < 0.0) {
                negativeValues++;
            }
            if (v == Double.POSITIVE_INFINITY) {
                posInfValues++;
            } else if (v == Double.NEGATIVE_INFINITY) {
                negInfValues++;
            } else {
                finite++;
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
            sketch.update(v);
        }
        if (zeros > 0) {
            min = Math.min(min, 0.0);
            max = Math.max(max, 0.0);
        }
        int scale = scale();
        m2 = rescaled(m2, scaleBefore, scale);
        m2Tail = rescaled(m2Tail, scaleBefore, scale);
        sum = Math.scalb(sum, scaleBefore - scale);
        sumTail = Math.scalb(sumTail, scaleBefore - scale);
        valueCount += sketched + zeros;
        zeroCount += zeros;
        // The record's own sum and squared deviations, then Chan's combination: one division per
        // record instead of one per value.
        long recordFinite = finite + zeros;
        if (recordFinite > 0) {
            // Multiplying by a power of two is as exact as Math.scalb, and cheaper in this loop.
            double unit = Math.scalb(1.0, -scale);
            // Knuth's TwoSum: recordTail collects each addition's rounding error exactly, so
            // recordSum + recordTail is the sum as if added in twice the precision. The scaled
            // values stay below 2 (or 2^451 unscaled), so the sum cannot overflow.
            double recordSum = 0.0;
            double recordTail = 0.0;
            for (int i = 0; i < sketched; i++) {
                double v = nonZero[i];
                if (Double.isFinite(v)) {
                    double x = v * unit;
                    double t = recordSum + x;
                    double xPart = t - recordSum;
                    recordTail += (recordSum - (t - xPart)) + (x - xPart);
                    recordSum = t;
                }
            }
            // The mean as a double-double too: deviations from the mean rounded to a double are
            // all off by its rounding, which is most of them when the values barely differ
            // ([1, 1 + 2^-52] would have a standard deviation of 2^-52.5 instead of 2^-53).
            double n = recordFinite;
            double recordMean = recordSum / n;
            double recordMeanLow = (Math.fma(-recordMean, n, recordSum) + recordTail) / n;
            double zeroDeviation = recordMean + recordMeanLow;
            // The squares and their sum with TwoProduct and TwoSum too: recordM2Tail gathers
            // what each rounding dropped.
            double zeroSquare = zeroDeviation * zeroDeviation;
            double zeroCount = zeros;
            double recordM2 = zeroCount * zeroSquare;
            double recordM2Tail =
                    Math.fma(zeroCount, zeroSquare, -recordM2)
                            + zeroCount * Math.fma(zeroDeviation, zeroDeviation, -zeroSquare);
            for (int i = 0; i < sketched; i++) {
                double v = nonZero[i];
                if (Double.isFinite(v)) {
                    double deviation = (v * unit - recordMean) - recordMeanLow;
                    double square = deviation * deviation;
                    double t = recordM2 + square;
                    double squarePart = t - recordM2;
                    recordM2Tail +=
                            (recordM2 - (t - squarePart))
                                    + (square - squarePart)
                                    + Math.fma(deviation, deviation, -square);
                    recordM2 = t;
                }
            }
            combineMoments(
                    finiteValues() - recordFinite,
                    recordFinite,
                    recordSum,
                    recordTail,
                    recordM2,
                    recordM2Tail);
        }
    }

    /**
     * Folds {@code count} finite values of sum {@code otherSum + otherTail} and M2 {@code otherM2 +
     * otherM2Tail} into the {@code before} here, all in the units of the current scale: the sums
     * add, the M2 combine as Chan, Golub and LeVeque have it.
     */
    private void combineMoments(
            long before,
            long count,
            double otherSum,
            double otherTail,
            double otherM2,
            double otherM2Tail) {
        if (before > 0) {
            // The difference of the two means from their double-double quotients: rounded to
            // doubles first, each mean would be off by up to half an ulp of its magnitude, a
            // large relative error in a small difference of two large means.
            double n1 = before;
            double n2 = count;
            double mean1 = sum / n1;
            double mean1Low = (Math.fma(-mean1, n1, sum) + sumTail) / n1;
            double mean2 = otherSum / n2;
            double mean2Low = (Math.fma(-mean2, n2, otherSum) + otherTail) / n2;
            double delta = (mean2 - mean1) + (mean2Low - mean1Low);
            addToM2(otherM2, otherM2Tail);
            addToM2(delta * delta * (n1 * (n2 / (n1 + n2))), 0.0);
        } else {
            m2 = otherM2;
            m2Tail = otherM2Tail;
        }
        addToSum(otherSum, otherTail);
    }

    /**
     * Adds {@code high + low} to {@code m2 + m2Tail}: TwoSum of the high parts, the rest gathered
     * in the tail. Both are sums of squares, so nothing cancels and this simpler double-double
     * addition keeps the relative error at a few units of {@code 2^-106} per addition.
     */
    private void addToM2(double high, double low) {
        double s = m2 + high;
        double highPart = s - m2;
        double error = (m2 - (s - highPart)) + (high - highPart);
        double tail = m2Tail + low + error;
        m2 = s + tail;
        m2Tail = tail - (m2 - s);
    }

    /**
     * Adds {@code high + low} to {@code sum + sumTail}, both pairs in double-double form: the
     * accurate double-double addition (TwoSum of both parts, then two renormalizations), whose
     * relative error is a few units of {@code 2^-106} even when the two sums cancel.
     */
    private void addToSum(double high, double low) {
        double s = sum + high;
        double highPart = s - sum;
        double sError = (sum - (s - highPart)) + (high - highPart);
        double t = sumTail + low;
        double lowPart = t - sumTail;
        double tError = (sumTail - (t - lowPart)) + (low - lowPart);
        sError += t;
        double u = s + sError;
        double uError = sError - (u - s);
        uError += tError;
        sum = u + uError;
        sumTail = uError - (sum - u);
    }

    /**
     * The power of two the moments are scaled by: 0 (no scaling) for ordinary magnitudes, for zero
     * and with infinities (whose standard deviation is NaN anyway), else the exponent of the
     * largest magnitude, which brings the scaled values into {@code (-2, 2)}. A state saved before
     * the scaling existed reads as it did unless its magnitudes were past {@code 2^±450} and its M2
     * neither zero nor infinite: that rare state now gives a wrong standard deviation.
     */
    private int scale() {
        double largest = Math.max(Math.abs(min), Math.abs(max));
        int exponent = Math.getExponent(largest);
        if (largest == 0.0
                || exponent > Double.MAX_EXPONENT
                || Math.abs(exponent) <= UNSCALED_EXPONENT) {
            return 0;
        }
        return exponent;
    }

    /** M2 in units of {@code 2^(2 * from)} moved to units of {@code 2^(2 * to)}. */
    private static double rescaled(double m2, int from, int to) {
        // Exact but for contributions so small at the new scale that they underflow.
        return Math.scalb(m2, 2 * (from - to));
    }

    /**
     * Folds another accumulator in, as if its records had been added here; {@code other} is left
     * unchanged.
     */
    public void merge(ActivationStatsAccumulator other) {
        if (other == this) {
            throw new IllegalArgumentException("Cannot merge an accumulator with itself");
        }
        int scaleHere = scale();
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        int scale = scale();
        m2 = rescaled(m2, scaleHere, scale);
        m2Tail = rescaled(m2Tail, scaleHere, scale);
        sum = Math.scalb(sum, scaleHere - scale);
        sumTail = Math.scalb(sumTail, scaleHere - scale);
        long finiteThere = other.finiteValues();
        if (finiteThere > 0) {
            int scaleThere = other.scale();
            combineMoments(
                    finiteValues(),
                    finiteThere,
                    Math.scalb(other.sum, scaleThere - scale),
                    Math.scalb(other.sumTail, scaleThere - scale),
                    rescaled(other.m2, scaleThere, scale),
                    rescaled(other.m2Tail, scaleThere, scale));
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
        negativeValues += other.negativeValues;
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
     * @param deadThreshold features whose zero fraction is at least this are listed as dead; in
     *     {@code (0, 1]}
     * @throws IllegalArgumentException when {@code deadThreshold} is not in {@code (0, 1]}
     */
    public ActivationStats toStats(
            String group,
            long windowStartMillis,
            long windowEndMillis,
            String activationSpec,
            double deadThreshold) {
        // 0 would list every feature as dead, NaN or above 1 none: never what a caller meant.
        DeadFeatureDetector.checkDeadThreshold(deadThreshold);
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
        copy.negativeValues = negativeValues;
        copy.min = min;
        copy.max = max;
        copy.sum = sum;
        copy.sumTail = sumTail;
        copy.m2 = m2;
        copy.m2Tail = m2Tail;
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
        return finiteMean();
    }

    /**
     * The mean of the finite outputs, 0 when there is none: {@code (sum + sumTail) / n} rounded
     * once, with the remainder of the first division taken exactly by a fused multiply-add.
     */
    double finiteMean() {
        long finite = finiteValues();
        if (finite == 0) {
            return 0.0;
        }
        double n = finite;
        double quotient = sum / n;
        double remainder = Math.fma(-quotient, n, sum) + sumTail;
        return Math.scalb(quotient + remainder / n, scale());
    }

    /**
     * Sets the sum from the mean of the finite outputs, as a state saved before the sum was kept
     * has it; the counts, min and max must be set already. The sum is the mean times the count
     * exactly, so the state reports the mean it was saved with, rounding included.
     */
    void setSumFromMean(double finiteMean) {
        long finite = finiteValues();
        if (finite == 0) {
            sum = 0.0;
            sumTail = 0.0;
            return;
        }
        // Scaled first: the mean of 1e308 and 1e308 times 2 overflows.
        double scaledMean = Math.scalb(finiteMean, -scale());
        double n = finite;
        sum = scaledMean * n;
        sumTail = Math.fma(scaledMean, n, -sum);
    }

    private double stddev() {
        if (posInfValues > 0 || negInfValues > 0) {
            return Double.NaN;
        }
        // Rounding can leave a tiny negative M2 only in theory; clamp so sqrt never gives NaN.
        return Math.scalb(Math.sqrt(Math.max(0.0, m2 + m2Tail) / valueCount), scale());
    }

    /**
     * The smallest output with at least {@code q} of the outputs at or below it: the {@code ceil(q
     * * n)}-th smallest. The outputs sort as the negatives, the zeros, the positives; the zeros are
     * counted, the rest is in the sketch, read by its integer cumulative weights so that the answer
     * is exact while the sketch is.
     */
    private double quantile(double q) {
        long rank = Math.max(1, (long) Math.ceil(q * valueCount));
        if (rank > negativeValues && rank <= negativeValues + zeroCount) {
            return 0.0;
        }
        boolean negative = rank <= negativeValues;
        long sketchRank = negative ? rank : rank - zeroCount;
        DoublesSortedView view = sketch.getSortedView();
        double[] items = view.getQuantiles();
        long[] cumulative = view.getCumulativeWeights();
        // The sketch's weights add up to its count, so the rank is always reached.
        int index = 0;
        while (index < items.length - 1 && cumulative[index] < sketchRank) {
            index++;
        }
        // Past k values the weights are approximate and may step over the boundary between the
        // negatives and the positives, where the zeros sit in the whole order: an answer of the
        // wrong sign would be off by every zero. The count of negatives is exact, so the answer
        // stays on its side: the nearest kept item there, or the exact min or max if none is.
        if (negative && items[index] > 0.0) {
            while (index > 0 && items[index] > 0.0) {
                index--;
            }
            return items[index] < 0.0 ? items[index] : min;
        }
        if (!negative && items[index] < 0.0) {
            while (index < items.length - 1 && items[index] < 0.0) {
                index++;
            }
            return items[index] > 0.0 ? items[index] : max;
        }
        return plusZero(items[index]);
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
