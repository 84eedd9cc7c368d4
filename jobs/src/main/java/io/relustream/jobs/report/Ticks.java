package io.relustream.jobs.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Tick marks of a number axis at round values: 1, 2 or 5 times a power of ten apart.
 *
 * <pre>{@code
 * Ticks ticks = Ticks.between(-0.3, 6.3, 8);
 * ticks.values(); // [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
 * ticks.labels(); // ["0", "1", "2", "3", "4", "5", "6"]
 * }</pre>
 *
 * <p>Values are computed as decimals, so the labels read {@code 0.3}, never {@code
 * 0.30000000000000004}.
 */
final class Ticks {

    private static final int[] MULTIPLES = {1, 2, 5, 10};

    private final BigDecimal step;
    private final List<Double> values;
    private final List<String> labels;

    private Ticks(BigDecimal step, List<Double> values, List<String> labels) {
        this.step = step;
        this.values = values;
        this.labels = labels;
    }

    /**
     * At most {@code maxCount + 1} round values in {@code [lo, hi]}, the smallest such step apart.
     *
     * @throws IllegalArgumentException unless {@code lo < hi}, both finite, and {@code maxCount >=
     *     1}
     */
    static Ticks between(double lo, double hi, int maxCount) {
        if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo < hi && maxCount >= 1)) {
            throw new IllegalArgumentException(
                    "No ticks between " + lo + " and " + hi + " with at most " + maxCount);
        }
        double raw = (hi - lo) / maxCount;
        int exponent = (int) Math.floor(Math.log10(raw));
        BigDecimal step = null;
        for (int multiple : MULTIPLES) {
            BigDecimal candidate = BigDecimal.valueOf(multiple).scaleByPowerOfTen(exponent);
            if (candidate.doubleValue() >= raw) {
                step = candidate;
                break;
            }
        }
        if (step == null) {
            // log10 rounded down a hair too far; the next power of ten always fits.
            step = BigDecimal.ONE.scaleByPowerOfTen(exponent + 2);
        }
        double size = step.doubleValue();
        long first = (long) Math.ceil(lo / size - 1e-9);
        long last = (long) Math.floor(hi / size + 1e-9);
        List<Double> values = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            BigDecimal value = step.multiply(BigDecimal.valueOf(k));
            values.add(value.doubleValue());
            labels.add(format(value));
        }
        return new Ticks(step, List.copyOf(values), List.copyOf(labels));
    }

    /** The distance between two ticks. */
    double step() {
        return step.doubleValue();
    }

    /** The tick values, ascending. */
    List<Double> values() {
        return values;
    }

    /** The labels of {@link #values()}, in the same order. */
    List<String> labels() {
        return labels;
    }

    private static String format(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        BigDecimal plain = value.stripTrailingZeros();
        double magnitude = Math.abs(plain.doubleValue());
        // Plain digits up to millions and down to ten-thousandths; beyond, 1E+9 reads better.
        return magnitude >= 1e7 || magnitude < 1e-4 ? plain.toString() : plain.toPlainString();
    }
}
