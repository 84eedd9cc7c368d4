package io.relustream.formats;

import io.relustream.avro.DeadLetter;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema.KafkaSinkContext;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Writes {@link DeadLetter}s keyed by the key of the record they hold, stamped with their {@code
 * failed_at}.
 *
 * <pre>{@code
 * KafkaSink.<DeadLetter>builder()
 *         .setRecordSerializer(
 *                 new DeadLetterKafkaSerializer("features-dlq", WireFormat.AVRO_SINGLE_OBJECT))
 * }</pre>
 */
public final class DeadLetterKafkaSerializer extends AvroKafkaSerializer<DeadLetter> {

    private static final long serialVersionUID = 1L;

    public DeadLetterKafkaSerializer(String topic, WireFormat format) {
        super(DeadLetter.class, topic, format);
    }

    /**
     * Stamped when it failed, whatever the time of the record it holds: stamped with the event time
     * of a replayed record weeks old, it would fall to the dead-letter topic's time-based retention
     * at the broker's next check, and the bad input would be lost after all.
     */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter record, KafkaSinkContext context, Long timestamp) {
        Instant failedAt = record.getFailedAt();
        return super.serialize(record, context, failedAt == null ? null : failedAt.toEpochMilli());
    }

    @Override
    protected byte[] key(DeadLetter record) {
        ByteBuffer key = record.getKey();
        if (key == null) {
            return null;
        }
        byte[] bytes = new byte[key.remaining()];
        key.duplicate().get(bytes);
        return bytes;
    }
}
