package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.test.util.MiniClusterPipelineExecutorServiceLoader;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.relustream.jobs.JobOutputAssertions.assertStats;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job end to end: a real in-process Kafka broker, a real Flink MiniCluster, the job's own main
 * entry point with {@code --bounded}; every output topic read back and checked against a separate,
 * plain calculation.
 */
class ActivationStatsJobITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Aligned to a 10-second window. */
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

    /** The input: two groups over five windows, NaN and infinities, disorder, and bad bytes. */
    private static final class Input {
        final List<FeatureVector> onTime = new ArrayList<>();
        final List<FeatureVector> late = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        final List<byte[]> garbage = new ArrayList<>();

        Input(String topic, boolean withLateRecord, int partitions) {
            for (int window = 0; window < 5; window++) {
                // Within a window the records are produced out of event-time order.
                for (int j : new int[] {2, 0, 1}) {
                    long t = T0 + window * 10_000L + j * 3_000L + 500;
                    double f1 = window < 3 ? -0.5 * (j + 1) : 0.5 * (j + 1);
                    double f2 = (j - 1) * (window + 1.0);
                    add(
                            topic,
                            partitions,
                            TestRecords.vector(
                                    "a-" + window + "-" + j, t, "a", -(1.0 + j), f1, f2));
                    if (window < 2) {
                        double special =
                                window == 1
                                        ? new double[] {2.0, -3.0, 0.5}[j]
                                        : new double[] {
                                                    Double.NaN,
                                                    Double.POSITIVE_INFINITY,
                                                    Double.NEGATIVE_INFINITY
                                                }
                                                [j];
                        add(
                                topic,
                                partitions,
                                TestRecords.vector(
                                        "b-" + window + "-" + j,
                                        t,
                                        "b",
                                        j - 1.0 + 0.25 * window,
                                        special));
                    }
                }
                if (window == 2) {
                    byte[] bytes = "not avro at all".getBytes(StandardCharsets.UTF_8);
                    garbage.add(bytes);
                    records.add(new ProducerRecord<>(topic, 0, "junk".getBytes(), bytes));
                }
            }
            if (withLateRecord) {
                // Event time in the first window, produced after the fifth: its windows closed.
                FeatureVector late = TestRecords.vector("a-late", T0 + 1_000L, "a", -7.0, 7.0, 0.0);
                this.late.add(late);
                records.add(TestRecords.record(topic, 0, late));
            }
        }

        private void add(String topic, int partitions, FeatureVector vector) {
            onTime.add(vector);
            int partition = Math.floorMod(vector.getId().hashCode(), partitions);
            records.add(TestRecords.record(topic, partition, vector));
        }

        int inputCount() {
            return records.size();
        }
    }

    private static JobTopics createTopics(TestInfo test, int partitions) throws Exception {
        return JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), partitions);
    }

    private static JobExecutionResult runJob(JobTopics names, String... extra) throws Exception {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--bounded"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return ActivationStatsJob.run(JobOptions.parse(args.toArray(new String[0])));
    }

    private static String jobName(MiniCluster cluster, JobID id) throws Exception {
        return cluster.listJobs().get().stream()
                .filter(job -> job.getJobId().equals(id))
                .map(JobStatusMessage::getJobName)
                .findFirst()
                .orElseThrow();
    }

    /**
     * Submitted as {@code flink run -Dpipeline.name=... } would: the job's name stands over Flink's
     * option, so only {@code --job-name} renames it, as the README says.
     */
    @Test
    void theJobNameStandsOverTheClientsPipelineName(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = createTopics(test, 1);
        StreamContextEnvironment.setAsContext(
                new MiniClusterPipelineExecutorServiceLoader(cluster),
                MiniClusterPipelineExecutorServiceLoader.updateConfigurationForMiniCluster(
                        Configuration.fromMap(Map.of("pipeline.name", "named by the client")),
                        List.of(),
                        List.of()),
                ActivationStatsJobITCase.class.getClassLoader(),
                false,
                false);
        JobExecutionResult result;
        try {
            result = runJob(names, "--parallelism", "1");
        } finally {
            StreamContextEnvironment.unsetAsContext();
        }

        assertThat(jobName(cluster, result.getJobID()))
                .isEqualTo("relu-stream activation statistics (relu)");
    }

    private static <T> List<T> read(String topic, TestRecords.Decoder<T> decoder) {
        return TestRecords.decodeAll(topics.readAll(topic), decoder);
    }

    @Test
    void tumblingWindowsOnOnePartition(TestInfo test, @InjectMiniCluster MiniCluster cluster)
            throws Exception {
        JobTopics names = createTopics(test, 1);
        Input input = new Input(names.features, true, 1);
        topics.produce(input.records);

        JobExecutionResult result =
                runJob(names, "--parallelism", "1", "--watermark-interval", "0");

        // The name Flink shows and labels the metrics with (job_name) names the activation.
        assertThat(jobName(cluster, result.getJobID()))
                .isEqualTo("relu-stream activation statistics (relu)");

        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<ActivationStats> stats = read(names.stats, ActivationStats::fromByteBuffer);
        List<ActivationAlert> alerts = read(names.alerts, ActivationAlert::fromByteBuffer);
        List<ActivationVector> late = read(names.late, ActivationVector::fromByteBuffer);

        // Nothing lost: every input is an activation or a dead letter, exactly once.
        assertThat(input.inputCount()).isEqualTo(23);
        assertThat(activations).hasSize(22);
        assertThat(deadLetters).hasSize(1);
        assertThat(activations.size() + deadLetters.size()).isEqualTo(input.inputCount());
        assertActivations(activations, input);

        DeadLetter letter = deadLetters.get(0);
        assertThat(letter.getPayload()).isEqualTo(ByteBuffer.wrap(input.garbage.get(0)));
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("junk".getBytes()));
        assertThat(letter.getTopic()).isEqualTo(names.features);
        assertThat(letter.getPartition()).isZero();
        assertThat(letter.getOffset()).isEqualTo(15L);
        assertThat(letter.getReason())
                .isEqualTo(
                        "payload does not start with the Avro single-object marker C3 01 (found 6E"
                                + " 6F): it is not a FeatureVector record in avro-single-object"
                                + " format");

        assertThat(late).extracting(ActivationVector::getId).containsExactly("a-late");
        assertThat(late.get(0).getActivations()).containsExactly(0.0, 7.0, 0.0);

        ContractStatistics expected = ContractStatistics.relu(input.onTime, 10_000L, 10_000L);
        assertStats(stats, expected, 1.0);
        assertThat(stats).hasSize(7);

        assertThat(alerts)
                .extracting(
                        ActivationAlert::getGroup,
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        a -> a.getWindowStart().toEpochMilli() - T0,
                        ActivationAlert::getValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", "dead_feature", 0, 20_000L, 1.0),
                        org.assertj.core.groups.Tuple.tuple("a", "dead_feature", 1, 20_000L, 1.0),
                        org.assertj.core.groups.Tuple.tuple("a", "recovered", 1, 30_000L, 0.0));
    }

    @Test
    void slidingWindows(TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = createTopics(test, 1);
        Input input = new Input(names.features, true, 1);
        topics.produce(input.records);

        JobExecutionResult result =
                runJob(
                        names,
                        "--parallelism",
                        "1",
                        "--watermark-interval",
                        "0",
                        "--window",
                        "10s",
                        "--slide",
                        "5s",
                        "--dead-windows",
                        "2",
                        "--job-name",
                        "layer sparsity (10s/5s)");

        assertThat(jobName(cluster, result.getJobID())).isEqualTo("layer sparsity (10s/5s)");

        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<ActivationStats> stats = read(names.stats, ActivationStats::fromByteBuffer);
        List<ActivationAlert> alerts = read(names.alerts, ActivationAlert::fromByteBuffer);

        assertThat(activations.size() + deadLetters.size()).isEqualTo(input.inputCount());
        assertActivations(activations, input);
        ContractStatistics expected = ContractStatistics.relu(input.onTime, 10_000L, 5_000L);
        assertStats(stats, expected, 1.0);
        // Windows start every 5s from T0 - 5s to T0 + 45s for a, to T0 + 15s for b.
        assertThat(stats).hasSize(11 + 5);
        assertThat(alerts)
                .extracting(
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        a -> a.getWindowStart().toEpochMilli() - T0)
                .containsExactlyElementsOf(
                        JobOutputAssertions.expectedAlerts(expected, "a", 2, 1.0, T0));
    }

    @Test
    void parallelismTwoOnTwoPartitions(TestInfo test) throws Exception {
        JobTopics names = createTopics(test, 2);
        Input input = new Input(names.features, false, 2);
        topics.produce(input.records);

        runJob(names, "--parallelism", "2");

        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<ActivationStats> stats = read(names.stats, ActivationStats::fromByteBuffer);
        List<ActivationAlert> alerts = read(names.alerts, ActivationAlert::fromByteBuffer);

        assertThat(input.records.stream().map(ProducerRecord::partition).distinct())
                .containsExactlyInAnyOrder(0, 1);
        assertThat(activations).hasSize(21);
        assertThat(deadLetters).hasSize(1);
        assertActivations(activations, input);
        assertStats(stats, ContractStatistics.relu(input.onTime, 10_000L, 10_000L), 1.0);
        assertThat(alerts).hasSize(3);
    }

    /** Values a feature pipeline may send, the awkward ones often. */
    private static double randomValue(Random random) {
        double[] special = {
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            -0.0,
            0.0,
            Double.MIN_VALUE,
            -Double.MIN_VALUE,
            Double.MIN_NORMAL,
            Double.MAX_VALUE,
            -Double.MAX_VALUE,
            1e300,
            -1e300,
            0.5,
            1.0,
            6.0
        };
        int pick = random.nextInt(100);
        if (pick < 8) {
            return special[random.nextInt(special.length)];
        }
        return random.nextGaussian() * (pick < 50 ? 1.0 : 1e3);
    }

    /**
     * Random records of three groups and lengths 1 to 6 (of {@code k}-value groups), some on the
     * last millisecond of a window or the first of the next, in event-time order: none is late.
     */
    private static List<FeatureVector> randomRecords(long seed, int k) {
        Random random = new Random(seed);
        List<FeatureVector> records = new ArrayList<>();
        long[] edges = {-20_001, -20_000, -5_001, -5_000, -1, 0, 4_999, 5_000, 9_999, 10_000};
        int id = 0;
        for (long t = -24_000; t < 24_000; t += 250 + random.nextInt(300)) {
            for (long edge : edges) {
                if (edge >= t - 550 && edge < t) {
                    records.add(randomVector(random, "edge-" + id++, T0 + edge, k));
                }
            }
            records.add(randomVector(random, "r-" + id++, T0 + t, k));
        }
        records.sort(Comparator.comparing(FeatureVector::getEventTime));
        return records;
    }

    private static FeatureVector randomVector(Random random, String id, long t, int k) {
        double[] values = new double[k * (1 + random.nextInt(6))];
        for (int i = 0; i < values.length; i++) {
            values[i] = randomValue(random);
        }
        return TestRecords.vector(id, t, "g" + random.nextInt(3), values);
    }

    /**
     * Runs the job over {@link #randomRecords} and lists every way its statistics and alerts differ
     * from the oracle's (alert options as the job's defaults unless given): empty when none.
     */
    private static List<String> statisticsAgainstTheContract(
            TestInfo test,
            String activation,
            ContractStatistics oracle,
            int k,
            double deadThreshold,
            String... jobOptions)
            throws Exception {
        JobTopics names = createTopics(test, 2);
        List<FeatureVector> onTime = randomRecords(42, k);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (FeatureVector vector : onTime) {
            records.add(
                    TestRecords.record(
                            names.features, Math.floorMod(vector.getId().hashCode(), 2), vector));
            oracle.add(vector);
        }
        topics.produce(records);

        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--parallelism",
                                "2",
                                "--activation",
                                activation,
                                "--dead-threshold",
                                Double.toString(deadThreshold)));
        List<String> options = List.of(jobOptions);
        args.addAll(options);
        runJob(names, args.toArray(new String[0]));

        List<ActivationVector> activations =
                read(names.activations, ActivationVector::fromByteBuffer);
        List<DeadLetter> deadLetters = read(names.dlq, DeadLetter::fromByteBuffer);
        List<String> problems = new ArrayList<>();
        if (activations.size() != records.size() || !deadLetters.isEmpty()) {
            problems.add(
                    activations.size()
                            + " activations and "
                            + deadLetters.size()
                            + " dead letters of "
                            + records.size());
        }
        if (!read(names.late, ActivationVector::fromByteBuffer).isEmpty()) {
            problems.add("late records");
        }
        problems.addAll(
                oracle.differences(
                        read(names.stats, ActivationStats::fromByteBuffer), deadThreshold));
        List<String> alerts = new ArrayList<>();
        for (ActivationAlert alert : read(names.alerts, ActivationAlert::fromByteBuffer)) {
            if (alert.getWindowEnd().toEpochMilli() - alert.getWindowStart().toEpochMilli()
                    != oracle.size()) {
                problems.add("alert window " + alert);
            }
            alerts.add(
                    ContractStatistics.alert(
                            alert.getGroup(),
                            alert.getKind(),
                            alert.getFeature(),
                            alert.getWindowStart().toEpochMilli(),
                            alert.getValue()));
        }
        // One partition, keyed by group: each group's alerts in order, the groups interleaved.
        alerts.sort(Comparator.comparing(line -> line.split(" ")[0]));
        int deadWindows =
                options.contains("--dead-windows")
                        ? Integer.parseInt(options.get(options.indexOf("--dead-windows") + 1))
                        : 3;
        double sparsityLimit =
                options.contains("--sparsity-limit")
                        ? Double.parseDouble(options.get(options.indexOf("--sparsity-limit") + 1))
                        : 2.0;
        List<String> expectedAlerts = oracle.alerts(deadWindows, deadThreshold, sparsityLimit);
        if (!alerts.equals(expectedAlerts)) {
            problems.add("alerts " + alerts + ", expected " + expectedAlerts);
        }
        return problems;
    }

    @Test
    void randomStreamsOfLeakyReluOverSlidingWindows(TestInfo test) throws Exception {
        ContractStatistics oracle =
                new ContractStatistics(
                        in ->
                                Arrays.stream(in)
                                        .map(
                                                z ->
                                                        ContractStatistics.rectifier(
                                                                z,
                                                                0.01,
                                                                Double.POSITIVE_INFINITY,
                                                                0.0))
                                        .toArray(),
                        0.0,
                        10_000L,
                        5_000L);
        assertThat(
                        statisticsAgainstTheContract(
                                test,
                                "leaky_relu(alpha=0.01)",
                                oracle,
                                1,
                                0.5,
                                "--window",
                                "10s",
                                "--slide",
                                "5s",
                                "--dead-windows",
                                "1",
                                "--sparsity-limit",
                                "0.1"))
                .isEmpty();
    }

    @Test
    void randomStreamsOfMaxoutOverTumblingWindows(TestInfo test) throws Exception {
        ContractStatistics oracle =
                new ContractStatistics(in -> ContractStatistics.maxout(in, 3), 0.0, 5_000L, 5_000L);
        assertThat(
                        statisticsAgainstTheContract(
                                test, "maxout(k=3)", oracle, 3, 1.0, "--window", "5s"))
                .isEmpty();
    }

    @Test
    void randomStreamsOfAGeneralRectifierOverTumblingWindowsWithAlerts(TestInfo test)
            throws Exception {
        ContractStatistics oracle =
                new ContractStatistics(
                        in ->
                                Arrays.stream(in)
                                        .map(z -> ContractStatistics.rectifier(z, 0.0, 6.0, 0.5))
                                        .toArray(),
                        0.5,
                        5_000L,
                        5_000L);
        assertThat(
                        statisticsAgainstTheContract(
                                test,
                                "relu(max_value=6, threshold=0.5)",
                                oracle,
                                1,
                                0.5,
                                "--window",
                                "5s",
                                "--dead-windows",
                                "2",
                                "--sparsity-limit",
                                "0.6"))
                .isEmpty();
    }

    private static void assertActivations(List<ActivationVector> activations, Input input) {
        List<FeatureVector> all = new ArrayList<>(input.onTime);
        all.addAll(input.late);
        JobOutputAssertions.assertActivations(activations, all);
    }
}
