package io.relustream.operators.internal;

import io.relustream.activation.Activations;

import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * Internal, not part of the public API: moves Avro {@code array<double>} values to and from {@code
 * double[]} without boxing where Avro's primitive arrays allow it; reads {@code array<float>},
 * {@code array<int>} and {@code array<long>} into {@code double[]} too.
 */
public final class AvroArrays {

    // Avro's DoubleArray keeps its values in a private double[]: copying that in one block is
    // several times faster than getDouble(i), whose bounds check stops vectorization. Should a
    // later Avro rename it, the handle is null and the element-wise copy takes over.
    private static final VarHandle DOUBLE_ELEMENTS = doubleElements();

    private AvroArrays() {}

    private static VarHandle doubleElements() {
        try {
            return MethodHandles.privateLookupIn(
                            PrimitivesArrays.DoubleArray.class, MethodHandles.lookup())
                    .findVarHandle(PrimitivesArrays.DoubleArray.class, "elements", double[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether Avro's DoubleArray is copied in one block on this Avro version. */
    static boolean readsAvroArraysInBlocks() {
        return DOUBLE_ELEMENTS != null;
    }

    private static double[] elementsOf(PrimitivesArrays.DoubleArray array) {
        return DOUBLE_ELEMENTS == null ? null : (double[]) DOUBLE_ELEMENTS.get(array);
    }

    /**
     * The values as a {@code double[]}: with {@code buffer == null}, an array of exactly the values
     * (the list's own array when it is a {@link DoubleArrayList}, so do not modify it), else copied
     * into {@code buffer} when it is large enough, or into a new array.
     *
     * @return the array holding the values in its first {@code values.size()} slots
     * @throws IllegalArgumentException "[i] is null" when element {@code i} is null, "[i] holds a
     *     ..., not a number" when it is not a number
     */
    public static double[] toDoubles(List<? extends Number> values, double[] buffer) {
        if (values instanceof DoubleArrayList && buffer == null) {
            // A view already holds exactly the values: no copy, and no array to allocate.
            return ((DoubleArrayList) values).array();
        }
        int size = values.size();
        double[] out = buffer != null && buffer.length >= size ? buffer : new double[size];
        if (values instanceof DoubleArrayList) {
            System.arraycopy(((DoubleArrayList) values).array(), 0, out, 0, size);
        } else if (values instanceof PrimitivesArrays.DoubleArray) {
            PrimitivesArrays.DoubleArray doubles = (PrimitivesArrays.DoubleArray) values;
            double[] elements = elementsOf(doubles);
            if (elements != null && elements.length >= size) {
                System.arraycopy(elements, 0, out, 0, size);
            } else {
                for (int i = 0; i < size; i++) {
                    out[i] = doubles.getDouble(i);
                }
            }
        } else if (values instanceof PrimitivesArrays.FloatArray) {
            PrimitivesArrays.FloatArray floats = (PrimitivesArrays.FloatArray) values;
            for (int i = 0; i < size; i++) {
                out[i] = floats.getFloat(i);
            }
        } else if (values instanceof PrimitivesArrays.IntArray) {
            PrimitivesArrays.IntArray ints = (PrimitivesArrays.IntArray) values;
            for (int i = 0; i < size; i++) {
                out[i] = ints.getInt(i);
            }
        } else if (values instanceof PrimitivesArrays.LongArray) {
            PrimitivesArrays.LongArray longs = (PrimitivesArrays.LongArray) values;
            for (int i = 0; i < size; i++) {
                // Beyond 2^53 the nearest double, as Java's widening conversion gives it.
                out[i] = longs.getLong(i);
            }
        } else {
            List<?> items = values;
            for (int i = 0; i < size; i++) {
                Object value = items.get(i);
                if (value == null) {
                    // Only a list built in code has one; Avro's decoders never make one.
                    throw new IllegalArgumentException("[" + i + "] is null");
                }
                if (!(value instanceof Number)) {
                    // A list of another schema's record, copied by Flink into this one's.
                    throw new IllegalArgumentException(
                            "[" + i + "] holds a " + value.getClass().getName() + ", not a number");
                }
                out[i] = ((Number) value).doubleValue();
            }
        }
        return out;
    }

    /** An Avro {@code array<double>} holding the first {@code length} values. */
    public static PrimitivesArrays.DoubleArray doubleArray(
            double[] values, int length, Schema arraySchema) {
        PrimitivesArrays.DoubleArray array = new PrimitivesArrays.DoubleArray(length, arraySchema);
        for (int i = 0; i < length; i++) {
            array.add(i, values[i]);
        }
        return array;
    }

    /**
     * An Avro {@code array<float>} holding the first {@code length} values, rounded once as the
     * activations' {@code float} forms round ({@link Activations#toFloat}).
     */
    public static PrimitivesArrays.FloatArray floatArray(
            double[] values, int length, Schema arraySchema) {
        PrimitivesArrays.FloatArray array = new PrimitivesArrays.FloatArray(length, arraySchema);
        for (int i = 0; i < length; i++) {
            array.add(i, Activations.toFloat(values[i]));
        }
        return array;
    }

    /** The array branch of a schema that is an array or a union of null and an array. */
    public static Schema arrayBranch(Schema schema) {
        if (schema.getType() == Schema.Type.ARRAY) {
            return schema;
        }
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.ARRAY) {
                return branch;
            }
        }
        throw new IllegalArgumentException("Schema " + schema + " holds no array");
    }
}
