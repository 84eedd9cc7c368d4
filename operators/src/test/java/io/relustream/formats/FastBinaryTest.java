package io.relustream.formats;

import io.relustream.avro.ActivationVector;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.internal.DoubleArrayList;

import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast paths give exactly Avro's records and bytes, and step aside for anything odd. */
class FastBinaryTest {

    @Property(tries = 500)
    void readsEveryFeatureVectorAsAvroDoes(@ForAll("featureVectors") FeatureVector vector)
            throws Exception {
        byte[] bytes = bytes(vector.toByteBuffer());

        FeatureVector fast = FastBinary.readFeatureVector(bytes, 10);

        assertThat(fast).isEqualTo(FeatureVector.fromByteBuffer(ByteBuffer.wrap(bytes)));
        assertThat(rawBits(fast.getValues())).isEqualTo(rawBits(vector.getValues()));
        // And the decoder that the job uses takes the fast path for it.
        assertThat(
                        AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                                .decode(bytes)
                                .getValues())
                .isInstanceOf(DoubleArrayList.class);
    }

    @Property(tries = 500)
    void writesEveryActivationVectorAsAvroDoes(@ForAll("activationVectors") ActivationVector vector)
            throws Exception {
        byte[] expected = bytes(vector.toByteBuffer());

        byte[] fast =
                AvroRecordEncoder.of(ActivationVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .encode(vector);
        byte[] plain = AvroRecordEncoder.of(ActivationVector.class, WireFormat.AVRO).encode(vector);

        assertThat(fast).isEqualTo(expected);
        assertThat(plain).isEqualTo(Arrays.copyOfRange(expected, 10, expected.length));
        SpecificDatumReader<ActivationVector> reader =
                new SpecificDatumReader<>(ActivationVector.class);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(plain, null);
        // Equal to what Avro reads from its own bytes (strings with lone surrogates do not
        // survive UTF-8, in either writer).
        assertThat(reader.read(null, decoder))
                .isEqualTo(ActivationVector.fromByteBuffer(ByteBuffer.wrap(expected)));
        assertThat(decoder.isEnd()).isTrue();
    }

    @Property(tries = 300)
    void returnsNothingForCutOrPaddedBytesSoThatAvroExplains(
            @ForAll("featureVectors") FeatureVector vector) throws Exception {
        byte[] bytes = bytes(vector.toByteBuffer());
        for (int cut = 10; cut < bytes.length; cut++) {
            assertThat(FastBinary.readFeatureVector(Arrays.copyOf(bytes, cut), 10))
                    .as("cut at %d of %d", cut, bytes.length)
                    .isNull();
        }
        assertThat(FastBinary.readFeatureVector(Arrays.copyOf(bytes, bytes.length + 1), 10))
                .isNull();
    }

    @Property(tries = 100)
    void readsArraysWrittenInSeveralBlocks(@ForAll("doubleLists") List<Double> values)
            throws Exception {
        // Avro's writers use one block, but the format allows several, with byte sizes.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Arrays.copyOf(bytes(vector("x", 0, "g", List.of()).toByteBuffer()), 15));
        int half = values.size() / 2;
        writeBlock(out, values.subList(0, half), true);
        writeBlock(out, values.subList(half, values.size()), false);
        out.write(0);

        FeatureVector read = FastBinary.readFeatureVector(out.toByteArray(), 10);

        assertThat(read.getValues()).isEqualTo(values);
    }

    @Test
    void readsABlockPerValueWithoutCopyingTheArrayPerBlock() throws Exception {
        // 20,000 blocks of one value each, i at index i: 15 bytes of header, id, event time and
        // group, 9 bytes a block, 1 for the end: 180,016 bytes.
        int blocks = 20_000;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Arrays.copyOf(bytes(vector("x", 0, "g", List.of()).toByteBuffer()), 15), 0, 15);
        double[] expected = new double[blocks];
        for (int i = 0; i < blocks; i++) {
            expected[i] = i;
            writeBlock(out, List.of((double) i), false);
        }
        out.write(0);
        byte[] payload = out.toByteArray();
        assertThat(payload).hasSize(180_016);
        FastBinary.readFeatureVector(bytes(vector("x", 0, "g", List.of(1.0)).toByteBuffer()), 10);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        long before = threads.getCurrentThreadAllocatedBytes();
        FeatureVector read = FastBinary.readFeatureVector(payload, 10);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(((DoubleArrayList) read.getValues()).array()).containsExactly(expected);
        // Growing the array by each block alone copied it once per block: 8 * (1 + 2 + ... +
        // 20,000) bytes, 1.6 GB. Doubling it allocates less than twice the final 160,000 bytes,
        // plus the final array; 8 times the payload leaves room for the rest.
        assertThat(allocated).isLessThan(8L * payload.length);
    }

