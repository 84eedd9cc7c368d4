package io.relustream.formats;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.avro.history.SchemaHistory;

import org.apache.flink.util.InstantiationUtil;

import org.apache.avro.NameValidator;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecordBase;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
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

    /** FeatureVector v2 as a newer producer writes it: the current fields and an optional one. */
    private static final String V2_JSON =
            """
            {
              "type": "record",
              "name": "FeatureVector",
              "namespace": "io.relustream.avro",
              "doc": "One numeric feature vector (the pre-activations of a layer, or a feature set) observed at one event time.",
              "fields": [
                {
                  "name": "id",
                  "type": "string",
                  "doc": "Identifier of the record, unique within its producer; copied to every record derived from it."
                },
                {
                  "name": "event_time",
                  "type": {
                    "type": "long",
                    "logicalType": "timestamp-millis"
                  },
                  "doc": "When the values were observed (UTC, milliseconds since the epoch). Windows are built on this time."
                },
                {
                  "name": "group",
                  "type": "string",
                  "doc": "Key the statistics are computed per: a model layer, a feature set or a tenant."
                },
                {
                  "name": "values",
                  "type": {
                    "type": "array",
                    "items": "double"
                  },
                  "doc": "The inputs of the activation, one per feature index. NaN and infinities are allowed on the wire; the operator's invalid-value policy decides what happens to them."
                },
                {
                  "name": "source",
                  "type": ["null", "string"],
                  "default": null,
                  "doc": "Name of the producer that wrote the record; added in v2, null for records of older producers."
                }
              ]
            }
            """;

    private static final Schema V2 = new Schema.Parser().parse(V2_JSON);

    private static final long V2_FINGERPRINT = SchemaNormalization.parsingFingerprint64(V2);

    /** How a reason gives a fingerprint: the long parsingFingerprint64 gives, in hex. */
    private static final String FINGERPRINT_FORM =
            " (SchemaNormalization.parsingFingerprint64 in hex; the header holds it"
                    + " little-endian)";

    /** What an unknown FeatureVector fingerprint's reason asks for. */
    private static final String GIVE_THE_SCHEMA =
            "give the job the producer's schema, a record named FeatureVector in any namespace"
                    + " (--writer-schemas, or AvroRecordDecoder.withWriterSchemas), or deploy a"
                    + " build that has it";

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
        assertReason(
                decoder,
                new byte[] {(byte) 0xC3},
                "payload is truncated: 1 byte, shorter than the 10-byte single-object header");
        byte[] unknown = valid.clone();
        unknown[2] ^= 0x01;
        long fingerprint = SchemaNormalization.parsingFingerprint64(FeatureVector.getClassSchema());
        assertReason(
                decoder,
                unknown,
                String.format(
                        "unknown writer schema fingerprint %016x"
                                + FINGERPRINT_FORM
                                + ": it is none of the FeatureVector versions this job knows"
                                + " (v1); "
                                + GIVE_THE_SCHEMA,
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
    void refusesACountOfOneItemWhereNoByteRemains() throws Exception {
        // A valid header and fields (17 bytes), then an array count of 1 (zig-zag 0x02) and
        // nothing after it: the one double would need 8 bytes.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(Arrays.copyOf(encode(WireFormat.AVRO_SINGLE_OBJECT), 17));
        bytes.write(new byte[] {0x02});
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        assertReason(
                decoder,
                bytes.toByteArray(),
                "payload is not valid Avro: FeatureVector.values at byte 18: claims 1 item but only"
                        + " 0 bytes remain");
        // Count 2 (0x04) with one byte left.
        bytes.reset();
        bytes.write(Arrays.copyOf(encode(WireFormat.AVRO_SINGLE_OBJECT), 17));
        bytes.write(new byte[] {0x04, 0});
        assertReason(
                decoder,
                bytes.toByteArray(),
                "payload is not valid Avro: FeatureVector.values at byte 18: claims 2 items but"
                        + " only 1 byte remains");
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void refusesNegativeBlocksWithoutACountOrASize(WireFormat format) throws Exception {
        // The fields before values (id, event_time, group), then a block whose count is
        // Long.MIN_VALUE (no count negates to it), or a count of -1 with a size of -1 bytes;
        // each followed by a real double, 3.0, and the array's end. Avro's own reader refuses
        // both ("Block count is invalid", "Block byte-size is negative").
        byte[] encoded = encode(format);
        int fields = encoded.length - (1 + 2 * 8 + 1);
        var decoder = AvroRecordDecoder.of(FeatureVector.class, format);
        String where = "payload is not valid Avro: FeatureVector.values at byte ";

        ByteArrayOutputStream noCount = new ByteArrayOutputStream();
        noCount.write(Arrays.copyOf(encoded, fields));
        writeZigZag(noCount, Long.MIN_VALUE);
        writeZigZag(noCount, 8);
        noCount.write(new byte[] {0, 0, 0, 0, 0, 0, 8, 0x40, 0});
        assertReason(
                decoder,
                noCount.toByteArray(),
                where
                        + (fields + 10)
                        + ": a block count of -9223372036854775808, which no count negates to");

        ByteArrayOutputStream negativeSize = new ByteArrayOutputStream();
        negativeSize.write(Arrays.copyOf(encoded, fields));
        writeZigZag(negativeSize, -1);
        writeZigZag(negativeSize, -1);
        negativeSize.write(new byte[] {0, 0, 0, 0, 0, 0, 8, 0x40, 0});
        assertReason(
                decoder,
                negativeSize.toByteArray(),
                where + (fields + 2) + ": a block of -1 bytes");
    }

    @Test
    void refusesABlockWhoseByteSizeIsNotWhatItsItemsTake() throws Exception {
        // A writer with an array<string> "tags" between group and values, which the job skips:
        // Avro skips a block with a byte size by that size alone, so a size that lies makes it
        // read values from elsewhere. Header, id "r1", event_time 1000, group "g" (bytes 0-16),
        // then tags: a block of -1 items (byte 17) said to take 1 byte (18), whose one item (19)
        // is a string of 12 bytes: 00 ends the tags and 02 <2.0> 00 is values [2.0] where Avro
        // lands after skipping 1 byte. The real end of tags (32) and values [1.5] follow.
        Schema current = FeatureVector.getClassSchema();
        List<Schema.Field> fields = new java.util.ArrayList<>();
        for (Schema.Field field : current.getFields()) {
            if (field.name().equals("values")) {
                fields.add(
                        new Schema.Field(
                                "tags", Schema.createArray(Schema.create(Schema.Type.STRING))));
            }
            fields.add(new Schema.Field(field, field.schema()));
        }
        Schema tagged =
                Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(AvroRecordEncoder.singleObjectHeader(tagged));
        bytes.write(Arrays.copyOfRange(encode(WireFormat.AVRO_SINGLE_OBJECT), 10, 17));
        writeZigZag(bytes, -1);
        writeZigZag(bytes, 1);
        writeZigZag(bytes, 12);
        bytes.write(new byte[] {0, 2, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0});
        bytes.write(0);
        bytes.write(new byte[] {2, 0, 0, 0, 0, 0, 0, (byte) 0xF8, 0x3F, 0});
        assertThat(bytes.size()).isEqualTo(43);
        var decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(tagged));

        assertReason(
                decoder,
                bytes.toByteArray(),
                "payload is not valid Avro: FeatureVector.tags at byte 19: a block of 1 item"
                        + " takes 13 bytes, not the 1 its size says");

        // A map<string> "labels" in its place, whose one entry, "k" to "v", takes 4 bytes.
        List<Schema.Field> labelled = new java.util.ArrayList<>();
        for (Schema.Field field : tagged.getFields()) {
            labelled.add(
                    field.name().equals("tags")
                            ? new Schema.Field(
                                    "labels", Schema.createMap(Schema.create(Schema.Type.STRING)))
                            : new Schema.Field(field, field.schema()));
        }
        Schema withLabels =
                Schema.createRecord(
                        current.getName(), null, current.getNamespace(), false, labelled);
        ByteArrayOutputStream map = new ByteArrayOutputStream();
        map.write(AvroRecordEncoder.singleObjectHeader(withLabels));
        map.write(Arrays.copyOfRange(encode(WireFormat.AVRO_SINGLE_OBJECT), 10, 17));
        writeZigZag(map, -1);
        writeZigZag(map, 1);
        map.write(new byte[] {2, 'k', 2, 'v', 0});
        map.write(new byte[] {2, 0, 0, 0, 0, 0, 0, (byte) 0xF8, 0x3F, 0});
        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(withLabels)),
                map.toByteArray(),
                "payload is not valid Avro: FeatureVector.labels at byte 19: a block of 1 item"
                        + " takes 4 bytes, not the 1 its size says");

        // The job's own schema, which Avro reads without skipping: one double said to take 9.
        byte[] encoded = encode(WireFormat.AVRO_SINGLE_OBJECT);
        ByteArrayOutputStream sized = new ByteArrayOutputStream();
        sized.write(Arrays.copyOf(encoded, 17));
        writeZigZag(sized, -1);
        writeZigZag(sized, 9);
        sized.write(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xF8, 0x3F, 0});
        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT),
                sized.toByteArray(),
                "payload is not valid Avro: FeatureVector.values at byte 19: a block of 1 item"
                        + " takes 8 bytes, not the 9 its size says");
        // Said to take 8, it is read.
        sized.reset();
        sized.write(Arrays.copyOf(encoded, 17));
        writeZigZag(sized, -1);
        writeZigZag(sized, 8);
        sized.write(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xF8, 0x3F, 0});
        assertThat(
                        AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                                .decode(sized.toByteArray())
                                .getValues())
                .containsExactly(1.5);
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

    @Test
    void refusesVariableLengthIntegersWithBitsBeyondTheirType() throws Exception {
        // VECTOR's event_time, 1000 ms, is the zig-zag 2000 = D0 0F at bytes 13-14. Written in
        // the full 10 bytes, D0 8F 80 80 80 80 80 80 80 xx, the 10th byte holds bit 63 alone: 01
        // adds 2^63 to the zig-zag, which is event time 2^62 + 1000; 02 is bit 64, beyond a
        // long, which Avro drops and reads 1000 ms.
        byte[] encoded = encode(WireFormat.AVRO_SINGLE_OBJECT);
        assertThat(Arrays.copyOfRange(encoded, 13, 15)).containsExactly(0xD0, 0x0F);
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        ByteArrayOutputStream highest = new ByteArrayOutputStream();
        highest.write(Arrays.copyOf(encoded, 13));
        highest.write(new byte[] {(byte) 0xD0, (byte) 0x8F, -128, -128, -128, -128, -128, -128});
        highest.write(new byte[] {-128, 0x01});
        highest.write(Arrays.copyOfRange(encoded, 15, encoded.length));
        assertThat(decoder.decode(highest.toByteArray()).getEventTime().toEpochMilli())
                .isEqualTo(4_611_686_018_427_388_904L);

        byte[] beyond = highest.toByteArray();
        beyond[22] = 0x02;
        assertReason(
                decoder,
                beyond,
                "payload is not valid Avro: FeatureVector.event_time at byte 23: variable-length"
                        + " integer overflows a long (64 bits)");

        // A producer of array<int> values: 82 80 80 80 xx is the zig-zag 2 (the value 1) in 5
        // bytes, whose 5th holds bits 28-31; 10 is bit 32, beyond an int, which Avro drops.
        Schema ints =
                new Schema.Parser()
                        .parse(
                                FeatureVector.getClassSchema()
                                        .toString()
                                        .replace("\"items\":\"double\"", "\"items\":\"int\""));
        ByteArrayOutputStream overflowing = new ByteArrayOutputStream();
        overflowing.write(AvroRecordEncoder.singleObjectHeader(ints));
        overflowing.write(Arrays.copyOfRange(encoded, 10, 17)); // id, event_time, group
        overflowing.write(new byte[] {2, (byte) 0x82, -128, -128, -128, 0x10, 0});
        assertReason(
                decoder.withWriterSchemas(List.of(ints)),
                overflowing.toByteArray(),
                "payload is not valid Avro: FeatureVector.values[0] at byte 23: variable-length"
                        + " integer overflows an int (32 bits)");
    }

    /**
     * The bytes of a FeatureVector whose id is "i-" and whose group is "g-", each followed by three
     * given bytes: the id's three at byte 13 of the single-object payload, the group's at 21 (the
     * header's 10 bytes, the id's length, "i-", the id's bytes, the event time's two, the group's
     * length and "g-"); 10 bytes earlier in plain Avro.
     */
    private static byte[] withStringBytes(WireFormat format, int[] id, int[] group) {
        FeatureVector vector =
                FeatureVector.newBuilder(VECTOR).setId("i-PQR").setGroup("g-STU").build();
        byte[] payload = AvroRecordEncoder.of(FeatureVector.class, format).encode(vector);
        int shift = format == WireFormat.AVRO ? 10 : 0;
        assertThat(new String(payload, 13 - shift, 3, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("PQR");
        assertThat(new String(payload, 21 - shift, 3, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("STU");
        for (int i = 0; i < 3; i++) {
            payload[13 - shift + i] = (byte) id[i];
            payload[21 - shift + i] = (byte) group[i];
        }
        return payload;
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void refusesStringsThatAreNotUtf8NamingTheFieldAndTheByte(WireFormat format) {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, format);
        int shift = format == WireFormat.AVRO ? 10 : 0;
        int[] ascii = {'a', 'b', 'c'};
        // Each: three bytes, and which of them is the first that cannot be there.
        int[][] bad = {
            {0xFF, 'a', 'b'}, // never in UTF-8
            {0x80, 'a', 'b'}, // a continuation byte without a lead
            {0xC0, 0x80, 'a'}, // NUL in two bytes: overlong
            {0xED, 0xA0, 0x80}, // U+D800, a surrogate
            {'a', 0xE2, 0x82}, // the first two of the three bytes of the euro sign
            {0xC3, 'a', 'b'}, // a lead byte followed by no continuation
        };
        int[] at = {0, 0, 0, 1, 1, 1};
        String[] hex = {"FF", "80", "C0", "A0", "E2", "61"};
        for (int i = 0; i < bad.length; i++) {
            assertReason(
                    decoder,
                    withStringBytes(format, bad[i], ascii),
                    "payload is not valid Avro: FeatureVector.id at byte "
                            + (13 - shift + at[i])
                            + ": the string is not valid UTF-8 (byte "
                            + hex[i]
                            + "), and would be read with U+FFFD replacement characters");
            assertReason(
                    decoder,
                    withStringBytes(format, ascii, bad[i]),
                    "payload is not valid Avro: FeatureVector.group at byte "
                            + (21 - shift + at[i])
                            + ": the string is not valid UTF-8 (byte "
                            + hex[i]
                            + "), and would be read with U+FFFD replacement characters");
        }
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void readsEveryValidUtf8StringAsItIs(WireFormat format) throws Exception {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, format);
        // The euro sign, and U+FFFD itself: a replacement character the producer wrote is no
        // error. Then e-acute and U+0080 in two bytes, and U+10FFFF and U+1D11E in four.
        FeatureVector vector =
                decoder.decode(
                        withStringBytes(
                                format,
                                new int[] {0xE2, 0x82, 0xAC},
                                new int[] {0xEF, 0xBF, 0xBD}));
        assertThat(vector.getId()).isEqualTo("i-\u20ac");
        assertThat(vector.getGroup()).isEqualTo("g-\ufffd");
        vector =
                decoder.decode(
                        withStringBytes(
                                format, new int[] {0xC3, 0xA9, 'x'}, new int[] {'y', 0xC2, 0x80}));
        assertThat(vector.getId()).isEqualTo("i-\u00e9x");
        assertThat(vector.getGroup()).isEqualTo("g-y\u0080");
        FeatureVector fourBytes =
                FeatureVector.newBuilder(VECTOR)
                        .setId("\udbff\udfff")
                        .setGroup("\ud834\udd1e")
                        .build();
        assertThat(
                        decoder.decode(
                                AvroRecordEncoder.of(FeatureVector.class, format)
                                        .encode(fourBytes)))
                .isEqualTo(fourBytes);
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
    void singleObjectSaysWhenThePayloadIsARecordInPlainAvro() throws Exception {
        // Avro's own writer, no header: id "r1" is its length 2 (zig-zag 04) and 72 ('r').
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(raw, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(FeatureVector.class)
                .write(VECTOR, encoder);
        encoder.flush();
        byte[] plain = raw.toByteArray();
        AvroRecordDecoder<FeatureVector> decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);

        assertReason(
                decoder,
                plain,
                "payload does not start with the Avro single-object marker C3 01 (found 04 72):"
                        + " it is not a FeatureVector record in avro-single-object format; it is"
                        + " one in plain avro, the other format");
        // Bytes that are no record in plain Avro either get no such hint.
        assertReason(
                decoder,
                Arrays.copyOf(plain, plain.length - 1),
                "payload does not start with the Avro single-object marker C3 01 (found 04 72):"
                        + " it is not a FeatureVector record in avro-single-object format");
    }

    @Test
    void rawAvroSaysWhenThePayloadIsInTheSingleObjectFormat() {
        // C3 01 read as the varint of id's length: 0x43 + (0x01 << 7) = 195, zig-zag -98.
        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO),
                encode(WireFormat.AVRO_SINGLE_OBJECT),
                "payload is not valid Avro: FeatureVector.id at byte 2: negative length -98; it"
                        + " starts with C3 01, the marker of the avro-single-object format, but"
                        + " is read as plain avro");
        // Without a whole header it is only broken Avro: C3 01 02 is id's length -98 all the same.
        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO),
                new byte[] {(byte) 0xC3, 0x01, 0x02},
                "payload is not valid Avro: FeatureVector.id at byte 2: negative length -98");
    }

    @Test
    void saysWhenThePayloadIsInTheConfluentSchemaRegistryFormat() {
        // Confluent's wire format: magic byte 00, the schema id as 4 bytes big-endian (here
        // 300 = 00 00 01 2C), then the record in plain Avro.
        byte[] plain = encode(WireFormat.AVRO);
        byte[] framed = new byte[5 + plain.length];
        framed[3] = 0x01;
        framed[4] = 0x2C;
        System.arraycopy(plain, 0, framed, 5, plain.length);
        AvroRecordDecoder<FeatureVector> singleObject =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        AvroRecordDecoder<FeatureVector> plainAvro =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO);
        String hint =
                "; it is one in the Confluent Schema Registry wire format (magic byte 00, schema"
                        + " id 300), which is not read here: produce avro-single-object or plain"
                        + " avro";

        assertReason(
                singleObject,
                framed,
                "payload does not start with the Avro single-object marker C3 01 (found 00 00):"
                        + " it is not a FeatureVector record in avro-single-object format"
                        + hint);
        assertThatThrownBy(() -> plainAvro.decode(framed))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageEndingWith(hint);
        // A first byte 00 followed by no whole record gets no such hint.
        byte[] cut = Arrays.copyOf(framed, framed.length - 1);
        assertThatThrownBy(() -> singleObject.decode(cut)).hasMessageNotContaining("Confluent");
        assertThatThrownBy(() -> plainAvro.decode(cut)).hasMessageNotContaining("Confluent");
    }

    @Test
    void namesTheConfluentFormatOfARecordOfAWriterSchemaItWasGiven() throws Exception {
        // A producer of v2 that writes Confluent's wire format (schema id 7 = 00 00 00 07): the
        // job that was given v2 knows its records, so it can tell which format this one is in.
        byte[] plain = rawV2("r2", 2_000L, "producer-7");
        byte[] framed = new byte[5 + plain.length];
        framed[4] = 0x07;
        System.arraycopy(plain, 0, framed, 5, plain.length);
        String start =
                "payload does not start with the Avro single-object marker C3 01 (found 00 00):"
                        + " it is not a FeatureVector record in avro-single-object format";
        String hint =
                "; it is one in the Confluent Schema Registry wire format (magic byte 00, schema"
                        + " id 7), which is not read here: produce avro-single-object or plain"
                        + " avro";

        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(V2)),
                framed,
                start + hint);
        // A decoder that does not know v2 cannot tell its bytes from any others.
        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT),
                framed,
                start);
    }

    @Test
    void namesPlainAvroAsTheFormatOfARecordOfAWriterSchemaItWasGiven() throws Exception {
        // A producer of v2 that writes plain Avro: id "r2" is its length 2 (zig-zag 04) and 'r'.
        byte[] plain = rawV2("r2", 2_000L, "producer-7");
        String start =
                "payload does not start with the Avro single-object marker C3 01 (found 04 72):"
                        + " it is not a FeatureVector record in avro-single-object format";

        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(V2)),
                plain,
                start + "; it is one in plain avro, the other format");
        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT),
                plain,
                start);
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

    @Test
    void anUnknownVersionOfAUsersOwnRecordNamesWithWriterSchemas() {
        // No build of relu-stream knows the versions of a record type of the user's own.
        Renamed record = new Renamed();
        record.put(0, 7);
        byte[] bytes =
                AvroRecordEncoder.of(Renamed.class, WireFormat.AVRO_SINGLE_OBJECT).encode(record);
        bytes[9] ^= 0x01;
        long fingerprint =
                SchemaNormalization.parsingFingerprint64(Renamed.SCHEMA$) ^ (0x01L << 56);

        assertThatThrownBy(
                        () ->
                                AvroRecordDecoder.of(Renamed.class, WireFormat.AVRO_SINGLE_OBJECT)
                                        .decode(bytes))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessage(
                        String.format(
                                "unknown writer schema fingerprint %016x"
                                        + " (SchemaNormalization.parsingFingerprint64 in hex; the"
                                        + " header holds it little-endian): it is none of the"
                                        + " Renamed versions this decoder knows (current); give it"
                                        + " the producer's schema"
                                        + " (AvroRecordDecoder.withWriterSchemas)",
                                fingerprint));
    }

    @Test
    void aUsersRecordOfAReleasedRecordsNameReadsNoneOfItsReleasedVersions() {
        // The released FeatureVector versions are io.relustream.avro's: Avro matches records by
        // the name without its namespace, so a decoder of the user's own FeatureVector that took
        // them would read the project's records as the user's.
        var decoder = AvroRecordDecoder.of(UsersFeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        byte[] released = encode(WireFormat.AVRO_SINGLE_OBJECT);
        long fingerprint = SchemaNormalization.parsingFingerprint64(FeatureVector.getClassSchema());
        assertThat(fingerprint)
                .isEqualTo(
                        SchemaNormalization.parsingFingerprint64(
                                SchemaHistory.versions("FeatureVector").get(0)));
        assertThatThrownBy(() -> decoder.decode(released))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessage(
                        String.format(
                                "unknown writer schema fingerprint %016x"
                                        + " (SchemaNormalization.parsingFingerprint64 in hex; the"
                                        + " header holds it little-endian): it is none of the"
                                        + " FeatureVector versions this decoder knows (current);"
                                        + " give it the producer's schema"
                                        + " (AvroRecordDecoder.withWriterSchemas)",
                                fingerprint));
    }

    @Test
    void anUnknownVersionOfAnOutputRecordNamesNoOptionOfTheJob() {
        // The report and the local run read ActivationStats and ActivationAlerts and take no
        // --writer-schemas: a record of a newer job's schema needs a newer build to read it.
        byte[] bytes =
                AvroRecordEncoder.of(ActivationAlert.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .encode(
                                ActivationAlert.newBuilder()
                                        .setGroup("g")
                                        .setKind("dead_feature")
                                        .setFeature(3)
                                        .setWindowStart(Instant.ofEpochMilli(0))
                                        .setWindowEnd(Instant.ofEpochMilli(10_000))
                                        .setValue(1.0)
                                        .setThreshold(1.0)
                                        .setActivation("relu")
                                        .setMessage("dead")
                                        .build());
        bytes[9] ^= 0x01;
        long fingerprint =
                SchemaNormalization.parsingFingerprint64(ActivationAlert.getClassSchema())
                        ^ (0x01L << 56);

        assertThatThrownBy(
                        () ->
                                AvroRecordDecoder.of(
                                                ActivationAlert.class,
                                                WireFormat.AVRO_SINGLE_OBJECT)
                                        .decode(bytes))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessage(
                        String.format(
                                "unknown writer schema fingerprint %016x"
                                        + FINGERPRINT_FORM
                                        + ": it is none of the ActivationAlert versions this build"
                                        + " knows (v1); read them with the build of relu-stream"
                                        + " that wrote them, or a newer one",
                                fingerprint));
    }

    @Test
    void aRecordOfAnotherTypeIsNamedByItsFingerprintNotTakenForAnUnknownVersion() throws Exception {
        // The job pointed at its own activations topic, the report at the dead-letter topic:
        // neither a newer build nor --writer-schemas would help, so the reason says what it is.
        ActivationVector activation =
                ActivationVector.newBuilder()
                        .setId("a")
                        .setEventTime(Instant.ofEpochMilli(0))
                        .setGroup("g")
                        .setActivation("relu")
                        .setActivations(List.of(1.0))
                        .setDerivatives(null)
                        .build();
        byte[] activationBytes = bytesOf(activation.toByteBuffer());
        assertReason(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT),
                activationBytes,
                String.format(
                        "writer schema fingerprint %016x"
                                + FINGERPRINT_FORM
                                + " is that of ActivationVector v1: the payload is a record of"
                                + " another type than FeatureVector",
                        SchemaNormalization.parsingFingerprint64(
                                ActivationVector.getClassSchema())));

        DeadLetter letter = DeadLetters.builder(new byte[] {1}, "bad").build();
        byte[] letterBytes = bytesOf(letter.toByteBuffer());
        assertThatThrownBy(
                        () ->
                                AvroRecordDecoder.of(
                                                ActivationStats.class,
                                                WireFormat.AVRO_SINGLE_OBJECT)
                                        .decode(letterBytes))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessage(
                        String.format(
                                "writer schema fingerprint %016x"
                                        + FINGERPRINT_FORM
                                        + " is that of DeadLetter v1: the payload is a record of"
                                        + " another type than ActivationStats",
                                SchemaNormalization.parsingFingerprint64(
                                        DeadLetter.getClassSchema())));
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void theV2SchemaIsTheCurrentOneWithAnOptionalField() {
        Schema current = FeatureVector.getClassSchema();
        assertThat(V2.getFullName()).isEqualTo(current.getFullName());
        assertThat(V2.getFields())
                .extracting(Schema.Field::name)
                .containsExactly("id", "event_time", "group", "values", "source");
        // The fingerprint of v2 without its last field is the current one.
        String withoutSource =
                V2_JSON.substring(0, V2_JSON.lastIndexOf(",\n    {"))
                        + V2_JSON.substring(V2_JSON.lastIndexOf("\n  ]"));
        assertThat(
                        SchemaNormalization.parsingFingerprint64(
                                new Schema.Parser().parse(withoutSource)))
                .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
        assertThat(V2_FINGERPRINT).isNotEqualTo(SchemaNormalization.parsingFingerprint64(current));
    }

    @Test
    void decodesRecordsOfAWriterSchemaItWasGivenDroppingTheNewField() throws Exception {
        var decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(V2));
        byte[] bytes = singleObjectV2("r2", 2_000L, "producer-7");
        assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
        for (int i = 0; i < 8; i++) {
            assertThat(bytes[2 + i]).isEqualTo((byte) (V2_FINGERPRINT >>> (8 * i)));
        }

        assertThat(decoder.decode(bytes)).isEqualTo(vector("r2", 2_000L, List.of(0.5, -1.0)));
        assertThat(decoder.decode(singleObjectV2("r3", 3_000L, null)))
                .isEqualTo(vector("r3", 3_000L, List.of(0.5, -1.0)));
        // The job's own records still decode with the same decoder.
        assertThat(decoder.decode(encode(WireFormat.AVRO_SINGLE_OBJECT))).isEqualTo(VECTOR);
    }

    @Test
    void decodesAWriterOfFloatValuesWideningThemToDoubles() throws Exception {
        // A producer whose values are array<float>: float to double is one of Avro's promotions.
        Schema floats =
                new Schema.Parser()
                        .parse(
                                FeatureVector.getClassSchema()
                                        .toString()
                                        .replace("\"items\":\"double\"", "\"items\":\"float\""));
        assertThat(floats.getField("values").schema().getElementType().getType())
                .isEqualTo(Schema.Type.FLOAT);
        GenericRecord record = new GenericData.Record(floats);
        record.put("id", "f1");
        record.put("event_time", 1_000L);
        record.put("group", "g");
        record.put("values", List.of(Float.NaN, -0.0f, 1.1f, Float.MIN_VALUE));
        ByteBuffer buffer =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), floats).encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);

        FeatureVector decoded =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(floats))
                        .decode(bytes);

        // Each float widened exactly: (double) 1.1f is 1.100000023841858, not 1.1.
        assertThat(decoded.getValues())
                .containsExactly(Double.NaN, -0.0, (double) 1.1f, (double) Float.MIN_VALUE);
        assertThat(Double.doubleToRawLongBits(decoded.getValues().get(1)))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void refusesBytesReadAsStringsThatAreNotUtf8() throws Exception {
        // Avro promotes bytes to string, replacing bytes that are not UTF-8 with U+FFFD: a
        // producer writing id and group as bytes is held to UTF-8 as one writing strings. Bytes
        // the job does not read as a string (blob) may be anything.
        Schema writer =
                new Schema.Parser()
                        .parse(
                                """
                                {"type": "record", "name": "FeatureVector",
                                 "namespace": "io.relustream.avro", "fields": [
                                  {"name": "id", "type": "bytes"},
                                  {"name": "event_time",
                                   "type": {"type": "long", "logicalType": "timestamp-millis"}},
                                  {"name": "group", "type": ["bytes"]},
                                  {"name": "values", "type": {"type": "array", "items": "double"}},
                                  {"name": "blob", "type": "bytes"}]}
                                """);
        assertThatNoException()
                .isThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, writer));
        assertThat(writer.getField("id").schema().getType()).isEqualTo(Schema.Type.BYTES);
        assertThat(writer.getField("group").schema().getType()).isEqualTo(Schema.Type.UNION);
        assertThat(writer.getField("blob")).isNotNull();
        AvroRecordDecoder<FeatureVector> decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(writer));

        // e-acute in two bytes, valid: read as it is; 0xFF in blob is no matter.
        assertThat(decoder.decode(bytesWriterRecord(writer, new int[] {0xC3, 0xA9}, 'g')))
                .isEqualTo(
                        FeatureVector.newBuilder(vector("\u00e9", 1_000L, List.of(2.5)))
                                .setGroup("g")
                                .build());
        // Header bytes 0-9, id length at 10, id 'a' at 11, event_time 1000 (zig-zag 2000) at
        // 12-13, the group's union branch at 14, its length at 15, 'g' at 16 and 0xFF at 17.
        assertReason(
                decoder,
                bytesWriterRecord(writer, new int[] {'a'}, 'g', 0xFF),
                "payload is not valid Avro: FeatureVector.group at byte 17: the string is not"
                        + " valid UTF-8 (byte FF), and would be read with U+FFFD replacement"
                        + " characters");
        assertReason(
                decoder,
                bytesWriterRecord(writer, new int[] {0xFF}, 'g'),
                "payload is not valid Avro: FeatureVector.id at byte 11: the string is not"
                        + " valid UTF-8 (byte FF), and would be read with U+FFFD replacement"
                        + " characters");
    }

    private static byte[] bytesWriterRecord(Schema writer, int[] id, int... group)
            throws IOException {
        GenericRecord record = new GenericData.Record(writer);
        record.put("id", ByteBuffer.wrap(toBytes(id)));
        record.put("event_time", 1_000L);
        record.put("group", ByteBuffer.wrap(toBytes(group)));
        record.put("values", List.of(2.5));
        record.put("blob", ByteBuffer.wrap(new byte[] {(byte) 0xFF}));
        ByteBuffer buffer =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] toBytes(int[] values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    @Test
    void decodesAWriterThatWrapsTheEventTimeInAUnion() throws Exception {
        // A union of branches the job's long reads is readable: Avro resolves the branch written.
        String millis = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
        String current = FeatureVector.getClassSchema().toString();
        assertThat(current).contains("\"event_time\",\"type\":" + millis);
        for (String union : List.of("[" + millis + "]", "[\"int\",\"long\"]")) {
            Schema writer =
                    new Schema.Parser()
                            .parse(
                                    current.replace(
                                            "\"event_time\",\"type\":" + millis,
                                            "\"event_time\",\"type\":" + union));
            assertThat(writer.getField("event_time").schema().getType())
                    .isEqualTo(Schema.Type.UNION);
            assertThatNoException()
                    .isThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, writer));
            GenericRecord record = new GenericData.Record(writer);
            record.put("id", "u1");
            record.put("event_time", 1_700_000_000_123L); // the last branch, long, for both
            record.put("group", "g");
            record.put("values", List.of(0.5, -1.0));
            ByteBuffer buffer =
                    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer)
                            .encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);

            assertThat(
                            AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                                    .withWriterSchemas(List.of(writer))
                                    .decode(bytes))
                    .as(union)
                    .isEqualTo(vector("u1", 1_700_000_000_123L, List.of(0.5, -1.0)));
        }
    }

    /**
     * A payload of a recursive writer that ends deep inside it: the reason names the field where it
     * broke by the first and last levels of its path, so that its length does not grow with the
     * payload (the whole path would be 200 characters a level here: 60 KB for 300 levels, and twice
     * that in the dead letter, as its reason and error message, which must fit in one Kafka
     * record).
     */
    @Test
    void namesAFieldNestedDeepByTheFirstAndLastLevelsOfItsPath() throws Exception {
        String next = "n".repeat(200);
        Schema linked =
                new Schema.Parser()
                        .parse(
                                FeatureVector.getClassSchema()
                                        .toString()
                                        .replaceFirst(
                                                "]}$",
                                                ",{\"name\":\""
                                                        + next
                                                        + "\",\"type\":[\"null\","
                                                        + "\"FeatureVector\"],\"default\":null}]}"));
        var decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(linked));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(AvroRecordEncoder.singleObjectHeader(linked));
        for (int i = 0; i < 300; i++) {
            // id "", event_time 0, group "", values [], then the next record (union branch 1)
            out.write(new byte[] {0, 0, 0, 0, 2});
        }
        out.write(new byte[] {0, 0}); // the 301st record ends after its id and event_time
        byte[] deep = out.toByteArray();
        assertThat(deep).hasSize(1_512);

        // 300 levels of the field and then group: 301 steps, of which the first and last 8.
        String first = ("." + next).repeat(8);
        String last = ("." + next).repeat(7) + ".group";
        assertReason(
                decoder,
                deep,
                "payload is truncated: FeatureVector"
                        + first
                        + "(... 285 more ...)"
                        + last
                        + " needs 1 more byte at byte 1512 but the payload ends at byte 1512");
    }

    @Test
    void deadLettersRecordsOfARecursiveWriterThatNestTooDeep() throws Exception {
        // A writer whose records may hold a next one: each level costs 5 bytes, so a payload of
        // 5 MB nests a million records, far more than any thread's stack can recurse through.
        Schema linked =
                new Schema.Parser()
                        .parse(
                                FeatureVector.getClassSchema()
                                        .toString()
                                        .replaceFirst(
                                                "]}$",
                                                ",{\"name\":\"next\",\"type\":[\"null\","
                                                    + "\"FeatureVector\"],\"default\":null}]}"));
        assertThat(linked.getField("next")).isNotNull();
        var decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(linked));
        byte[] header = AvroRecordEncoder.singleObjectHeader(linked);
        int levels = 1_000_000;
        ByteArrayOutputStream out = new ByteArrayOutputStream(10 + 5 * levels + 5);
        out.write(header);
        for (int i = 0; i < levels; i++) {
            // id "", event_time 0, group "", values [], next: union branch 1 (zig-zag 2)
            out.write(new byte[] {0, 0, 0, 0, 2});
        }
        out.write(new byte[] {0, 0, 0, 0, 0}); // the last one: next is null
        byte[] deep = out.toByteArray();

        assertReason(
                decoder,
                deep,
                "payload is not a valid FeatureVector: it nests records deeper than the decoder's"
                        + " stack can follow");
        // Two levels decode, and the decoder goes on reading after the deep one.
        out.reset();
        out.write(header);
        out.write(new byte[] {0, 0, 0, 0, 2, 0, 0, 0, 0, 0}); // one record holding the last
        assertThat(decoder.decode(out.toByteArray()))
                .isEqualTo(
                        FeatureVector.newBuilder()
                                .setId("")
                                .setEventTime(Instant.EPOCH)
                                .setGroup("")
                                .setValues(List.of())
                                .build());
    }

    @Test
    void rejectsRecordsOfAWriterSchemaItWasNotGiven() throws Exception {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);

        assertReason(
                decoder,
                singleObjectV2("r2", 2_000L, "producer-7"),
                String.format(
                        "unknown writer schema fingerprint %016x"
                                + FINGERPRINT_FORM
                                + ": it is none of the FeatureVector versions this job knows"
                                + " (v1); "
                                + GIVE_THE_SCHEMA,
                        V2_FINGERPRINT));
        // Nothing of the rejected record stays behind.
        assertThat(decoder.decode(encode(WireFormat.AVRO_SINGLE_OBJECT))).isEqualTo(VECTOR);
    }

    @Test
    void withWriterSchemasLeavesTheOriginalDecoderAsItWas() throws Exception {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        var withV2 = decoder.withWriterSchemas(List.of(V2));
        byte[] bytes = singleObjectV2("r2", 2_000L, "producer-7");

        assertThat(withV2).isNotSameAs(decoder);
        assertThat(withV2.format()).isEqualTo(WireFormat.AVRO_SINGLE_OBJECT);
        assertThat(withV2.decode(bytes)).isEqualTo(vector("r2", 2_000L, List.of(0.5, -1.0)));
        assertThatThrownBy(() -> decoder.decode(bytes))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageStartingWith(
                        String.format("unknown writer schema fingerprint %016x (", V2_FINGERPRINT));
    }

    @Test
    void namesTheGivenWriterSchemasAmongTheKnownVersions() {
        var decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(V2, FeatureVector.getClassSchema(), V2));
        byte[] unknown = encode(WireFormat.AVRO_SINGLE_OBJECT);
        unknown[9] ^= (byte) 0x80;
        long fingerprint =
                SchemaNormalization.parsingFingerprint64(FeatureVector.getClassSchema())
                        ^ 0x8000_0000_0000_0000L;

        // The current schema is v1 already, and v2 is listed once.
        assertReason(
                decoder,
                unknown,
                String.format(
                        "unknown writer schema fingerprint %016x"
                                + FINGERPRINT_FORM
                                + ": it is none of the FeatureVector versions this job knows"
                                + " (v1, %016x (given)); "
                                + GIVE_THE_SCHEMA,
                        fingerprint,
                        V2_FINGERPRINT));
    }

    @Test
    void aDecoderWithWriterSchemasSurvivesJavaSerialization() throws Exception {
        var decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(V2));
        // Used once before it travels, as a job's decoder may be.
        assertThat(decoder.decode(encode(WireFormat.AVRO_SINGLE_OBJECT))).isEqualTo(VECTOR);

        var copy = InstantiationUtil.clone(decoder);

        assertThat(copy.decode(singleObjectV2("r2", 2_000L, "producer-7")))
                .isEqualTo(vector("r2", 2_000L, List.of(0.5, -1.0)));
    }

    @Test
    void readsARecordOfEveryReleasedFeatureVectorVersionByItsFingerprint() throws Exception {
        // Producers on any released schema, in single-object encoding: the job's decoder knows
        // them all without --writer-schemas. Each version's record carries the four fields of the
        // contract; any other field of a version holds its default.
        List<Schema> released = SchemaHistory.versions("FeatureVector");
        assertThat(released).isNotEmpty();
        AvroRecordDecoder<FeatureVector> decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        for (int i = 0; i < released.size(); i++) {
            Schema writer = released.get(i);
            GenericData.Record record = new GenericData.Record(writer);
            for (Schema.Field field : writer.getFields()) {
                if (field.hasDefaultValue()) {
                    record.put(field.pos(), GenericData.get().getDefaultValue(field));
                }
            }
            record.put("id", "v" + (i + 1));
            record.put("event_time", 1_000L * (i + 1));
            record.put("group", "g");
            record.put("values", List.of(1.5, -2.0));
            ByteBuffer encoded =
                    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer)
                            .encode(record);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);

            assertThat(decoder.decode(bytes))
                    .as("a record of FeatureVector v%d", i + 1)
                    .isEqualTo(vector("v" + (i + 1), 1_000L * (i + 1), List.of(1.5, -2.0)));
        }
    }

    @Test
    void rawAvroOfANewerWriterIsRejectedByItsTrailingBytes() throws Exception {
        // The v2 fields are the v1 fields followed by the union "source": raw Avro carries no
        // fingerprint, so the current schema reads the v1 part and the union is left over.
        int unionBytes = encodedSource("producer-7").length;
        // Branch index 1 (1 byte), string length 10 (1 byte), 10 characters.
        assertThat(unionBytes).isEqualTo(12);
        byte[] v2 = rawV2("r2", 2_000L, "producer-7");
        byte[] v1 =
                AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO)
                        .encode(vector("r2", 2_000L, List.of(0.5, -1.0)));
        assertThat(v2).hasSize(v1.length + unionBytes).startsWith(v1);

        for (var decoder :
                List.of(
                        AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO),
                        AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO)
                                .withWriterSchemas(List.of(V2)))) {
            assertReason(
                    decoder,
                    v2,
                    "payload has " + unionBytes + " trailing bytes after the FeatureVector record");
            // The null branch's index alone: one byte, in the singular.
            assertReason(
                    decoder,
                    rawV2("r3", 3_000L, null),
                    "payload has 1 trailing byte after the FeatureVector record");
        }
        assertThat(encodedSource(null)).containsExactly(0);
    }

    @Test
    void aReusedDecoderReadsNothingLeftOverFromTheMessageBefore() throws Exception {
        // FLINK-18049: a decoder reused across messages must start each one afresh, whatever
        // the previous message left unread.
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO);
        var encoder = AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO);
        FeatureVector next = vector("r4", 4_000L, List.of(7.0));
        FeatureVector last = vector("r5", 5_000L, List.of());

        assertThat(decoder.decode(encode(WireFormat.AVRO))).isEqualTo(VECTOR);
        assertReason(
                decoder,
                rawV2("r2", 2_000L, "producer-7"),
                "payload has 12 trailing bytes after the FeatureVector record");
        assertThat(decoder.decode(encoder.encode(next))).isEqualTo(next);
        assertReason(
                decoder,
                rawV2("r3", 3_000L, null),
                "payload has 1 trailing byte after the FeatureVector record");
        assertThat(decoder.decode(encoder.encode(last))).isEqualTo(last);
    }

    @Test
    void checkReadableAcceptsWritersWhoseRecordsTheCurrentSchemaReads() throws Exception {
        // The current schema is the reader: fields only the writer has are skipped, with or
        // without a default.
        Schema requiredExtra =
                new Schema.Parser()
                        .parse(
                                V2_JSON.replace("[\"null\", \"string\"]", "\"int\"")
                                        .replace("\"default\": null,", ""));
        assertThat(requiredExtra.getField("source").hasDefaultValue()).isFalse();

        for (Schema writer : List.of(V2, FeatureVector.getClassSchema(), requiredExtra)) {
            assertThatNoException()
                    .isThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, writer));
        }
        assertThatNoException()
                .isThrownBy(
                        () ->
                                AvroRecordDecoder.checkReadable(
                                        ActivationStats.class, ActivationStats.getClassSchema()));

        // And the decoder does read them.
        GenericRecord record = new GenericData.Record(requiredExtra);
        record.put("id", "r6");
        record.put("event_time", 6_000L);
        record.put("group", "g");
        record.put("values", List.of(2.5));
        record.put("source", 42);
        ByteBuffer buffer =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), requiredExtra)
                        .encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        assertThat(
                        AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                                .withWriterSchemas(List.of(requiredExtra))
                                .decode(bytes))
                .isEqualTo(vector("r6", 6_000L, List.of(2.5)));
    }

    @Test
    void checkReadableNamesTheAliasesOfARecordThatHasThem() {
        Schema other =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Other\",\"namespace\":"
                                        + "\"com.acme\",\"fields\":[{\"name\":\"x\","
                                        + "\"type\":\"int\"}]}");
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(Renamed.class, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "schema com.acme.Other is not a Renamed: Avro reads a writer's record as"
                                + " io.relustream.formats.Renamed only when it is named Renamed,"
                                + " in any namespace, or com.old.Named or com.older.Named (its"
                                + " aliases; aliases in the writer's schema do not count)");
        // An alias is a full name: that record, in its namespace only.
        assertThatNoException()
                .isThrownBy(
                        () ->
                                AvroRecordDecoder.checkReadable(
                                        Renamed.class,
                                        new Schema.Parser()
                                                .parse(
                                                        other.toString()
                                                                .replace("Other", "Named")
                                                                .replace("com.acme", "com.old"))));
    }

    @Test
    void checkReadableRejectsSchemasOfAnotherRecord() {
        assertThatThrownBy(
                        () ->
                                AvroRecordDecoder.checkReadable(
                                        FeatureVector.class, ActivationStats.getClassSchema()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "schema io.relustream.avro.ActivationStats is not a FeatureVector: Avro"
                                + " reads a writer's record as io.relustream.avro.FeatureVector"
                                + " only when it is named FeatureVector, in any namespace"
                                + " (io.relustream.avro.FeatureVector has no aliases, and aliases"
                                + " in the writer's schema do not count)");
        // Another namespace and another name: Avro's own check refuses it (NAME_MISMATCH).
        Schema renamed =
                new Schema.Parser()
                        .parse(
                                V2_JSON.replace("\"io.relustream.avro\"", "\"com.acme\"")
                                        .replace(
                                                "\"name\": \"FeatureVector\"",
                                                "\"name\": \"Features\", \"aliases\":"
                                                    + " [\"io.relustream.avro.FeatureVector\"]"));
        assertThat(
                        SchemaCompatibility.checkReaderWriterCompatibility(
                                        FeatureVector.getClassSchema(), renamed)
                                .getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE);
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, renamed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "schema com.acme.Features is not a FeatureVector: Avro reads a writer's"
                                + " record as io.relustream.avro.FeatureVector only when it is"
                                + " named FeatureVector, in any namespace"
                                + " (io.relustream.avro.FeatureVector has no aliases, and aliases"
                                + " in the writer's schema do not count)");
        assertThatThrownBy(
                        () ->
                                AvroRecordDecoder.checkReadable(
                                        FeatureVector.class, Schema.create(Schema.Type.STRING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "schema string is not a record; a FeatureVector writer schema must be a"
                                + " record named FeatureVector, in any namespace");
        // A nullable record, as some producers write: a union, whose null Avro cannot read.
        Schema nullable =
                Schema.createUnion(Schema.create(Schema.Type.NULL), FeatureVector.getClassSchema());
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, nullable))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "schema union[null, FeatureVector] is not a record; a FeatureVector writer"
                                + " schema must be a record named FeatureVector, in any namespace");
    }

    /** FeatureVector v2 as a producer that keeps its records in its own namespace writes it. */
    private static final Schema ACME_V2 =
            new Schema.Parser().parse(V2_JSON.replace("\"io.relustream.avro\"", "\"com.acme\""));

    /**
     * Avro matches a writer's record to the reader's by the name without its namespace ({@code
     * SchemaCompatibility.schemaNameEquals}): {@code com.acme.FeatureVector}, or a FeatureVector of
     * no namespace, is read as the job's own.
     */
    @Test
    void checkReadableAcceptsAFeatureVectorOfAnyNamespaceAsAvroDoes() {
        Schema noNamespace =
                new Schema.Parser()
                        .parse(V2_JSON.replace("\"namespace\": \"io.relustream.avro\",", ""));
        assertThat(ACME_V2.getFullName()).isEqualTo("com.acme.FeatureVector");
        assertThat(noNamespace.getFullName()).isEqualTo("FeatureVector");

        for (Schema writer : List.of(ACME_V2, noNamespace)) {
            assertThat(
                            SchemaCompatibility.checkReaderWriterCompatibility(
                                            FeatureVector.getClassSchema(), writer)
                                    .getType())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            assertThatNoException()
                    .isThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, writer));
        }
    }

    @Test
    void readsSingleObjectRecordsOfAWriterInAnotherNamespaceGivenItsSchema() throws Exception {
        var decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(ACME_V2));
        GenericRecord record = new GenericData.Record(ACME_V2);
        record.put("id", "acme-1");
        record.put("event_time", 7_000L);
        record.put("group", "layer-3");
        record.put("values", List.of(-0.25, 4.0));
        record.put("source", "acme");
        ByteBuffer buffer =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), ACME_V2).encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);

        assertThat(decoder.decode(bytes))
                .isEqualTo(
                        FeatureVector.newBuilder()
                                .setId("acme-1")
                                .setEventTime(Instant.ofEpochMilli(7_000L))
                                .setGroup("layer-3")
                                .setValues(List.of(-0.25, 4.0))
                                .build());
        // And the job's own records still.
        assertThat(decoder.decode(encode(WireFormat.AVRO_SINGLE_OBJECT))).isEqualTo(VECTOR);
    }

    @Test
    void checkReadableRejectsWritersWhoseRecordsTheCurrentSchemaCannotRead() {
        Schema stringValues =
                new Schema.Parser()
                        .parse(V2_JSON.replace("\"items\": \"double\"", "\"items\": \"string\""));
        Schema noGroup =
                new Schema.Parser()
                        .parse(V2_JSON.replace("\"name\": \"group\"", "\"name\": \"tenant\""));

        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, stringValues))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "records written with it cannot be read as the current FeatureVector:"
                                + " field values: reader type: DOUBLE not compatible with writer"
                                + " type: STRING at /fields/3/type/items (a double reads only int,"
                                + " long, float or double)");
        // A union may widen the writer's field only with branches the job reads: not null.
        Schema nullableTime =
                new Schema.Parser()
                        .parse(
                                FeatureVector.getClassSchema()
                                        .toString()
                                        .replace(
                                                "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}",
                                                "[\"null\",\"long\"]"));
        assertThat(nullableTime.getField("event_time").schema().isUnion()).isTrue();
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, nullableTime))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "records written with it cannot be read as the current FeatureVector:"
                                + " field event_time: reader type: LONG not compatible with writer"
                                + " type: NULL at /fields/1/type/0 (a long reads only int or long;"
                                + " every branch of the writer's union must be one the job"
                                + " reads)");
        // The current field "group" has no default, so records without it cannot be read.
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, noGroup))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "records written with it cannot be read as the current FeatureVector:"
                                + " its field group at /fields/2 has no default and the writer"
                                + " has no field of that name (aliases count only in the current"
                                + " schema, not in the writer's)");
    }

    @Test
    void checkReadableRejectsAValueInAnotherUnitWhereverTheWriterPutsIt() {
        // Avro's compatibility check passes each of these: a long is a long. Read as
        // timestamp-millis, 1,700,000,000,000,000 microseconds (2023-11-14) would be the year
        // 55840.
        String millis = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
        String current = FeatureVector.getClassSchema().toString();
        String refused =
                "field event_time is timestamp-micros, but the current FeatureVector reads"
                        + " timestamp-millis: its values would be read in the wrong unit";
        for (String eventTime :
                List.of(
                        "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}",
                        "[\"int\",{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}]")) {
            Schema writer = new Schema.Parser().parse(current.replace(millis, eventTime));
            assertThat(
                            SchemaCompatibility.checkReaderWriterCompatibility(
                                            FeatureVector.getClassSchema(), writer)
                                    .getType())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);

            assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, writer))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(refused);
        }
        Schema stats =
                new Schema.Parser()
                        .parse(
                                ActivationStats.getClassSchema()
                                        .toString()
                                        .replace("timestamp-millis", "timestamp-nanos"));
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(ActivationStats.class, stats))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "field window_start is timestamp-nanos, but the current ActivationStats"
                                + " reads timestamp-millis: its values would be read in the wrong"
                                + " unit");
        // Without a logical type the long is read as the current schema's.
        AvroRecordDecoder.checkReadable(
                FeatureVector.class,
                new Schema.Parser().parse(current.replace(millis, "\"long\"")));
    }

    @Test
    void checkReadableSaysALocalTimestampHasNoTimeZoneNotAnotherUnit() {
        // The same milliseconds, counted from midnight of the writer's wall clock, not of UTC:
        // read as an instant, 2023-11-14T23:13:20 in Paris would be an hour late.
        String current = FeatureVector.getClassSchema().toString();
        Schema local =
                new Schema.Parser()
                        .parse(current.replace("timestamp-millis", "local-timestamp-millis"));
        Schema localMicros =
                new Schema.Parser()
                        .parse(current.replace("timestamp-millis", "local-timestamp-micros"));

        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, local))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "field event_time is local-timestamp-millis, but the current FeatureVector"
                                + " reads timestamp-millis: its values are date-times without a"
                                + " time zone, and would be read as UTC instants");
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, localMicros))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "field event_time is local-timestamp-micros, but the current FeatureVector"
                                + " reads timestamp-millis: its values would be read in the wrong"
                                + " unit");
    }

    @Test
    void withWriterSchemasAndCheckReadableNameANullArgument() {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);

        assertThatThrownBy(() -> decoder.withWriterSchemas(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("writerSchemas");
        assertThatThrownBy(() -> decoder.withWriterSchemas(Arrays.asList(V2, null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("writerSchemas[1]");
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("writer");
        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(null, V2))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("type");
    }

    /**
     * A schema Avro's default parser refuses, built by a parser without its checks: the decoder
     * keeps writer schemas as JSON and parses them again where it runs, so each is refused here,
     * not left to fail the first record there with Avro's own exception.
     */
    @Test
    void withWriterSchemasRefusesSchemasAvrosParserWouldNotReadAgain() {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        Schema.Parser lenient = new Schema.Parser(NameValidator.NO_VALIDATION);
        lenient.setValidateDefaults(false);
        String current = FeatureVector.getClassSchema().toString();
        Schema badDefault =
                lenient.parse(
                        current.replaceFirst(
                                "]}$", ",{\"name\":\"x\",\"type\":\"int\",\"default\":\"abc\"}]}"));
        Schema badName =
                new Schema.Parser(NameValidator.NO_VALIDATION)
                        .parse(
                                current.replaceFirst(
                                        "]}$",
                                        ",{\"name\":\"x-y\",\"type\":\"int\",\"default\":1}]}"));

        assertThatThrownBy(() -> decoder.withWriterSchemas(List.of(V2, badDefault)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "writerSchemas[1] is not a schema Avro's Schema.Parser reads, as the"
                                + " decoder reads it again where it runs: Invalid default for"
                                + " field x: \"abc\" not a \"int\"");
        assertThatThrownBy(() -> decoder.withWriterSchemas(List.of(badName)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "writerSchemas[0] is not a schema Avro's Schema.Parser reads, as the"
                                + " decoder reads it again where it runs: Illegal character in:"
                                + " x-y");
    }

    @Test
    void withWriterSchemasRefusesWritersWhoseRecordsItCannotRead() {
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        Schema stringValues =
                new Schema.Parser()
                        .parse(V2_JSON.replace("\"items\": \"double\"", "\"items\": \"string\""));
        // Its records would each fail to decode, and a union makes the fingerprint of a writer in
        // microseconds another one than the job's, so they would be read 1000 times off.
        Schema microsInAUnion =
                new Schema.Parser()
                        .parse(
                                FeatureVector.getClassSchema()
                                        .toString()
                                        .replace(
                                                "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}",
                                                "[{\"type\":\"long\",\"logicalType\":"
                                                        + "\"timestamp-micros\"}]"));

        assertThatThrownBy(() -> decoder.withWriterSchemas(List.of(V2, stringValues)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "records written with it cannot be read as the current FeatureVector:"
                                + " field values: reader type: DOUBLE not compatible with writer"
                                + " type: STRING");
        assertThatThrownBy(() -> decoder.withWriterSchemas(List.of(microsInAUnion)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "field event_time is timestamp-micros, but the current FeatureVector reads"
                                + " timestamp-millis: its values would be read in the wrong unit");
        assertThatThrownBy(
                        () -> decoder.withWriterSchemas(List.of(ActivationStats.getClassSchema())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "schema io.relustream.avro.ActivationStats is not a FeatureVector"
                                + NAME_RULE);
        // Another namespace is fine, another name too is not.
        assertThat(decoder.withWriterSchemas(List.of(ACME_V2))).isNotNull();
        Schema renamed =
                new Schema.Parser()
                        .parse(
                                V2_JSON.replace("\"io.relustream.avro\"", "\"com.acme\"")
                                        .replace(
                                                "\"name\": \"FeatureVector\"",
                                                "\"name\": \"Features\""));
        assertThatThrownBy(() -> decoder.withWriterSchemas(List.of(ACME_V2, renamed)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schema com.acme.Features is not a FeatureVector" + NAME_RULE);
    }

    /** Why a writer's record of another name is refused, after "is not a FeatureVector". */
    private static final String NAME_RULE =
            ": Avro reads a writer's record as io.relustream.avro.FeatureVector only when it is"
                    + " named FeatureVector, in any namespace (io.relustream.avro.FeatureVector"
                    + " has no aliases, and aliases in the writer's schema do not count)";

    /**
     * The current FeatureVector schema with one more field, {@code extra}, of type {@code type}.
     */
    private static Schema withExtraField(String type) {
        String current = FeatureVector.getClassSchema().toString();
        return new Schema.Parser()
                .parse(
                        current.substring(0, current.length() - 2)
                                + ",{\"name\":\"extra\",\"type\":"
                                + type
                                + "}]}");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{'type':'array','items':'null'}" + "| FeatureVector.extra is an array of null",
                "['null',{'type':'array','items':{'type':'record','name':'Empty','fields':[]}}]"
                        + "| FeatureVector.extra is an array of record io.relustream.avro.Empty"
                        + " without fields",
                "{'type':'array','items':{'type':'record','name':'Nulls','fields':["
                        + "{'name':'a','type':'null'},"
                        + "{'name':'b','type':{'type':'record','name':'None','fields':[]}}]}}"
                        + "| FeatureVector.extra is an array of record io.relustream.avro.Nulls"
                        + " whose fields take no bytes",
                "{'type':'map','values':{'type':'record','name':'Holder','fields':["
                        + "{'name':'bins','type':{'type':'array',"
                        + "'items':{'type':'fixed','name':'Nothing','size':0}}}]}}"
                        + "| FeatureVector.extra[].bins is an array of fixed"
                        + " io.relustream.avro.Nothing of size 0",
                "{'type':'array','items':{'type':'array','items':'null'}}"
                        + "| FeatureVector.extra[] is an array of null"
            })
    void refusesWritersWithArraysOfItemsWrittenInZeroBytes(String type, String array) {
        // Each such item is written in no bytes at all, so a payload of a few bytes can claim
        // 2^62 of them, and Avro reads or skips them one by one, for good.
        Schema writer = withExtraField(type.replace('\'', '"'));
        String reason =
                array
                        + ", items written in zero bytes, so that a few bytes could claim billions"
                        + " of them for the decoder to read one by one; an array's items must take"
                        + " at least one byte (a union such as [\"null\", \"double\"] takes one)";

        assertThatThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, writer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(reason);
        var decoder = AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        assertThatThrownBy(() -> decoder.withWriterSchemas(List.of(V2, writer)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(reason);
    }

    /** A record type whose own schema has an array of nulls. */
    /** A record of the user's own whose schema has aliases, older names of it. */
    public static final class Renamed extends SpecificRecordBase {
        public static final Schema SCHEMA$ =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Renamed\","
                                        + "\"namespace\":\"io.relustream.formats\","
                                        + "\"aliases\":[\"com.older.Named\",\"com.old.Named\"],"
                                        + "\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        private int x;

        @Override
        public Schema getSchema() {
            return SCHEMA$;
        }

        @Override
        public Object get(int field) {
            return x;
        }

        @Override
        public void put(int field, Object value) {
            x = (Integer) value;
        }
    }

    /** A record of the user's own that has the name of a released record, in its namespace. */
    public static final class UsersFeatureVector extends SpecificRecordBase {
        public static final Schema SCHEMA$ =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"FeatureVector\","
                                        + "\"namespace\":\"com.example\","
                                        + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}");
        private CharSequence id;

        @Override
        public Schema getSchema() {
            return SCHEMA$;
        }

        @Override
        public Object get(int field) {
            return id;
        }

        @Override
        public void put(int field, Object value) {
            id = (CharSequence) value;
        }
    }

    public static final class Marks extends SpecificRecordBase {
        public static final Schema SCHEMA$ =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Marks\","
                                        + "\"namespace\":\"io.relustream.formats\",\"fields\":["
                                        + "{\"name\":\"seen\",\"type\":"
                                        + "{\"type\":\"array\",\"items\":\"null\"}}]}");
        private List<Object> seen;

        @Override
        public Schema getSchema() {
            return SCHEMA$;
        }

        @Override
        public Object get(int field) {
            return seen;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void put(int field, Object value) {
            seen = (List<Object>) value;
        }
    }

    @Test
    void refusesRecordTypesWithArraysOfItemsWrittenInZeroBytes() {
        assertThatThrownBy(() -> AvroRecordDecoder.of(Marks.class, WireFormat.AVRO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Marks.seen is an array of null, items written in zero");
    }

    @Test
    void readsWritersWhoseArrayAndMapItemsTakeAByteOrMore() throws Exception {
        // A union's branch index takes a byte, even for null; a map's entry has its key's
        // length, whatever its value.
        Schema writer =
                new Schema.Parser()
                        .parse(
                                FeatureVector.getClassSchema()
                                        .toString()
                                        .replaceFirst(
                                                "]}$",
                                                ",{\"name\":\"flags\",\"type\":{\"type\":"
                                                        + "\"array\",\"items\":[\"null\","
                                                        + "\"double\"]}},{\"name\":\"tags\","
                                                        + "\"type\":{\"type\":\"map\","
                                                        + "\"values\":\"null\"}}]}"));
        assertThatNoException()
                .isThrownBy(() -> AvroRecordDecoder.checkReadable(FeatureVector.class, writer));
        var decoder =
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .withWriterSchemas(List.of(writer));
        GenericRecord record = new GenericData.Record(writer);
        record.put("id", "r1");
        record.put("event_time", 1_000L);
        record.put("group", "g");
        record.put("values", List.of(1.5, -2.0));
        record.put("flags", Arrays.asList(null, 2.5, null));
        Map<String, Object> tagged = new LinkedHashMap<>();
        tagged.put("a", null);
        tagged.put("b", null);
        record.put("tags", tagged);
        ByteBuffer buffer =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
        byte[] valid = new byte[buffer.remaining()];
        buffer.get(valid);
        assertThat(decoder.decode(valid)).isEqualTo(VECTOR);

        // 2^62 items claimed by a few bytes are dead-lettered at their count, as any count
        // beyond the bytes left. VECTOR's fields after the 10-byte header: id (1 + 2),
        // event_time (2), group (1 + 1), values (1 + 2 * 8 + 1) = 25 bytes, to byte 35; the
        // count 2^62, zig-zag 2^63, takes 10 bytes, so 3 more bytes start at byte 45 (flags)
        // or, after the empty flags' single 0 at byte 35, at byte 46 (tags).
        byte[] header = AvroRecordEncoder.singleObjectHeader(writer);
        byte[] fields = AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO).encode(VECTOR);
        assertThat(fields).hasSize(25);
        ByteArrayOutputStream flags = new ByteArrayOutputStream();
        flags.write(header);
        flags.write(fields);
        writeZigZag(flags, 1L << 62);
        flags.write(new byte[] {0, 0, 0});
        assertReason(
                decoder,
                flags.toByteArray(),
                "payload is not valid Avro: FeatureVector.flags at byte 45: claims"
                        + " 4611686018427387904 items but only 3 bytes remain");
        ByteArrayOutputStream tags = new ByteArrayOutputStream();
        tags.write(header);
        tags.write(fields);
        tags.write(0); // no flags
        writeZigZag(tags, 1L << 62);
        tags.write(new byte[] {0, 0, 0});
        assertReason(
                decoder,
                tags.toByteArray(),
                "payload is not valid Avro: FeatureVector.tags at byte 46: claims"
                        + " 4611686018427387904 items but only 3 bytes remain");
    }

    private static FeatureVector vector(String id, long eventTime, List<Double> values) {
        return FeatureVector.newBuilder()
                .setId(id)
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setGroup("g")
                .setValues(values)
                .build();
    }

    private static GenericRecord v2Record(String id, long eventTime, String source) {
        GenericRecord record = new GenericData.Record(V2);
        record.put("id", id);
        record.put("event_time", eventTime);
        record.put("group", "g");
        record.put("values", List.of(0.5, -1.0));
        record.put("source", source);
        return record;
    }

    /** A v2 record in single-object encoding, written by Avro's own encoder. */
    private static byte[] singleObjectV2(String id, long eventTime, String source)
            throws IOException {
        ByteBuffer buffer =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), V2)
                        .encode(v2Record(id, eventTime, source));
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** A v2 record in raw Avro binary, without a header. */
    private static byte[] rawV2(String id, long eventTime, String source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(V2).write(v2Record(id, eventTime, source), encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** The bytes of the "source" union alone. */
    private static byte[] encodedSource(String source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<Object>(V2.getField("source").schema()).write(source, encoder);
        encoder.flush();
        return out.toByteArray();
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
