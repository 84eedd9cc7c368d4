package io.relustream.operators.internal;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericArray;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * Internal, not part of the public API: an Avro {@code array<double>} that is a view of a {@code
 * double[]}, so operators hand their results to Avro records without copying or boxing them. {@link
 * #set} writes through to the array; adding and removing work as on Avro's own lists (user code
 * downstream may call them), and move the values to a new array when it must grow.
 */
public final class DoubleArrayList extends AbstractList<Double>
        implements GenericArray<Double>, RandomAccess {

    private double[] values;
    private int size;
    private final Schema schema;

    /** A view of all of {@code values}, of the Avro array schema {@code schema}. */
    public DoubleArrayList(double[] values, Schema schema) {
        this.values = Objects.requireNonNull(values, "values");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.size = values.length;
    }

    /**
     * The array behind this list, holding exactly its values; do not modify it while the list is in
     * use elsewhere. After adding or removing left spare room, the values move to an array of their
     * size first (once), which the list then keeps.
     */
    public double[] array() {
        if (values.length != size) {
            values = Arrays.copyOf(values, size);
        }
        return values;
    }

    /** The value at {@code index}, without boxing. */
    public double getDouble(int index) {
        return values[Objects.checkIndex(index, size)];
    }

    @Override
    public Double get(int index) {
        return values[Objects.checkIndex(index, size)];
    }

    @Override
    public Double set(int index, Double value) {
        double old = values[Objects.checkIndex(index, size)];
        values[index] = unboxed(value);
        return old;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void add(int index, Double value) {
        Objects.checkIndex(index, size + 1);
        double added = unboxed(value);
        if (size == values.length) {
            // 1.5x + 1, as Avro's own arrays grow: adding one by one stays linear.
            values = Arrays.copyOf(values, size + (size >> 1) + 1);
        }
        System.arraycopy(values, index, values, index + 1, size - index);
        values[index] = added;
        size++;
        modCount++;
    }

    @Override
    public Double remove(int index) {
        double old = values[Objects.checkIndex(index, size)];
        System.arraycopy(values, index + 1, values, index, size - index - 1);
        size--;
        modCount++;
        return old;
    }

    @Override
    protected void removeRange(int fromIndex, int toIndex) {
        System.arraycopy(values, toIndex, values, fromIndex, size - toIndex);
        size -= toIndex - fromIndex;
        modCount++;
    }

    @Override
    public void clear() {
        size = 0;
        modCount++;
    }

    private static double unboxed(Double value) {
        if (value == null) {
            // A double array has no slot for null; Avro's own would drop it without a word.
            throw new NullPointerException("an array<double> holds no null");
        }
        return value;
    }

    @Override
    public Schema getSchema() {
        return schema;
    }

    /** Nothing is kept for reuse. */
    @Override
    public Double peek() {
        return null;
    }

    @Override
    public void reverse() {
        for (int i = 0, j = size - 1; i < j; i++, j--) {
            double swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
