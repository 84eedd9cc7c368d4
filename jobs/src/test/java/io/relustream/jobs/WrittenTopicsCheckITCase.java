package io.relustream.jobs;

import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.InvalidOptionsException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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

    /** A producer's {@code max.request.size} when none is given. */
    private static final int KAFKA_DEFAULT_MAX_REQUEST_SIZE = 1_048_576;

    /** The embedded broker's {@code message.max.bytes}, and so a new topic's. */
    private static final int BROKER_MESSAGE_MAX_BYTES = EmbeddedKafka.MAX_RECORD_BYTES;

    /** Creates a topic of one partition that takes records of up to {@code maxMessageBytes}. */
    private static void createTopic(EmbeddedKafka kafka, String topic, int maxMessageBytes)
            throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(topic, 1, (short) 1)
                                            .configs(
                                                    Map.of(
                                                            "max.message.bytes",
                                                            String.valueOf(maxMessageBytes)))))
                    .all()
                    .get();
        }
    }

    /** The check of {@code topics} on {@code kafka}, within {@link #TIMEOUT}. */
    private static void check(
            EmbeddedKafka kafka,
            Map<String, String> topics,
            Map<String, String> kafkaProperties,
            int maxRequestSize) {
        WrittenTopicsCheck.check(
                kafka.bootstrapServers(),
                topics,
                kafkaProperties,
                maxRequestSize,
                TIMEOUT,
                Durations.deadlineNanos(TIMEOUT));
    }

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
                                    check(
                                            kafka,
                                            topics("--output-topic", "not-yet"),
                                            Map.of(),
                                            KAFKA_DEFAULT_MAX_REQUEST_SIZE))
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
                                    check(
                                            kafka,
                                            topics("--output-topic", "present"),
                                            Map.of(),
                                            KAFKA_DEFAULT_MAX_REQUEST_SIZE))
                    .doesNotThrowAnyException();
            // Two missing: the first in the order given is named.
            assertThatThrownBy(
                            () ->
                                    check(
                                            kafka,
                                            topics(
                                                    "--output-topic", "present",
                                                    "--stats-topic", "missing-stats",
                                                    "--dlq-topic", "missing-dlq"),
                                            Map.of(),
                                            KAFKA_DEFAULT_MAX_REQUEST_SIZE))
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
                                        KAFKA_DEFAULT_MAX_REQUEST_SIZE,
                                        Duration.ZERO,
                                        Durations.deadlineNanos(Duration.ZERO)))
                .doesNotThrowAnyException();
    }

    @Test
    void aTopicThatTakesSmallerRecordsThanTheProducersSendFailsTheStart() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTopic(kafka, "small", 100_000);
            kafka.createTopics(1, "default");

            // Before: the job started, and Flink's Kafka sink failed on the first record above
            // 100,000 bytes, restarting into the same record for ever.
            assertThatThrownBy(
                            () ->
                                    check(
                                            kafka,
                                            topics(
                                                    "--output-topic", "default",
                                                    "--stats-topic", "small"),
                                            Map.of(),
                                            KAFKA_DEFAULT_MAX_REQUEST_SIZE))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--kafka.max.request.size': Kafka's"
                                    + " default, 1048576, is more than the 100000 bytes topic"
                                    + " 'small' (--stats-topic) takes (its max.message.bytes):"
                                    + " the broker would refuse the job's larger records, and"
                                    + " the job restart into them for ever; give at most 100000,"
                                    + " or raise the topic's max.message.bytes to at least"
                                    + " 1048576");
        }
    }

    @Test
    void aLargerMaxRequestSizeNeedsTopicsThatTakeRecordsAsLarge() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTopic(kafka, "large", 16_777_216);
            kafka.createTopics(1, "default");
            Map<String, String> sixteenMebibytes = Map.of("max.request.size", "16777216");

            assertThatCode(
                            () ->
                                    check(
                                            kafka,
                                            topics("--output-topic", "large"),
                                            sixteenMebibytes,
                                            16_777_216))
                    .doesNotThrowAnyException();
            assertThatThrownBy(
                            () ->
                                    check(
                                            kafka,
                                            topics(
                                                    "--output-topic", "large",
                                                    "--dlq-topic", "default"),
                                            sixteenMebibytes,
                                            16_777_216))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--kafka.max.request.size': '16777216' is"
                                    + " more than the "
                                    + BROKER_MESSAGE_MAX_BYTES
                                    + " bytes topic 'default' (--dlq-topic) takes (its"
                                    + " max.message.bytes): the broker would refuse the job's"
                                    + " larger records, and the job restart into them for ever;"
                                    + " give at most "
                                    + BROKER_MESSAGE_MAX_BYTES
                                    + ", or raise the topic's max.message.bytes to at least"
                                    + " 16777216");
            // Exactly as large: every record the producers send fits.
            assertThatCode(
                            () ->
                                    WrittenTopicsCheck.check(
                                            kafka.bootstrapServers(),
                                            topics("--dlq-topic", "default"),
                                            Map.of(
                                                    "max.request.size",
                                                    String.valueOf(BROKER_MESSAGE_MAX_BYTES)),
                                            BROKER_MESSAGE_MAX_BYTES,
                                            TIMEOUT,
                                            Durations.deadlineNanos(TIMEOUT)))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void aTopicKafkaCreatesOnFirstUseTakesTheBrokersLargestRecord() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            assertThatThrownBy(
                            () ->
                                    check(
                                            kafka,
                                            topics("--alerts-topic", "not-yet"),
                                            Map.of("max.request.size", "16777216"),
                                            16_777_216))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--kafka.max.request.size': '16777216' is"
                                    + " more than the "
                                    + BROKER_MESSAGE_MAX_BYTES
                                    + " bytes topic 'not-yet' (--alerts-topic) would take when"
                                    + " Kafka creates it on first use (the brokers'"
                                    + " message.max.bytes): the broker would refuse the job's"
                                    + " larger records, and the job restart into them for ever;"
                                    + " give at most "
                                    + BROKER_MESSAGE_MAX_BYTES
                                    + ", or create the topic first with a max.message.bytes of at"
                                    + " least 16777216");
        }
    }

    @Test
    void aTopicThatTakesLessThanAnyDeadLetterNeedsLargerRecordsThanTheJobCanBeToldToSend()
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTopic(kafka, "tiny", 1_000);

            assertThatThrownBy(
                            () ->
                                    check(
                                            kafka,
                                            topics("--output-topic", "tiny"),
                                            Map.of("max.request.size", "65536"),
                                            65_536))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--kafka.max.request.size': '65536' is"
                                    + " more than the 1000 bytes topic 'tiny' (--output-topic)"
                                    + " takes (its max.message.bytes): the broker would refuse"
                                    + " the job's larger records, and the job restart into them"
                                    + " for ever; raise the topic's max.message.bytes to at least"
                                    + " 65536 (the option takes no less, room for any dead"
                                    + " letter)");
        }
    }

    @Test
    void aTopicThatTakesLessThanAnyDeadLetterIsToldTheLeastTheOptionTakes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTopic(kafka, "tiny", 1_000);

            // Kafka's default max.request.size, 1 MiB: the option may be lowered to 64 KiB (65536),
            // no further, so the topic needs at least that much, not a whole MiB.
            assertThatThrownBy(
                            () ->
                                    check(
                                            kafka,
                                            topics("--output-topic", "tiny"),
                                            Map.of(),
                                            KAFKA_DEFAULT_MAX_REQUEST_SIZE))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option '--kafka.max.request.size': Kafka's"
                                    + " default, 1048576, is more than the 1000 bytes topic"
                                    + " 'tiny' (--output-topic) takes (its max.message.bytes):"
                                    + " the broker would refuse the job's larger records, and"
                                    + " the job restart into them for ever; raise the topic's"
                                    + " max.message.bytes to at least 1048576, or to at least"
                                    + " 65536 with --kafka.max.request.size=65536 (the option"
                                    + " takes no less, room for any dead letter)");
            // The same for a topic Kafka would create on first use.
            assertThatThrownBy(
                            () ->
                                    check(
                                            kafka,
                                            topics("--alerts-topic", "not-yet"),
                                            Map.of("max.request.size", "16777216"),
                                            16_777_216))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessageEndingWith(
                            "; give at most "
                                    + BROKER_MESSAGE_MAX_BYTES
                                    + ", or create the topic first with a max.message.bytes of at"
                                    + " least 16777216");
        }
    }
}
