package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Windows whose values span the whole range of a double (subnormals to 1e307, beside zeros, NaN and
 * infinities), folded into panes, some restored from their bytes, and merged in random order, as
 * sliding windows and partial aggregation do: every field against the exact statistics, worked out
 * in decimal from the values alone. The other tests of the accumulator keep most windows within
 * [-100, 100], and take the large and tiny magnitudes one case at a time.
 */
class ActivationStatsAccumulatorMagnitudesTest {

    private static final int[] DECADES = {0, 3, -5, 20, 150, 300, 307, -150, -300, -310};
    private static final MathContext EXACT_ENOUGH = new MathContext(1500);

    @Test
    void mergedAndRestoredPanesGiveTheExactStatisticsAtEveryMagnitude() throws IOException {
        Random random = new Random(42);
        for (int trial = 0; trial < 1_500; trial++) {
            // One or two decades per window: far apart, they make the accumulator rescale.
            int decade = DECADES[random.nextInt(DECADES.length)];
            int other = random.nextInt(4) == 0 ? DECADES[random.nextInt(DECADES.length)] : decade;
            List<double[]> records = new ArrayList<>();
            for (int r = 1 + random.nextInt(12); r > 0; r--) {
                double[] values = new double[random.nextInt(6)];
                for (int i = 0; i < values.length; i++) {
                    values[i] = value(random, random.nextBoolean() ? decade : other);
                }
                records.add(values);
            }
            List<ActivationStatsAccumulator> panes = new ArrayList<>();
            ActivationStatsAccumulator pane = new ActivationStatsAccumulator();
            for (double[] values : records) {
                pane.add(ActivationSample.of("r", 0L, "g", values, values, 0.0));
                if (random.nextInt(3) == 0) {
                    panes.add(random.nextBoolean() ? restored(pane) : pane);
                    pane = new ActivationStatsAccumulator();
                }
            }
            panes.add(pane);
            while (panes.size() > 1) {
                ActivationStatsAccumulator merged = panes.remove(random.nextInt(panes.size()));
                if (random.nextBoolean()) {
                    merged = restored(merged);
                }
                merged.merge(panes.remove(random.nextInt(panes.size())));
                panes.add(merged);
            }
            ActivationStats stats = panes.get(0).toStats("g", 0L, 1L, "relu", 1.0);
            assertExact(stats, records, "trial " + trial + ": " + describe(records));
        }
    }

    /** Zeros of both signs, now and then NaN or an infinity, else a value of the decade. */
    private static double value(Random random, int decade) {
        switch (random.nextInt(10)) {
            case 0:
                return 0.0;
            case 1:
                return -0.0;
            case 2:
                return random.nextInt(50) == 0 ? Double.NaN : 0.0;
            case 3:
                if (random.nextInt(40) == 0) {
                    return random.nextBoolean()
                            ? Double.POSITIVE_INFINITY
                            : Double.NEGATIVE_INFINITY;
                }
                return 1.0;
            default:
                double v = (2 * random.nextDouble() - 1) * Math.pow(10, decade);
                return random.nextInt(5) == 0 ? Math.floor(v) : v;
        }
    }

