package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.DeadLetterHeader;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The Kafka key, timestamp and headers of every record the job writes, as the README describes
 * them, for input records with and without keys and headers, with Kafka timestamps that disagree
 * with their event times, sent compressed; and which of the records carry derivatives (activations
 * unless {@code --no-derivatives}, late records never).
 */
class OutputRecordKeysITCase {

    @RegisterExtension static final MiniClusterExtension CLUSTER = new MiniClusterExtension();

    /** On a 10 s boundary, so windows are [T0, T0 + 10s) and [T0 + 10s, T0 + 20s). */
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

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ProducerRecord<byte[], byte[]> record(
            String topic, Long kafkaTimestamp, String key, byte[] value, Header... headers) {
        return new ProducerRecord<>(
                topic, 0, kafkaTimestamp, key == null ? null : utf8(key), value, List.of(headers));
    }

    private static byte[] vector(String id, long eventTime, double... values) {
        return TestRecords.singleObject(TestRecords.vector(id, eventTime, "g", values));
    }

    @Test
    void outputsAreKeyedAndStampedAsDocumentedAndCarryNoHeaders(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String in = names.features;
        List<ProducerRecord<byte[], byte[]>> input =
                List.of(
                        // Keyed, with a header, stamped 500 s after its event time.
                        record(
                                in,
                                T0 + 500_000L,
                                "user-7",
                                vector("a", T0 + 1_000L, 1.0, -2.0),
                                new RecordHeader("trace", utf8("abc"))),
                        record(in, null, null, vector("b", T0 + 2_000L, -3.0)),
                        // A tombstone with a key and headers, one of them without a value.
                        record(
                                in,
                                T0,
                                "user-8",
                                null,
                                new RecordHeader("trace", utf8("def")),
                                new RecordHeader("empty", null)),
                        record(in, T0 + 7L, "user-9", vector("nan", T0 + 3_000L, Double.NaN)),
                        // Moves event time to T0 + 12s: [T0, T0 + 10s) closes.
                        record(in, null, "user-10", vector("c", T0 + 12_000L, 2.0, 3.0)),
                        record(in, null, "user-11", vector("late", T0 + 4_000L, 5.0)));
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        "lz4",
                        ProducerConfig.LINGER_MS_CONFIG,
                        100);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            // One compressed batch, in order.
            input.forEach(producer::send);
            producer.flush();
        }

        long before = System.currentTimeMillis();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--bounded",
                                "--parallelism",
                                "1",
                                "--window",
                                "10s",
                                "--out-of-orderness",
                                "0s",
                                "--watermark-interval",
                                "0s",
                                "--dead-windows",
                                "1",
                                "--invalid-values",
                                "reject"));
        args.addAll(names.args());
        ActivationStatsJob.run(JobOptions.parse(args.toArray(new String[0])));
        long after = System.currentTimeMillis();

        List<ConsumerRecord<byte[], byte[]>> activations = topics.readAll(names.activations);
        // Keyed by id whatever the input key was; stamped with the event time, not the input's
        // Kafka timestamp (T0 + 500s for "a").
        assertThat(activations)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8), r -> r.timestamp())
                .containsExactly(
                        tuple("a", T0 + 1_000L),
                        tuple("b", T0 + 2_000L),
                        tuple("c", T0 + 12_000L),
                        tuple("late", T0 + 4_000L));

        List<ConsumerRecord<byte[], byte[]>> late = topics.readAll(names.late);
        assertThat(late)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8), r -> r.timestamp())
                .containsExactly(tuple("late", T0 + 4_000L));
        // A late record is its activations without derivatives: the activations topic has those.
        assertThat(TestRecords.decodeAll(late, ActivationVector::fromByteBuffer))
                .extracting(
                        ActivationVector::getId,
                        ActivationVector::getActivations,
                        ActivationVector::getDerivatives)
                .containsExactly(tuple("late", List.of(5.0), null));

        // Windows' last milliseconds, keyed by group.
        List<ConsumerRecord<byte[], byte[]>> stats = topics.readAll(names.stats);
        assertThat(stats)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8), r -> r.timestamp())
                .containsExactly(tuple("g", T0 + 9_999L), tuple("g", T0 + 19_999L));
        assertThat(TestRecords.decodeAll(stats, ActivationStats::fromByteBuffer))
                .extracting(ActivationStats::getRecordCount)
                .containsExactly(2L, 1L);

        // Feature 1 is 0 in the first window ("a": relu(-2); "b" has no index 1) and 3 in the
        // second ("c").
        List<ConsumerRecord<byte[], byte[]>> alerts = topics.readAll(names.alerts);
        assertThat(alerts)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8), r -> r.timestamp())
                .containsExactly(tuple("g", T0 + 9_999L), tuple("g", T0 + 19_999L));
        assertThat(TestRecords.decodeAll(alerts, ActivationAlert::fromByteBuffer))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("dead_feature", 1), tuple("recovered", 1));

        // Keyed by the input's key, stamped when they failed (failed_at): the tombstone never
        // decoded, the NaN record did and has an event time of 2023, which is not used.
        List<ConsumerRecord<byte[], byte[]>> dlq = topics.readAll(names.dlq);
        assertThat(dlq)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("user-8", "user-9");
        List<DeadLetter> letters = TestRecords.decodeAll(dlq, DeadLetter::fromByteBuffer);
        for (int i = 0; i < 2; i++) {
            assertThat(dlq.get(i).timestamp())
                    .isEqualTo(letters.get(i).getFailedAt().toEpochMilli())
                    .isBetween(before, after);
        }
        assertThat(letters)
                .extracting(
                        DeadLetter::getOffset,
                        l -> l.getTimestamp().toEpochMilli(),
                        DeadLetter::getPayload)
                .containsExactly(
                        tuple(2L, T0, null),
                        tuple(3L, T0 + 7L, ByteBuffer.wrap(input.get(3).value())));
        assertThat(letters.get(0).getHeaders())
                .containsExactly(
                        new DeadLetterHeader("trace", ByteBuffer.wrap(utf8("def"))),
                        new DeadLetterHeader("empty", null));
        assertThat(letters.get(1).getHeaders()).isEmpty();

        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        List.of(activations, late, stats, alerts, dlq).forEach(all::addAll);
        assertThat(all)
                .allSatisfy(
                        r -> {
                            assertThat(r.headers().toArray()).isEmpty();
                            assertThat(r.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
                        });
        // Input = activations + dead letters: offsets 0, 1, 4, 5 and 2, 3.
        assertThat(activations.size() + dlq.size()).isEqualTo(input.size());
        assertThat(TestRecords.decodeAll(activations, ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getActivations, ActivationVector::getDerivatives)
                .containsExactly(
                        tuple(List.of(1.0, 0.0), List.of(1.0, 0.0)),
                        tuple(List.of(0.0), List.of(0.0)),
                        tuple(List.of(2.0, 3.0), List.of(1.0, 1.0)),
                        tuple(List.of(5.0), List.of(1.0)));
    }

    @Test
    void noDerivativesWritesActivationsWhoseDerivativesAreNull(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String in = names.features;
        List<ProducerRecord<byte[], byte[]>> input =
                List.of(
                        record(in, null, null, vector("a", T0 + 1_000L, 1.0, -2.0)),
                        // Moves event time to T0 + 12s: [T0, T0 + 10s) closes.
                        record(in, null, null, vector("c", T0 + 12_000L, 2.0)),
                        record(in, null, null, vector("late", T0 + 4_000L, -5.0)));
        topics.produce(input);

        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--bounded",
                                "--parallelism",
                                "1",
                                "--window",
                                "10s",
                                "--out-of-orderness",
                                "0s",
                                "--watermark-interval",
                                "0s",
                                "--no-derivatives"));
        args.addAll(names.args());
        ActivationStatsJob.run(JobOptions.parse(args.toArray(new String[0])));

        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(
                        ActivationVector::getId,
                        ActivationVector::getActivations,
                        ActivationVector::getDerivatives)
                .containsExactly(
                        tuple("a", List.of(1.0, 0.0), null),
                        tuple("c", List.of(2.0), null),
                        tuple("late", List.of(0.0), null));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.late), ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId, ActivationVector::getDerivatives)
                .containsExactly(tuple("late", null));
        // The statistics do not depend on the derivatives.
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(ActivationStats::getRecordCount, ActivationStats::getZeroCount)
                .containsExactly(tuple(1L, 1L), tuple(1L, 0L));
    }
}
