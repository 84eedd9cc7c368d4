package io.relustream.formats;

import io.relustream.activation.Activations;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.DeadLetterHeader;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.FeatureVectorActivator;
import io.relustream.operators.InvalidValuePolicy;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureVectorKafkaDeserializerTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration SKEW = Duration.ofMinutes(5);

    // The reasons of event-time dead letters, written out here as a user reads them.

    /** The reason for a negative event time. */
    private static String negativeReason(long eventTime) {
        return "event_time "
                + eventTime
                + " ("
                + Instant.ofEpochMilli(eventTime)
                + ") is before 1970-01-01T00:00:00Z; event times must not be negative";
    }

    /**
     * The reason for an event time after the year 9999, which names the instant it is when read in
     * the finer unit that puts it before the year 10000 ({@code unit}, {@code asUnit}).
     */
    private static String afterYear9999Reason(Instant eventTime, String unit, String asUnit) {
        return "event_time "
                + eventTime.toEpochMilli()
                + " ("
                + eventTime
                + ") is after 9999-12-31T23:59:59.999Z; event times must be before the year 10000"
                + " (event_time is timestamp-millis; read as "
                + unit
                + ", as a timestamp-"
                + unit.substring(0, unit.length() - "seconds".length())
                + "s producer writes it, it is "
                + asUnit
                + ")";
    }

    /**
     * A clock of microseconds against event times of milliseconds: half a millisecond past 12:00,
     * 12:05:00.001 is 300000.5 ms ahead, more than 300000; 12:05:00.000 is not. The reason counts
     * from the clock's millisecond, as event times do, so that the number it gives is more than the
     * skew it names.
     */
    @Test
    void theReasonForAnEventTimeAheadOfAClockOfMicrosecondsGivesMoreThanTheSkew()
            throws InvalidEventTimeException {
        Instant now = Instant.parse("2026-03-01T12:00:00.000500Z");
        Duration skew = Duration.ofMinutes(5);

        assertThatThrownBy(
                        () ->
                                FeatureVectorKafkaDeserializer.checkNotAheadOfClock(
                                        Instant.parse("2026-03-01T12:05:00.001Z"), now, skew))
                .isInstanceOf(InvalidEventTimeException.class)
                .hasMessage(
                        "event_time 2026-03-01T12:05:00.001Z is 300001ms ahead of the clock"
                                + " (2026-03-01T12:00:00Z), more than the allowed skew of"
                                + " 300000ms; it would push the watermark past every on-time"
                                + " record");
        FeatureVectorKafkaDeserializer.checkNotAheadOfClock(
                Instant.parse("2026-03-01T12:05:00Z"), now, skew);
    }

    /** The reason for an event time too far ahead of the clock. */
    private static String aheadReason(Instant eventTime, Instant now, Duration skew) {
        return "event_time "
                + eventTime
                + " is "
                + Duration.between(now, eventTime).toMillis()
                + "ms ahead of the clock ("
                + now
                + "), more than the allowed skew of "
                + skew.toMillis()
                + "ms; it would push the watermark past every on-time record";
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("trace", "t-1".getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>(
                "features",
                3,
                42L,
                1_234L,
                TimestampType.CREATE_TIME,
                key == null ? -1 : key.length,
                value == null ? -1 : value.length,
                key,
                value,
                headers,
                Optional.empty());
    }

    private static SourcedFeatureVector deserialize(ConsumerRecord<byte[], byte[]> record) {
        return deserialize(
                new FeatureVectorKafkaDeserializer(WireFormat.AVRO_SINGLE_OBJECT), record);
    }

    private static SourcedFeatureVector deserialize(
            FeatureVectorKafkaDeserializer deserializer, ConsumerRecord<byte[], byte[]> record) {
        List<SourcedFeatureVector> out = new ArrayList<>();
        deserializer.deserialize(
                record,
                new Collector<>() {
                    @Override
                    public void collect(SourcedFeatureVector value) {
                        out.add(value);
                    }

                    @Override
                    public void close() {}
                });
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void decodesGoodRecordsKeepingTheirCoordinates() {
        FeatureVector vector =
                FeatureVector.newBuilder()
                        .setId("r1")
                        .setEventTime(Instant.ofEpochMilli(5))
                        .setGroup("g")
                        .setValues(List.of(1.0))
                        .build();
        byte[] value =
                AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .encode(vector);
        SourcedFeatureVector sourced = deserialize(record("k".getBytes(), value));
        assertThat(sourced.vector).isEqualTo(vector);
        assertThat(sourced.deadLetter).isNull();
        assertThat(sourced.topic).isEqualTo("features");
        assertThat(sourced.partition).isEqualTo(3);
        assertThat(sourced.offset).isEqualTo(42L);
        assertThat(sourced.timestamp).isEqualTo(1_234L);
        assertThat(sourced.key).isEqualTo("k".getBytes());
        assertThat(sourced.payload).isEqualTo(value);
        assertThat(sourced.coordinates()).isEqualTo("features/3@42");
        assertThat(sourced.headers).hasSize(1);
    }

    @Test
    void turnsBadBytesIntoADeadLetterThatLosesNothing() {
        byte[] garbage = {1, 2, 3};
        SourcedFeatureVector sourced = deserialize(record("key".getBytes(), garbage));
        assertThat(sourced.vector).isNull();
        DeadLetter letter = sourced.deadLetter;
        assertThat(letter.getPayload()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("key".getBytes()));
        assertThat(letter.getTopic()).isEqualTo("features");
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(42L);
        assertThat(letter.getTimestamp()).isEqualTo(Instant.ofEpochMilli(1_234L));
        assertThat(letter.getHeaders())
                .containsExactly(
                        new DeadLetterHeader(
                                "trace", ByteBuffer.wrap("t-1".getBytes(StandardCharsets.UTF_8))));
        assertThat(letter.getReason())
                .isEqualTo(
                        "payload does not start with the Avro single-object marker C3 01 (found 01"
                                + " 02): it is not a FeatureVector record in avro-single-object"
                                + " format");
        assertThat(letter.getErrorClass()).isEqualTo(UndecodableRecordException.class.getName());
    }

    @Test
    void stringsThatAreNotUtf8AreDeadLetteredNamingTheField() {
        byte[] payload =
                encode(
                        FeatureVector.newBuilder()
                                .setId("r1")
                                .setEventTime(Instant.ofEpochMilli(5))
                                .setGroup("layer-0")
                                .setValues(List.of(1.0))
                                .build());
        // The header's 10 bytes, the id's length and "r1", the event time's byte, the group's
        // length: "layer-0" starts at byte 15; its "-" becomes a byte no UTF-8 holds.
        assertThat(payload[20]).isEqualTo((byte) '-');
        payload[20] = (byte) 0xFF;

        SourcedFeatureVector sourced = deserialize(record("k".getBytes(), payload));

        assertThat(sourced.vector).isNull();
        assertThat(sourced.deadLetter.getPayload()).isEqualTo(ByteBuffer.wrap(payload));
        assertThat(sourced.deadLetter.getReason())
                .isEqualTo(
                        "payload is not valid Avro: FeatureVector.group at byte 20: the string is"
                                + " not valid UTF-8 (byte FF), and would be read with U+FFFD"
                                + " replacement characters");
    }

    @Test
    void deadLetterHeadersCanBeAddedAndRemovedAsOnAvrosOwnLists() throws Exception {
        DeadLetter letter = deserialize(record("key".getBytes(), new byte[] {1, 2, 3})).deadLetter;
        DeadLetterHeader retry =
                new DeadLetterHeader(
                        "retry", ByteBuffer.wrap("1".getBytes(StandardCharsets.UTF_8)));
        letter.getHeaders().add(retry);
        letter.getHeaders().remove(0);
        DeadLetter none = DeadLetters.builder(new byte[] {4}, "no headers").build();
        none.getHeaders().add(retry);

        for (DeadLetter changed : List.of(letter, none)) {
            byte[] bytes =
                    AvroRecordEncoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                            .encode(changed);
            assertThat(
                            AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                                    .decode(bytes)
                                    .getHeaders())
                    .containsExactly(
                            new DeadLetterHeader(
                                    "retry",
                                    ByteBuffer.wrap("1".getBytes(StandardCharsets.UTF_8))));
        }
    }

    @Test
    void tombstonesAreDeadLetteredToo() {
        SourcedFeatureVector sourced = deserialize(record(null, null));
        assertThat(sourced.deadLetter.getPayload()).isNull();
        assertThat(sourced.deadLetter.getKey()).isNull();
        assertThat(sourced.deadLetter.getReason())
                .isEqualTo("payload is null (a tombstone), not a FeatureVector record");
    }

    @Test
    void decodedValuesGrowAndShrinkAsAvrosOwnListsDo() {
        FeatureVector vector =
                FeatureVector.newBuilder()
                        .setId("r1")
                        .setEventTime(Instant.ofEpochMilli(5))
                        .setGroup("g")
                        .setValues(List.of(1.0, -2.0, 3.0))
                        .build();
        FeatureVector decoded = deserialize(record(null, encode(vector))).vector;
        List<Double> values = decoded.getValues();

        values.add(4.5); // 1, -2, 3, 4.5
        values.remove(0); // -2, 3, 4.5
        values.add(0, -0.25); // -0.25, -2, 3, 4.5
        values.addAll(List.of(6.0, 7.0)); // -0.25, -2, 3, 4.5, 6, 7
        values.remove(Double.valueOf(3.0)); // -0.25, -2, 4.5, 6, 7
        values.set(1, 8.0); // -0.25, 8, 4.5, 6, 7
        assertThat(values).containsExactly(-0.25, 8.0, 4.5, 6.0, 7.0);

        FeatureVector again = deserialize(record(null, encode(decoded))).vector;
        assertThat(again.getValues()).containsExactly(-0.25, 8.0, 4.5, 6.0, 7.0);
        // The activation reads the grown list's values, and no slot beyond them.
        FeatureVectorActivator.Outcome outcome =
                new FeatureVectorActivator(Activations.relu(), InvalidValuePolicy.PROPAGATE, true)
                        .activate(again);
        assertThat(outcome.output().getActivations()).containsExactly(0.0, 8.0, 4.5, 6.0, 7.0);
        assertThat(outcome.output().getDerivatives()).containsExactly(0.0, 1.0, 1.0, 1.0, 1.0);

        List<Double> shrunk = again.getValues();
        shrunk.clear();
        assertThat(deserialize(record(null, encode(again))).vector.getValues()).isEmpty();
        shrunk.addAll(List.of(1.5, -1.5));
        shrunk.remove(1);
        assertThat(deserialize(record(null, encode(again))).vector.getValues())
                .containsExactly(1.5);
    }

    @Test
    void opensCountersForDecodedAndUndecodableRecordsAndInvalidEventTimes() {
        Context context = new Context();

        skewed(SKEW).open(context);

        assertThat(context.metrics.get("decodedRecords")).isInstanceOf(Counter.class);
        assertThat(context.count("decodedRecords")).isZero();
        assertThat(context.metrics.get("undecodableRecords")).isInstanceOf(Counter.class);
        assertThat(context.metrics.get("invalidEventTimes")).isInstanceOf(Counter.class);
        assertThat(context.count("undecodableRecords")).isZero();
        assertThat(context.count("invalidEventTimes")).isZero();
    }

    @Test
    void countsUndecodableRecordsApartFromInvalidEventTimes() {
        Context context = new Context();
        FeatureVectorKafkaDeserializer deserializer = skewed(SKEW);
        deserializer.open(context);

        deserialize(deserializer, record(null, new byte[] {1, 2, 3}));
        deserialize(deserializer, record(null, null));
        deserialize(deserializer, record(null, encode(vector(NOW))));

        assertThat(context.count("undecodableRecords")).isEqualTo(2);
        assertThat(context.count("invalidEventTimes")).isZero();
        assertThat(context.count("decodedRecords")).isEqualTo(1);
    }

    @Test
    void leavesRecordsUpToTheSkewAheadOfTheClockUntouched() {
        Context context = new Context();
        FeatureVectorKafkaDeserializer deserializer = skewed(SKEW);
        deserializer.open(context);

        for (Instant eventTime :
                List.of(
                        Instant.EPOCH,
                        NOW.minus(Duration.ofDays(3650)),
                        NOW.minusMillis(1),
                        NOW,
                        NOW.plus(SKEW).minusMillis(1),
                        NOW.plus(SKEW))) {
            FeatureVector vector = vector(eventTime);
            byte[] value = encode(vector);

            SourcedFeatureVector sourced = deserialize(deserializer, record("k".getBytes(), value));

            assertThat(sourced.vector).isEqualTo(vector);
            assertThat(sourced.deadLetter).isNull();
            assertThat(sourced.payload).isEqualTo(value);
            assertThat(sourced.coordinates()).isEqualTo("features/3@42");
        }
        assertThat(context.count("invalidEventTimes")).isZero();
        assertThat(context.count("undecodableRecords")).isZero();
        assertThat(context.count("decodedRecords")).isEqualTo(6);
    }

    @Test
    void deadLettersNegativeEventTimes() {
        Context context = new Context();
        FeatureVectorKafkaDeserializer deserializer = skewed(SKEW);
        deserializer.open(context);
        byte[] value = encode(vector(Instant.ofEpochMilli(-1)));

        SourcedFeatureVector sourced = deserialize(deserializer, record("k".getBytes(), value));

        assertThat(sourced.vector).isNull();
        DeadLetter letter = sourced.deadLetter;
        assertThat(letter.getReason())
                .isEqualTo(negativeReason(-1))
                .isEqualTo(
                        "event_time -1 (1969-12-31T23:59:59.999Z) is before"
                                + " 1970-01-01T00:00:00Z; event times must not be negative");
        assertThat(letter.getErrorClass()).isEqualTo(InvalidEventTimeException.class.getName());
        assertThat(letter.getPayload()).isEqualTo(ByteBuffer.wrap(value));
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("k".getBytes()));
        assertThat(letter.getTopic()).isEqualTo("features");
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(42L);
        assertThat(letter.getTimestamp()).isEqualTo(Instant.ofEpochMilli(1_234L));
        assertThat(context.count("invalidEventTimes")).isEqualTo(1);
        assertThat(context.count("undecodableRecords")).isZero();

        deserialize(deserializer, record(null, encode(vector(Instant.ofEpochMilli(-86_400_000)))));
        assertThat(context.count("invalidEventTimes")).isEqualTo(2);
    }

    @Test
    void deadLettersEventTimesMoreThanTheSkewAheadOfTheClock() {
        Context context = new Context();
        FeatureVectorKafkaDeserializer deserializer = skewed(SKEW);
        deserializer.open(context);
        Instant justBeyond = NOW.plus(SKEW).plusMillis(1);
        byte[] value = encode(vector(justBeyond));

        SourcedFeatureVector sourced = deserialize(deserializer, record(null, value));

        assertThat(sourced.vector).isNull();
        assertThat(sourced.deadLetter.getReason())
                .isEqualTo(aheadReason(justBeyond, NOW, SKEW))
                .isEqualTo(
                        "event_time 2026-03-01T12:05:00.001Z is 300001ms ahead of the clock"
                                + " (2026-03-01T12:00:00Z), more than the allowed skew of"
                                + " 300000ms; it would push the watermark past every on-time"
                                + " record");
        assertThat(sourced.deadLetter.getErrorClass())
                .isEqualTo(InvalidEventTimeException.class.getName());
        assertThat(sourced.deadLetter.getPayload()).isEqualTo(ByteBuffer.wrap(value));
        assertThat(context.count("invalidEventTimes")).isEqualTo(1);
        assertThat(context.count("undecodableRecords")).isZero();

        Instant farAhead = NOW.plus(Duration.ofDays(365));
        assertThat(
                        deserialize(deserializer, record(null, encode(vector(farAhead))))
                                .deadLetter
                                .getReason())
                .isEqualTo(aheadReason(farAhead, NOW, SKEW));
        assertThat(context.count("invalidEventTimes")).isEqualTo(2);
    }

    @Test
    void theSkewIsMeasuredFromTheClockAtEachRecord() {
        Instant[] now = {NOW};
        Clock moving =
                new Clock() {
                    @Override
                    public ZoneOffset getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(ZoneId zone) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public Instant instant() {
                        return now[0];
                    }
                };
        FeatureVectorKafkaDeserializer deserializer =
                new FeatureVectorKafkaDeserializer(
                        AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT),
                        SKEW,
                        moving);
        byte[] value = encode(vector(NOW.plus(SKEW).plusSeconds(1)));

        assertThat(deserialize(deserializer, record(null, value)).vector).isNull();
        now[0] = NOW.plusSeconds(1);
        assertThat(deserialize(deserializer, record(null, value)).vector)
                .isEqualTo(vector(NOW.plus(SKEW).plusSeconds(1)));
    }

    @Test
    void refusesANegativeSkew() {
        assertThatThrownBy(() -> skewed(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxEventTimeSkew must not be negative: PT-5S");
        // No skew at all is allowed: nothing ahead of the clock, the clock's own millisecond is.
        FeatureVectorKafkaDeserializer none = skewed(Duration.ZERO);
        assertThat(deserialize(none, record(null, encode(vector(NOW)))).vector)
                .isEqualTo(vector(NOW));
        assertThat(deserialize(none, record(null, encode(vector(NOW.plusMillis(1))))).deadLetter)
                .extracting(DeadLetter::getReason)
                .isEqualTo(
                        "event_time 2026-03-01T12:00:00.001Z is 1ms ahead of the clock"
                                + " (2026-03-01T12:00:00Z), more than the allowed skew of 0ms; it"
                                + " would push the watermark past every on-time record");
    }

    @Test
    void withoutASkewOnlyNegativeEventTimesAreDeadLettered() {
        Context context = new Context();
        FeatureVectorKafkaDeserializer deserializer = skewed(null);
        deserializer.open(context);
        Instant farAhead = NOW.plus(Duration.ofDays(3650));

        assertThat(deserialize(deserializer, record(null, encode(vector(farAhead)))).vector)
                .isEqualTo(vector(farAhead));
        assertThat(deserialize(deserializer, record(null, encode(vector(Instant.EPOCH)))).vector)
                .isEqualTo(vector(Instant.EPOCH));
        assertThat(
                        deserialize(
                                        deserializer,
                                        record(null, encode(vector(Instant.ofEpochMilli(-1)))))
                                .deadLetter
                                .getReason())
                .isEqualTo(negativeReason(-1));
        assertThat(context.count("invalidEventTimes")).isEqualTo(1);
    }

    /**
     * The format constructor bounds event times as the job does by default: at most 5 minutes ahead
     * of the system clock. Without a bound it took any up to the year 9999, whose outputs, stamped
     * with their event time, a Kafka 4.2 broker refuses more than an hour ahead ({@code
     * log.message.timestamp.after.max.ms}).
     */
    @Test
    void theFormatConstructorDeadLettersEventTimesMoreThan5MinutesAheadOfTheSystemClock() {
        FeatureVectorKafkaDeserializer deserializer =
                new FeatureVectorKafkaDeserializer(WireFormat.AVRO_SINGLE_OBJECT);
        assertThat(FeatureVectorKafkaDeserializer.DEFAULT_MAX_EVENT_TIME_SKEW)
                .isEqualTo(Duration.ofMinutes(5));

        // In whole milliseconds, as a record's event time is.
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant sixMinutesAhead = before.plus(Duration.ofMinutes(6));
        Instant tenYearsAhead = before.plus(Duration.ofDays(3650));
        Instant fourMinutesAhead = before.plus(Duration.ofMinutes(4));
        SourcedFeatureVector six =
                deserialize(deserializer, record(null, encode(vector(sixMinutesAhead))));
        SourcedFeatureVector ten =
                deserialize(deserializer, record(null, encode(vector(tenYearsAhead))));
        SourcedFeatureVector four =
                deserialize(deserializer, record(null, encode(vector(fourMinutesAhead))));
        Instant after = Instant.now();

        for (SourcedFeatureVector refused : List.of(six, ten)) {
            assertThat(refused.vector).isNull();
            String reason = refused.deadLetter.getReason();
            // The clock's reading, as the reason gives it: the system clock's, during the calls.
            Instant clock =
                    Instant.parse(
                            reason.substring(
                                    reason.indexOf("clock (") + 7, reason.indexOf("), more")));
            assertThat(clock).isBetween(before, after);
            Instant eventTime = refused == six ? sixMinutesAhead : tenYearsAhead;
            assertThat(reason).isEqualTo(aheadReason(eventTime, clock, Duration.ofMinutes(5)));
        }
        assertThat(four.vector).isEqualTo(vector(fourMinutesAhead));
        SourcedFeatureVector negative =
                deserialize(deserializer, record(null, encode(vector(Instant.ofEpochMilli(-5)))));
        assertThat(negative.vector).isNull();
        assertThat(negative.deadLetter.getReason()).isEqualTo(negativeReason(-5));
    }

    @Test
    void eventTimesAfterTheYear9999AreDeadLetteredWithOrWithoutAClock() {
        // 253402300800000 ms is 10000-01-01T00:00:00Z; Long.MAX_VALUE ms would overflow a window's
        // end (start + size).
        Instant lastTaken = Instant.ofEpochMilli(253_402_300_799_999L);
        List<FeatureVectorKafkaDeserializer> deserializers =
                List.of(
                        new FeatureVectorKafkaDeserializer(WireFormat.AVRO_SINGLE_OBJECT),
                        skewed(null),
                        skewed(SKEW));

        // Read in microseconds, 253402300800000 is 253402300.8 s after the epoch; in nanoseconds,
        // Long.MAX_VALUE is 9223372036.854775807 s, the last instant a timestamp-nanos holds.
        Map<Long, String> reasons =
                Map.of(
                        253_402_300_800_000L,
                        afterYear9999Reason(
                                Instant.ofEpochMilli(253_402_300_800_000L),
                                "microseconds",
                                "1978-01-11T21:31:40.800Z"),
                        Long.MAX_VALUE,
                        afterYear9999Reason(
                                Instant.ofEpochMilli(Long.MAX_VALUE),
                                "nanoseconds",
                                "2262-04-11T23:47:16.854775807Z"));

        for (FeatureVectorKafkaDeserializer deserializer : deserializers) {
            for (long millis : reasons.keySet()) {
                Instant eventTime = Instant.ofEpochMilli(millis);
                SourcedFeatureVector refused =
                        deserialize(deserializer, record(null, encode(vector(eventTime))));
                assertThat(refused.vector).isNull();
                assertThat(refused.deadLetter.getReason()).isEqualTo(reasons.get(millis));
            }
        }
        // Only without a skew is the year 9999 itself taken.
        assertThat(deserialize(skewed(null), record(null, encode(vector(lastTaken)))).vector)
                .isEqualTo(vector(lastTaken));
    }

    @Test
    void worksWithoutOpenLikeBefore() {
        FeatureVector vector = vector(NOW);

        assertThat(deserialize(skewed(SKEW), record(null, encode(vector))).vector)
                .isEqualTo(vector);
        assertThat(deserialize(skewed(SKEW), record(null, new byte[] {1})).deadLetter.getReason())
                .isEqualTo(
                        "payload does not start with the Avro single-object marker C3 01 (found"
                                + " 01): it is not a FeatureVector record in avro-single-object"
                                + " format");
    }

    /** A producer's FeatureVector in its own namespace, with the job's fields. */
    private static final Schema ACME =
            new Schema.Parser()
                    .parse(
                            """
                            {"type": "record", "name": "FeatureVector", "namespace": "com.acme",
                             "fields": [
                               {"name": "id", "type": "string"},
                               {"name": "event_time",
                                "type": {"type": "long", "logicalType": "timestamp-millis"}},
                               {"name": "group", "type": "string"},
                               {"name": "values", "type": {"type": "array", "items": "double"}}
                             ]}
                            """);

    private static byte[] acmeRecord() {
        GenericRecord record = new GenericData.Record(ACME);
        record.put("id", "acme-1");
        record.put("event_time", NOW.toEpochMilli() - 1_000L);
        record.put("group", "layer-3");
        record.put("values", List.of(-0.25, 4.0, Double.NaN));
        try {
            ByteBuffer buffer =
                    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), ACME).encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Where the reading turns from microseconds to nanoseconds: the last microsecond of the year
     * 9999, 253402300799999999, is read as one; a microsecond more is 253402300.8 s, read as
     * nanoseconds. A time not after the year 9999 has no reading to name.
     */
    @Test
    void finerUnitReadingTurnsToNanosecondsPastTheLastMicrosecondOfTheYear9999() {
        assertThat(FeatureVectorKafkaDeserializer.finerUnitReading(253_402_300_799_999_999L))
                .isEqualTo(
                        " (event_time is timestamp-millis; read as microseconds, as a"
                                + " timestamp-micros producer writes it, it is"
                                + " 9999-12-31T23:59:59.999999Z)");
        assertThat(FeatureVectorKafkaDeserializer.finerUnitReading(253_402_300_800_000_000L))
                .isEqualTo(
                        " (event_time is timestamp-millis; read as nanoseconds, as a"
                                + " timestamp-nanos producer writes it, it is"
                                + " 1978-01-11T21:31:40.800Z)");
        assertThatThrownBy(
                        () -> FeatureVectorKafkaDeserializer.finerUnitReading(253_402_300_799_999L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "millis must be after 9999-12-31T23:59:59.999Z (253402300799999):"
                                + " 253402300799999");
    }

    /**
     * Producers whose schema says {@code timestamp-micros} or {@code timestamp-nanos}: logical
     * types are not in the fingerprint, so their records carry the job's own and are read, their
     * event times 1000 or a million times too large. Every such time after 1978 (micros) is past
     * the year 9999 read as milliseconds: the reason says which instant it is in the producer's
     * unit, so that the producer can be found and fixed.
     */
    @Test
    void recordsOfATimestampMicrosOrNanosProducerAreDeadLetteredNamingTheirInstantInThatUnit() {
        // 2026-03-01T11:59:00Z, a minute before the clock: 1772366340 s after the epoch.
        long seconds = 1_772_366_340L;
        String current = FeatureVector.getClassSchema().toString();
        for (String unit : List.of("micros", "nanos")) {
            Schema writer =
                    new Schema.Parser()
                            .parse(current.replace("timestamp-millis", "timestamp-" + unit));
            assertThat(SchemaNormalization.parsingFingerprint64(writer))
                    .isEqualTo(
                            SchemaNormalization.parsingFingerprint64(
                                    FeatureVector.getClassSchema()));
            long written = unit.equals("micros") ? seconds * 1_000_000L : seconds * 1_000_000_000L;
            GenericData.Record record = new GenericData.Record(writer);
            record.put("id", "r-" + unit);
            record.put("event_time", written);
            record.put("group", "g");
            record.put("values", List.of(1.0));
            byte[] payload;
            try {
                ByteBuffer buffer =
                        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer)
                                .encode(record);
                payload = new byte[buffer.remaining()];
                buffer.get(payload);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }

            SourcedFeatureVector refused = deserialize(skewed(SKEW), record(null, payload));

            assertThat(refused.vector).isNull();
            assertThat(refused.deadLetter.getReason())
                    .isEqualTo(
                            afterYear9999Reason(
                                    Instant.ofEpochMilli(written),
                                    unit + "econds",
                                    "2026-03-01T11:59:00Z"));
        }
    }

    /**
     * A producer writing {@code com.acme.FeatureVector}: its fingerprint is not the job's, so
     * without its schema each record is dead-lettered with a reason that says what to give; given
     * the schema, as Avro resolves a record of the same name in any namespace, it is read.
     */
    @Test
    void readsRecordsOfAFeatureVectorInAnotherNamespaceOnceGivenItsSchema() {
        byte[] payload = acmeRecord();
        long fingerprint = SchemaNormalization.parsingFingerprint64(ACME);
        // The header holds the fingerprint little-endian: its bytes reversed are the hex long.
        StringBuilder headerReversed = new StringBuilder();
        for (int i = 9; i >= 2; i--) {
            headerReversed.append(String.format("%02x", payload[i]));
        }
        assertThat(headerReversed.toString()).isEqualTo(String.format("%016x", fingerprint));

        SourcedFeatureVector refused = deserialize(skewed(SKEW), record(null, payload));
        assertThat(refused.vector).isNull();
        assertThat(refused.deadLetter.getPayload()).isEqualTo(ByteBuffer.wrap(payload));
        assertThat(refused.deadLetter.getReason())
                .isEqualTo(
                        "unknown writer schema fingerprint "
                                + headerReversed
                                + " (SchemaNormalization.parsingFingerprint64 in hex; the header"
                                + " holds it little-endian): it is none of the FeatureVector"
                                + " versions this job knows (v1); give the job the producer's"
                                + " schema, a record named FeatureVector in any namespace"
                                + " (--writer-schemas, or AvroRecordDecoder.withWriterSchemas),"
                                + " or deploy a build that has it");

        FeatureVectorKafkaDeserializer given =
                new FeatureVectorKafkaDeserializer(
                        AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                                .withWriterSchemas(List.of(ACME)),
                        SKEW,
                        CLOCK);
        SourcedFeatureVector read = deserialize(given, record(null, payload));
        assertThat(read.deadLetter).isNull();
        assertThat(read.vector)
                .isEqualTo(
                        FeatureVector.newBuilder()
                                .setId("acme-1")
                                .setEventTime(Instant.parse("2026-03-01T11:59:59Z"))
                                .setGroup("layer-3")
                                .setValues(List.of(-0.25, 4.0, Double.NaN))
                                .build());
    }

    @Test
    void producesAPojoTypeSoNoKryoIsNeeded() {
        TypeInformation<SourcedFeatureVector> type =
                new FeatureVectorKafkaDeserializer(WireFormat.AVRO).getProducedType();
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
    }

    private static FeatureVectorKafkaDeserializer skewed(Duration skew) {
        return new FeatureVectorKafkaDeserializer(
                AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT),
                skew,
                CLOCK);
    }

    private static FeatureVector vector(Instant eventTime) {
        return FeatureVector.newBuilder()
                .setId("r1")
                .setEventTime(eventTime)
                .setGroup("g")
                .setValues(List.of(1.0, -2.0))
                .build();
    }

    private static byte[] encode(FeatureVector vector) {
        return AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                .encode(vector);
    }

    /** What a source hands its deserializer; the counters it creates can be read back. */
    private static final class Context implements DeserializationSchema.InitializationContext {
        final InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();

        @Override
        public MetricGroup getMetricGroup() {
            return metrics;
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(Context.class.getClassLoader());
        }

        long count(String counter) {
            return ((Counter) metrics.get(counter)).getCount();
        }
    }
}
