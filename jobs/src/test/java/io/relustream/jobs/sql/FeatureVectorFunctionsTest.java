package io.relustream.jobs.sql;

import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordDecoder;
import io.relustream.formats.AvroRecordEncoder;
import io.relustream.formats.WireFormat;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SQL job's decoding functions, called as Flink calls them and through Flink's planner. */
class FeatureVectorFunctionsTest {

    /** 2023-11-14T22:13:21.234Z. */
    private static final long T = 1_700_000_001_234L;

    private static final FeatureVector VECTOR =
            FeatureVector.newBuilder()
                    .setId("v-1")
                    .setEventTime(Instant.ofEpochMilli(T))
                    .setGroup("layer1")
                    .setValues(List.of(-1.5, 0.0, Double.NaN, Double.POSITIVE_INFINITY))
                    .build();

    private static final byte[] PLAIN =
            AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO).encode(VECTOR);

    @Test
    void plainAvroDecodesIntoTheRowWithItsEventTimeInUtc() {
        Row row = new FeatureVectorFunctions.Decode().eval(PLAIN);

        assertThat(row.getField(0)).isEqualTo("v-1");
        assertThat(row.getField(1)).isEqualTo(LocalDateTime.parse("2023-11-14T22:13:21.234"));
        assertThat(row.getField(2)).isEqualTo("layer1");
        assertThat((Double[]) row.getField(3))
                .containsExactly(-1.5, 0.0, Double.NaN, Double.POSITIVE_INFINITY);
        assertThat(new FeatureVectorFunctions.EventTime().eval(PLAIN))
                .isEqualTo(LocalDateTime.parse("2023-11-14T22:13:21.234"));
        assertThat(new FeatureVectorFunctions.UndecodableReason().eval(PLAIN)).isNull();
        assertThat(
                        new FeatureVectorFunctions.DeadLetterBytes()
                                .eval(PLAIN, null, "features-avro", 0, 7L, Instant.ofEpochMilli(T)))
                .isNull();
    }

    @Test
    void bytesThatDoNotDecodeHaveNoRowTheEarliestEventTimeAndAReason() {
        byte[] truncated = Arrays.copyOf(PLAIN, PLAIN.length - 1);
        byte[] singleObject =
                AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .encode(VECTOR);
        for (byte[] bad :
                Arrays.asList(null, new byte[0], new byte[] {1, 2, 3, (byte) 0xFF}, truncated)) {
            String bytes = Arrays.toString(bad);
            assertThat(new FeatureVectorFunctions.Decode().eval(bad)).as(bytes).isNull();
            assertThat(new FeatureVectorFunctions.EventTime().eval(bad))
                    .as(bytes)
                    .isEqualTo(LocalDateTime.parse("0000-01-01T00:00:00"));
        }
        // 0x01 is the zig-zag varint -1, read as the length of the first field, id; after it the
        // decoder is at byte 1.
        assertThat(
                        new FeatureVectorFunctions.UndecodableReason()
                                .eval(new byte[] {1, 2, 3, (byte) 0xFF}))
                .isEqualTo(
                        "payload is not valid Avro: FeatureVector.id at byte 1: negative length"
                                + " -1");
        // PLAIN is 51 bytes: id 1 + 3, event_time a 6-byte varint, group 1 + 6, values a block
        // count at byte 17, 4 doubles at bytes 18 to 49 and the end-of-array count at byte 50,
        // the one byte the truncated copy lacks.
        assertThat(PLAIN).hasSize(51);
        assertThat(new FeatureVectorFunctions.UndecodableReason().eval(truncated))
                .isEqualTo(
                        "payload is truncated: FeatureVector.values needs 1 more byte at byte 50"
                                + " but the payload ends at byte 50");
        assertThat(new FeatureVectorFunctions.UndecodableReason().eval(null))
                .isEqualTo("payload is null (a tombstone), not a FeatureVector record");
        assertThat(new FeatureVectorFunctions.UndecodableReason().eval(new byte[0]))
                .isEqualTo("payload is empty (0 bytes), not a FeatureVector record in avro format");
        // The activation job's default format, which this job's input must not be in.
        assertThat(new FeatureVectorFunctions.UndecodableReason().eval(singleObject))
                .endsWith(
                        "; it starts with C3 01, the marker of the avro-single-object format, but"
                                + " is read as plain avro");
    }

    @Test
    void eventTimesOutsideTheYearsOfSqlTimestampsAreDeadLetters() throws Exception {
        // The first and last millisecond of SQL's TIMESTAMP(3), 0000-01-01 and 9999-12-31.
        long first = -62_167_219_200_000L;
        long last = 253_402_300_799_999L;
        // Without a skew: with one, the year 9999 is far ahead of the clock.
        for (long fits : new long[] {first, last}) {
            byte[] payload = plain(fits);
            assertThat(new FeatureVectorFunctions.UndecodableReason(null).eval(payload)).isNull();
            assertThat(new FeatureVectorFunctions.EventTime(null).eval(payload))
                    .isEqualTo(
                            LocalDateTime.ofEpochSecond(
                                            Math.floorDiv(fits, 1000), 0, ZoneOffset.UTC)
                                    .plusNanos(Math.floorMod(fits, 1000) * 1_000_000L));
        }
        // Before: Long.MAX_VALUE was counted in a window from the year -1701532 to +1705471.
        for (long outside : new long[] {first - 1, last + 1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            byte[] payload = plain(outside);
            String at = String.valueOf(outside);
            assertThat(new FeatureVectorFunctions.Decode().eval(payload)).as(at).isNull();
            assertThat(new FeatureVectorFunctions.EventTime().eval(payload))
                    .as(at)
                    .isEqualTo(FeatureVectorFunctions.NO_EVENT_TIME);
            DeadLetter letter =
                    AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                            .decode(
                                    new FeatureVectorFunctions.DeadLetterBytes()
                                            .eval(payload, null, "features-avro", 0, 1L, null));
            assertThat(bytes(letter.getPayload())).as(at).isEqualTo(payload);
            assertThat(letter.getErrorClass())
                    .as(at)
                    .isEqualTo("io.relustream.formats.InvalidEventTimeException");
            assertThat(letter.getReason())
                    .as(at)
                    .isEqualTo(
                            "event_time "
                                    + outside
                                    + " ("
                                    + OUTSIDE_INSTANTS.get(outside)
                                    + ") is outside the years 0000 to 9999 that SQL's"
                                    + " TIMESTAMP(3) holds"
                                    + FINER_READINGS.getOrDefault(outside, ""));
        }
        assertThat(new FeatureVectorFunctions.UndecodableReason().eval(plain(last + 1)))
                .isEqualTo(
                        "event_time 253402300800000 (+10000-01-01T00:00:00Z) is outside the years"
                                + " 0000 to 9999 that SQL's TIMESTAMP(3) holds (event_time is"
                                + " timestamp-millis; read as microseconds, as a timestamp-micros"
                                + " producer writes it, it is 1978-01-11T21:31:40.800Z)");
        // A plain-Avro producer whose schema says timestamp-micros writes the same bytes as one
        // of the job's own schema: 2023-11-14T22:13:21Z, 1700000001 s, in microseconds.
        assertThat(
                        new FeatureVectorFunctions.UndecodableReason()
                                .eval(plain(1_700_000_001_000_000L)))
                .isEqualTo(
                        "event_time 1700000001000000 (+55840-11-08T22:30:00Z) is outside the"
                                + " years 0000 to 9999 that SQL's TIMESTAMP(3) holds (event_time"
                                + " is timestamp-millis; read as microseconds, as a"
                                + " timestamp-micros producer writes it, it is"
                                + " 2023-11-14T22:13:21Z)");
    }

    /**
     * What the reasons of event times after the year 9999 end with: the instant in the finer unit
     * that puts it before the year 10000 (253402300800000 us is 253402300.8 s; Long.MAX_VALUE ns is
     * 9223372036.854775807 s). Times before the year 0000 have none.
     */
    private static final Map<Long, String> FINER_READINGS =
            Map.of(
                    253_402_300_800_000L,
                    " (event_time is timestamp-millis; read as microseconds, as a timestamp-micros"
                            + " producer writes it, it is 1978-01-11T21:31:40.800Z)",
                    Long.MAX_VALUE,
                    " (event_time is timestamp-millis; read as nanoseconds, as a timestamp-nanos"
                            + " producer writes it, it is 2262-04-11T23:47:16.854775807Z)");

    /** The instants as java.time writes them, for the reasons of the event times outside SQL's. */
    private static final Map<Long, String> OUTSIDE_INSTANTS =
            Map.of(
                    -62_167_219_200_001L,
                    "-0001-12-31T23:59:59.999Z",
                    253_402_300_800_000L,
                    "+10000-01-01T00:00:00Z",
                    Long.MIN_VALUE,
                    "-292275055-05-16T16:47:04.192Z",
                    Long.MAX_VALUE,
                    "+292278994-08-17T07:12:55.807Z");

    private static byte[] plain(long eventTime) {
        return AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO)
                .encode(
                        FeatureVector.newBuilder(VECTOR)
                                .setEventTime(Instant.ofEpochMilli(eventTime))
                                .build());
    }

    @Test
    void aDeadLetterHoldsTheBytesTheirKafkaRecordAndWhyInTheActivationJobsFormat()
            throws Exception {
        byte[] bad = {1, 2, 3, (byte) 0xFF};
        byte[] key = "k-1".getBytes(StandardCharsets.UTF_8);
        long before = System.currentTimeMillis();
        byte[] bytes =
                new FeatureVectorFunctions.DeadLetterBytes()
                        .eval(bad, key, "features-avro", 3, 42L, Instant.ofEpochMilli(T));
        long after = System.currentTimeMillis();

        // Read as the activation job's dead-letter topic is read: single-object Avro.
        DeadLetter letter =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT).decode(bytes);
        assertThat(bytes(letter.getPayload())).isEqualTo(bad);
        assertThat(bytes(letter.getKey())).isEqualTo(key);
        assertThat(letter.getTopic()).isEqualTo("features-avro");
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(42L);
        assertThat(letter.getTimestamp()).isEqualTo(Instant.ofEpochMilli(T));
        assertThat(letter.getHeaders()).isEmpty();
        assertThat(letter.getReason())
                .isEqualTo(new FeatureVectorFunctions.UndecodableReason().eval(bad));
        assertThat(letter.getReason())
                .isEqualTo(
                        "payload is not valid Avro: FeatureVector.id at byte 1: negative length"
                                + " -1");
        assertThat(letter.getErrorClass())
                .isEqualTo("io.relustream.formats.UndecodableRecordException");
        assertThat(letter.getErrorMessage()).isEqualTo(letter.getReason());
        assertThat(letter.getFailedAt().toEpochMilli()).isBetween(before, after);

        // A tombstone without a key: neither is made up.
        DeadLetter tombstone =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .decode(
                                new FeatureVectorFunctions.DeadLetterBytes()
                                        .eval(null, null, "features-avro", 0, 0L, null));
        assertThat(tombstone.getPayload()).isNull();
        assertThat(tombstone.getKey()).isNull();
        assertThat(tombstone.getTimestamp()).isNull();
        assertThat(tombstone.getReason())
                .isEqualTo("payload is null (a tombstone), not a FeatureVector record");
    }

    @Test
    void aRecordSizeBelowTheJobsFloorIsRefusedNamingTheParameterAndTheRange() throws Exception {
        // 0 and negative sizes shortened every dead letter to its reason and still wrote one
        // larger than the size: the producer refused it, and the job failed at the sink.
        for (int bad : new int[] {Integer.MIN_VALUE, -1, 0, 1, 65_535}) {
            String message =
                    "Invalid maxRecordBytes "
                            + bad
                            + ": must be 65536 to 2147483647 (the dead-letter producer's"
                            + " max.request.size, at least 64 KiB so that every dead letter fits"
                            + " in one record)";
            TableEnvironment tableEnv = BatchTables.create();
            assertThatThrownBy(() -> FeatureVectorFunctions.registerAll(tableEnv, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(message);
            // Refused before any function is registered.
            assertThat(tableEnv.listFunctions())
                    .doesNotContain("FEATURE_VECTOR", "feature_vector", "dead_letter");
            assertThatThrownBy(() -> new FeatureVectorFunctions.DeadLetterBytes(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(message);
        }
        // The bounds are taken: at 64 KiB a 100 KiB payload is left out, the letter fits; at
        // Integer.MAX_VALUE, Kafka's largest max.request.size, it is kept.
        FeatureVectorFunctions.registerAll(BatchTables.create(), 65_536);
        FeatureVectorFunctions.registerAll(BatchTables.create(), Integer.MAX_VALUE);
        byte[] large = new byte[100 * 1024];
        byte[] fitted =
                new FeatureVectorFunctions.DeadLetterBytes(65_536)
                        .eval(large, null, "features-avro", 0, 9L, null);
        assertThat(fitted.length).isLessThan(65_536);
        DeadLetter letter =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .decode(fitted);
        assertThat(letter.getPayload()).isNull();
        DeadLetter whole =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .decode(
                                new FeatureVectorFunctions.DeadLetterBytes(Integer.MAX_VALUE)
                                        .eval(large, null, "features-avro", 0, 9L, null));
        assertThat(bytes(whole.getPayload())).isEqualTo(large);
    }

    @Test
    void inSqlTheEventTimeOfBadBytesGivesAWatermarkBehindEveryGoodRecord() throws Exception {
        TableEnvironment tableEnv = BatchTables.create();
        FeatureVectorFunctions.registerAll(tableEnv);
        tableEnv.createTemporaryView(
                "payloads",
                tableEnv.fromValues(
                        DataTypes.ROW(DataTypes.FIELD("payload", DataTypes.BYTES())),
                        Row.of((Object) PLAIN),
                        Row.of((Object) new byte[] {1, 2, 3})));

        List<Row> rows = new ArrayList<>();
        // The script's watermark, 5s of out-of-orderness, over the rowtime column's expression.
        try (CloseableIterator<Row> it =
                tableEnv.executeSql(
                                "SELECT FEATURE_VECTOR(payload).`group`,"
                                        + " FEATURE_EVENT_TIME(payload) - INTERVAL '0"
                                        + " 00:00:05.000' DAY(3) TO SECOND(3) - INTERVAL '0"
                                        + " 00:00:00.001' DAY(3) TO SECOND(3),"
                                        + " UNDECODABLE_REASON(payload) IS NULL"
                                        + " FROM payloads")
                        .collect()) {
            it.forEachRemaining(rows::add);
        }

        assertThat(rows).hasSize(2);
        Row good = rows.get(0).getField(2).equals(true) ? rows.get(0) : rows.get(1);
        Row bad = good == rows.get(0) ? rows.get(1) : rows.get(0);
        assertThat(good.getField(0)).isEqualTo("layer1");
        // 22:13:21.234 - 5s - 1ms.
        assertThat(good.getField(1)).isEqualTo(LocalDateTime.parse("2023-11-14T22:13:16.233"));
        assertThat(bad.getField(0)).isNull();
        // Before 1970 too: a bad record does not make a good one before the epoch late.
        assertThat((LocalDateTime) bad.getField(1))
                .isBefore(LocalDateTime.parse("0000-01-01T00:00:00"));
    }

    /** 2026-03-01T12:00:00Z, the clock of the skew tests. */
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static final Duration SKEW = Duration.ofMinutes(5);

    @Test
    void eventTimesMoreThanTheSkewAheadOfTheClockAreDeadLettersWithTheActivationJobsReason()
            throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        // At the skew ahead, and anything before: taken.
        for (Instant taken : List.of(NOW.plus(SKEW), NOW, NOW.minus(Duration.ofDays(400)))) {
            byte[] payload = plain(taken.toEpochMilli());
            assertThat(new FeatureVectorFunctions.UndecodableReason(SKEW, clock).eval(payload))
                    .as(taken.toString())
                    .isNull();
            assertThat(new FeatureVectorFunctions.EventTime(SKEW, clock).eval(payload))
                    .isEqualTo(LocalDateTime.ofInstant(taken, ZoneOffset.UTC));
        }
        // A millisecond further, and a year ahead: dead letters.
        Instant justBeyond = NOW.plus(SKEW).plusMillis(1);
        Instant yearAhead = NOW.plus(Duration.ofDays(365));
        for (Instant ahead : List.of(justBeyond, yearAhead)) {
            byte[] payload = plain(ahead.toEpochMilli());
            assertThat(new FeatureVectorFunctions.Decode(SKEW, clock).eval(payload)).isNull();
            assertThat(new FeatureVectorFunctions.EventTime(SKEW, clock).eval(payload))
                    .isEqualTo(FeatureVectorFunctions.NO_EVENT_TIME);
            DeadLetter letter =
                    AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                            .decode(
                                    new FeatureVectorFunctions.DeadLetterBytes(65_536, SKEW, clock)
                                            .eval(payload, null, "features-avro", 0, 3L, null));
            assertThat(letter.getReason())
                    .isEqualTo(
                            new FeatureVectorFunctions.UndecodableReason(SKEW, clock)
                                    .eval(payload));
        }
        assertThat(
                        new FeatureVectorFunctions.UndecodableReason(SKEW, clock)
                                .eval(plain(justBeyond.toEpochMilli())))
                .isEqualTo(
                        "event_time 2026-03-01T12:05:00.001Z is 300001ms ahead of the clock"
                                + " (2026-03-01T12:00:00Z), more than the allowed skew of"
                                + " 300000ms; it would push the watermark past every on-time"
                                + " record");
        assertThat(
                        new FeatureVectorFunctions.UndecodableReason(SKEW, clock)
                                .eval(plain(yearAhead.toEpochMilli())))
                // 365 days of 86,400,000 ms; no 29 February lies between.
                .isEqualTo(
                        "event_time 2027-03-01T12:00:00Z is 31536000000ms ahead of the clock"
                                + " (2026-03-01T12:00:00Z), more than the allowed skew of"
                                + " 300000ms; it would push the watermark past every on-time"
                                + " record");
        // The functions registerAll and CREATE FUNCTION make take 5 minutes, as the jobs.
        byte[] yearAheadOfTheSystemClock =
                plain(Instant.now().plus(Duration.ofDays(365)).toEpochMilli());
        assertThat(new FeatureVectorFunctions.UndecodableReason().eval(yearAheadOfTheSystemClock))
                .contains("more than the allowed skew of 300000ms");
    }

    @Test
    void createFunctionOfEachClassTakesTheDefaultsOfOneMebibyteAndFiveMinutes() throws Exception {
        // The README's names of the classes, for a job of one's own without registerAll.
        TableEnvironment tableEnv = BatchTables.create();
        for (String statement :
                List.of(
                        "CREATE TEMPORARY SYSTEM FUNCTION FEATURE_VECTOR AS"
                                + " 'io.relustream.jobs.sql.FeatureVectorFunctions$Decode'",
                        "CREATE TEMPORARY SYSTEM FUNCTION FEATURE_EVENT_TIME AS"
                                + " 'io.relustream.jobs.sql.FeatureVectorFunctions$EventTime'",
                        "CREATE TEMPORARY SYSTEM FUNCTION UNDECODABLE_REASON AS"
                            + " 'io.relustream.jobs.sql.FeatureVectorFunctions$UndecodableReason'",
                        "CREATE TEMPORARY SYSTEM FUNCTION DEAD_LETTER AS"
                            + " 'io.relustream.jobs.sql.FeatureVectorFunctions$DeadLetterBytes'")) {
            tableEnv.executeSql(statement);
        }
        byte[] yearAhead = plain(Instant.now().plus(Duration.ofDays(365)).toEpochMilli());
        // Larger than 1 MiB, and no FeatureVector: its dead letter must leave the bytes out.
        byte[] large = new byte[1024 * 1024 + 1];
        Arrays.fill(large, (byte) 0xFF);
        tableEnv.createTemporaryView(
                "payloads",
                tableEnv.fromValues(
                        DataTypes.ROW(
                                DataTypes.FIELD("id", DataTypes.INT()),
                                DataTypes.FIELD("payload", DataTypes.BYTES())),
                        Row.of(1, PLAIN),
                        Row.of(2, yearAhead),
                        Row.of(3, large)));

        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                tableEnv.executeSql(
                                "SELECT id, FEATURE_VECTOR(payload).`group`,"
                                        + " FEATURE_EVENT_TIME(payload),"
                                        + " UNDECODABLE_REASON(payload),"
                                        + " DEAD_LETTER(payload, CAST(NULL AS BYTES),"
                                        + " 'features-avro', 0, CAST(id AS BIGINT),"
                                        + " CAST(NULL AS TIMESTAMP_LTZ(3)))"
                                        + " FROM payloads")
                        .collect()) {
            it.forEachRemaining(rows::add);
        }
        rows.sort((a, b) -> Integer.compare((Integer) a.getField(0), (Integer) b.getField(0)));

        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).getField(1)).isEqualTo("layer1");
        assertThat(rows.get(0).getField(2))
                .isEqualTo(LocalDateTime.parse("2023-11-14T22:13:21.234"));
        assertThat(rows.get(0).getField(3)).isNull();
        assertThat(rows.get(0).getField(4)).isNull();
        AvroRecordDecoder<DeadLetter> letters =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT);
        // A year ahead of the clock: more than the default 5 minutes.
        assertThat(rows.get(1).getField(1)).isNull();
        assertThat(rows.get(1).getField(2)).isEqualTo(FeatureVectorFunctions.NO_EVENT_TIME);
        assertThat((String) rows.get(1).getField(3))
                .contains("more than the allowed skew of 300000ms");
        assertThat(letters.decode((byte[]) rows.get(1).getField(4)).getReason())
                .isEqualTo(rows.get(1).getField(3));
        // A dead letter of at most 1 MiB: the payload left out, and the reason saying so.
        byte[] letter = (byte[]) rows.get(2).getField(4);
        assertThat(letter.length).isLessThan(1024 * 1024);
        DeadLetter cut = letters.decode(letter);
        assertThat(cut.getPayload()).isNull();
        assertThat(cut.getOffset()).isEqualTo(3L);
        assertThat(cut.getReason())
                .startsWith((String) rows.get(2).getField(3))
                .contains("(max.request.size=1048576)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    FEATURE_VECTOR()                                | FEATURE_VECTOR(payload => BYTES)
                    FEATURE_VECTOR(payload, payload)                | FEATURE_VECTOR(payload => BYTES)
                    FEATURE_EVENT_TIME(payload, 1)                  | FEATURE_EVENT_TIME(payload => BYTES)
                    UNDECODABLE_REASON()                            | UNDECODABLE_REASON(payload => BYTES)
                    DEAD_LETTER(payload)                            | DEAD_LETTER(payload => BYTES, key => BYTES, topic => STRING, partition => INT, offset => BIGINT, timestamp => TIMESTAMP_LTZ(3))
                    DEAD_LETTER(payload, payload, 't', 0, 1, ts, 1) | DEAD_LETTER(payload => BYTES, key => BYTES, topic => STRING, partition => INT, offset => BIGINT, timestamp => TIMESTAMP_LTZ(3))
                    """)
    void aWrongNumberOfArgumentsFailsAtPlanningNamingTheArguments(String call, String signature) {
        // The arguments are named by the eval methods (Flink's static arguments), which is what
        // lets a call name them; the planner then checks the count itself and lists them. The
        // library's functions, whose arguments take several types, have no such names.
        assertThatThrownBy(() -> functionsAndPayloads().explainSql("SELECT " + call + " FROM t"))
                .isInstanceOf(ValidationException.class)
                .hasMessageEndingWith("Supported signatures are:\n" + signature);
    }

    @Test
    void namedArgumentsInAnyOrderGiveWhatTheArgumentsInTheirOrderGive() throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                functionsAndPayloads()
                        .executeSql(
                                // key, partition, offset and timestamp are reserved words.
                                // The 7 is cast: Flink 2.2 takes a named INT for a BIGINT
                                // but its code generation then fails ("Mismatch of function's
                                // argument data type 'BIGINT' and actual argument type 'INT NOT
                                // NULL'"), where it casts the same 7 given in its place.
                                "SELECT UNDECODABLE_REASON(payload => payload),"
                                        + " DEAD_LETTER(`timestamp` => ts,"
                                        + " `offset` => CAST(7 AS BIGINT),"
                                        + " `partition` => 2, topic => 'in',"
                                        + " `key` => CAST(NULL AS BYTES), payload => payload)"
                                        + " FROM t")
                        .collect()) {
            it.forEachRemaining(rows::add);
        }

        assertThat(rows).hasSize(1);
        DeadLetter letter =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .decode((byte[]) rows.get(0).getField(1));
        assertThat(letter.getTopic()).isEqualTo("in");
        assertThat(letter.getPartition()).isEqualTo(2);
        assertThat(letter.getOffset()).isEqualTo(7L);
        assertThat(letter.getTimestamp()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(letter.getKey()).isNull();
        assertThat(letter.getReason()).isEqualTo(rows.get(0).getField(0)).isNotNull();
    }

    @Test
    void aNamedArgumentOfANarrowerTypeFailsInFlinksCodeGenerationAsTheReadmeSays() {
        // Flink 2.2 takes the INT at planning, where it would cast it given in its place, and
        // then fails generating the call: the README says to cast such an argument.
        assertThatThrownBy(
                        () -> {
                            try (CloseableIterator<Row> it =
                                    functionsAndPayloads()
                                            .executeSql(
                                                    "SELECT DEAD_LETTER(payload => payload,"
                                                            + " `key` => CAST(NULL AS BYTES),"
                                                            + " topic => 'in', `partition` => 2,"
                                                            + " `offset` => 7, `timestamp` => ts)"
                                                            + " FROM t")
                                            .collect()) {
                                it.forEachRemaining(row -> {});
                            }
                        })
                .hasStackTraceContaining(
                        "Mismatch of function's argument data type 'BIGINT' and actual argument"
                                + " type 'INT NOT NULL'");
    }

    /** The functions, and a view {@code t} of one payload that does not decode, 00. */
    private static TableEnvironment functionsAndPayloads() {
        TableEnvironment tableEnv = BatchTables.create();
        FeatureVectorFunctions.registerAll(tableEnv);
        tableEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        tableEnv.executeSql(
                "CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES (X'00',"
                        + " CAST(TIMESTAMP '2026-01-01 00:00:00' AS TIMESTAMP_LTZ(3))))"
                        + " AS v(payload, ts)");
        return tableEnv;
    }

    @Test
    void aNegativeSkewIsRefusedNamingTheParameter() {
        assertThatThrownBy(
                        () ->
                                FeatureVectorFunctions.registerAll(
                                        BatchTables.create(), 65_536, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxEventTimeSkew must not be negative: PT-1S");
    }

    /** The clock reads of {@link ThreadClock}: the name of the thread of each. */
    private static final Queue<String> CLOCK_READS = new ConcurrentLinkedQueue<>();

    /** {@link #NOW}, noting the thread that reads it; one of them is as good as another. */
    private static final class ThreadClock extends Clock implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Instant instant() {
            CLOCK_READS.add(Thread.currentThread().getName());
            return NOW;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ThreadClock;
        }

        @Override
        public int hashCode() {
            return ThreadClock.class.hashCode();
        }
    }

    @Test
    void theClockIsReadOncePerRecordWhileTheQueryRunsNotWhenItIsPlanned() throws Exception {
        CLOCK_READS.clear();
        TableEnvironment tableEnv = BatchTables.create();
        Clock clock = new ThreadClock();
        tableEnv.createTemporarySystemFunction(
                "FEATURE_EVENT_TIME", new FeatureVectorFunctions.EventTime(SKEW, clock));
        tableEnv.createTemporarySystemFunction(
                "UNDECODABLE_REASON", new FeatureVectorFunctions.UndecodableReason(SKEW, clock));
        Instant[] times = {NOW, NOW.plus(SKEW).plusMillis(1), NOW.minusSeconds(1)};
        List<String> calls = new ArrayList<>();
        for (Instant time : times) {
            String payload = "X'" + HexFormat.of().formatHex(plain(time.toEpochMilli())) + "'";
            calls.add("FEATURE_EVENT_TIME(" + payload + ")");
            calls.add("UNDECODABLE_REASON(" + payload + ")");
        }

        Row row;
        // Of literals: a deterministic function of them would be folded into a constant as the
        // query is planned, with the clock of that moment for every run of the plan.
        try (CloseableIterator<Row> it =
                tableEnv.executeSql("SELECT " + String.join(", ", calls)).collect()) {
            row = it.next();
        }

        assertThat(row.getField(0)).isEqualTo(LocalDateTime.parse("2026-03-01T12:00:00"));
        assertThat(row.getField(1)).isNull();
        assertThat(row.getField(2)).isEqualTo(FeatureVectorFunctions.NO_EVENT_TIME);
        assertThat((String) row.getField(3)).startsWith("event_time 2026-03-01T12:05:00.001Z is");
        assertThat(row.getField(4)).isEqualTo(LocalDateTime.parse("2026-03-01T11:59:59"));
        assertThat(row.getField(5)).isNull();
        // Once per record for both functions, by the task, not by the planner on this thread.
        assertThat(CLOCK_READS).hasSize(3).doesNotContain(Thread.currentThread().getName());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
