package io.relustream.formats;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.apache.avro.specific.SpecificRecordBase;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Writes Avro records to one Kafka topic in a {@link WireFormat}, keyed by what the subclass
 * chooses, with the Flink record's timestamp as the Kafka timestamp unless the subclass says
 * otherwise: statistics and alerts are never stamped ahead of the clock ({@link
 * #notAheadOfTheClock}), dead letters are stamped with their {@code failed_at}.
 *
 * <pre>{@code
 * KafkaSink<ActivationVector> sink =
 *         KafkaSink.<ActivationVector>builder()
 *                 .setBootstrapServers("kafka:9092")
 *                 .setRecordSerializer(
 *                         new ActivationVectorKafkaSerializer(
 *                                 "activations", WireFormat.AVRO_SINGLE_OBJECT))
 *                 .build();
 * activations.sinkTo(sink);
 * }</pre>
 *
 * <p>One concrete subclass per record type, because the Kafka sink infers its types from the
 * serializer's class and cannot see through an open type parameter.
 */
public abstract class AvroKafkaSerializer<T extends SpecificRecordBase>
        implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    /** Kafka's rule for topic names (the broker's {@code Topic.validate}). */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final String topic;
    private final AvroRecordEncoder<T> encoder;

    /**
     * @throws IllegalArgumentException when {@code topic} is not a name Kafka accepts
     */
    protected AvroKafkaSerializer(Class<T> type, String topic, WireFormat format) {
        this.topic = checkTopic(Objects.requireNonNull(topic, "topic"));
        this.encoder = AvroRecordEncoder.of(type, format);
    }

    // Checked here, so that a typo fails when the job is built, not at its first record.
    private static String checkTopic(String topic) {
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException(
                    "Invalid topic '"
                            + topic
                            + "': use 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_' and '-',"
                            + " other than '.' or '..'");
        }
        return topic;
    }

    /** The Kafka key of a record; {@code null} for none. */
    protected abstract byte[] key(T record);

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T record, KafkaSinkContext context, Long timestamp) {
        // Records without an event time (dead letters of undecodable bytes) carry no timestamp;
        // the broker then stamps them.
        Long kafkaTimestamp = timestamp == null || timestamp < 0 ? null : kafkaTimestamp(timestamp);
        // Encoded before the key is taken: a null where the schema allows none (the key's field
        // too) then fails with Avro's message, which names the field.
        byte[] value = encoder.encode(record);
        return new ProducerRecord<>(topic, null, kafkaTimestamp, key(record), value);
    }

    /** The Kafka timestamp of a record whose Flink timestamp is {@code timestamp}; that one. */
    protected long kafkaTimestamp(long timestamp) {
        return timestamp;
    }

    /**
     * The timestamp of a window's result, which Flink stamps with the window's last millisecond,
     * but never ahead of the clock: a window that closes early, at the end of a bounded input, may
     * end in the future, and brokers refuse records stamped further ahead than their {@code
     * message.timestamp.after.max.ms} (one hour by default). The record's own fields keep the
     * window's bounds.
     */
    protected static long notAheadOfTheClock(long timestamp) {
        return Math.min(timestamp, System.currentTimeMillis());
    }

    /** The topic written to. */
    public String topic() {
        return topic;
    }
}
