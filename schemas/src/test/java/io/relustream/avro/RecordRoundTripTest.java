package io.relustream.avro;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every generated record survives plain Avro binary encoding and single-object encoding unchanged,
 * down to the bits of its doubles.
 */
class RecordRoundTripTest {

    /** A NaN whose payload is not the canonical one; its bits must survive too. */
    private static final double PAYLOAD_NAN = Double.longBitsToDouble(0x7ff8_0000_dead_beefL);

    /** Doubles that are easy to lose on the way: signed zero, NaNs, infinities, extremes. */
    private static final List<Double> TRICKY_DOUBLES =
            List.of(
                    -0.0,
                    0.0,
                    Double.NaN,
                    PAYLOAD_NAN,
                    Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY,
                    Double.MIN_VALUE,
                    -Double.MAX_VALUE,
                    1.0 / 3.0);

    /** Non-ASCII text: accents, combining marks, CJK, right-to-left, astral-plane emoji, NUL. */
    private static final String UNICODE = "Zürich — e\u0301 日本語 שלום 🧠🔥 \u0000 end";

    private static final Instant WINDOW_START = Instant.parse("2024-02-29T23:59:59.123Z");
    private static final Instant WINDOW_END = Instant.parse("2024-03-01T00:00:59.123Z");
    private static final Instant BEFORE_EPOCH = Instant.parse("1969-12-31T23:59:59.999Z");

    /** The generated static and instance methods of one record class. */
    private record Codec<T extends SpecificRecordBase>(
            Class<T> type,
            Schema schema,
            IoFunction<T, ByteBuffer> toByteBuffer,
            IoFunction<ByteBuffer, T> fromByteBuffer,
            BinaryMessageEncoder<T> encoder,
            BinaryMessageDecoder<T> decoder) {}

    @FunctionalInterface
    private interface IoFunction<A, B> {
        B apply(A a) throws IOException;
    }

    private static final Codec<FeatureVector> FEATURE_VECTOR =
            new Codec<>(
                    FeatureVector.class,
                    FeatureVector.getClassSchema(),
                    FeatureVector::toByteBuffer,
                    FeatureVector::fromByteBuffer,
                    FeatureVector.getEncoder(),
                    FeatureVector.getDecoder());
    private static final Codec<ActivationVector> ACTIVATION_VECTOR =
            new Codec<>(
                    ActivationVector.class,
                    ActivationVector.getClassSchema(),
                    ActivationVector::toByteBuffer,
                    ActivationVector::fromByteBuffer,
                    ActivationVector.getEncoder(),
                    ActivationVector.getDecoder());
    private static final Codec<ActivationStats> ACTIVATION_STATS =
            new Codec<>(
                    ActivationStats.class,
                    ActivationStats.getClassSchema(),
                    ActivationStats::toByteBuffer,
                    ActivationStats::fromByteBuffer,
                    ActivationStats.getEncoder(),
                    ActivationStats.getDecoder());
    private static final Codec<DeadLetter> DEAD_LETTER =
            new Codec<>(
                    DeadLetter.class,
                    DeadLetter.getClassSchema(),
                    DeadLetter::toByteBuffer,
                    DeadLetter::fromByteBuffer,
                    DeadLetter.getEncoder(),
                    DeadLetter.getDecoder());
    private static final Codec<ActivationAlert> ACTIVATION_ALERT =
            new Codec<>(
                    ActivationAlert.class,
                    ActivationAlert.getClassSchema(),
                    ActivationAlert::toByteBuffer,
                    ActivationAlert::fromByteBuffer,
                    ActivationAlert.getEncoder(),
                    ActivationAlert.getDecoder());

