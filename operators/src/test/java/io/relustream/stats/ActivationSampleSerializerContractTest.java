package io.relustream.stats;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's own contract tests of a serializer ({@link SerializerTestBase}) over samples with and
 * without activations, empty and long ones, NaN and infinities, and unicode ids.
 */
class ActivationSampleSerializerContractTest extends SerializerTestBase<ActivationSample> {

    @Override
    protected TypeSerializer<ActivationSample> createSerializer() {
        return ActivationSampleSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ActivationSample> getTypeClass() {
        return ActivationSample.class;
    }

    @Override
    protected ActivationSample[] getTestData() {
        double[] longVector = new double[100_000];
        for (int i = 0; i < longVector.length; i++) {
            longVector[i] = i % 3 == 0 ? 0.0 : i;
        }
        ActivationSample noActivations = new ActivationSample();
        noActivations.id = "";
        noActivations.group = "";
        return new ActivationSample[] {
            noActivations,
            ActivationSample.of(
                    "id-1", 1_700_000_000_000L, "layer1", new double[0], new double[0], 0),
            ActivationSample.of(
                    "Ünïcødé 😀",
                    -5L,
                    "g",
                    new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1.0, -0.0},
                    new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0.0, -0.0},
                    0),
            ActivationSample.of("long", Long.MAX_VALUE, "g", longVector, longVector, 0)
        };
    }
}
