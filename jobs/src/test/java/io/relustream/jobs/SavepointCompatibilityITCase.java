package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.relustream.jobs.SavepointFixture.T0;
import static io.relustream.jobs.SavepointFixture.notARecord;
import static io.relustream.jobs.SavepointFixture.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A savepoint of an earlier build, committed with the tests ({@link SavepointFixture}), restores
 * into this one with its open windows, alert streaks, event time and input offsets: a renamed
 * operator uid, a state serializer that reads its old bytes or snapshot otherwise, or a state type
 * of another shape would break the restores of savepoints users hold, and fail here.
 */
class SavepointCompatibilityITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /**
     * Read after the savepoint: offsets 5 to 7 of partition 0 ({@code late-a-25} belongs to [20 s,
     * 30 s), closed before the savepoint) and 4 to 6 of partition 1.
     */
    private static List<ProducerRecord<byte[], byte[]>> afterSavepoint(String topic) {
        return List.of(
                record(topic, 0, "a", "a-33", 33, -1, 2),
                record(topic, 0, "a", "late-a-25", 25, 5, -1),
                record(topic, 0, "b", "b-41", 41, -1, -1),
                record(topic, 1, "b", "b-34", 34, -1, -1),
                notARecord(topic, 1, "bad-2"),
                record(topic, 1, "a", "a-42", 42, 3, 4));
    }

    /**
     * Every committed savepoint of the activation job: one folder each under {@code savepoints/}
     * (beside the SQL job's, which {@code SqlSavepointCompatibilityITCase} restores).
     */
    static Stream<String> fixtures() throws Exception {
        return CommittedSavepoints.named(SavepointFixture.PREFIX);
    }

    @Test
    void thisBuildsFixtureIsCommitted() throws Exception {
        assertThat(fixtures()).contains(SavepointFixture.NAME);
    }

    /** What {@link CommittedSavepoints#assertOneRelocatableFile} says, of every fixture. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theFixtureIsOneRelocatableFile(String name) throws Exception {
        CommittedSavepoints.assertOneRelocatableFile(name);
    }

    static Stream<Arguments> restores() throws Exception {
        return CommittedSavepoints.restores(SavepointFixture.PREFIX);
    }

    @ParameterizedTest(name = "{0} at parallelism {1}")
    @MethodSource("restores")
    void theCommittedSavepointRestoresIntoThisBuild(String name, int parallelism) throws Exception {
        // A broker of its own: every restore reads and writes the same topics.
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            assertRestores(name, parallelism, kafka);
        }
    }

    private static void assertRestores(String name, int parallelism, EmbeddedKafka kafka)
            throws Exception {
        KafkaTopics topics = new KafkaTopics(kafka.bootstrapServers());
        JobTopics names = JobTopics.create(kafka, SavepointFixture.TOPIC_PREFIX, 2);
        // The same records at the same offsets as when the savepoint was taken, then the new ones.
        List<ProducerRecord<byte[], byte[]>> all =
                new ArrayList<>(SavepointFixture.beforeSavepoint(names.features));
        all.addAll(afterSavepoint(names.features));
        topics.produce(all);

        KafkaJobRuns.runToEnd(
                SavepointFixture.options(kafka.bootstrapServers(), names, parallelism, "--bounded"),
                KafkaJobRuns.restoringFrom(CommittedSavepoints.folder(name).toUri().toString()),
                "restored from " + name,
                Duration.ofSeconds(60));

        // From the saved offsets on: no record of the first run read again, none missed. With
        // the first run's eight activations and one dead letter, every input record once. The
        // records are keyed by their ids, and written in this order: bad-2 follows b-34 (offset
        // 4) in partition 1, at offset 5, which its dead letter names.
        List<String> keysAfter =
                afterSavepoint(names.features).stream()
                        .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                        .collect(Collectors.toList());
        assertThat(keysAfter).containsExactly("a-33", "late-a-25", "b-41", "b-34", "bad-2", "a-42");
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactlyInAnyOrder("a-33", "late-a-25", "b-41", "b-34", "a-42");
        assertThat(TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer))
                .extracting(
                        DeadLetter::getTopic,
                        DeadLetter::getPartition,
                        DeadLetter::getOffset,
                        d -> new String(TestRecords.bytes(d.getKey()), StandardCharsets.UTF_8))
                .containsExactly(tuple("compat-features", 1, 5L, "bad-2"));
        // Event time restored at 30.999 s: [20 s, 30 s) had closed for good.
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.late), ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("late-a-25");

        // [30 s, 40 s) holds a-31 and b-32 from before the savepoint. Outputs, feature by feature:
        // a: a-31 (0, 1), a-33 (0, 2); b: b-32 (2, 0), b-34 (0, 0); [40 s, 50 s): a-42 (3, 4),
        // b-41 (0, 0).
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(
                        ActivationStats::getGroup,
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        s -> s.getWindowEnd().toEpochMilli() - T0,
                        ActivationStats::getRecordCount,
                        ActivationStats::getValueCount,
                        ActivationStats::getZeroCount,
                        ActivationStats::getZeroFraction,
                        ActivationStats::getPerFeatureZeroFraction,
                        ActivationStats::getDeadFeatures,
                        ActivationStats::getMin,
                        ActivationStats::getMax,
                        ActivationStats::getMean)
                .containsExactlyInAnyOrder(
                        tuple(
                                "a",
                                30_000L,
                                40_000L,
                                2L,
                                4L,
                                2L,
                                0.5,
                                List.of(1.0, 0.0),
                                List.of(0),
                                0.0,
                                2.0,
                                0.75),
                        tuple(
                                "b",
                                30_000L,
                                40_000L,
                                2L,
                                4L,
                                3L,
                                0.75,
                                List.of(0.5, 1.0),
                                List.of(1),
                                0.0,
                                2.0,
                                0.5),
                        tuple(
                                "a",
                                40_000L,
                                50_000L,
                                1L,
                                2L,
                                0L,
                                0.0,
                                List.of(0.0, 0.0),
                                List.of(),
                                3.0,
                                4.0,
                                3.5),
                        tuple(
                                "b",
                                40_000L,
                                50_000L,
                                1L,
                                2L,
                                2L,
                                1.0,
                                List.of(1.0, 1.0),
                                List.of(0, 1),
                                0.0,
                                0.0,
                                0.0));

        // The streaks go on from the savepoint (--dead-windows 3): feature 0 of a, dead in [10 s,
        // 20 s) and [20 s, 30 s), is reported in [30 s, 40 s); feature 1 of b, dead since [20 s,
        // 30 s), in [40 s, 50 s). Feature 0 of b, reported before the savepoint, recovers in [30
        // s, 40 s). Group b stays above the sparsity limit reported before the savepoint (1.0,
        // then 0.75 and 1.0 > 0.6): not reported again. Streaks lost on the restore would report
        // none of these, and report b's sparsity again. An alert's value is the feature's zero
        // fraction in its window: 1.0 where dead; 0.5 for feature 0 of b in [30 s, 40 s) (b-34's
        // 0, b-32's 2); 0.0 for feature 0 of a in [40 s, 50 s) (a-42's 3).
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.alerts), ActivationAlert::fromByteBuffer))
                .extracting(
                        ActivationAlert::getGroup,
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        a -> a.getWindowStart().toEpochMilli() - T0,
                        ActivationAlert::getValue)
                .containsExactlyInAnyOrder(
                        tuple("a", "dead_feature", 0, 30_000L, 1.0),
                        tuple("b", "recovered", 0, 30_000L, 0.5),
                        tuple("a", "recovered", 0, 40_000L, 0.0),
                        tuple("b", "dead_feature", 1, 40_000L, 1.0));
    }
}