    /** One record to round-trip, with the codec of its class. */
    private record Case<T extends SpecificRecordBase>(String name, Codec<T> codec, T record) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case<?>> cases() {
        return Stream.of(
                new Case<>("FeatureVector, all fields", FEATURE_VECTOR, featureVector()),
                new Case<>(
                        "FeatureVector, empty strings and values",
                        FEATURE_VECTOR,
                        FeatureVector.newBuilder()
                                .setId("")
                                .setEventTime(BEFORE_EPOCH)
                                .setGroup("")
                                .setValues(List.of())
                                .build()),
                new Case<>("ActivationVector, all fields", ACTIVATION_VECTOR, activationVector()),
                new Case<>(
                        "ActivationVector, null derivatives",
                        ACTIVATION_VECTOR,
                        ActivationVector.newBuilder(activationVector())
                                .setDerivatives(null)
                                .build()),
                new Case<>("ActivationStats, all fields", ACTIVATION_STATS, activationStats()),
                new Case<>(
                        "ActivationStats, nullable fields null",
                        ACTIVATION_STATS,
                        ActivationStats.newBuilder(activationStats())
                                .setValueCount(0L)
                                .setZeroCount(0L)
                                .setZeroFraction(null)
                                .setNegativeInputFraction(null)
                                .setMin(null)
                                .setMax(null)
                                .setMean(null)
                                .setStddev(null)
                                .setP50(null)
                                .setP90(null)
                                .setP99(null)
                                .setPerFeatureZeroFraction(List.of())
                                .setDeadFeatures(List.of())
                                .build()),
                new Case<>("DeadLetter, all fields", DEAD_LETTER, deadLetter()),
                new Case<>(
                        "DeadLetter, nullable fields null",
                        DEAD_LETTER,
                        DeadLetter.newBuilder()
                                .setPayload(null)
                                .setKey(null)
                                .setTopic(null)
                                .setPartition(null)
                                .setOffset(null)
                                .setReason("tombstone from a file source: " + UNICODE)
                                .setErrorClass(null)
                                .setErrorMessage(null)
                                .setFailedAt(BEFORE_EPOCH)
                                .build()),
                new Case<>("ActivationAlert, all fields", ACTIVATION_ALERT, activationAlert()),
                new Case<>(
                        "ActivationAlert, null feature",
                        ACTIVATION_ALERT,
                        ActivationAlert.newBuilder(activationAlert())
                                .setKind("sparsity_above")
                                .setFeature(null)
                                .setValue(Double.MIN_VALUE)
                                .setThreshold(null)
                                .build()));
    }

    private static FeatureVector featureVector() {
        return FeatureVector.newBuilder()
                .setId("fv-0001/" + UNICODE)
                .setEventTime(WINDOW_START)
                .setGroup("layer_3.mlp — ünïcode")
                .setValues(concat(List.of(1.5, -2.25), TRICKY_DOUBLES))
                .build();
    }

    private static ActivationVector activationVector() {
        return ActivationVector.newBuilder()
                .setId("fv-0001/" + UNICODE)
                .setEventTime(WINDOW_START)
                .setGroup("layer_3.mlp")
                .setActivation("leaky_relu(alpha=0.01)")
                .setActivations(concat(TRICKY_DOUBLES, List.of(-0.0225)))
                .setDerivatives(concat(List.of(1.0, 0.01), TRICKY_DOUBLES))
                .build();
    }

    private static ActivationStats activationStats() {
        return ActivationStats.newBuilder()
                .setGroup("tenant-ß/层")
                .setWindowStart(WINDOW_START)
                .setWindowEnd(WINDOW_END)
                .setActivation("relu")
                .setRecordCount(Long.MAX_VALUE)
                .setValueCount(4_000_000_000L)
                .setZeroCount(1_000_000_001L)
                .setZeroFraction(0.25000000025)
                .setNanCount(3L)
                .setPosInfCount(Long.MIN_VALUE)
                .setNegInfCount(-1L)
                .setNegativeInputFraction(0.5)
                .setMin(-0.0)
                .setMax(Double.MAX_VALUE)
                .setMean(PAYLOAD_NAN)
                .setStddev(Double.POSITIVE_INFINITY)
                .setP50(Double.MIN_VALUE)
                .setP90(0.9)
                .setP99(Double.NaN)
                .setPerFeatureZeroFraction(concat(List.of(1.0, 0.0), TRICKY_DOUBLES))
                .setDeadFeatures(List.of(0, 7, Integer.MAX_VALUE, -1))
                .build();
    }

    private static DeadLetter deadLetter() {
        byte[] backing = {9, 9, 0, (byte) 0xff, (byte) 0xc3, 0x01, 0x7f, (byte) 0x80, 9};
        return DeadLetter.newBuilder()
                // Position 2, limit 8: only bytes 2..7 of the backing array are the payload.
                .setPayload(ByteBuffer.wrap(backing, 2, 6))
                .setKey(ByteBuffer.wrap(("key-" + UNICODE).getBytes(StandardCharsets.UTF_8)))
                .setTopic("relu-stream.feature-vectors")
                .setPartition(Integer.MAX_VALUE)
                .setOffset(Long.MAX_VALUE)
                .setTimestamp(BEFORE_EPOCH)
                .setHeaders(
                        List.of(
                                new DeadLetterHeader(
                                        "trace-id", ByteBuffer.wrap(new byte[] {1, 2})),
                                new DeadLetterHeader("empty-" + UNICODE, null)))
                .setReason("values[3] is not a number: " + UNICODE)
                .setErrorClass("org.apache.avro.AvroRuntimeException")
                .setErrorMessage("Malformed data. Length is negative: -40 — " + UNICODE)
                .setFailedAt(Instant.parse("9999-12-31T23:59:59.999Z"))
                .build();
    }

