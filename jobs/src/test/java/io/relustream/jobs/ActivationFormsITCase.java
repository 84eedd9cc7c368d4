package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every named activation form through the job's command line, each with an invalid-value policy, a
 * wire format, with or without derivatives, tumbling or sliding windows and a parallelism: every
 * field of every activation, statistics record and alert, and every dead letter, against the
 * contract's formulas worked out here and in {@link ContractStatistics}, never by the job's code.
 * The values are drawn from the edges of the contract: infinities, NaN, -0.0, subnormals whose
 * {@code a*(z - t)} underflows, and the neighbours of the threshold and the max value.
 */
class ActivationFormsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(3)
                            .build());

    /** Aligned to a 20-second window. */
    private static final long T0 = 1_700_000_000_000L;

    private static final double INF = Double.POSITIVE_INFINITY;

    private static final double[] EDGES = {
        Double.NEGATIVE_INFINITY,
        -1e308,
        -2.5,
        -1.0,
        -1e-320,
        -Double.MIN_VALUE,
        -0.0,
        0.0,
        Double.MIN_VALUE,
        1e-320,
        Math.nextDown(0.5),
        0.5,
        Math.nextUp(0.5),
        1.0,
        Math.nextUp(1.0),
        3.5,
        4.0,
        Math.nextDown(6.0),
        6.0,
        7.25,
        INF,
        Double.NaN
    };

    /** What a feature that is to be dead is drawn from: zero under relu, +0.0 and -0.0 too. */
    private static final double[] AT_MOST_ZERO = {-1.0, Double.NEGATIVE_INFINITY, -0.0, 0.0, -2.5};

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
     * Why the job refuses {@code z}, in README's words: nothing to activate; a maxout length that
     * is not a multiple of {@code k}; else (under reject) the first value that is NaN or infinite.
     */
    private static String reason(double[] z, int k, String spec) {
        if (z.length == 0) {
            return "values is empty: there is nothing to activate";
        }
        if (k != 0 && z.length % k != 0) {
            return "values has "
                    + z.length
                    + (z.length == 1 ? " value" : " values")
                    + ", not a multiple of "
                    + k
                    + " as "
                    + spec
                    + " needs";
        }
        int first = 0;
        while (Double.isFinite(z[first])) {
            first++;
        }
        return "values["
                + first
                + "] is "
                + z[first]
                + " and the invalid-value policy is reject (NaN and infinities are not accepted)";
    }

    /**
     * The contract's rectifier (slope {@code a}, max value {@code m}, threshold {@code t}) or
     * maxout over groups of {@code k}, with the zero policy's NaN -> 0 when {@code zero}.
     */
    private static final class Contract {
        final double a;
        final double m;
        final double t;
        final int k;
        final boolean zero;

        Contract(double a, double m, double t, int k, boolean zero) {
            this.a = a;
            this.m = m;
            this.t = t;
            this.k = k;
            this.zero = zero;
        }

        double[] values(double[] in) {
            double[] out =
                    k == 0
                            ? Arrays.stream(in)
                                    .map(z -> ContractStatistics.rectifier(z, a, m, t))
                                    .toArray()
                            : ContractStatistics.maxout(in, k);
            return zero ? Arrays.stream(out).map(v -> Double.isNaN(v) ? 0.0 : v).toArray() : out;
        }

        double[] derivatives(double[] in) {
            double[] out = new double[in.length];
            if (k == 0) {
                for (int i = 0; i < in.length; i++) {
                    double z = in[i];
                    // a up to t (relu'(0) = 0), 1 between, 0 from m on; no cap without m.
                    out[i] =
                            Double.isNaN(z)
                                    ? Double.NaN
                                    : z <= t ? a : z >= m && m != INF ? 0.0 : 1.0;
                }
            } else {
                for (int base = 0; base < in.length; base += k) {
                    // One-hot at the first arg-max; a NaN anywhere makes the group's mask NaN.
                    boolean nan = false;
                    int argMax = base;
                    for (int j = base; j < base + k; j++) {
                        nan |= Double.isNaN(in[j]);
                        argMax = in[j] > in[argMax] ? j : argMax;
                    }
                    for (int j = base; j < base + k; j++) {
                        out[j] = nan ? Double.NaN : j == argMax ? 1.0 : 0.0;
                    }
                }
            }
            return zero ? Arrays.stream(out).map(v -> Double.isNaN(v) ? 0.0 : v).toArray() : out;
        }
    }

    @ParameterizedTest(name = "{0} {6} {8} derivatives={7} slide={10} parallelism={12}")
    @CsvSource(
            delimiter = ';',
            value = {
                "relu6; relu6; 0; 6; 0; 0; reject; true; avro-single-object; 20s; ; 0.6; 1",
                "clipped_relu(max=4); clipped_relu(max=4); 0; 4; 0; 0; zero; true;"
                        + " avro-single-object; 20s; 10s; 1.0; 2",
                "thresholded_relu(theta=1.0); thresholded_relu(theta=1); 0; Infinity; 1; 0;"
                        + " propagate; false; avro; 20s; ; 0.75; 1",
                "THRESHOLDED_RELU(THETA=1); thresholded_relu(theta=1); 0; Infinity; 1; 0; reject;"
                        + " true; avro; 20s; 10s; 1.0; 1",
                "'relu(negative_slope=0.1, max_value=6, threshold=0.5)';"
                        + " 'relu(negative_slope=0.1, max_value=6, threshold=0.5)'; 0.1; 6; 0.5; 0;"
                        + " zero; true; avro; 20s; 10s; 0.5; 1",
                "leaky_relu(alpha=0.5); leaky_relu(alpha=0.5); 0.5; Infinity; 0; 0; propagate;"
                        + " true; avro; 20s; 10s; 0.5; 1",
                // Leaky ReLU zeroes only +-0.0 and underflows: at a --dead-threshold of 1 no
                // feature dies and no group rises above the sparsity limit, no alert to compare.
                "leaky_relu; leaky_relu(alpha=0.01); 0.01; Infinity; 0; 0; reject; true;"
                        + " avro-single-object; 20s; ; 0.3; 3",
                "maxout(k=3); maxout(k=3); 0; 0; 0; 3; zero; true; avro; 20s; 10s; 0.5; 1",
                "maxout(k=2); maxout(k=2); 0; 0; 0; 2; reject; false; avro-single-object; 20s; ;"
                        + " 0.5; 2",
            })
    void everyFieldOfEveryOutputFollowsTheContract(
            String activation,
            String canonical,
            double a,
            double m,
            double t,
            int k,
            String policy,
            boolean derivatives,
            String format,
            String window,
            String slide,
            double deadThreshold,
            int parallelism)
            throws Exception {
        Contract contract = new Contract(a, m, t, k, policy.equals("zero"));
        boolean plainAvro = format.equals("avro");
        String name =
                "forms-" + Integer.toHexString(Objects.hash(activation, policy, format, slide));
        JobTopics names = JobTopics.create(kafka, name, parallelism);

        List<FeatureVector> inputs = inputs(new Random(name.hashCode()), Math.max(1, k), k > 0);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, FeatureVector> byCoordinates = new HashMap<>();
        long[] offsets = new long[parallelism];
        for (FeatureVector vector : inputs) {
            // In event-time order in every partition: no record is late.
            int partition = records.size() % parallelism;
            byCoordinates.put(partition + "@" + offsets[partition]++, vector);
            records.add(
                    new ProducerRecord<>(
                            names.features,
                            partition,
                            null,
                            plainAvro ? plainAvro(vector) : TestRecords.singleObject(vector)));
        }
        topics.produce(records);

        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--bounded",
                                "--parallelism",
                                Integer.toString(parallelism),
                                "--window",
                                window,
                                "--out-of-orderness",
                                "0s",
                                "--watermark-interval",
                                "0s",
                                "--activation",
                                activation,
                                "--invalid-values",
                                policy,
                                "--format",
                                format,
                                "--dead-windows",
                                "2",
                                "--dead-threshold",
                                Double.toString(deadThreshold),
                                "--sparsity-limit",
                                "0.5"));
        if (slide != null) {
            args.addAll(List.of("--slide", slide));
        }
        if (!derivatives) {
            args.add("--no-derivatives");
        }
        args.addAll(names.args());
        ActivationStatsJob.run(JobOptions.parse(args.toArray(new String[0])));

        List<ActivationVector> activations =
                read(
                        names.activations,
                        ActivationVector.class,
                        ActivationVector::fromByteBuffer,
                        plainAvro);
        List<DeadLetter> deadLetters =
                read(names.dlq, DeadLetter.class, DeadLetter::fromByteBuffer, plainAvro);
        List<String> problems = new ArrayList<>();
        Map<String, ActivationVector> activationsById = new HashMap<>();
        activations.forEach(output -> activationsById.put(output.getId(), output));
        List<FeatureVector> activated = new ArrayList<>();
        List<String> expectedDeadLetters = new ArrayList<>();
        Map<String, String> expectedReasons = new HashMap<>();
        for (FeatureVector vector : inputs) {
            double[] z = vector.getValues().stream().mapToDouble(Double::doubleValue).toArray();
            // Empty values and a maxout length not divisible by k under every policy but fail;
            // NaN or an infinity under reject.
            boolean computable = z.length > 0 && (k == 0 || z.length % k == 0);
            boolean invalid = Arrays.stream(z).anyMatch(v -> !Double.isFinite(v));
            ActivationVector output = activationsById.get(vector.getId());
            if (!computable || (policy.equals("reject") && invalid)) {
                expectedDeadLetters.add(vector.getId());
                expectedReasons.put(vector.getId(), reason(z, k, canonical));
                if (output != null) {
                    problems.add(vector.getId() + " activated, expected a dead letter");
                }
                continue;
            }
            activated.add(vector);
            if (output == null) {
                problems.add(vector.getId() + " " + vector.getValues() + " not activated");
                continue;
            }
            ActivationVector expected =
                    new ActivationVector(
                            vector.getId(),
                            vector.getEventTime(),
                            vector.getGroup(),
                            canonical,
                            boxed(contract.values(z)),
                            derivatives ? boxed(contract.derivatives(z)) : null);
            // Avro compares doubles as Double.compareTo does: -0.0 is not +0.0, NaN is NaN.
            if (!expected.equals(output)) {
                problems.add(vector.getValues() + ": " + output + ", expected " + expected);
            }
        }
        List<String> deadLettered = new ArrayList<>();
        for (DeadLetter letter : deadLetters) {
            FeatureVector vector =
                    byCoordinates.get(letter.getPartition() + "@" + letter.getOffset());
            deadLettered.add(vector.getId());
            byte[] payload = records.get(inputs.indexOf(vector)).value();
            if (!ByteBuffer.wrap(payload).equals(letter.getPayload())
                    || !letter.getTopic().equals(names.features)
                    || !Objects.equals(letter.getReason(), expectedReasons.get(vector.getId()))
                    || !"io.relustream.operators.InvalidRecordException"
                            .equals(letter.getErrorClass())
                    || !Objects.equals(letter.getErrorMessage(), letter.getReason())) {
                problems.add(
                        "dead letter "
                                + letter
                                + " of "
                                + vector
                                + ", expected the reason "
                                + expectedReasons.get(vector.getId()));
            }
        }
        deadLettered.sort(Comparator.naturalOrder());
        expectedDeadLetters.sort(Comparator.naturalOrder());
        assertThat(deadLettered).isEqualTo(expectedDeadLetters);
        assertThat(activations.size() + deadLetters.size()).isEqualTo(inputs.size());

        long size = seconds(window);
        ContractStatistics oracle =
                new ContractStatistics(
                        contract::values,
                        // Inputs strictly below t count as negative; below 0 for maxout.
                        k == 0 ? t : 0.0,
                        size,
                        slide == null ? size : seconds(slide));
        activated.forEach(oracle::add);
        List<ActivationStats> stats =
                read(
                        names.stats,
                        ActivationStats.class,
                        ActivationStats::fromByteBuffer,
                        plainAvro);
        problems.addAll(oracle.differences(stats, deadThreshold));
        stats.stream()
                .filter(s -> !s.getActivation().equals(canonical))
                .forEach(s -> problems.add("statistics of " + s.getActivation()));

        List<String> alerts = new ArrayList<>();
        for (ActivationAlert alert :
                read(
                        names.alerts,
                        ActivationAlert.class,
                        ActivationAlert::fromByteBuffer,
                        plainAvro)) {
            double threshold = alert.getKind().equals("sparsity_above") ? 0.5 : deadThreshold;
            if (alert.getWindowEnd().toEpochMilli() - alert.getWindowStart().toEpochMilli() != size
                    || !Objects.equals(alert.getThreshold(), threshold)
                    || !alert.getActivation().equals(canonical)) {
                problems.add("alert " + alert);
            }
            alerts.add(
                    ContractStatistics.alert(
                            alert.getGroup(),
                            alert.getKind(),
                            alert.getFeature(),
                            alert.getWindowStart().toEpochMilli(),
                            alert.getValue()));
        }
        // Each group's alerts in order, the groups interleaved.
        alerts.sort(Comparator.comparing(line -> line.split(" ")[0]));
        List<String> expectedAlerts = oracle.alerts(2, deadThreshold, 0.5);
        // Each run's inputs make alerts: none expected and none written would check nothing.
        assertThat(expectedAlerts).isNotEmpty();
        if (!alerts.equals(expectedAlerts)) {
            problems.add("alerts " + alerts + ", expected " + expectedAlerts);
        }
        assertThat(
                        read(
                                names.late,
                                ActivationVector.class,
                                ActivationVector::fromByteBuffer,
                                plainAvro))
                .isEmpty();
        assertThat(problems).isEmpty();
    }

    /**
     * Two groups over four windows of 20 s, vectors of 1 to 5 features (groups of {@code width} for
     * maxout) drawn from {@link #EDGES}; in group "a" the first features are at most zero in the
     * first three windows, so they die and recover. Each window also holds one finite record per
     * group, so that no group has a window without records under reject, one with empty values and,
     * for maxout, one whose length is not a multiple of k.
     */
    private static List<FeatureVector> inputs(Random random, int width, boolean maxout) {
        List<FeatureVector> inputs = new ArrayList<>();
        int n = 0;
        for (int w = 0; w < 4; w++) {
            long start = T0 + w * 20_000L;
            for (String group : List.of("a", "b")) {
                for (int i = 0; i < 6; i++) {
                    double[] values = new double[width * (1 + (i + w) % (maxout ? 3 : 5))];
                    for (int j = 0; j < values.length; j++) {
                        boolean dying = group.equals("a") && j < width && w < 3;
                        double[] pool = dying ? AT_MOST_ZERO : EDGES;
                        values[j] = pool[random.nextInt(pool.length)];
                    }
                    long time = start + i * 3_100L + (group.equals("a") ? 0 : 7);
                    inputs.add(TestRecords.vector("r" + n++, time, group, values));
                }
                double[] finite = new double[2 * width];
                Arrays.fill(finite, 0, width, -1.0);
                Arrays.fill(finite, width, finite.length, 2.0);
                inputs.add(
                        TestRecords.vector("finite-" + group + w, start + 19_000, group, finite));
            }
            inputs.add(TestRecords.vector("empty" + w, start + 19_500, "b"));
            if (maxout) {
                inputs.add(TestRecords.vector("odd" + w, start + 19_500, "b", 1, 2, 3, 4, 5));
            }
        }
        inputs.sort(Comparator.comparing(FeatureVector::getEventTime));
        return inputs;
    }

    private static List<Double> boxed(double[] values) {
        List<Double> list = new ArrayList<>();
        for (double v : values) {
            list.add(v);
        }
        return list;
    }

    private static long seconds(String duration) {
        return Long.parseLong(duration.substring(0, duration.length() - 1)) * 1_000L;
    }

    /** Every record of {@code topic}, in the wire format the job was told to write. */
    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
            String topic, Class<T> type, TestRecords.Decoder<T> singleObject, boolean plainAvro) {
        return TestRecords.decodeAll(
                topics.readAll(topic), plainAvro ? TestRecords.plainAvro(type) : singleObject);
    }

    /** Plain Avro binary of {@code vector}, by Avro's own writer. */
    private static byte[] plainAvro(FeatureVector vector) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder =
                org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(FeatureVector.class)
                .write(vector, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }
}
