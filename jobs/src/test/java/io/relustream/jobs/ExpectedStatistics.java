package io.relustream.jobs;

import io.relustream.avro.FeatureVector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;

/**
 * The window statistics worked out the plain way, record by record, from the definitions in the
 * architecture: what the job's output is checked against. Shares no code with the job.
 */
final class ExpectedStatistics {

    /** The statistics of one group in one window. */
    static final class Row {
        final String group;
        final long windowStart;
        final long windowEnd;
        long records;
        long values;
        long zeros;
        long nan;
        long posInf;
        long negInf;
        long nonNaNInputs;
        long belowThreshold;
        final List<Double> outputs = new ArrayList<>();
        long[] featureRecords = new long[0];
        long[] featureZeros = new long[0];

        Row(String group, long windowStart, long windowEnd) {
            this.group = group;
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
        }

        Double zeroFraction() {
            return values == 0 ? null : (double) zeros / values;
        }

        Double negativeInputFraction() {
            return nonNaNInputs == 0 ? null : (double) belowThreshold / nonNaNInputs;
        }

        Double min() {
            return outputs.isEmpty() ? null : outputs.stream().min(Double::compare).get();
        }

        Double max() {
            return outputs.isEmpty() ? null : outputs.stream().max(Double::compare).get();
        }

        Double mean() {
            if (outputs.isEmpty()) {
                return null;
            }
            double sum = 0;
            for (double v : outputs) {
                sum += v;
            }
            return sum / outputs.size();
        }

        Double stddev() {
            if (outputs.isEmpty()) {
                return null;
            }
            double mean = mean();
            double squares = 0;
            for (double v : outputs) {
                squares += (v - mean) * (v - mean);
            }
            return Math.sqrt(squares / outputs.size());
        }

        /** The smallest value with at least {@code q} of the values at or below it. */
        Double quantile(double q) {
            if (outputs.isEmpty()) {
                return null;
            }
            double[] sorted = outputs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.max(rank, 1) - 1];
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
    }

    private ExpectedStatistics() {}

    /**
     * Rows keyed by "group@windowStart", for records assigned to event-time windows of {@code size}
     * every {@code slide} milliseconds (tumbling when equal), aligned to the epoch.
     */
    static Map<String, Row> compute(
            List<FeatureVector> records,
            DoubleUnaryOperator activation,
            double threshold,
            long size,
            long slide) {
        Map<String, Row> rows = new TreeMap<>();
        for (FeatureVector record : records) {
            long t = record.getEventTime().toEpochMilli();
            long lastStart = t - Math.floorMod(t, slide);
            for (long start = lastStart; start > t - size; start -= slide) {
                long windowStart = start;
                Row row =
                        rows.computeIfAbsent(
                                record.getGroup() + "@" + start,
                                key -> new Row(record.getGroup(), windowStart, windowStart + size));
                add(row, record.getValues(), activation, threshold);
            }
        }
        return rows;
    }

    private static void add(
            Row row, List<Double> inputs, DoubleUnaryOperator activation, double threshold) {
        row.records++;
        if (row.featureRecords.length < inputs.size()) {
            row.featureRecords = Arrays.copyOf(row.featureRecords, inputs.size());
            row.featureZeros = Arrays.copyOf(row.featureZeros, inputs.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            double z = inputs.get(i);
            double out = activation.applyAsDouble(z);
            row.featureRecords[i]++;
            if (Double.isNaN(z)) {
                row.nan++;
            } else {
                row.nonNaNInputs++;
                if (z < threshold) {
                    row.belowThreshold++;
                }
                if (z == Double.POSITIVE_INFINITY) {
                    row.posInf++;
                }
                if (z == Double.NEGATIVE_INFINITY) {
                    row.negInf++;
                }
            }
            if (!Double.isNaN(out)) {
                row.values++;
                row.outputs.add(out);
                if (out == 0.0) {
                    row.zeros++;
                    row.featureZeros[i]++;
                }
            }
        }
    }

    /** Plain ReLU as the seed article writes it, with NaN passed through. */
    static double relu(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        return z > 0 ? z : 0.0;
    }
}
