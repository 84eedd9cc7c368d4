package io.relustream.formats;

import org.apache.avro.Schema;

/**
 * Walks Avro binary data along its writer schema without building anything, so that lengths and
 * counts which claim more bytes than the payload holds are caught before Avro allocates for them
 * (random bytes can claim a multi-gigabyte array and take the task manager down with them), and
 * strings that are not UTF-8 before Avro replaces their bad bytes.
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
     * schema}.
     *
     * @throws UndecodableRecordException saying what does not fit
     */
    static void check(Schema schema, byte[] bytes, int start) throws UndecodableRecordException {
        AvroBinaryCheck check = new AvroBinaryCheck(bytes, start);
        check.datum(schema, schema.getName());
        if (check.position != check.end) {
            throw new UndecodableRecordException(
                    "payload has "
                            + (check.end - check.position)
                            + " trailing bytes after the "
                            + schema.getName()
                            + " record");
        }
    }

    private void datum(Schema schema, String path) throws UndecodableRecordException {
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
                if (schema.getType() == Schema.Type.STRING) {
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
                datum(schema.getTypes().get((int) branch), path);
                return;
            case RECORD:
                for (Schema.Field field : schema.getFields()) {
                    datum(field.schema(), path + "." + field.name());
                }
                return;
            case ARRAY:
                blocks(schema.getElementType(), null, path);
                return;
            case MAP:
                blocks(schema.getValueType(), Schema.create(Schema.Type.STRING), path);
                return;
            default:
                throw new IllegalStateException("Unknown Avro type " + schema.getType());
        }
    }

    private void blocks(Schema items, Schema keys, String path) throws UndecodableRecordException {
        int index = 0;
        while (true) {
            long count = varint(path, 10);
            if (count == 0) {
                return;
            }
            if (count < 0) {
                // Then the block's size in bytes, which the walk does not need but Avro checks.
                if (count == Long.MIN_VALUE) {
                    throw malformed(
                            path, "a block count of " + count + ", which no count negates to");
                }
                long size = varint(path, 10);
                if (size < 0) {
                    throw malformed(path, "a block of " + size + " bytes");
                }
                count = -count;
            }
            // Every item takes at least one byte unless it is null: a count beyond the bytes
            // left is a lie that would make Avro allocate for nothing.
            if (items.getType() != Schema.Type.NULL && count > end - position) {
                throw malformed(
                        path,
                        "claims "
                                + count
                                + " items but only "
                                + (end - position)
                                + " bytes remain");
            }
            for (long i = 0; i < count; i++, index++) {
                if (keys != null) {
                    datum(keys, path + "{key}");
                }
                datum(items, path + "[" + index + "]");
            }
        }
    }

    /** Checks that the string from the current position to {@code to} is UTF-8. */
    private void utf8(String path, int to) throws UndecodableRecordException {
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

    private long varint(String path, int maxBytes) throws UndecodableRecordException {
        long raw = 0;
        for (int shift = 0, read = 0; ; shift += 7, read++) {
            if (read == maxBytes) {
                throw malformed(
                        path, "variable-length integer is longer than " + maxBytes + " bytes");
            }
            need(1, path);
            int b = bytes[position++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return (raw >>> 1) ^ -(raw & 1); // zig-zag
    }

    private void need(long count, String path) throws UndecodableRecordException {
        if (count > end - position) {
            throw new UndecodableRecordException(
                    "payload is truncated: "
                            + path
                            + " needs "
                            + count
                            + " more bytes at byte "
                            + position
                            + " but the payload ends at byte "
                            + end);
        }
    }

    private UndecodableRecordException malformed(String path, String what) {
        return new UndecodableRecordException(
                "payload is not valid Avro: " + path + " at byte " + position + ": " + what);
    }
}
