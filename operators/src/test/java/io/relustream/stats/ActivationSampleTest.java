package io.relustream.stats;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ActivationSampleTest {

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void countsTheInputsAgainstTheThreshold() {
        double[] inputs = {NAN, INF, -INF, -1.0, 0.0, 0.5, -0.0, NAN, 3.0};
        double[] activations = {NAN, INF, 0.0, 0.0, 0.0, 0.5, 0.0, NAN, 3.0};

        ActivationSample sample =
                ActivationSample.of("r1", 42L, "layer1", inputs, activations, 0.0);

        assertThat(sample.id).isEqualTo("r1");
        assertThat(sample.eventTime).isEqualTo(42L);
        assertThat(sample.group).isEqualTo("layer1");
        assertThat(sample.activations).isSameAs(activations);
        assertThat(sample.inputCount).isEqualTo(9);
        assertThat(sample.nanInputs).isEqualTo(2);
        assertThat(sample.posInfInputs).isEqualTo(1);
        assertThat(sample.negInfInputs).isEqualTo(1);
        // -inf and -1.0; 0.0 and -0.0 are not strictly below 0, NaN is never below.
        assertThat(sample.belowThresholdInputs).isEqualTo(2);
    }

    @Test
    void thresholdOtherThanZero() {
        double[] inputs = {NAN, INF, -INF, -1.0, 0.0, 0.5, -0.0, 1.0, 3.0};

        ActivationSample sample =
                ActivationSample.of("r2", 0L, "g", inputs, new double[inputs.length], 1.0);

        // -inf, -1.0, 0.0, 0.5, -0.0; 1.0 is not strictly below 1.0.
        assertThat(sample.belowThresholdInputs).isEqualTo(5);
        assertThat(sample.inputCount).isEqualTo(9);
    }

    @Test
    void maxoutInputsAreLongerThanTheOutputs() {
        double[] inputs = {-1.0, -2.0, 3.0, NAN};
        double[] activations = {-1.0, NAN};

        ActivationSample sample = ActivationSample.of("r3", 0L, "g", inputs, activations, 0.0);

        assertThat(sample.inputCount).isEqualTo(4);
        assertThat(sample.nanInputs).isEqualTo(1);
        assertThat(sample.belowThresholdInputs).isEqualTo(2);
        assertThat(sample.activations).hasSize(2);
    }

    @Test
    void emptyRecord() {
        ActivationSample sample =
                ActivationSample.of("r4", 0L, "g", new double[0], new double[0], 0.0);

        assertThat(sample.inputCount).isZero();
        assertThat(sample.nanInputs).isZero();
        assertThat(sample.posInfInputs).isZero();
        assertThat(sample.negInfInputs).isZero();
        assertThat(sample.belowThresholdInputs).isZero();
    }

    @Test
    void flinkWritesItWithItsOwnSerializerWithoutKryoOrReflection() throws Exception {
        TypeInformation<ActivationSample> type = TypeInformation.of(ActivationSample.class);
        assertThat(type).isEqualTo(new ActivationSampleTypeInfo());

        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<ActivationSample> serializer = type.createSerializer(config);
        assertThat(serializer).isSameAs(ActivationSampleSerializer.INSTANCE);

        for (ActivationSample sample :
                new ActivationSample[] {
                    ActivationSample.of(
                            "r5",
                            1_000L,
                            "layer2",
                            new double[] {-1.0, NAN, 2.0},
                            new double[] {0.0, NAN, 2.0},
                            0.0),
                    ActivationSample.of("", -7L, "ünïcode ✓", new double[0], new double[0], 0.0),
                    new ActivationSample()
                }) {
            if (sample.id == null) {
                sample.id = "no activations";
                sample.group = "g";
            }
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(sample, out);
            DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
            ActivationSample back = serializer.deserialize(in);

            assertThat(back).isEqualTo(sample).isNotSameAs(sample);
            assertThat(in.available()).isZero();
            if (sample.activations != null) {
                assertThat(back.activations).isNotSameAs(sample.activations);
                assertThat(serializer.copy(sample).activations).isNotSameAs(sample.activations);
            }
            assertThat(serializer.copy(sample)).isEqualTo(sample);
        }
    }
}
