package io.relustream.formats;

import io.relustream.avro.ActivationStats;

import java.nio.charset.StandardCharsets;

/**
 * Writes {@link ActivationStats} keyed by group, so a group's windows stay in order.
 *
 * <pre>{@code
 * KafkaSink.<ActivationStats>builder()
 *         .setRecordSerializer(
 *                 new ActivationStatsKafkaSerializer(
 *                         "activation-stats", WireFormat.AVRO_SINGLE_OBJECT))
 * }</pre>
 */
public final class ActivationStatsKafkaSerializer extends AvroKafkaSerializer<ActivationStats> {

    private static final long serialVersionUID = 1L;

    public ActivationStatsKafkaSerializer(String topic, WireFormat format) {
        super(ActivationStats.class, topic, format);
    }

    /** A window's result: see {@link #notAheadOfTheClock}. */
    @Override
    protected long kafkaTimestamp(long timestamp) {
        return notAheadOfTheClock(timestamp);
    }

    @Override
    protected byte[] key(ActivationStats record) {
        return record.getGroup().getBytes(StandardCharsets.UTF_8);
    }
}
