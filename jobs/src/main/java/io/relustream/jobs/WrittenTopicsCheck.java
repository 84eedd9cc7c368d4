package io.relustream.jobs;

import io.relustream.formats.FeatureVectorKafkaDeserializer;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.InvalidOptionsException;
import io.relustream.jobs.options.JobOptions;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A job's look at the topics it writes, before it starts: on brokers that do not create topics on
 * first use ({@code auto.create.topics.enable=false}, as in the compose file), Flink's Kafka sink
 * waits a minute for a missing topic at its first record, then fails the job, and again after every
 * restart. A missing topic is looked for again every half second until the deadline of the start's
 * {@code --connect-timeout}, as the input topic is, so that one created just after the job starts
 * is found. A topic that takes smaller records than the producers may send ({@code
 * max.message.bytes} below {@code max.request.size}) fails the start too: the sink would fail the
 * job on the first such record, and again after every restart. Whatever Kafka does not tell (a
 * broker's configuration, say) leaves the topic to the sink, as without the check.
 *
 * <pre>{@code
 * Duration timeout = Duration.ofSeconds(30);
 * WrittenTopicsCheck.check("kafka:9092", Map.of("--output-topic", "activations"), Map.of(),
 *         1024 * 1024, timeout, Durations.deadlineNanos(timeout));
 * }</pre>
 */
public final class WrittenTopicsCheck {

    private static final String AUTO_CREATE = "auto.create.topics.enable";
    private static final String MAX_MESSAGE_BYTES = TopicConfig.MAX_MESSAGE_BYTES_CONFIG;
    private static final String BROKER_MESSAGE_MAX_BYTES = "message.max.bytes";
    private static final String TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";

    private WrittenTopicsCheck() {}

    /**
     * Fails when Kafka still has no topic of {@code topicsByOption} (option name to topic, in the
     * order to name them) at {@code deadline} (of {@link System#nanoTime}) and none of its brokers
     * creates topics on first use, or when one of them (or, for one Kafka creates on first use, its
     * brokers) takes records smaller than {@code maxRequestSize}.
     *
     * @param maxRequestSize the {@code max.request.size} of the job's producers
     * @param timeout the {@code --connect-timeout} the deadline comes from; zero leaves the check
     *     out
     * @throws InvalidOptionsException naming the option of the first topic still missing, or {@code
     *     --kafka.max.request.size} with the first topic that takes smaller records
     * @throws KafkaCheckException when interrupted
     */
    public static void check(
            String bootstrapServers,
            Map<String, String> topicsByOption,
            Map<String, String> kafkaProperties,
            int maxRequestSize,
            Duration timeout,
            long deadline) {
        if (timeout.isZero()) {
            return;
        }
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Admin admin =
                Admin.create(adminConfig(bootstrapServers, kafkaProperties, timeoutMillis))) {
            Map<String, String> missing = new LinkedHashMap<>();
            topicsByOption.forEach(
                    (option, topic) -> {
                        if (missing(admin, topic, timeoutMillis)) {
                            missing.put(option, topic);
                        }
                    });
            if (!missing.isEmpty() && allBrokersRefuseToCreate(admin, timeoutMillis)) {
                waitFor(admin, missing, bootstrapServers, timeout, deadline, timeoutMillis);
            }
            checkRecordSizes(
                    admin,
                    topicsByOption,
                    Set.copyOf(missing.values()),
                    kafkaProperties,
                    maxRequestSize,
                    timeoutMillis);
        } catch (KafkaException e) {
            // Creating the client: the input's check made one with the same settings just now.
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCheckException("Interrupted while looking for " + topicsByOption, e);
        }
    }

    /** The admin client's settings: the job's {@code --kafka.} properties and the timeout. */
    private static Map<String, Object> adminConfig(
            String bootstrapServers, Map<String, String> kafkaProperties, int timeoutMillis) {
        Map<String, Object> config = new HashMap<>(kafkaProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Both, or the admin client refuses an API timeout below the request timeout.
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
        return config;
    }

    /**
     * Fails when a topic of {@code topicsByOption} (option name to topic), whose records carry the
     * event time of their input record, takes records stamped less far ahead of the broker's clock
     * ({@code message.timestamp.after.max.ms}, with {@code CreateTime} stamps) than {@code
     * maxEventTimeSkew} lets an event time be: the broker would refuse the outputs of a record that
     * far ahead, and the job would fail and restart into that record until the clock caught up. A
     * topic Kafka does not describe (one it creates on first use, say) is left to the sink.
     *
     * @param timeout the {@code --connect-timeout}; zero leaves the check out
     * @throws InvalidOptionsException naming {@code --max-event-time-skew} and the first such topic
     */
    public static void checkEventTimeSkew(
            String bootstrapServers,
            Map<String, String> topicsByOption,
            Map<String, String> kafkaProperties,
            Duration maxEventTimeSkew,
            Duration timeout) {
        if (timeout.isZero()) {
            return;
        }
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Admin admin =
                Admin.create(adminConfig(bootstrapServers, kafkaProperties, timeoutMillis))) {
            for (Map.Entry<String, String> written : topicsByOption.entrySet()) {
                String topic = written.getValue();
                Config topicConfig;
                try {
                    topicConfig =
                            admin.describeConfigs(
                                            List.of(
                                                    new ConfigResource(
                                                            ConfigResource.Type.TOPIC, topic)),
                                            new DescribeConfigsOptions().timeoutMs(timeoutMillis))
                                    .all()
                                    .get()
                                    .values()
                                    .iterator()
                                    .next();
                } catch (ExecutionException e) {
                    continue;
                }
                ConfigEntry type = topicConfig.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
                if (type != null && "LogAppendTime".equals(type.value())) {
                    // The broker stamps the records itself and checks no producer's time.
                    continue;
                }
                ConfigEntry after = topicConfig.get(TIMESTAMP_AFTER_MAX_MS);
                long afterMillis;
                try {
                    afterMillis = after == null ? Long.MAX_VALUE : Long.parseLong(after.value());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (afterMillis >= maxEventTimeSkew.toMillis()) {
                    continue;
                }
                String skew = Durations.format(maxEventTimeSkew);
                throw new InvalidOptionsException(
                        "Invalid value for option '--max-event-time-skew': '"
                                + skew
                                // Said, since the user may not have given the option at all.
                                + (maxEventTimeSkew.equals(
                                                FeatureVectorKafkaDeserializer
                                                        .DEFAULT_MAX_EVENT_TIME_SKEW)
                                        ? "' (the default)"
                                        : "'")
                                + " is more than the "
                                + afterMillis
                                + " ms ahead of the clock that topic '"
                                + topic
                                + "' ("
                                + written.getKey()
                                + ") takes (its "
                                + TIMESTAMP_AFTER_MAX_MS
                                + "), which its records carry as their event time: the broker"
                                + " would refuse those of records up to "
                                + skew
                                + " ahead, and the job fail and restart into them until the clock"
                                + " caught up; give at most "
                                + Durations.format(Duration.ofMillis(afterMillis))
                                + ", or raise the topic's "
                                + TIMESTAMP_AFTER_MAX_MS
                                + " to at least "
                                + maxEventTimeSkew.toMillis());
            }
        } catch (KafkaException e) {
            // Creating the client: the input's check made one with the same settings just now.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCheckException("Interrupted while describing " + topicsByOption, e);
        }
    }

    /** Looks for the {@code missing} topics again until they all exist or the deadline passes. */
    private static void waitFor(
            Admin admin,
            Map<String, String> missing,
            String bootstrapServers,
            Duration timeout,
            long deadline,
            int timeoutMillis)
            throws InterruptedException {
        missing.forEach(
                (option, topic) ->
                        System.err.println(
                                "Kafka has no topic "
                                        + option
                                        + " '"
                                        + topic
                                        + "' yet; looking for it again until"
                                        + " --connect-timeout "
                                        + Durations.format(timeout)
                                        + " has passed"));
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                Map.Entry<String, String> first = missing.entrySet().iterator().next();
                throw new InvalidOptionsException(
                        "Invalid value for option '"
                                + first.getKey()
                                + "': '"
                                + first.getValue()
                                + "' is not a topic of the Kafka cluster at"
                                + " --bootstrap-servers '"
                                + bootstrapServers
                                + "' (looked for during "
                                + Durations.format(timeout)
                                + ", --connect-timeout), which does not create topics on"
                                + " first use ("
                                + AUTO_CREATE
                                + "=false); create it first");
            }
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 500));
            missing.values().removeIf(topic -> !missing(admin, topic, timeoutMillis));
            if (missing.isEmpty()) {
                return;
            }
        }
    }

    /**
     * Fails when a topic takes smaller records than the producers send: the broker refuses a record
     * above the topic's {@code max.message.bytes}, the sink fails the job on it, and the job
     * restarts into the same record for ever. The job's own checks of record sizes (see {@link
     * OutputRecordSizes}) hold a record to {@code max.request.size} only. A topic Kafka has not yet
     * (and creates on first use) will take the brokers' {@code message.max.bytes}.
     */
    private static void checkRecordSizes(
            Admin admin,
            Map<String, String> topicsByOption,
            Set<String> notYetCreated,
            Map<String, String> kafkaProperties,
            int maxRequestSize,
            int timeoutMillis)
            throws InterruptedException {
        for (Map.Entry<String, String> written : topicsByOption.entrySet()) {
            String topic = written.getValue();
            boolean created = !notYetCreated.contains(topic);
            OptionalInt largest =
                    created
                            ? largestRecordOfTopic(admin, topic, timeoutMillis)
                            : largestRecordOfNewTopics(admin, timeoutMillis);
            if (largest.isEmpty() || largest.getAsInt() >= maxRequestSize) {
                continue;
            }
            int limit = largest.getAsInt();
            String given = kafkaProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
            String lowerIt =
                    limit >= JobOptions.MIN_MAX_REQUEST_SIZE
                            ? "give at most " + limit + ", or "
                            : "";
            String raiseIt =
                    created
                            ? "raise the topic's " + MAX_MESSAGE_BYTES + " to at least "
                            : "create the topic first with a "
                                    + MAX_MESSAGE_BYTES
                                    + " of at least ";
            throw new InvalidOptionsException(
                    "Invalid value for option '--kafka."
                            + ProducerConfig.MAX_REQUEST_SIZE_CONFIG
                            + "': "
                            + (given == null
                                    ? "Kafka's default, " + maxRequestSize + ","
                                    : "'" + given + "'")
                            + " is more than the "
                            + limit
                            + " bytes topic '"
                            + topic
                            + "' ("
                            + written.getKey()
                            + (created
                                    ? ") takes (its " + MAX_MESSAGE_BYTES + ")"
                                    : ") would take when Kafka creates it on first use (the"
                                            + " brokers' "
                                            + BROKER_MESSAGE_MAX_BYTES
                                            + ")")
                            + ": the broker would refuse the job's larger records, and the job"
                            + " restart into them for ever; "
                            + lowerIt
                            + raiseIt
                            + maxRequestSize
                            + (lowerIt.isEmpty() ? leastOfTheOption(created, maxRequestSize) : ""));
        }
    }

    /**
     * For a topic that takes less than the least {@code --kafka.max.request.size} allowed: that
     * least, which the topic needs at the very least, when the option is above it.
     */
    private static String leastOfTheOption(boolean created, int maxRequestSize) {
        String noLess = " (the option takes no less, room for any dead letter)";
        if (maxRequestSize <= JobOptions.MIN_MAX_REQUEST_SIZE) {
            return noLess;
        }
        return (created ? ", or to at least " : ", or of at least ")
                + JobOptions.MIN_MAX_REQUEST_SIZE
                + " with --kafka."
                + ProducerConfig.MAX_REQUEST_SIZE_CONFIG
                + "="
                + JobOptions.MIN_MAX_REQUEST_SIZE
                + noLess;
    }

    /** The topic's {@code max.message.bytes}, unless Kafka does not tell it. */
    private static OptionalInt largestRecordOfTopic(Admin admin, String topic, int timeoutMillis)
            throws InterruptedException {
        try {
            Config config =
                    admin.describeConfigs(
                                    List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)),
                                    new DescribeConfigsOptions().timeoutMs(timeoutMillis))
                            .all()
                            .get()
                            .values()
                            .iterator()
                            .next();
            ConfigEntry entry = config.get(MAX_MESSAGE_BYTES);
            return entry == null ? OptionalInt.empty() : parse(entry.value());
        } catch (ExecutionException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The smallest {@code message.max.bytes} of the brokers, any of which may create the topic,
     * unless none of them tells it.
     */
    private static OptionalInt largestRecordOfNewTopics(Admin admin, int timeoutMillis)
            throws InterruptedException {
        try {
            return BrokerConfigs.valuesOnEveryBroker(admin, BROKER_MESSAGE_MAX_BYTES, timeoutMillis)
                    .stream()
                    .map(WrittenTopicsCheck::parse)
                    .filter(OptionalInt::isPresent)
                    .mapToInt(OptionalInt::getAsInt)
                    .min();
        } catch (ExecutionException e) {
            return OptionalInt.empty();
        }
    }

    private static OptionalInt parse(String value) {
        try {
            return value == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(value));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Whether Kafka says that it has no topic {@code topic}; any other answer (the topic, or an
     * error such as describing it not allowed) is not a no.
     */
    private static boolean missing(Admin admin, String topic, int timeoutMillis) {
        try {
            admin.describeTopics(
                            List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMillis))
                    .allTopicNames()
                    .get();
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof UnknownTopicOrPartitionException;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCheckException("Interrupted while looking for topic " + topic, e);
        }
    }

    /**
     * Whether every broker says it creates no topic on first use: any of them may be the one the
     * sink's producer asks, so only all of them saying no is a no; no answer is not a no.
     */
    private static boolean allBrokersRefuseToCreate(Admin admin, int timeoutMillis)
            throws InterruptedException {
        try {
            List<String> values =
                    BrokerConfigs.valuesOnEveryBroker(admin, AUTO_CREATE, timeoutMillis);
            return !values.isEmpty() && values.stream().allMatch("false"::equalsIgnoreCase);
        } catch (ExecutionException e) {
            return false;
        }
    }
}
