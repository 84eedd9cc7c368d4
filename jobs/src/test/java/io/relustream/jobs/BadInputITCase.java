package io.relustream.jobs;

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
                        "unknown writer schema fingerprint %016x: it is none of the FeatureVector"
                                + " versions this job knows (v1); give the job the producer's"
                                + " schema (--writer-schemas) or deploy a build that has it",
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

    private static double[] ones(int count) {
        double[] values = new double[count];
        Arrays.fill(values, 1.0);
        return values;
    }
}