    private static ActivationAlert activationAlert() {
        return ActivationAlert.newBuilder()
                .setGroup("layer_3.mlp")
                .setKind("dead_feature")
                .setFeature(Integer.MAX_VALUE)
                .setWindowStart(WINDOW_START)
                .setWindowEnd(WINDOW_END)
                .setValue(0.9375)
                .setThreshold(1.0)
                .setActivation("relu")
                .setMessage("Feature 2147483647 has been dead for 3 windows — " + UNICODE)
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    <T extends SpecificRecordBase> void roundTripsThroughAvroBinary(Case<T> c) throws IOException {
        byte[] bytes = binary(c.codec(), c.record());

        SpecificDatumReader<T> reader = new SpecificDatumReader<>(c.codec().type());
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        T decoded = reader.read(null, decoder);

        assertThat(decoder.isEnd()).as("all bytes consumed").isTrue();
        assertSameRecord(decoded, c.record());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    <T extends SpecificRecordBase> void roundTripsThroughToByteBufferAndFromByteBuffer(Case<T> c)
            throws IOException {
        ByteBuffer encoded = c.codec().toByteBuffer().apply(c.record());
        T decoded = c.codec().fromByteBuffer().apply(encoded);

        assertSameRecord(decoded, c.record());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    <T extends SpecificRecordBase> void roundTripsThroughMessageEncoderAndDecoder(Case<T> c)
            throws IOException {
        ByteBuffer encoded = c.codec().encoder().encode(c.record());
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        c.codec().encoder().encode(c.record(), streamed);

        assertThat(streamed.toByteArray()).isEqualTo(toArray(encoded));
        assertThat(toArray(encoded)).isEqualTo(toArray(c.codec().toByteBuffer().apply(c.record())));
        assertSameRecord(c.codec().decoder().decode(encoded), c.record());
        assertSameRecord(c.codec().decoder().decode(streamed.toByteArray()), c.record());
    }

    /**
     * Single-object encoding: marker C3 01, the CRC-64-AVRO fingerprint of the writer schema
     * (little-endian), then the plain binary encoding.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    <T extends SpecificRecordBase> void singleObjectEncodingHasMarkerFingerprintAndBody(Case<T> c)
            throws IOException {
        byte[] bytes = toArray(c.codec().toByteBuffer().apply(c.record()));
        long fingerprint = SchemaNormalization.parsingFingerprint64(c.codec().schema());
        byte[] expectedFingerprint =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array();

        assertThat(bytes.length).isGreaterThan(10);
        assertThat(Arrays.copyOfRange(bytes, 0, 2)).containsExactly(0xC3, 0x01);
        assertThat(Arrays.copyOfRange(bytes, 2, 10)).isEqualTo(expectedFingerprint);
        assertThat(Arrays.copyOfRange(bytes, 10, bytes.length))
                .isEqualTo(binary(c.codec(), c.record()));
    }

    private static <T extends SpecificRecordBase> byte[] binary(Codec<T> codec, T record)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(codec.type()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** Equal as records, and every double in them has the same bits (-0.0, NaN payloads). */
    private static void assertSameRecord(SpecificRecordBase decoded, SpecificRecordBase original) {
        assertThat(decoded).isEqualTo(original);
        assertThat(doubleBits(decoded))
                .as("raw bits of every double, in schema order")
                .containsExactlyElementsOf(doubleBits(original));
    }

    /** The raw bits of every double in a record, depth first in schema order. */
    private static List<String> doubleBits(IndexedRecord record) {
        List<String> bits = new ArrayList<>();
        collectDoubleBits(record, record.getSchema(), "", bits);
        return bits;
    }

    private static void collectDoubleBits(
            Object value, Schema schema, String path, List<String> bits) {
        switch (schema.getType()) {
            case RECORD -> {
                IndexedRecord record = (IndexedRecord) value;
                for (Schema.Field field : schema.getFields()) {
                    collectDoubleBits(
                            record.get(field.pos()),
                            field.schema(),
                            path + "." + field.name(),
                            bits);
                }
            }
            case ARRAY -> {
                List<?> list = (List<?>) value;
                for (int i = 0; i < list.size(); i++) {
                    collectDoubleBits(
                            list.get(i), schema.getElementType(), path + "[" + i + "]", bits);
                }
            }
            case UNION -> {
                // SpecificData knows the logical types (Instant) that GenericData does not.
                int branch = SpecificData.get().resolveUnion(schema, value);
                collectDoubleBits(value, schema.getTypes().get(branch), path, bits);
            }
            case DOUBLE ->
                    bits.add(
                            path
                                    + "="
                                    + Long.toHexString(Double.doubleToRawLongBits((Double) value)));
            default -> {}
        }
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static List<Double> concat(List<Double> first, List<Double> second) {
        List<Double> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
