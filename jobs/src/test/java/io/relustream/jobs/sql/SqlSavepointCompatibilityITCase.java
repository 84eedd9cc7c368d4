package io.relustream.jobs.sql;

import io.relustream.avro.DeadLetter;
import io.relustream.formats.AvroRecordDecoder;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.CommittedSavepoints;
import io.relustream.jobs.KafkaTopics;
import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.relustream.jobs.sql.SqlSavepointFixture.notARecord;
import static io.relustream.jobs.sql.SqlSavepointFixture.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A savepoint of the SQL job of an earlier build, committed with the tests ({@link
 * SqlSavepointFixture}), restores into this one with its open windows, event time and input
 * offsets: a change to the script, to the table module, to the accumulator type of {@code
 * ZERO_FRACTION} or {@code DEAD_FEATURES}, or to the state Flink's planner lays out for them would
 * break the restores of savepoints users hold, and fail here.
 */
class SqlSavepointCompatibilityITCase {

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
    private static List<ProducerRecord<byte[], byte[]>> afterSavepoint() {
        return List.of(
                record(0, "a", "a-33", 33, -1, 2),
                record(0, "a", "late-a-25", 25, 5, -1),
                record(0, "b", "b-41", 41, -1, -1),
                record(1, "b", "b-34", 34, -1, -1),
                notARecord(1, "bad-2"),
                record(1, "a", "a-42", 42, 3, 4));
    }

    /** Every committed savepoint of the SQL job: one folder each under {@code savepoints/}. */
    static Stream<String> fixtures() throws Exception {
        return CommittedSavepoints.named(SqlSavepointFixture.PREFIX);
    }

    @Test
    void thisBuildsFixtureIsCommitted() throws Exception {
        assertThat(fixtures()).contains(SqlSavepointFixture.NAME);
    }

    /** What {@link CommittedSavepoints#assertOneRelocatableFile} says, of every fixture. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theFixtureIsOneRelocatableFile(String name) throws Exception {
        CommittedSavepoints.assertOneRelocatableFile(name);
    }

    static Stream<Arguments> restores() throws Exception {
        return CommittedSavepoints.restores(SqlSavepointFixture.PREFIX);
    }

    @ParameterizedTest(name = "{0} at parallelism {1}")
    @MethodSource("restores")
    void theCommittedSavepointRestoresIntoThisBuild(
            String name, int parallelism, @InjectMiniCluster MiniCluster cluster) throws Exception {
        // A broker of its own: every restore reads and writes the same topics.
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            KafkaTopics topics = new KafkaTopics(kafka.bootstrapServers());
            SqlSavepointFixture.createTopics(kafka);
            // The same records at the same offsets as when the savepoint was taken, then the new
            // ones.
            List<ProducerRecord<byte[], byte[]>> all =
                    new ArrayList<>(SqlSavepointFixture.beforeSavepoint());
            all.addAll(afterSavepoint());
            topics.produce(all);

            SqlZeroFractionJob job =
                    SqlSavepointFixture.job(kafka.bootstrapServers(), parallelism, "--bounded");
            Map<String, String> client =
                    Map.of(
                            StateRecoveryOptions.SAVEPOINT_PATH.key(),
                            CommittedSavepoints.folder(name).toUri().toString());
            try (SqlJobRun run = SqlJobRun.start(cluster, job, client)) {
                run.awaitEnd(Duration.ofSeconds(60));
            }

            // Only the windows open at the savepoint and after it: those it had closed are not
            // written again, as they would be by a run that read the input from its start.
            // [30 s, 40 s) holds a-31 and b-32 from before the savepoint. ReLU outputs, feature
            // by feature: a: a-31 (0, 1), a-33 (0, 2): 2 of 4 zero, feature 0 dead; b: b-32 (2,
            // 0), b-34 (0, 0): 3 of 4, feature 1 dead. [40 s, 50 s): a-42 (3, 4), none zero;
            // b-41 (0, 0), both dead. late-a-25 is left out: the event time restored, 30.999 s,
            // had closed [20 s, 30 s) for good.
            assertThat(SqlSavepointFixture.windows(topics))
                    .extracting(w -> tuple(w.toArray()))
                    .containsExactlyInAnyOrder(
                            tuple("a", 30L, 40L, 2L, 0.5, List.of(0)),
                            tuple("b", 30L, 40L, 2L, 0.75, List.of(1)),
                            tuple("a", 40L, 50L, 1L, 0.0, List.of()),
                            tuple("b", 40L, 50L, 1L, 1.0, List.of(0, 1)));

            // From the saved offsets on: the bytes before the savepoint, dead-lettered by the run
            // that took it, are not read again; those after it are, once: bad-2, offset 5 of
            // partition 1, after b-2, a-11, b-22, b-32 and b-34.
            AvroRecordDecoder<DeadLetter> letters =
                    AvroRecordDecoder.of(DeadLetter.class, WireFormat.AVRO_SINGLE_OBJECT);
            List<DeadLetter> dead = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : topics.readAll(SqlSavepointFixture.DLQ)) {
                dead.add(letters.decode(record.value()));
            }
            assertThat(dead)
                    .extracting(
                            d -> d.getTopic().toString(),
                            DeadLetter::getPartition,
                            DeadLetter::getOffset)
                    .containsExactly(tuple(SqlSavepointFixture.INPUT, 1, 5L));
        }
    }
}