    private static ActivationStatsAccumulator restored(ActivationStatsAccumulator acc)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        ActivationStatsAccumulatorSerializer.INSTANCE.serialize(acc, out);
        return ActivationStatsAccumulatorSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    private static void assertExact(ActivationStats stats, List<double[]> records, String as) {
        List<Double> values = new ArrayList<>();
        long zeros = 0;
        long posInf = 0;
        long negInf = 0;
        long below = 0;
        int features = 0;
        for (double[] record : records) {
            features = Math.max(features, record.length);
            for (double v : record) {
                if (Double.isNaN(v)) {
                    continue;
                }
                values.add(v);
                zeros += v == 0.0 ? 1 : 0;
                below += v < 0.0 ? 1 : 0;
                posInf += v == Double.POSITIVE_INFINITY ? 1 : 0;
                negInf += v == Double.NEGATIVE_INFINITY ? 1 : 0;
            }
        }
        List<Double> perFeature = new ArrayList<>();
        for (int i = 0; i < features; i++) {
            int having = 0;
            int zero = 0;
            for (double[] record : records) {
                if (record.length > i) {
                    having++;
                    zero += record[i] == 0.0 ? 1 : 0;
                }
            }
            perFeature.add((double) zero / having);
        }
        assertThat(stats.getRecordCount()).as(as).isEqualTo(records.size());
        assertThat(stats.getValueCount()).as(as).isEqualTo(values.size());
        assertThat(stats.getZeroCount()).as(as).isEqualTo(zeros);
        assertThat(stats.getPosInfCount()).as(as).isEqualTo(posInf);
        assertThat(stats.getNegInfCount()).as(as).isEqualTo(negInf);
        assertThat(stats.getPerFeatureZeroFraction()).as(as).isEqualTo(perFeature);
        if (values.isEmpty()) {
            // The schema: each of these is null when there is no non-NaN value (the inputs are
            // the outputs here, so none of those either).
            assertThat(stats.getZeroFraction()).as(as).isNull();
            assertThat(stats.getNegativeInputFraction()).as(as).isNull();
            assertThat(stats.getMin()).as(as).isNull();
            assertThat(stats.getMax()).as(as).isNull();
            assertThat(stats.getMean()).as(as).isNull();
            assertThat(stats.getStddev()).as(as).isNull();
            assertThat(stats.getP50()).as(as).isNull();
            assertThat(stats.getP90()).as(as).isNull();
            assertThat(stats.getP99()).as(as).isNull();
            return;
        }
        // Inputs are the outputs here, threshold 0; no NaN among them.
        assertThat(stats.getNegativeInputFraction())
                .as(as)
                .isEqualTo((double) below / values.size());
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        assertThat(stats.getMin()).as(as).isEqualTo(plusZero(sorted[0]));
        assertThat(stats.getMax()).as(as).isEqualTo(plusZero(sorted[sorted.length - 1]));
        // At most 12 x 5 values: the sketch is exact, the ceil(q * n)-th smallest.
        assertThat(stats.getP50()).as(as).isEqualTo(plusZero(sorted[rank(0.5, sorted) - 1]));
        assertThat(stats.getP90()).as(as).isEqualTo(plusZero(sorted[rank(0.9, sorted) - 1]));
        assertThat(stats.getP99()).as(as).isEqualTo(plusZero(sorted[rank(0.99, sorted) - 1]));
        if (posInf > 0 || negInf > 0) {
            double mean =
                    posInf > 0 && negInf > 0
                            ? Double.NaN
                            : posInf > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            // Boxed: Double.equals takes NaN as equal to NaN.
            assertThat(stats.getMean()).as(as).isEqualTo(Double.valueOf(mean));
            assertThat(stats.getStddev()).as(as).isNaN();
            return;
        }
        BigDecimal n = BigDecimal.valueOf(values.size());
        double largest = Math.max(Math.abs(sorted[0]), Math.abs(sorted[sorted.length - 1]));
        BigDecimal sum = BigDecimal.ZERO;
        // README: the mean is the correctly rounded one unless values below about 2^-106 of the
        // largest decide its last bit, or the values nearly cancel.
        BigDecimal sumOfLarge = BigDecimal.ZERO;
        for (double v : values) {
            sum = sum.add(new BigDecimal(v));
            if (Math.abs(v) >= largest * 0x1p-100) {
                sumOfLarge = sumOfLarge.add(new BigDecimal(v));
            }
        }
        BigDecimal exactMean = sum.divide(n, EXACT_ENOUGH);
        if (Math.abs(sum.doubleValue()) >= largest * 0x1p-40) {
            assertThat(stats.getMean())
                    .as(as)
                    .isIn(
                            plusZero(Double.parseDouble(exactMean.toString())),
                            plusZero(
                                    Double.parseDouble(
                                            sumOfLarge.divide(n, EXACT_ENOUGH).toString())));
        }
        BigDecimal m2 = BigDecimal.ZERO;
        for (double v : values) {
            BigDecimal deviation = new BigDecimal(v).subtract(exactMean);
            m2 = m2.add(deviation.multiply(deviation));
        }
        // Parsed from the decimal: BigDecimal.doubleValue is not correctly rounded in Java 17.
        double stddev =
                Double.parseDouble(m2.divide(n, EXACT_ENOUGH).sqrt(EXACT_ENOUGH).toString());
        // README: within a few ulps of the exact value.
        assertThat(Math.abs(stats.getStddev() - stddev))
                .as(as + "; stddev " + stats.getStddev() + ", exactly " + stddev)
                .isLessThanOrEqualTo(4 * Math.ulp(stddev));
    }

    private static int rank(double q, double[] sorted) {
        return (int) Math.max(1, Math.ceil(q * sorted.length));
    }

    private static double plusZero(double v) {
        return v == 0.0 ? 0.0 : v;
    }

    private static String describe(List<double[]> records) {
        StringBuilder text = new StringBuilder();
        for (double[] record : records) {
            text.append(Arrays.toString(record));
        }
        return text.toString();
    }
}
