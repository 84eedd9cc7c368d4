package io.relustream.sql;

import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the aggregate functions must return for a set of rows, computed the obvious way from the
 * definitions (all values at once, sorted, two-pass moments); shares no code with io.relustream.
 */
final class ExpectedAggregates {

    private ExpectedAggregates() {}

    /** ZERO_FRACTION over scalars: zeros / non-NULL non-NaN values; NULL for none. */
    static Double zeroFraction(List<Double> values) {
        long n = 0;
        long zeros = 0;
        for (Double v : values) {
            if (v != null && !v.isNaN()) {
                n++;
                zeros += v == 0.0 ? 1 : 0;
            }
        }
        return n == 0 ? null : (double) zeros / n;
    }

    /** ZERO_FRACTION over arrays: every element of every non-NULL array is a value. */
    static Double zeroFractionOfArrays(List<Double[]> arrays) {
        List<Double> all = new ArrayList<>();
        for (Double[] array : arrays) {
            if (array != null) {
                all.addAll(Arrays.asList(array));
            }
        }
        return zeroFraction(all);
    }

    /** Per index: zero elements over the rows whose array has that index. */
    static Double[] perFeatureZeroFraction(List<Double[]> arrays) {
        int features = 0;
        for (Double[] array : arrays) {
            if (array != null) {
                features = Math.max(features, array.length);
            }
        }
        Double[] fractions = new Double[features];
        for (int i = 0; i < features; i++) {
            long rows = 0;
            long zeros = 0;
            for (Double[] array : arrays) {
                if (array != null && array.length > i) {
                    rows++;
                    zeros += array[i] != null && array[i] == 0.0 ? 1 : 0;
                }
            }
            fractions[i] = (double) zeros / rows;
        }
        return fractions;
    }

    static Integer[] deadFeatures(List<Double[]> arrays, double threshold) {
        List<Integer> dead = new ArrayList<>();
        Double[] fractions = perFeatureZeroFraction(arrays);
        for (int i = 0; i < fractions.length; i++) {
            if (fractions[i] >= threshold) {
                dead.add(i);
            }
        }
        return dead.toArray(new Integer[0]);
    }

    /** The ACTIVATION_STATS row, mean and stddev by two passes over the sorted values. */
    static Row activationStats(List<Double[]> arrays, double deadThreshold) {
        long records = 0;
        long nan = 0;
        long posInf = 0;
        long negInf = 0;
        long negative = 0;
        List<Double> values = new ArrayList<>();
        for (Double[] array : arrays) {
            if (array == null) {
                continue;
            }
            records++;
            for (Double v : array) {
                if (v == null) {
                    continue;
                }
                if (v.isNaN()) {
                    nan++;
                    continue;
                }
                posInf += v == Double.POSITIVE_INFINITY ? 1 : 0;
                negInf += v == Double.NEGATIVE_INFINITY ? 1 : 0;
                // The array's values are the inputs too, below relu's threshold 0.
                negative += v < 0.0 ? 1 : 0;
                values.add(v);
            }
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        long zeros = values.stream().filter(v -> v == 0.0).count();
        Double mean = null;
        Double stddev = null;
        if (n > 0) {
            double sum = 0.0;
            for (double v : sorted) {
                sum += v;
            }
            mean = sum / n;
            double squares = 0.0;
            for (double v : sorted) {
                squares += (v - mean) * (v - mean);
            }
            stddev = Math.sqrt(squares / n);
        }
        return Row.of(
                records,
                (long) n,
                zeros,
                n == 0 ? null : (double) zeros / n,
                nan,
                posInf,
                negInf,
                n == 0 ? null : (double) negative / n,
                n == 0 ? null : sorted[0] + 0.0,
                n == 0 ? null : sorted[n - 1] + 0.0,
                mean,
                stddev,
                quantile(sorted, 50),
                quantile(sorted, 90),
                quantile(sorted, 99),
                perFeatureZeroFraction(arrays),
                deadFeatures(arrays, deadThreshold));
    }

    /** The smallest value whose 1-based rank i has i / n >= percent / 100. */
    private static Double quantile(double[] sorted, int percent) {
        int n = sorted.length;
        if (n == 0) {
            return null;
        }
        int rank = (percent * n + 99) / 100;
        return sorted[Math.max(rank, 1) - 1] + 0.0;
    }
}
