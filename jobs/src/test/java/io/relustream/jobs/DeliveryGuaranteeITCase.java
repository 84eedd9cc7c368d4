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

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Delivery guarantees under failure, on the real broker: tasks fail at three different points
 * (between checkpoints, right after one, during a window firing) and the broker is restarted
 * mid-stream; the job restores from its checkpoints. A read_committed consumer then counts every
 * record lost or duplicated.
 */
class DeliveryGuaranteeITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T0 = 1_700_000_000_000L;
    private static final int WINDOWS = 20;
    private static final int RECORDS_PER_WINDOW_AND_GROUP = 60;

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

    /** 2,400 records of two groups over 20 windows (feature 0 of "a" always dead), 3 bad ones. */
    private static final class Input {
        final List<FeatureVector> vectors = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();

        Input(String topic) {
            for (int window = 0; window < WINDOWS; window++) {
                for (int i = 0; i < RECORDS_PER_WINDOW_AND_GROUP; i++) {
                    long t = T0 + window * 10_000L + i * 160L;
                    for (String group : List.of("a", "b")) {
                        double x = ((i * 7 + window * 3) % 11) - 5.0;
                        FeatureVector vector =
                                TestRecords.vector(
                                        group + "-" + window + "-" + i,
                                        t,
                                        group,
                                        group.equals("a") ? -1.0 - i : x,
                                        x,
                                        -x,
                                        x / 2);
                        vectors.add(vector);
                        records.add(TestRecords.record(topic, 0, vector));
                    }
                }
                if (window % 7 == 3) {
                    records.add(
                            new ProducerRecord<>(
                                    topic,
                                    0,
                                    null,
                                    ("bad bytes " + window).getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }

    /** What the output topics held after a run. */
    private static final class Outcome {
        final long lost;
        final long duplicated;
        final List<ActivationStats> stats;
        final List<DeadLetter> deadLetters;
        final List<ActivationAlert> alerts;
        final int activations;

        Outcome(JobTopics names, Input input) {
            List<ActivationVector> vectors =
                    TestRecords.decodeAll(
                            topics.readAll(names.activations), ActivationVector::fromByteBuffer);
            Map<String, Integer> copies = new HashMap<>();
            vectors.forEach(v -> copies.merge(v.getId(), 1, Integer::sum));
            Set<String> expected =
                    input.vectors.stream().map(FeatureVector::getId).collect(Collectors.toSet());
            lost = expected.stream().filter(id -> !copies.containsKey(id)).count();
            duplicated = copies.values().stream().mapToLong(n -> n - 1).sum();
            activations = vectors.size();
            assertThat(copies.keySet()).isSubsetOf(expected);
            stats =
                    TestRecords.decodeAll(
                            topics.readAll(names.stats), ActivationStats::fromByteBuffer);
            deadLetters =
                    TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
            alerts =
                    TestRecords.decodeAll(
                            topics.readAll(names.alerts), ActivationAlert::fromByteBuffer);
        }

        String summary(String run, Input input) {
            return String.format(
                    "%s: input=%d activations=%d dead-lettered=%d lost=%d duplicated=%d"
                            + " stats=%d alerts=%d injected failures=%d",
                    run,
                    input.records.size(),
                    activations,
                    deadLetters.size(),
                    lost,
                    duplicated,
                    stats.size(),
                    alerts.size(),
                    FailureInjection.FAILURES.get());
        }
    }

    private static JobOptions options(JobTopics names, String guarantee) {
        return options(names, guarantee, 1);
    }

    /** The options of the runs here, at {@code parallelism}, with {@code more} options. */
    private static JobOptions options(
            JobTopics names, String guarantee, int parallelism, String... more) {
        List<String> args = new ArrayList<>();
        args.addAll(
                List.of(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--bounded",
                        "--parallelism",
                        String.valueOf(parallelism),
                        "--watermark-interval",
                        "0",
                        "--delivery-guarantee",
                        guarantee,
                        "--checkpoint-interval",
                        "300ms",
                        "--group-id",
                        names.features));
        if (guarantee.equals("exactly-once")) {
            // Only exactly-once takes it.
            args.addAll(List.of("--transactional-id-prefix", names.features));
        }
        args.addAll(List.of(more));
        args.addAll(names.args());
        return JobOptions.parse(args.toArray(new String[0]));
    }

    private static Input produce(JobTopics names) throws Exception {
        Input input = new Input(names.features);
        topics.produce(input.records);
        return input;
    }

    private static JobTopics topics(TestInfo test) throws Exception {
        return JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
    }

    @Test
    void exactlyOnceLosesAndDuplicatesNothingAcrossThreeFailures(TestInfo test) throws Exception {
        JobTopics names = topics(test);
        Input input = produce(names);

        FailureInjection.plan(700, 1_000);
        ActivationStatsJob.run(options(names, "exactly-once"), FailureInjection.taps());

        Outcome outcome = new Outcome(names, input);
        System.out.println(outcome.summary("exactly-once", input));
        assertThat(FailureInjection.FAILURES.get()).isEqualTo(3);
        assertThat(outcome.lost).isZero();
        assertThat(outcome.duplicated).isZero();
        assertThat(outcome.activations).isEqualTo(2_400);
        assertThat(outcome.deadLetters).hasSize(3);
        assertThat(outcome.activations + outcome.deadLetters.size())
                .isEqualTo(input.records.size());
        assertSameStatisticsAsWithoutFailures(outcome.stats, input);
        assertThat(outcome.alerts)
                .extracting(
                        ActivationAlert::getGroup, ActivationAlert::getKind, a -> a.getFeature())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "dead_feature", 0));
    }

    /**
     * The same three failures with two subtasks reading three partitions: each subtask's
     * transactions commit with the checkpoint, so a read_committed reader sees every activation and
     * every dead letter once, whichever subtask wrote it, and input = activations + dead-lettered.
     */
    @Test
    void exactlyOnceOverThreePartitionsAndTwoSubtasksWritesEveryOutputOnceAcrossThreeFailures(
            TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 3);
        List<FeatureVector> valid = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long[] nextOffset = new long[3];
        Set<String> badCoordinates = new HashSet<>();
        for (int window = 0; window < 12; window++) {
            for (int i = 0; i < 60; i++) {
                long t = T0 + window * 10_000L + i * 160L;
                for (int partition = 0; partition < 3; partition++) {
                    String group = "p" + partition;
                    double x = ((i * 7 + window * 3 + partition) % 11) - 5.0;
                    // Feature 0 of p0 is never positive: one dead_feature alert, once.
                    FeatureVector vector =
                            TestRecords.vector(
                                    group + "-" + window + "-" + i,
                                    t,
                                    group,
                                    partition == 0 ? -1.0 - i : x,
                                    -x);
                    valid.add(vector);
                    records.add(TestRecords.record(names.features, partition, vector));
                    nextOffset[partition]++;
                }
            }
            // Three bad records a window, in turn in each partition: bytes that do not decode, a
            // NaN under reject, an event time before 1970.
            int partition = window % 3;
            records.add(
                    new ProducerRecord<>(
                            names.features,
                            partition,
                            null,
                            ("bad bytes " + window).getBytes(StandardCharsets.UTF_8)));
            records.add(
                    TestRecords.record(
                            names.features,
                            partition,
                            TestRecords.vector(
                                    "nan-" + window,
                                    T0 + window * 10_000L + 5,
                                    "p" + partition,
                                    Double.NaN,
                                    1.0)));
            records.add(
                    TestRecords.record(
                            names.features,
                            partition,
                            TestRecords.vector("negative-" + window, -5L, "p" + partition, 1, 1)));
            for (int k = 0; k < 3; k++) {
                badCoordinates.add(partition + "@" + nextOffset[partition]++);
            }
        }
        topics.produce(records);

        // 2 ms a record, about 1,150 records a subtask: each attempt outlasts a few checkpoints,
        // so the second and third failures still come before the input ends.
        FailureInjection.plan(500, 2_000);
        ActivationStatsJob.run(
                options(names, "exactly-once", 2, "--invalid-values", "reject"),
                FailureInjection.taps());

        assertThat(FailureInjection.FAILURES.get()).isEqualTo(3);
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactlyInAnyOrderElementsOf(
                        valid.stream().map(FeatureVector::getId).collect(Collectors.toList()));
        List<DeadLetter> deadLetters =
                TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
        assertThat(deadLetters)
                .extracting(letter -> letter.getPartition() + "@" + letter.getOffset())
                .containsExactlyInAnyOrderElementsOf(badCoordinates);
        assertThat(valid.size() + deadLetters.size()).isEqualTo(records.size());
        assertThat(
                        ContractStatistics.relu(valid, 10_000L, 10_000L)
                                .differences(
                                        TestRecords.decodeAll(
                                                topics.readAll(names.stats),
                                                ActivationStats::fromByteBuffer),
                                        1.0))
                .isEmpty();
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.alerts), ActivationAlert::fromByteBuffer))
                .extracting(
                        ActivationAlert::getGroup, ActivationAlert::getKind, a -> a.getFeature())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("p0", "dead_feature", 0));
    }

    /**
     * Late records under exactly-once across the three failures: a late record is written once to
     * the activations and the late topic and is in no statistics, also when it is read again after
     * a restore (the event time reached is restored with it); a record both late and invalid is a
     * dead letter only, since the activation rejects it before the window sees it.
     */
    @Test
    void lateRecordsAndRecordsBothLateAndInvalidAreWrittenOnceAcrossThreeFailures(TestInfo test)
            throws Exception {
        JobTopics names = topics(test);
        List<FeatureVector> onTime = new ArrayList<>();
        List<String> late = new ArrayList<>();
        // Offsets in the one partition: the records' places in the list.
        List<Long> lateAndInvalidOffsets = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int window = 0; window < 12; window++) {
            for (int i = 0; i < 60; i++) {
                double x = ((i * 7 + window * 3) % 11) - 5.0;
                FeatureVector vector =
                        TestRecords.vector(
                                "g-" + window + "-" + i, T0 + window * 10_000L + i * 160L, "g", x);
                onTime.add(vector);
                records.add(TestRecords.record(names.features, 0, vector));
                // Halfway through window w, at 4.8 s, a record of window w - 2, which closed at
                // least 4.8 s of event time before with no out-of-orderness and no lateness.
                if (window >= 2 && i == 30) {
                    long lateTime = T0 + (window - 2) * 10_000L + 7;
                    late.add("late-" + window);
                    records.add(
                            TestRecords.record(
                                    names.features,
                                    0,
                                    TestRecords.vector("late-" + window, lateTime, "g", 1.0)));
                    lateAndInvalidOffsets.add((long) records.size());
                    records.add(
                            TestRecords.record(
                                    names.features,
                                    0,
                                    TestRecords.vector(
                                            "late-nan-" + window, lateTime, "g", Double.NaN)));
                }
            }
        }
        topics.produce(records);

        // 2 ms a record over 750: the second and third failures still come before the input ends.
        FailureInjection.plan(300, 2_000);
        ActivationStatsJob.run(
                options(
                        names,
                        "exactly-once",
                        1,
                        "--out-of-orderness",
                        "0s",
                        "--allowed-lateness",
                        "0s",
                        "--invalid-values",
                        "reject"),
                FailureInjection.taps());

        assertThat(FailureInjection.FAILURES.get()).isEqualTo(3);
        List<String> activated = new ArrayList<>();
        onTime.forEach(vector -> activated.add(vector.getId()));
        activated.addAll(late);
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactlyInAnyOrderElementsOf(activated);
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.late), ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactlyElementsOf(late);
        List<DeadLetter> deadLetters =
                TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
        assertThat(deadLetters)
                .extracting(DeadLetter::getReason)
                .containsOnly(
                        "values[0] is NaN and the invalid-value policy is reject (NaN and"
                                + " infinities are not accepted)");
        assertThat(deadLetters)
                .extracting(DeadLetter::getOffset)
                .containsExactlyElementsOf(lateAndInvalidOffsets);
        assertThat(activated.size() + deadLetters.size()).isEqualTo(records.size());
        // 12 windows of their 60 records each: the late ones in none.
        List<ActivationStats> stats =
                TestRecords.decodeAll(topics.readAll(names.stats), ActivationStats::fromByteBuffer);
        assertThat(stats).extracting(ActivationStats::getRecordCount).containsOnly(60L).hasSize(12);
        assertThat(ContractStatistics.relu(onTime, 10_000L, 10_000L).differences(stats, 1.0))
                .isEmpty();
    }

    @Test
    void atLeastOnceLosesNothingAcrossThreeFailures(TestInfo test) throws Exception {
        JobTopics names = topics(test);
        Input input = produce(names);

        FailureInjection.plan(700, 1_000);
        ActivationStatsJob.run(options(names, "at-least-once"), FailureInjection.taps());

        Outcome outcome = new Outcome(names, input);
        System.out.println(outcome.summary("at-least-once", input));
        assertThat(FailureInjection.FAILURES.get()).isEqualTo(3);
        assertThat(outcome.lost).isZero();
        assertThat(outcome.activations).isEqualTo(2_400 + outcome.duplicated);
        // Every window result is there; replays may write one again, identical.
        Set<String> distinct = new HashSet<>();
        outcome.stats.forEach(s -> distinct.add(s.toString()));
        assertSameStatisticsAsWithoutFailures(
                outcome.stats.stream()
                        .filter(s -> distinct.remove(s.toString()))
                        .collect(Collectors.toList()),
                input);
        assertThat(outcome.deadLetters.stream().map(DeadLetter::getOffset).distinct()).hasSize(3);
    }

    /**
     * Without checkpoints there is nothing to restart from, and Flink restarts only jobs that
     * checkpoint unless the cluster's restart-strategy.type says otherwise: the first failure ends
     * the run.
     */
    @Test
    void withNoneTheFirstFailureEndsTheJob(TestInfo test) throws Exception {
        JobTopics names = topics(test);
        produce(names);
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--bounded",
                                "--parallelism",
                                "1",
                                "--delivery-guarantee",
                                "none"));
        args.addAll(names.args());

        FailureInjection.plan(100, 0);
        assertThatThrownBy(
                        () ->
                                ActivationStatsJob.run(
                                        JobOptions.parse(args.toArray(new String[0])),
                                        FailureInjection.taps()))
                .hasStackTraceContaining("Injected failure");
        assertThat(FailureInjection.FAILURES.get()).isEqualTo(1);
    }

    @Test
    void exactlyOnceSurvivesABrokerRestart(TestInfo test) throws Exception {
        JobTopics names = topics(test);
        Input input = produce(names);

        FailureInjection.slowOnly(2_000);
        CompletableFuture<Void> restart =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                while (FailureInjection.RECORDS_SEEN.get() < 600) {
                                    Thread.sleep(20);
                                }
                                kafka.stopBroker();
                                // The outage itself: long enough for requests to fail and retry.
                                Thread.sleep(3_000);
                                kafka.startBroker();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        ActivationStatsJob.run(options(names, "exactly-once"), FailureInjection.taps());
        restart.get(60, TimeUnit.SECONDS);

        Outcome outcome = new Outcome(names, input);
        System.out.println(outcome.summary("exactly-once, broker restarted", input));
        assertThat(outcome.lost).isZero();
        assertThat(outcome.duplicated).isZero();
        assertThat(outcome.deadLetters).hasSize(3);
        assertThat(outcome.activations + outcome.deadLetters.size())
                .isEqualTo(input.records.size());
        assertSameStatisticsAsWithoutFailures(outcome.stats, input);
    }

    @Test
    void recordsOfAbortedTransactionsUpstreamAreNotRead(TestInfo test) throws Exception {
        JobTopics names = topics(test);
        // An exactly-once producer upstream: one transaction committed, the next aborted.
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        names.features + "-upstream");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(
                    TestRecords.record(
                            names.features, 0, TestRecords.vector("committed-1", T0, "g", 1, -1)));
            producer.send(
                    TestRecords.record(
                            names.features,
                            0,
                            TestRecords.vector("committed-2", T0 + 1, "g", 2, -2)));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(
                    TestRecords.record(
                            names.features, 0, TestRecords.vector("aborted", T0 + 2, "g", 3, -3)));
            producer.flush();
            producer.abortTransaction();
        }

        ActivationStatsJob.run(options(names, "exactly-once"));

        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.activations),
                                ActivationVector::fromByteBuffer))
                .extracting(ActivationVector::getId)
                .containsExactly("committed-1", "committed-2");
        assertThat(topics.readAll(names.dlq)).isEmpty();
        assertThat(
                        TestRecords.decodeAll(
                                topics.readAll(names.stats), ActivationStats::fromByteBuffer))
                .extracting(ActivationStats::getRecordCount)
                .containsExactly(2L);

        // The job's transactional ids, as the README gives them for ACLs and for telling jobs
        // apart: <--transactional-id-prefix>-<topic>-<subtask>-<checkpoint>, for every topic.
        // The broker is shared by the class's tests: only this run's prefix is this job's.
        Set<String> ids;
        try (Admin admin = kafka.admin()) {
            ids =
                    admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                            .map(TransactionListing::transactionalId)
                            .filter(id -> id.startsWith(names.features + "-"))
                            .filter(id -> !id.equals(names.features + "-upstream"))
                            .collect(Collectors.toSet());
        }
        List<String> written =
                List.of(names.activations, names.stats, names.alerts, names.dlq, names.late);
        Pattern jobIds =
                Pattern.compile(
                        Pattern.quote(names.features + "-")
                                + "("
                                + written.stream()
                                        .map(Pattern::quote)
                                        .collect(Collectors.joining("|"))
                                + ")-0-[0-9]+");
        assertThat(ids).allMatch(id -> jobIds.matcher(id).matches());
        assertThat(
                        ids.stream()
                                .map(id -> jobIds.matcher(id))
                                .filter(Matcher::matches)
                                .map(m -> m.group(1))
                                .collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(written);
    }

    /** Each window result exactly once, equal to the plain calculation over all records. */
    private static void assertSameStatisticsAsWithoutFailures(
            List<ActivationStats> stats, Input input) {
        assertThat(ContractStatistics.relu(input.vectors, 10_000L, 10_000L).differences(stats, 1.0))
                .isEmpty();
    }
}
