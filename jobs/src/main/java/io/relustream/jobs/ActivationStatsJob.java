package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.formats.ActivationAlertKafkaSerializer;
import io.relustream.formats.ActivationStatsKafkaSerializer;
import io.relustream.formats.ActivationVectorKafkaSerializer;
import io.relustream.formats.AvroKafkaSerializer;
import io.relustream.formats.AvroRecordDecoder;
import io.relustream.formats.DeadLetterKafkaSerializer;
import io.relustream.formats.FeatureVectorKafkaDeserializer;
import io.relustream.formats.SourcedFeatureVector;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.InvalidOptionsException;
import io.relustream.jobs.options.JobOptions;
import io.relustream.jobs.options.KafkaProperties;
import io.relustream.jobs.options.StartingOffsets;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import org.apache.avro.specific.SpecificRecordBase;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The activation statistics job: reads {@code FeatureVector}s from Kafka, writes their activations,
 * per-window statistics, alerts and dead letters back to Kafka.
 *
 * <pre>{@code
 * flink run relu-stream-jobs.jar --bootstrap-servers kafka:9092 --activation relu6 --window 1m
 * }</pre>
 *
 * <p>{@code --help} lists every option. Invalid options exit with status 2 before anything starts,
 * naming the option, the value and what is allowed; so does an input topic that Kafka does not
 * have. Brokers that do not answer within {@code --connect-timeout} exit with status 1.
 */
public final class ActivationStatsJob {

    /** The sinks' producer {@code batch.size} unless {@code --kafka.batch.size} says otherwise. */
    static final int PRODUCER_BATCH_SIZE_BYTES = JobOptions.PRODUCER_BATCH_SIZE;

    /**
     * How often partitions are checked for idleness when watermarks follow every record ({@code
     * --watermark-interval 0s}): Flink's default watermark interval.
     */
    static final Duration IDLENESS_CHECK_INTERVAL = Duration.ofMillis(200);

    private ActivationStatsJob() {}

