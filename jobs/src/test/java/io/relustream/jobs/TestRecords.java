package io.relustream.jobs;

import io.relustream.avro.FeatureVector;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Records for job tests, encoded with Avro's own encoders rather than the job's. */
final class TestRecords {

    private TestRecords() {}

    static FeatureVector vector(String id, long eventTime, String group, double... values) {
        List<Double> list = new ArrayList<>();
        for (double v : values) {
            list.add(v);
        }
        return FeatureVector.newBuilder()
                .setId(id)
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setGroup(group)
                .setValues(list)
                .build();
    }

    /** Avro single-object encoding of {@code vector}, by the generated class. */
    static byte[] singleObject(FeatureVector vector) {
        try {
            return bytes(vector.toByteBuffer());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static ProducerRecord<byte[], byte[]> record(
            String topic, int partition, FeatureVector vector) {
        return new ProducerRecord<>(
                topic,
                partition,
                vector.getId().getBytes(StandardCharsets.UTF_8),
                singleObject(vector));
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** Decodes every record value of a topic with a generated class's decoder. */
    static <T> List<T> decodeAll(List<ConsumerRecord<byte[], byte[]>> records, Decoder<T> decoder) {
        return records.stream()
                .map(record -> decoder.decode(ByteBuffer.wrap(record.value())))
                .collect(Collectors.toList());
    }

    /** A decoder of plain Avro binary (no single-object header) for a generated class. */
    static <T extends org.apache.avro.specific.SpecificRecordBase> Decoder<T> plainAvro(
            Class<T> type) {
        org.apache.avro.specific.SpecificDatumReader<T> reader =
                new org.apache.avro.specific.SpecificDatumReader<>(type);
        return bytes ->
                reader.read(
                        null,
                        org.apache.avro.io.DecoderFactory.get()
                                .binaryDecoder(TestRecords.bytes(bytes), null));
    }

    /** {@code ActivationVector::fromByteBuffer} and the like. */
    @FunctionalInterface
    interface Decoder<T> {
        T decodeOrThrow(ByteBuffer bytes) throws Exception;

        default T decode(ByteBuffer bytes) {
            try {
                return decodeOrThrow(bytes);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
