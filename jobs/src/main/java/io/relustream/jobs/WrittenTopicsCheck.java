package io.relustream.jobs;

import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.InvalidOptionsException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A job's look at the topics it writes, before it starts: on brokers that do not create topics on
 * first use ({@code auto.create.topics.enable=false}, as in the compose file), Flink's Kafka sink
 * waits a minute for a missing topic at its first record, then fails the job, and again after every
 * restart. A missing topic is looked for again every half second until the deadline of the start's
 * {@code --connect-timeout}, as the input topic is, so that one created just after the job starts
 * is found. Whatever Kafka does not tell (a broker's configuration, say) leaves the topic to the
 * sink, as without the check.
 */
public final class WrittenTopicsCheck {

    private static final String AUTO_CREATE = "auto.create.topics.enable";

    private WrittenTopicsCheck() {}

    /**
     * Fails when Kafka still has no topic of {@code topicsByOption} (option name to topic, in the
     * order to name them) at {@code deadline} (of {@link System#nanoTime}) and none of its brokers
     * creates topics on first use.
     *
     * @param timeout the {@code --connect-timeout} the deadline comes from; zero leaves the check
     *     out
     * @throws InvalidOptionsException naming the option of the first topic still missing
     * @throws KafkaCheckException when interrupted
     */
    public static void check(
            String bootstrapServers,
            Map<String, String> topicsByOption,
            Map<String, String> kafkaProperties,
            Duration timeout,
            long deadline) {
        if (timeout.isZero()) {
            return;
        }
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, Object> config = new HashMap<>(kafkaProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Both, or the admin client refuses an API timeout below the request timeout.
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
        try (Admin admin = Admin.create(config)) {
            Map<String, String> missing = new LinkedHashMap<>();
            topicsByOption.forEach(
                    (option, topic) -> {
                        if (missing(admin, topic, timeoutMillis)) {
                            missing.put(option, topic);
                        }
                    });
            if (missing.isEmpty() || !allBrokersRefuseToCreate(admin, timeoutMillis)) {
                return;
            }
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
        } catch (KafkaException e) {
            // Creating the client: the input's check made one with the same settings just now.
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCheckException("Interrupted while looking for " + topicsByOption, e);
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
