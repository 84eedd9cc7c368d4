package io.relustream.jobs.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka (KRaft, combined broker and controller) running inside this JVM: what the
 * local run and the tests use instead of an installed Kafka. Not part of the job jar.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopics(2, "features");
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    /**
     * The largest record the broker takes: 8 MiB, so that the local run's job can write the
     * activations and statistics of the widest vectors the generator makes (100,000 values).
     */
    public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;

    /**
     * The longest transaction the broker takes ({@code transaction.max.timeout.ms}): Kafka's
     * default, 15 minutes, set here so that the local run can check an exactly-once job's {@code
     * --kafka.transaction.timeout.ms} against it before anything starts.
     */
    public static final long MAX_TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000;

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats and starts the node and waits until it accepts clients (about 3 seconds). */
    public static EmbeddedKafka start() throws Exception {
        return start(Map.of());
    }

    /**
     * {@link #start()} with broker settings of the caller's on top of the node's own, e.g. {@code
     * auto.create.topics.enable=false} as many production clusters have it.
     */
    public static EmbeddedKafka start(Map<String, String> brokerSettings) throws Exception {
        // A directory of our own, deleted by close(): the kit's default one is deleted by a JVM
        // shutdown hook, which on Ctrl-C pulls the logs from under the broker while the local run
        // is still stopping it.
        Path logs = Files.createTempDirectory("relu-stream-kafka-");
        TestKitNodes nodes =
                new TestKitNodes.Builder()
                        .setBaseDirectory(logs)
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build();
        // One node: internal topics must not ask for more replicas than there are brokers, or
        // consumer groups and transactions silently never work.
        KafkaClusterTestKit.Builder builder =
                new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("transaction.state.log.num.partitions", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("message.max.bytes", String.valueOf(MAX_RECORD_BYTES))
                        .setConfigProp(
                                "transaction.max.timeout.ms",
                                String.valueOf(MAX_TRANSACTION_TIMEOUT_MS))
                        // No time-based retention: the job stamps its outputs with their event
                        // times, and records replayed from more than 7 days ago (the default
                        // retention) would be deleted at the first check, 30 s after start.
                        .setConfigProp("log.retention.ms", "-1");
        brokerSettings.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        // Formatting the storage prints its bootstrap metadata on stdout; keep it out of the way.
        PrintStream stdout = System.out;
        System.setOut(
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new EmbeddedKafka(cluster);
    }

    /** The {@code host:port} list clients connect to. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates topics with {@code partitions} partitions each, waiting until they exist. */
    public void createTopics(int partitions, String... topics)
            throws ExecutionException, InterruptedException {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) 1));
        }
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).all().get();
            awaitLeaders(admin, List.of(topics), partitions);
            awaitServed(admin, List.of(topics), partitions);
        }
    }

    /**
     * The broker names a partition's leader in its metadata a moment before it serves the
     * partition: a producer writing then gets NOT_LEADER_OR_FOLLOWER for its first batch, and an
     * idempotent one whose later batches got in first retries that batch out of sequence until its
     * delivery timeout (two minutes). Asking each partition's latest offset, which only the serving
     * leader answers and the admin client retries until it does, waits for that moment.
     */
    private static void awaitServed(Admin admin, List<String> topics, int partitions)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (String topic : topics) {
            for (int partition = 0; partition < partitions; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
        }
        admin.listOffsets(latest).all().get();
    }

    /**
     * The controller has the topics once they are created; the broker, which clients ask, learns of
     * them a moment later, and until then tells a client that asks that they do not exist.
     */
    private static void awaitLeaders(Admin admin, List<String> topics, int partitions)
            throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                Map<String, TopicDescription> described =
                        admin.describeTopics(topics).allTopicNames().get();
                if (described.values().stream()
                        .allMatch(
                                topic ->
                                        topic.partitions().size() == partitions
                                                && topic.partitions().stream()
                                                        .allMatch(p -> p.leader() != null))) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Topics " + topics + " have no leader 60 s after they were created");
            }
            // Bounded by the deadline; the broker usually has them within milliseconds.
            Thread.sleep(20);
        }
    }

    /** Stops the broker (the controller keeps running), as a crash or a rolling restart would. */
    public void stopBroker() {
        cluster.brokers().values().forEach(broker -> broker.shutdown());
    }

    /** Starts the broker again on the same port and waits until it accepts clients. */
    public void startBroker() throws ExecutionException, InterruptedException {
        cluster.brokers().values().forEach(broker -> broker.startup());
        cluster.waitForReadyBrokers();
    }

    /** An admin client of this node; close it after use. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
