package io.relustream.formats;

import io.relustream.avro.ActivationVector;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.internal.DoubleArrayList;

import org.apache.avro.Schema;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The two records the job reads and writes most, in Avro binary without Avro's generic machinery:
 * {@code FeatureVector} in, {@code ActivationVector} out. Avro boxes every double of an array and
 * dispatches on its schema per element; these read and write the doubles as blocks of little-endian
 * bytes. They produce exactly Avro's bytes and records (tests compare them), and only for the
 * current schemas: anything else, or anything unusual in the bytes, goes back to Avro, which also
 * explains what is wrong.
 */
final class FastBinary {

    private static final VarHandle DOUBLE =
            MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final Schema VALUES_SCHEMA =
            FeatureVector.getClassSchema().getField("values").schema();

    private FastBinary() {}

    /**
     * A {@code FeatureVector} of the current schema from {@code bytes[offset..]}, whose values are
     * a view of a fresh {@code double[]}; {@code null} when the bytes are anything but a
     * well-formed record ending exactly at the end.
     */
    static FeatureVector readFeatureVector(byte[] bytes, int offset) {
        Reader reader = new Reader(bytes, offset);
        String id = reader.string();
        long eventTime = reader.varLong();
        String group = reader.string();
        double[] values = reader.doubles();
        if (reader.failed || reader.position != bytes.length) {
            return null;
        }
        return new FeatureVector(
                id,
                Instant.ofEpochMilli(eventTime),
                group,
                new DoubleArrayList(values, VALUES_SCHEMA));
    }

    /** {@code header} (may be empty) and the Avro binary of {@code vector}. */
    static byte[] writeActivationVector(ActivationVector vector, byte[] header) {
        byte[] id = utf8(vector.getId());
        long eventTime = vector.getEventTime().toEpochMilli();
        byte[] group = utf8(vector.getGroup());
        byte[] activation = utf8(vector.getActivation());
        List<Double> activations = vector.getActivations();
        List<Double> derivatives = vector.getDerivatives();
        // The exact size, so that the bytes are allocated once and never copied.
        int size =
                header.length
                        + stringSize(id)
                        + varLongSize(eventTime)
                        + stringSize(group)
                        + stringSize(activation)
                        + arraySize(activations)
                        + 1
                        + (derivatives == null ? 0 : arraySize(derivatives));
        Writer writer = new Writer(header, size);
        writer.string(id);
        writer.varLong(eventTime);
        writer.string(group);
        writer.string(activation);
        writer.doubles(activations);
        if (derivatives == null) {
            writer.varLong(0); // union branch 0: null
        } else {
            writer.varLong(1); // union branch 1: the array
            writer.doubles(derivatives);
        }
        return writer.bytes();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int stringSize(byte[] utf8) {
        return varLongSize(utf8.length) + utf8.length;
    }

    private static int arraySize(List<Double> values) {
        int size = values.size();
        return size == 0 ? 1 : varLongSize(size) + 8 * size + 1;
    }

    /** Bytes of a zig-zag variable-length long. */
    private static int varLongSize(long value) {
        long zigZag = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((zigZag & ~0x7FL) != 0) {
            zigZag >>>= 7;
            bytes++;
        }
        return bytes;
    }

    /** Reads Avro binary; on anything out of bounds it stops and says so in {@link #failed}. */
    private static final class Reader {
        private final byte[] bytes;
        private int position;
        private boolean failed;

        Reader(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        long varLong() {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= bytes.length) {
                    failed = true;
                    return 0;
                }
                int b = bytes[position++] & 0xff;
                if (shift == 63 && (b & 0x7e) != 0) {
                    break; // bits beyond the long: Avro's walk says so
                }
                raw |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            failed = true;
            return 0;
        }

        String string() {
            long length = varLong();
            if (failed
                    || length < 0
                    || length > bytes.length - position
                    || Utf8Check.firstInvalid(bytes, position, position + (int) length) >= 0) {
                // Avro's walk says what is wrong, invalid UTF-8 included.
                failed = true;
                return null;
            }
            String text = new String(bytes, position, (int) length, StandardCharsets.UTF_8);
            position += (int) length;
            return text;
        }

        double[] doubles() {
            double[] values = new double[0];
            int size = 0;
            while (!failed) {
                long count = varLong();
                if (count == 0) {
                    return size == values.length ? values : Arrays.copyOf(values, size);
                }
                if (count < 0) {
                    // Then the block's size in bytes follows, 8 a value. Long.MIN_VALUE negates
                    // to no count, and any other size is malformed: Avro's walk explains which.
                    if (count == Long.MIN_VALUE || varLong() != -8 * count) {
                        break;
                    }
                    count = -count;
                }
                if (failed || count > (bytes.length - position) / 8) {
                    break;
                }
                if (size + count > values.length) {
                    // At least doubled: growing by each block alone copies the array once per
                    // block, and a writer may send a block per value (a megabyte of them took
                    // seconds). Never beyond the doubles the bytes left can hold.
                    long room = size + (bytes.length - position) / 8;
                    values =
                            Arrays.copyOf(
                                    values,
                                    (int)
                                            Math.min(
                                                    Math.max(size + count, 2L * values.length),
                                                    room));
                }
                for (int i = 0; i < count; i++, position += 8) {
                    values[size++] = (double) DOUBLE.get(bytes, position);
                }
            }
            failed = true;
            return null;
        }
    }

    /** Writes Avro binary into a growing array. */
    private static final class Writer {
        private byte[] bytes;
        private int position;

        Writer(byte[] header, int size) {
            bytes = Arrays.copyOf(header, size);
            position = header.length;
        }

        private void ensure(int more) {
            if (position + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, position + more));
            }
        }

        void varLong(long value) {
            // Exactly the bytes it takes: a writer sized by the caller then never grows (a
            // blanket 10 here made the last block's 0 double the array and the end trim it).
            ensure(varLongSize(value));
            long zigZag = (value << 1) ^ (value >> 63);
            while ((zigZag & ~0x7FL) != 0) {
                bytes[position++] = (byte) ((zigZag & 0x7F) | 0x80);
                zigZag >>>= 7;
            }
            bytes[position++] = (byte) zigZag;
        }

        void string(byte[] utf8) {
            varLong(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, position, utf8.length);
            position += utf8.length;
        }

        void doubles(List<Double> values) {
            int size = values.size();
            if (size > 0) {
                varLong(size);
                ensure(8 * size);
                if (values instanceof DoubleArrayList) {
                    double[] array = ((DoubleArrayList) values).array();
                    for (int i = 0; i < size; i++, position += 8) {
                        DOUBLE.set(bytes, position, array[i]);
                    }
                } else {
                    for (Double value : values) {
                        DOUBLE.set(bytes, position, (double) value);
                        position += 8;
                    }
                }
            }
            varLong(0);
        }

        byte[] bytes() {
            return position == bytes.length ? bytes : Arrays.copyOf(bytes, position);
        }
    }
}
