package io.relustream.formats;

import io.relustream.avro.ActivationStats;
import io.relustream.avro.FeatureVector;

import org.apache.avro.SchemaNormalization;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class AvroRecordDecoderTest {

    private static final FeatureVector VECTOR =
            FeatureVector.newBuilder()
                    .setId("r1")
                    .setEventTime(Instant.ofEpochMilli(1_000L))
                    .setGroup("g")
                    .setValues(List.of(1.5, -2.0))
                    .build();

    private static byte[] encode(WireFormat format) {
        return AvroRecordEncoder.of(FeatureVector.class, format).encode(VECTOR);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void roundTripsInEveryFormat(WireFormat format) throws Exception {
        assertThat(AvroRecordDecoder.of(FeatureVector.class, format).decode(encode(format)))
                .isEqualTo(VECTOR);
    }

    @Test
    void singleObjectBytesCarryTheMarkerAndTheFingerprint() {
        byte[] bytes = encode(WireFormat.AVRO_SINGLE_OBJECT);
        long fingerprint = SchemaNormalization.parsingFingerprint64(FeatureVector.getClassSchema());
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        for (int i = 0; i < 8; i++) {
            assertThat(bytes[2 + i]).isEqualTo((byte) (fingerprint >>> (8 * i)));
        }
        // Same bytes as Avro's own message encoder.
        assertThat(bytes).isEqualTo(toArray(VECTOR));
    }

    private static byte[] toArray(FeatureVector vector) {
        try {
            var buffer = vector.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void explainsEveryKindOfBadPayload() {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        byte[] valid = encode(WireFormat.AVRO_SINGLE_OBJECT);

        assertReason(decoder, null, "payload is null (a tombstone), not a FeatureVector record");
        assertReason(
                decoder,
                new byte[0],
                "payload is empty (0 bytes), not a FeatureVector record in avro-single-object"
                        + " format");
        assertReason(
                decoder,
                "hello".getBytes(),
                "payload does not start with the Avro single-object marker C3 01 (found 68 65): it"
                        + " is not a FeatureVector record in avro-single-object format");
        assertReason(
                decoder,
                new byte[] {(byte) 0xC3, 0x01, 1, 2},
                "payload is truncated: 4 bytes, shorter than the 10-byte single-object header");
        byte[] unknown = valid.clone();
        unknown[2] ^= 0x01;
        long fingerprint = SchemaNormalization.parsingFingerprint64(FeatureVector.getClassSchema());
        assertReason(
                decoder,
                unknown,
                String.format(
                        "unknown writer schema fingerprint %016x: it is none of the FeatureVector"
                                + " versions this job knows (v1); deploy a build that has the"
                                + " producer's schema",
                        fingerprint ^ 0x01));
        // 10 header bytes, id (1 + 2), event_time (2), group (1 + 1), values: count (1), 2 doubles,
        // end of array (1) = 35 bytes. The second double starts at byte 26; cutting 3 bytes
        // leaves 6 of its 8.
        assertThat(valid).hasSize(35);
        assertReason(
                decoder,
                Arrays.copyOf(valid, 32),
                "payload is truncated: FeatureVector.values[1] needs 8 more bytes at byte 26 but"
                        + " the payload ends at byte 32");
        assertReason(
                decoder,
                Arrays.copyOf(valid, 37),
                "payload has 2 trailing bytes after the FeatureVector record");
    }

    @Test
    void refusesCountsThatClaimMoreThanThePayloadHolds() throws Exception {
        // A valid header and fields (17 bytes), then an array count of 2^40 (6 bytes): Avro
        // itself would try to allocate an 8 TiB array.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(Arrays.copyOf(encode(WireFormat.AVRO_SINGLE_OBJECT), 17));
        writeZigZag(bytes, 1L << 40);
        bytes.write(new byte[] {0, 0, 0});
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        assertReason(
                decoder,
                bytes.toByteArray(),
                "payload is not valid Avro: FeatureVector.values at byte 23: claims 1099511627776"
                        + " items but only 3 bytes remain");
    }

    @Test
    void refusesNegativeLengths() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(Arrays.copyOf(encode(WireFormat.AVRO_SINGLE_OBJECT), 10));
        writeZigZag(bytes, -5);
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        assertReason(
                decoder,
                bytes.toByteArray(),
                "payload is not valid Avro: FeatureVector.id at byte 11: negative length -5");
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void randomBytesNeverEscapeAsAnythingButUndecodable(WireFormat format) {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, format);
        byte[] header = Arrays.copyOf(encode(WireFormat.AVRO_SINGLE_OBJECT), 10);
        Random random = new Random(42);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] body = new byte[random.nextInt(64)];
            random.nextBytes(body);
            byte[] payload = body;
            if (format == WireFormat.AVRO_SINGLE_OBJECT && i % 2 == 0) {
                payload = Arrays.copyOf(header, header.length + body.length);
                System.arraycopy(body, 0, payload, header.length, body.length);
            }
            try {
                decoder.decode(payload);
                decoded++;
            } catch (UndecodableRecordException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (Throwable other) {
                fail("random payload %s escaped as %s", Arrays.toString(payload), other);
            }
        }
        // Random bytes are almost never a whole, exact FeatureVector.
        assertThat(decoded).isLessThan(200);
    }

    @Test
    void rawAvroHasNoHeaderAndIsReadWithTheCurrentSchema() throws Exception {
        byte[] raw = encode(WireFormat.AVRO);
        assertThat(raw)
                .isEqualTo(Arrays.copyOfRange(encode(WireFormat.AVRO_SINGLE_OBJECT), 10, 35));
        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO),
                new byte[0],
                "payload is empty (0 bytes), not a FeatureVector record in avro format");
    }

    @Test
    void decodesOtherRecordTypes() throws Exception {
        ActivationStats stats =
                ActivationStats.newBuilder()
                        .setGroup("g")
                        .setWindowStart(Instant.ofEpochMilli(0))
                        .setWindowEnd(Instant.ofEpochMilli(10_000))
                        .setActivation("relu")
                        .setRecordCount(1)
                        .setValueCount(2)
                        .setZeroCount(1)
                        .setZeroFraction(0.5)
                        .setNanCount(0)
                        .setPosInfCount(0)
                        .setNegInfCount(0)
                        .setPerFeatureZeroFraction(List.of(1.0, 0.0))
                        .setDeadFeatures(List.of(0))
                        .build();
        byte[] bytes =
                AvroRecordEncoder.of(ActivationStats.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .encode(stats);
        assertThat(
                        AvroRecordDecoder.of(ActivationStats.class, WireFormat.AVRO_SINGLE_OBJECT)
                                .decode(bytes))
                .isEqualTo(stats);
    }

    private static void assertReason(
            AvroRecordDecoder<FeatureVector> decoder, byte[] payload, String reason) {
        assertThatThrownBy(() -> decoder.decode(payload))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessage(reason);
    }

    private static void writeZigZag(ByteArrayOutputStream out, long value) {
        long zigZag = (value << 1) ^ (value >> 63);
        while ((zigZag & ~0x7FL) != 0) {
            out.write((int) ((zigZag & 0x7F) | 0x80));
            zigZag >>>= 7;
        }
        out.write((int) zigZag);
    }
}
