package io.relustream.operators.internal;

import io.relustream.avro.FeatureVector;

import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AvroArraysTest {

    private static final Schema DOUBLES =
            FeatureVector.getClassSchema().getField("values").schema();
    private static final Schema FLOATS = Schema.createArray(Schema.create(Schema.Type.FLOAT));

    @Test
    void copiesAvrosDoubleArrayEvenWhenItHoldsMoreCapacityThanValues() {
        PrimitivesArrays.DoubleArray array = new PrimitivesArrays.DoubleArray(64, DOUBLES);
        for (int i = 0; i < 10; i++) {
            array.add(i, i * 1.5);
        }
        array.remove(0);
        array.add(-0.0);
        array.set(3, Double.NaN);

        double[] copy = AvroArrays.toDoubles(array, null);

        assertThat(copy).hasSize(10);
        assertThat(copy).startsWith(1.5, 3.0, 4.5);
        assertThat(copy[3]).isNaN();
        assertThat(Double.doubleToRawLongBits(copy[9])).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(copy).isNotSameAs(AvroArrays.toDoubles(array, null));
    }

    @Test
    void viewsOfArraysNeedNoCopy() {
        double[] values = {1, -2, 3};
        assertThat(AvroArrays.toDoubles(new DoubleArrayList(values, DOUBLES), null))
                .isSameAs(values);
        double[] buffer = new double[5];
        assertThat(AvroArrays.toDoubles(new DoubleArrayList(values, DOUBLES), buffer))
                .isSameAs(buffer)
                .startsWith(1, -2, 3);
    }

    @Test
    void readsFloatArraysAndPlainLists() {
        PrimitivesArrays.FloatArray floats = new PrimitivesArrays.FloatArray(2, FLOATS);
        floats.add(0.25f);
        floats.add(-1.5f);
        assertThat(AvroArrays.toDoubles(floats, null)).containsExactly(0.25, -1.5);
        List<Double> boxed = new ArrayList<>(List.of(4.0, 5.0));
        assertThat(AvroArrays.toDoubles(boxed, new double[1])).containsExactly(4.0, 5.0);
    }

    @Test
    void readsIntAndLongArraysLongsAsTheirNearestDouble() {
        PrimitivesArrays.IntArray ints =
                new PrimitivesArrays.IntArray(
                        2, Schema.createArray(Schema.create(Schema.Type.INT)));
        ints.add(Integer.MIN_VALUE);
        ints.add(7);
        assertThat(AvroArrays.toDoubles(ints, null)).containsExactly(-2147483648.0, 7.0);
        PrimitivesArrays.LongArray longs =
                new PrimitivesArrays.LongArray(
                        2, Schema.createArray(Schema.create(Schema.Type.LONG)));
        longs.add(9_007_199_254_740_995L);
        longs.add(Long.MAX_VALUE);
        // 2^53 + 3 is halfway between 2^53 + 2 and 2^53 + 4: to the even significand, + 4;
        // 2^63 - 1 to 2^63.
        assertThat(AvroArrays.toDoubles(longs, null))
                .containsExactly(9007199254740996.0, 9223372036854775808.0);
    }

    @Test
    void avrosOwnArrayIsReadInOneBlock() {
        // The fast path is taken on this Avro version (the field is there); without it the
        // element-wise copy gives the same values, more slowly.
        assertThat(AvroArrays.readsAvroArraysInBlocks()).isTrue();
    }
}
