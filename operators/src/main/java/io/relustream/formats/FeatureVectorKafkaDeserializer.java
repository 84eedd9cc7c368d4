package io.relustream.formats;

import io.relustream.avro.DeadLetterHeader;
import io.relustream.avro.FeatureVector;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads Kafka records into {@link SourcedFeatureVector}s and never throws: bytes that do not decode
 * come out with a {@link io.relustream.avro.DeadLetter} holding the original bytes, the Kafka
 * coordinates and the reason, for the job to send to its dead-letter topic, and are counted in the
 * {@code undecodableRecords} metric. So do records whose event time no window can take (before
 * 1970, after the year 9999, or too far ahead of the clock: see the constructors), counted in
 * {@code invalidEventTimes} instead. The others are counted in {@code decodedRecords}: the SQL job,
 * which has no activation operator, counts the records it decodes under that name too, so that one
 * alert on a job that reads nothing covers both.
 *
 * <pre>{@code
 * KafkaSource<SourcedFeatureVector> source =
 *         KafkaSource.<SourcedFeatureVector>builder()
 *                 .setDeserializer(new FeatureVectorKafkaDeserializer(WireFormat.AVRO_SINGLE_OBJECT))
 *                 ...
 * }</pre>
 */
public final class FeatureVectorKafkaDeserializer
        implements KafkaRecordDeserializationSchema<SourcedFeatureVector> {

    private static final long serialVersionUID = 1L;

    /**
     * The last event time taken: the end of SQL's TIMESTAMP(3) years. Far later ones (up to
     * Long.MAX_VALUE ms) would overflow the end of a window.
     */
    private static final Instant LATEST_EVENT_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

    private final AvroRecordDecoder<FeatureVector> decoder;
    private final Duration maxEventTimeSkew;
    private final Clock clock;
    private transient Counter decoded;
    private transient Counter undecodable;
    private transient Counter invalidEventTimes;

    /**
     * How far ahead of the clock an event time may be for {@link
     * #FeatureVectorKafkaDeserializer(WireFormat)}, 5 minutes: the activation job's default {@code
     * --max-event-time-skew}.
     */
    public static final Duration DEFAULT_MAX_EVENT_TIME_SKEW = Duration.ofMinutes(5);

    /**
     * A deserializer that bounds event times as the activation job does by default: it dead-letters
     * those before 1970, after the year 9999, or more than {@link #DEFAULT_MAX_EVENT_TIME_SKEW} (5
     * minutes) ahead of the system clock. Outputs stamped with their record's event time, as the
     * job's activations are, would otherwise be refused by Kafka brokers more than {@code
     * log.message.timestamp.after.max.ms} (one hour by default) ahead of their clock, and one such
     * record would push the watermark past every on-time record. For another bound, or none, use
     * {@link #FeatureVectorKafkaDeserializer(AvroRecordDecoder, Duration, Clock)}.
     */
    public FeatureVectorKafkaDeserializer(WireFormat format) {
        this(
                AvroRecordDecoder.of(FeatureVector.class, format),
                DEFAULT_MAX_EVENT_TIME_SKEW,
                Clock.systemUTC());
    }

    /**
     * @param decoder reads the bytes
     * @param maxEventTimeSkew records whose event time is further ahead of the clock go to the
     *     dead-letter path; {@code null} for no limit
     * @param clock the processing-time clock
     * @throws IllegalArgumentException when {@code maxEventTimeSkew} is negative
     */
    public FeatureVectorKafkaDeserializer(
            AvroRecordDecoder<FeatureVector> decoder, Duration maxEventTimeSkew, Clock clock) {
        if (maxEventTimeSkew != null && maxEventTimeSkew.isNegative()) {
            // It would dead-letter every record stamped now, and the ones before it.
            throw new IllegalArgumentException(
                    "maxEventTimeSkew must not be negative: " + maxEventTimeSkew);
        }
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.maxEventTimeSkew = maxEventTimeSkew;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        decoded = context.getMetricGroup().counter("decodedRecords");
        undecodable = context.getMetricGroup().counter("undecodableRecords");
        invalidEventTimes = context.getMetricGroup().counter("invalidEventTimes");
    }

    @Override
    public void deserialize(
            ConsumerRecord<byte[], byte[]> record, Collector<SourcedFeatureVector> out) {
        SourcedFeatureVector sourced = new SourcedFeatureVector();
        sourced.topic = record.topic();
        sourced.partition = record.partition();
        sourced.offset = record.offset();
        sourced.timestamp = record.timestamp();
        sourced.key = record.key();
        sourced.payload = record.value();
        sourced.headers = headers(record);
        try {
            FeatureVector vector = decoder.decode(record.value());
            checkEventTime(vector);
            sourced.vector = vector;
            if (decoded != null) {
                decoded.inc();
            }
        } catch (UndecodableRecordException e) {
            Counter counter =
                    e instanceof InvalidEventTimeException ? invalidEventTimes : undecodable;
            if (counter != null) {
                counter.inc();
            }
            Throwable error = e.getCause() != null ? e.getCause() : e;
            sourced.deadLetter = deadLetter(sourced, e.getMessage()).error(error).build();
        }
        out.collect(sourced);
    }

    /**
     * Refuses event times no window can take: before the epoch, after the year 9999, or so far
     * ahead of the clock that the watermark they push would make every on-time record late. Checked
     * here, before the source's watermark generator sees the record.
     */
    private void checkEventTime(FeatureVector vector) throws InvalidEventTimeException {
        Instant eventTime = vector.getEventTime();
        if (eventTime.toEpochMilli() < 0) {
            throw new InvalidEventTimeException(
                    "event_time "
                            + eventTime.toEpochMilli()
                            + " ("
                            + eventTime
                            + ") is before 1970-01-01T00:00:00Z; event times must not be"
                            + " negative");
        }
        if (eventTime.isAfter(LATEST_EVENT_TIME)) {
            throw new InvalidEventTimeException(
                    "event_time "
                            + eventTime.toEpochMilli()
                            + " ("
                            + eventTime
                            + ") is after "
                            + LATEST_EVENT_TIME
                            + "; event times must be before the year 10000"
                            + finerUnitReading(eventTime.toEpochMilli()));
        }
        if (maxEventTimeSkew != null) {
            checkNotAheadOfClock(eventTime, clock.instant(), maxEventTimeSkew);
        }
    }

    /**
     * The instant an event time past the year 9999 is in the finer unit that puts it before the
     * year 10000. A producer whose schema says {@code timestamp-micros} or {@code timestamp-nanos}
     * writes records of the job's own fingerprint (logical types are not in it), so nothing but
     * their event times, 1000 or a million times too large, tells them apart; the instant they were
     * meant to be is what the producer's owner recognizes. The SQL job's reasons end with it too:
     * its plain Avro has no fingerprint at all.
     *
     * @param millis an event time after 9999-12-31T23:59:59.999Z, in milliseconds
     * @return the reading, in parentheses after a space, to end a reason with
     * @throws IllegalArgumentException when {@code millis} is not after the year 9999: a time
     *     already before the year 10000 has no finer reading to name
     */
    public static String finerUnitReading(long millis) {
        if (millis <= LATEST_EVENT_TIME.toEpochMilli()) {
            throw new IllegalArgumentException(
                    "millis must be after "
                            + LATEST_EVENT_TIME
                            + " ("
                            + LATEST_EVENT_TIME.toEpochMilli()
                            + "): "
                            + millis);
        }
        boolean micros = millis <= LATEST_EVENT_TIME.toEpochMilli() * 1000 + 999;
        Instant reading =
                micros
                        ? Instant.EPOCH.plus(millis, ChronoUnit.MICROS)
                        : Instant.EPOCH.plusNanos(millis);
        String unit = micros ? "micros" : "nanos";
        return " (event_time is timestamp-millis; read as "
                + unit
                + "econds, as a timestamp-"
                + unit
                + " producer writes it, it is "
                + reading
                + ")";
    }

    /**
     * Refuses an event time more than {@code maxEventTimeSkew} ahead of {@code now} (to the
     * millisecond), the clock when its record is read, with the reason its dead letter gives: the
     * watermark it would push would make every on-time record late. The SQL job checks its records
     * with it too.
     *
     * @throws InvalidEventTimeException when {@code eventTime} is further ahead
     */
    public static void checkNotAheadOfClock(
            Instant eventTime, Instant now, Duration maxEventTimeSkew)
            throws InvalidEventTimeException {
        // To the millisecond, as event times are: the verdict is the same for a skew of whole
        // milliseconds, and the reason's count is more than the skew it names (from a clock of
        // microseconds, 300000.5 ms ahead read as 300000).
        Instant clockMillis = now.truncatedTo(ChronoUnit.MILLIS);
        Duration ahead = Duration.between(clockMillis, eventTime);
        if (ahead.compareTo(maxEventTimeSkew) > 0) {
            throw new InvalidEventTimeException(
                    "event_time "
                            + eventTime
                            + " is "
                            + ahead.toMillis()
                            + "ms ahead of the clock ("
                            + clockMillis
                            + "), more than the allowed skew of "
                            + maxEventTimeSkew.toMillis()
                            + "ms; it would push the watermark past every on-time record");
        }
    }

    /** A dead letter for {@code sourced} with its bytes, coordinates, key and headers. */
    public static DeadLetters.Builder deadLetter(SourcedFeatureVector sourced, String reason) {
        return DeadLetters.builder(sourced.payload, reason)
                .source(sourced.topic, sourced.partition, sourced.offset)
                .timestamp(sourced.timestamp)
                .key(sourced.key)
                .headers(sourced.headers == null ? List.of() : List.of(sourced.headers));
    }

    private static DeadLetterHeader[] headers(ConsumerRecord<byte[], byte[]> record) {
        Header[] headers = record.headers().toArray();
        if (headers.length == 0) {
            return null;
        }
        List<DeadLetterHeader> copies = new ArrayList<>(headers.length);
        for (Header header : headers) {
            copies.add(
                    new DeadLetterHeader(
                            header.key(),
                            header.value() == null ? null : ByteBuffer.wrap(header.value())));
        }
        return copies.toArray(new DeadLetterHeader[0]);
    }

    @Override
    public TypeInformation<SourcedFeatureVector> getProducedType() {
        return TypeInformation.of(SourcedFeatureVector.class);
    }
}
