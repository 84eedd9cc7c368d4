package io.relustream.jobs;

import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.DeadLetterHeader;
import io.relustream.avro.FeatureVector;
import io.relustream.formats.InvalidEventTimeException;
import io.relustream.formats.UndecodableRecordException;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;
import io.relustream.operators.InvalidRecordException;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

import org.apache.avro.SchemaNormalization;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every kind of bad input the job can meet, mixed with good records on the real broker: each ends
 * up as an activation or as a dead letter with its original bytes and a reason, exactly once, and
 * the job never restarts.
 */
class BadInputITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T0 = 1_700_000_000_000L;

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

    /** The records in topic order, each with the reason it must be dead-lettered, or null. */
    private static final class Input {
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();
        final List<String> ids = new ArrayList<>();
        private int good;

        void good(String topic, double... values) {
            FeatureVector vector =
                    TestRecords.vector("good-" + good, T0 + 1_000L * good, "g", values);
            good++;
            add(TestRecords.record(topic, 0, vector), null, vector.getId());
        }

        void bad(String topic, byte[] value, String reason) {
            add(new ProducerRecord<>(topic, 0, "bad".getBytes(), value), reason, null);
        }

        void badVector(String topic, FeatureVector vector, String reason) {
            add(TestRecords.record(topic, 0, vector), reason, vector.getId());
        }

        private void add(ProducerRecord<byte[], byte[]> record, String reason, String id) {
            records.add(record);
            reasons.add(reason);
            ids.add(id);
        }
    }

    private static Input mixedInput(String topic) {
        Input input = new Input();
        byte[] valid = TestRecords.singleObject(TestRecords.vector("x", T0, "g", 1.0, 2.0));
        long fingerprint = SchemaNormalization.parsingFingerprint64(FeatureVector.getClassSchema());
        byte[] random = new byte[40];
        new Random(7).nextBytes(random);
        random[0] = 0x11;
        byte[] unknownFingerprint = valid.clone();
        unknownFingerprint[9] ^= 0x40;

        input.good(topic, -1.0, 2.0);
        input.bad(
                topic,
                random,
                "payload does not start with the Avro single-object marker C3 01 (found 11 "
                        + String.format("%02X", random[1])
                        + "): it is not a FeatureVector record in avro-single-object format");
        input.good(topic, 3.0, -4.0);
        input.bad(
                topic,
                new byte[0],
                "payload is empty (0 bytes), not a FeatureVector record in avro-single-object"
                        + " format");
        input.bad(topic, null, "payload is null (a tombstone), not a FeatureVector record");
        input.bad(
                topic,
                Arrays.copyOf(valid, valid.length - 5),
                "payload is truncated: FeatureVector.values[1] needs 8 more bytes at byte 29 but"
                        + " the payload ends at byte 33");
        input.bad(
                topic,
                unknownFingerprint,
                String.format(
                        "unknown writer schema fingerprint %016x"
                                + " (SchemaNormalization.parsingFingerprint64 in hex; the header"
                                + " holds it little-endian): it is none of the FeatureVector"
                                + " versions this job knows (v1); give the job the producer's"
                                + " schema, a record named FeatureVector in any namespace"
                                + " (--writer-schemas, or AvroRecordDecoder.withWriterSchemas),"
                                + " or deploy a build that has it",
                        fingerprint ^ (0x40L << 56)));
        input.good(topic, 0.0, 0.5);
        input.badVector(
                topic,
                TestRecords.vector("empty", T0 + 3_500L, "g"),
                "values is empty: there is nothing to activate");
        input.badVector(
                topic,
                TestRecords.vector("three-values", T0 + 3_600L, "g", 1.0, 2.0, 3.0),
                "values has 3 values, not a multiple of 2 as maxout(k=2) needs");
        input.badVector(
                topic,
                TestRecords.vector("nan", T0 + 3_700L, "g", 1.0, Double.NaN),
                "values[1] is NaN and the invalid-value policy is reject (NaN and infinities"
                        + " are not accepted)");
        input.badVector(
                topic,
                TestRecords.vector("inf", T0 + 3_800L, "g", Double.NEGATIVE_INFINITY, 1.0),
                "values[0] is -Infinity and the invalid-value policy is reject (NaN and"
                        + " infinities are not accepted)");
        input.badVector(
                topic,
                TestRecords.vector("negative-time", -5L, "g", 1.0, 2.0),
                "event_time -5 (1969-12-31T23:59:59.995Z) is before 1970-01-01T00:00:00Z; event"
                        + " times must not be negative");
        // The year 2300: it would push the watermark past every record of this century.
        input.badVector(
                topic, TestRecords.vector("far-future", 10_413_792_000_000L, "g", 1.0, 2.0), null);
        input.good(topic, 5.0, 5.0);
        return input;
    }

    /** The bounded job on {@code names}, one wide, with maxout(k=2) and {@code extra}. */
    private static JobOptions options(JobTopics names, String... extra) {
        List<String> args = new ArrayList<>(List.of("--activation", "maxout(k=2)"));
        args.addAll(List.of(extra));
        return boundedJob(names, args.toArray(new String[0]));
    }

    private static JobOptions boundedJob(JobTopics names, String... extra) {
        List<String> args = new ArrayList<>();
        args.addAll(
                List.of(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--bounded",
                        "--parallelism",
                        "1"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    @Test
    void everyBadInputIsDeadLetteredOnceAndTheJobNeverRestarts(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        Input input = mixedInput(names.features);
        topics.produce(input.records);

        JobExecutionResult result =
                ActivationStatsJob.run(options(names, "--invalid-values", "reject"));

        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());

        Map<String, ActivationVector> activations = new HashMap<>();
        TestRecords.decodeAll(topics.readAll(names.activations), ActivationVector::fromByteBuffer)
                .forEach(a -> assertThat(activations.put(a.getId(), a)).isNull());
        Map<Long, DeadLetter> deadLetters = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(names.dlq)) {
            DeadLetter letter = DeadLetter.fromByteBuffer(ByteBuffer.wrap(record.value()));
            assertThat(deadLetters.put(letter.getOffset(), letter)).as("once").isNull();
        }

        // Record by record: offset i is an activation or a dead letter, never both, never none.
        assertThat(activations.size() + deadLetters.size()).isEqualTo(input.records.size());
        for (int offset = 0; offset < input.records.size(); offset++) {
            ProducerRecord<byte[], byte[]> sent = input.records.get(offset);
            DeadLetter letter = deadLetters.get((long) offset);
            String expectedReason = input.reasons.get(offset);
            boolean expectDeadLetter =
                    expectedReason != null || "far-future".equals(input.ids.get(offset));
            if (!expectDeadLetter) {
                assertThat(letter).as("offset %d", offset).isNull();
                assertThat(activations).as("offset %d", offset).containsKey(input.ids.get(offset));
                continue;
            }
            assertThat(letter).as("offset %d", offset).isNotNull();
            if (input.ids.get(offset) != null) {
                assertThat(activations).doesNotContainKey(input.ids.get(offset));
            }
            assertThat(letter.getTopic()).isEqualTo(names.features);
            assertThat(letter.getPartition()).isZero();
            assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(sent.key()));
            assertThat(letter.getPayload())
                    .isEqualTo(sent.value() == null ? null : ByteBuffer.wrap(sent.value()));
            if (expectedReason != null) {
                assertThat(letter.getReason()).as("offset %d", offset).isEqualTo(expectedReason);
            } else {
                assertThat(letter.getReason())
                        .startsWith("event_time 2300-01-01T00:00:00Z is ")
                        .endsWith(
                                "), more than the allowed skew of 300000ms; it would push the"
                                        + " watermark past every on-time record");
                assertThat(letter.getErrorClass())
                        .isEqualTo(InvalidEventTimeException.class.getName());
            }
        }
        assertThat(deadLetters.values())
                .filteredOn(l -> l.getReason().startsWith("values"))
                .extracting(DeadLetter::getErrorClass)
                .containsOnly(InvalidRecordException.class.getName());
        assertThat(deadLetters.get(1L).getErrorClass())
                .isEqualTo(UndecodableRecordException.class.getName());
        assertThat(activations.get("good-0").getActivations()).containsExactly(2.0);
        assertThat(activations.get("good-0").getDerivatives()).containsExactly(0.0, 1.0);
        assertThat(activations.get("good-3").getActivations()).containsExactly(5.0);
        assertThat(activations.get("good-3").getDerivatives()).containsExactly(1.0, 0.0);
        System.out.printf(
                "bad input: input=%d activations=%d dead-lettered=%d lost=0 duplicated=0%n",
                input.records.size(), activations.size(), deadLetters.size());
    }

    /** Plain Avro binary of {@code vector}, by Avro's own writer. */
    private static byte[] plainAvro(FeatureVector vector) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder =
                org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(FeatureVector.class)
                .write(vector, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }

    /**
     * In plain Avro over 3 partitions at parallelism 2: good records, records of the other format
     * and every kind of bad one, with and without keys and headers. Each input ends up as one
     * activation or one dead letter holding exactly what was read, and the windows count exactly
     * the activations.
     */
    @Test
    void plainAvroOverThreePartitionsAccountsForEveryRecordWithItsCoordinates(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 3);
        String nanReason =
                "values[1] is NaN and the invalid-value policy is reject (NaN and infinities are"
                        + " not accepted)";
        List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
        // partition -> offset -> expected reason (null: an activation), error class, id
        List<Map<Long, String[]>> expected = new ArrayList<>();
        int goodCount = 0;
        for (int partition = 0; partition < 3; partition++) {
            Map<Long, String[]> byOffset = new LinkedHashMap<>();
            expected.add(byOffset);
            long time = T0 + partition;
            List<Object[]> rows = new ArrayList<>();
            // {value, key, headers, reason, error class, id}
            for (int i = 0; i < 4; i++) {
                String id = "p" + partition + "-good-" + i;
                byte[] key = i % 2 == 0 ? id.getBytes() : null;
                rows.add(
                        new Object[] {
                            plainAvro(TestRecords.vector(id, time + 1_000L * i, "g", -1.0, i)),
                            key,
                            i == 1
                                    ? new RecordHeader[] {
                                        new RecordHeader("trace", new byte[] {1, 2}),
                                        new RecordHeader("empty", null)
                                    }
                                    : new RecordHeader[0],
                            null,
                            null,
                            id
                        });
            }
            byte[] valid = plainAvro(TestRecords.vector("t", time + 4_000L, "g", 1.0, 2.0));
            rows.add(
                    new Object[] {
                        TestRecords.singleObject(TestRecords.vector("s", time + 4_000L, "g", 1, 2)),
                        "single".getBytes(),
                        new RecordHeader[] {new RecordHeader("h", "v".getBytes())},
                        "payload is not valid Avro: FeatureVector.id at byte 2: negative length"
                                + " -98; it starts with C3 01, the marker of the"
                                + " avro-single-object format, but is read as plain avro",
                        UndecodableRecordException.class.getName(),
                        null
                    });
            // id "t" (2 bytes), event_time (6), group "g" (2), the count (1), values[0] (8):
            // values[1] starts at byte 19 of 28, and 5 bytes less end at 23.
            rows.add(
                    new Object[] {
                        Arrays.copyOf(valid, valid.length - 5),
                        null,
                        new RecordHeader[0],
                        "payload is truncated: FeatureVector.values[1] needs 8 more bytes at byte"
                                + " 19 but the payload ends at byte 23",
                        UndecodableRecordException.class.getName(),
                        null
                    });
            // A column added upstream: a string field "abc" after the record.
            byte[] extended = Arrays.copyOf(valid, valid.length + 4);
            System.arraycopy(new byte[] {6, 'a', 'b', 'c'}, 0, extended, valid.length, 4);
            rows.add(
                    new Object[] {
                        extended,
                        "extended".getBytes(),
                        new RecordHeader[0],
                        "payload has 4 trailing bytes after the FeatureVector record",
                        UndecodableRecordException.class.getName(),
                        null
                    });
            rows.add(
                    new Object[] {
                        null,
                        "gone".getBytes(),
                        new RecordHeader[] {new RecordHeader("why", "deleted".getBytes())},
                        "payload is null (a tombstone), not a FeatureVector record",
                        UndecodableRecordException.class.getName(),
                        null
                    });
            rows.add(
                    new Object[] {
                        new byte[0],
                        null,
                        new RecordHeader[0],
                        "payload is empty (0 bytes), not a FeatureVector record in avro format",
                        UndecodableRecordException.class.getName(),
                        null
                    });
            rows.add(
                    new Object[] {
                        plainAvro(TestRecords.vector("nan", time + 5_000L, "g", 1.0, Double.NaN)),
                        null,
                        new RecordHeader[0],
                        nanReason,
                        InvalidRecordException.class.getName(),
                        "nan"
                    });
            rows.add(
                    new Object[] {
                        plainAvro(TestRecords.vector("odd", time + 5_000L, "g", 1.0, 2.0, 3.0)),
                        "odd".getBytes(),
                        new RecordHeader[0],
                        "values has 3 values, not a multiple of 2 as maxout(k=2) needs",
                        InvalidRecordException.class.getName(),
                        "odd"
                    });
            rows.add(
                    new Object[] {
                        plainAvro(TestRecords.vector("before-1970", -1L, "g", 1.0, 2.0)),
                        null,
                        new RecordHeader[0],
                        "event_time -1 (1969-12-31T23:59:59.999Z) is before"
                                + " 1970-01-01T00:00:00Z; event times must not be negative",
                        InvalidEventTimeException.class.getName(),
                        "before-1970"
                    });
            for (int offset = 0; offset < rows.size(); offset++) {
                Object[] row = rows.get(offset);
                sent.add(
                        new ProducerRecord<>(
                                names.features,
                                partition,
                                null,
                                (byte[]) row[1],
                                (byte[]) row[0],
                                List.<org.apache.kafka.common.header.Header>of(
                                        (RecordHeader[]) row[2])));
                byOffset.put(
                        (long) offset,
                        new String[] {(String) row[3], (String) row[4], (String) row[5]});
                if (row[3] == null) {
                    goodCount++;
                }
            }
        }
        topics.produce(sent);

        long before = System.currentTimeMillis();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--bounded",
                                "--parallelism",
                                "2"));
        args.addAll(names.args());
        args.addAll(
                List.of(
                        "--format",
                        "avro",
                        "--activation",
                        "maxout(k=2)",
                        "--invalid-values",
                        "reject",
                        "--window",
                        "10s"));
        ActivationStatsJob.run(JobOptions.parse(args.toArray(new String[0])));
        long after = System.currentTimeMillis();

        Map<String, ActivationVector> activations = new HashMap<>();
        TestRecords.decodeAll(
                        topics.readAll(names.activations),
                        TestRecords.plainAvro(ActivationVector.class))
                .forEach(a -> assertThat(activations.put(a.getId(), a)).as("once").isNull());
        Map<String, ConsumerRecord<byte[], byte[]>> dlqRecords = new HashMap<>();
        Map<String, DeadLetter> deadLetters = new HashMap<>();
        TestRecords.Decoder<DeadLetter> deadLetterDecoder = TestRecords.plainAvro(DeadLetter.class);
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(names.dlq)) {
            DeadLetter letter = deadLetterDecoder.decode(ByteBuffer.wrap(record.value()));
            String at = letter.getPartition() + "@" + letter.getOffset();
            assertThat(deadLetters.put(at, letter)).as("once: %s", at).isNull();
            dlqRecords.put(at, record);
        }

        // The Kafka timestamps the producer stamped the inputs with, as read back.
        Map<String, Long> inputTimestamps = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> input : topics.readAll(names.features)) {
            inputTimestamps.put(input.partition() + "@" + input.offset(), input.timestamp());
        }
        int rowsPerPartition = expected.get(0).size();
        assertThat(activations).hasSize(goodCount).hasSize(12);
        assertThat(deadLetters).hasSize(sent.size() - goodCount).hasSize(3 * 8);
        for (ProducerRecord<byte[], byte[]> record : sent) {
            int index = sent.indexOf(record);
            int partition = record.partition();
            long offset = index % rowsPerPartition;
            String[] want = expected.get(partition).get(offset);
            String at = partition + "@" + offset;
            DeadLetter letter = deadLetters.get(at);
            if (want[0] == null) {
                assertThat(letter).as(at).isNull();
                assertThat(activations).as(at).containsKey(want[2]);
                continue;
            }
            assertThat(letter).as(at).isNotNull();
            assertThat(letter.getTopic()).as(at).isEqualTo(names.features);
            assertThat(letter.getPayload())
                    .as(at)
                    .isEqualTo(record.value() == null ? null : ByteBuffer.wrap(record.value()));
            assertThat(letter.getKey())
                    .as(at)
                    .isEqualTo(record.key() == null ? null : ByteBuffer.wrap(record.key()));
            assertThat(dlqRecords.get(at).key()).as(at).isEqualTo(record.key());
            List<DeadLetterHeader> headers = new ArrayList<>();
            record.headers()
                    .forEach(
                            h ->
                                    headers.add(
                                            new DeadLetterHeader(
                                                    h.key(),
                                                    h.value() == null
                                                            ? null
                                                            : ByteBuffer.wrap(h.value()))));
            assertThat(letter.getHeaders()).as(at).isEqualTo(headers);
            assertThat(dlqRecords.get(at).headers().toArray()).as(at).isEmpty();
            assertThat(letter.getReason()).as(at).isEqualTo(want[0]);
            assertThat(letter.getErrorClass()).as(at).isEqualTo(want[1]);
            assertThat(letter.getErrorMessage()).as(at).isEqualTo(want[0]);
            assertThat(letter.getTimestamp().toEpochMilli())
                    .as(at)
                    .isEqualTo(inputTimestamps.get(at));
            assertThat(letter.getFailedAt().toEpochMilli()).as(at).isBetween(before, after);
            assertThat(dlqRecords.get(at).timestamp())
                    .as(at)
                    .isEqualTo(letter.getFailedAt().toEpochMilli());
            if (want[2] != null) {
                assertThat(activations).as(at).doesNotContainKey(want[2]);
            }
        }
        // maxout(k=2) of (-1, i): max(-1, i) for i = 0..3 in every partition.
        for (int partition = 0; partition < 3; partition++) {
            for (int i = 0; i < 4; i++) {
                assertThat(activations.get("p" + partition + "-good-" + i).getActivations())
                        .containsExactly(Math.max(-1.0, i));
            }
        }
        // Windows of 10 s from the epoch: T0 = 1,700,000,000,000 ms starts one; all good
        // records (T0 .. T0 + 3,002) fall in it, the 12 activations and nothing else.
        assertThat(topics.readAll(names.late)).isEmpty();
        List<ActivationStats> stats =
                TestRecords.decodeAll(
                        topics.readAll(names.stats), TestRecords.plainAvro(ActivationStats.class));
        assertThat(stats)
                .extracting(
                        s -> s.getWindowStart().toEpochMilli(),
                        ActivationStats::getRecordCount,
                        ActivationStats::getValueCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(T0, 12L, 12L));
    }

    @Test
    void failPolicyFailsTheJobNamingTopicPartitionAndOffset(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(TestRecords.record(names.features, 0, TestRecords.vector("ok", T0, "g", 1, 2)));
        records.add(
                TestRecords.record(
                        names.features, 0, TestRecords.vector("poison", T0, "g", Double.NaN, 2)));
        topics.produce(records);

        assertThatThrownBy(() -> ActivationStatsJob.run(options(names, "--invalid-values", "fail")))
                .satisfies(
                        error ->
                                assertThat(
                                                ExceptionUtils.findThrowable(
                                                                error, InvalidRecordException.class)
                                                        .orElseThrow()
                                                        .getMessage())
                                        .isEqualTo(
                                                "Cannot activate record id=poison group=g (read"
                                                        + " from "
                                                        + names.features
                                                        + "/0@1): values[0] is NaN and the"
                                                        + " invalid-value policy is fail (NaN and"
                                                        + " infinities are not accepted)"));
    }

    /**
     * Under fail, the policy is about records that decode: bytes that do not, tombstones and event
     * times out of range still go to the dead-letter topic, and the job goes on to its end.
     */
    @Test
    void failPolicyStillDeadLettersWhatDoesNotDecodeAndBadEventTimesAndGoesOn(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String t = names.features;
        byte[] valid = TestRecords.singleObject(TestRecords.vector("x", T0, "g", 1.0, 2.0));
        byte[] unknownFingerprint = valid.clone();
        unknownFingerprint[9] ^= 0x40;
        List<ProducerRecord<byte[], byte[]>> records =
                List.of(
                        TestRecords.record(t, 0, TestRecords.vector("first", T0, "g", 1, -2)),
                        new ProducerRecord<>(t, 0, null, "not avro".getBytes()),
                        new ProducerRecord<>(t, 0, "gone".getBytes(), null),
                        new ProducerRecord<>(t, 0, null, Arrays.copyOf(valid, valid.length - 5)),
                        new ProducerRecord<>(t, 0, null, unknownFingerprint),
                        TestRecords.record(t, 0, TestRecords.vector("old", -5L, "g", 1, 2)),
                        TestRecords.record(
                                t, 0, TestRecords.vector("ahead", 10_413_792_000_000L, "g", 1, 2)),
                        TestRecords.record(
                                t, 0, TestRecords.vector("last", T0 + 1_000L, "g", 3, -4)));
        topics.produce(records);

        JobExecutionResult result =
                ActivationStatsJob.run(options(names, "--invalid-values", "fail"));

        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("first", "last");
        List<DeadLetter> deadLetters =
                TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
        assertThat(deadLetters)
                .extracting(DeadLetter::getOffset)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(deadLetters)
                .extracting(DeadLetter::getErrorClass)
                .containsExactly(
                        UndecodableRecordException.class.getName(),
                        UndecodableRecordException.class.getName(),
                        UndecodableRecordException.class.getName(),
                        UndecodableRecordException.class.getName(),
                        InvalidEventTimeException.class.getName(),
                        InvalidEventTimeException.class.getName());
        for (DeadLetter letter : deadLetters) {
            byte[] sent = records.get(letter.getOffset().intValue()).value();
            assertThat(letter.getPayload()).isEqualTo(sent == null ? null : ByteBuffer.wrap(sent));
        }
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(ActivationStats::getRecordCount)
                .containsExactly(2L);
    }

    /**
     * A record whose activations could not be written fails the job under fail as a NaN does,
     * naming where it was read, and for good: the job fails without restarting into it again.
     */
    @Test
    void failPolicyFailsTheJobForGoodOnActivationsTooLargeForAKafkaRecord(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("small", T0, "g", 1, 2)),
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("too-large", T0 + 1, "g", ones(90_000)))));

        Throwable error =
                catchThrowable(
                        () -> ActivationStatsJob.run(options(names, "--invalid-values", "fail")));

        assertThat(ExceptionUtils.findThrowable(error, InvalidRecordException.class))
                .get()
                .extracting(Throwable::getMessage)
                .asString()
                .startsWith(
                        "Cannot activate record id=too-large group=g (read from "
                                + names.features
                                + "/0@1): its activations would not fit in one Kafka record:"
                                + " up to ");
        JobID job =
                ExceptionUtils.findThrowable(error, JobExecutionException.class)
                        .orElseThrow()
                        .getJobID();
        JobOutputAssertions.assertNeverRestarted(cluster, job);
    }

    @Test
    void recordsWhoseOutputsWouldNotFitInAKafkaRecordAreDeadLetteredAndTheJobGoesOn(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        // maxout(k=2) with derivatives: about 12 bytes of output per input value. 80,000 values
        // make a record of about 960 KB, under Kafka's 1 MiB max.request.size; 90,000 do not.
        List<ProducerRecord<byte[], byte[]>> records =
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("small", T0, "g", 1, 2)),
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("too-large", T0 + 1, "g", ones(90_000))),
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("just-fits", T0 + 2, "g", ones(80_000))));
        topics.produce(records);

        JobExecutionResult result = ActivationStatsJob.run(options(names));

        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(a -> a.getId(), a -> a.getActivations().size())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("small", 1),
                        org.assertj.core.groups.Tuple.tuple("just-fits", 40_000));
        List<DeadLetter> deadLetters =
                TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
        assertThat(deadLetters).hasSize(1);
        DeadLetter letter = deadLetters.get(0);
        assertThat(letter.getOffset()).isEqualTo(1L);
        assertThat(letter.getPayload()).isEqualTo(ByteBuffer.wrap(records.get(1).value()));
        assertThat(letter.getReason())
                .startsWith("its activations would not fit in one Kafka record: up to ")
                .endsWith(
                        " bytes for 90000 values, above max.request.size=1048576; raise"
                                + " --kafka.max.request.size (and the max.message.bytes of the"
                                + " output topics) to write such records");
        assertThat(letter.getErrorClass()).isEqualTo(InvalidRecordException.class.getName());
    }

    @Test
    void deadLettersTooLargeForAKafkaRecordLeaveTheBytesOutAndTheJobGoesOn(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        // Records the input topic takes (under Kafka's 1 MiB max.request.size with their framing),
        // but whose dead letters, the bytes and about 400 more, would not fit in one record.
        byte[] garbage = new byte[1_048_400];
        Arrays.fill(garbage, (byte) 0x41);
        double[] wide = ones(131_040); // 1,048,320 bytes of values, 1,048,361 in all
        wide[7] = Double.NaN;
        List<ProducerRecord<byte[], byte[]>> records =
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("small", T0, "g", 1, 2)),
                        new ProducerRecord<>(
                                names.features,
                                0,
                                "big".getBytes(),
                                garbage,
                                List.of(new RecordHeader("trace", new byte[] {1, 2}))),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("wide", T0 + 1, "g", wide)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("after", T0 + 2, "g", 3)));
        topics.produce(records);

        JobExecutionResult result =
                ActivationStatsJob.run(boundedJob(names, "--invalid-values", "reject"));

        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("small", "after");
        List<DeadLetter> deadLetters =
                TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
        assertThat(deadLetters).extracting(DeadLetter::getOffset).containsExactly(1L, 2L);
        String garbageReason =
                "payload does not start with the Avro single-object marker C3 01 (found 41 41):"
                        + " it is not a FeatureVector record in avro-single-object format";
        String nanReason =
                "values[7] is NaN and the invalid-value policy is reject (NaN and infinities are"
                        + " not accepted)";
        DeadLetter big = deadLetters.get(0);
        assertThat(big.getPayload()).isNull();
        assertThat(big.getKey()).isEqualTo(ByteBuffer.wrap("big".getBytes()));
        assertThat(big.getHeaders())
                .containsExactly(new DeadLetterHeader("trace", ByteBuffer.wrap(new byte[] {1, 2})));
        assertThat(big.getTopic()).isEqualTo(names.features);
        assertThat(big.getPartition()).isZero();
        assertThat(big.getReason())
                .isEqualTo(
                        garbageReason
                                + "; the payload (1048400 bytes) is left out of this dead letter,"
                                + " which would not fit in one Kafka record with them"
                                + " (max.request.size=1048576): read the record from "
                                + names.features
                                + "/0@1");
        assertThat(big.getErrorClass()).isEqualTo(UndecodableRecordException.class.getName());
        assertThat(big.getErrorMessage()).isEqualTo(garbageReason);
        DeadLetter rejected = deadLetters.get(1);
        assertThat(rejected.getPayload()).isNull();
        assertThat(rejected.getKey()).isEqualTo(ByteBuffer.wrap("wide".getBytes()));
        assertThat(rejected.getReason())
                .isEqualTo(
                        nanReason
                                + "; the payload ("
                                + records.get(2).value().length
                                + " bytes) is left out of this dead letter, which would not fit"
                                + " in one Kafka record with them (max.request.size=1048576):"
                                + " read the record from "
                                + names.features
                                + "/0@2");
        assertThat(rejected.getErrorClass()).isEqualTo(InvalidRecordException.class.getName());
        assertThat(rejected.getErrorMessage()).isEqualTo(nanReason);
    }

    @Test
    void statisticsTooLargeForAKafkaRecordDeadLetterTheRecordThatWouldMakeThem(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        // Activations alone: 8 bytes per value, 680 KB. The window statistics take 13 per feature
        // at most (a fraction and a dead-feature index): over 1 MiB.
        List<ProducerRecord<byte[], byte[]>> records =
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("small", T0, "g", 1, 2)),
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("wide", T0 + 1, "g", ones(85_000))));
        topics.produce(records);

        ActivationStatsJob.run(boundedJob(names, "--no-derivatives"));

        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("small");
        assertThat(TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer))
                .singleElement()
                .satisfies(
                        letter ->
                                assertThat(letter.getReason())
                                        .startsWith(
                                                "its window statistics would not fit in one Kafka"
                                                        + " record: up to ")
                                        .contains(" bytes for 85000 values, "));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats),
                                io.relustream.avro.ActivationStats::fromByteBuffer))
                .extracting(stats -> stats.getRecordCount())
                .containsExactly(1L);
    }

    /**
     * A group name that takes a third of a Kafka record: its window statistics (group as key and
     * field) fit, and so must its alerts, which hold it as key, field and in their message.
     */
    @Test
    void alertsOfAGroupWithALongNameFitInAKafkaRecordAndTheJobGoesOn(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String group = "layer-" + "x".repeat(21_994);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("r", T0, group, -1.0, 2.0))));

        JobExecutionResult result =
                ActivationStatsJob.run(
                        boundedJob(names, "--kafka.max.request.size=65536", "--dead-windows", "1"));

        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("r");
        assertThat(TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer))
                .isEmpty();
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(ActivationStats::getGroup, ActivationStats::getDeadFeatures)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(group, List.of(0)));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.alerts),
                                io.relustream.avro.ActivationAlert::fromByteBuffer))
                .singleElement()
                .satisfies(
                        alert -> {
                            assertThat(alert.getGroup()).isEqualTo(group);
                            assertThat(alert.getKind()).isEqualTo("dead_feature");
                            assertThat(alert.getFeature()).isEqualTo(0);
                            assertThat(alert.getValue()).isEqualTo(1.0);
                        });
    }

    /**
     * Under zero and propagate, records with NaN and infinities are activated, not dead-lettered:
     * their activations, derivatives and window statistics as the policy says, every input
     * accounted for. Expected values by hand: relu, f'(-inf) = 0, f'(+inf) = 1.
     */
    @Test
    void zeroPolicyActivatesNaNAsZeroAndCountsTheInputs(TestInfo test) throws Exception {
        double inf = Double.POSITIVE_INFINITY;
        ActivationStats stats =
                runWithNaNAndInfinities(
                        test,
                        "zero",
                        List.of(
                                List.of(0.0, 2.0, 0.0, 1.0),
                                List.of(inf, 0.0, 1.0, 0.0),
                                List.of(0.0, 0.0, 0.0, 0.0)));

        assertThat(stats.getValueCount()).isEqualTo(6L);
        assertThat(stats.getZeroCount()).isEqualTo(4L);
        assertThat(stats.getZeroFraction()).isEqualTo(4.0 / 6.0);
        assertThat(stats.getPerFeatureZeroFraction()).containsExactly(2.0 / 3.0, 2.0 / 3.0);
    }

    @Test
    void propagatePolicyActivatesNaNAsNaNAndCountsTheInputs(TestInfo test) throws Exception {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        ActivationStats stats =
                runWithNaNAndInfinities(
                        test,
                        "propagate",
                        List.of(
                                List.of(nan, 2.0, nan, 1.0),
                                List.of(inf, 0.0, 1.0, 0.0),
                                List.of(0.0, nan, 0.0, nan)));

        assertThat(stats.getValueCount()).isEqualTo(4L);
        assertThat(stats.getZeroCount()).isEqualTo(2L);
        assertThat(stats.getZeroFraction()).isEqualTo(0.5);
        assertThat(stats.getPerFeatureZeroFraction()).containsExactly(1.0 / 3.0, 1.0 / 3.0);
    }

    /**
     * Runs relu under {@code policy} on [NaN, 2], [+inf, -1], [-inf, NaN] and [] in one window;
     * asserts each record's activations and derivatives ({@code expected}: two activations, then
     * two derivatives, per record), the dead letter of [] and the counts every policy shares.
     */
    private static ActivationStats runWithNaNAndInfinities(
            TestInfo test, String policy, List<List<Double>> expected) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        List<ProducerRecord<byte[], byte[]>> records =
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("r0", T0, "g", nan, 2.0)),
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("r1", T0 + 1, "g", inf, -1.0)),
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("r2", T0 + 2, "g", -inf, nan)),
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("r3", T0 + 3, "g")));
        topics.produce(records);

        ActivationStatsJob.run(boundedJob(names, "--invalid-values", policy));

        List<ActivationVector> activations =
                TestRecords.decodeAll(
                        topics.readAll(names.activations), ActivationVector::fromByteBuffer);
        assertThat(activations)
                .extracting(ActivationVector::getId)
                .containsExactly("r0", "r1", "r2");
        for (int i = 0; i < 3; i++) {
            List<Double> values = expected.get(i);
            assertThat(activations.get(i).getActivations())
                    .as("activations of r%d", i)
                    .containsExactly(values.get(0), values.get(1));
            assertThat(activations.get(i).getDerivatives())
                    .as("derivatives of r%d", i)
                    .containsExactly(values.get(2), values.get(3));
        }
        assertThat(TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer))
                .singleElement()
                .satisfies(
                        letter -> {
                            assertThat(letter.getOffset()).isEqualTo(3L);
                            assertThat(letter.getReason())
                                    .isEqualTo("values is empty: there is nothing to activate");
                            assertThat(letter.getPayload())
                                    .isEqualTo(ByteBuffer.wrap(records.get(3).value()));
                        });
        List<ActivationStats> stats =
                TestRecords.decodeAll(topics.readAll(names.stats), ActivationStats::fromByteBuffer);
        assertThat(stats).hasSize(1);
        ActivationStats window = stats.get(0);
        assertThat(window.getRecordCount()).isEqualTo(3L);
        assertThat(window.getNanCount()).isEqualTo(2L);
        assertThat(window.getPosInfCount()).isEqualTo(1L);
        assertThat(window.getNegInfCount()).isEqualTo(1L);
        // Non-NaN inputs 2, +inf, -1, -inf: two below 0.
        assertThat(window.getNegativeInputFraction()).isEqualTo(0.5);
        assertThat(window.getMin()).isEqualTo(0.0);
        assertThat(window.getMax()).isEqualTo(inf);
        return window;
    }

    private static double[] ones(int count) {
        double[] values = new double[count];
        Arrays.fill(values, 1.0);
        return values;
    }
}
