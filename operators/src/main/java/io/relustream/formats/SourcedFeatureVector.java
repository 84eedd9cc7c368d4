package io.relustream.formats;

import io.relustream.avro.DeadLetter;
import io.relustream.avro.DeadLetterHeader;
import io.relustream.avro.FeatureVector;

/**
 * A {@link FeatureVector} read from Kafka together with where it came from, so that any later stage
 * can still dead-letter it with its original bytes and coordinates; or, when its bytes did not
 * decode, the {@link DeadLetter} that says why.
 *
 * <pre>{@code
 * DataStream<SourcedFeatureVector> read =
 *         env.fromSource(kafkaSource, watermarks, "features");   // FeatureVectorKafkaDeserializer
 * DataStream<FeatureVector> decoded =
 *         read.filter(sourced -> sourced.vector != null)
 *                 .map(sourced -> sourced.vector, new AvroTypeInfo<>(FeatureVector.class));
 * DataStream<DeadLetter> undecodable =
 *         read.filter(sourced -> sourced.deadLetter != null)
 *                 .map(sourced -> sourced.deadLetter, new AvroTypeInfo<>(DeadLetter.class));
 * }</pre>
 *
 * <p>A Flink POJO: every field has a Flink serializer of its own (Avro for the records), so no Kryo
 * fallback is involved. Jobs enable object reuse so the payload reference travels along the chained
 * operators without being copied.
 */
public class SourcedFeatureVector {

    /** The decoded record; {@code null} when {@link #deadLetter} is set. */
    public FeatureVector vector;

    /** Why the bytes could not be decoded; {@code null} when {@link #vector} is set. */
    public DeadLetter deadLetter;

    public String topic;
    public int partition;
    public long offset;

    /** The Kafka record timestamp; negative when it had none. */
    public long timestamp;

    /** The Kafka record key; {@code null} when it had none. */
    public byte[] key;

    /** The original value bytes. */
    public byte[] payload;

    /** The Kafka record headers; {@code null} when it had none. */
    public DeadLetterHeader[] headers;

    public SourcedFeatureVector() {}

    /** Where the record was read from, as {@code topic/partition@offset}. */
    public String coordinates() {
        return topic + "/" + partition + "@" + offset;
    }
}
