package io.relustream.stats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The window statistics the slow, obvious way, from all samples at once: sorted values, two-pass
 * moments, quantiles by index. The tests hold the accumulator against it; it shares no code with
 * the accumulator.
 */
final class ReferenceStats {

    final long records;
    final long values;
    final long zeros;
    final long nanInputs;
    final long posInfInputs;
    final long negInfInputs;
    final long nonNaNInputs;
    final long belowThreshold;
    final double[] sorted;
    final long[] featureRecords;
    final long[] featureZeros;

    ReferenceStats(List<ActivationSample> samples) {
        long records = 0;
        long zeros = 0;
        long nan = 0;
        long posInf = 0;
        long negInf = 0;
        long inputs = 0;
        long below = 0;
        int features = 0;
        List<Double> all = new ArrayList<>();
        for (ActivationSample s : samples) {
            records++;
            nan += s.nanInputs;
            posInf += s.posInfInputs;
            negInf += s.negInfInputs;
            inputs += s.inputCount - s.nanInputs;
            below += s.belowThresholdInputs;
            features = Math.max(features, s.activations.length);
            for (double v : s.activations) {
                if (!Double.isNaN(v)) {
                    all.add(v);
                    if (v == 0.0) {
                        zeros++;
                    }
                }
            }
        }
        long[] featureRecords = new long[features];
        long[] featureZeros = new long[features];
        for (ActivationSample s : samples) {
            for (int i = 0; i < s.activations.length; i++) {
                featureRecords[i]++;
                if (s.activations[i] == 0.0) {
                    featureZeros[i]++;
                }
            }
        }
        this.records = records;
        this.values = all.size();
        this.zeros = zeros;
        this.nanInputs = nan;
        this.posInfInputs = posInf;
        this.negInfInputs = negInf;
        this.nonNaNInputs = inputs;
        this.belowThreshold = below;
        this.sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        this.featureRecords = featureRecords;
        this.featureZeros = featureZeros;
    }

    /** Plain sum over n: IEEE arithmetic decides what infinities do. */
    double mean() {
        double sum = 0.0;
        for (double v : sorted) {
            sum += v;
        }
        return sum / sorted.length;
    }

    /** Two-pass population standard deviation. */
    double stddev() {
        double mean = mean();
        double squares = 0.0;
        for (double v : sorted) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / sorted.length);
    }

    /**
     * Population standard deviation of the finite values in decimal arithmetic, where no square of
     * a double overflows or underflows: {@code n * sum(v^2) - sum(v)^2} exactly, then the division
     * by {@code n^2} and the square root to 34 digits.
     */
    double exactStddev() {
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal squares = BigDecimal.ZERO;
        long n = 0;
        for (double v : sorted) {
            if (Double.isFinite(v)) {
                BigDecimal exact = new BigDecimal(v);
                sum = sum.add(exact);
                squares = squares.add(exact.multiply(exact));
                n++;
            }
        }
        BigDecimal count = BigDecimal.valueOf(n);
        BigDecimal nTimesM2 = count.multiply(squares).subtract(sum.multiply(sum));
        MathContext context = MathContext.DECIMAL128;
        return nTimesM2.divide(count.multiply(count), context).sqrt(context).doubleValue();
    }

    /**
     * The smallest value whose rank i (1-based) satisfies i / n >= percent / 100, in integers: i =
     * ceil(percent * n / 100).
     */
    double quantile(int percent) {
        long n = sorted.length;
        long rank = (percent * n + 99) / 100;
        return sorted[(int) Math.max(rank, 1) - 1];
    }

    /**
     * How far {@code answer} is from the rank {@link #quantile} takes, as a share of the values: 0
     * when {@code answer} holds that rank in the sorted values (ties hold a run of ranks), else the
     * distance to its nearest rank over n; infinite when {@code answer} is not one of the values.
     */
    double rankError(double answer, int percent) {
        long n = sorted.length;
        long rank = Math.max((percent * n + 99) / 100, 1);
        // 1-based ranks first..last of answer, found by counting: below, and at or below.
        long first = Arrays.stream(sorted).filter(v -> v < answer).count() + 1;
        long last = Arrays.stream(sorted).filter(v -> v <= answer).count();
        if (last < first) {
            return Double.POSITIVE_INFINITY;
        }
        long distance = rank < first ? first - rank : rank > last ? rank - last : 0;
        return (double) distance / n;
    }

    List<Double> perFeatureZeroFraction() {
        List<Double> fractions = new ArrayList<>();
        for (int i = 0; i < featureRecords.length; i++) {
            fractions.add((double) featureZeros[i] / featureRecords[i]);
        }
        return fractions;
    }

    List<Integer> deadFeatures(double threshold) {
        List<Integer> dead = new ArrayList<>();
        List<Double> fractions = perFeatureZeroFraction();
        for (int i = 0; i < fractions.size(); i++) {
            if (fractions.get(i) >= threshold) {
                dead.add(i);
            }
        }
        return dead;
    }

    double maxAbsFinite() {
        return Arrays.stream(sorted).filter(Double::isFinite).map(Math::abs).max().orElse(0.0);
    }
}
