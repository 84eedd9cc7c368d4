package io.relustream.jobs.sql;

import io.relustream.jobs.ActivationStatsJob;
import io.relustream.jobs.KafkaCheckException;
import io.relustream.jobs.WrittenTopicsCheck;
import io.relustream.jobs.options.CommandLines;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.InvalidOptionsException;
import io.relustream.jobs.options.JobOptions;
import io.relustream.jobs.options.KafkaProperties;
import io.relustream.jobs.options.OptionConverters;
import io.relustream.sql.SqlFunctions;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.config.ExecutionConfigOptions;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Unmatched;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SQL example: {@code sql/zero-fraction.sql} on Flink's Kafka table connector, the share of
 * zeroed ReLU outputs per group and tumbling event-time window, written to Kafka as JSON.
 *
 * <pre>{@code
 * flink run -c io.relustream.jobs.sql.SqlZeroFractionJob relu-stream-jobs.jar \
 *     --bootstrap-servers kafka:9092 --input-topic features-avro --output-topic zero-fraction \
 *     --window 1m
 * }</pre>
 *
 * <p>It fills the script's {@code ${...}} variables from its options (each {@code
 * --kafka.<property>=<value>} as {@code 'properties.<property>' = '<value>'} in every table's
 * {@code WITH} clause, for a secured cluster), registers the relu-stream functions with {@link
 * SqlFunctions#registerAll} and its decoding functions with {@link
 * FeatureVectorFunctions#registerAll}, runs the statements and waits for the job. The input topic
 * holds plain Avro binary {@code FeatureVector}s (the generator's and the activation job's {@code
 * --format avro}), read as raw bytes and decoded by the project's decoder: a record that does not
 * decode, or whose event time is more than {@code --max-event-time-skew} ahead of the clock, goes
 * to {@code --dlq-topic} as a single-object {@code DeadLetter} with its bytes, key, topic,
 * partition, offset and the reason, as the activation job's do, and the job goes on. It reads the
 * input table through the activation job's Kafka source (see {@link RestoredKafkaSourceModule}):
 * restored with another {@code --input-topic}, it reads that topic alone, and restored with {@code
 * --bounded}, it ends.
 */
@Command(
        name = "sql-zero-fraction",
        sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "",
            "Runs sql/zero-fraction.sql: reads plain-Avro FeatureVector records from Kafka and"
                    + " writes ZERO_FRACTION(RELU(values)) per group and tumbling event-time window"
                    + " to Kafka as JSON; records that do not decode, or whose event time it"
                    + " does not take (see --dlq-topic), go to --dlq-topic as dead letters.",
            ""
        },
        footerHeading = "%nKafka client properties:%n",
        // Laid out by hand like an option entry: picocli does not wrap footers with an indent.
        footer = {
            "      --kafka.<property>=<value>, --kafka.<property> <value>",
            "                            Passed to the Kafka consumer and producer, e.g.",
            "                              --kafka.security.protocol=SASL_SSL. Repeatable; each",
            "                              property at most once, read and checked as the",
            "                              activation job's are. The input is read with",
            "                              isolation.level=read_committed unless given;",
            "                              max.request.size at least 65536, as the activation",
            "                              job's, so that every dead letter fits in one record."
        })
public final class SqlZeroFractionJob implements Callable<Integer> {

    /** The script, on the classpath (and in the job jar). */
    public static final String SCRIPT = "/sql/zero-fraction.sql";

    /** Restarts after a failure before the job fails for good. */
    static final int RESTART_ATTEMPTS = 3;

    static final Duration RESTART_DELAY = Duration.ofSeconds(2);

    private static final Pattern GROUP_ID = Pattern.compile("[A-Za-z0-9._-]{1,255}");

    private static final String OWN_SERIALIZATION =
            "the SQL job's tables read bytes and write JSON and bytes through Flink's formats";

    /**
     * The input table's {@code scan.startup.mode} is {@code earliest-offset}, from which Flink's
     * Kafka source sets {@code auto.offset.reset} over any value given.
     */
    private static final String OWN_OFFSET_RESET =
            "the SQL job reads its input from the earliest offset, whatever this property says";

    /**
     * Kafka properties the job sets itself, with what to do instead: passing them too would
     * silently override an option, or break the clients (a transactional id makes every send of its
     * at-least-once producer fail), or be silently replaced (auto.offset.reset).
     */
    private static final Map<String, String> RESERVED_PROPERTIES =
            Map.of(
                    "bootstrap.servers", "use --bootstrap-servers instead",
                    "group.id", "use --group-id instead",
                    "transactional.id", "the SQL job writes at least once, without transactions",
                    "auto.offset.reset", OWN_OFFSET_RESET,
                    "key.serializer", OWN_SERIALIZATION,
                    "value.serializer", OWN_SERIALIZATION,
                    "key.deserializer", OWN_SERIALIZATION,
                    "value.deserializer", OWN_SERIALIZATION);

