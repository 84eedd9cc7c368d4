package io.relustream.formats;

import org.apache.avro.Schema;

import java.util.HashSet;
import java.util.Set;

/**
 * Walks Avro binary data along its writer schema without building anything, so that lengths and
 * counts which claim more bytes than the payload holds are caught before Avro allocates for them
 * (random bytes can claim a multi-gigabyte array and take the task manager down with them), and
 * strings that are not UTF-8 before Avro replaces their bad bytes: the writer's strings, and its
 * bytes that the reader reads as strings (Avro promotes bytes to string).
 */
final class AvroBinaryCheck {

    private final byte[] bytes;
    private final int end;
    private int position;

    private AvroBinaryCheck(byte[] bytes, int start) {
        this.bytes = bytes;
        this.end = bytes.length;
        this.position = start;
    }

    /**
     * Checks that {@code bytes} from {@code start} to the end hold exactly one datum of {@code
     * schema}, to be read with {@code reader}.
     *
     * @throws UndecodableRecordException saying what does not fit
     */
    static void check(Schema schema, Schema reader, byte[] bytes, int start)
            throws UndecodableRecordException {
        AvroBinaryCheck check = new AvroBinaryCheck(bytes, start);
        check.datum(schema, reader, Path.root(schema.getName()));
        if (check.position != check.end) {
            int trailing = check.end - check.position;
            throw new UndecodableRecordException(
                    "payload has "
                            + trailing
                            + (trailing == 1 ? " trailing byte" : " trailing bytes")
                            + " after the "
                            + schema.getName()
                            + " record");
        }
    }

    /**
     * Checks that the items of every array in {@code schema}, however deep, take at least one byte
     * each, as {@link #check} assumes when it bounds an array's count by the bytes left. Items that
     * take none (null, a record of no fields or of such fields only, a fixed of size 0) would let a
     * few bytes claim 2^62 of them, which Avro reads or skips one by one. A map's entries always
     * take a byte: their key's length.
     *
     * @throws IllegalArgumentException naming the array and its items
     */
    static void checkItemsTakeBytes(Schema schema) {
        itemsTakeBytes(schema, schema.getName(), new HashSet<>());
    }

    private static void itemsTakeBytes(Schema schema, String path, Set<String> checked) {
        switch (schema.getType()) {
            case RECORD:
                if (checked.add(schema.getFullName())) {
                    for (Schema.Field field : schema.getFields()) {
                        itemsTakeBytes(field.schema(), path + "." + field.name(), checked);
                    }
                }
                return;
            case UNION:
                for (Schema branch : schema.getTypes()) {
                    itemsTakeBytes(branch, path, checked);
                }
                return;
            case ARRAY:
                Schema items = schema.getElementType();
                if (takesNoBytes(items, new HashSet<>())) {
                    throw new IllegalArgumentException(
                            path
                                    + " is an array of "
                                    + describe(items)
                                    + ", items written in zero bytes, so that a few bytes could"
                                    + " claim billions of them for the decoder to read one by one;"
                                    + " an array's items must take at least one byte (a union such"
                                    + " as [\"null\", \"double\"] takes one)");
                }
                itemsTakeBytes(items, path + "[]", checked);
                return;
            case MAP:
                itemsTakeBytes(schema.getValueType(), path + "[]", checked);
                return;
            default:
                return;
        }
    }

    /** Whether a datum of {@code schema} can be written in zero bytes. */
    private static boolean takesNoBytes(Schema schema, Set<String> enclosing) {
        switch (schema.getType()) {
            case NULL:
                return true;
            case FIXED:
                return schema.getFixedSize() == 0;
            case RECORD:
                if (!enclosing.add(schema.getFullName())) {
                    return false; // a record within itself, outside any union, has no datum
                }
                boolean none =
                        schema.getFields().stream()
                                .allMatch(field -> takesNoBytes(field.schema(), enclosing));
                enclosing.remove(schema.getFullName());
                return none;
            default:
                return false; // a union's branch, an enum's symbol, a count or length: a byte
        }
    }

    private static String describe(Schema items) {
        switch (items.getType()) {
            case FIXED:
                return "fixed " + items.getFullName() + " of size 0";
            case RECORD:
                return "record "
                        + items.getFullName()
                        + (items.getFields().isEmpty()
                                ? " without fields"
                                : " whose fields take no bytes");
            default:
                return items.getType().getName();
        }
    }

