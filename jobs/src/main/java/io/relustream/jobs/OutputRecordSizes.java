package io.relustream.jobs;

import io.relustream.avro.DeadLetter;
import io.relustream.avro.DeadLetterHeader;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * Upper bounds of the Kafka records the job writes for one input record: its activations, the
 * statistics of a window that holds it, and its dead letter. A producer refuses a record above its
 * {@code max.request.size}, and the sink fails the job on it; the job would restart into the same
 * record for ever. Checked before anything is written, such a record goes to the dead-letter topic
 * instead.
 *
 * <p>The bounds assume the widest encoding of every length and count (varints of 5 and 10 bytes),
 * the 10-byte single-object header and Kafka's record and batch framing, so a record within them
 * always fits.
 *
 * <pre>{@code
 * // As it is when it fits in 1 MiB, else without the record's bytes (and key and headers).
 * DeadLetter fitting = OutputRecordSizes.fittingDeadLetter(letter, 1024 * 1024);
 * }</pre>
 */
public final class OutputRecordSizes {

    /** Kafka's batch header (61 bytes) and a record's own framing (at most 21), rounded up. */
    private static final int KAFKA_FRAMING = 128;

    private static final int SINGLE_OBJECT_HEADER = 10;
    private static final int MAX_INT_VARINT = 5;
    private static final int MAX_LONG_VARINT = 10;

    /**
     * The fields of {@code ActivationStats} besides its group, activation and two arrays: three
     * timestamps' worth of longs, counts and nullable doubles, each at its widest.
     */
    private static final int STATS_FIXED_FIELDS = 512;

    /** A per-feature zero fraction (a double) and a dead-feature index (an int, at its widest). */
    private static final int STATS_BYTES_PER_FEATURE = 8 + MAX_INT_VARINT;

    private OutputRecordSizes() {}

    /**
     * The record of an {@code ActivationVector}, keyed by its id; strings given by their UTF-8
     * lengths ({@link #utf8Bytes}), so that a caller measures each once.
     */
    static long activations(
            long idBytes,
            long groupBytes,
            long specBytes,
            int outputs,
            int derivatives,
            boolean hasDerivatives) {
        long value =
                SINGLE_OBJECT_HEADER
                        + string(idBytes)
                        + MAX_LONG_VARINT
                        + string(groupBytes)
                        + string(specBytes)
                        + array(outputs)
                        + 1
                        + (hasDerivatives ? array(derivatives) : 0);
        return KAFKA_FRAMING + idBytes + value;
    }

    /**
     * The record of the {@code ActivationStats} of a window with {@code features} features, keyed
     * by its group.
     */
    static long statistics(long groupBytes, long specBytes, int features) {
        long value =
                SINGLE_OBJECT_HEADER
                        + string(groupBytes)
                        + string(specBytes)
                        + STATS_FIXED_FIELDS
                        + 2L * (MAX_INT_VARINT + 1)
                        + (long) STATS_BYTES_PER_FEATURE * features;
        return KAFKA_FRAMING + groupBytes + value;
    }

    /**
     * The record of a {@code DeadLetter}, keyed by the key of the record it holds. The union
     * branches of its nullable fields take one byte each.
     */
    static long deadLetter(DeadLetter letter) {
        long headers = MAX_INT_VARINT + 1;
        for (DeadLetterHeader header : letter.getHeaders()) {
            headers += string(utf8Bytes(header.getKey())) + 1 + bytes(header.getValue());
        }
        long value =
                SINGLE_OBJECT_HEADER
                        + 1
                        + bytes(letter.getPayload())
                        + 1
                        + bytes(letter.getKey())
                        + 1
                        + (letter.getTopic() == null ? 0 : string(utf8Bytes(letter.getTopic())))
                        + 1
                        + MAX_INT_VARINT
                        + 1
                        + MAX_LONG_VARINT
                        + 1
                        + MAX_LONG_VARINT
                        + headers
                        + string(utf8Bytes(letter.getReason()))
                        + 1
                        + nullableString(letter.getErrorClass())
                        + 1
                        + nullableString(letter.getErrorMessage())
                        + MAX_LONG_VARINT;
        long key = letter.getKey() == null ? 0 : letter.getKey().remaining();
        return KAFKA_FRAMING + key + value;
    }

    /**
     * {@code letter}, or when it would not fit in one Kafka record of {@code maxRecordBytes} (an
     * input near the size limit and the dead letter's own fields), {@code letter} without the
     * original bytes, and if need be without the key and headers too, its reason saying so and
     * where to read them: a record the producer refuses would fail the sink, and the job would
     * restart into it for ever. Changes and returns {@code letter}.
     */
    public static DeadLetter fittingDeadLetter(DeadLetter letter, int maxRecordBytes) {
        if (deadLetter(letter) <= maxRecordBytes) {
            return letter;
        }
        String reason = letter.getReason();
        String payload = null;
        if (letter.getPayload() != null) {
            payload = "the payload (" + letter.getPayload().remaining() + " bytes)";
            letter.setPayload(null);
            // Measured with the reason that says so, which is longer by a few hundred bytes.
            letter.setReason(leftOut(reason, payload + " is", maxRecordBytes, letter));
            if (deadLetter(letter) <= maxRecordBytes) {
                return letter;
            }
        }
        letter.setKey(null);
        letter.setHeaders(new ArrayList<>());
        letter.setReason(
                leftOut(
                        reason,
                        payload == null
                                ? "the key and headers are"
                                : payload + ", key and headers are",
                        maxRecordBytes,
                        letter));
        return letter;
    }

    private static String leftOut(
            String reason, String leftOut, int maxRecordBytes, DeadLetter letter) {
        return String.format(
                "%s; %s left out of this dead letter, which would not fit in one Kafka"
                        + " record with them (max.request.size=%d): read the record from"
                        + " %s/%d@%d",
                reason,
                leftOut,
                maxRecordBytes,
                letter.getTopic(),
                letter.getPartition(),
                letter.getOffset());
    }

    /** Bytes of a nullable {@code bytes} value without its union branch. */
    private static long bytes(ByteBuffer bytes) {
        return bytes == null ? 0 : MAX_INT_VARINT + bytes.remaining();
    }

    private static long nullableString(String text) {
        return text == null ? 0 : string(utf8Bytes(text));
    }

    private static long string(long utf8Bytes) {
        return MAX_INT_VARINT + utf8Bytes;
    }

    /** One block of 8-byte items and the end marker. */
    private static long array(int items) {
        return MAX_INT_VARINT + 8L * items + 1;
    }

    /** The length of {@code text} in UTF-8, without encoding it. */
    static long utf8Bytes(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                // A lone surrogate is written as '?' by Java's encoder, 3 bytes is an upper bound.
                bytes += 3;
            }
        }
        return bytes;
    }
}
