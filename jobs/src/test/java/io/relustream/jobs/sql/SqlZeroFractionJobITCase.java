package io.relustream.jobs.sql;

import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordDecoder;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.KafkaTopics;
import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * The SQL example end to end: plain-Avro FeatureVectors on a real in-process Kafka broker, the
 * job's script run bounded on a Flink MiniCluster, its JSON output read back and held against a
 * plain calculation of the zero fractions per group and window.
 */
class SqlZeroFractionJobITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Aligned to a 10-second window: 2023-11-14T22:13:20Z. */
    private static final long T0 = 1_700_000_000_000L;

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    private static EmbeddedKafka kafka;
    private static KafkaTopics topics;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        topics = new KafkaTopics(kafka.bootstrapServers());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    /**
     * Two groups over three windows, on two partitions (group a on 0, b on 1); within a partition
     * some records are out of event-time order, by less than the 5s out-of-orderness.
     */
    private static List<FeatureVector> input() {
        List<FeatureVector> vectors = new ArrayList<>();
        vectors.add(vector("a-1", 1_000, "a", -1.0, 2.0, 0.0));
        vectors.add(vector("a-2", 4_000, "a", -0.5, 3.0, -2.0));
        vectors.add(vector("a-3", 2_500, "a", NAN, -1.0, 5.0));
        vectors.add(vector("a-4", 12_000, "a", 1.0, -INF, 0.0));
        vectors.add(vector("a-5", 18_000, "a", 2.0, -3.0, INF));
        vectors.add(vector("a-6", 15_000, "a", 0.5, -0.0, -4.0));
        vectors.add(vector("a-7", 21_000, "a", NAN, NAN, NAN));
        vectors.add(vector("b-1", 3_000, "b", 1.0, 1.0));
        vectors.add(vector("b-2", 7_000, "b", -1.0, 2.0));
        vectors.add(vector("b-3", 26_000, "b", -1.0, -1.0, 3.0, 0.25));
        vectors.add(vector("b-4", 24_000, "b", -2.0, 0.0));
        return vectors;
    }

    @Test
    void recordsThatDoNotDecodeBecomeDeadLettersAndTheOthersCountAsAlone() throws Exception {
        String in = "sql-mixed";
        String out = "sql-mixed-out";
        String dlq = "sql-mixed-dlq";
        kafka.createTopics(2, in);
        kafka.createTopics(1, out);
        kafka.createTopics(1, dlq);
        byte[] random = new byte[64];
        new Random(42).nextBytes(random);
        byte[] whole = plainAvro(vector("t", 5_000, "a", 1.0, -1.0, 2.0));
        byte[] truncated = Arrays.copyOf(whole, whole.length - 3);
        byte[] empty = new byte[0];
        // Each bad record among the good ones of a partition: first, in between and last; the
        // good ones are those of the other test, in the same order.
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(new ProducerRecord<>(in, 0, null, empty)); // 0@0, no key
        records.add(new ProducerRecord<>(in, 1, key("bad-random"), random)); // 1@0
        for (FeatureVector vector : input()) {
            int partition = vector.getGroup().equals("a") ? 0 : 1;
            records.add(
                    new ProducerRecord<>(
                            in, partition, key(vector.getId().toString()), plainAvro(vector)));
            if (vector.getId().toString().equals("a-3")) {
                records.add(new ProducerRecord<>(in, 0, key("bad-truncated"), truncated)); // 0@4
            }
        }
        records.add(
                new ProducerRecord<>(
                        in, 1, key("bad-last"), new byte[] {1, 2, 3, (byte) 0xFF})); // 1@5
        // A tombstone, which Flink's raw format reads as a NULL payload.
        records.add(new ProducerRecord<>(in, 1, key("tombstone"), null)); // 1@6
        topics.produce(records);

        long before = System.currentTimeMillis();
        TableResult result = bounded(in, out, 2, "--dlq-topic", dlq, "--window", "10s").run();
        long after = System.currentTimeMillis();

        // The same windows as the good records alone give (the other test's numbers).
        assertZeroFractions(out, input());
        // The producer's timestamps of the bad records, as the input topic holds them.
        Map<String, Long> timestamps = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(in)) {
            timestamps.put(record.partition() + "@" + record.offset(), record.timestamp());
        }

        AvroRecordDecoder<DeadLetter> letters =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT);
        Map<String, DeadLetter> byCoordinates = new TreeMap<>();
        Map<String, byte[]> keys = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(dlq)) {
            DeadLetter letter = letters.decode(record.value());
            String at = letter.getPartition() + "@" + letter.getOffset();
            assertThat(byCoordinates.put(at, letter)).as("one dead letter per record").isNull();
            keys.put(at, record.key());
            assertThat(letter.getTopic()).isEqualTo(in);
            assertThat(letter.getErrorClass())
                    .as(at)
                    .isEqualTo("io.relustream.formats.UndecodableRecordException");
            assertThat(letter.getErrorMessage()).as(at).isEqualTo(letter.getReason());
            assertThat(letter.getFailedAt().toEpochMilli()).as(at).isBetween(before, after);
            assertThat(letter.getTimestamp())
                    .as(at)
                    .isEqualTo(Instant.ofEpochMilli(timestamps.get(at)));
            // Stamped when it failed, by the producer: not the year 0 of its event time.
            assertThat(record.timestamp()).isGreaterThan(T0);
        }
        assertThat(byCoordinates.keySet()).containsExactly("0@0", "0@4", "1@0", "1@5", "1@6");
        assertThat(bytes(byCoordinates.get("0@0").getPayload())).isEqualTo(empty);
        assertThat(bytes(byCoordinates.get("0@4").getPayload())).isEqualTo(truncated);
        assertThat(bytes(byCoordinates.get("1@0").getPayload())).isEqualTo(random);
        assertThat(bytes(byCoordinates.get("1@5").getPayload()))
                .isEqualTo(new byte[] {1, 2, 3, (byte) 0xFF});
        assertThat(byCoordinates.get("0@0").getReason())
                .isEqualTo("payload is empty (0 bytes), not a FeatureVector record in avro format");
        assertThat(byCoordinates.get("0@0").getKey()).isNull();
        // "t" is 36 bytes: id 1 + 1, event_time a 6-byte varint, group 1 + 1, the count of values
        // at byte 10 and its doubles at bytes 11, 19 and 27, the end of the array at 35. Cut by 3,
        // it ends at byte 33, 6 bytes into values[2].
        assertThat(whole).hasSize(36);
        assertThat(byCoordinates.get("0@4").getReason())
                .isEqualTo(
                        "payload is truncated: FeatureVector.values[2] needs 8 more bytes at byte"
                                + " 27 but the payload ends at byte 33");
        // new Random(42).nextBytes starts with 0x35, the zig-zag varint -27.
        assertThat(byCoordinates.get("1@0").getReason())
                .isEqualTo(
                        "payload is not valid Avro: FeatureVector.id at byte 1: negative length"
                                + " -27");
        // 0x01 is the zig-zag varint -1, read as the length of the id.
        assertThat(byCoordinates.get("1@5").getReason())
                .isEqualTo(
                        "payload is not valid Avro: FeatureVector.id at byte 1: negative length"
                                + " -1");
        assertThat(byCoordinates.get("1@6").getPayload()).isNull();
        assertThat(byCoordinates.get("1@6").getReason())
                .isEqualTo("payload is null (a tombstone), not a FeatureVector record");
        assertThat(keys.get("0@0")).isNull();
        assertThat(bytes(byCoordinates.get("0@4").getKey())).isEqualTo(key("bad-truncated"));
        assertThat(keys.get("0@4")).isEqualTo(key("bad-truncated"));
        assertThat(keys.get("1@5")).isEqualTo(key("bad-last"));
        // Counted as the activation job's source counts them, so its alert covers this job.
        assertThat(deserializerCount(result, "undecodableRecords")).isEqualTo(5);
        assertThat(deserializerCount(result, "invalidEventTimes")).isZero();
        // Each good record once, though the query reads several fields of FEATURE_VECTOR's row.
        assertThat(deserializerCount(result, "decodedRecords")).isEqualTo(input().size());
    }

    /**
     * A deserializer counter of the run, {@code deserializer.decodedRecords} (FEATURE_VECTOR's),
     * {@code deserializer.undecodableRecords} or {@code deserializer.invalidEventTimes}
     * (DEAD_LETTER's), summed over its subtasks.
     */
    private static long deserializerCount(TableResult result, String name) {
        JobID job = result.getJobClient().orElseThrow().getJobID();
        return METRICS.findMetrics(job, name).entrySet().stream()
                .filter(metric -> metric.getKey().endsWith(".deserializer." + name))
                .mapToLong(metric -> ((Counter) metric.getValue()).getCount())
                .sum();
    }

    @Test
    void aRecordFarAheadOfTheClockIsADeadLetterAndTheRecordsAfterItStillCount() throws Exception {
        String in = "sql-skew";
        String out = "sql-skew-out";
        String dlq = "sql-skew-dlq";
        kafka.createTopics(1, in, out, dlq);
        Instant before = Instant.now();
        // Two windows of the present, a minute back, and between them a record a year ahead (a
        // producer's clock wrong by a year): in one partition, so that its watermark is theirs.
        long start = Math.floorDiv(before.toEpochMilli() - 60_000, 10_000) * 10_000 - T0;
        long yearAhead = before.plus(Duration.ofDays(365)).toEpochMilli() - T0;
        List<FeatureVector> present =
                List.of(
                        vector("now-1", start + 1_000, "a", 1.0, -1.0),
                        vector("now-2", start + 2_000, "a", 0.0, 2.0),
                        vector("now-3", start + 11_000, "a", -1.0, -2.0),
                        vector("now-4", start + 12_000, "a", 3.0, 0.5));
        FeatureVector ahead = vector("ahead", yearAhead, "a", 1.0, 1.0);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (FeatureVector vector : List.of(present.get(0), present.get(1), ahead)) {
            records.add(
                    new ProducerRecord<>(in, 0, key(vector.getId().toString()), plainAvro(vector)));
        }
        for (FeatureVector vector : present.subList(2, 4)) {
            records.add(
                    new ProducerRecord<>(in, 0, key(vector.getId().toString()), plainAvro(vector)));
        }
        topics.produce(records);

        TableResult result = bounded(in, out, 1, "--dlq-topic", dlq, "--window", "10s").run();
        Instant after = Instant.now();

        // Both windows of the present, [start, +10s) and [start + 10s, +20s), with two records
        // each; none in the year ahead. The record a year ahead was counted in a window of its
        // own, and the watermark it gave was a year on.
        Map<Long, Long> counts = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(out)) {
            JsonNode value = json.readTree(record.value());
            counts.put(millis(value.get("window_start")), value.get("record_count").asLong());
        }
        assertThat(counts).containsExactly(entry(start, 2L), entry(start + 10_000, 2L));

        List<ConsumerRecord<byte[], byte[]>> dead = topics.readAll(dlq);
        assertThat(dead).hasSize(1);
        DeadLetter letter =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .decode(dead.get(0).value());
        assertThat(letter.getOffset()).isEqualTo(2L);
        assertThat(bytes(letter.getPayload())).isEqualTo(plainAvro(ahead));
        Matcher reason =
                Pattern.compile(
                                "event_time (\\S+) is (\\d+)ms ahead of the clock \\((\\S+)\\),"
                                        + " more than the allowed skew of 300000ms; it would push"
                                        + " the watermark past every on-time record")
                        .matcher(letter.getReason());
        assertThat(reason.matches()).as(letter.getReason()).isTrue();
        Instant eventTime = ahead.getEventTime();
        Instant clock = Instant.parse(reason.group(3));
        assertThat(reason.group(1)).isEqualTo(eventTime.toString());
        assertThat(clock).isBetween(before, after);
        long nanosAhead =
                (eventTime.getEpochSecond() - clock.getEpochSecond()) * 1_000_000_000L
                        + eventTime.getNano()
                        - clock.getNano();
        assertThat(Long.parseLong(reason.group(2))).isEqualTo(nanosAhead / 1_000_000);
        assertThat(deserializerCount(result, "invalidEventTimes")).isEqualTo(1);
        assertThat(deserializerCount(result, "undecodableRecords")).isZero();
        assertThat(deserializerCount(result, "decodedRecords")).isEqualTo(present.size());
    }

    /**
     * The harm a record far ahead did in a running job: once its watermark is out, the records of
     * the present after it are late, and their windows are left out for as long as the job runs.
     */
    @Test
    void recordsOfThePresentAfterOneFarAheadOfTheClockStillCountInARunningJob(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path savepoints) throws Exception {
        String in = "sql-skew-live";
        String out = "sql-skew-live-out";
        String dlq = "sql-skew-live-dlq";
        kafka.createTopics(1, in, out, dlq);
        Instant now = Instant.now();
        long start = Math.floorDiv(now.toEpochMilli() - 60_000, 10_000) * 10_000 - T0;
        // First two records of [start, +10s), the one a year ahead, and one at start + 16s that
        // closes [start, +10s) however the job treats the one ahead.
        List<FeatureVector> first =
                List.of(
                        vector("now-1", start + 1_000, "a", 1.0, -1.0),
                        vector("now-2", start + 2_000, "a", 0.0, 2.0),
                        vector(
                                "ahead",
                                now.plus(Duration.ofDays(365)).toEpochMilli() - T0,
                                "a",
                                1.0),
                        vector("now-3", start + 16_000, "a", -1.0, -2.0));
        topics.produce(records(in, first));
        SqlZeroFractionJob job =
                SqlZeroFractionJob.parse(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--input-topic",
                        in,
                        "--output-topic",
                        out,
                        "--dlq-topic",
                        dlq,
                        "--group-id",
                        "sql-skew-live",
                        "--window",
                        "10s",
                        "--parallelism",
                        "1",
                        "--checkpoint-interval",
                        "100ms");
        try (SqlJobRun run = SqlJobRun.start(cluster, job, Map.of())) {
            // [start, +10s) is out: the watermark has passed it, as far as the job let it go.
            assertThat(topics.readAtLeast(out, 1, Duration.ofMinutes(1))).isNotEmpty();
            // Then two more records of [start + 10s, +20s), and bytes that do not decode: their
            // dead letter says that the job has read the two before them.
            List<ProducerRecord<byte[], byte[]>> second =
                    records(
                            in,
                            List.of(
                                    vector("now-4", start + 11_000, "a", 3.0, 0.5),
                                    vector("now-5", start + 12_000, "a", -3.0, 0.0)));
            second.add(new ProducerRecord<>(in, 0, key("marker"), new byte[0]));
            topics.produce(second);
            // A dead letter is keyed by its record's key.
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (topics.readAll(dlq).stream()
                            .noneMatch(r -> Arrays.equals(r.key(), key("marker")))
                    && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            // Drained: the windows still open close, as at the end of a bounded run.
            run.stopWithSavepoint(savepoints, true);
        }

        // [start, +10s) with two records, [start + 10s, +20s) with three. It was one: the two
        // records after the one ahead were late, and the year ahead had a window of its own.
        Map<Long, Long> counts = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(out)) {
            JsonNode value = json.readTree(record.value());
            counts.put(millis(value.get("window_start")), value.get("record_count").asLong());
        }
        assertThat(counts).containsExactly(entry(start, 2L), entry(start + 10_000, 3L));
    }

    /**
     * A savepoint restored with another --input-topic reads that topic, not the one the savepoint
     * read as well: Flink's Kafka source restores every partition it had and never gives one up, so
     * the records written to the old topic after the savepoint would be counted in the windows of a
     * job told to read another topic. The open window and the offsets read are kept.
     */
    @Test
    void aSavepointRestoredWithAnotherInputTopicReadsThatTopicOnly(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path savepoints) throws Exception {
        String first = "sql-restore-first";
        String second = "sql-restore-second";
        String out = "sql-restore-out";
        String dlq = "sql-restore-dlq";
        kafka.createTopics(1, first, second, out, dlq);
        // The watermark after "b", 11.999s, closes [0s, 10s); [10s, 20s) holds "b" at the
        // savepoint.
        topics.produce(
                records(
                        first,
                        List.of(
                                vector("a", 1_000, "g", -1.0, 2.0),
                                vector("b", 12_000, "g", 1.0, -1.0))));
        String savepoint =
                runUntil(
                        cluster,
                        restorable(first, out, dlq),
                        Map.of(),
                        out,
                        1,
                        Duration.ofMinutes(2),
                        savepoints,
                        false);
        topics.produce(records(first, List.of(vector("old-topic", 15_000, "g", -1.0, -1.0))));
        topics.produce(
                records(
                        second,
                        List.of(
                                vector("c", 16_000, "g", -2.0, 3.0),
                                vector("d", 21_000, "g", 4.0, 5.0))));

        // Until [10s, 20s) is out, then drained: [20s, 30s) of "d" closes too. The watermark of
        // "d" closes [10s, 20s) at once: the partition of the first topic, which the run does not
        // read, must not hold it back until the source's 30 s idle timeout (then the whole source
        // is idle, and the drain's watermark closes no window: "d" was left out).
        runUntil(
                cluster,
                restorable(second, out, dlq),
                Map.of(StateRecoveryOptions.SAVEPOINT_PATH.key(), savepoint),
                out,
                2,
                Duration.ofSeconds(20),
                savepoints,
                true);

        // [10s, 20s): "b" of the first run and "c", relu [1, 0] and [0, 3], half of them zero.
        // It was three records, "old-topic" [0, 0] too, 4 of 6 zero.
        Map<Long, Long> counts = new TreeMap<>();
        Map<Long, Double> zeroFractions = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(out)) {
            JsonNode value = json.readTree(record.value());
            long start = millis(value.get("window_start"));
            assertThat(counts.put(start, value.get("record_count").asLong()))
                    .as("one record per window")
                    .isNull();
            zeroFractions.put(start, value.get("zero_fraction").asDouble());
        }
        assertThat(counts).containsExactly(entry(0L, 1L), entry(10_000L, 2L), entry(20_000L, 1L));
        assertThat(zeroFractions)
                .containsExactly(entry(0L, 0.5), entry(10_000L, 0.5), entry(20_000L, 0.0));
        assertThat(topics.readAll(dlq)).isEmpty();
    }

    /**
     * Restored with --bounded from a savepoint of an unbounded run, the job ends at the offsets
     * that are the latest when it starts, and its last windows close. Flink's Kafka table source
     * alone gives each restored partition the end it had, none, and never tells its readers that no
     * more partitions come (FLINK-33466): the run would never end.
     */
    @Test
    void aRunRestoredWithBoundedFromAnUnboundedOneEnds(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path savepoints) throws Exception {
        String in = "sql-restore-bounded";
        String out = "sql-restore-bounded-out";
        String dlq = "sql-restore-bounded-dlq";
        kafka.createTopics(1, in, out, dlq);
        topics.produce(
                records(
                        in,
                        List.of(
                                vector("a", 1_000, "g", -1.0, 2.0),
                                vector("b", 12_000, "g", 1.0, -1.0))));
        String savepoint =
                runUntil(
                        cluster,
                        restorable(in, out, dlq),
                        Map.of(),
                        out,
                        1,
                        Duration.ofMinutes(2),
                        savepoints,
                        false);
        topics.produce(
                records(
                        in,
                        List.of(
                                vector("c", 16_000, "g", -2.0, 3.0),
                                vector("d", 21_000, "g", 4.0, 5.0))));

        List<String> args = new ArrayList<>(List.of(restorableArgs(in, out, dlq)));
        args.add("--bounded");
        runToEnd(
                cluster,
                SqlZeroFractionJob.parse(args.toArray(new String[0])),
                Map.of(StateRecoveryOptions.SAVEPOINT_PATH.key(), savepoint));

        // "a" of the first run; "b" of the first and "c", relu [1, 0] and [0, 3]; "d" [4, 5],
        // closed by the end of the input.
        Map<Long, Long> counts = new TreeMap<>();
        Map<Long, Double> zeroFractions = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(out)) {
            JsonNode value = json.readTree(record.value());
            long start = millis(value.get("window_start"));
            assertThat(counts.put(start, value.get("record_count").asLong()))
                    .as("one record per window")
                    .isNull();
            zeroFractions.put(start, value.get("zero_fraction").asDouble());
        }
        assertThat(counts).containsExactly(entry(0L, 1L), entry(10_000L, 2L), entry(20_000L, 1L));
        assertThat(zeroFractions)
                .containsExactly(entry(0L, 0.5), entry(10_000L, 0.5), entry(20_000L, 0.0));
    }

    /**
     * Runs {@code job} on the MiniCluster with {@code client} as the configuration of its client,
     * until it ends; one still running after two minutes is cancelled, and fails the test.
     */
    private static void runToEnd(
            MiniCluster cluster, SqlZeroFractionJob job, Map<String, String> client)
            throws Exception {
        try (SqlJobRun run = SqlJobRun.start(cluster, job, client)) {
            run.awaitEnd(Duration.ofMinutes(2));
        }
    }

    /** The unbounded job of one subtask reading {@code in}, with 100 ms checkpoints. */
    private static SqlZeroFractionJob restorable(String in, String out, String dlq) {
        return SqlZeroFractionJob.parse(restorableArgs(in, out, dlq));
    }

    private static String[] restorableArgs(String in, String out, String dlq) {
        return new String[] {
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--input-topic",
            in,
            "--output-topic",
            out,
            "--dlq-topic",
            dlq,
            "--group-id",
            "sql-restore",
            "--window",
            "10s",
            "--out-of-orderness",
            "0s",
            "--parallelism",
            "1",
            "--checkpoint-interval",
            "100ms"
        };
    }

    /**
     * Runs {@code job} on the MiniCluster with {@code client} as the configuration of its client
     * (as {@code flink run -s} gives the job's main the path to restore), until {@code out} has
     * {@code wanted} records, within {@code timeout} of its start; then stops it with a savepoint,
     * draining it when {@code drain}.
     *
     * @return the savepoint's path
     */
    private static String runUntil(
            MiniCluster cluster,
            SqlZeroFractionJob job,
            Map<String, String> client,
            String out,
            int wanted,
            Duration timeout,
            Path savepoints,
            boolean drain)
            throws Exception {
        try (SqlJobRun run = SqlJobRun.start(cluster, job, client)) {
            assertThat(topics.readAtLeast(out, wanted, timeout)).hasSize(wanted);
            return run.stopWithSavepoint(savepoints, drain);
        }
    }

    private static List<ProducerRecord<byte[], byte[]>> records(
            String topic, List<FeatureVector> vectors) throws IOException {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (FeatureVector vector : vectors) {
            records.add(
                    new ProducerRecord<>(
                            topic, 0, key(vector.getId().toString()), plainAvro(vector)));
        }
        return records;
    }

    @Test
    void aDeadLetterTooLargeForTheProducerLeavesOutThePayloadAndSaysSo() throws Exception {
        String in = "sql-large-bad";
        String out = "sql-large-bad-out";
        String dlq = "sql-large-bad-dlq";
        kafka.createTopics(1, in, out, dlq);
        // 100,000 bytes of 0xFF: no FeatureVector (an id length of -1), and with the dead letter's
        // own fields above the producer's 65,536 bytes.
        byte[] large = new byte[100_000];
        Arrays.fill(large, (byte) 0xFF);
        topics.produce(
                List.of(
                        new ProducerRecord<>(in, 0, key("large"), large),
                        new ProducerRecord<>(
                                in, 0, null, plainAvro(vector("ok", 1_000, "a", 1.0)))));

        // Before: the producer refused the dead letter, and the job failed after three restarts.
        bounded(in, out, 1, "--dlq-topic", dlq, "--kafka.max.request.size=65536").run();

        List<ConsumerRecord<byte[], byte[]>> written = topics.readAll(dlq);
        assertThat(written).hasSize(1);
        assertThat(written.get(0).key()).isEqualTo(key("large"));
        DeadLetter letter =
                AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .decode(written.get(0).value());
        assertThat(letter.getPayload()).isNull();
        assertThat(bytes(letter.getKey())).isEqualTo(key("large"));
        assertThat(letter.getOffset()).isEqualTo(0L);
        assertThat(letter.getReason())
                .endsWith(
                        "; the payload (100000 bytes) is left out of this dead letter, which"
                                + " would not fit in one Kafka record with them"
                                + " (max.request.size=65536): read the record from "
                                + in
                                + "/0@0");
        // The good record after it is counted.
        assertThat(onlyWindow(out).get("record_count").asLong()).isEqualTo(1L);
    }

    /**
     * Writes to {@code in} as an exactly-once producer upstream does: one transaction of two
     * records committed (ReLU outputs 1 and 0), the next of one record aborted (output 0).
     */
    private static void produceCommittedAndAborted(String in) throws IOException {
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        in + "-upstream");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(
                    new ProducerRecord<>(in, 0, null, plainAvro(vector("c1", 1_000, "a", 1.0))));
            producer.send(
                    new ProducerRecord<>(in, 0, null, plainAvro(vector("c2", 2_000, "a", -1.0))));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(
                    new ProducerRecord<>(in, 0, null, plainAvro(vector("x", 3_000, "a", -2.0))));
            producer.flush();
            producer.abortTransaction();
        }
    }

    @Test
    void recordsOfAbortedTransactionsUpstreamAreNotRead() throws Exception {
        String in = "sql-transactional";
        String out = "sql-transactional-out";
        kafka.createTopics(1, in);
        kafka.createTopics(1, out);
        produceCommittedAndAborted(in);

        bounded(in, out, 1).run();

        // Two committed records, relu outputs 1 and 0: one zero of two values.
        JsonNode window = onlyWindow(out);
        assertThat(window.get("record_count").asLong()).isEqualTo(2L);
        assertThat(window.get("zero_fraction").asDouble()).isEqualTo(0.5);
    }

    @Test
    void emptyVectorsCountAsRecordsAndEventTimesBefore1970HaveTheirWindows() throws Exception {
        String in = "sql-edges";
        String out = "sql-edges-out";
        String dlq = "sql-edges-dlq";
        kafka.createTopics(1, in, out, dlq);
        FeatureVector before1970 = vector("o1", 0, "old", -1.0, 0.5);
        before1970.setEventTime(Instant.ofEpochMilli(-5_000));
        FeatureVector lastBefore1970 = vector("o2", 0, "old", 3.0, -0.0);
        lastBefore1970.setEventTime(Instant.ofEpochMilli(-1));
        FeatureVector year1 = vector("y1", 0, "year-1", -1.0);
        year1.setEventTime(Instant.parse("0001-01-01T00:00:05Z"));
        // In event-time order: one partition, so that no record is behind the watermark.
        topics.produce(
                records(
                        in,
                        List.of(
                                year1,
                                before1970,
                                lastBefore1970,
                                vector("e1", 1_000, "empty"),
                                vector("m1", 1_000, "mixed"),
                                vector("m2", 2_000, "mixed", -1.0, 2.0))));

        bounded(in, out, 1, "--dlq-topic", dlq).run();

        ObjectMapper json = new ObjectMapper();
        Map<String, String> windows = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(out)) {
            JsonNode value = json.readTree(record.value());
            windows.put(value.get("group").asText(), value.toString());
        }
        // By hand, ReLU being max(z, 0) with relu(-0.0) = +0.0: "old" holds 0, 0.5, 3 and 0, two
        // zeros of four values, and neither index is zero in both records; an empty vector is a
        // record without values, so "empty" has no zero fraction and "mixed" one zero of two.
        assertThat(windows)
                .containsExactly(
                        entry(
                                "empty",
                                "{\"group\":\"empty\",\"window_start\":\"2023-11-14T22:13:20\","
                                        + "\"window_end\":\"2023-11-14T22:13:30\","
                                        + "\"record_count\":1,\"zero_fraction\":null,"
                                        + "\"dead_features\":[]}"),
                        entry(
                                "mixed",
                                "{\"group\":\"mixed\",\"window_start\":\"2023-11-14T22:13:20\","
                                        + "\"window_end\":\"2023-11-14T22:13:30\","
                                        + "\"record_count\":2,\"zero_fraction\":0.5,"
                                        + "\"dead_features\":[0]}"),
                        entry(
                                "old",
                                "{\"group\":\"old\",\"window_start\":\"1969-12-31T23:59:50\","
                                        + "\"window_end\":\"1970-01-01T00:00:00\","
                                        + "\"record_count\":2,\"zero_fraction\":0.5,"
                                        + "\"dead_features\":[]}"),
                        entry(
                                "year-1",
                                "{\"group\":\"year-1\",\"window_start\":\"0001-01-01T00:00:00\","
                                        + "\"window_end\":\"0001-01-01T00:00:10\","
                                        + "\"record_count\":1,\"zero_fraction\":1.0,"
                                        + "\"dead_features\":[0]}"));
        assertThat(topics.readAll(dlq)).isEmpty();
    }

    @Test
    void aRecordExactlyOutOfOrdernessBehindTheNewestIsOnTime() throws Exception {
        String features =
                SqlZeroFractionJob.parse(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--out-of-orderness",
                                "5s")
                        .statements()
                        .get(0);
        Matcher watermark = Pattern.compile("WATERMARK FOR event_time AS (.+)").matcher(features);
        assertThat(watermark.find()).isTrue();

        // The script's watermark of a partition whose newest record is at T0 + 14.999s.
        TableEnvironment tableEnv = BatchTables.create();
        Object value;
        try (CloseableIterator<Row> rows =
                tableEnv.executeSql(
                                "SELECT "
                                        + watermark.group(1)
                                        + " FROM (VALUES (TIMESTAMP '2023-11-14 22:13:34.999'))"
                                        + " AS t(event_time)")
                        .collect()) {
            value = rows.next().getField(0);
        }

        // 14.999s - 5s - 1ms = 9.998s: the window [T0, T0 + 10s), whose last millisecond is
        // 9.999s, is still open for a record at 9.999s, 5s behind the newest. It was 9.999s, which
        // closed that window: a record exactly --out-of-orderness behind was dropped.
        assertThat(value).isEqualTo(LocalDateTime.parse("2023-11-14T22:13:29.998"));
    }

    @Test
    void aRecordFurtherBehindThanOutOfOrdernessWhoseWindowClosedIsDropped(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path savepoints) throws Exception {
        String in = "sql-late";
        String out = "sql-late-out";
        String dlq = "sql-late-dlq";
        kafka.createTopics(1, in, out, dlq);
        // The record at 30s moves the watermark to 24.999s, which closes [0s, 10s).
        topics.produce(
                records(
                        in,
                        List.of(
                                vector("on-time", 1_000, "a", -1.0),
                                vector("newest", 30_000, "a", 1.0))));
        SqlZeroFractionJob job =
                SqlZeroFractionJob.parse(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--input-topic",
                        in,
                        "--output-topic",
                        out,
                        "--dlq-topic",
                        dlq,
                        "--group-id",
                        "sql-late",
                        "--out-of-orderness",
                        "5s",
                        "--parallelism",
                        "1",
                        "--checkpoint-interval",
                        "100ms");
        try (SqlJobRun run = SqlJobRun.start(cluster, job, Map.of())) {
            assertThat(topics.readAtLeast(out, 1, Duration.ofMinutes(1))).isNotEmpty();
            // Then a record of [0s, 10s), 28s behind the newest, and bytes that do not decode:
            // their dead letter says that the job has read the one before them.
            List<ProducerRecord<byte[], byte[]>> late =
                    records(in, List.of(vector("late", 2_000, "a", 2.0)));
            late.add(new ProducerRecord<>(in, 0, key("marker"), new byte[0]));
            topics.produce(late);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (topics.readAll(dlq).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            run.stopWithSavepoint(savepoints, true);
        }

        // As the README says: dropped, neither counted nor a dead letter, and nothing fails.
        Map<Long, Long> counts = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(out)) {
            JsonNode value = json.readTree(record.value());
            assertThat(
                            counts.put(
                                    millis(value.get("window_start")),
                                    value.get("record_count").asLong()))
                    .as("one record per window")
                    .isNull();
        }
        assertThat(counts).containsExactly(entry(0L, 1L), entry(30_000L, 1L));
        assertThat(topics.readAll(dlq))
                .singleElement()
                .satisfies(letter -> assertThat(letter.key()).isEqualTo(key("marker")));
    }

    @Test
    void kafkaPropertiesReachTheClients() throws Exception {
        String in = "sql-kafka-properties";
        String out = "sql-kafka-properties-out";
        kafka.createTopics(1, in);
        kafka.createTopics(1, out);
        produceCommittedAndAborted(in);

        bounded(
                        in,
                        out,
                        1,
                        // The consumer reads the aborted transaction too, and the clients take a
                        // JAAS configuration with quotes, '=' and ';' (unused without SASL).
                        "--kafka.isolation.level=read_uncommitted",
                        "--kafka.sasl.jaas.config="
                                + "org.apache.kafka.common.security.plain.PlainLoginModule"
                                + " required username=\"relu\" password=\"it's; x=y\";")
                .run();

        // Three records, ReLU outputs 1, 0 and 0: two zeros of three values.
        JsonNode window = onlyWindow(out);
        assertThat(window.get("record_count").asLong()).isEqualTo(3L);
        assertThat(window.get("zero_fraction").asDouble()).isEqualTo(2.0 / 3.0);
    }

    @Test
    void anInputTopicKafkaDoesNotHaveIsRefusedAtStartNamingTheOption() {
        StringWriter err = new StringWriter();
        CommandLine command = SqlZeroFractionJob.commandLine();
        command.setErr(new PrintWriter(err, true));

        // Before: Flink's Kafka source failed on it, three restarts later, with a stack trace.
        int status =
                command.execute(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--input-topic",
                        "sql-no-such-topic",
                        "--connect-timeout",
                        "1s",
                        "--bounded");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString())
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--input-topic': 'sql-no-such-topic'"
                                + " is not a topic of the Kafka cluster at --bootstrap-servers '"
                                + kafka.bootstrapServers()
                                + "' (looked for during 1s, --connect-timeout); create it first,"
                                + " or name the topic the features are in\n"
                                + "Use --help to see every option.\n");
    }

    @Test
    void outputAndDeadLetterTopicsKafkaDoesNotHaveNorCreatesAreRefusedAtStartNamingTheOption()
            throws Exception {
        try (EmbeddedKafka noAutoCreate =
                EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"))) {
            noAutoCreate.createTopics(1, "in", "out");
            String servers = noAutoCreate.bootstrapServers();

            // Before: the job started, and Flink's Kafka sink failed on its first dead letter a
            // minute later, three restarts over, with a stack trace and status 1.
            assertThat(
                            execute(
                                    "--bootstrap-servers",
                                    servers,
                                    "--input-topic",
                                    "in",
                                    "--output-topic",
                                    "out",
                                    "--dlq-topic",
                                    "no-dlq",
                                    "--connect-timeout",
                                    "1s",
                                    "--bounded"))
                    .isEqualTo(
                            "2 Invalid value for option '--dlq-topic': 'no-dlq' is not a topic of"
                                    + " the Kafka cluster at --bootstrap-servers '"
                                    + servers
                                    + "' (looked for during 1s, --connect-timeout), which does"
                                    + " not create topics on first use"
                                    + " (auto.create.topics.enable=false); create it first\n"
                                    + "Use --help to see every option.\n");
            // Both missing: the output topic is named first.
            assertThat(
                            execute(
                                    "--bootstrap-servers",
                                    servers,
                                    "--input-topic",
                                    "in",
                                    "--output-topic",
                                    "no-out",
                                    "--dlq-topic",
                                    "no-dlq",
                                    "--connect-timeout",
                                    "1s",
                                    "--bounded"))
                    .startsWith(
                            "2 Invalid value for option '--output-topic': 'no-out' is not a topic");
        }
    }

    @Test
    void aMaxRequestSizeAboveWhatTheDeadLetterTopicTakesIsRefusedAtStart() throws Exception {
        String in = "sql-size-in";
        String out = "sql-size-out";
        String dlq = "sql-size-dlq";
        kafka.createTopics(1, in, out);
        try (Admin admin = kafka.admin()) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(dlq, 1, (short) 1)
                                            .configs(Map.of("max.message.bytes", "100000"))))
                    .all()
                    .get();
        }

        // Before: the job started, and the sink failed it on the first dead letter above
        // 100,000 bytes, three restarts over.
        assertThat(
                        execute(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--input-topic",
                                in,
                                "--output-topic",
                                out,
                                "--dlq-topic",
                                dlq,
                                "--connect-timeout",
                                "1s",
                                "--bounded"))
                .isEqualTo(
                        "2 Invalid value for option '--kafka.max.request.size': Kafka's default,"
                                + " 1048576, is more than the 100000 bytes topic '"
                                + dlq
                                + "' (--dlq-topic) takes (its max.message.bytes): the broker"
                                + " would refuse the job's larger records, and the job restart"
                                + " into them for ever; give at most 100000, or raise the"
                                + " topic's max.message.bytes to at least 1048576\n"
                                + "Use --help to see every option.\n");
    }

    /** The exit status and the error output of the job's command line on {@code args}. */
    private static String execute(String... args) {
        StringWriter err = new StringWriter();
        CommandLine command = SqlZeroFractionJob.commandLine();
        command.setErr(new PrintWriter(err, true));
        int status = command.execute(args);
        return status + " " + err.toString().replace("\r\n", "\n");
    }

    @Test
    void kafkaPropertiesReachTheProducer() throws Exception {
        String in = "sql-producer-properties";
        String out = "sql-producer-properties-out";
        kafka.createTopics(1, in);
        kafka.createTopics(1, out);
        topics.produce(
                List.of(
                        new ProducerRecord<>(
                                in, 0, null, plainAvro(vector("p", 1_000, "a", 1.0)))));

        SqlZeroFractionJob job =
                bounded(
                        in,
                        out,
                        1,
                        // This producer waits no time for the output topic's metadata, and a
                        // new producer has none: it fails the one result. (A max.request.size or
                        // buffer.memory that small is refused at start.)
                        "--kafka.max.block.ms=0");

        assertThatThrownBy(job::run)
                .satisfies(
                        error ->
                                assertThat(ExceptionUtils.stringifyException(error))
                                        .contains(
                                                "Topic "
                                                        + out
                                                        + " not present in metadata after 0"
                                                        + " ms"));
    }

    @Test
    void writesTheZeroFractionOfReluOutputsPerGroupAndWindow() throws Exception {
        String in = "sql-features";
        String out = "sql-zero-fraction";
        kafka.createTopics(2, in);
        kafka.createTopics(1, out);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (FeatureVector vector : input()) {
            int partition = vector.getGroup().equals("a") ? 0 : 1;
            records.add(
                    new ProducerRecord<>(
                            in,
                            partition,
                            vector.getId().getBytes(StandardCharsets.UTF_8),
                            plainAvro(vector)));
        }
        topics.produce(records);

        bounded(in, out, 2, "--window", "10s").run();

        assertZeroFractions(out, input());
    }

    /**
     * Submitted as {@code flink run -Dpipeline.name=... } would: {@code --job-name} names the job,
     * and the job_name label of its metrics, over Flink's option (the job sets it in its table
     * configuration, which Flink reads before the client's).
     */
    @Test
    void theJobNameIsTheOptionsOverTheClientsPipelineName(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        String in = "sql-named";
        String out = "sql-named-zero-fraction";
        String dlq = "sql-named-dead-letters";
        kafka.createTopics(1, in, out, dlq);

        runToEnd(
                cluster,
                bounded(in, out, 1, "--dlq-topic", dlq, "--job-name", "zero fraction (eu)"),
                Map.of("pipeline.name", "named by the client"));

        assertThat(cluster.listJobs().get())
                .extracting(JobStatusMessage::getJobName)
                .contains("zero fraction (eu)")
                .doesNotContain("named by the client");
    }

    /** The job reading {@code in} up to its latest offsets into {@code out}, with {@code more}. */
    private static SqlZeroFractionJob bounded(
            String in, String out, int parallelism, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--input-topic",
                                in,
                                "--output-topic",
                                out,
                                "--bounded",
                                "--parallelism",
                                String.valueOf(parallelism)));
        args.addAll(List.of(more));
        return SqlZeroFractionJob.parse(args.toArray(new String[0]));
    }

    /** The one window written to {@code out}. */
    private static JsonNode onlyWindow(String out) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> written = topics.readAll(out);
        assertThat(written).hasSize(1);
        return new ObjectMapper().readTree(written.get(0).value());
    }

    /** The windows written to {@code out} are those of {@code vectors}, computed by hand. */
    private static void assertZeroFractions(String out, List<FeatureVector> vectors)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> actual = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(out)) {
            JsonNode value = json.readTree(record.value());
            JsonNode key = json.readTree(record.key());
            assertThat(key.get("group")).isEqualTo(value.get("group"));
            String window = value.get("group").asText() + "@" + millis(value.get("window_start"));
            assertThat(actual.put(window, value)).as("one record per window").isNull();
            assertThat(millis(value.get("window_end")) - millis(value.get("window_start")))
                    .isEqualTo(10_000L);
        }

        Map<String, Expected> expected = expected(vectors, 10_000);
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach(
                (window, want) -> {
                    JsonNode got = actual.get(window);
                    assertThat(got.get("record_count").asLong()).as(window).isEqualTo(want.records);
                    if (want.values == 0) {
                        assertThat(got.get("zero_fraction").isNull()).as(window).isTrue();
                    } else {
                        assertThat(got.get("zero_fraction").asDouble())
                                .as(window)
                                .isEqualTo((double) want.zeros / want.values);
                    }
                    List<Integer> dead = new ArrayList<>();
                    got.get("dead_features").forEach(node -> dead.add(node.asInt()));
                    assertThat(dead).as(window).isEqualTo(want.deadFeatures());
                });
        // The README's format: these fields, the times ISO-8601 without a zone, in UTC.
        JsonNode first = actual.get("a@0");
        List<String> fields = new ArrayList<>();
        first.fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
                .containsExactly(
                        "group",
                        "window_start",
                        "window_end",
                        "record_count",
                        "zero_fraction",
                        "dead_features");
        assertThat(first.get("window_start").asText()).isEqualTo("2023-11-14T22:13:20");
        assertThat(first.get("window_end").asText()).isEqualTo("2023-11-14T22:13:30");
        // The numbers of two windows written out, so that the calculation is checked too.
        assertThat(actual.get("a@0").get("zero_fraction").asDouble()).isEqualTo(5.0 / 8.0);
        assertThat(actual.get("a@20000").get("zero_fraction").isNull()).isTrue();
        assertThat(actual.get("b@20000").get("dead_features").toString()).isEqualTo("[0,1]");
    }

    /** What one window must hold: records, non-NaN ReLU outputs, zero outputs, per index. */
    private static final class Expected {
        long records;
        long values;
        long zeros;
        final List<long[]> features = new ArrayList<>(); // {rows with the index, zero rows}

        List<Integer> deadFeatures() {
            List<Integer> dead = new ArrayList<>();
            for (int i = 0; i < features.size(); i++) {
                if (features.get(i)[1] == features.get(i)[0]) {
                    dead.add(i);
                }
            }
            return dead;
        }
    }

    /** Per "group@windowStart": ReLU by hand, max(z, 0), where NaN stays NaN and is no value. */
    private static Map<String, Expected> expected(List<FeatureVector> vectors, long size) {
        Map<String, Expected> windows = new TreeMap<>();
        for (FeatureVector vector : vectors) {
            long t = vector.getEventTime().toEpochMilli() - T0;
            String key = vector.getGroup() + "@" + Math.floorDiv(t, size) * size;
            Expected window = windows.computeIfAbsent(key, k -> new Expected());
            window.records++;
            List<Double> values = vector.getValues();
            for (int i = 0; i < values.size(); i++) {
                double z = values.get(i);
                boolean nan = Double.isNaN(z);
                boolean zero = !nan && !(z > 0);
                if (window.features.size() <= i) {
                    window.features.add(new long[2]);
                }
                window.features.get(i)[0]++;
                if (!nan) {
                    window.values++;
                }
                if (zero) {
                    window.zeros++;
                    window.features.get(i)[1]++;
                }
            }
        }
        return windows;
    }

    private static long millis(JsonNode isoLocalDateTime) {
        return LocalDateTime.parse(isoLocalDateTime.asText())
                        .toInstant(ZoneOffset.UTC)
                        .toEpochMilli()
                - T0;
    }

    private static FeatureVector vector(String id, long t, String group, double... values) {
        List<Double> list = new ArrayList<>();
        for (double v : values) {
            list.add(v);
        }
        return FeatureVector.newBuilder()
                .setId(id)
                .setEventTime(Instant.ofEpochMilli(T0 + t))
                .setGroup(group)
                .setValues(list)
                .build();
    }

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** Plain Avro binary, by Avro's own writer: no header, no fingerprint. */
    private static byte[] plainAvro(FeatureVector vector) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(FeatureVector.class).write(vector, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }
}
