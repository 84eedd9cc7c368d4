package io.relustream.jobs.options;

import io.relustream.activation.Activations;
import io.relustream.formats.FeatureVectorKafkaDeserializer;
import io.relustream.formats.WireFormat;
import io.relustream.operators.InvalidValuePolicy;

import org.apache.avro.Schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class JobOptionsTest {

    private static final String[] SERVERS = {"--bootstrap-servers", "kafka:9092"};

    private static final List<String> TOPIC_OPTIONS =
            List.of(
                    "--input-topic",
                    "--output-topic",
                    "--stats-topic",
                    "--alerts-topic",
                    "--dlq-topic",
                    "--late-topic");

    /** A newer FeatureVector schema, with an optional field the job's schema does not have. */
    private static final String V2_SCHEMA = resourcePath("/evolution/FeatureVector-v2.avsc");

    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"alice\" password=\"s3cr=t ==\";";

    @Test
    void everyOptionHasItsDefault() {
        JobOptions options = JobOptions.parse("--bootstrap-servers", "kafka:9092");

        assertThat(options.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.inputTopic()).isEqualTo("features");
        assertThat(options.outputTopic()).isEqualTo("activations");
        assertThat(options.statsTopic()).isEqualTo("activation-stats");
        assertThat(options.alertsTopic()).isEqualTo("activation-alerts");
        assertThat(options.dlqTopic()).isEqualTo("features-dlq");
        assertThat(options.lateTopic()).isEqualTo("activations-late");
        assertThat(options.groupId()).isEqualTo("relu-stream");
        assertThat(options.jobName()).isEqualTo("relu-stream activation statistics (relu)");
        assertThat(options.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
        assertThat(options.bounded()).isFalse();
        assertThat(options.activation()).isEqualTo(Activations.relu());
        assertThat(options.activation().spec()).isEqualTo("relu");
        assertThat(options.derivatives()).isTrue();
        assertThat(options.invalidValues()).isEqualTo(InvalidValuePolicy.PROPAGATE);
        assertThat(options.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.slide()).isEmpty();
        assertThat(options.outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.idleness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.watermarkInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(options.maxEventTimeSkew())
                .isEqualTo(Duration.ofMinutes(5))
                .isEqualTo(FeatureVectorKafkaDeserializer.DEFAULT_MAX_EVENT_TIME_SKEW);
        assertThat(options.writerSchemas()).isEqualTo(WriterSchemas.none());
        assertThat(options.writerSchemas().isEmpty()).isTrue();
        assertThat(options.writerSchemas().schemas()).isEmpty();
        assertThat(options.allowedLateness()).isEqualTo(Duration.ZERO);
        assertThat(options.deadThreshold()).isEqualTo(1.0);
        assertThat(options.deadWindows()).isEqualTo(3);
        assertThat(options.sparsityLimit()).isEmpty();
        assertThat(options.groupMetricsLimit()).isEqualTo(100);
        assertThat(options.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.transactionalIdPrefix()).isEqualTo("relu-stream");
        assertThat(options.transactionTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(options.format()).isEqualTo(WireFormat.AVRO_SINGLE_OBJECT);
        assertThat(options.parallelism()).isEqualTo(OptionalInt.empty());
        assertThat(options.kafkaProperties()).isEmpty();
        assertThat(options.helpRequested()).isFalse();
    }

    @Test
    void theTransactionalIdPrefixDefaultsToTheGroupId() {
        // Two exactly-once jobs writing one topic under one prefix share transactional ids.
        assertThat(JobOptions.parse("--bootstrap-servers", "kafka:9092", "--group-id", "stats-10s"))
                .extracting(JobOptions::groupId, JobOptions::transactionalIdPrefix)
                .containsExactly("stats-10s", "stats-10s");
        assertThat(
                        JobOptions.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--group-id",
                                        "stats-10s",
                                        "--delivery-guarantee=exactly-once",
                                        "--transactional-id-prefix",
                                        "prod")
                                .transactionalIdPrefix())
                .isEqualTo("prod");
        JobOptions defaulted =
                JobOptions.parse("--bootstrap-servers", "kafka:9092", "--group-id", "stats-1m");
        assertThat(defaulted.transactionalIdPrefix()).isEqualTo(defaulted.groupId());
        assertThat(JobOptions.parse(defaulted.toArgs())).isEqualTo(defaulted);
    }

    @Test
    void everyOptionReadsANonDefaultValue() throws Exception {
        JobOptions options =
                JobOptions.parse(
                        "--bootstrap-servers=kafka-1:9092,kafka-2:9093",
                        "--connect-timeout",
                        "2m",
                        "--input-topic",
                        "features.v2",
                        "--output-topic=activations_v2",
                        "--stats-topic",
                        "stats",
                        "--alerts-topic",
                        "alerts",
                        "--dlq-topic",
                        "dlq",
                        "--late-topic",
                        "late",
                        "--group-id",
                        "analytics",
                        "--job-name",
                        "layer sparsity, eu-west",
                        "--starting-offsets",
                        "committed",
                        "--bounded",
                        "--activation",
                        "leaky_relu(alpha=0.1)",
                        "--no-derivatives",
                        "--invalid-values",
                        "reject",
                        "--window",
                        "1m",
                        "--slide",
                        "15s",
                        "--out-of-orderness",
                        "250ms",
                        "--idleness",
                        "2m",
                        "--watermark-interval",
                        "50ms",
                        "--max-event-time-skew",
                        "30s",
                        "--allowed-lateness",
                        "1h",
                        "--dead-threshold",
                        "0.9",
                        "--dead-windows",
                        "5",
                        "--sparsity-limit",
                        "0.95",
                        "--group-metrics-limit",
                        "7",
                        "--delivery-guarantee",
                        "exactly-once",
                        "--checkpoint-interval",
                        "1500ms",
                        "--transactional-id-prefix",
                        "stats-prod",
                        "--writer-schemas",
                        V2_SCHEMA,
                        "--parallelism",
                        "4",
                        "--kafka.acks=all",
                        "--kafka.transaction.timeout.ms",
                        "600000");

        assertThat(options.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9093");
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.inputTopic()).isEqualTo("features.v2");
        assertThat(options.outputTopic()).isEqualTo("activations_v2");
        assertThat(options.statsTopic()).isEqualTo("stats");
        assertThat(options.alertsTopic()).isEqualTo("alerts");
        assertThat(options.dlqTopic()).isEqualTo("dlq");
        assertThat(options.lateTopic()).isEqualTo("late");
        assertThat(options.groupId()).isEqualTo("analytics");
        assertThat(options.jobName()).isEqualTo("layer sparsity, eu-west");
        assertThat(options.startingOffsets()).isEqualTo(StartingOffsets.COMMITTED);
        assertThat(options.bounded()).isTrue();
        assertThat(options.activation()).isEqualTo(Activations.leakyRelu(0.1));
        assertThat(options.derivatives()).isFalse();
        assertThat(options.invalidValues()).isEqualTo(InvalidValuePolicy.REJECT);
        assertThat(options.window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.slide()).contains(Duration.ofSeconds(15));
        assertThat(options.outOfOrderness()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.idleness()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.watermarkInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(options.maxEventTimeSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.writerSchemas().toString()).isEqualTo(V2_SCHEMA);
        assertThat(options.writerSchemas().schemas())
                .containsExactly(new Schema.Parser().parse(new File(V2_SCHEMA)));
        assertThat(options.allowedLateness()).isEqualTo(Duration.ofHours(1));
        assertThat(options.deadThreshold()).isEqualTo(0.9);
        assertThat(options.deadWindows()).isEqualTo(5);
        assertThat(options.sparsityLimit()).contains(0.95);
        assertThat(options.groupMetricsLimit()).isEqualTo(7);
        assertThat(options.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.transactionalIdPrefix()).isEqualTo("stats-prod");
        assertThat(options.transactionTimeout()).isEqualTo(Duration.ofMinutes(10));
        // --format avro is read on its own (values()): writer schemas need the default format.
        assertThat(options.format()).isEqualTo(WireFormat.AVRO_SINGLE_OBJECT);
        assertThat(options.parallelism()).isEqualTo(OptionalInt.of(4));
        assertThat(options.kafkaProperties())
                .containsExactly(entry("acks", "all"), entry("transaction.timeout.ms", "600000"));
        assertThat(options.helpRequested()).isFalse();
    }

    static Stream<Arguments> values() {
        String longestTopic = "t".repeat(249);
        return Stream.of(
                reads(JobOptions::bootstrapServers, "kafka:1", "--bootstrap-servers", "kafka:1"),
                reads(
                        JobOptions::bootstrapServers,
                        "kafka-1:9092,kafka-2:9093",
                        "--bootstrap-servers",
                        " kafka-1:9092 , kafka-2:9093 "),
                reads(
                        JobOptions::bootstrapServers,
                        "[::1]:9092,10.0.0.1:65535",
                        "--bootstrap-servers=[::1]:9092,10.0.0.1:65535"),
                reads(
                        JobOptions::bootstrapServers,
                        "fe80::1:9092,k_1.example-2.com:1",
                        "--bootstrap-servers=fe80::1:9092,k_1.example-2.com:1"),
                withServers(JobOptions::inputTopic, longestTopic, "--input-topic", longestTopic),
                withServers(JobOptions::inputTopic, "a.b_c-D9", "--input-topic=a.b_c-D9"),
                withServers(JobOptions::outputTopic, "out", "--output-topic", "out"),
                withServers(JobOptions::statsTopic, "stats", "--stats-topic", "stats"),
                withServers(JobOptions::alertsTopic, "alerts", "--alerts-topic", "alerts"),
                withServers(JobOptions::dlqTopic, "dlq", "--dlq-topic", "dlq"),
                withServers(JobOptions::lateTopic, "late", "--late-topic", "late"),
                withServers(JobOptions::groupId, "job 2", "--group-id", "job 2"),
                withServers(JobOptions::groupId, "@prod", "--group-id=@prod"),
                withServers(JobOptions::jobName, "stats (eu)", "--job-name", "stats (eu)"),
                // The default names the activation, as given in any spelling.
                withServers(
                        JobOptions::jobName,
                        "relu-stream activation statistics (leaky_relu(alpha=0.2))",
                        "--activation=Leaky_ReLU( alpha = 0.2 )"),
                withServers(
                        JobOptions::startingOffsets,
                        StartingOffsets.LATEST,
                        "--starting-offsets",
                        "latest"),
                withServers(
                        JobOptions::startingOffsets,
                        StartingOffsets.COMMITTED,
                        "--starting-offsets=COMMITTED"),
                withServers(
                        JobOptions::startingOffsets,
                        StartingOffsets.EARLIEST,
                        "--starting-offsets",
                        "earliest"),
                withServers(JobOptions::bounded, true, "--bounded"),
                withServers(JobOptions::bounded, true, "--bounded=true"),
                withServers(JobOptions::bounded, false, "--bounded=false"),
                withServers(JobOptions::activation, Activations.relu6(), "--activation", "relu6"),
                withServers(
                        JobOptions::activation,
                        Activations.rectifier().negativeSlope(0.1).maxValue(6).build(),
                        "--activation=relu(negative_slope=0.1, max_value=6)"),
                withServers(
                        JobOptions::activation,
                        Activations.maxout(2),
                        "--activation",
                        "maxout(k=2)"),
                withServers(JobOptions::derivatives, false, "--no-derivatives"),
                withServers(JobOptions::derivatives, true, "--derivatives"),
                withServers(
                        JobOptions::invalidValues,
                        InvalidValuePolicy.ZERO,
                        "--invalid-values",
                        "zero"),
                withServers(
                        JobOptions::invalidValues,
                        InvalidValuePolicy.FAIL,
                        "--invalid-values=FAIL"),
                withServers(JobOptions::window, Duration.ofMillis(1500), "--window", "1500ms"),
                withServers(JobOptions::window, Duration.ofHours(2), "--window=2h"),
                withServers(JobOptions::slide, Optional.of(Duration.ofSeconds(5)), "--slide", "5s"),
                withServers(
                        JobOptions::slide,
                        Optional.of(Duration.ofMillis(1)),
                        "--window=1s",
                        "--slide=1ms"),
                withServers(JobOptions::outOfOrderness, Duration.ZERO, "--out-of-orderness", "0"),
                withServers(
                        JobOptions::outOfOrderness,
                        Duration.ofSeconds(90),
                        "--out-of-orderness=90s"),
                withServers(JobOptions::idleness, Duration.ofMillis(1), "--idleness", "1ms"),
                withServers(
                        JobOptions::watermarkInterval, Duration.ZERO, "--watermark-interval", "0s"),
                withServers(
                        JobOptions::maxEventTimeSkew,
                        Duration.ofMillis(1),
                        "--max-event-time-skew",
                        "1ms"),
                withServers(
                        JobOptions::maxEventTimeSkew,
                        Duration.ofSeconds(90),
                        "--max-event-time-skew=90s"),
                withServers(
                        JobOptions::maxEventTimeSkew,
                        Duration.ofHours(1),
                        "--max-event-time-skew",
                        "1h"),
                withServers(
                        JobOptions::maxEventTimeSkew,
                        Duration.ofMinutes(5),
                        "--max-event-time-skew=300000ms"),
                withServers(
                        JobOptions::allowedLateness,
                        Duration.ofMinutes(5),
                        "--allowed-lateness",
                        "5m"),
                withServers(JobOptions::deadThreshold, 0.5, "--dead-threshold", "0.5"),
                withServers(JobOptions::deadThreshold, 0.001, "--dead-threshold=1e-3"),
                withServers(JobOptions::deadThreshold, 1.0, "--dead-threshold=1"),
                withServers(JobOptions::deadWindows, 1, "--dead-windows", "1"),
                withServers(
                        JobOptions::deadWindows, Integer.MAX_VALUE, "--dead-windows=2147483647"),
                withServers(JobOptions::sparsityLimit, Optional.of(0.0), "--sparsity-limit", "0"),
                withServers(
                        JobOptions::sparsityLimit, Optional.of(0.999), "--sparsity-limit=0.999"),
                // Zero, as +0.0: the limit goes into every sparsity alert and its message.
                withServers(
                        JobOptions::sparsityLimit, Optional.of(0.0), "--sparsity-limit", "-0.0"),
                withServers(JobOptions::groupMetricsLimit, 0, "--group-metrics-limit", "0"),
                withServers(JobOptions::groupMetricsLimit, 5000, "--group-metrics-limit=5000"),
                withServers(
                        JobOptions::sparsityLimit, Optional.of(0.75), "--sparsity-limit", ".75"),
                withServers(
                        JobOptions::deliveryGuarantee,
                        DeliveryGuarantee.EXACTLY_ONCE,
                        "--delivery-guarantee",
                        "exactly-once"),
                withServers(
                        JobOptions::deliveryGuarantee,
                        DeliveryGuarantee.NONE,
                        "--delivery-guarantee=none"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMinutes(1),
                        "--checkpoint-interval",
                        "1m"),
                withServers(
                        JobOptions::transactionalIdPrefix,
                        "stats-prod",
                        "--delivery-guarantee=exactly-once",
                        "--transactional-id-prefix",
                        "stats-prod"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMinutes(14),
                        "--delivery-guarantee=exactly-once",
                        "--checkpoint-interval=14m"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMillis(899_999),
                        "--delivery-guarantee=exactly-once",
                        "--checkpoint-interval=899999ms"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofSeconds(30),
                        "--delivery-guarantee=exactly-once",
                        "--checkpoint-interval=30s",
                        "--kafka.transaction.timeout.ms=60000"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMillis(59_999),
                        "--delivery-guarantee=exactly-once",
                        "--checkpoint-interval=59999ms",
                        "--kafka.transaction.timeout.ms",
                        "60000"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMinutes(20),
                        "--delivery-guarantee=exactly-once",
                        "--checkpoint-interval=20m",
                        "--kafka.transaction.timeout.ms=1800000"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMinutes(20),
                        "--delivery-guarantee=at-least-once",
                        "--checkpoint-interval=20m"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMinutes(20),
                        "--checkpoint-interval=20m",
                        "--kafka.transaction.timeout.ms=60000"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofHours(1),
                        "--delivery-guarantee=at-least-once",
                        "--checkpoint-interval=1h"),
                withServers(JobOptions::transactionTimeout, Duration.ofMinutes(15)),
                withServers(
                        JobOptions::transactionTimeout,
                        Duration.ofMinutes(15),
                        "--delivery-guarantee=exactly-once"),
                withServers(
                        JobOptions::transactionTimeout,
                        Duration.ofMinutes(1),
                        "--kafka.transaction.timeout.ms=60000"),
                withServers(
                        JobOptions::transactionTimeout,
                        Duration.ofMillis(1),
                        "--kafka.transaction.timeout.ms=1"),
                withServers(
                        JobOptions::transactionTimeout,
                        Duration.ofMillis(3_600_001),
                        "--delivery-guarantee=exactly-once",
                        "--kafka.transaction.timeout.ms",
                        "3600001"),
                // Written as Kafka's producer reads an int property: spaces around it, a '+',
                // leading zeros.
                withServers(
                        JobOptions::transactionTimeout,
                        Duration.ofMinutes(1),
                        "--delivery-guarantee=exactly-once",
                        "--kafka.transaction.timeout.ms= 60000 "),
                withServers(
                        JobOptions::transactionTimeout,
                        Duration.ofMinutes(1),
                        "--delivery-guarantee=exactly-once",
                        "--kafka.transaction.timeout.ms=+60000"),
                withServers(
                        JobOptions::transactionTimeout,
                        Duration.ofMinutes(1),
                        "--delivery-guarantee=exactly-once",
                        "--kafka.transaction.timeout.ms=060000"),
                withServers(JobOptions::format, WireFormat.AVRO, "--format", "avro"),
                withServers(
                        JobOptions::format,
                        WireFormat.AVRO_SINGLE_OBJECT,
                        "--format=avro-single-object"),
                withServers(JobOptions::parallelism, OptionalInt.of(1), "--parallelism", "1"),
                withServers(JobOptions::parallelism, OptionalInt.of(128), "--parallelism=128"),
                withServers(JobOptions::parallelism, OptionalInt.of(32768), "--parallelism=32768"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMillis(10),
                        "--checkpoint-interval=10ms"),
                withServers(
                        JobOptions::checkpointInterval,
                        Duration.ofMillis(Long.MAX_VALUE - 1),
                        "--checkpoint-interval=9223372036854775806ms"),
                // 8,640 windows per record: within the limit of 10,000.
                withServers(
                        JobOptions::slide,
                        Optional.of(Duration.ofSeconds(10)),
                        "--window=24h",
                        "--slide=10s"),
                // Exactly 10,000: the README refuses only "more than 10,000 windows".
                withServers(
                        JobOptions::slide,
                        Optional.of(Duration.ofSeconds(1)),
                        "--window=10000s",
                        "--slide=1s"),
                // Values Kafka accepts; class names pass unchecked (only the cluster loads them).
                withServers(
                        JobOptions::kafkaProperties,
                        Map.of(
                                "security.protocol",
                                "sasl_ssl",
                                "compression.type",
                                "zstd",
                                "partitioner.class",
                                "com.example.CustomPartitioner"),
                        "--kafka.security.protocol=sasl_ssl",
                        "--kafka.compression.type=zstd",
                        "--kafka.partitioner.class=com.example.CustomPartitioner"),
                // Without exactly-once the producers may leave idempotence off.
                withServers(
                        JobOptions::kafkaProperties,
                        Map.of("acks", "1", "retries", "0"),
                        "--kafka.acks=1",
                        "--kafka.retries=0"),
                withServers(
                        JobOptions::kafkaProperties,
                        Map.of("acks", "all"),
                        "--delivery-guarantee=exactly-once",
                        "--kafka.acks=all"),
                // Kafka's defaults: linger.ms 5 + request.timeout.ms 30000 = 30005.
                withServers(
                        JobOptions::kafkaProperties,
                        Map.of("delivery.timeout.ms", "30005"),
                        "--kafka.delivery.timeout.ms=30005"),
                withServers(
                        JobOptions::kafkaProperties,
                        Map.of("partition.discovery.interval.ms", "-1"),
                        "--kafka.partition.discovery.interval.ms=-1"),
                // Config providers fill in values on the cluster, from files only it may have.
                withServers(
                        JobOptions::kafkaProperties,
                        Map.of(
                                "config.providers",
                                "file",
                                "config.providers.file.class",
                                "org.apache.kafka.common.config.provider.FileConfigProvider",
                                "sasl.jaas.config",
                                "${file:/no/such/secrets.properties:jaas}",
                                "acks",
                                "${file:/no/such/secrets.properties:acks}"),
                        "--kafka.config.providers=file",
                        "--kafka.config.providers.file.class="
                                + "org.apache.kafka.common.config.provider.FileConfigProvider",
                        "--kafka.sasl.jaas.config=${file:/no/such/secrets.properties:jaas}",
                        "--kafka.acks=${file:/no/such/secrets.properties:acks}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void readsEachOption(
            String description,
            String[] args,
            Function<JobOptions, Object> getter,
            Object expected) {
        assertThat(getter.apply(JobOptions.parse(args))).isEqualTo(expected);
    }

    static Stream<Arguments> invalidValues() {
        List<Arguments> rows = new ArrayList<>();

        String servers =
                "; use a comma-separated list of host:port with ports 1 to 65535, e.g."
                        + " kafka-1:9092,kafka-2:9092";
        String serversPrefix = "Invalid value for option '--bootstrap-servers': ";
        // Picocli skips the check of --bootstrap-servers for it, yet asks for no help: the job
        // would start without brokers.
        rows.add(
                rejects(
                        "Invalid value for option '--help': 'false' asks for no help; give --help"
                                + " alone, or leave it out",
                        "--help=false"));
        rows.add(
                rejects(
                        "Invalid value for option '--help': 'no' asks for no help; give --help"
                                + " alone, or leave it out",
                        withServers("--help=no")));
        rows.add(rejects(serversPrefix + "'' is empty" + servers, "--bootstrap-servers", ""));
        rows.add(rejects(serversPrefix + "' ' is empty" + servers, "--bootstrap-servers", " "));
        rows.add(
                rejects(
                        serversPrefix + "'kafka' has 'kafka' without a port" + servers,
                        "--bootstrap-servers",
                        "kafka"));
        rows.add(
                rejects(
                        serversPrefix + "'kafka:' has 'kafka:' without a port" + servers,
                        "--bootstrap-servers=kafka:"));
        // The last colon of a bracketed IPv6 address is the address's, not a port's.
        rows.add(
                rejects(
                        serversPrefix + "'[::1]' has '[::1]' without a port" + servers,
                        "--bootstrap-servers=[::1]"));
        rows.add(
                rejects(
                        serversPrefix + "':9092' has ':9092' without a host" + servers,
                        "--bootstrap-servers",
                        ":9092"));
        for (String[] badHost :
                List.of(
                        new String[] {"a b:9092", "a b"},
                        new String[] {"kafka:9092:9093", "kafka:9092"},
                        new String[] {"k;afka:9092", "k;afka"})) {
            rows.add(
                    rejects(
                            serversPrefix
                                    + "'"
                                    + badHost[0]
                                    + "' has '"
                                    + badHost[0]
                                    + "' with host '"
                                    + badHost[1]
                                    + "', which is not a host name or an IP address"
                                    + servers,
                            "--bootstrap-servers",
                            badHost[0]));
        }
        rows.add(
                rejects(
                        serversPrefix + "'kafka:0' has 'kafka:0' with port '0'" + servers,
                        "--bootstrap-servers",
                        "kafka:0"));
        rows.add(
                rejects(
                        serversPrefix
                                + "'kafka:65536' has 'kafka:65536' with port '65536'"
                                + servers,
                        "--bootstrap-servers",
                        "kafka:65536"));
        rows.add(
                rejects(
                        serversPrefix + "'kafka:http' has 'kafka:http' with port 'http'" + servers,
                        "--bootstrap-servers",
                        "kafka:http"));
        rows.add(
                rejects(
                        serversPrefix + "'kafka:-1' has 'kafka:-1' with port '-1'" + servers,
                        "--bootstrap-servers=kafka:-1"));
        rows.add(
                rejects(
                        serversPrefix + "'kafka-1:9092,,kafka-2:9092' has an empty entry" + servers,
                        "--bootstrap-servers",
                        "kafka-1:9092,,kafka-2:9092"));
        rows.add(
                rejects(
                        serversPrefix + "'kafka-1:9092,' has an empty entry" + servers,
                        "--bootstrap-servers",
                        "kafka-1:9092,"));
        rows.add(
                rejects(
                        serversPrefix
                                + "'kafka-1:9092,kafka-2' has 'kafka-2' without a port"
                                + servers,
                        "--bootstrap-servers",
                        "kafka-1:9092,kafka-2"));
        rows.add(
                rejects(
                        "Missing required parameter for option '--bootstrap-servers'"
                                + " (<host:port>[,<host:port>...])",
                        "--bootstrap-servers"));

        String topicRule =
                "' is not a Kafka topic name; use 1 to 249 of the characters a-z, A-Z, 0-9,"
                        + " '.', '_' and '-', other than '.' or '..'";
        for (String option : TOPIC_OPTIONS) {
            for (String topic :
                    List.of(
                            "",
                            "my topic",
                            "topic/1",
                            "topic:1",
                            "tópico",
                            ".",
                            "..",
                            "t".repeat(250))) {
                rows.add(
                        rejects(
                                "Invalid value for option '" + option + "': '" + topic + topicRule,
                                withServers(option, topic)));
            }
        }

        for (String option : List.of("--group-id", "--job-name", "--transactional-id-prefix")) {
            for (String value : List.of("", "  ")) {
                rows.add(
                        rejects(
                                "Invalid value for option '"
                                        + option
                                        + "': '"
                                        + value
                                        + "' must not be blank",
                                withServers(option, value)));
            }
        }

        rows.add(
                rejects(
                        "Invalid value for option '--starting-offsets': 'first' is not one of:"
                                + " earliest, latest, committed",
                        withServers("--starting-offsets", "first")));
        rows.add(
                rejects(
                        "Invalid value for option '--starting-offsets': '' is not one of:"
                                + " earliest, latest, committed",
                        withServers("--starting-offsets=")));

        rows.add(
                rejects(
                        "Invalid value for option '--bounded': 'maybe' is not a boolean; use true"
                                + " or false",
                        withServers("--bounded=maybe")));
        rows.add(
                rejects(
                        "Unexpected argument: 'true'; every argument is an option or an option's"
                                + " value",
                        withServers("--bounded", "true")));
        rows.add(
                rejects(
                        "option '--bounded' should be specified only once",
                        withServers("--bounded", "--bounded")));

        String activations =
                "allowed: relu, leaky_relu, relu6, clipped_relu, thresholded_relu, maxout";
        String activation = "Invalid value for option '--activation': ";
        rows.add(
                rejects(
                        activation + "Unknown activation 'swish' in spec 'swish'; " + activations,
                        withServers("--activation", "swish")));
        rows.add(
                rejects(
                        activation
                                + "Unknown activation 'leaky-relu' in spec 'leaky-relu'; "
                                + activations
                                + "; did you mean 'leaky_relu'? (words are joined by '_', not"
                                + " '-')",
                        withServers("--activation", "leaky-relu")));
        // A no-break space is no space the spec reads around a value, and would not show.
        rows.add(
                rejects(
                        activation
                                + "Invalid activation parameter threshold='1\\u00a0': must be a"
                                + " number (in activation spec 'relu(threshold=1\\u00a0)');"
                                + " \\u00a0 is a no-break space (U+00A0)",
                        withServers("--activation", "relu(threshold=1\u00a0)")));
        rows.add(
                rejects(
                        activation + "Activation spec is empty; " + activations + ", e.g. relu",
                        withServers("--activation", "")));
        rows.add(
                rejects(
                        activation
                                + "Invalid activation parameter alpha=-1: must be a finite number"
                                + " >= 0 (in activation spec 'leaky_relu(alpha=-1)')",
                        withServers("--activation", "leaky_relu(alpha=-1)")));
        rows.add(
                rejects(
                        activation
                                + "Invalid activation parameter k=1: must be an integer >= 2 (in"
                                + " activation spec 'maxout(k=1)')",
                        withServers("--activation=maxout(k=1)")));
        rows.add(
                rejects(
                        activation
                                + "Unknown parameter 'slope' for relu in spec 'relu(slope=1)';"
                                + " allowed: grad_at_threshold, max_value, negative_slope,"
                                + " threshold",
                        withServers("--activation", "relu(slope=1)")));
        rows.add(
                rejects(
                        activation
                                + "Malformed activation spec 'relu(': expected name or"
                                + " name(parameter=number, ...), e.g. relu or"
                                + " leaky_relu(alpha=0.01)",
                        withServers("--activation", "relu(")));

        rows.add(
                rejects(
                        "Invalid value for option '--derivatives': 'maybe' is not a boolean; use"
                                + " true or false",
                        withServers("--derivatives=maybe")));
        rows.add(
                rejects(
                        "option '--derivatives' should be specified only once",
                        withServers("--no-derivatives", "--derivatives")));
        // Picocli alone reads an empty value as false: --derivatives= would turn them off.
        for (String option : List.of("--derivatives", "--no-derivatives", "--bounded")) {
            rows.add(
                    rejects(
                            "Invalid value for option '"
                                    + option
                                    + "': '' is not a boolean; use true or false, or give the"
                                    + " option without a value",
                            withServers(option + "=")));
            // Nor a blank one: picocli reads it as false too (as true for --no-derivatives).
            for (String blank : List.of(" ", "\t")) {
                rows.add(
                        rejects(
                                "Invalid value for option '"
                                        + option
                                        + "': '"
                                        + blank
                                        + "' is not a boolean; use true or false, or give the"
                                        + " option without a value",
                                withServers(option + "=" + blank)));
            }
        }

        rows.add(
                rejects(
                        "Invalid value for option '--invalid-values': 'skip' is not one of:"
                                + " propagate, zero, reject, fail",
                        withServers("--invalid-values", "skip")));

        String notADuration =
                "' is not a duration; use a whole number and a unit: 500ms, 10s, 5m, 2h";
        String tooLong = "' is too long; the longest duration is 9223372036854775807ms";
        for (String option :
                List.of(
                        "--window",
                        "--slide",
                        "--out-of-orderness",
                        "--idleness",
                        "--watermark-interval",
                        "--max-event-time-skew",
                        "--allowed-lateness",
                        "--checkpoint-interval")) {
            String prefix = "Invalid value for option '" + option + "': '";
            for (String value : List.of("10x", "10", "-1s", "1.5s", "10 s", "10S", "", "PT10S")) {
                rows.add(rejects(prefix + value + notADuration, withServers(option, value)));
            }
            rows.add(
                    rejects(
                            prefix + "99999999999999999999h" + tooLong,
                            withServers(option, "99999999999999999999h")));
        }
        for (String option :
                List.of("--window", "--slide", "--idleness", "--max-event-time-skew")) {
            for (String zero : List.of("0", "0s", "0ms")) {
                rows.add(
                        rejects(
                                "Invalid value for option '"
                                        + option
                                        + "': '"
                                        + zero
                                        + "' must be > 0",
                                withServers(option, zero)));
            }
        }
        for (String tooShort : List.of("0", "0s", "0ms", "9ms")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--checkpoint-interval': '"
                                    + tooShort
                                    + "' must be at least 10ms, Flink's shortest checkpoint"
                                    + " interval",
                            withServers("--checkpoint-interval", tooShort)));
        }
        rows.add(
                rejects(
                        "Invalid value for option '--connect-timeout': 'soon' is not a duration;"
                                + " use a whole number and a unit: 500ms, 10s, 5m, 2h",
                        withServers("--connect-timeout", "soon")));
        // Long.MAX_VALUE ms is Flink's "no periodic checkpoints": the coordinator never triggers
        // one, and a --bounded job waits for its final checkpoint for ever.
        rows.add(
                rejects(
                        "Invalid value for option '--checkpoint-interval': '9223372036854775807ms'"
                                + " must be from 10ms to 9223372036854775806ms; Flink takes"
                                + " 9223372036854775807ms for no checkpoints at all",
                        withServers("--checkpoint-interval", "9223372036854775807ms")));
        // However many digits: the limit is Flink's, not the largest int.
        for (String tooMany :
                List.of("32769", "2147483647", "2147483648", "99999999999999999999999")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--parallelism': '"
                                    + tooMany
                                    + "' is too large; Flink allows a parallelism of at most 32768",
                            withServers("--parallelism", tooMany)));
        }
        for (String negative : List.of("-1ms", "-5m", "-0s")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--max-event-time-skew': '"
                                    + negative
                                    + notADuration,
                            withServers("--max-event-time-skew=" + negative)));
        }
        // Further ahead, a record's activation would carry a timestamp the broker refuses by
        // default (message.timestamp.after.max.ms = 1h): the sink would fail for ever.
        for (String tooFar : List.of("3600001ms", "61m", "2h", "24h")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--max-event-time-skew': '"
                                    + tooFar
                                    + "' must be at most 1h: activations carry their record's"
                                    + " event time, and Kafka brokers refuse records stamped more"
                                    + " than message.timestamp.after.max.ms (1h by default) ahead",
                            withServers("--max-event-time-skew", tooFar)));
        }
        rows.add(
                rejects(
                        "Missing required parameter for option '--max-event-time-skew'"
                                + " (<duration>)",
                        withServers("--max-event-time-skew")));
        rows.add(
                rejects(
                        "option '--max-event-time-skew' (<duration>) should be specified only"
                                + " once, got '1m' and '2m'",
                        withServers("--max-event-time-skew=1m", "--max-event-time-skew=2m")));

        rows.add(
                rejects(
                        checkpointTooLong("15m", 900_000),
                        withServers(
                                "--delivery-guarantee", "exactly-once",
                                "--checkpoint-interval", "15m")));
        rows.add(
                rejects(
                        checkpointTooLong("15m", 900_000),
                        withServers(
                                "--delivery-guarantee=exactly-once",
                                "--checkpoint-interval=900000ms")));
        rows.add(
                rejects(
                        checkpointTooLong("20m", 900_000),
                        withServers(
                                "--delivery-guarantee=exactly-once", "--checkpoint-interval=20m")));
        rows.add(
                rejects(
                        checkpointTooLong("1m", 60_000),
                        withServers(
                                "--delivery-guarantee=exactly-once",
                                "--checkpoint-interval=1m",
                                "--kafka.transaction.timeout.ms=60000")));
        rows.add(
                rejects(
                        checkpointTooLong("30s", 30_000),
                        withServers(
                                "--kafka.transaction.timeout.ms",
                                "30000",
                                "--delivery-guarantee=exactly-once")));
        rows.add(
                rejects(
                        checkpointTooLong("20m", 1_000_000),
                        withServers(
                                "--help",
                                "--delivery-guarantee=exactly-once",
                                "--checkpoint-interval=20m",
                                "--kafka.transaction.timeout.ms=1000000")));
        for (String timeout :
                List.of(
                        "abc", "0", "-5", "", "1.5", "60s", "1e6", "0x10", "+0", " 00 ", "++1",
                        "٦٠")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--kafka.transaction.timeout.ms': '"
                                    + timeout
                                    + "' must be a whole number of milliseconds > 0",
                            withServers("--kafka.transaction.timeout.ms=" + timeout)));
        }
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.transaction.timeout.ms': '-5' must be"
                                + " a whole number of milliseconds > 0",
                        withServers(
                                "--delivery-guarantee=exactly-once",
                                "--kafka.transaction.timeout.ms",
                                "-5")));
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.transaction.timeout.ms': 'abc' must be"
                                + " a whole number of milliseconds > 0",
                        withServers(
                                "--delivery-guarantee=none",
                                "--kafka.transaction.timeout.ms=abc")));

        rows.add(
                rejects(
                        "Invalid value for option '--slide': '10s' must be shorter than --window"
                                + " (10s); leave --slide out for tumbling windows",
                        withServers("--slide", "10s")));
        rows.add(
                rejects(
                        "Invalid value for option '--slide': '20s' must be shorter than --window"
                                + " (10s); leave --slide out for tumbling windows",
                        withServers("--slide", "20s")));
        rows.add(
                rejects(
                        "Invalid value for option '--slide': '2m' must be shorter than --window"
                                + " (1m); leave --slide out for tumbling windows",
                        withServers("--slide", "2m", "--window", "60000ms")));
        rows.add(
                rejects(
                        "Invalid value for option '--slide': '3s' does not divide --window"
                                + " (10s); the window must be a multiple of the slide so that"
                                + " windows align",
                        withServers("--slide", "3s")));
        rows.add(
                rejects(
                        "Invalid value for option '--slide': '7000ms' does not divide --window"
                                + " (1m); the window must be a multiple of the slide so that"
                                + " windows align",
                        withServers("--window=1m", "--slide=7000ms")));

        for (String value : List.of("0", "0.0", "1.5", "-0.1", "1.0000001")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--dead-threshold': '"
                                    + value
                                    + "' must be in (0, 1]",
                            withServers("--dead-threshold", value)));
        }
        // Judged as written, not only as the double they read as (1.0, and -0.0 for the limit).
        for (String value : List.of("1.00000000000000000001", "1.0000000000000000000000001e0")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--dead-threshold': '"
                                    + value
                                    + "' must be in (0, 1]",
                            withServers("--dead-threshold", value)));
        }
        // Below 0: that no zero fraction is above 1 is no reason there.
        for (String value : List.of("-1e-400", "-1e-9999999999")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--sparsity-limit': '"
                                    + value
                                    + "' must be in [0, 1)",
                            withServers("--sparsity-limit", value)));
        }
        rows.add(
                rejects(
                        "Invalid value for option '--dead-threshold': '1e-9999999999' reads as"
                                + " 0.0, the nearest double, which is not in (0, 1]",
                        withServers("--dead-threshold", "1e-9999999999")));
        // In the range as written, out of it as the nearest double.
        rows.add(
                rejects(
                        "Invalid value for option '--dead-threshold': '1e-400' reads as 0.0, the"
                                + " nearest double, which is not in (0, 1]",
                        withServers("--dead-threshold", "1e-400")));
        rows.add(
                rejects(
                        "Invalid value for option '--sparsity-limit': '0.99999999999999999999'"
                                + " reads as 1.0, the nearest double, which is not in [0, 1)",
                        withServers("--sparsity-limit", "0.99999999999999999999")));
        for (String value : List.of("abc", "", "NaN", "Infinity", "0x1p-1", "0.5d", "1,0")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--dead-threshold': '"
                                    + value
                                    + "' must be a number in (0, 1]",
                            withServers("--dead-threshold", value)));
        }
        for (String value : List.of("1.01", "1", "1.0", "1e9999999999")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--sparsity-limit': '"
                                    + value
                                    + "' must be in [0, 1): no zero fraction is above 1",
                            withServers("--sparsity-limit", value)));
        }
        for (String value : List.of("-0.1", "-1")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--sparsity-limit': '"
                                    + value
                                    + "' must be in [0, 1)",
                            withServers("--sparsity-limit", value)));
        }
        for (String value : List.of("abc", "", "NaN", "50%")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--sparsity-limit': '"
                                    + value
                                    + "' must be a number in [0, 1)",
                            withServers("--sparsity-limit", value)));
        }

        for (String value : List.of("-1", "abc", "1.5", "", "2e3")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--group-metrics-limit': '"
                                    + value
                                    + "' must be an integer >= 0",
                            withServers("--group-metrics-limit", value)));
        }
        rows.add(
                rejects(
                        "Invalid value for option '--group-metrics-limit': '2147483648' is too"
                                + " large; the largest allowed is 2147483647",
                        withServers("--group-metrics-limit", "2147483648")));

        for (String option : List.of("--dead-windows", "--parallelism")) {
            for (String value : List.of("0", "-1", "abc", "1.5", "", "2e3", "-99999999999")) {
                rows.add(
                        rejects(
                                "Invalid value for option '"
                                        + option
                                        + "': '"
                                        + value
                                        + "' must be an integer >= 1",
                                withServers(option, value)));
            }
        }
        for (String value : List.of("2147483648", "99999999999999999999999")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--dead-windows': '"
                                    + value
                                    + "' is too large; the largest allowed is 2147483647",
                            withServers("--dead-windows", value)));
        }

        rows.add(
                rejects(
                        "Invalid value for option '--delivery-guarantee': 'exactly_once' is not"
                                + " one of: exactly-once, at-least-once, none; did you mean"
                                + " 'exactly-once'? (words are joined by '-', not '_')",
                        withServers("--delivery-guarantee", "exactly_once")));
        rows.add(
                rejects(
                        "Invalid value for option '--format': 'json' is not one of:"
                                + " avro-single-object, avro",
                        withServers("--format", "json")));

        rows.add(
                rejects(
                        "Missing required parameter for option '--window' (<duration>)",
                        withServers("--window")));
        rows.add(
                rejects(
                        "Expected parameter for option '--window' but found '--slide'",
                        withServers("--window", "--slide", "5s")));
        // An option is never the value of the one before it: picocli would take any option it
        // does not know, and quote it, secrets and all, as the value it cannot read.
        rows.add(
                rejects(
                        "Expected parameter for option '--group-id' but found '--ssl-password'",
                        withServers("--group-id", "--ssl-password=secret")));
        rows.add(
                rejects(
                        "Expected parameter for option '--window' but found '--windw'",
                        withServers("--window", "--windw", "1m")));
        // The README: "--window --kafka.sasl.jaas.config=... is a missing value, and the message
        // quotes no --kafka. value".
        rows.add(
                rejects(
                        "Missing required parameter for option '--window' (<duration>)",
                        withServers("--window", "--kafka.sasl.jaas.config=password=\"secret\"")));
        // An option given twice: both values, as typed, whichever form each has.
        rows.add(
                rejects(
                        "option '--window' (<duration>) should be specified only once, got '10s'"
                                + " and '20s'",
                        withServers("--window", "10s", "--window", "20s")));
        rows.add(
                rejects(
                        "option '--window' (<duration>) should be specified only once, got '10s'"
                                + " and '20s'",
                        withServers("--window=10s", "--kafka.acks", "all", "--window", "20s")));
        rows.add(
                rejects(
                        "option '--bootstrap-servers' (<host:port>[,<host:port>...]) should be"
                                + " specified only once, got 'kafka:9092' and 'kafka:9093'",
                        withServers("--bootstrap-servers", "kafka:9093")));
        rows.add(
                rejects(
                        "option '--bounded' should be specified only once, got 'true' and"
                                + " 'false'",
                        withServers("--bounded=true", "--bounded=false")));
        // An occurrence without a value (a flag, or its negated name) has none to show: the
        // values of later ones, which picocli never read, are not the two given.
        rows.add(
                rejects(
                        "option '--derivatives' should be specified only once",
                        withServers("--derivatives", "--derivatives=false", "--derivatives=true")));
        rows.add(
                rejects(
                        "option '--derivatives' should be specified only once",
                        withServers(
                                "--no-derivatives", "--derivatives=false", "--derivatives=true")));

        rows.add(rejects("Unknown option: '--windw'", withServers("--windw")));
        rows.add(rejects("Unknown option: '--windw'", withServers("--windw", "1m")));
        rows.add(rejects("Unknown option: '--windw'", withServers("--windw=1m")));
        rows.add(rejects("Unknown option: '-w'", withServers("-w", "1m")));
        rows.add(rejects("Unknown option: '--kafka'", withServers("--kafka", "acks=all")));
        rows.add(rejects("Unknown option: '--help-me'", withServers("--help-me")));
        rows.add(
                rejects(
                        "Unexpected argument: 'features'; every argument is an option or an"
                                + " option's value",
                        withServers("--kafka.acks=all", "features")));
        rows.add(
                rejects(
                        "Unexpected argument: '--window=1m'; every argument is an option or an"
                                + " option's value",
                        withServers("--", "--window=1m")));

        String kafkaUse =
                "': the Kafka property name is missing; use --kafka.<property>=<value>, e.g."
                        + " --kafka.security.protocol=SASL_SSL";
        rows.add(rejects("Invalid option '--kafka." + kafkaUse, withServers("--kafka.")));
        rows.add(rejects("Invalid option '--kafka." + kafkaUse, withServers("--kafka.=secret")));
        rows.add(rejects("Invalid option '--kafka. " + kafkaUse, withServers("--kafka. =1")));
        // No Kafka property is named so: each would pass as unknown, and Kafka ignore it.
        String notAName =
                "' is not a Kafka property name: it holds a space or an empty part between dots;"
                    + " use --kafka.<property>=<value>, e.g. --kafka.security.protocol=SASL_SSL";
        rows.add(
                rejects(
                        "Invalid option '--kafka.acks ': 'acks " + notAName,
                        withServers("--kafka.acks =1")));
        rows.add(
                rejects(
                        "Invalid option '--kafka. acks': ' acks" + notAName,
                        withServers("--kafka. acks=1")));
        rows.add(
                rejects(
                        "Invalid option '--kafka..acks': '.acks" + notAName,
                        withServers("--kafka..acks=1")));
        rows.add(
                rejects(
                        "Invalid option '--kafka.client..id': 'client..id" + notAName,
                        withServers("--kafka.client..id", "x")));
        rows.add(
                rejects(
                        "Invalid option '--kafka.acks.': 'acks." + notAName,
                        withServers("--kafka.acks.=1")));
        rows.add(
                rejects(
                        "Missing value for option '--kafka.acks'; use --kafka.acks=<value> or"
                                + " --kafka.acks <value>",
                        withServers("--kafka.acks")));
        rows.add(
                rejects(
                        "Missing value for option '--kafka.acks'; use --kafka.acks=<value> or"
                                + " --kafka.acks <value>",
                        withServers("--kafka.acks", "--window", "1m")));
        rows.add(
                rejects(
                        "Option '--kafka.acks' should be specified only once",
                        withServers("--kafka.acks=all", "--window=1m", "--kafka.acks", "1")));
        rows.add(
                rejects(
                        "Invalid option '--kafka.bootstrap.servers': use --bootstrap-servers"
                                + " instead",
                        withServers("--kafka.bootstrap.servers=other:9092")));
        rows.add(
                rejects(
                        "Invalid option '--kafka.group.id': use --group-id instead",
                        withServers("--kafka.group.id", "other")));
        // An at-least-once producer with a transactional id fails every send.
        rows.add(
                rejects(
                        "Invalid option '--kafka.transactional.id': use --transactional-id-prefix"
                                + " instead",
                        withServers("--kafka.transactional.id=relu")));
        for (String serialization :
                List.of(
                        "key.serializer",
                        "value.serializer",
                        "key.deserializer",
                        "value.deserializer")) {
            rows.add(
                    rejects(
                            "Invalid option '--kafka."
                                    + serialization
                                    + "': the job reads and writes Avro bytes itself; --format"
                                    + " chooses their wire format",
                            withServers(
                                    "--kafka." + serialization,
                                    "org.apache.kafka.common.serialization.StringSerializer")));
        }
        // Flink's Kafka source reads these from the same properties, when the job runs.
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.partition.discovery.interval.ms':"
                                + " Invalid value 10s for configuration"
                                + " partition.discovery.interval.ms: Not a number of type LONG",
                        withServers("--kafka.partition.discovery.interval.ms=10s")));
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.commit.offsets.on.checkpoint': Invalid"
                                + " value yes for configuration commit.offsets.on.checkpoint:"
                                + " Expected value to be either true or false",
                        withServers("--kafka.commit.offsets.on.checkpoint=yes")));
        // Properties that are valid alone but that Kafka's clients refuse together.
        String exactlyOnce =
                "Invalid --kafka. options for --delivery-guarantee exactly-once: Kafka"
                        + " transactions need an idempotent producer, which is off with ";
        String idempotentValues =
                "; leave them out, or use enable.idempotence=true, acks=all, retries above 0 and"
                        + " max.in.flight.requests.per.connection at most 5";
        rows.add(
                rejects(
                        exactlyOnce + "--kafka.acks=1" + idempotentValues,
                        withServers("--delivery-guarantee=exactly-once", "--kafka.acks=1")));
        rows.add(
                rejects(
                        exactlyOnce + "--kafka.enable.idempotence=false" + idempotentValues,
                        withServers(
                                "--delivery-guarantee=exactly-once",
                                "--kafka.enable.idempotence=false")));
        rows.add(
                rejects(
                        exactlyOnce + "--kafka.acks=all, --kafka.retries=0" + idempotentValues,
                        withServers(
                                "--kafka.retries=0",
                                "--delivery-guarantee=exactly-once",
                                "--kafka.acks=all")));
        rows.add(
                rejects(
                        "Invalid --kafka. options for the job's Kafka producers: To use the"
                                + " idempotent producer, max.in.flight.requests.per.connection"
                                + " must be set to at most 5. Current value is 6.",
                        withServers("--kafka.max.in.flight.requests.per.connection=6")));
        rows.add(
                rejects(
                        "Invalid --kafka. options for the job's Kafka producers: Must set acks to"
                                + " all in order to use the idempotent producer. Otherwise we"
                                + " cannot guarantee idempotence.",
                        withServers("--kafka.enable.idempotence=true", "--kafka.acks=1")));
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.delivery.timeout.ms': '30004' must be"
                                + " at least linger.ms + request.timeout.ms (30005), or Kafka's"
                                + " producer refuses to start",
                        withServers("--kafka.delivery.timeout.ms=30004")));
        rows.add(
                rejects(
                        "Invalid --kafka. options for the job's Kafka consumer: session.timeout.ms"
                                + " cannot be set when group.protocol=CONSUMER",
                        withServers(
                                "--kafka.group.protocol=consumer",
                                "--kafka.session.timeout.ms=10000")));
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.max.request.size': '65535' must be at"
                                + " least 65536 bytes, so that every dead letter fits in one"
                                + " record",
                        withServers("--kafka.max.request.size=65535")));
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.max.request.size': ' 100' must be at"
                                + " least 65536 bytes, so that every dead letter fits in one"
                                + " record",
                        withServers("--kafka.max.request.size= 100")));
        // The job reads max.request.size itself, on this machine: no provider fills it in.
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.max.request.size': Invalid value"
                                + " ${file:/no/such/secrets.properties:size} for configuration"
                                + " max.request.size: Not a number of type INT",
                        withServers(
                                "--kafka.config.providers=file",
                                "--kafka.config.providers.file.class="
                                    + "org.apache.kafka.common.config.provider.FileConfigProvider",
                                "--kafka.max.request.size=${file:/no/such/secrets.properties:size}")));
        rows.add(
                rejects(
                        "Invalid --kafka. options for the job's Kafka consumer: Group instance id"
                                + " is invalid: 'job 1' contains one or more characters other than"
                                + " ASCII alphanumerics, '.', '_' and '-'",
                        withServers("--kafka.group.instance.id=job 1")));
        // Values Kafka's clients would refuse when the job starts, refused here with their words.
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.acks': Invalid value banana for"
                                + " configuration acks: String must be one of: all, -1, 0, 1",
                        withServers("--kafka.acks=banana")));
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.batch.size': Invalid value abc for"
                                + " configuration batch.size: Not a number of type INT",
                        withServers("--kafka.batch.size", "abc")));
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.security.protocol': Invalid value"
                                + " BOGUS for configuration security.protocol: String must be one"
                                + " of (case insensitive): SASL_SSL, PLAINTEXT, SSL,"
                                + " SASL_PLAINTEXT",
                        withServers("--kafka.security.protocol=BOGUS")));
        rows.add(
                rejects(
                        "Invalid value for option '--kafka.transaction.timeout.ms': Invalid value"
                                + " 9999999999 for configuration transaction.timeout.ms: Not a"
                                + " number of type INT",
                        withServers(
                                "--delivery-guarantee=exactly-once",
                                "--kafka.transaction.timeout.ms=9999999999")));

        String ownTopics = "; the input and every output need topics of their own";
        rows.add(
                rejects(
                        "Invalid value for option '--late-topic': 'x' is also the topic of"
                                + " --output-topic"
                                + ownTopics,
                        withServers("--late-topic", "x", "--output-topic", "x")));
        rows.add(
                rejects(
                        "Invalid value for option '--output-topic': 'features' is also the topic"
                                + " of --input-topic"
                                + ownTopics,
                        withServers("--output-topic", "features")));
        rows.add(
                rejects(
                        "Invalid value for option '--dlq-topic': 'activation-stats' is also the"
                                + " topic of --stats-topic"
                                + ownTopics,
                        withServers("--dlq-topic=activation-stats")));
        rows.add(
                rejects(
                        "Invalid value for option '--stats-topic': 'a_b' collides with 'a.b' of"
                                + " --output-topic (Kafka treats '.' and '_' in topic names"
                                + " alike)"
                                + ownTopics,
                        withServers("--output-topic", "a.b", "--stats-topic", "a_b")));
        for (String internal :
                List.of(
                        "__consumer_offsets",
                        "__transaction_state",
                        "__share_group_state",
                        // KRaft's metadata log: "Creation of internal topic __cluster_metadata is
                        // prohibited."
                        "__cluster_metadata")) {
            rows.add(
                    rejects(
                            "Invalid value for option '--input-topic': '"
                                    + internal
                                    + "' is an internal topic of Kafka; use a topic of your own",
                            withServers("--input-topic", internal)));
        }
        rows.add(
                rejects(
                        "Invalid value for option '--slide': '1s' puts every record in 10,001"
                                + " windows of --window (10001s); at most 10,000 are allowed,"
                                + " since each holds statistics of its own",
                        withServers("--window", "10001s", "--slide", "1s")));
        rows.add(
                rejects(
                        "Invalid value for option '--slide': '1ms' puts every record in 3,600,000"
                                + " windows of --window (1h); at most 10,000 are allowed, since"
                                + " each holds statistics of its own",
                        withServers("--window", "1h", "--slide", "1ms")));

        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void rejectsEveryInvalidValueNamingTheOptionTheValueAndWhatIsAllowed(
            String args, String[] argArray, String message) {
        assertThatThrownBy(() -> JobOptions.parse(argArray))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(message);
    }

    @Test
    void refusesACheckpointIntervalWithNoCheckpoints() {
        // With --delivery-guarantee none the job takes no checkpoints: an interval given with it
        // would be silently unused.
        for (String interval : List.of("30s", "10s", "1m")) {
            assertThatThrownBy(
                            () ->
                                    JobOptions.parse(
                                            withServers(
                                                    "--delivery-guarantee=none",
                                                    "--checkpoint-interval",
                                                    interval)))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid option '--checkpoint-interval': '"
                                    + interval
                                    + "' is not used with --delivery-guarantee none, which takes"
                                    + " no checkpoints; leave it out, or choose at-least-once or"
                                    + " exactly-once");
        }
        JobOptions none = JobOptions.parse(withServers("--delivery-guarantee", "none"));
        assertThat(none.toArgs()).noneMatch(arg -> arg.startsWith("--checkpoint-interval"));
        assertThat(JobOptions.parse(none.toArgs())).isEqualTo(none);
        assertThat(
                        JobOptions.parse(
                                        withServers(
                                                "--checkpoint-interval=10s",
                                                "--delivery-guarantee=at-least-once"))
                                .checkpointInterval())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void refusesATransactionalIdPrefixWithoutTransactions() {
        // Only exactly-once writes through transactions: a prefix given with another guarantee
        // would be silently unused.
        for (String guarantee : List.of("at-least-once", "none")) {
            assertThatThrownBy(
                            () ->
                                    JobOptions.parse(
                                            withServers(
                                                    "--transactional-id-prefix",
                                                    "stats-prod",
                                                    "--delivery-guarantee=" + guarantee)))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid option '--transactional-id-prefix': 'stats-prod' is not used"
                                    + " with --delivery-guarantee "
                                    + guarantee
                                    + ", which writes without transactions; leave it out, or"
                                    + " choose exactly-once");
        }
        JobOptions atLeastOnce = JobOptions.parse(withServers("--group-id", "g"));
        assertThat(atLeastOnce.toArgs())
                .noneMatch(arg -> arg.startsWith("--transactional-id-prefix"));
        assertThat(JobOptions.parse(atLeastOnce.toArgs())).isEqualTo(atLeastOnce);
        assertThat(
                        JobOptions.parse(
                                        withServers(
                                                "--delivery-guarantee=exactly-once",
                                                "--transactional-id-prefix=p"))
                                .toArgs())
                .contains("--transactional-id-prefix=p");
    }

    @Test
    void refusesAnAutoOffsetResetThatFlinksSourceWouldReplace() {
        // Flink's KafkaSourceBuilder overwrites auto.offset.reset with the strategy of the
        // starting offsets (earliest for earliest and committed, latest for latest): a partition
        // of --starting-offsets committed without an offset would start at the earliest record
        // whatever this said.
        String refused =
                "Invalid option '--kafka.auto.offset.reset': use --starting-offsets instead;"
                        + " the job's Kafka source resets to the earliest offset, or to the"
                        + " latest with --starting-offsets latest, whatever this property says";
        for (String startingOffsets : List.of("earliest", "latest", "committed")) {
            for (String reset : List.of("latest", "earliest", "none", "by_duration:PT1H")) {
                assertThatThrownBy(
                                () ->
                                        JobOptions.parse(
                                                withServers(
                                                        "--starting-offsets",
                                                        startingOffsets,
                                                        "--kafka.auto.offset.reset=" + reset)))
                        .isInstanceOf(InvalidOptionsException.class)
                        .hasMessage(refused);
                assertThatThrownBy(
                                () ->
                                        JobOptions.parse(
                                                withServers(
                                                        "--kafka.auto.offset.reset",
                                                        reset,
                                                        "--help",
                                                        "--starting-offsets=" + startingOffsets)))
                        .isInstanceOf(InvalidOptionsException.class)
                        .hasMessage(refused);
            }
        }
        // The command line exits with status 2 before anything starts.
        Output out = new Output();
        Output err = new Output();
        AtomicReference<JobOptions> ran = new AtomicReference<>();
        int status =
                JobOptions.run(
                        withServers(
                                "--starting-offsets",
                                "committed",
                                "--kafka.auto.offset.reset=latest"),
                        options -> {
                            ran.set(options);
                            return 0;
                        },
                        out.stream,
                        err.stream);
        assertThat(status).isEqualTo(2);
        assertThat(ran.get()).isNull();
        assertThat(out.text()).isEmpty();
        assertThat(err.text())
                .isEqualTo(
                        refused
                                + System.lineSeparator()
                                + "Use --help to see every option."
                                + System.lineSeparator());
    }

    @Test
    void refusesAKafkaPropertyNameInAnotherCaseThanKafkasOwn() {
        // Kafka's names are case-sensitive: each of these passed as a property no client knows,
        // and the clients ignored it (acks stayed all, the protocol PLAINTEXT).
        String caseSensitive = "': Kafka property names are case-sensitive, and no client knows '";
        assertThatThrownBy(() -> JobOptions.parse(withServers("--kafka.ACKS=1")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid option '--kafka.ACKS" + caseSensitive + "ACKS'; use --kafka.acks");
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        withServers("--kafka.Security.Protocol", "SASL_SSL")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid option '--kafka.Security.Protocol"
                                + caseSensitive
                                + "Security.Protocol'; use --kafka.security.protocol");
        // Flink's Kafka source reads its own from the same properties.
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        withServers("--kafka.Partition.Discovery.Interval.Ms=100")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid option '--kafka.Partition.Discovery.Interval.Ms"
                                + caseSensitive
                                + "Partition.Discovery.Interval.Ms'; use"
                                + " --kafka.partition.discovery.interval.ms");
        // The properties the job sets itself, in any case: what to use instead.
        assertThatThrownBy(() -> JobOptions.parse(withServers("--kafka.GROUP.ID=other")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage("Invalid option '--kafka.GROUP.ID': use --group-id instead");
        assertThatThrownBy(() -> JobOptions.parse(withServers("--kafka.Bootstrap.Servers=x:1")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid option '--kafka.Bootstrap.Servers': use --bootstrap-servers"
                                + " instead");
        // With --help too, and without the value: it may be a secret.
        Output out = new Output();
        Output err = new Output();
        int status =
                JobOptions.run(
                        withServers("--help", "--kafka.SASL.JAAS.CONFIG=password=secret"),
                        options -> 0,
                        out.stream,
                        err.stream);
        assertThat(status).isEqualTo(2);
        assertThat(out.text()).isEmpty();
        assertThat(err.text())
                .isEqualTo(
                        "Invalid option '--kafka.SASL.JAAS.CONFIG"
                                + caseSensitive
                                + "SASL.JAAS.CONFIG'; use --kafka.sasl.jaas.config"
                                + System.lineSeparator()
                                + "Use --help to see every option."
                                + System.lineSeparator());
        // A name no client knows in any case is a plugin's: it passes, as typed.
        assertThat(JobOptions.parse(withServers("--kafka.My.Plugin.Setting=1")).kafkaProperties())
                .containsExactly(entry("My.Plugin.Setting", "1"));
    }

    @Test
    void refusesTwoPhaseCommitWithExactlyOnceWhoseSinksSetATransactionTimeout() {
        // The job gives every exactly-once producer a transaction.timeout.ms, which Kafka's
        // producer refuses together with two-phase commit: each sink failed as it started, and
        // the job restarted into that failure for ever.
        for (String value : List.of("true", "TRUE", " true")) {
            assertThatThrownBy(
                            () ->
                                    JobOptions.parse(
                                            withServers(
                                                    "--delivery-guarantee",
                                                    "exactly-once",
                                                    "--kafka.transaction.two.phase.commit.enable="
                                                            + value)))
                    .isInstanceOf(InvalidOptionsException.class)
                    .hasMessage(
                            "Invalid value for option"
                                    + " '--kafka.transaction.two.phase.commit.enable': '"
                                    + value
                                    + "' does not go with --delivery-guarantee exactly-once: its"
                                    + " sinks commit their transactions on checkpoints, within the"
                                    + " transaction.timeout.ms the job sets (900000), and Kafka's"
                                    + " producer takes no transaction timeout with two-phase"
                                    + " commit; leave the option out");
        }
        // Both given: Kafka's producer refuses them together, whatever the guarantee.
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        withServers(
                                                "--delivery-guarantee=exactly-once",
                                                "--kafka.transaction.timeout.ms=60000",
                                                "--kafka.transaction.two.phase.commit.enable",
                                                "true")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid --kafka. options for the job's Kafka producers: Cannot set"
                                + " transaction.timeout.ms when transaction.two.phase.commit.enable"
                                + " is set to true. Transactions will not expire with two-phase"
                                + " commit enabled.");
        // Off, or without transactions, the producers start.
        assertThat(
                        JobOptions.parse(
                                        withServers(
                                                "--delivery-guarantee=exactly-once",
                                                "--kafka.transaction.two.phase.commit.enable=false"))
                                .kafkaProperties())
                .containsEntry("transaction.two.phase.commit.enable", "false");
        assertThat(
                        JobOptions.parse(
                                        withServers(
                                                "--kafka.transaction.two.phase.commit.enable=true"))
                                .deliveryGuarantee())
                .isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    }

    @Test
    void requiresTheBootstrapServers() {
        assertThatThrownBy(() -> JobOptions.parse("--window", "1m"))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Missing required option '--bootstrap-servers': give the Kafka brokers as"
                                + " a comma-separated list of host:port, e.g."
                                + " kafka-1:9092,kafka-2:9092");
        assertThatThrownBy(JobOptions::parse)
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Missing required option '--bootstrap-servers': give the Kafka brokers as"
                                + " a comma-separated list of host:port, e.g."
                                + " kafka-1:9092,kafka-2:9092");
    }

    @Test
    void rejectsAnUnknownOption() {
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        "--bootstrap-servers", "kafka:9092", "--windw", "1m"))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage("Unknown option: '--windw'");
    }

    @Test
    void helpNeedsNoBootstrapServers() {
        JobOptions options = JobOptions.parse("--help");

        assertThat(options.helpRequested()).isTrue();
        assertThat(options.bootstrapServers()).isEmpty();
        assertThat(options.window()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void helpStillChecksTheOtherOptions() {
        assertThatThrownBy(() -> JobOptions.parse("--help", "--window", "10x"))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid value for option '--window': '10x' is not a duration; use a whole"
                                + " number and a unit: 500ms, 10s, 5m, 2h");
    }

    @Test
    void helpStillRefusesUnknownOptionsAndStrayArguments() {
        assertThatThrownBy(() -> JobOptions.parse("--help", "--windw", "10s"))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage("Unknown option: '--windw'");
        assertThatThrownBy(() -> JobOptions.parse("--help", "10s"))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Unexpected argument: '10s'; every argument is an option or an option's"
                                + " value");
    }

    static Stream<Arguments> usageEntries() {
        return Stream.of(
                Arguments.of(
                        "--bootstrap-servers",
                        "--bootstrap-servers=<host:port>[,<host:port>...] Kafka brokers to connect"
                                + " to. Required."),
                Arguments.of(
                        "--connect-timeout",
                        "--connect-timeout=<duration> How long to wait at start for Kafka to"
                                + " confirm that --input-topic exists, and the topics the job"
                                + " writes unless the brokers create topics on first use (a"
                                + " missing topic is looked for again until then), and for the"
                                + " brokers' transaction.max.timeout.ms with exactly-once; 0s"
                                + " leaves the checks to the cluster (for a machine that cannot"
                                + " reach Kafka). Default: 30s."),
                Arguments.of(
                        "--input-topic",
                        "--input-topic=<topic> Topic of the FeatureVector records. Default:"
                                + " features."),
                Arguments.of(
                        "--output-topic",
                        "--output-topic=<topic> Topic for the ActivationVector records. Default:"
                                + " activations."),
                Arguments.of(
                        "--stats-topic",
                        "--stats-topic=<topic> Topic for the per-window ActivationStats. Default:"
                                + " activation-stats."),
                Arguments.of(
                        "--alerts-topic",
                        "--alerts-topic=<topic> Topic for the dead-feature and sparsity"
                                + " ActivationAlerts. Default: activation-alerts."),
                Arguments.of(
                        "--dlq-topic",
                        "--dlq-topic=<topic> Topic for the dead letters: records that did not"
                                + " decode or were rejected. Default: features-dlq."),
                Arguments.of(
                        "--late-topic",
                        "--late-topic=<topic> Topic for the records that arrived after one of"
                                + " their windows closed. Default: activations-late."),
                Arguments.of(
                        "--group-id",
                        "--group-id=<id> Kafka consumer group of the input. Default:"
                                + " relu-stream."),
                Arguments.of(
                        "--job-name",
                        "--job-name=<name> Flink job name, the job_name label of its metrics"
                                + " (give jobs of one activation on one cluster names of their"
                                + " own). Default: the activation's, relu-stream activation"
                                + " statistics (<spec>)."),
                Arguments.of(
                        "--starting-offsets",
                        "--starting-offsets=<offsets> Where to start reading: earliest, latest,"
                                + " or committed (the group's offsets; earliest where it has"
                                + " none). Default: earliest."),
                Arguments.of(
                        "--bounded",
                        "--bounded Stop at the offsets that were the latest when the job"
                                + " started; records of a transaction still open then are waited"
                                + " for (it reads committed records only). Default: false."),
                Arguments.of(
                        "--activation",
                        "--activation=<spec> The activation: relu, leaky_relu(alpha=0.01), relu6,"
                                + " clipped_relu(max=4), thresholded_relu(theta=1.0),"
                                + " relu(negative_slope=0.1, max_value=6, threshold=0.5,"
                                + " grad_at_threshold=1) or maxout(k=2). Default: relu."),
                Arguments.of(
                        "--[no-]derivatives",
                        "--[no-]derivatives Write each activation's derivatives with its values."
                                + " Default: true."),
                Arguments.of(
                        "--invalid-values",
                        "--invalid-values=<policy> What to do with records holding NaN or an"
                                + " infinity: propagate (the math), zero (NaN results become 0;"
                                + " infinities follow the math), reject (to the dead-letter"
                                + " topic) or fail (the job). Default: propagate."),
                Arguments.of(
                        "--window",
                        "--window=<duration> Length of the statistics windows, more than 0s, e.g."
                                + " 500ms, 10s, 5m, 2h. Default: 10s."),
                Arguments.of(
                        "--slide",
                        "--slide=<duration> Slide of sliding windows, more than 0s: shorter than"
                                + " the window, which must be a multiple of it, at most 10000"
                                + " times (the windows each record is in). Default: none"
                                + " (tumbling windows)."),
                Arguments.of(
                        "--out-of-orderness",
                        "--out-of-orderness=<duration> How far behind the newest event time a"
                                + " record may be and still be on time. Default: 5s."),
                Arguments.of(
                        "--idleness",
                        "--idleness=<duration> After this long without records a partition stops"
                                + " holding back event time; more than 0s. Default: 30s."),
                Arguments.of(
                        "--watermark-interval",
                        "--watermark-interval=<duration> How often event time moves on; 0s moves"
                                + " it after every record, for exact replays. Default: 200ms."),
                Arguments.of(
                        "--max-event-time-skew",
                        "--max-event-time-skew=<duration> Records whose event time is further ahead"
                            + " of the clock go to the dead-letter topic; more than 0s and at most"
                            + " 1h, what Kafka brokers accept by default. Default: 5m."),
                Arguments.of(
                        "--allowed-lateness",
                        "--allowed-lateness=<duration> How long a window still takes late"
                                + " records; later ones go to the late topic. Default: 0s."),
                Arguments.of(
                        "--dead-threshold",
                        "--dead-threshold=<share> A feature is dead in a window when at least"
                                + " this share of its activations is zero; in (0, 1]. Default:"
                                + " 1.0."),
                Arguments.of(
                        "--dead-windows",
                        "--dead-windows=<count> Consecutive windows a feature must be dead in"
                                + " before it is reported, at least 1. Default: 3."),
                Arguments.of(
                        "--sparsity-limit",
                        "--sparsity-limit=<share> Alert when a window's share of zero activations"
                                + " passes this; in [0, 1). Default: none (no sparsity alerts)."),
                Arguments.of(
                        "--group-metrics-limit",
                        "--group-metrics-limit=<count> How many groups get metrics of their own in"
                                + " each parallel instance of an operator, at least 0; further"
                                + " groups share the group \"_other\". Default: 100."),
                Arguments.of(
                        "--delivery-guarantee",
                        "--delivery-guarantee=<guarantee> exactly-once (Kafka transactions"
                                + " committed on checkpoints), at-least-once or none (no"
                                + " checkpoints). Default: at-least-once."),
                Arguments.of(
                        "--checkpoint-interval",
                        "--checkpoint-interval=<duration> Time between Flink checkpoints, at"
                                + " least 10ms; with exactly-once, output becomes visible at this"
                                + " pace, and it must be shorter than"
                                + " --kafka.transaction.timeout.ms (15m unless given); refused"
                                + " with none, which takes no checkpoints. Default: 30s."),
                Arguments.of(
                        "--transactional-id-prefix",
                        "--transactional-id-prefix=<prefix> Prefix of the Kafka transactional ids"
                                + " of exactly-once (refused with the other guarantees); unique"
                                + " per job on a cluster (exactly-once"
                                + " jobs writing one topic under one prefix fence each other)."
                                + " Default: the --group-id."),
                Arguments.of(
                        "--writer-schemas",
                        "--writer-schemas=<path>[,<path>...] Newer FeatureVector schemas (.avsc"
                                + " files or folders) that producers may write with, of any"
                                + " namespace; each must be readable by the job's schema. Only"
                                + " with --format avro-single-object, whose records name their"
                                + " writer schema. Default: none."),
                Arguments.of(
                        "--format",
                        "--format=<format> Wire format of every topic: avro-single-object or"
                                + " avro. Default: avro-single-object."),
                Arguments.of(
                        "--parallelism",
                        "--parallelism=<count> Parallelism of every operator, 1 to 32768."
                                + " Default: none (the cluster's default)."),
                Arguments.of("-h, --help", "-h, --help Print this help and exit."),
                Arguments.of(
                        "--kafka.<property>",
                        "--kafka.<property>=<value>, --kafka.<property> <value> Passed to every"
                                + " Kafka client of the job, e.g."
                                + " --kafka.security.protocol=SASL_SSL. Repeatable; each property"
                                + " at most once. The output producers default to"
                                + " batch.size=262144, and with exactly-once to"
                                + " transaction.timeout.ms=900000 (15m)."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("usageEntries")
    void usageListsEveryOptionWithItsDefault(String option, String entry) {
        // Compared without whitespace: picocli wraps descriptions wherever the width ends.
        assertThat(usageEntries(JobOptions.usage()))
                .filteredOn(text -> text.startsWith(option))
                .singleElement()
                .satisfies(
                        text ->
                                assertThat(text.replaceAll("\\s", ""))
                                        .isEqualTo(entry.replaceAll("\\s", "")));
    }

    @Test
    void usageListsNothingElse() {
        assertThat(usageEntries(JobOptions.usage()))
                .hasSize(34)
                .hasSameSizeAs(usageEntries().collect(Collectors.toList()));
    }

    @Test
    void usageIsTheWholeHelpText() {
        assertThat(JobOptions.usage().replace(System.lineSeparator(), "\n"))
                .isEqualTo(
                        String.join(
                                "\n",
                                "Usage: flink run relu-stream-jobs.jar"
                                        + " --bootstrap-servers=<host:port>[,<host:port>...]",
                                "           [OPTION...] [--kafka.<property>=<value>...]",
                                "",
                                "Reads FeatureVector records from Kafka, applies a ReLU-family"
                                        + " activation and writes the",
                                "activations, per-window activation statistics, dead-feature"
                                        + " alerts, dead letters and late records",
                                "back to Kafka.",
                                "",
                                "Options:",
                                "      --bootstrap-servers=<host:port>[,<host:port>...]",
                                "                             Kafka brokers to connect to."
                                        + " Required.",
                                "      --connect-timeout=<duration>",
                                "                             How long to wait at start for Kafka"
                                        + " to confirm that --input-topic",
                                "                               exists, and the topics the job"
                                        + " writes unless the brokers create",
                                "                               topics on first use (a missing"
                                        + " topic is looked for again until",
                                "                               then), and for the brokers'"
                                        + " transaction.max.timeout.ms with",
                                "                               exactly-once; 0s leaves the checks"
                                        + " to the cluster (for a machine",
                                "                               that cannot reach Kafka). Default:"
                                        + " 30s.",
                                "      --input-topic=<topic>  Topic of the FeatureVector records."
                                        + " Default: features.",
                                "      --output-topic=<topic> Topic for the ActivationVector"
                                        + " records. Default: activations.",
                                "      --stats-topic=<topic>  Topic for the per-window"
                                        + " ActivationStats. Default: activation-stats.",
                                "      --alerts-topic=<topic> Topic for the dead-feature and"
                                        + " sparsity ActivationAlerts. Default:",
                                "                               activation-alerts.",
                                "      --dlq-topic=<topic>    Topic for the dead letters: records"
                                        + " that did not decode or were",
                                "                               rejected. Default: features-dlq.",
                                "      --late-topic=<topic>   Topic for the records that arrived"
                                        + " after one of their windows closed.",
                                "                               Default: activations-late.",
                                "      --group-id=<id>        Kafka consumer group of the input."
                                        + " Default: relu-stream.",
                                "      --job-name=<name>      Flink job name, the job_name label of"
                                        + " its metrics (give jobs of one",
                                "                               activation on one cluster names of"
                                        + " their own). Default: the",
                                "                               activation's, relu-stream"
                                        + " activation statistics (<spec>).",
                                "      --starting-offsets=<offsets>",
                                "                             Where to start reading: earliest,"
                                        + " latest, or committed (the group's",
                                "                               offsets; earliest where it has"
                                        + " none). Default: earliest.",
                                "      --bounded              Stop at the offsets that were the"
                                        + " latest when the job started; records",
                                "                               of a transaction still open then"
                                        + " are waited for (it reads committed",
                                "                               records only). Default: false.",
                                "      --activation=<spec>    The activation: relu,"
                                        + " leaky_relu(alpha=0.01), relu6, clipped_relu",
                                "                               (max=4),"
                                        + " thresholded_relu(theta=1.0), relu(negative_slope=0.1,",
                                "                               max_value=6, threshold=0.5,"
                                        + " grad_at_threshold=1) or maxout(k=2).",
                                "                               Default: relu.",
                                "      --[no-]derivatives     Write each activation's derivatives"
                                        + " with its values. Default: true.",
                                "      --invalid-values=<policy>",
                                "                             What to do with records holding NaN"
                                        + " or an infinity: propagate (the",
                                "                               math), zero (NaN results become 0;"
                                        + " infinities follow the math),",
                                "                               reject (to the dead-letter topic)"
                                        + " or fail (the job). Default:",
                                "                               propagate.",
                                "      --window=<duration>    Length of the statistics windows,"
                                        + " more than 0s, e.g. 500ms, 10s, 5m,",
                                "                               2h. Default: 10s.",
                                "      --slide=<duration>     Slide of sliding windows, more than"
                                        + " 0s: shorter than the window, which",
                                "                               must be a multiple of it, at most"
                                        + " 10000 times (the windows each",
                                "                               record is in). Default: none"
                                        + " (tumbling windows).",
                                "      --out-of-orderness=<duration>",
                                "                             How far behind the newest event time"
                                        + " a record may be and still be on",
                                "                               time. Default: 5s.",
                                "      --idleness=<duration>  After this long without records a"
                                        + " partition stops holding back event",
                                "                               time; more than 0s. Default: 30s.",
                                "      --watermark-interval=<duration>",
                                "                             How often event time moves on; 0s"
                                        + " moves it after every record, for",
                                "                               exact replays. Default: 200ms.",
                                "      --max-event-time-skew=<duration>",
                                "                             Records whose event time is further"
                                        + " ahead of the clock go to the",
                                "                               dead-letter topic; more than 0s and"
                                        + " at most 1h, what Kafka brokers",
                                "                               accept by default. Default: 5m.",
                                "      --allowed-lateness=<duration>",
                                "                             How long a window still takes late"
                                        + " records; later ones go to the late",
                                "                               topic. Default: 0s.",
                                "      --dead-threshold=<share>",
                                "                             A feature is dead in a window when at"
                                        + " least this share of its",
                                "                               activations is zero; in (0, 1]."
                                        + " Default: 1.0.",
                                "      --dead-windows=<count> Consecutive windows a feature must be"
                                        + " dead in before it is reported,",
                                "                               at least 1. Default: 3.",
                                "      --sparsity-limit=<share>",
                                "                             Alert when a window's share of zero"
                                        + " activations passes this; in [0,",
                                "                               1). Default: none (no sparsity"
                                        + " alerts).",
                                "      --group-metrics-limit=<count>",
                                "                             How many groups get metrics of their"
                                        + " own in each parallel instance of",
                                "                               an operator, at least 0; further"
                                        + " groups share the group \"_other\".",
                                "                               Default: 100.",
                                "      --delivery-guarantee=<guarantee>",
                                "                             exactly-once (Kafka transactions"
                                        + " committed on checkpoints),",
                                "                               at-least-once or none (no"
                                        + " checkpoints). Default: at-least-once.",
                                "      --checkpoint-interval=<duration>",
                                "                             Time between Flink checkpoints, at"
                                        + " least 10ms; with exactly-once,",
                                "                               output becomes visible at this"
                                        + " pace, and it must be shorter than",
                                "                               --kafka.transaction.timeout.ms (15m"
                                        + " unless given); refused with",
                                "                               none, which takes no checkpoints."
                                        + " Default: 30s.",
                                "      --transactional-id-prefix=<prefix>",
                                "                             Prefix of the Kafka transactional ids"
                                        + " of exactly-once (refused with",
                                "                               the other guarantees); unique per"
                                        + " job on a cluster (exactly-once",
                                "                               jobs writing one topic under one"
                                        + " prefix fence each other). Default:",
                                "                               the --group-id.",
                                "      --writer-schemas=<path>[,<path>...]",
                                "                             Newer FeatureVector schemas (.avsc"
                                        + " files or folders) that producers",
                                "                               may write with, of any namespace;"
                                        + " each must be readable by the job's",
                                "                               schema. Only with --format"
                                        + " avro-single-object, whose records name",
                                "                               their writer schema. Default:"
                                        + " none.",
                                "      --format=<format>      Wire format of every topic:"
                                        + " avro-single-object or avro. Default:",
                                "                               avro-single-object.",
                                "      --parallelism=<count>  Parallelism of every operator, 1 to"
                                        + " 32768. Default: none (the",
                                "                               cluster's default).",
                                "  -h, --help                 Print this help and exit.",
                                "",
                                "Kafka client properties:",
                                "      --kafka.<property>=<value>, --kafka.<property> <value>",
                                "                             Passed to every Kafka client of the"
                                        + " job, e.g.",
                                "                               --kafka.security.protocol=SASL_SSL."
                                        + " Repeatable; each property",
                                "                               at most once. The output"
                                        + " producers default to batch.size=262144,",
                                "                               and with exactly-once to"
                                        + " transaction.timeout.ms=900000 (15m).",
                                ""));
    }

    @Test
    void takesAMaxRequestSizeFromTheFloorOfADeadLetterUp() {
        assertThat(JobOptions.parse("--bootstrap-servers", "kafka:9092").maxRequestSize())
                .isEqualTo(1_048_576);
        assertThat(
                        JobOptions.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--kafka.max.request.size=65536")
                                .maxRequestSize())
                .isEqualTo(65_536);
    }

    @Test
    void readsKafkaPropertiesInBothFormsInTheirOrder() {
        JobOptions options =
                JobOptions.parse(
                        "--kafka.security.protocol=SASL_SSL",
                        "--bootstrap-servers",
                        "kafka:9093",
                        "--kafka.sasl.mechanism",
                        "PLAIN",
                        "--kafka.sasl.jaas.config=" + JAAS,
                        "--window",
                        "1m",
                        "--kafka.client.id",
                        "relu stream job",
                        "--kafka.ssl.endpoint.identification.algorithm=",
                        "--kafka.acks",
                        "-1");

        assertThat(options.kafkaProperties())
                .containsExactly(
                        entry("security.protocol", "SASL_SSL"),
                        entry("sasl.mechanism", "PLAIN"),
                        entry("sasl.jaas.config", JAAS),
                        entry("client.id", "relu stream job"),
                        entry("ssl.endpoint.identification.algorithm", ""),
                        entry("acks", "-1"));
        assertThat(options.window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.bootstrapServers()).isEqualTo("kafka:9093");
    }

    @Test
    void kafkaPropertiesAreUnmodifiable() {
        JobOptions options = JobOptions.parse(withServers("--kafka.acks=all"));

        assertThatThrownBy(() -> options.kafkaProperties().put("acks", "0"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toArgsOfTheDefaultsListsEveryOption() {
        assertThat(JobOptions.parse(SERVERS).toArgs())
                .containsExactly(
                        "--bootstrap-servers=kafka:9092",
                        "--connect-timeout=30s",
                        "--input-topic=features",
                        "--output-topic=activations",
                        "--stats-topic=activation-stats",
                        "--alerts-topic=activation-alerts",
                        "--dlq-topic=features-dlq",
                        "--late-topic=activations-late",
                        "--group-id=relu-stream",
                        "--starting-offsets=earliest",
                        "--activation=relu",
                        "--derivatives",
                        "--invalid-values=propagate",
                        "--window=10s",
                        "--out-of-orderness=5s",
                        "--idleness=30s",
                        "--watermark-interval=200ms",
                        "--max-event-time-skew=5m",
                        "--allowed-lateness=0s",
                        "--dead-threshold=1.0",
                        "--dead-windows=3",
                        "--group-metrics-limit=100",
                        "--delivery-guarantee=at-least-once",
                        "--checkpoint-interval=30s",
                        "--format=avro-single-object");
    }

    /**
     * The README: a value that starts with {@code --} is given as {@code --name=--value}, and that
     * holds for {@code --} itself, which only standing alone ends the options; toArgs writes it so.
     */
    @Test
    void aValueOfTwoDashesIsGivenAfterAnEqualsSign() {
        JobOptions options = JobOptions.parse(withServers("--job-name=--", "--group-id=--"));

        assertThat(options.jobName()).isEqualTo("--");
        assertThat(options.toArgs()).contains("--job-name=--", "--group-id=--");
        assertThat(JobOptions.parse(options.toArgs()).jobName()).isEqualTo("--");
    }

    @Test
    void toArgsWritesEveryNonDefaultValue() {
        JobOptions options =
                JobOptions.parse(
                        "--bootstrap-servers= a:1 ,b:2",
                        "--connect-timeout=90000ms",
                        "--input-topic=i",
                        "--output-topic=o",
                        "--stats-topic=s",
                        "--alerts-topic=a",
                        "--dlq-topic=d",
                        "--late-topic=l",
                        "--group-id=--g",
                        "--job-name= j ",
                        "--starting-offsets=LATEST",
                        "--bounded",
                        "--activation=Leaky_ReLU( alpha = 0.2 )",
                        "--no-derivatives",
                        "--invalid-values=zero",
                        "--window=120000ms",
                        "--slide=30000ms",
                        "--out-of-orderness=0",
                        "--idleness=1500ms",
                        "--watermark-interval=0ms",
                        "--max-event-time-skew=120s",
                        "--allowed-lateness=3600s",
                        "--dead-threshold=.25",
                        "--dead-windows=+7",
                        "--sparsity-limit=0.5",
                        "--group-metrics-limit=0",
                        "--delivery-guarantee=exactly-once",
                        "--checkpoint-interval=1m",
                        "--transactional-id-prefix=p",
                        "--writer-schemas= " + V2_SCHEMA + " ",
                        "--parallelism=2",
                        "--kafka.sasl.jaas.config",
                        JAAS,
                        "--kafka.acks=all");

        assertThat(options.toArgs())
                .containsExactly(
                        "--bootstrap-servers=a:1,b:2",
                        "--connect-timeout=90s",
                        "--input-topic=i",
                        "--output-topic=o",
                        "--stats-topic=s",
                        "--alerts-topic=a",
                        "--dlq-topic=d",
                        "--late-topic=l",
                        "--group-id=--g",
                        "--job-name= j ",
                        "--starting-offsets=latest",
                        "--bounded",
                        "--activation=leaky_relu(alpha=0.2)",
                        "--no-derivatives",
                        "--invalid-values=zero",
                        "--window=2m",
                        "--slide=30s",
                        "--out-of-orderness=0s",
                        "--idleness=1500ms",
                        "--watermark-interval=0s",
                        "--max-event-time-skew=2m",
                        "--allowed-lateness=1h",
                        "--dead-threshold=0.25",
                        "--dead-windows=7",
                        "--sparsity-limit=0.5",
                        "--group-metrics-limit=0",
                        "--delivery-guarantee=exactly-once",
                        "--checkpoint-interval=1m",
                        "--transactional-id-prefix=p",
                        "--writer-schemas=" + V2_SCHEMA,
                        "--format=avro-single-object",
                        "--parallelism=2",
                        "--kafka.sasl.jaas.config=" + JAAS,
                        "--kafka.acks=all");
    }

    static Stream<Arguments> roundTrips() {
        return Stream.of(
                Arguments.of((Object) SERVERS),
                Arguments.of((Object) new String[] {"--help"}),
                Arguments.of(
                        (Object) new String[] {"--help", "--bootstrap-servers=k:1", "--bounded"}),
                Arguments.of(
                        (Object)
                                withServers(
                                        "--activation=relu(negative_slope=0.1, max_value=6,"
                                                + " threshold=0.5, grad_at_threshold=1)",
                                        "--dead-threshold=0.1",
                                        "--sparsity-limit=0.3333333333333333",
                                        "--window=1h",
                                        "--slide=360ms")),
                Arguments.of(
                        (Object)
                                withServers(
                                        "--activation",
                                        "maxout(k=3)",
                                        "--no-derivatives",
                                        "--delivery-guarantee",
                                        "exactly-once",
                                        "--parallelism",
                                        "16",
                                        "--kafka.security.protocol=SASL_SSL",
                                        "--kafka.sasl.jaas.config",
                                        JAAS,
                                        "--kafka.ssl.endpoint.identification.algorithm=")),
                Arguments.of(
                        (Object)
                                withServers(
                                        "--activation=thresholded_relu(theta=0.7)",
                                        "--invalid-values=fail",
                                        "--starting-offsets=committed",
                                        "--format=avro",
                                        "--group-id=a=b c",
                                        "--job-name=--stats (a=b)",
                                        "--allowed-lateness=1500ms")),
                Arguments.of(
                        (Object)
                                withServers(
                                        "--max-event-time-skew=90000ms",
                                        "--writer-schemas",
                                        V2_SCHEMA + "," + V2_SCHEMA,
                                        "--delivery-guarantee=exactly-once",
                                        "--checkpoint-interval=30s",
                                        "--kafka.transaction.timeout.ms=60000")));
    }

    @ParameterizedTest
    @MethodSource("roundTrips")
    void toArgsReadsBackToEqualOptions(String[] args) {
        JobOptions options = JobOptions.parse(args);
        JobOptions again = JobOptions.parse(options.toArgs());

        assertThat(again).isEqualTo(options).hasSameHashCodeAs(options);
        assertThat(again.toArgs()).containsExactly(options.toArgs());
    }

    @Test
    void optionsAreEqualWhenTheirValuesAre() {
        JobOptions defaults = JobOptions.parse(SERVERS);
        JobOptions spelledOut =
                JobOptions.parse(
                        "--bootstrap-servers=kafka:9092",
                        "--window=10000ms",
                        "--activation=relu()",
                        "--derivatives",
                        "--dead-threshold=1",
                        "--starting-offsets=EARLIEST");

        assertThat(spelledOut).isEqualTo(defaults).hasSameHashCodeAs(defaults);
        assertThat(JobOptions.parse(withServers("--window=11s"))).isNotEqualTo(defaults);
        assertThat(JobOptions.parse(withServers("--no-derivatives"))).isNotEqualTo(defaults);
        assertThat(JobOptions.parse(withServers("--kafka.acks=all"))).isNotEqualTo(defaults);
        assertThat(JobOptions.parse(withServers("--slide=5s"))).isNotEqualTo(defaults);
        assertThat(JobOptions.parse(withServers("--job-name=j"))).isNotEqualTo(defaults);
        assertThat(JobOptions.parse(withServers("--max-event-time-skew=300s")))
                .isEqualTo(defaults)
                .hasSameHashCodeAs(defaults);
        assertThat(JobOptions.parse(withServers("--max-event-time-skew=6m")))
                .isNotEqualTo(defaults);
        assertThat(JobOptions.parse(withServers("--writer-schemas=" + V2_SCHEMA)))
                .isNotEqualTo(defaults)
                .isEqualTo(JobOptions.parse(withServers("--writer-schemas", V2_SCHEMA)));
        assertThat(JobOptions.parse(withServers("--kafka.transaction.timeout.ms=900000")))
                .isNotEqualTo(defaults);
        assertThat(JobOptions.parse("--help")).isNotEqualTo(defaults);
    }

    @Test
    void toStringHidesTheKafkaValues() {
        JobOptions options =
                JobOptions.parse(withServers("--kafka.sasl.jaas.config=" + JAAS, "--bounded"));

        assertThat(options.toString())
                .isEqualTo(
                        "JobOptions[--bootstrap-servers=kafka:9092 --connect-timeout=30s"
                                + " --input-topic=features"
                                + " --output-topic=activations --stats-topic=activation-stats"
                                + " --alerts-topic=activation-alerts --dlq-topic=features-dlq"
                                + " --late-topic=activations-late --group-id=relu-stream"
                                + " --starting-offsets=earliest --bounded --activation=relu"
                                + " --derivatives --invalid-values=propagate --window=10s"
                                + " --out-of-orderness=5s --idleness=30s --watermark-interval=200ms"
                                + " --max-event-time-skew=5m --allowed-lateness=0s"
                                + " --dead-threshold=1.0 --dead-windows=3 --group-metrics-limit=100"
                                + " --delivery-guarantee=at-least-once --checkpoint-interval=30s"
                                + " --format=avro-single-object"
                                + " --kafka.sasl.jaas.config=<hidden>]");
    }

    @Test
    void runPrintsTheUsageForHelp() {
        Output out = new Output();
        Output err = new Output();
        AtomicReference<JobOptions> ran = new AtomicReference<>();

        int status =
                JobOptions.run(
                        new String[] {"--help"},
                        options -> {
                            ran.set(options);
                            return 0;
                        },
                        out.stream,
                        err.stream);

        assertThat(status).isZero();
        assertThat(out.text()).isEqualTo(JobOptions.usage());
        assertThat(err.text()).isEmpty();
        assertThat(ran.get()).isNull();
    }

    @Test
    void runPrintsTheProblemAndReturnsTwoForInvalidOptions() {
        Output out = new Output();
        Output err = new Output();
        AtomicReference<JobOptions> ran = new AtomicReference<>();

        int status =
                JobOptions.run(
                        withServers("--window", "10x"),
                        options -> {
                            ran.set(options);
                            return 0;
                        },
                        out.stream,
                        err.stream);

        assertThat(status).isEqualTo(2);
        assertThat(out.text()).isEmpty();
        assertThat(err.text())
                .isEqualTo(
                        String.format(
                                "Invalid value for option '--window': '10x' is not a duration; use"
                                        + " a whole number and a unit: 500ms, 10s, 5m, 2h%n"
                                        + "Use --help to see every option.%n"));
        assertThat(ran.get()).isNull();
    }

    @Test
    void runReportsAMissingBootstrapServersAsInvalid() {
        Output out = new Output();
        Output err = new Output();

        int status = JobOptions.run(new String[0], options -> 0, out.stream, err.stream);

        assertThat(status).isEqualTo(2);
        assertThat(out.text()).isEmpty();
        assertThat(err.text())
                .isEqualTo(
                        String.format(
                                "Missing required option '--bootstrap-servers': give the Kafka"
                                        + " brokers as a comma-separated list of host:port, e.g."
                                        + " kafka-1:9092,kafka-2:9092%n"
                                        + "Use --help to see every option.%n"));
    }

    @Test
    void runHandsValidOptionsToTheJobAndReturnsItsStatus() {
        Output out = new Output();
        Output err = new Output();
        AtomicReference<JobOptions> ran = new AtomicReference<>();

        int status =
                JobOptions.run(
                        withServers("--activation", "relu6"),
                        options -> {
                            ran.set(options);
                            return 7;
                        },
                        out.stream,
                        err.stream);

        assertThat(status).isEqualTo(7);
        assertThat(ran.get()).isEqualTo(JobOptions.parse(withServers("--activation=relu6")));
        assertThat(out.text()).isEmpty();
        assertThat(err.text()).isEmpty();
    }

    @Test
    void runLetsTheJobsExceptionsThrough() {
        IllegalStateException failure = new IllegalStateException("broker down");
        Output out = new Output();
        Output err = new Output();

        assertThatThrownBy(
                        () ->
                                JobOptions.run(
                                        SERVERS,
                                        options -> {
                                            throw failure;
                                        },
                                        out.stream,
                                        err.stream))
                .isSameAs(failure);
        assertThat(err.text()).isEmpty();
    }

    /** The usage's option entries, each on one line with single spaces. */
    private static List<String> usageEntries(String usage) {
        List<String> entries = new ArrayList<>();
        StringBuilder entry = null;
        for (String line : usage.split("\\R")) {
            if (line.startsWith("      --")
                    || line.startsWith("  --")
                    || line.startsWith("  -h, --")) {
                if (entry != null) {
                    entries.add(entry.toString());
                }
                entry = new StringBuilder(line.strip());
            } else if (entry != null && line.startsWith(" ") && !line.isBlank()) {
                entry.append(' ').append(line.strip());
            } else if (entry != null) {
                entries.add(entry.toString());
                entry = null;
            }
        }
        if (entry != null) {
            entries.add(entry.toString());
        }
        return entries.stream()
                .map(text -> text.replaceAll("\\s+", " "))
                .collect(Collectors.toList());
    }

    private static Arguments reads(
            Function<JobOptions, ?> getter, Object expected, String... args) {
        @SuppressWarnings("unchecked")
        Function<JobOptions, Object> function = (Function<JobOptions, Object>) getter;
        return Arguments.of(String.join(" ", args), args, function, expected);
    }

    private static Arguments withServers(
            Function<JobOptions, ?> getter, Object expected, String... args) {
        return reads(getter, expected, withServers(args));
    }

    /** The message for a checkpoint interval that the transaction timeout does not outlast. */
    private static String checkpointTooLong(String interval, long timeoutMillis) {
        return "Invalid value for option '--checkpoint-interval': '"
                + interval
                + "' must be shorter than the Kafka transaction timeout (transaction.timeout.ms"
                + " = "
                + timeoutMillis
                + ") with --delivery-guarantee exactly-once: a transaction commits only when the"
                + " next checkpoint completes. Lower --checkpoint-interval or raise"
                + " --kafka.transaction.timeout.ms (the broker caps it at its"
                + " transaction.max.timeout.ms, 15 minutes by default)";
    }

    private static Arguments rejects(String message, String... args) {
        String shown =
                Arrays.stream(args).map(arg -> "[" + arg + "]").collect(Collectors.joining(" "));
        return Arguments.of(shown, args, message);
    }

    private static String resourcePath(String resource) {
        try {
            return Path.of(JobOptionsTest.class.getResource(resource).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A producer takes a buffer of batch.size, or of the record when larger, from buffer.memory for
     * every batch, and refuses a record larger than buffer.memory: the job's producers batch 256
     * KiB (262144 bytes) unless --kafka.batch.size says otherwise, and send records of up to
     * max.request.size (Kafka's 1 MiB, 1048576), so a smaller buffer.memory fails the sink on every
     * record, or on the first large one, and the job restarts into it for ever.
     */
    @Test
    void rejectsABufferMemoryBelowTheBatchSizeOrTheLargestRecord() {
        assertThatThrownBy(() -> JobOptions.parse(withServers("--kafka.buffer.memory=1048575")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.buffer.memory': '1048575' must be at"
                                + " least 1048576 bytes, what the producer takes from it at"
                                + " once: batch.size (262144), or a record of up to"
                                + " max.request.size (1048576) when larger");
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        withServers(
                                                "--kafka.max.request.size=65536",
                                                "--kafka.buffer.memory=262143")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.buffer.memory': '262143' must be at"
                                + " least 262144 bytes, what the producer takes from it at"
                                + " once: batch.size (262144), or a record of up to"
                                + " max.request.size (65536) when larger");

        assertThat(JobOptions.parse(withServers("--kafka.buffer.memory=1048576")).kafkaProperties())
                .containsEntry("buffer.memory", "1048576");
        JobOptions.parse(
                withServers("--kafka.max.request.size=65536", "--kafka.buffer.memory=262144"));
        JobOptions.parse(
                withServers(
                        "--kafka.batch.size=16384",
                        "--kafka.max.request.size=65536",
                        "--kafka.buffer.memory=65536"));
    }

    /**
     * Without --kafka.buffer.memory a producer has Kafka's default, 32 MiB (33554432 bytes): a
     * max.request.size above it lets the producers send records their buffer cannot hold. The
     * option at fault is the one given, not the buffer.memory left out.
     */
    @Test
    void rejectsAMaxRequestSizeAboveTheDefaultBufferMemory() {
        assertThatThrownBy(() -> JobOptions.parse(withServers("--kafka.max.request.size=33554433")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.max.request.size': '33554433' is more"
                                + " than --kafka.buffer.memory, which is not given: Kafka's"
                                + " default, 33554432; a producer refuses a record larger than its"
                                + " buffer.memory; give --kafka.buffer.memory=33554433 or more, or"
                                + " a --kafka.max.request.size of at most 33554432");
        assertThat(
                        JobOptions.parse(
                                        withServers(
                                                "--kafka.max.request.size=33554433",
                                                "--kafka.buffer.memory=33554433"))
                                .kafkaProperties())
                .containsEntry("buffer.memory", "33554433");
        JobOptions.parse(withServers("--kafka.max.request.size=33554432"));
    }

    /**
     * A batch.size above Kafka's default buffer.memory (33554432) fails every batch's allocation:
     * the refusal names the --kafka.batch.size given, or both sizes when both are too large.
     */
    @Test
    void rejectsABatchSizeAboveTheDefaultBufferMemoryByItsOwnName() {
        assertThatThrownBy(() -> JobOptions.parse(withServers("--kafka.batch.size=33554433")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.batch.size': '33554433' is more than"
                                + " --kafka.buffer.memory, which is not given: Kafka's default,"
                                + " 33554432; a producer takes a buffer of batch.size from its"
                                + " buffer.memory for every batch; give"
                                + " --kafka.buffer.memory=33554433 or more, or a"
                                + " --kafka.batch.size of at most 33554432");
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        withServers(
                                                "--kafka.max.request.size=40000000",
                                                "--kafka.batch.size=33554433")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid values for options '--kafka.batch.size' and"
                                + " '--kafka.max.request.size': '33554433' and '40000000' are more"
                                + " than --kafka.buffer.memory, which is not given: Kafka's"
                                + " default, 33554432; a producer takes a buffer of batch.size"
                                + " from its buffer.memory for every batch, and refuses a record"
                                + " larger than its buffer.memory; give"
                                + " --kafka.buffer.memory=40000000 or more, or a"
                                + " --kafka.batch.size and a --kafka.max.request.size of at most"
                                + " 33554432");
        // Only the size above the buffer is named: lowering the other would not help.
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        withServers(
                                                "--kafka.max.request.size=65536",
                                                "--kafka.batch.size=33554433")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.batch.size': '33554433' is more than"
                                + " --kafka.buffer.memory, which is not given: Kafka's default,"
                                + " 33554432; a producer takes a buffer of batch.size from its"
                                + " buffer.memory for every batch; give"
                                + " --kafka.buffer.memory=33554433 or more, or a"
                                + " --kafka.batch.size of at most 33554432");
        JobOptions.parse(withServers("--kafka.batch.size=33554432"));
        JobOptions.parse(
                withServers("--kafka.batch.size=33554433", "--kafka.buffer.memory=33554433"));
    }

    /**
     * A --kafka.buffer.memory given as a config provider's reference is resolved by the client,
     * where the job runs: the job leaves it to it.
     */
    @Test
    void leavesABufferMemoryGivenAsAReferenceToTheClient() {
        assertThat(
                        JobOptions.parse(
                                        withServers(
                                                FILE_PROVIDERS,
                                                FILE_PROVIDER_CLASS,
                                                "--kafka.buffer.memory="
                                                    + "${file:/no/such/secrets.properties:mem}"))
                                .kafkaProperties())
                .containsEntry("buffer.memory", "${file:/no/such/secrets.properties:mem}");
    }

    /**
     * A --kafka.batch.size given as a config provider's reference is not known at start, but the
     * records are still up to max.request.size: 33554433 is above Kafka's default buffer of
     * 33554432.
     */
    @Test
    void checksTheMaxRequestSizeAgainstTheBufferMemoryWhenTheBatchSizeIsAReference() {
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        withServers(
                                                FILE_PROVIDERS,
                                                FILE_PROVIDER_CLASS,
                                                "--kafka.batch.size="
                                                    + "${file:/no/such/secrets.properties:size}",
                                                "--kafka.max.request.size=33554433")))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.max.request.size': '33554433' is more"
                                + " than --kafka.buffer.memory, which is not given: Kafka's"
                                + " default, 33554432; a producer refuses a record larger than its"
                                + " buffer.memory; give --kafka.buffer.memory=33554433 or more, or"
                                + " a --kafka.max.request.size of at most 33554432");
        JobOptions.parse(
                withServers(
                        FILE_PROVIDERS,
                        FILE_PROVIDER_CLASS,
                        "--kafka.batch.size=${file:/no/such/secrets.properties:size}",
                        "--kafka.max.request.size=33554432"));
    }

    private static final String FILE_PROVIDERS = "--kafka.config.providers=file";
    private static final String FILE_PROVIDER_CLASS =
            "--kafka.config.providers.file.class="
                    + "org.apache.kafka.common.config.provider.FileConfigProvider";

    private static String[] withServers(String... args) {
        String[] all = Arrays.copyOf(SERVERS, SERVERS.length + args.length);
        System.arraycopy(args, 0, all, SERVERS.length, args.length);
        return all;
    }

    /** A PrintStream whose text the test reads. */
    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
