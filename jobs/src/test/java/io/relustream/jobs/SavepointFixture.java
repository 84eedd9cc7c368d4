package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The savepoint of the activation job that {@link SavepointCompatibilityITCase} restores into the
 * current build, and the program that wrote it: savepoints users hold must restore into later
 * builds, as Flink checks for its own operators with savepoints of earlier versions committed as
 * test resources.
 *
 * <p>The job reads two input partitions with 10 s windows, two features per record and {@code
 * --sparsity-limit 0.6}; times are seconds after {@link #T0}. Before the savepoint, partition 0
 * holds {@code a-1} (1 s), {@code b-12} (12 s), bytes that are no record, {@code a-21} (21 s) and
 * {@code a-31} (31 s); partition 1 holds {@code b-2} (2 s), {@code a-11} (11 s), {@code b-22} (22
 * s) and {@code b-32} (32 s). Event time reaches 30.999 s: [0 s, 10 s), [10 s, 20 s) and [20 s, 30
 * s) closed for both groups, and the savepoint holds [30 s, 40 s) open with {@code a-31} and {@code
 * b-32}, the offsets 5 and 4, and these alert streaks: feature 0 of group a dead in two windows in
 * a row; feature 0 of group b reported dead, feature 1 of group b dead in one window, group b above
 * the sparsity limit (reported).
 *
 * <p>The ITCase restores every {@code activation-job-*} folder under {@code savepoints/} with these
 * records and options, which are thus those of every such fixture: change none of them. When the
 * job's state changes on purpose (a new serializer snapshot version, an operator added), keep the
 * folders of earlier builds, which must still restore, and write the new build's beside them, named
 * {@code activation-job-<version>} by its version in the poms (and {@link #NAME} with it), from the
 * project folder:
 *
 * <pre>{@code
 * mvn -B -q -DskipTests package exec:exec@savepoint-fixture -pl jobs -am \
 *     -Dfixture.args=jobs/src/test/resources/savepoints/activation-job-<version>
 * }</pre>
 */
public final class SavepointFixture {

    /**
     * The fixture of this build, under {@code src/test/resources/savepoints}: named by the version
     * in the poms of the build that wrote it, which is what users know the savepoints they hold by.
     */
    static final String NAME = "activation-job-0.1.0-SNAPSHOT";

    /** What the folders of the activation job's fixtures begin with. */
    static final String PREFIX = "activation-job-";

    /** Topics {@code compat-features} (two partitions), {@code compat-activations} and so on. */
    static final String TOPIC_PREFIX = "compat";

    static final long T0 = 1_700_000_000_000L;

    private SavepointFixture() {}

    /**
     * The options of the run that took the savepoint ({@code parallelism} 1); a restore may run
     * wider, and adds {@code extra}.
     */
    static JobOptions options(
            String bootstrapServers, JobTopics names, int parallelism, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                bootstrapServers,
                                "--parallelism",
                                String.valueOf(parallelism),
                                "--window",
                                "10s",
                                "--watermark-interval",
                                "0s",
                                "--out-of-orderness",
                                "0s",
                                "--sparsity-limit",
                                "0.6"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return JobOptions.parse(args.toArray(new String[0]));
    }

    /** The records read before the savepoint: offsets 0 to 4 of partition 0, 0 to 3 of 1. */
    static List<ProducerRecord<byte[], byte[]>> beforeSavepoint(String topic) {
        return List.of(
                record(topic, 0, "a", "a-1", 1, 1, 1),
                record(topic, 0, "b", "b-12", 12, -1, 3),
                notARecord(topic, 0, "bad-1"),
                record(topic, 0, "a", "a-21", 21, -1, 1),
                record(topic, 0, "a", "a-31", 31, -1, 1),
                record(topic, 1, "b", "b-2", 2, -1, 3),
                record(topic, 1, "a", "a-11", 11, -1, 1),
                record(topic, 1, "b", "b-22", 22, -1, -1),
                record(topic, 1, "b", "b-32", 32, 2, -1));
    }

    /** Feature {@code values} of {@code group} at {@code seconds} after T0. */
    static ProducerRecord<byte[], byte[]> record(
            String topic, int partition, String group, String id, int seconds, double... values) {
        return TestRecords.record(
                topic, partition, TestRecords.vector(id, T0 + seconds * 1_000L, group, values));
    }

    /** Bytes that decode to no record: a dead letter. */
    static ProducerRecord<byte[], byte[]> notARecord(String topic, int partition, String key) {
        return new ProducerRecord<>(
                topic,
                partition,
                key.getBytes(StandardCharsets.UTF_8),
                "not a record".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes the fixture into the folder {@code args[0]} (default: this build's, relative to the
     * project folder), replacing what it held.
     */
    public static void main(String[] args) throws Exception {
        CommittedSavepoints.write(args, NAME, SavepointFixture::takeSavepoint);
    }

    private static String takeSavepoint(Path savepoints) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            KafkaTopics topics = new KafkaTopics(kafka.bootstrapServers());
            JobTopics names = JobTopics.create(kafka, TOPIC_PREFIX, 2);
            topics.produce(beforeSavepoint(names.features));
            JobClient job =
                    KafkaJobRuns.start(
                            options(kafka.bootstrapServers(), names, 1),
                            new Configuration(),
                            "savepoint fixture");
            // Everything read and the three first windows closed, with their alerts.
            Duration timeout = Duration.ofSeconds(60);
            topics.readAtLeast(names.activations, 8, timeout);
            topics.readAtLeast(names.dlq, 1, timeout);
            topics.readAtLeast(names.stats, 6, timeout);
            topics.readAtLeast(names.alerts, 2, timeout);
            String savepoint = KafkaJobRuns.stopWithSavepoint(job, savepoints);
            checkRunBeforeSavepoint(topics, names);
            return savepoint;
        }
    }

    /** What the run wrote, so that the fixture holds what its javadoc says. */
    private static void checkRunBeforeSavepoint(KafkaTopics topics, JobTopics names) {
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactlyInAnyOrder(
                        "a-1", "b-12", "a-21", "a-31", "b-2", "a-11", "b-22", "b-32");
        assertThat(TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer))
                .extracting(DeadLetter::getPartition, DeadLetter::getOffset)
                .containsExactly(tuple(0, 2L));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(
                        ActivationStats::getGroup,
                        s -> s.getWindowStart().toEpochMilli() - T0,
                        ActivationStats::getRecordCount)
                .containsExactlyInAnyOrder(
                        tuple("a", 0L, 1L),
                        tuple("b", 0L, 1L),
                        tuple("a", 10_000L, 1L),
                        tuple("b", 10_000L, 1L),
                        tuple("a", 20_000L, 1L),
                        tuple("b", 20_000L, 1L));
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.alerts), ActivationAlert::fromByteBuffer))
                .extracting(
                        ActivationAlert::getGroup,
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        a -> a.getWindowStart().toEpochMilli() - T0)
                .containsExactlyInAnyOrder(
                        tuple("b", "dead_feature", 0, 20_000L),
                        tuple("b", "sparsity_above", null, 20_000L));
        assertThat(topics.readAll(names.late)).isEmpty();
    }
}
