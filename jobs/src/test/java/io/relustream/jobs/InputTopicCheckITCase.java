package io.relustream.jobs;

import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.InvalidOptionsException;
import io.relustream.jobs.options.JobOptions;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job asks Kafka for its input topic before it starts: without it, Flink's Kafka source fails
 * on a topic that does not exist, and the job restarts into the same failure for ever, with {@code
 * --bounded} too. Likewise for the topics it writes, where the brokers do not create topics.
 */
class InputTopicCheckITCase {

    @Test
    void aMissingInputTopicFailsTheStartNamingTheOptionAndTheValue() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            JobOptions options =
                    JobOptions.parse(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--input-topic",
                            "featurs",
                            "--connect-timeout",
                            "1s",
                            "--bounded");

            assertThatThrownBy(() -> ActivationStatsJob.run(options))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--input-topic': 'featurs' is not a topic"
                                    + " of the Kafka cluster at --bootstrap-servers '"
                                    + kafka.bootstrapServers()
                                    + "' (looked for during 1s, --connect-timeout); create it"
                                    + " first, or name the topic the features are in");
        }
    }

    @Test
    void aMissingOutputTopicFailsTheStartWhenTheBrokersDoNotCreateTopics() throws Exception {
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"))) {
            kafka.createTopics(
                    1, "features", "activations", "activation-stats", "dead-letters", "late");
            JobOptions options =
                    JobOptions.parse(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--stats-topic",
                            "activation-stats",
                            "--alerts-topic",
                            "alertz",
                            "--dlq-topic",
                            "dead-letters",
                            "--late-topic",
                            "late",
                            "--connect-timeout",
                            "1s",
                            "--bounded");

            // Before: the job started, and Flink's Kafka sink failed on the first alert a minute
            // later, restarting into the same failure.
            assertThatThrownBy(() -> ActivationStatsJob.run(options))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--alerts-topic': 'alertz' is not a topic"
                                    + " of the Kafka cluster at --bootstrap-servers '"
                                    + kafka.bootstrapServers()
                                    + "' (looked for during 1s, --connect-timeout), which does"
                                    + " not create topics on first use"
                                    + " (auto.create.topics.enable=false); create it first");
        }
    }

    @Test
    void aTopicCreatedWhileTheCheckLooksForItPassesTheCheck() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            JobOptions options =
                    JobOptions.parse(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--input-topic",
                            "late-features",
                            "--connect-timeout",
                            "5m");
            AtomicInteger toldMissing = new AtomicInteger();

            // A producer that creates the topic just after the job was started: the check is told
            // the topic is missing, the topic appears, and the check passes on a later look.
            ActivationStatsJob.checkInputTopic(
                    options,
                    () -> {
                        toldMissing.incrementAndGet();
                        try {
                            kafka.createTopics(1, "late-features");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });

            assertThat(toldMissing).hasValue(1);
        }
    }

    @Test
    void aTransactionTimeoutAboveTheBrokersCapFailsTheStartRatherThanEveryTransaction()
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "features");
            // The broker's transaction.max.timeout.ms is Kafka's default, 15 minutes = 900000 ms:
            // it would refuse the producer of every exactly-once sink, and the job restart for
            // ever.
            JobOptions tooLong =
                    JobOptions.parse(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--delivery-guarantee",
                            "exactly-once",
                            "--kafka.transaction.timeout.ms=900001",
                            "--connect-timeout",
                            "30s");

            assertThatThrownBy(() -> ActivationStatsJob.run(tooLong))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--kafka.transaction.timeout.ms': '900001'"
                                    + " is above the transaction.max.timeout.ms (900000) of the"
                                    + " Kafka cluster at --bootstrap-servers '"
                                    + kafka.bootstrapServers()
                                    + "', which refuses every transaction of such a producer;"
                                    + " lower it to at most 900000, or raise the brokers' cap");

            // At the cap, and without transactions, the check passes.
            assertThatCode(
                            () ->
                                    ActivationStatsJob.checkTransactionTimeout(
                                            JobOptions.parse(
                                                    "--bootstrap-servers",
                                                    kafka.bootstrapServers(),
                                                    "--delivery-guarantee",
                                                    "exactly-once",
                                                    "--kafka.transaction.timeout.ms=900000")))
                    .doesNotThrowAnyException();
            assertThatCode(
                            () ->
                                    ActivationStatsJob.checkTransactionTimeout(
                                            JobOptions.parse(
                                                    "--bootstrap-servers",
                                                    kafka.bootstrapServers(),
                                                    "--kafka.transaction.timeout.ms=900001")))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void aClientThatCannotBeMadeSaysWhy(@TempDir Path dir) {
        // A truststore that is not there: the admin client of the check cannot be made, and the
        // message must say why, not only that a NetworkClient could not be made.
        Path missing = dir.resolve("missing.jks");
        JobOptions options =
                JobOptions.parse(
                        "--bootstrap-servers",
                        "localhost:1",
                        "--connect-timeout",
                        "1s",
                        "--kafka.security.protocol=SSL",
                        "--kafka.ssl.truststore.location=" + missing);

        assertThatThrownBy(() -> ActivationStatsJob.checkInputTopic(options))
                .isInstanceOf(KafkaCheckException.class)
                .hasMessage(
                        "Could not connect to Kafka at --bootstrap-servers 'localhost:1' to find"
                                + " --input-topic 'features': Failed to create new NetworkClient:"
                                + " Failed to load SSL keystore "
                                + missing
                                + " of type JKS (--connect-timeout 0s leaves the check to the"
                                + " cluster)");
    }

    @Test
    void theLongestConnectTimeoutStillFindsTheTopic() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "features");
            // The longest duration the option reads: about 292 million years, far more
            // nanoseconds than a long holds.
            JobOptions options =
                    JobOptions.parse(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--connect-timeout",
                            Long.MAX_VALUE + "ms");

            assertThatCode(() -> ActivationStatsJob.checkInputTopic(options))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void anUnreachableBrokerFailsTheStartNamingTheBootstrapServers() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        JobOptions options =
                JobOptions.parse(
                        "--bootstrap-servers", "localhost:" + port, "--connect-timeout", "1s");

        assertThatThrownBy(() -> ActivationStatsJob.run(options))
                .isInstanceOf(KafkaCheckException.class)
                .hasMessageStartingWith(
                        "Could not reach Kafka at --bootstrap-servers 'localhost:"
                                + port
                                + "' within 1s to find --input-topic 'features' (")
                .hasMessageEndingWith(
                        "); check the option and that the brokers are up, or raise"
                                + " --connect-timeout (0s leaves the check to the cluster)");
    }

    @Test
    void aMaxRequestSizeAboveWhatAWrittenTopicTakesFailsTheStart() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(
                    1, "features", "activations", "activation-stats", "alerts", "dead-letters");
            int aboveTheBroker = EmbeddedKafka.MAX_RECORD_BYTES + 1;
            JobOptions options =
                    JobOptions.parse(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--connect-timeout",
                            "1s",
                            "--kafka.max.request.size=" + aboveTheBroker,
                            "--bounded");

            // Before: the job started, and the sink failed the job on the first record larger
            // than the topic takes, restarting into it for ever.
            assertThatThrownBy(() -> ActivationStatsJob.run(options))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--kafka.max.request.size': '"
                                    + aboveTheBroker
                                    + "' is more than the "
                                    + EmbeddedKafka.MAX_RECORD_BYTES
                                    + " bytes topic 'activations' (--output-topic) takes (its"
                                    + " max.message.bytes): the broker would refuse the job's"
                                    + " larger records, and the job restart into them for ever;"
                                    + " give at most "
                                    + EmbeddedKafka.MAX_RECORD_BYTES
                                    + ", or raise the topic's max.message.bytes to at least "
                                    + aboveTheBroker);
        }
    }

    /**
     * An activation carries its record's event time, which may be up to --max-event-time-skew ahead
     * of the clock. A topic that takes records stamped less far ahead ({@code
     * message.timestamp.after.max.ms}) refused such an activation, and the job failed and restarted
     * into it (8 times in 40 s, for a record 3 minutes ahead and a topic's 1 minute) until the
     * clock caught up.
     */
    @Test
    void aSkewAboveWhatAnEventTimeStampedTopicTakesFailsTheStart() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "features", "activation-stats", "alerts", "dead-letters", "late");
            try (Admin admin = kafka.admin()) {
                admin.createTopics(
                                List.of(
                                        new NewTopic("activations", 1, (short) 1)
                                                .configs(
                                                        Map.of(
                                                                "message.timestamp.after.max.ms",
                                                                "60000"))))
                        .all()
                        .get();
            }
            FeatureVector ahead =
                    TestRecords.vector(
                            "ahead", System.currentTimeMillis() + 180_000L, "g", 1.0, 2.0);
            new KafkaTopics(kafka.bootstrapServers())
                    .produce(List.of(TestRecords.record("features", 0, ahead)));
            JobOptions options =
                    JobOptions.parse(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--connect-timeout",
                            "5s",
                            "--bounded");

            assertThatThrownBy(() -> ActivationStatsJob.run(options))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--max-event-time-skew': '5m' (the default)"
                                + " is more than the 60000 ms ahead of the clock that topic"
                                + " 'activations' (--output-topic) takes (its"
                                + " message.timestamp.after.max.ms), which its records carry as"
                                + " their event time: the broker would refuse those of records up"
                                + " to 5m ahead, and the job fail and restart into them until the"
                                + " clock caught up; give at most 1m, or raise the topic's"
                                + " message.timestamp.after.max.ms to at least 300000");
        }
    }
}
