package io.relustream.formats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Whether bytes are UTF-8 as the Avro spec requires of strings. Java's decoders replace what is not
 * with U+FFFD without a word, which would silently change an id or a group, the statistics' key.
 */
final class Utf8Check {

    // Eight bytes at a time: none of them has its high bit set in ASCII.
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8Check() {}

    /**
     * The index of the first byte of {@code bytes[from..to)} that cannot be where it is in UTF-8
     * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or -1 when they are all
     * UTF-8. A sequence cut short by {@code to} is reported at its first byte.
     */
    static int firstInvalid(byte[] bytes, int from, int to) {
        int i = from;
        // ASCII, what ids and groups mostly are, needs nothing but these loops.
        while (to - i >= 8 && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
            i += 8;
        }
        while (i < to && bytes[i] >= 0) {
            i++;
        }
        while (i < to) {
            int lead = bytes[i] & 0xff;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int continuations;
            int low = 0x80;
            int high = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                if (lead == 0xE0) {
                    low = 0xA0; // below: overlong
                } else if (lead == 0xED) {
                    high = 0x9F; // above: surrogates
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                if (lead == 0xF0) {
                    low = 0x90; // below: overlong
                } else if (lead == 0xF4) {
                    high = 0x8F; // above: beyond U+10FFFF
                }
            } else {
                // 0x80-0xBF without a lead, 0xC0-0xC1 only ever overlong, 0xF5-0xFF never.
                return i;
            }
            if (to - i <= continuations) {
                return i;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < low || second > high) {
                return i + 1;
            }
            for (int k = 2; k <= continuations; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return i + k;
                }
            }
            i += continuations + 1;
        }
        return -1;
    }
}
