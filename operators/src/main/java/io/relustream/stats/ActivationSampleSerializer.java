package io.relustream.stats;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Writes {@link ActivationSample}s between the activation and the window tasks: every sample
 * crosses the network once, and Flink's POJO serializer would create and fill each by reflection.
 * The layout: id, group, event time, the five input counts, the activations (a length, -1 for none,
 * then the values).
 *
 * <pre>{@code
 * TypeSerializer<ActivationSample> serializer =
 *         TypeInformation.of(ActivationSample.class).createSerializer(new SerializerConfigImpl());
 * serializer.serialize(sample, dataOutputView);   // this class
 * }</pre>
 */
public final class ActivationSampleSerializer extends TypeSerializerSingleton<ActivationSample> {

    private static final long serialVersionUID = 1L;

    /** The serializer; it is stateless, so one instance serves every thread. */
    public static final ActivationSampleSerializer INSTANCE = new ActivationSampleSerializer();

    private ActivationSampleSerializer() {}

    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ActivationSample createInstance() {
        return new ActivationSample();
    }

    @Override
    public ActivationSample copy(ActivationSample from) {
        ActivationSample copy = new ActivationSample();
        copy.id = from.id;
        copy.eventTime = from.eventTime;
        copy.group = from.group;
        copy.activations = from.activations == null ? null : from.activations.clone();
        copy.inputCount = from.inputCount;
        copy.nanInputs = from.nanInputs;
        copy.posInfInputs = from.posInfInputs;
        copy.negInfInputs = from.negInfInputs;
        copy.belowThresholdInputs = from.belowThresholdInputs;
        return copy;
    }

    @Override
    public ActivationSample copy(ActivationSample from, ActivationSample reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ActivationSample sample, DataOutputView target) throws IOException {
        StringValue.writeString(sample.id, target);
        StringValue.writeString(sample.group, target);
        target.writeLong(sample.eventTime);
        target.writeInt(sample.inputCount);
        target.writeInt(sample.nanInputs);
        target.writeInt(sample.posInfInputs);
        target.writeInt(sample.negInfInputs);
        target.writeInt(sample.belowThresholdInputs);
        double[] activations = sample.activations;
        if (activations == null) {
            target.writeInt(-1);
            return;
        }
        target.writeInt(activations.length);
        for (double value : activations) {
            target.writeLong(Double.doubleToRawLongBits(value));
        }
    }

    @Override
    public ActivationSample deserialize(DataInputView source) throws IOException {
        ActivationSample sample = new ActivationSample();
        sample.id = StringValue.readString(source);
        sample.group = StringValue.readString(source);
        sample.eventTime = source.readLong();
        sample.inputCount = source.readInt();
        sample.nanInputs = source.readInt();
        sample.posInfInputs = source.readInt();
        sample.negInfInputs = source.readInt();
        sample.belowThresholdInputs = source.readInt();
        int length = source.readInt();
        if (length >= 0) {
            double[] activations = new double[length];
            for (int i = 0; i < length; i++) {
                activations[i] = Double.longBitsToDouble(source.readLong());
            }
            sample.activations = activations;
        } else if (length != -1) {
            throw new IOException("Corrupt activation sample: " + length + " activations");
        }
        return sample;
    }

    @Override
    public ActivationSample deserialize(ActivationSample reuse, DataInputView source)
            throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<ActivationSample> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (configuration-free) serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ActivationSample> {

        /** Flink instantiates snapshots reflectively when it restores. */
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
