package io.relustream.formats;

import io.relustream.avro.DeadLetter;

import java.nio.ByteBuffer;

/**
 * Writes {@link DeadLetter}s keyed by the key of the record they hold.
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
