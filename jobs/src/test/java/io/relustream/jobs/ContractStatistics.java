package io.relustream.jobs;

import io.relustream.avro.ActivationStats;
import io.relustream.avro.FeatureVector;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Window statistics worked out from the contract's words alone (ARCHITECTURE.md "Statistics
 * definitions" and "Activation semantics", README's statistics paragraph), the slow way: every
 * output kept, exact sums in {@link BigDecimal}, sorted quantiles. Shares no code with the job;
 * {@link #differences} lists every field of the job's records that disagrees.
 */
final class ContractStatistics {

    private static final MathContext PRECISE = new MathContext(60);

    private final Function<double[], double[]> activation;
    private final double threshold;
    private final long size;
    private final long slide;
    private final Map<String, Window> windows = new TreeMap<>();

    /**
     * @param activation the outputs of one record's inputs
     * @param threshold inputs strictly below it count for {@code negative_input_fraction}
     */
    ContractStatistics(
            Function<double[], double[]> activation, double threshold, long size, long slide) {
        this.activation = activation;
        this.threshold = threshold;
        this.size = size;
        this.slide = slide;
    }

    /**
     * Plain ReLU over windows of {@code size} every {@code slide} milliseconds, of {@code records}.
     */
    static ContractStatistics relu(List<FeatureVector> records, long size, long slide) {
        ContractStatistics relu =
                new ContractStatistics(
                        in -> Arrays.stream(in).map(ContractStatistics::relu).toArray(),
                        0.0,
                        size,
                        slide);
        records.forEach(relu::add);
        return relu;
    }

    /** Plain ReLU as the seed article writes it, with NaN passed through. */
    static double relu(double z) {
        return rectifier(z, 0.0, Double.POSITIVE_INFINITY, 0.0);
    }

    /** The rectifier of the contract: slope {@code a}, max value {@code m}, threshold {@code t}. */
    static double rectifier(double z, double a, double m, double t) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        double f;
        if (z <= t) {
            // relu(-inf) = 0, not 0 * -inf.
            f = a == 0.0 ? 0.0 : a * (z - t);
        } else if (z >= m) {
            f = m;
        } else {
            f = z;
        }
        return f == 0.0 ? 0.0 : f;
    }

    /** Maxout over groups of {@code k}: the group's max, NaN when the group holds a NaN. */
    static double[] maxout(double[] in, int k) {
        double[] out = new double[in.length / k];
        for (int g = 0; g < out.length; g++) {
            double max = Double.NEGATIVE_INFINITY;
            boolean nan = false;
            for (int j = g * k; j < (g + 1) * k; j++) {
                nan |= Double.isNaN(in[j]);
                max = in[j] > max ? in[j] : max;
            }
            out[g] = nan ? Double.NaN : max == 0.0 ? 0.0 : max;
        }
        return out;
    }

    /** Adds a record to each of its windows (epoch-aligned, {@code slide} apart). */
    void add(FeatureVector record) {
        double[] in = record.getValues().stream().mapToDouble(Double::doubleValue).toArray();
        double[] out = activation.apply(in);
        long t = record.getEventTime().toEpochMilli();
        for (long start = t - Math.floorMod(t, slide); start > t - size; start -= slide) {
            long windowStart = start;
            windows.computeIfAbsent(
                            record.getGroup() + "@" + start,
                            key -> new Window(record.getGroup(), windowStart))
                    .add(in, out);
        }
    }

    /** The windows' size, milliseconds. */
    long size() {
        return size;
    }

    /** The windows, keyed by "group@windowStart". */
    Map<String, Window> windows() {
        return windows;
    }

    /** Every disagreement of {@code actual} with the contract, one line each; empty if none. */
    List<String> differences(List<ActivationStats> actual, double deadThreshold) {
        List<String> problems = new ArrayList<>();
        Map<String, ActivationStats> byKey = new TreeMap<>();
        for (ActivationStats stats : actual) {
            String key = stats.getGroup() + "@" + stats.getWindowStart().toEpochMilli();
            if (byKey.put(key, stats) != null) {
                problems.add(key + ": written twice");
            }
        }
        if (!byKey.keySet().equals(windows.keySet())) {
            problems.add("windows " + byKey.keySet() + ", expected " + windows.keySet());
        }
        for (Map.Entry<String, Window> entry : windows.entrySet()) {
            ActivationStats stats = byKey.get(entry.getKey());
            if (stats != null) {
                entry.getValue().compare(entry.getKey(), stats, deadThreshold, problems);
            }
        }
        return problems;
    }

    /**
     * The alerts of README's rules, one line each ("group kind feature windowStart value"), per
     * group in window order: a feature dead in {@code deadWindows} consecutive windows that
     * observed it alerts once, comes back with {@code recovered}; the group's zero fraction alerts
     * when it rises strictly above {@code sparsityLimit}. Windows here follow each other one slide
     * apart.
     */
    List<String> alerts(int deadWindows, double deadThreshold, double sparsityLimit) {
        List<String> alerts = new ArrayList<>();
        Map<String, List<Window>> byGroup = new TreeMap<>();
        for (Window window : windows.values()) {
            byGroup.computeIfAbsent(window.group, g -> new ArrayList<>()).add(window);
        }
        for (List<Window> groupWindows : byGroup.values()) {
            groupWindows.sort((x, y) -> Long.compare(x.start, y.start));
            int[] streak = new int[64];
            boolean[] alerted = new boolean[64];
            boolean above = false;
            Long previous = null;
            for (Window w : groupWindows) {
                if (previous != null && w.start - previous != slide) {
                    throw new IllegalStateException("a gap before " + w.group + "@" + w.start);
                }
                previous = w.start;
                for (int i = 0; i < w.featureRecords.length; i++) {
                    double fraction = (double) w.featureZeros[i] / w.featureRecords[i];
                    if (fraction >= deadThreshold) {
                        streak[i]++;
                        if (streak[i] == deadWindows && !alerted[i]) {
                            alerted[i] = true;
                            alerts.add(alert(w, "dead_feature", i, fraction));
                        }
                    } else {
                        if (alerted[i]) {
                            alerts.add(alert(w, "recovered", i, fraction));
                        }
                        alerted[i] = false;
                        streak[i] = 0;
                    }
                }
                boolean nowAbove =
                        !w.values.isEmpty() && (double) w.zeros() / w.values.size() > sparsityLimit;
                if (nowAbove && !above) {
                    alerts.add(
                            alert(w, "sparsity_above", null, (double) w.zeros() / w.values.size()));
                }
                above = nowAbove;
            }
        }
        return alerts;
    }

    static String alert(String group, String kind, Integer feature, long start, double value) {
        return group + " " + kind + " " + feature + " " + start + " " + value;
    }

    private static String alert(Window w, String kind, Integer feature, double value) {
        return alert(w.group, kind, feature, w.start, value);
    }

    /** One group's records in one window. */
    final class Window {
        final String group;
        final long start;
        long records;
        long nan;
        long posInf;
        long negInf;
        long nonNaNInputs;
        long below;
        final List<Double> values = new ArrayList<>();
        long[] featureRecords = new long[0];
        long[] featureZeros = new long[0];

        Window(String group, long start) {
            this.group = group;
            this.start = start;
        }

        void add(double[] in, double[] out) {
            records++;
            for (double z : in) {
                if (Double.isNaN(z)) {
                    nan++;
                    continue;
                }
                nonNaNInputs++;
                below += z < threshold ? 1 : 0;
                posInf += z == Double.POSITIVE_INFINITY ? 1 : 0;
                negInf += z == Double.NEGATIVE_INFINITY ? 1 : 0;
            }
            if (featureRecords.length < out.length) {
                featureRecords = Arrays.copyOf(featureRecords, out.length);
                featureZeros = Arrays.copyOf(featureZeros, out.length);
            }
            for (int i = 0; i < out.length; i++) {
                featureRecords[i]++;
                if (out[i] == 0.0) {
                    featureZeros[i]++;
                }
                if (!Double.isNaN(out[i])) {
                    values.add(out[i]);
                }
            }
        }

        long zeros() {
            return values.stream().filter(v -> v == 0.0).count();
        }

        Double mean() {
            if (values.isEmpty()) {
                return null;
            }
            boolean plus = values.contains(Double.POSITIVE_INFINITY);
            boolean minus = values.contains(Double.NEGATIVE_INFINITY);
            if (plus || minus) {
                return plus && minus ? Double.NaN : plus ? Double.POSITIVE_INFINITY : -1 / 0.0;
            }
            return exactMean().doubleValue();
        }

        private BigDecimal exactMean() {
            BigDecimal sum = BigDecimal.ZERO;
            for (double v : values) {
                sum = sum.add(new BigDecimal(v));
            }
            return sum.divide(BigDecimal.valueOf(values.size()), PRECISE);
        }

        Double stddev() {
            if (values.isEmpty()) {
                return null;
            }
            if (values.stream().anyMatch(v -> v.isInfinite())) {
                return Double.NaN;
            }
            BigDecimal mean = exactMean();
            BigDecimal squares = BigDecimal.ZERO;
            for (double v : values) {
                BigDecimal d = new BigDecimal(v).subtract(mean);
                squares = squares.add(d.multiply(d));
            }
            return squares.divide(BigDecimal.valueOf(values.size()), PRECISE)
                    .sqrt(PRECISE)
                    .doubleValue();
        }

        Double quantile(double q) {
            if (values.isEmpty()) {
                return null;
            }
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double v = sorted[(int) Math.max(1, Math.ceil(q * sorted.length)) - 1];
            return v == 0.0 ? 0.0 : v;
        }

        Double extreme(boolean max) {
            if (values.isEmpty()) {
                return null;
            }
            double e = values.get(0);
            for (double v : values) {
                e = max ? (v > e ? v : e) : (v < e ? v : e);
            }
            return e == 0.0 ? 0.0 : e;
        }

        void compare(String key, ActivationStats s, double deadThreshold, List<String> problems) {
            long zeros = zeros();
            check(problems, key, "window_end", s.getWindowEnd().toEpochMilli(), start + size);
            check(problems, key, "record_count", s.getRecordCount(), records);
            check(problems, key, "value_count", s.getValueCount(), (long) values.size());
            check(problems, key, "zero_count", s.getZeroCount(), zeros);
            check(
                    problems,
                    key,
                    "zero_fraction",
                    s.getZeroFraction(),
                    values.isEmpty() ? null : (double) zeros / values.size());
            check(problems, key, "nan_count", s.getNanCount(), nan);
            check(problems, key, "pos_inf_count", s.getPosInfCount(), posInf);
            check(problems, key, "neg_inf_count", s.getNegInfCount(), negInf);
            check(
                    problems,
                    key,
                    "negative_input_fraction",
                    s.getNegativeInputFraction(),
                    nonNaNInputs == 0 ? null : (double) below / nonNaNInputs);
            check(problems, key, "min", s.getMin(), extreme(false));
            check(problems, key, "max", s.getMax(), extreme(true));
            check(problems, key, "mean", s.getMean(), mean());
            Double stddev = stddev();
            Double actual = s.getStddev();
            boolean close =
                    Objects.equals(actual, stddev)
                            || (actual != null
                                    && stddev != null
                                    && Math.abs(actual - stddev) <= 8 * Math.ulp(stddev));
            if (!close) {
                problems.add(key + " stddev: " + actual + ", expected " + stddev);
            }
            if (values.size() <= 200) {
                check(problems, key, "p50", s.getP50(), quantile(0.5));
                check(problems, key, "p90", s.getP90(), quantile(0.9));
                check(problems, key, "p99", s.getP99(), quantile(0.99));
            }
            List<Double> fractions = new ArrayList<>();
            List<Integer> dead = new ArrayList<>();
            for (int i = 0; i < featureRecords.length; i++) {
                double fraction = (double) featureZeros[i] / featureRecords[i];
                fractions.add(fraction);
                if (fraction >= deadThreshold) {
                    dead.add(i);
                }
            }
            check(
                    problems,
                    key,
                    "per_feature_zero_fraction",
                    s.getPerFeatureZeroFraction(),
                    fractions);
            check(problems, key, "dead_features", s.getDeadFeatures(), dead);
        }
    }

    private static void check(
            List<String> problems, String key, String field, Object actual, Object expected) {
        // Double.equals tells +0.0 from -0.0 and matches NaN with NaN: what the contract wants.
        if (!Objects.equals(actual, expected)) {
            problems.add(key + " " + field + ": " + actual + ", expected " + expected);
        }
    }
}
