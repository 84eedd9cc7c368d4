package io.relustream.jobs;

import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.InvalidOptionsException;
import io.relustream.jobs.options.JobOptions;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job asks Kafka for its input topic before it starts: without it, Flink's Kafka source fails
 * on a topic that does not exist, and the job restarts into the same failure for ever, with {@code
 * --bounded} too.
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
                            "--bounded");

            assertThatThrownBy(() -> ActivationStatsJob.run(options))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--input-topic': 'featurs' is not a topic"
                                    + " of the Kafka cluster at --bootstrap-servers '"
                                    + kafka.bootstrapServers()
                                    + "'; create it first, or name the topic the features are in");
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
}
