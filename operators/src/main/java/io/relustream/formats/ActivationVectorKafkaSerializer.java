package io.relustream.formats;

import io.relustream.avro.ActivationVector;

import java.nio.charset.StandardCharsets;

/**
 * Writes {@link ActivationVector}s keyed by the id of the record they were computed from.
 *
 * <pre>{@code
 * KafkaSink.<ActivationVector>builder()
 *         .setRecordSerializer(
 *                 new ActivationVectorKafkaSerializer(
 *                         "activations", WireFormat.AVRO_SINGLE_OBJECT))
 * }</pre>
 */
public final class ActivationVectorKafkaSerializer extends AvroKafkaSerializer<ActivationVector> {

    private static final long serialVersionUID = 1L;

    public ActivationVectorKafkaSerializer(String topic, WireFormat format) {
        super(ActivationVector.class, topic, format);
    }

    @Override
    protected byte[] key(ActivationVector record) {
        return record.getId().getBytes(StandardCharsets.UTF_8);
    }
}
