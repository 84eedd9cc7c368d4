package io.relustream.jobs;

import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.InvalidOptionsException;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The look at the topics a job writes: only brokers that do not create topics make a missing one a
 * mistake. The jobs' own tests ({@code InputTopicCheckITCase}, {@code SqlZeroFractionJobITCase})
 * check the messages as each job reports them.
 */
class WrittenTopicsCheckITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private static Map<String, String> topics(String... optionsAndTopics) {
        Map<String, String> byOption = new LinkedHashMap<>();
        for (int i = 0; i < optionsAndTopics.length; i += 2) {
            byOption.put(optionsAndTopics[i], optionsAndTopics[i + 1]);
        }
        return byOption;
    }

    @Test
    void brokersThatCreateTopicsLeaveAMissingOneToTheFirstRecord() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            assertThatCode(
                            () ->
                                    WrittenTopicsCheck.check(
                                            kafka.bootstrapServers(),
                                            topics("--output-topic", "not-yet"),
                                            Map.of(),
                                            TIMEOUT,
                                            Durations.deadlineNanos(TIMEOUT)))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void brokersThatDoNotCreateTopicsHaveTheFirstMissingOneNamed() throws Exception {
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"))) {
            kafka.createTopics(1, "present");

            assertThatCode(
                            () ->
                                    WrittenTopicsCheck.check(
                                            kafka.bootstrapServers(),
                                            topics("--output-topic", "present"),
                                            Map.of(),
                                            TIMEOUT,
                                            Durations.deadlineNanos(TIMEOUT)))
                    .doesNotThrowAnyException();
            // Two missing: the first in the order given is named.
            assertThatThrownBy(
                            () ->
                                    WrittenTopicsCheck.check(
                                            kafka.bootstrapServers(),
                                            topics(
                                                    "--output-topic", "present",
                                                    "--stats-topic", "missing-stats",
                                                    "--dlq-topic", "missing-dlq"),
                                            Map.of(),
                                            TIMEOUT,
                                            Durations.deadlineNanos(TIMEOUT)))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--stats-topic': 'missing-stats' is not a"
                                    + " topic of the Kafka cluster at --bootstrap-servers '"
                                    + kafka.bootstrapServers()
                                    + "' (looked for during 1s, --connect-timeout), which does not"
                                    + " create topics on first use"
                                    + " (auto.create.topics.enable=false); create it first");
        }
    }

    @Test
    void aZeroTimeoutLeavesTheTopicsToTheCluster() {
        // No broker at all: with --connect-timeout 0s nothing is asked.
        assertThatCode(
                        () ->
                                WrittenTopicsCheck.check(
                                        "localhost:1",
                                        topics("--output-topic", "anything"),
                                        Map.of(),
                                        Duration.ZERO,
                                        Durations.deadlineNanos(Duration.ZERO)))
                .doesNotThrowAnyException();
    }
}
