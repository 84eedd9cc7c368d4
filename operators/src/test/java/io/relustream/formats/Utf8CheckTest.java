package io.relustream.formats;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8CheckTest {

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomBytes() {
        CharsetDecoder strict =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        Random random = new Random(42);
        int valid = 0;
        for (int n = 0; n < 200_000; n++) {
            byte[] bytes = new byte[1 + random.nextInt(6)];
            for (int i = 0; i < bytes.length; i++) {
                // Mostly the bytes that start or continue sequences, where the edge cases are.
                bytes[i] =
                        (byte)
                                (random.nextInt(4) == 0
                                        ? random.nextInt(0x80)
                                        : 0x80 + random.nextInt(0x80));
            }
            boolean decodes;
            try {
                strict.decode(ByteBuffer.wrap(bytes));
                decodes = true;
            } catch (CharacterCodingException e) {
                decodes = false;
            }
            valid += decodes ? 1 : 0;
            assertThat(Utf8Check.firstInvalid(bytes, 0, bytes.length) < 0)
                    .as("%s", java.util.HexFormat.of().formatHex(bytes))
                    .isEqualTo(decodes);
        }
        assertThat(valid).isGreaterThan(1_000);
    }

    @Test
    void checksOnlyTheGivenRange() {
        byte[] bytes = {(byte) 0xFF, 'a', (byte) 0xE2, (byte) 0x82, (byte) 0xAC, (byte) 0xFF};
        assertThat(Utf8Check.firstInvalid(bytes, 1, 5)).isEqualTo(-1);
        assertThat(Utf8Check.firstInvalid(bytes, 1, 4)).isEqualTo(2);
        assertThat(Utf8Check.firstInvalid(bytes, 1, 6)).isEqualTo(5);
    }
}