    /** The Kafka properties the SQL job reads itself: never left to a config provider. */
    private static final Set<String> READ_HERE = Set.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);

    /** The isolation level of the input unless {@code --kafka.isolation.level} says otherwise. */
    private static final String DEFAULT_ISOLATION_LEVEL = "read_committed";

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "<host:port>[,<host:port>...]",
            converter = OptionConverters.BootstrapServers.class,
            description = "Kafka brokers to connect to. Required.")
    String bootstrapServers;

    @Option(
            names = "--connect-timeout",
            defaultValue = "30s",
            paramLabel = "<duration>",
            converter = Durations.Converter.class,
            description =
                    "How long to wait at start for Kafka to confirm that --input-topic exists,"
                            + " and --output-topic and --dlq-topic unless the brokers create"
                            + " topics on first use (a missing topic is looked for again until"
                            + " then); 0s leaves the"
                            + " check to the cluster (for a machine that cannot reach Kafka)."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(
            names = "--input-topic",
            defaultValue = "features",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description =
                    "Topic of the plain-Avro FeatureVector records; single-object ones (the"
                            + " activation job's input) are dead letters here."
                            + " Default: ${DEFAULT-VALUE}.")
    String inputTopic;

    @Option(
            names = "--output-topic",
            defaultValue = "zero-fraction",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description = "Topic for the JSON results. Default: ${DEFAULT-VALUE}.")
    String outputTopic;

    @Option(
            names = "--dlq-topic",
            // Not the activation job's "features-dlq": the two jobs' dead letters stay apart.
            defaultValue = "zero-fraction-dead-letters",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description =
                    "Topic for the dead letters: input records that do not decode, or whose"
                            + " event time is outside the years 0000 to 9999 or more than"
                            + " --max-event-time-skew ahead of the clock, as single-object Avro"
                            + " DeadLetters with the reason. Default: ${DEFAULT-VALUE}.")
    String dlqTopic;

    @Option(
            names = "--window",
            defaultValue = "10s",
            paramLabel = "<duration>",
            converter = PositiveDuration.class,
            description =
                    "Length of the tumbling windows, more than 0s and shorter than 24000h (1000"
                            + " days, what a SQL interval here holds), e.g. 500ms, 10s, 5m."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration window;

    @Option(
            names = "--out-of-orderness",
            defaultValue = "5s",
            paramLabel = "<duration>",
            converter = NonNegativeDuration.class,
            description =
                    "How far behind the newest event time a record may be and still count;"
                            + " shorter than 24000h (1000 days). Default: ${DEFAULT-VALUE}.")
    Duration outOfOrderness;

    @Option(
            names = "--max-event-time-skew",
            defaultValue = OptionConverters.EVENT_TIME_SKEW_DEFAULT,
            paramLabel = "<duration>",
            converter = OptionConverters.EventTimeSkew.class,
            description = OptionConverters.EVENT_TIME_SKEW_HELP)
    Duration maxEventTimeSkew;

    @Option(
            names = "--group-id",
            defaultValue = "relu-stream-sql",
            paramLabel = "<id>",
            converter = GroupId.class,
            description =
                    "Kafka consumer group of the input: up to 255 of the characters a-z, A-Z, 0-9,"
                            + " '.', '_' and '-' (it goes into the script as a SQL literal)."
                            + " Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(
            names = "--job-name",
            defaultValue = "relu-stream SQL zero fraction",
            paramLabel = "<name>",
            converter = OptionConverters.NonBlank.class,
            description =
                    "Flink job name, the job_name label of its metrics. Default:"
                            + " ${DEFAULT-VALUE}.")
    String jobName;

    @Option(
            names = "--bounded",
            description =
                    "Stop at the offsets that were the latest when the job started"
                            + " ('scan.bounded.mode' = 'latest-offset'), also in a run restored"
                            + " from a savepoint or checkpoint; restored from a bounded run, at"
                            + " that run's end. Default: ${DEFAULT-VALUE}.")
    boolean bounded;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "30s",
            paramLabel = "<duration>",
            converter = OptionConverters.CheckpointInterval.class,
            description =
                    "Checkpoints, which also flush the Kafka sink (at least once); at least 10ms."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(
            names = "--parallelism",
            paramLabel = "<count>",
            converter = OptionConverters.Parallelism.class,
            description = "Parallelism of the job, 1 to 32768. Default: the cluster's.")
    Integer parallelism;

    // Help only: the jar carries no version for a --version to print.
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print this help and exit.")
    boolean help;

    /** The {@code --kafka.<property>} options (picocli has no prefix options), and any mistake. */
    @Unmatched List<String> unmatched = new ArrayList<>();

    /** The {@code --kafka.} properties, once {@link #checkOptions} has read them. */
    private Map<String, String> kafkaProperties = Map.of();

    @Spec CommandSpec spec;

    public static void main(String[] args) {
        int status = commandLine().execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * The command line of the job, as {@code main} runs it: an invalid option prints one line
     * naming it (with {@code --help} too) and exits 2.
     */
    public static CommandLine commandLine() {
        SqlZeroFractionJob job = new SqlZeroFractionJob();
        return CommandLines.of(job, CommandLines.USE_HELP, job::checkOptions);
    }

    /**
     * Reads the options, as {@code main} does.
     *
     * @throws CommandLine.ParameterException for a bad option, naming it and the value
     */
    public static SqlZeroFractionJob parse(String... args) {
        SqlZeroFractionJob job = new SqlZeroFractionJob();
        // main's command line: "@file" is a value, never a file of arguments.
        CommandLine commandLine = CommandLines.of(job, CommandLines.USE_HELP, job::checkOptions);
        // In main's order: picocli's refusals (an argument after "--" named as main names it),
        // then what its execution checks first: an argument after "--", which picocli hands to
        // the @Unmatched list, and --bounded=, refused, not read as false.
        try {
            commandLine.parseArgs(args);
        } catch (ParameterException e) {
            String afterEnd = CommandLines.afterEndOfOptions(e, List.of(args));
            if (afterEnd != null) {
                throw new ParameterException(commandLine, afterEnd, e);
            }
            throw e;
        }
        String afterEnd = CommandLines.afterEndOfOptions(List.of(args));
        if (afterEnd != null) {
            throw new ParameterException(commandLine, afterEnd);
        }
        String invalidBoolean =
                CommandLines.invalidBooleanValue(commandLine.getCommandSpec(), List.of(args));
        if (invalidBoolean != null) {
            throw new ParameterException(commandLine, invalidBoolean);
        }
        job.checkOptions();
        return job;
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        try {
            run();
        } catch (InvalidOptionsException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (KafkaCheckException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        return 0;
    }

    /** Checks what picocli cannot: the topics, and the {@code --kafka.} options. */
    private void checkOptions() {
        checkTopics();
        try {
            List<String> rest = new ArrayList<>();
            kafkaProperties = KafkaProperties.extract(unmatched, rest, RESERVED_PROPERTIES);
            if (!rest.isEmpty()) {
                throw new IllegalArgumentException(CommandLines.unmatchedMessage(rest));
            }
            // Kafka's classes only when needed: they log through slf4j, which the job jar
            // leaves to Flink's lib folder, and --help or a bad option must not need it.
            if (!kafkaProperties.isEmpty()) {
                checkKafkaProperties();
                // Its dead letters need the activation job's room (see FeatureVectorFunctions).
                JobOptions.checkMaxRequestSize(kafkaProperties, maxRequestSize());
                // Its producer keeps Kafka's batch.size unless told otherwise.
                JobOptions.checkBufferMemory(
                        kafkaProperties, maxRequestSize(), JobOptions.KAFKA_DEFAULT_BATCH_SIZE);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * Checks the {@code --kafka.} properties as the clients of Flink's Kafka connector would check
     * them when the job starts, alone and together: a typo then exits here instead of failing every
     * restart of the job. Unknown names pass (plugins read their own), and so do class names, which
     * only the cluster can load.
     */
    private void checkKafkaProperties() {
        // The source's enumerator asks an admin client with the consumer's properties.
        KafkaProperties.checkValues(
                kafkaProperties,
                List.of(
                        ConsumerConfig.configDef(),
                        ProducerConfig.configDef(),
                        AdminClientConfig.configDef(),
                        KafkaProperties.flinkKafkaSource()),
                READ_HERE);
        Map<String, Object> consumer = new LinkedHashMap<>();
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, DEFAULT_ISOLATION_LEVEL);
        consumer.putAll(
                KafkaProperties.checkable(kafkaProperties, ConsumerConfig.configDef(), Set.of()));
        // Any broker will do: --bootstrap-servers is checked on its own (and may be missing).
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        KafkaProperties.checkConsumer(consumer, "the SQL job's Kafka consumer");

        Map<String, Object> producer =
                new LinkedHashMap<>(
                        KafkaProperties.checkable(
                                kafkaProperties, ProducerConfig.configDef(), Set.of()));
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        KafkaProperties.checkProducer(producer, kafkaProperties, "the SQL job's Kafka producer");
    }

    /**
     * Its JSON results read as input would all be dead letters, and its dead letters would be
     * dead-lettered again, for ever; results and dead letters in one topic would be read as
     * neither.
     */
    private void checkTopics() {
        checkDistinct("--output-topic", outputTopic, "the input topic", inputTopic, "the results");
        checkDistinct("--dlq-topic", dlqTopic, "the input topic", inputTopic, "the dead letters");
        checkDistinct("--dlq-topic", dlqTopic, "the output topic", outputTopic, "the dead letters");
    }

    private void checkDistinct(
            String option, String topic, String otherName, String other, String what) {
        // Kafka treats '.' and '_' alike in topic names: a.b and a_b would collide.
        if (other.replace('.', '_').equals(topic.replace('.', '_'))) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '"
                            + option
                            + "': '"
                            + topic
                            + "' is "
                            + otherName
                            + (other.equals(topic)
                                    ? ""
                                    : " as Kafka names topics ('" + other + "')")
                            + "; "
                            + what
                            + " need a topic of their own");
        }
    }

    /**
     * The largest record the job's producers send: {@code --kafka.max.request.size}, or Kafka's
     * default, 1 MiB.
     */
    int maxRequestSize() {
        String configured = kafkaProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return configured == null
                ? FeatureVectorFunctions.DEFAULT_MAX_RECORD_BYTES
                : Integer.parseInt(configured.strip());
    }

    /** The {@code --kafka.} properties, as given. */
    public Map<String, String> kafkaProperties() {
        return kafkaProperties;
    }

    /** The script's variables, from the options. */
    public Map<String, String> variables() {
        return Map.ofEntries(
                Map.entry("bootstrap_servers", bootstrapServers),
                Map.entry("input_topic", inputTopic),
                Map.entry("output_topic", outputTopic),
                Map.entry("dlq_topic", dlqTopic),
                Map.entry("group_id", groupId),
                Map.entry("bounded_mode", bounded ? "latest-offset" : "unbounded"),
                Map.entry("window", interval(window)),
                Map.entry("out_of_orderness", interval(outOfOrderness)),
                Map.entry(
                        "isolation_level",
                        SqlScript.literal(
                                kafkaProperties.getOrDefault(
                                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                        DEFAULT_ISOLATION_LEVEL))),
                Map.entry("kafka_properties", withClauseProperties(kafkaProperties)));
    }

    /**
     * The {@code --kafka.} properties as entries of a {@code WITH} clause, each followed by its
     * comma, e.g. {@code 'properties.sasl.jaas.config' = '... password="it''s";',}; the isolation
     * level has its own entry in the script.
     */
    static String withClauseProperties(Map<String, String> properties) {
        return properties.entrySet().stream()
                .filter(p -> !p.getKey().equals(ConsumerConfig.ISOLATION_LEVEL_CONFIG))
                .map(
                        p ->
                                SqlScript.literal("properties." + p.getKey())
                                        + " = "
                                        + SqlScript.literal(p.getValue())
                                        + ",")
                .collect(Collectors.joining("\n    "));
    }

    /** The statements to run: the script with every variable filled in. */
    public List<String> statements() {
        return SqlScript.statements(SqlScript.substitute(SqlScript.resource(SCRIPT), variables()));
    }

    /**
     * Creates the tables, submits the two INSERTs as one statement set and waits until the job
     * ends: with {@code --bounded} when the input is read, otherwise when it is cancelled or fails.
     * First, as the activation job does, it asks Kafka for the input topic (within {@code
     * --connect-timeout}): Flink's Kafka source would fail on a topic that does not exist, and fail
     * again after every restart; and for the output and dead-letter topics, which Flink's Kafka
     * sink would fail on in the same way unless the brokers create topics on first use.
     *
     * @throws InvalidOptionsException when Kafka still has no topic {@code --input-topic}, or no
     *     {@code --output-topic} or {@code --dlq-topic} and does not create them on first use, when
     *     {@code --connect-timeout} is up
     * @throws KafkaCheckException when Kafka does not answer within {@code --connect-timeout}
     */
    public TableResult run() throws Exception {
        TableEnvironment tableEnv = TableEnvironment.create(settings());
        // One --connect-timeout for the three topics.
        long deadline = Durations.deadlineNanos(connectTimeout);
        ActivationStatsJob.checkInputTopic(
                bootstrapServers, inputTopic, kafkaProperties, connectTimeout, () -> {});
        Map<String, String> written = new LinkedHashMap<>();
        written.put("--output-topic", outputTopic);
        written.put("--dlq-topic", dlqTopic);
        WrittenTopicsCheck.check(
                bootstrapServers,
                written,
                kafkaProperties,
                maxRequestSize(),
                connectTimeout,
                deadline);
        tableEnv.loadModule(
                RestoredKafkaSourceModule.NAME,
                new RestoredKafkaSourceModule(inputTopic, consumerProperties()));
        TableResult result = inserts(tableEnv).execute();
        result.await();
        return result;
    }

    /**
     * Registers the functions in {@code tableEnv}, creates the script's tables and views, and
     * returns its INSERTs as one statement set.
     */
    StatementSet inserts(TableEnvironment tableEnv) {
        SqlFunctions.registerAll(tableEnv);
        FeatureVectorFunctions.registerAll(tableEnv, maxRequestSize(), maxEventTimeSkew);
        StatementSet inserts = tableEnv.createStatementSet();
        boolean anyInsert = false;
        for (String statement : statements()) {
            if (statement.toUpperCase(Locale.ROOT).startsWith("INSERT")) {
                inserts.addInsertSql(statement);
                anyInsert = true;
            } else {
                tableEnv.executeSql(statement);
            }
        }
        if (!anyInsert) {
            throw new IllegalStateException("The SQL script " + SCRIPT + " has no INSERT");
        }
        return inserts;
    }

    /**
     * What a consumer of the input's partitions needs, to ask for their latest offsets as the
     * table's consumer would: its brokers, group and {@code --kafka.} properties, and the offset
     * reset its {@code scan.startup.mode} gives it.
     */
    Properties consumerProperties() {
        Properties consumer = new Properties();
        consumer.putAll(kafkaProperties);
        consumer.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumer.setProperty(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumer.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return consumer;
    }

    EnvironmentSettings settings() {
        Configuration config = new Configuration();
        config.set(PipelineOptions.NAME, jobName);
        // Every type has a Flink serializer; a Kryo fallback would be a bug, as in the activation
        // job.
        config.set(PipelineOptions.GENERIC_TYPES, false);
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        // A partition without records must not hold the windows of all others back for ever.
        config.set(ExecutionConfigOptions.TABLE_EXEC_SOURCE_IDLE_TIMEOUT, Duration.ofSeconds(30));
        // A failure that comes back on every attempt (a dead letter Kafka refuses): a few restarts
        // ride out a passing failure, and then the job fails instead of restarting for ever.
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTART_ATTEMPTS);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, RESTART_DELAY);
        if (parallelism != null) {
            config.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        }
        return EnvironmentSettings.newInstance()
                .inStreamingMode()
                .withConfiguration(config)
                .build();
    }

    /** The longest duration {@link #interval} writes: DAY(3) holds at most 999 days. */
    static final Duration MAX_INTERVAL = Duration.ofDays(1000).minusMillis(1);

    /**
     * A SQL interval literal of a duration, to the millisecond, e.g. {@code INTERVAL '0
     * 00:00:10.000' DAY(3) TO SECOND(3)}: a form Flink takes both in windows and in watermark
     * expressions (it plans no interval type of a larger precision).
     */
    static String interval(Duration duration) {
        if (duration.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException(duration + " is longer than " + MAX_INTERVAL);
        }
        long millis = duration.toMillis();
        return String.format(
                Locale.ROOT,
                "INTERVAL '%d %02d:%02d:%02d.%03d' DAY(3) TO SECOND(3)",
                millis / 86_400_000,
                millis / 3_600_000 % 24,
                millis / 60_000 % 60,
                millis / 1000 % 60,
                millis % 1000);
    }

    static final class GroupId implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!GROUP_ID.matcher(value).matches()) {
                throw new TypeConversionException(
                        "'"
                                + value
                                + "' is not a group id; use 1 to 255 of the characters a-z,"
                                + " A-Z, 0-9, '.', '_' and '-'");
            }
            return value;
        }
    }

    static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = new NonNegativeDuration().convert(value);
            if (duration.isZero()) {
                throw new TypeConversionException("'" + value + "' must be > 0");
            }
            return duration;
        }
    }

    static final class NonNegativeDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration;
            try {
                duration = Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            if (duration.compareTo(MAX_INTERVAL) > 0) {
                throw new TypeConversionException("'" + value + "' must be shorter than 1000 days");
            }
            return duration;
        }
    }
}
