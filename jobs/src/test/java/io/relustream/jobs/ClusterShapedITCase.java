package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job as docker-compose runs it, shrunk into one JVM: the jar's entry point ({@code
 * ActivationStatsJob.main}) with {@code --parallelism 4} on two TaskManagers of two slots each,
 * reading a four-partition input topic of a real in-process broker. Every output is checked exactly
 * against a plain calculation, and the job is checked to have really run as four parallel subtasks
 * spread over both TaskManagers.
 */
class ClusterShapedITCase {

    private static final int TASK_MANAGERS = 2;
    private static final int SLOTS_PER_TASK_MANAGER = 2;
    private static final int PARALLELISM = TASK_MANAGERS * SLOTS_PER_TASK_MANAGER;
    private static final int PARTITIONS = 4;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(TASK_MANAGERS)
                            .setNumberSlotsPerTaskManager(SLOTS_PER_TASK_MANAGER)
                            .build());

    /** Aligned to a 10-second window. */
    private static final long T0 = 1_700_000_000_000L;

    private static final int WINDOWS = 6;

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
     * Three groups over six windows, NaN and infinities, two undecodable payloads, spread over the
     * four partitions.
     *
     * <p>No record is late, on purpose: four partitions are read by four source subtasks at their
     * own pace, and the window operators' event time is the minimum over all of them, so whether a
     * record behind its partition's event time is dropped as late would depend on how fast the
     * other partitions happened to be read. Here each partition holds its windows in order, with
     * disorder only inside a window, so no record can be behind its own partition's watermark by a
     * whole window, and the minimum over partitions is never ahead of that.
     */
    private static final class Input {
        final List<FeatureVector> vectors = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();

        /**
         * Undecodable payloads with the partition and offset they were written at, and the reason
         * their dead letter gives.
         */
        final List<Object[]> garbage = new ArrayList<>();

        private final String topic;
        private final long[] nextOffset = new long[PARTITIONS];

        Input(String topic) {
            this.topic = topic;
            for (int window = 0; window < WINDOWS; window++) {
                // Within a window the records are produced out of event-time order.
                for (int j : new int[] {3, 1, 0, 2}) {
                    long t = T0 + window * 10_000L + j * 2_000L + 250;
                    // a: feature 0 always dead, feature 1 dead for windows 0-2, then back.
                    double a1 = window < 3 ? -0.5 * (j + 1) : 0.5 * (j + 1);
                    add("a", window, j, t, -(1.0 + j), a1, (j - 1.5) * (window + 1));
                    // b: NaN, +inf and -inf in some windows.
                    double special =
                            window == 1 && j == 0
                                    ? Double.NaN
                                    : window == 2 && j == 3
                                            ? Double.POSITIVE_INFINITY
                                            : window == 4 && j == 1
                                                    ? Double.NEGATIVE_INFINITY
                                                    : j - 1.25;
                    add("b", window, j, t + 500, 0.25 * window - j, special);
                    // c: feature 1 dead for windows 1-3.
                    double c1 = window >= 1 && window <= 3 ? -1.0 - j : 1.0 + j;
                    add("c", window, j, t + 1_000, j + 0.5, c1, 2.5, window - 2.5);
                }
                if (window == 2) {
                    // "no" is 6E 6F; read as plain Avro, 0x6E is an id of 55 bytes in 15.
                    garbage(
                            1,
                            "not avro at all".getBytes(StandardCharsets.UTF_8),
                            "payload does not start with the Avro single-object marker C3 01"
                                    + " (found 6E 6F): it is not a FeatureVector record in"
                                    + " avro-single-object format");
                }
                if (window == 4) {
                    garbage(
                            3,
                            new byte[] {(byte) 0xC3, 0x01, 7, 7},
                            "payload is truncated: 4 bytes, shorter than the 10-byte"
                                    + " single-object header");
                }
            }
        }

        private void add(String group, int window, int j, long t, double... values) {
            FeatureVector vector =
                    TestRecords.vector(group + "-" + window + "-" + j, t, group, values);
            vectors.add(vector);
            int partition = Math.floorMod(vector.getId().hashCode(), PARTITIONS);
            records.add(TestRecords.record(topic, partition, vector));
            nextOffset[partition]++;
        }

        private void garbage(int partition, byte[] payload, String reason) {
            garbage.add(new Object[] {payload, partition, nextOffset[partition]++, reason});
            records.add(new ProducerRecord<>(topic, partition, "junk".getBytes(), payload));
        }
    }

    /**
     * Hands the entry point MiniCluster environments as the extension does, and keeps them, so the
     * test can read the configuration {@code main} gave its environment.
     */
    private static final class CapturingEnvironments extends TestStreamEnvironment {
        static final List<StreamExecutionEnvironment> CREATED = new CopyOnWriteArrayList<>();

        private CapturingEnvironments(MiniCluster cluster) {
            super(cluster, PARALLELISM);
        }

        static void install(MiniCluster cluster) {
            initializeContextEnvironment(
                    configuration -> {
                        TestStreamEnvironment env =
                                new TestStreamEnvironment(
                                        cluster, configuration, PARALLELISM, List.of(), List.of());
                        env.configure(configuration, ClusterShapedITCase.class.getClassLoader());
                        CREATED.add(env);
                        return env;
                    });
        }
    }

    @Test
    void mainRunsFourWideOverTwoTaskManagersAndLosesNothing(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names =
                JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), PARTITIONS);
        Input input = new Input(names.features);
        assertThat(input.records.stream().map(ProducerRecord::partition).distinct())
                .containsExactlyInAnyOrder(0, 1, 2, 3);
        topics.produce(input.records);

        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--bounded",
                                "--parallelism",
                                String.valueOf(PARALLELISM),
                                // Idleness is wall-clock time: a partition read late on a busy
                                // machine must not be declared idle and its records made late.
                                "--idleness",
                                "10m"));
        args.addAll(names.args());
        CapturingEnvironments.install(cluster);
        try {
            ActivationStatsJob.main(args.toArray(new String[0]));
        } finally {
            TestStreamEnvironment.unsetAsContext();
        }

        // The environment main built: Avro and POJO serializers only. A type that fell back to
        // Kryo would have failed the job at submission, so the run below passing with this flag on
        // means every record crossing the network between the four subtasks has a real serializer.
        assertThat(CapturingEnvironments.CREATED).hasSize(1);
        StreamExecutionEnvironment env = CapturingEnvironments.CREATED.get(0);
        assertThat(env.getConfiguration().get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        assertThat(env.getParallelism()).isEqualTo(PARALLELISM);

        assertRanFourWideOnBothTaskManagers(cluster);

        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<ActivationStats> stats = read(names.stats, ActivationStats::fromByteBuffer);
        List<ActivationAlert> alerts = read(names.alerts, ActivationAlert::fromByteBuffer);
        List<ActivationVector> late = read(names.late, ActivationVector::fromByteBuffer);

        // Nothing lost: every input is an activation or a dead letter, exactly once.
        assertThat(input.records).hasSize(3 * WINDOWS * 4 + 2);
        assertThat(activations).hasSize(input.vectors.size());
        assertThat(deadLetters).hasSize(input.garbage.size());
        assertThat(late).isEmpty();
        JobOutputAssertions.assertActivations(activations, input.vectors);

        assertThat(deadLetters)
                .extracting(
                        DeadLetter::getPayload,
                        DeadLetter::getKey,
                        DeadLetter::getTopic,
                        DeadLetter::getPartition,
                        DeadLetter::getOffset,
                        DeadLetter::getReason)
                .containsExactlyInAnyOrderElementsOf(
                        input.garbage.stream()
                                .map(
                                        g ->
                                                Tuple.tuple(
                                                        ByteBuffer.wrap((byte[]) g[0]),
                                                        ByteBuffer.wrap("junk".getBytes()),
                                                        names.features,
                                                        g[1],
                                                        g[2],
                                                        g[3]))
                                .collect(Collectors.toList()));

        ContractStatistics expected = ContractStatistics.relu(input.vectors, 10_000L, 10_000L);
        assertThat(stats).hasSize(3 * WINDOWS);
        JobOutputAssertions.assertStats(stats, expected, 1.0);

        // Each group's alerts come from one subtask in window order; across groups, and through
        // four sink subtasks into one partition, the order is free.
        for (String group : List.of("a", "b", "c")) {
            assertThat(alerts.stream().filter(alert -> alert.getGroup().equals(group)))
                    .as("alerts of " + group)
                    .extracting(
                            ActivationAlert::getKind,
                            ActivationAlert::getFeature,
                            alert -> alert.getWindowStart().toEpochMilli() - T0)
                    .containsExactlyInAnyOrderElementsOf(
                            JobOutputAssertions.expectedAlerts(expected, group, 3, 1.0, T0));
        }
        assertThat(alerts)
                .extracting(ActivationAlert::getGroup, ActivationAlert::getKind)
                .containsExactlyInAnyOrder(
                        Tuple.tuple("a", "dead_feature"),
                        Tuple.tuple("a", "dead_feature"),
                        Tuple.tuple("a", "recovered"),
                        Tuple.tuple("c", "dead_feature"),
                        Tuple.tuple("c", "dead_feature"),
                        Tuple.tuple("c", "recovered"),
                        Tuple.tuple("c", "recovered"));
    }

    /** The finished job: every operator four wide, its subtasks on both TaskManagers. */
    private static void assertRanFourWideOnBothTaskManagers(MiniCluster cluster) throws Exception {
        Collection<JobStatusMessage> jobs = cluster.listJobs().get();
        assertThat(jobs).hasSize(1);
        JobID id = jobs.iterator().next().getJobId();
        ArchivedExecutionGraph graph = cluster.getArchivedExecutionGraph(id).get();
        assertThat(graph.getState()).isEqualTo(JobStatus.FINISHED);
        assertThat(graph.getAllVertices().values())
                .isNotEmpty()
                .allSatisfy(
                        vertex ->
                                assertThat(vertex.getParallelism())
                                        .as(vertex.getName())
                                        .isEqualTo(PARALLELISM));
        Set<ResourceID> taskManagers =
                StreamSupport.stream(graph.getAllExecutionVertices().spliterator(), false)
                        .map(AccessExecutionVertex::getCurrentAssignedResourceLocation)
                        .map(location -> location.getResourceID())
                        .collect(Collectors.toSet());
        assertThat(taskManagers).hasSize(TASK_MANAGERS);
    }

    private static <T> List<T> read(String topic, TestRecords.Decoder<T> decoder) {
        return TestRecords.decodeAll(topics.readAll(topic), decoder);
    }
}
