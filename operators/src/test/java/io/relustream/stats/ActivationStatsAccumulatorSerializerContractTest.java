package io.relustream.stats;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Flink's own contract tests of a serializer ({@link SerializerTestBase}: copies, reused instances,
 * sequences, {@code copy(DataInputView, DataOutputView)}, snapshots, duplicates) over accumulators
 * that are empty, small, past the sketch's exact size, wide, with infinities and NaN, and scaled.
 */
class ActivationStatsAccumulatorSerializerContractTest
        extends SerializerTestBase<ActivationStatsAccumulator> {

    ActivationStatsAccumulatorSerializerContractTest() {
        super(
                new DeeplyEqualsChecker()
                        .withCustomCheck(
                                (a, b) ->
                                        a instanceof ActivationStatsAccumulator
                                                && b instanceof ActivationStatsAccumulator,
                                (a, b, checker) ->
                                        sameState(
                                                (ActivationStatsAccumulator) a,
                                                (ActivationStatsAccumulator) b)));
    }

    /** Every field, doubles by their bits, the sketch by its bytes. */
    private static boolean sameState(ActivationStatsAccumulator a, ActivationStatsAccumulator b) {
        return a.recordCount == b.recordCount
                && a.valueCount == b.valueCount
                && a.zeroCount == b.zeroCount
                && a.nanInputs == b.nanInputs
                && a.posInfInputs == b.posInfInputs
                && a.negInfInputs == b.negInfInputs
                && a.nonNaNInputs == b.nonNaNInputs
                && a.belowThresholdInputs == b.belowThresholdInputs
                && a.posInfValues == b.posInfValues
                && a.negInfValues == b.negInfValues
                && a.negativeValues == b.negativeValues
                && Double.compare(a.min, b.min) == 0
                && Double.compare(a.max, b.max) == 0
                && Double.compare(a.sum, b.sum) == 0
                && Double.compare(a.sumTail, b.sumTail) == 0
                && Double.compare(a.m2, b.m2) == 0
                && Arrays.equals(a.featureRecords, b.featureRecords)
                && Arrays.equals(a.featureZeros, b.featureZeros)
                && Arrays.equals(a.sketch.toByteArray(), b.sketch.toByteArray());
    }

    private static ActivationSample outputs(double... values) {
        return ActivationSample.of("r", 0L, "g", values, values, 0.0);
    }

    private static ActivationStatsAccumulator of(ActivationSample... samples) {
        ActivationStatsAccumulator acc = new ActivationStatsAccumulator();
        for (ActivationSample sample : samples) {
            acc.add(sample);
        }
        return acc;
    }

    @Override
    protected TypeSerializer<ActivationStatsAccumulator> createSerializer() {
        return ActivationStatsAccumulatorSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ActivationStatsAccumulator> getTypeClass() {
        return ActivationStatsAccumulator.class;
    }

    @Override
    protected ActivationStatsAccumulator[] getTestData() {
        ActivationStatsAccumulator pastExact = new ActivationStatsAccumulator();
        for (int i = 0; i < 1_000; i++) {
            pastExact.add(outputs(i % 3 == 0 ? 0.0 : i * 0.25, -i, i % 7));
        }
        double[] wide = IntStream.range(0, 50_000).mapToDouble(i -> i % 2).toArray();
        ActivationStatsAccumulator merged = of(outputs(1.0, 2.0));
        merged.merge(of(outputs(0.0, 0.0, 0.0, 5.0, 6.0)));
        return new ActivationStatsAccumulator[] {
            new ActivationStatsAccumulator(),
            of(new ActivationSample()),
            of(outputs(0.0, 1.0, 0.0)),
            of(outputs(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0)),
            of(outputs(1e308, 1e308), outputs(-1e-300)),
            pastExact,
            of(outputs(wide)),
            merged
        };
    }
}
