package io.relustream.operators.internal;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericArray;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * Internal, not part of the public API: an Avro {@code array<double>} that is a view of a {@code
 * double[]}, so operators hand their results to Avro records without copying or boxing them. Fixed
 * size; {@link #set} writes through to the array.
 */
public final class DoubleArrayList extends AbstractList<Double>
        implements GenericArray<Double>, RandomAccess {

    private final double[] values;
    private final Schema schema;

    /** A view of all of {@code values}, of the Avro array schema {@code schema}. */
    public DoubleArrayList(double[] values, Schema schema) {
        this.values = Objects.requireNonNull(values, "values");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** The array behind this list; do not modify it while the list is in use elsewhere. */
    public double[] array() {
        return values;
    }

    /** The value at {@code index}, without boxing. */
    public double getDouble(int index) {
        return values[index];
    }

    @Override
    public Double get(int index) {
        return values[index];
    }

    @Override
    public Double set(int index, Double value) {
        double old = values[index];
        values[index] = value;
        return old;
    }

    @Override
    public int size() {
        return values.length;
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
        for (int i = 0, j = values.length - 1; i < j; i++, j--) {
            double swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
