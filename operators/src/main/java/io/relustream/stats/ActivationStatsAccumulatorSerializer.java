package io.relustream.stats;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

import java.io.IOException;

/**
 * Flink serializer of {@link ActivationStatsAccumulator} for window state and network transfer: the
 * counters, the moments, the per-feature arrays and the KLL sketch in its own compact binary form.
 *
 * <pre>{@code
 * TypeSerializer<ActivationStatsAccumulator> serializer =
 *         ActivationStatsAccumulatorSerializer.INSTANCE;
 * serializer.serialize(accumulator, dataOutputView);
 * }</pre>
 *
 * <p>The layout is fixed for version 1 of {@link Snapshot}; a change of layout needs a new snapshot
 * version that can still read the old one, or savepoints of running jobs stop restoring.
 */
public final class ActivationStatsAccumulatorSerializer
        extends TypeSerializerSingleton<ActivationStatsAccumulator> {

    private static final long serialVersionUID = 1L;

    /** The serializer; it is stateless, so one instance serves every thread. */
    public static final ActivationStatsAccumulatorSerializer INSTANCE =
            new ActivationStatsAccumulatorSerializer();

    private ActivationStatsAccumulatorSerializer() {}

    // Java serialization (job graphs) would otherwise create more instances of the singleton.
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ActivationStatsAccumulator createInstance() {
        return new ActivationStatsAccumulator();
    }

    @Override
    public ActivationStatsAccumulator copy(ActivationStatsAccumulator from) {
        return from.copy();
    }

    @Override
    public ActivationStatsAccumulator copy(
            ActivationStatsAccumulator from, ActivationStatsAccumulator reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ActivationStatsAccumulator acc, DataOutputView target)
            throws IOException {
        target.writeLong(acc.recordCount);
        target.writeLong(acc.valueCount);
        target.writeLong(acc.zeroCount);
        target.writeLong(acc.nanInputs);
        target.writeLong(acc.posInfInputs);
        target.writeLong(acc.negInfInputs);
        target.writeLong(acc.nonNaNInputs);
        target.writeLong(acc.belowThresholdInputs);
        target.writeLong(acc.posInfValues);
        target.writeLong(acc.negInfValues);
        target.writeLong(acc.negativeValues);
        target.writeDouble(acc.min);
        target.writeDouble(acc.max);
        target.writeDouble(acc.mean);
        target.writeDouble(acc.m2);
        int features = acc.featureRecords.length;
        target.writeInt(features);
        for (int i = 0; i < features; i++) {
            target.writeLong(acc.featureRecords[i]);
        }
        for (int i = 0; i < features; i++) {
            target.writeLong(acc.featureZeros[i]);
        }
        byte[] sketch = acc.sketch.toByteArray();
        target.writeInt(sketch.length);
        target.write(sketch);
    }

    @Override
    public ActivationStatsAccumulator deserialize(DataInputView source) throws IOException {
        long recordCount = source.readLong();
        long valueCount = source.readLong();
        long zeroCount = source.readLong();
        long nanInputs = source.readLong();
        long posInfInputs = source.readLong();
        long negInfInputs = source.readLong();
        long nonNaNInputs = source.readLong();
        long belowThresholdInputs = source.readLong();
        long posInfValues = source.readLong();
        long negInfValues = source.readLong();
        long negativeValues = source.readLong();
        double min = source.readDouble();
        double max = source.readDouble();
        double mean = source.readDouble();
        double m2 = source.readDouble();
        int features = source.readInt();
        if (features < 0) {
            throw new IOException("Corrupt accumulator: " + features + " features");
        }
        long[] featureRecords = new long[features];
        long[] featureZeros = new long[features];
        for (int i = 0; i < features; i++) {
            featureRecords[i] = source.readLong();
        }
        for (int i = 0; i < features; i++) {
            featureZeros[i] = source.readLong();
        }
        int sketchLength = source.readInt();
        if (sketchLength < 0) {
            throw new IOException("Corrupt accumulator: sketch of " + sketchLength + " bytes");
        }
        byte[] sketchBytes = new byte[sketchLength];
        source.readFully(sketchBytes);

        ActivationStatsAccumulator acc =
                new ActivationStatsAccumulator(KllDoublesSketch.heapify(Memory.wrap(sketchBytes)));
        acc.recordCount = recordCount;
        acc.valueCount = valueCount;
        acc.zeroCount = zeroCount;
        acc.nanInputs = nanInputs;
        acc.posInfInputs = posInfInputs;
        acc.negInfInputs = negInfInputs;
        acc.nonNaNInputs = nonNaNInputs;
        acc.belowThresholdInputs = belowThresholdInputs;
        acc.posInfValues = posInfValues;
        acc.negInfValues = negInfValues;
        acc.negativeValues = negativeValues;
        acc.min = min;
        acc.max = max;
        acc.mean = mean;
        acc.m2 = m2;
        acc.featureRecords = featureRecords;
        acc.featureZeros = featureZeros;
        return acc;
    }

    @Override
    public ActivationStatsAccumulator deserialize(
            ActivationStatsAccumulator reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<ActivationStatsAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (configuration-free) serializer, written into checkpoints and savepoints. */
    public static final class Snapshot
            extends SimpleTypeSerializerSnapshot<ActivationStatsAccumulator> {

        /** Flink instantiates snapshots reflectively when it restores. */
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
