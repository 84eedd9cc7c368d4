package io.relustream.stats;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

import java.io.IOException;

/**
 * Flink serializer of {@link ActivationStatsAccumulator} for window state and network transfer: the
 * counters, the sum and M2, the per-feature arrays and the KLL sketch in its own compact binary
 * form.
 *
 * <pre>{@code
 * TypeSerializer<ActivationStatsAccumulator> serializer =
 *         ActivationStatsAccumulatorSerializer.INSTANCE;
 * serializer.serialize(accumulator, dataOutputView);
 * }</pre>
 *
 * <p>The layout is fixed for version 5 of {@link Snapshot}; a change of layout needs a new snapshot
 * version that can still read the old one, or savepoints of running jobs stop restoring. Version 3
 * held the mean of the finite outputs where the sum and its tail are now, version 4 M2 without its
 * tail: their state restores, and Flink migrates it.
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
        write(acc, target, Snapshot.CURRENT_VERSION);
    }

    /** Writes {@code acc} in the layout of snapshot version {@code layout}. */
    private static void write(ActivationStatsAccumulator acc, DataOutputView target, int layout)
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
        if (layout == Snapshot.MEAN_LAYOUT_VERSION) {
            target.writeDouble(acc.finiteMean());
        } else {
            target.writeDouble(acc.sum);
            target.writeDouble(acc.sumTail);
        }
        if (layout >= Snapshot.M2_TAIL_LAYOUT_VERSION) {
            target.writeDouble(acc.m2);
            target.writeDouble(acc.m2Tail);
        } else {
            // The older layouts kept M2 in one double.
            target.writeDouble(acc.m2 + acc.m2Tail);
        }
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
        return read(source, Snapshot.CURRENT_VERSION);
    }

    /** Reads an accumulator in the layout of snapshot version {@code layout}. */
    private static ActivationStatsAccumulator read(DataInputView source, int layout)
            throws IOException {
        boolean meanLayout = layout == Snapshot.MEAN_LAYOUT_VERSION;
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
        // The old layout's mean, or the sum and its tail.
        double meanOrSum = source.readDouble();
        double sumTail = meanLayout ? 0.0 : source.readDouble();
        double m2 = source.readDouble();
        double m2Tail = layout >= Snapshot.M2_TAIL_LAYOUT_VERSION ? source.readDouble() : 0.0;
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
        acc.m2 = m2;
        acc.m2Tail = m2Tail;
        acc.featureRecords = featureRecords;
        acc.featureZeros = featureZeros;
        if (meanLayout) {
            acc.setSumFromMean(meanOrSum);
        } else {
            acc.sum = meanOrSum;
            acc.sumTail = sumTail;
        }
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

    /**
     * The serializer of an earlier layout, for a snapshot of its version to restore: Flink reads
     * such state with it and migrates it to the current layout.
     */
    abstract static class EarlierLayout
            extends TypeSerializerSingleton<ActivationStatsAccumulator> {

        private static final long serialVersionUID = 1L;

        /** The snapshot version of the layout. */
        abstract int layout();

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
            write(acc, target, layout());
        }

        @Override
        public ActivationStatsAccumulator deserialize(DataInputView source) throws IOException {
            return read(source, layout());
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
            return new Snapshot(layout());
        }
    }

    /** The layout that held the mean instead of the sum (snapshot version 3). */
    static final class MeanLayout extends EarlierLayout {

        private static final long serialVersionUID = 1L;

        static final MeanLayout INSTANCE = new MeanLayout();

        private MeanLayout() {}

        private Object readResolve() {
            return INSTANCE;
        }

        @Override
        int layout() {
            return Snapshot.MEAN_LAYOUT_VERSION;
        }
    }

    /** The layout that held M2 without its tail (snapshot version 4). */
    static final class SumLayout extends EarlierLayout {

        private static final long serialVersionUID = 1L;

        static final SumLayout INSTANCE = new SumLayout();

        private SumLayout() {}

        private Object readResolve() {
            return INSTANCE;
        }

        @Override
        int layout() {
            return Snapshot.SUM_LAYOUT_VERSION;
        }
    }

    /**
     * Snapshot of the (configuration-free) serializer, written into checkpoints and savepoints. Its
     * version is the layout's: 3 for the layout with the mean (written as Flink's {@code
     * SimpleTypeSerializerSnapshot} writes its version 3, with nothing after it), 4 for the one
     * with the sum, 5 for the one with the sum and M2 each with its tail.
     */
    public static final class Snapshot
            implements TypeSerializerSnapshot<ActivationStatsAccumulator> {

        static final int MEAN_LAYOUT_VERSION = 3;
        static final int SUM_LAYOUT_VERSION = 4;
        static final int M2_TAIL_LAYOUT_VERSION = 5;
        static final int CURRENT_VERSION = M2_TAIL_LAYOUT_VERSION;

        private int version;

        /** Flink instantiates snapshots reflectively when it restores. */
        public Snapshot() {
            this(CURRENT_VERSION);
        }

        Snapshot(int version) {
            this.version = version;
        }

        @Override
        public int getCurrentVersion() {
            return version;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {
            // The serializer has no configuration: the version says everything.
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
                throws IOException {
            if (readVersion < MEAN_LAYOUT_VERSION || readVersion > CURRENT_VERSION) {
                throw new IOException(
                        "Unknown version of the accumulator serializer's snapshot: " + readVersion);
            }
            version = readVersion;
        }

        @Override
        public TypeSerializer<ActivationStatsAccumulator> restoreSerializer() {
            switch (version) {
                case MEAN_LAYOUT_VERSION:
                    return MeanLayout.INSTANCE;
                case SUM_LAYOUT_VERSION:
                    return SumLayout.INSTANCE;
                default:
                    return INSTANCE;
            }
        }

        @Override
        public TypeSerializerSchemaCompatibility<ActivationStatsAccumulator>
                resolveSchemaCompatibility(
                        TypeSerializerSnapshot<ActivationStatsAccumulator> oldSnapshot) {
            if (!(oldSnapshot instanceof Snapshot)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            int oldVersion = ((Snapshot) oldSnapshot).version;
            if (oldVersion == version) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            // State in an older layout is read with its serializer and written anew.
            return oldVersion >= MEAN_LAYOUT_VERSION && oldVersion < version
                    ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