    /**
     * One datum written with {@code schema}; {@code reader} is what the reader reads it as, null
     * where the reader skips it.
     */
    private void datum(Schema schema, Schema reader, Path path) throws UndecodableRecordException {
        if (reader != null && reader.getType() == Schema.Type.UNION) {
            reader = branchFor(schema, reader);
        }
        switch (schema.getType()) {
            case NULL:
                return;
            case BOOLEAN:
                need(1, path);
                int flag = bytes[position++];
                if (flag != 0 && flag != 1) {
                    throw malformed(path, "boolean byte " + flag + " is neither 0 nor 1");
                }
                return;
            case INT:
                varint(path, 5);
                return;
            case LONG:
                varint(path, 10);
                return;
            case FLOAT:
                need(4, path);
                position += 4;
                return;
            case DOUBLE:
                need(8, path);
                position += 8;
                return;
            case STRING:
            case BYTES:
                long length = varint(path, 10);
                if (length < 0) {
                    throw malformed(path, "negative length " + length);
                }
                need(length, path);
                if (schema.getType() == Schema.Type.STRING
                        || (reader != null && reader.getType() == Schema.Type.STRING)) {
                    utf8(path, position + (int) length);
                }
                position += (int) length;
                return;
            case FIXED:
                need(schema.getFixedSize(), path);
                position += schema.getFixedSize();
                return;
            case ENUM:
                long symbol = varint(path, 5);
                if (symbol < 0 || symbol >= schema.getEnumSymbols().size()) {
                    throw malformed(path, "enum index " + symbol + " is out of range");
                }
                return;
            case UNION:
                long branch = varint(path, 5);
                if (branch < 0 || branch >= schema.getTypes().size()) {
                    throw malformed(path, "union branch " + branch + " is out of range");
                }
                datum(schema.getTypes().get((int) branch), reader, path);
                return;
            case RECORD:
                for (Schema.Field field : schema.getFields()) {
                    Schema.Field read = readerField(reader, field.name());
                    datum(
                            field.schema(),
                            read == null ? null : read.schema(),
                            path.field(field.name()));
                }
                return;
            case ARRAY:
                blocks(
                        schema.getElementType(),
                        reader != null && reader.getType() == Schema.Type.ARRAY
                                ? reader.getElementType()
                                : null,
                        null,
                        path);
                return;
            case MAP:
                blocks(
                        schema.getValueType(),
                        reader != null && reader.getType() == Schema.Type.MAP
                                ? reader.getValueType()
                                : null,
                        Schema.create(Schema.Type.STRING),
                        path);
                return;
            default:
                throw new IllegalStateException("Unknown Avro type " + schema.getType());
        }
    }

    /**
     * The branch of the reader's union that a writer's non-union datum resolves to, as Avro picks
     * it: one of the same type (and name), else one it promotes to; null when none.
     */
    private static Schema branchFor(Schema written, Schema union) {
        if (written.getType() == Schema.Type.UNION) {
            return union; // resolved branch by branch
        }
        for (Schema branch : union.getTypes()) {
            if (branch.getType() == written.getType()
                    && (!isNamed(branch) || branch.getName().equals(written.getName()))) {
                return branch;
            }
        }
        if (written.getType() == Schema.Type.BYTES) {
            for (Schema branch : union.getTypes()) {
                if (branch.getType() == Schema.Type.STRING) {
                    return branch;
                }
            }
        }
        return null;
    }

    private static boolean isNamed(Schema schema) {
        return schema.getType() == Schema.Type.RECORD
                || schema.getType() == Schema.Type.ENUM
                || schema.getType() == Schema.Type.FIXED;
    }

    /** The reader's field that reads the writer's field {@code name}: same name or an alias. */
    private static Schema.Field readerField(Schema reader, String name) {
        if (reader == null || reader.getType() != Schema.Type.RECORD) {
            return null;
        }
        Schema.Field field = reader.getField(name);
        if (field != null) {
            return field;
        }
        for (Schema.Field candidate : reader.getFields()) {
            if (candidate.aliases().contains(name)) {
                return candidate;
            }
        }
        return null;
    }

