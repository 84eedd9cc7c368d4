package io.relustream.formats;

import io.relustream.avro.ActivationAlert;

import java.nio.charset.StandardCharsets;

/** Writes {@link ActivationAlert}s keyed by group. */
public final class ActivationAlertKafkaSerializer extends AvroKafkaSerializer<ActivationAlert> {

    private static final long serialVersionUID = 1L;

    public ActivationAlertKafkaSerializer(String topic, WireFormat format) {
        super(ActivationAlert.class, topic, format);
    }

    @Override
    protected byte[] key(ActivationAlert record) {
        return record.getGroup().getBytes(StandardCharsets.UTF_8);
    }
}
