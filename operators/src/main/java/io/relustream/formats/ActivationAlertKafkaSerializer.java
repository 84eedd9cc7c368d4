package io.relustream.formats;

import io.relustream.avro.ActivationAlert;

import java.nio.charset.StandardCharsets;

/**
 * Writes {@link ActivationAlert}s keyed by group.
 *
 * <pre>{@code
 * KafkaSink.<ActivationAlert>builder()
 *         .setRecordSerializer(
 *                 new ActivationAlertKafkaSerializer(
 *                         "activation-alerts", WireFormat.AVRO_SINGLE_OBJECT))
 * }</pre>
 */
public final class ActivationAlertKafkaSerializer extends AvroKafkaSerializer<ActivationAlert> {

    private static final long serialVersionUID = 1L;

    public ActivationAlertKafkaSerializer(String topic, WireFormat format) {
        super(ActivationAlert.class, topic, format);
    }

    /** A window's result: see {@link #notAheadOfTheClock}. */
    @Override
    protected long kafkaTimestamp(long timestamp) {
        return notAheadOfTheClock(timestamp);
    }

    @Override
    protected byte[] key(ActivationAlert record) {
        return record.getGroup().getBytes(StandardCharsets.UTF_8);
    }
}
