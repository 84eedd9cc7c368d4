package io.relustream.jobs.sql;

import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordDecoder;
import io.relustream.formats.AvroRecordEncoder;
import io.relustream.formats.DeadLetters;
import io.relustream.formats.FeatureVectorKafkaDeserializer;
import io.relustream.formats.InvalidEventTimeException;
import io.relustream.formats.UndecodableRecordException;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.OutputRecordSizes;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * The SQL job's decoding of Kafka record values, plain Avro binary {@code FeatureVector}s read as
 * raw bytes, by the project's own decoder (the activation job's {@code --format avro}): what bytes
 * that do not decode are never allowed to do is fail the job. Each function decodes on its own;
 * bytes decode the same way in all of them, and the functions of one record check its event time
 * against one reading of the clock (see {@link #registerAll(TableEnvironment, int, Duration)}).
 *
 * <pre>{@code
 * FeatureVectorFunctions.registerAll(tableEnv);
 * SELECT v.`group`, v.`values` FROM (SELECT FEATURE_VECTOR(payload) AS v FROM features)
 * WHERE v IS NOT NULL;
 * }</pre>
 */
public final class FeatureVectorFunctions {

    /**
     * The event time of a payload that does not decode: the earliest {@code TIMESTAMP(3)}, before
     * any record's, so that the watermark it gives is never ahead of one a good record gave.
     */
    public static final LocalDateTime NO_EVENT_TIME = LocalDateTime.of(0, 1, 1, 0, 0);

    private FeatureVectorFunctions() {}

    /**
     * Kafka's default {@code max.request.size}, 1 MiB: the largest dead letter {@code DEAD_LETTER}
     * writes unless told otherwise.
     */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

    /**
     * Registers the functions under their SQL names, as temporary system functions, for a
     * dead-letter producer of Kafka's default {@code max.request.size}; event times more than
     * {@link FeatureVectorKafkaDeserializer#DEFAULT_MAX_EVENT_TIME_SKEW} (5 minutes, the jobs'
     * default {@code --max-event-time-skew}) ahead of the clock are dead letters.
     */
    public static void registerAll(TableEnvironment tableEnv) {
        registerAll(tableEnv, DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * {@link #registerAll(TableEnvironment)} for a dead-letter producer whose {@code
     * max.request.size} is {@code maxRecordBytes}.
     *
     * @param maxRecordBytes 65536 ({@link JobOptions#MIN_MAX_REQUEST_SIZE}, room for any dead
     *     letter's reason, as the jobs require of {@code --kafka.max.request.size}) to {@code
     *     Integer.MAX_VALUE}
     * @throws IllegalArgumentException naming the parameter, the value and that range, before any
     *     function is registered
     */
    public static void registerAll(TableEnvironment tableEnv, int maxRecordBytes) {
        registerAll(
                tableEnv,
                maxRecordBytes,
                FeatureVectorKafkaDeserializer.DEFAULT_MAX_EVENT_TIME_SKEW);
    }

    /**
     * {@link #registerAll(TableEnvironment, int)} that dead-letters event times more than {@code
     * maxEventTimeSkew} ahead of the clock (the SQL job's {@code --max-event-time-skew}), as the
     * activation job does: one record stamped a year ahead would otherwise move the watermark a
     * year on, and every later record of the present would be late.
     *
     * @param maxEventTimeSkew not negative; {@code null} for no limit but the year 9999
     * @throws IllegalArgumentException for a {@code maxRecordBytes} below 65536 or a negative
     *     {@code maxEventTimeSkew}, before any function is registered
     */
    public static void registerAll(
            TableEnvironment tableEnv, int maxRecordBytes, Duration maxEventTimeSkew) {
        checkMaxRecordBytes(maxRecordBytes);
        checkSkew(maxEventTimeSkew);
        tableEnv.createTemporarySystemFunction("FEATURE_VECTOR", new Decode(maxEventTimeSkew));
        tableEnv.createTemporarySystemFunction(
                "FEATURE_EVENT_TIME", new EventTime(maxEventTimeSkew));
        tableEnv.createTemporarySystemFunction(
                "UNDECODABLE_REASON", new UndecodableReason(maxEventTimeSkew));
        tableEnv.createTemporarySystemFunction(
                "DEAD_LETTER", new DeadLetterBytes(maxRecordBytes, maxEventTimeSkew));
    }

    private static Duration checkSkew(Duration maxEventTimeSkew) {
        if (maxEventTimeSkew != null && maxEventTimeSkew.isNegative()) {
            // It would dead-letter every record stamped now, and the ones before it.
            throw new IllegalArgumentException(
                    "maxEventTimeSkew must not be negative: " + maxEventTimeSkew);
        }
        return maxEventTimeSkew;
    }

    private static int checkMaxRecordBytes(int maxRecordBytes) {
        if (maxRecordBytes < JobOptions.MIN_MAX_REQUEST_SIZE) {
            // Smaller, a letter cut to its reason still would not fit: the producer refuses it.
            throw new IllegalArgumentException(
                    "Invalid maxRecordBytes "
                            + maxRecordBytes
                            + ": must be "
                            + JobOptions.MIN_MAX_REQUEST_SIZE
                            + " to "
                            + Integer.MAX_VALUE
                            + " (the dead-letter producer's max.request.size, at least 64 KiB so"
                            + " that every dead letter fits in one record)");
        }
        return maxRecordBytes;
    }

    /**
     * The latest event time a record may have, 9999-12-31T23:59:59.999Z: the end of SQL's {@code
     * TIMESTAMP(3)}. The earliest is {@link #NO_EVENT_TIME}, its start.
     */
    static final Instant LATEST_EVENT_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

    private static AvroRecordDecoder<FeatureVector> decoder() {
        return AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO);
    }

    /**
     * A function that decodes the payload and checks its event time. With a skew it reads the
     * clock, so it is not deterministic: the planner must neither fold it into a constant nor reuse
     * one result for another row, and every record is checked against the clock when it is read,
     * also in a job restored or planned again.
     */
    abstract static class Decoding extends ScalarFunction {
        private static final long serialVersionUID = 1L;

        private final AvroRecordDecoder<FeatureVector> decoder = decoder();
        private final Duration maxEventTimeSkew;
        private final Clock clock;

        Decoding(Duration maxEventTimeSkew, Clock clock) {
            this.maxEventTimeSkew = checkSkew(maxEventTimeSkew);
            this.clock = clock;
        }

        /**
         * The record, or why not: bytes that do not decode, an event time outside SQL's {@code
         * TIMESTAMP(3)}, years 0000 to 9999 (beyond them the window arithmetic overflows: a record
         * at the largest timestamp-millis was counted in a window from the year -1701532 to
         * +1705471, and so may the watermark), or one more than the skew ahead of the clock.
         */
        final FeatureVector decode(byte[] payload) throws UndecodableRecordException {
            FeatureVector vector = decoder.decode(payload);
            Instant eventTime = vector.getEventTime();
            if (eventTime.isBefore(NO_EVENT_TIME.toInstant(ZoneOffset.UTC))
                    || eventTime.isAfter(LATEST_EVENT_TIME)) {
                throw new InvalidEventTimeException(
                        "event_time "
                                + eventTime.toEpochMilli()
                                + " ("
                                + eventTime
                                + ") is outside the years 0000 to 9999 that SQL's TIMESTAMP(3)"
                                + " holds"
                                // Plain Avro has no fingerprint to tell a timestamp-micros or
                                // -nanos producer by: the instant meant is what finds it.
                                + (eventTime.isAfter(LATEST_EVENT_TIME)
                                        ? FeatureVectorKafkaDeserializer.finerUnitReading(
                                                eventTime.toEpochMilli())
                                        : ""));
            }
            if (maxEventTimeSkew != null) {
                FeatureVectorKafkaDeserializer.checkNotAheadOfClock(
                        eventTime, ClockReading.of(clock, payload), maxEventTimeSkew);
            }
            return vector;
        }

        @Override
        public boolean isDeterministic() {
            return maxEventTimeSkew == null;
        }
    }

    /**
     * One clock reading per record for all the functions: each decodes on its own (the watermark
     * generator, the windows' filter and the dead letters' each call one), and a record that a
     * reading a moment later would take could otherwise be left out of the windows and out of the
     * dead letters too, or be in both. Flink evaluates all of them for a record in the task thread
     * that reads it (the source and the calculations chained to it), before the next record; so a
     * thread's last reading is the record's while the payload is the same bytes. The same bytes
     * again as the next record take the same reading: the same verdict for the same record.
     */
    private static final class ClockReading {
        private static final ThreadLocal<ClockReading> LAST = new ThreadLocal<>();

        private final Clock clock;
        private final byte[] payload;
        private final Instant now;

        private ClockReading(Clock clock, byte[] payload, Instant now) {
            this.clock = clock;
            this.payload = payload;
            this.now = now;
        }

        static Instant of(Clock clock, byte[] payload) {
            ClockReading last = LAST.get();
            if (last != null && last.clock.equals(clock) && Arrays.equals(last.payload, payload)) {
                return last.now;
            }
            Instant now = clock.instant();
            LAST.set(new ClockReading(clock, payload, now));
            return now;
        }
    }

    /**
     * {@code FEATURE_VECTOR(payload)}: the record as a ROW of its four fields, NULL when the bytes
     * do not decode or its event time is outside the years 0000 to 9999 or too far ahead of the
     * clock (see {@code UNDECODABLE_REASON}).
     */
    public static final class Decode extends Decoding {
        private static final long serialVersionUID = 1L;

        /** Event times more than 5 minutes ahead of the system clock are refused. */
        public Decode() {
            this(FeatureVectorKafkaDeserializer.DEFAULT_MAX_EVENT_TIME_SKEW);
        }

        /** Event times more than {@code maxEventTimeSkew} ahead ({@code null}: any) are refused. */
        public Decode(Duration maxEventTimeSkew) {
            this(maxEventTimeSkew, Clock.systemUTC());
        }

        Decode(Duration maxEventTimeSkew, Clock clock) {
            super(maxEventTimeSkew, clock);
        }

        private transient Counter decodedRecords;

        /**
         * Counts the records it decodes under the name the activation job's source counts them in,
         * {@code deserializer.decodedRecords} of the operator that calls it: the alert on a job
         * that reads nothing then covers this job, which has no activation operator.
         */
        @Override
        public void open(FunctionContext context) {
            decodedRecords =
                    context.getMetricGroup().addGroup("deserializer").counter("decodedRecords");
        }

        public @DataTypeHint(
                "ROW<id STRING NOT NULL, event_time TIMESTAMP(3) NOT NULL, `group` STRING NOT NULL,"
                        + " `values` ARRAY<DOUBLE NOT NULL> NOT NULL>") Row eval(byte[] payload) {
            FeatureVector vector;
            try {
                vector = decode(payload);
            } catch (UndecodableRecordException e) {
                return null;
            }
            // Not opened: called outside a running query, which has no metrics.
            if (decodedRecords != null) {
                decodedRecords.inc();
            }
            return Row.of(
                    vector.getId(),
                    utc(vector.getEventTime()),
                    vector.getGroup(),
                    vector.getValues().toArray(new Double[0]));
        }
    }

    /**
     * {@code FEATURE_EVENT_TIME(payload)}: the record's {@code event_time} (UTC), never NULL, for a
     * rowtime column; {@link #NO_EVENT_TIME} when the bytes do not decode or the record is a dead
     * letter for its event time, so that the watermark never sees one too far ahead.
     */
    public static final class EventTime extends Decoding {
        private static final long serialVersionUID = 1L;

        /** Event times more than 5 minutes ahead of the system clock are refused. */
        public EventTime() {
            this(FeatureVectorKafkaDeserializer.DEFAULT_MAX_EVENT_TIME_SKEW);
        }

        /** Event times more than {@code maxEventTimeSkew} ahead ({@code null}: any) are refused. */
        public EventTime(Duration maxEventTimeSkew) {
            this(maxEventTimeSkew, Clock.systemUTC());
        }

        EventTime(Duration maxEventTimeSkew, Clock clock) {
            super(maxEventTimeSkew, clock);
        }

        public @DataTypeHint("TIMESTAMP(3) NOT NULL") LocalDateTime eval(byte[] payload) {
            try {
                return utc(decode(payload).getEventTime());
            } catch (UndecodableRecordException e) {
                return NO_EVENT_TIME;
            }
        }
    }

    /**
     * {@code UNDECODABLE_REASON(payload)}: why the bytes are not a FeatureVector the job takes, as
     * a dead letter's {@code reason} says it; NULL when they are one.
     */
    public static final class UndecodableReason extends Decoding {
        private static final long serialVersionUID = 1L;

        /** Event times more than 5 minutes ahead of the system clock are refused. */
        public UndecodableReason() {
            this(FeatureVectorKafkaDeserializer.DEFAULT_MAX_EVENT_TIME_SKEW);
        }

        /** Event times more than {@code maxEventTimeSkew} ahead ({@code null}: any) are refused. */
        public UndecodableReason(Duration maxEventTimeSkew) {
            this(maxEventTimeSkew, Clock.systemUTC());
        }

        UndecodableReason(Duration maxEventTimeSkew, Clock clock) {
            super(maxEventTimeSkew, clock);
        }

        public String eval(byte[] payload) {
            try {
                decode(payload);
                return null;
            } catch (UndecodableRecordException e) {
                return e.getMessage();
            }
        }
    }

    /**
     * {@code DEAD_LETTER(payload, key, topic, partition, offset, timestamp)}: the {@code
     * DeadLetter} of a payload that is no FeatureVector the job takes (bytes that do not decode, or
     * an event time out of range or too far ahead of the clock: see {@code UNDECODABLE_REASON}), in
     * single-object Avro (as the activation job writes its dead letters), with the payload, key and
     * Kafka coordinates, the reason, the error and the time it failed; NULL when the payload is one
     * the job takes. A letter that would not fit in one Kafka record of the producer's {@code
     * max.request.size} leaves out the payload, and if need be the key and headers, as the
     * activation job's do: its reason says so and where to read the record.
     */
    public static final class DeadLetterBytes extends Decoding {
        private static final long serialVersionUID = 1L;

        private final int maxRecordBytes;

        /**
         * For a producer of Kafka's default {@code max.request.size}, 1 MiB, and event times up to
         * 5 minutes ahead of the system clock.
         */
        public DeadLetterBytes() {
            this(DEFAULT_MAX_RECORD_BYTES);
        }

        /**
         * For a producer whose {@code max.request.size} is {@code maxRecordBytes}, and event times
         * up to 5 minutes ahead of the system clock.
         *
         * @throws IllegalArgumentException when {@code maxRecordBytes} is not 65536 to {@code
         *     Integer.MAX_VALUE}, as {@link FeatureVectorFunctions#registerAll(TableEnvironment,
         *     int)}
         */
        public DeadLetterBytes(int maxRecordBytes) {
            this(maxRecordBytes, FeatureVectorKafkaDeserializer.DEFAULT_MAX_EVENT_TIME_SKEW);
        }

        /**
         * For a producer whose {@code max.request.size} is {@code maxRecordBytes}, and event times
         * up to {@code maxEventTimeSkew} ahead of the system clock ({@code null}: any).
         */
        public DeadLetterBytes(int maxRecordBytes, Duration maxEventTimeSkew) {
            this(maxRecordBytes, maxEventTimeSkew, Clock.systemUTC());
        }

        DeadLetterBytes(int maxRecordBytes, Duration maxEventTimeSkew, Clock clock) {
            super(maxEventTimeSkew, clock);
            this.maxRecordBytes = checkMaxRecordBytes(maxRecordBytes);
        }

        private final AvroRecordEncoder<DeadLetter> encoder =
                AvroRecordEncoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT);

        private transient Counter undecodableRecords;
        private transient Counter invalidEventTimes;

        /**
         * Counts the letters under the names of the activation job's source, {@code
         * deserializer.undecodableRecords} and {@code deserializer.invalidEventTimes} of the
         * operator that calls it: the alert on that job's dead letters then covers this job's too.
         */
        @Override
        public void open(FunctionContext context) {
            MetricGroup deserializer = context.getMetricGroup().addGroup("deserializer");
            undecodableRecords = deserializer.counter("undecodableRecords");
            invalidEventTimes = deserializer.counter("invalidEventTimes");
        }

        public byte[] eval(
                byte[] payload,
                byte[] key,
                String topic,
                Integer partition,
                Long offset,
                @DataTypeHint("TIMESTAMP_LTZ(3)") Instant timestamp) {
            try {
                decode(payload);
                return null;
            } catch (UndecodableRecordException e) {
                Counter counter =
                        e instanceof InvalidEventTimeException
                                ? invalidEventTimes
                                : undecodableRecords;
                // Not opened: called outside a running query, which has no metrics.
                if (counter != null) {
                    counter.inc();
                }
                // As the activation job's source: the underlying error, where there is one.
                Throwable error = e.getCause() != null ? e.getCause() : e;
                DeadLetters.Builder letter =
                        DeadLetters.builder(payload, e.getMessage()).key(key).error(error);
                if (topic != null && partition != null && offset != null) {
                    letter.source(topic, partition, offset);
                }
                if (timestamp != null) {
                    letter.timestamp(timestamp.toEpochMilli());
                }
                return encoder.encode(
                        OutputRecordSizes.fittingDeadLetter(letter.build(), maxRecordBytes));
            }
        }

        /** Each call stamps its {@code failed_at}. */
        @Override
        public boolean isDeterministic() {
            return false;
        }
    }

    private static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