    private static void writeBlock(ByteArrayOutputStream out, List<Double> values, boolean sized) {
        if (values.isEmpty()) {
            return;
        }
        writeZigZag(out, sized ? -values.size() : values.size());
        if (sized) {
            writeZigZag(out, 8L * values.size());
        }
        ByteBuffer buffer =
                ByteBuffer.allocate(8 * values.size()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        values.forEach(buffer::putDouble);
        out.writeBytes(buffer.array());
    }

    private static void writeZigZag(ByteArrayOutputStream out, long value) {
        long zigZag = (value << 1) ^ (value >> 63);
        while ((zigZag & ~0x7FL) != 0) {
            out.write((int) ((zigZag & 0x7F) | 0x80));
            zigZag >>>= 7;
        }
        out.write((int) zigZag);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static long[] rawBits(List<Double> values) {
        return values.stream().mapToLong(Double::doubleToRawLongBits).toArray();
    }

    private static FeatureVector vector(String id, long time, String group, List<Double> values) {
        return FeatureVector.newBuilder()
                .setId(id)
                .setEventTime(Instant.ofEpochMilli(time))
                .setGroup(group)
                .setValues(values)
                .build();
    }

    @Provide
    Arbitrary<List<Double>> doubleLists() {
        Arbitrary<Double> values =
                Arbitraries.oneOf(
                        Arbitraries.doubles().between(-1e6, 1e6),
                        Arbitraries.of(
                                Double.NaN,
                                Double.POSITIVE_INFINITY,
                                Double.NEGATIVE_INFINITY,
                                -0.0,
                                0.0,
                                Double.MIN_VALUE,
                                -Double.MAX_VALUE),
                        Arbitraries.longs().map(Double::longBitsToDouble));
        return values.list().ofMaxSize(300);
    }

    private static Arbitrary<String> strings() {
        return Arbitraries.strings().all().ofMaxLength(40);
    }

    @Provide
    Arbitrary<FeatureVector> featureVectors() {
        return Combinators.combine(
                        strings(),
                        Arbitraries.longs().between(-1L << 50, 1L << 50),
                        strings(),
                        doubleLists())
                .as(FastBinaryTest::vector);
    }

    @Provide
    Arbitrary<ActivationVector> activationVectors() {
        return Combinators.combine(
                        strings(),
                        Arbitraries.longs().between(-1L << 50, 1L << 50),
                        strings(),
                        Arbitraries.of("relu", "leaky_relu(alpha=0.01)", "maxout(k=2)"),
                        doubleLists(),
                        Arbitraries.oneOf(Arbitraries.just(null), doubleLists()),
                        Arbitraries.of(true, false))
                .as(
                        (id, time, group, spec, activations, derivatives, view) ->
                                new ActivationVector(
                                        id,
                                        Instant.ofEpochMilli(time),
                                        group,
                                        spec,
                                        view ? view(activations) : activations,
                                        derivatives == null || !view
                                                ? derivatives
                                                : view(derivatives)));
    }

    private static List<Double> view(List<Double> values) {
        return new DoubleArrayList(
                values.stream().mapToDouble(Double::doubleValue).toArray(),
                ActivationVector.getClassSchema().getField("activations").schema());
    }
}