    public static void main(String[] args) throws Exception {
        int status = JobOptions.run(args, ActivationStatsJob::runOrThrow, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    private static Integer runOrThrow(JobOptions options) {
        try {
            run(options);
            return 0;
        } catch (InvalidOptionsException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (KafkaCheckException e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("The activation statistics job failed", e);
        }
    }

    /**
     * Builds the job on Kafka and runs it until it ends (with {@code --bounded}) or fails.
     *
     * @throws InvalidOptionsException when Kafka has no topic {@code --input-topic}, or, on brokers
     *     that do not create topics on first use, one of the topics the job writes
     * @throws KafkaCheckException when Kafka does not answer within {@code --connect-timeout}
     */
    public static JobExecutionResult run(JobOptions options) throws Exception {
        return run(options, ActivationStatsPipeline.StageTaps.none());
    }

    /** {@link #run(JobOptions)} with taps between the stages. */
    public static JobExecutionResult run(JobOptions options, ActivationStatsPipeline.StageTaps taps)
            throws Exception {
        // One --connect-timeout for all the topics.
        Duration timeout = options.connectTimeout();
        long deadline = Durations.deadlineNanos(timeout);
        checkInputTopic(options);
        Map<String, String> written = new LinkedHashMap<>();
        written.put("--output-topic", options.outputTopic());
        written.put("--stats-topic", options.statsTopic());
        written.put("--alerts-topic", options.alertsTopic());
        written.put("--dlq-topic", options.dlqTopic());
        written.put("--late-topic", options.lateTopic());
        WrittenTopicsCheck.check(
                options.bootstrapServers(),
                written,
                options.kafkaProperties(),
                options.maxRequestSize(),
                timeout,
                deadline);
        // Activations and late records carry their input's event time.
        Map<String, String> stampedWithEventTime = new LinkedHashMap<>();
        stampedWithEventTime.put("--output-topic", options.outputTopic());
        stampedWithEventTime.put("--late-topic", options.lateTopic());
        WrittenTopicsCheck.checkEventTimeSkew(
                options.bootstrapServers(),
                stampedWithEventTime,
                options.kafkaProperties(),
                options.maxEventTimeSkew(),
                timeout);
        checkTransactionTimeout(options);
        StreamExecutionEnvironment env = environment(options);
        ActivationStatsPipeline.build(
                env, options, kafkaSource(options), kafkaOutputs(options), taps);
        return env.execute(options.jobName());
    }

    /**
     * Asks Kafka for the input topic, with the source's own client properties (security above all):
     * Flink's Kafka source fails on a topic that does not exist, and the job would restart into
     * that failure for ever, with {@code --bounded} too. A topic that is missing is looked for
     * again until {@code --connect-timeout} has passed, so a job started just before its producer
     * creates the topic still starts. Runs where the job is started: on the JobManager in
     * application mode, on the {@code flink run} machine otherwise, which is why {@code
     * --connect-timeout 0s} leaves it out.
     *
     * @throws InvalidOptionsException when Kafka still has no such topic at the timeout
     * @throws KafkaCheckException when Kafka does not answer within {@code --connect-timeout}, or
     *     refuses the request
     */
    static void checkInputTopic(JobOptions options) {
        checkInputTopic(options, () -> {});
    }

    /**
     * {@link #checkInputTopic(JobOptions)}, running {@code whileMissing} once, when Kafka first
     * says the topic does not exist.
     */
    static void checkInputTopic(JobOptions options, Runnable whileMissing) {
        checkInputTopic(
                options.bootstrapServers(),
                options.inputTopic(),
                options.kafkaProperties(),
                options.connectTimeout(),
                whileMissing);
    }

    /**
     * {@link #checkInputTopic(JobOptions)} for any job that reads {@code inputTopic} (its {@code
     * --input-topic}) from Kafka, e.g. the SQL job.
     *
     * @param kafkaProperties the {@code --kafka.} properties of its clients
     * @param timeout its {@code --connect-timeout}; zero leaves the check out
     */
    public static void checkInputTopic(
            String bootstrapServers,
            String inputTopic,
            Map<String, String> kafkaProperties,
            Duration timeout,
            Runnable whileMissing) {
        if (timeout.isZero()) {
            return;
        }
        long deadline = Durations.deadlineNanos(timeout);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<String, Object> config = new HashMap<>(kafkaProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Both, or the admin client refuses an API timeout below the request timeout.
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
        String servers = "--bootstrap-servers '" + bootstrapServers + "'";
        String topic = "--input-topic '" + inputTopic + "'";
        try (Admin admin = Admin.create(config)) {
            boolean toldMissing = false;
            while (true) {
                try {
                    admin.describeTopics(
                                    List.of(inputTopic),
                                    new DescribeTopicsOptions().timeoutMs(timeoutMillis))
                            .allTopicNames()
                            .get();
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new InvalidOptionsException(
                                "Invalid value for option '--input-topic': '"
                                        + inputTopic
                                        + "' is not a topic of the Kafka cluster at "
                                        + servers
                                        + " (looked for during "
                                        + Durations.format(timeout)
                                        + ", --connect-timeout); create it first, or name the"
                                        + " topic the features are in",
                                e.getCause());
                    }
                    if (!toldMissing) {
                        toldMissing = true;
                        System.err.println(
                                "Kafka has no topic "
                                        + topic
                                        + " yet; looking for it again until --connect-timeout "
                                        + Durations.format(timeout)
                                        + " has passed");
                        whileMissing.run();
                    }
                    Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 500));
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) {
                throw new KafkaCheckException(
                        "Could not reach Kafka at "
                                + servers
                                + " within "
                                + Durations.format(timeout)
                                + " to find "
                                + topic
                                + " ("
                                + cause.getMessage()
                                + "); check the option and that the brokers are up, or raise"
                                + " --connect-timeout (0s leaves the check to the cluster)",
                        cause);
            }
            throw new KafkaCheckException(
                    "Kafka at "
                            + servers
                            + " did not describe "
                            + topic
                            + ": "
                            + cause
                            + " (--connect-timeout 0s leaves the check to the cluster)",
                    cause);
        } catch (KafkaException e) {
            // Creating the client: no address of the list resolves, or a file of the security
            // settings is only on the cluster.
            throw new KafkaCheckException(
                    "Could not connect to Kafka at "
                            + servers
                            + " to find "
                            + topic
                            + ": "
                            + KafkaProperties.whyNoClient(e)
                            + " (--connect-timeout 0s leaves the check to the cluster)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCheckException("Interrupted while looking for " + topic, e);
        }
    }

    /**
     * With exactly-once, asks the brokers for their cap on transaction timeouts ({@code
     * transaction.max.timeout.ms}): they refuse a producer that asks for more, the sinks' producers
     * fail as they start, and the job would restart into that failure for ever. Brokers that do not
     * say (describing their configs not allowed, say) leave it to the cluster, as {@code
     * --connect-timeout 0s} does; {@link #checkInputTopic(JobOptions)} has found them reachable.
     *
     * @throws InvalidOptionsException when the transaction timeout is above a broker's cap
     */
    static void checkTransactionTimeout(JobOptions options) {
        if (options.deliveryGuarantee() != io.relustream.jobs.options.DeliveryGuarantee.EXACTLY_ONCE
                || options.connectTimeout().isZero()) {
            return;
        }
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
        Map<String, Object> config = new HashMap<>(options.kafkaProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
        String cap = "transaction.max.timeout.ms";
        OptionalLong lowestCap;
        try (Admin admin = Admin.create(config)) {
            // A transactional id's coordinator may be any broker: the lowest cap is the one.
            lowestCap =
                    BrokerConfigs.valuesOnEveryBroker(admin, cap, timeoutMillis).stream()
                            .filter(Objects::nonNull)
                            .mapToLong(Long::parseLong)
                            .min();
        } catch (ExecutionException | KafkaException | NumberFormatException e) {
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCheckException("Interrupted while asking Kafka for its " + cap, e);
        }
        long transactionTimeout = options.transactionTimeout().toMillis();
        if (lowestCap.isPresent() && transactionTimeout > lowestCap.getAsLong()) {
            boolean given =
                    options.kafkaProperties()
                            .containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
            throw new InvalidOptionsException(
                    "Invalid value for option '--kafka."
                            + ProducerConfig.TRANSACTION_TIMEOUT_CONFIG
                            + "': '"
                            + transactionTimeout
                            + "'"
                            + (given ? "" : " (the default)")
                            + " is above the "
                            + cap
                            + " ("
                            + lowestCap.getAsLong()
                            + ") of the Kafka cluster at --bootstrap-servers '"
                            + options.bootstrapServers()
                            + "', which refuses every transaction of such a producer; lower it to"
                            + " at most "
                            + lowestCap.getAsLong()
                            + ", or raise the brokers' cap");
        }
    }

    /**
     * An environment configured as the job needs it: no generic (Kryo) types, object reuse, the
     * watermark interval, the parallelism, and checkpoints unless {@code --delivery-guarantee
     * none}.
     */
    public static StreamExecutionEnvironment environment(JobOptions options) {
        return environment(options, new Configuration());
    }

    /**
     * {@link #environment(JobOptions)} on top of {@code base}, e.g. with a metric reporter for a
     * local run.
     */
    public static StreamExecutionEnvironment environment(JobOptions options, Configuration base) {
        Configuration configuration = new Configuration(base);
        // Every record type has an Avro or POJO serializer; a Kryo fallback would be a bug.
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        // No operator keeps a reference to its input, so chained operators may share objects.
        configuration.set(PipelineOptions.OBJECT_REUSE, true);
        // With --watermark-interval 0s the pipeline emits a watermark after every record and none
        // on the periodic calls. Those calls must still run: they are where an idle partition is
        // found, and without them a silent partition would hold event time back for ever.
        configuration.set(
                PipelineOptions.AUTO_WATERMARK_INTERVAL,
                options.watermarkInterval().isZero()
                        ? IDLENESS_CHECK_INTERVAL
                        : options.watermarkInterval());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        options.parallelism().ifPresent(env::setParallelism);
        if (options.deliveryGuarantee() != io.relustream.jobs.options.DeliveryGuarantee.NONE) {
            env.enableCheckpointing(options.checkpointInterval().toMillis());
        }
        return env;
    }

    /**
     * Adds Flink's Prometheus reporter on {@code port} to {@code configuration}: what a Flink
     * cluster's configuration does with {@code metrics.reporter.prom.*}.
     */
    public static Configuration withPrometheus(Configuration configuration, int port) {
        configuration.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        configuration.setString("metrics.reporter.prom.port", String.valueOf(port));
        // Label values as they are: filtered, groups "g-1" and "g.1" would share one series
        // "g_1", and a group would not be named as in the stats and alerts topics.
        configuration.setString("metrics.reporter.prom.filterLabelValueCharacters", "false");
        return configuration;
    }

    /**
     * The Kafka source of the input topic; {@code --bounded} or not also for the partitions a
     * restore hands back with another run's end.
     */
    public static Source<SourcedFeatureVector, KafkaPartitionSplit, KafkaSourceEnumState>
            kafkaSource(JobOptions options) {
        KafkaSourceBuilder<SourcedFeatureVector> builder =
                KafkaSource.<SourcedFeatureVector>builder()
                        .setBootstrapServers(options.bootstrapServers())
                        .setTopics(options.inputTopic())
                        .setGroupId(options.groupId())
                        .setDeserializer(
                                new FeatureVectorKafkaDeserializer(
                                        AvroRecordDecoder.of(FeatureVector.class, options.format())
                                                .withWriterSchemas(
                                                        options.writerSchemas().schemas()),
                                        options.maxEventTimeSkew(),
                                        Clock.systemUTC()))
                        .setProperties(kafkaProperties(options));
        switch (options.startingOffsets()) {
            case LATEST:
                builder.setStartingOffsets(OffsetsInitializer.latest());
                break;
            case COMMITTED:
                builder.setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
                break;
            default:
                builder.setStartingOffsets(OffsetsInitializer.earliest());
        }
        if (options.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        Properties consumer = kafkaProperties(options);
        consumer.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        consumer.setProperty(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
        // What the source's consumer resets an offset out of range to, as Kafka's builder sets it.
        consumer.setProperty(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                options.startingOffsets() == StartingOffsets.LATEST ? "latest" : "earliest");
        return new RestoredSplitBounds<>(builder.build(), options.inputTopic(), consumer);
    }

    /** The Kafka sinks of the five output topics. */
    public static ActivationStatsPipeline.Outputs kafkaOutputs(JobOptions options) {
        WireFormat format = options.format();
        KafkaSink<ActivationVector> activations =
                kafkaSink(
                        options,
                        new ActivationVectorKafkaSerializer(options.outputTopic(), format));
        KafkaSink<ActivationStats> stats =
                kafkaSink(
                        options, new ActivationStatsKafkaSerializer(options.statsTopic(), format));
        KafkaSink<ActivationAlert> alerts =
                kafkaSink(
                        options, new ActivationAlertKafkaSerializer(options.alertsTopic(), format));
        KafkaSink<DeadLetter> deadLetters =
                kafkaSink(options, new DeadLetterKafkaSerializer(options.dlqTopic(), format));
        KafkaSink<ActivationVector> late =
                kafkaSink(
                        options, new ActivationVectorKafkaSerializer(options.lateTopic(), format));
        return new ActivationStatsPipeline.Outputs(activations, stats, alerts, deadLetters, late);
    }

    private static <T extends SpecificRecordBase> KafkaSink<T> kafkaSink(
            JobOptions options, AvroKafkaSerializer<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(options.bootstrapServers())
                .setKafkaProducerConfig(producerProperties(options))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(deliveryGuarantee(options))
                .setTransactionalIdPrefix(
                        options.transactionalIdPrefix() + "-" + serializer.topic())
                .build();
    }

    /**
     * The properties of every sink's producer: the {@code --kafka.} options over the job's own
     * defaults.
     */
    static Properties producerProperties(JobOptions options) {
        Properties properties = new Properties();
        // An activation record carries two double arrays: Kafka's default 16 KiB batch holds about
        // 15 of them at d = 64 (1.1 KB each) and one at d = 2048. In benchmarks/README.md's end to
        // end table a pass-through job writes 1.4x the records/s with 256 KiB batches.
        properties.setProperty(
                ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(PRODUCER_BATCH_SIZE_BYTES));
        properties.putAll(options.kafkaProperties());
        if (deliveryGuarantee(options) == DeliveryGuarantee.EXACTLY_ONCE) {
            // The broker caps transactions at transaction.max.timeout.ms (15 minutes by default);
            // the producer must not ask for more. JobOptions checked it against the checkpoints.
            properties.setProperty(
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                    String.valueOf(options.transactionTimeout().toMillis()));
        }
        return properties;
    }

    private static DeliveryGuarantee deliveryGuarantee(JobOptions options) {
        switch (options.deliveryGuarantee()) {
            case EXACTLY_ONCE:
                return DeliveryGuarantee.EXACTLY_ONCE;
            case AT_LEAST_ONCE:
                return DeliveryGuarantee.AT_LEAST_ONCE;
            default:
                return DeliveryGuarantee.NONE;
        }
    }

    /** The properties of the source's consumer: the {@code --kafka.} options over its defaults. */
    static Properties kafkaProperties(JobOptions options) {
        Properties properties = new Properties();
        // Records of aborted transactions (an exactly-once producer upstream that failed) are not
        // part of the topic for its readers; Kafka's default read_uncommitted would activate them
        // and count them in the windows, and read records before their transaction commits.
        properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.putAll(options.kafkaProperties());
        return properties;
    }
}
