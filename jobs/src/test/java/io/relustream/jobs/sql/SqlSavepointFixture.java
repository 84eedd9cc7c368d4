package io.relustream.jobs.sql;

import io.relustream.avro.FeatureVector;
import io.relustream.jobs.CommittedSavepoints;
import io.relustream.jobs.KafkaTopics;
import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The savepoint of the SQL job ({@link SqlZeroFractionJob}) that {@link
 * SqlSavepointCompatibilityITCase} restores into the current build, and the program that wrote it:
 * the job's state is laid out by Flink's planner from the script, the table module and the
 * accumulator types of {@code ZERO_FRACTION} and {@code DEAD_FEATURES}, and a change to any of them
 * must not break the restores of savepoints users hold, as the activation job's fixture ({@code
 * SavepointFixture}) checks for that job.
 *
 * <p>The job reads two input partitions of plain-Avro records with 10 s windows, {@code
 * --out-of-orderness 0s}, one subtask, unbounded; times are seconds after {@link #T0}. Before the
 * savepoint, partition 0 holds {@code a-1} (1 s), {@code b-12} (12 s), bytes that are no record,
 * {@code a-21} (21 s) and {@code a-31} (31 s); partition 1 holds {@code b-2} (2 s), {@code a-11}
 * (11 s), {@code b-22} (22 s) and {@code b-32} (32 s). Event time reaches 30.999 s: [0 s, 10 s),
 * [10 s, 20 s) and [20 s, 30 s) closed for both groups, one dead letter written, and the savepoint
 * holds [30 s, 40 s) open with {@code a-31} and {@code b-32}, and the offsets 5 and 4.
 *
 * <p>The ITCase restores every {@code sql-job-*} folder under {@code savepoints/} with these
 * records and options, which are thus those of every such fixture: change none of them. When the
 * job's state changes on purpose (the script's aggregates, an accumulator type, a Flink upgrade
 * that plans the state anew), keep the folders of earlier builds, which must still restore, and
 * write the new build's beside them, named {@code sql-job-<version>} by its version in the poms
 * (and {@link #NAME} with it), from the project folder:
 *
 * <pre>{@code
 * mvn -B -q -DskipTests package exec:exec@sql-savepoint-fixture -pl jobs -am \
 *     -Dfixture.args=jobs/src/test/resources/savepoints/sql-job-<version>
 * }</pre>
 */
public final class SqlSavepointFixture {

    /**
     * The fixture of this build, under {@code src/test/resources/savepoints}: named by the version
     * in the poms of the build that wrote it, as the activation job's.
     */
    static final String NAME = "sql-job-0.1.0-SNAPSHOT";

    /** What the folders of the SQL job's fixtures begin with. */
    static final String PREFIX = "sql-job-";

    static final String INPUT = "compat-sql-features";
    static final String OUTPUT = "compat-sql-zero-fraction";
    static final String DLQ = "compat-sql-dead-letters";

    /** Aligned to a 10-second window: 2023-11-14T22:13:20Z. */
    static final long T0 = 1_700_000_000_000L;

    private SqlSavepointFixture() {}

    /** Creates the three topics, the input with two partitions. */
    static void createTopics(EmbeddedKafka kafka) throws Exception {
        kafka.createTopics(2, INPUT);
        kafka.createTopics(1, OUTPUT, DLQ);
    }

    /**
     * The job of the run that took the savepoint (unbounded, {@code parallelism} 1); a restore may
     * run wider, and adds {@code extra}.
     */
    static SqlZeroFractionJob job(String bootstrapServers, int parallelism, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                bootstrapServers,
                                "--input-topic",
                                INPUT,
                                "--output-topic",
                                OUTPUT,
                                "--dlq-topic",
                                DLQ,
                                "--group-id",
                                "compat-sql",
                                "--window",
                                "10s",
                                "--out-of-orderness",
                                "0s",
                                "--parallelism",
                                String.valueOf(parallelism)));
        args.addAll(List.of(extra));
        return SqlZeroFractionJob.parse(args.toArray(new String[0]));
    }

    /** The records read before the savepoint: offsets 0 to 4 of partition 0, 0 to 3 of 1. */
    static List<ProducerRecord<byte[], byte[]>> beforeSavepoint() {
        return List.of(
                record(0, "a", "a-1", 1, 1, 1),
                record(0, "b", "b-12", 12, -1, 3),
                notARecord(0, "bad-1"),
                record(0, "a", "a-21", 21, -1, 1),
                record(0, "a", "a-31", 31, -1, 1),
                record(1, "b", "b-2", 2, -1, 3),
                record(1, "a", "a-11", 11, -1, 1),
                record(1, "b", "b-22", 22, -1, -1),
                record(1, "b", "b-32", 32, 2, -1));
    }

    /** Feature {@code values} of {@code group} at {@code seconds} after T0, keyed by its id. */
    static ProducerRecord<byte[], byte[]> record(
            int partition, String group, String id, int seconds, double... values) {
        List<Double> list = new ArrayList<>();
        for (double v : values) {
            list.add(v);
        }
        FeatureVector vector =
                FeatureVector.newBuilder()
                        .setId(id)
                        .setEventTime(Instant.ofEpochMilli(T0 + seconds * 1_000L))
                        .setGroup(group)
                        .setValues(list)
                        .build();
        return new ProducerRecord<>(
                INPUT, partition, id.getBytes(StandardCharsets.UTF_8), plainAvro(vector));
    }

    /** Bytes that decode to no record: a dead letter. */
    static ProducerRecord<byte[], byte[]> notARecord(int partition, String key) {
        return new ProducerRecord<>(
                INPUT,
                partition,
                key.getBytes(StandardCharsets.UTF_8),
                "not a record".getBytes(StandardCharsets.UTF_8));
    }

    /** Plain Avro binary, the SQL job's input format, by Avro's own writer. */
    private static byte[] plainAvro(FeatureVector vector) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
            new SpecificDatumWriter<>(FeatureVector.class).write(vector, encoder);
            encoder.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The windows written to {@link #OUTPUT} as (group, start, end in seconds after T0, record
     * count, zero fraction, dead features), in the order written.
     */
    static List<List<Object>> windows(KafkaTopics topics) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<List<Object>> windows = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.readAll(OUTPUT)) {
            JsonNode value = json.readTree(record.value());
            List<Integer> dead = new ArrayList<>();
            value.get("dead_features").forEach(node -> dead.add(node.asInt()));
            windows.add(
                    List.of(
                            value.get("group").asText(),
                            seconds(value.get("window_start")),
                            seconds(value.get("window_end")),
                            value.get("record_count").asLong(),
                            value.get("zero_fraction").asDouble(),
                            dead));
        }
        return windows;
    }

    private static long seconds(JsonNode isoLocalDateTime) {
        long millis =
                LocalDateTime.parse(isoLocalDateTime.asText())
                                .toInstant(ZoneOffset.UTC)
                                .toEpochMilli()
                        - T0;
        return millis / 1_000;
    }

    /**
     * Writes the fixture into the folder {@code args[0]} (default: this build's, relative to the
     * project folder), replacing what it held.
     */
    public static void main(String[] args) throws Exception {
        CommittedSavepoints.write(args, NAME, SqlSavepointFixture::takeSavepoint);
    }

    private static String takeSavepoint(Path savepoints) throws Exception {
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            cluster.start();
            KafkaTopics topics = new KafkaTopics(kafka.bootstrapServers());
            createTopics(kafka);
            topics.produce(beforeSavepoint());
            String savepoint;
            try (SqlJobRun run =
                    SqlJobRun.start(cluster, job(kafka.bootstrapServers(), 1), Map.of())) {
                // Everything read and the three first windows of both groups closed.
                Duration timeout = Duration.ofSeconds(60);
                topics.readAtLeast(OUTPUT, 6, timeout);
                topics.readAtLeast(DLQ, 1, timeout);
                savepoint = run.stopWithSavepoint(savepoints, false);
            }
            checkRunBeforeSavepoint(topics);
            return savepoint;
        } finally {
            cluster.close();
        }
    }

    /** What the run wrote, so that the fixture holds what its javadoc says. */
    private static void checkRunBeforeSavepoint(KafkaTopics topics) throws IOException {
        assertThat(windows(topics))
                .extracting(w -> tuple(w.get(0), w.get(1), w.get(3)))
                .containsExactlyInAnyOrder(
                        tuple("a", 0L, 1L),
                        tuple("b", 0L, 1L),
                        tuple("a", 10L, 1L),
                        tuple("b", 10L, 1L),
                        tuple("a", 20L, 1L),
                        tuple("b", 20L, 1L));
        assertThat(topics.readAll(DLQ))
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("bad-1");
    }
}