    private void blocks(Schema items, Schema readerItems, Schema keys, Path path)
            throws UndecodableRecordException {
        int index = 0;
        while (true) {
            long count = varint(path, 10);
            if (count == 0) {
                return;
            }
            long size = -1;
            if (count < 0) {
                // Then the block's size in bytes, by which Avro skips the block where the reader
                // has no such field: it must be what the items take, or Avro reads the fields
                // after it from elsewhere than the walk.
                if (count == Long.MIN_VALUE) {
                    throw malformed(
                            path, "a block count of " + count + ", which no count negates to");
                }
                size = varint(path, 10);
                if (size < 0) {
                    throw malformed(path, "a block of " + size + " bytes");
                }
                count = -count;
            }
            int start = position;
            // Every item takes at least one byte (checkItemsTakeBytes refuses writers whose
            // array items could take none; a map entry has its key): a count beyond the bytes
            // left is a lie that would make Avro allocate, or loop, for nothing.
            if (count > end - position) {
                throw malformed(
                        path,
                        "claims "
                                + count
                                + (count == 1 ? " item" : " items")
                                + " but only "
                                + (end - position)
                                + (end - position == 1 ? " byte remains" : " bytes remain"));
            }
            for (long i = 0; i < count; i++, index++) {
                if (keys != null) {
                    datum(keys, null, path.key());
                }
                datum(items, readerItems, path.item(index));
            }
            if (size >= 0 && position - start != size) {
                long taken = position - start;
                position = start;
                throw malformed(
                        path,
                        "a block of "
                                + count
                                + (count == 1 ? " item takes " : " items takes ")
                                + taken
                                + (taken == 1 ? " byte, not the " : " bytes, not the ")
                                + size
                                + " its size says");
            }
        }
    }

    /** Checks that the string from the current position to {@code to} is UTF-8. */
    private void utf8(Path path, int to) throws UndecodableRecordException {
        int invalid = Utf8Check.firstInvalid(bytes, position, to);
        if (invalid >= 0) {
            position = invalid;
            throw malformed(
                    path,
                    String.format(
                            "the string is not valid UTF-8 (byte %02X), and would be read with"
                                    + " U+FFFD replacement characters",
                            bytes[invalid] & 0xff));
        }
    }

    /** A zig-zag int ({@code maxBytes} 5) or long ({@code maxBytes} 10). */
    private long varint(Path path, int maxBytes) throws UndecodableRecordException {
        int bits = maxBytes == 5 ? 32 : 64;
        long raw = 0;
        for (int shift = 0, read = 0; ; shift += 7, read++) {
            if (read == maxBytes) {
                throw malformed(
                        path, "variable-length integer is longer than " + maxBytes + " bytes");
            }
            need(1, path);
            int b = bytes[position++] & 0xff;
            if (read == maxBytes - 1 && (b & 0x7f) >>> (bits - shift) != 0) {
                // Avro drops the bits beyond the int or long and reads another number.
                throw malformed(
                        path,
                        "variable-length integer overflows "
                                + (bits == 32 ? "an int (32 bits)" : "a long (64 bits)"));
            }
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return (raw >>> 1) ^ -(raw & 1); // zig-zag
    }

    private void need(long count, Path path) throws UndecodableRecordException {
        if (count > end - position) {
            throw new UndecodableRecordException(
                    "payload is truncated: "
                            + path
                            + " needs "
                            + count
                            + (count == 1 ? " more byte at byte " : " more bytes at byte ")
                            + position
                            + " but the payload ends at byte "
                            + end);
        }
    }

    private UndecodableRecordException malformed(Path path, String what) {
        return new UndecodableRecordException(
                "payload is not valid Avro: " + path + " at byte " + position + ": " + what);
    }

    /**
     * Where a datum is, such as {@code FeatureVector.values[3]}: built step by step as the walk
     * goes down, written out only for a message. A recursive writer lets a payload nest as deep as
     * its bytes allow, so a path is written with its first and last {@value #EDGE_STEPS} steps
     * only: its length, and the time to make it, do not grow with the payload.
     */
    private static final class Path {
        private static final int EDGE_STEPS = 8;

        private final Path parent;
        // A name with its '.', or "{key}"; null for the item at index.
        private final String step;
        private final long index;
        private final int depth;

        private Path(Path parent, String step, long index) {
            this.parent = parent;
            this.step = step;
            this.index = index;
            this.depth = parent == null ? 0 : parent.depth + 1;
        }

        static Path root(String name) {
            return new Path(null, name, -1);
        }

        Path field(String name) {
            return new Path(this, "." + name, -1);
        }

        Path item(long index) {
            return new Path(this, null, index);
        }

        Path key() {
            return new Path(this, "{key}", -1);
        }

        private String step() {
            return step != null ? step : "[" + index + "]";
        }

        @Override
        public String toString() {
            Path[] steps = new Path[depth + 1];
            for (Path p = this; p != null; p = p.parent) {
                steps[p.depth] = p;
            }
            StringBuilder text = new StringBuilder(steps[0].step());
            for (int i = 1; i < steps.length; i++) {
                if (depth > 2 * EDGE_STEPS && i == EDGE_STEPS + 1) {
                    text.append("(... ").append(depth - 2 * EDGE_STEPS).append(" more ...)");
                    i = depth - EDGE_STEPS + 1;
                }
                text.append(steps[i].step());
            }
            return text.toString();
        }
    }
}
