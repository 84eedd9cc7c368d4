package io.relustream.jobs.options;

import io.relustream.activation.VectorActivation;
import io.relustream.formats.WireFormat;
import io.relustream.operators.InvalidValuePolicy;
import io.relustream.simd.SimdLoops;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The command line of the activation statistics job, parsed and checked.
 *
 * <pre>{@code
 * JobOptions options =
 *         JobOptions.parse("--bootstrap-servers", "kafka:9092", "--activation", "relu6");
 * options.window(); // PT10S
 * JobOptions.parse(options.toArgs()).equals(options); // true
 * }</pre>
 *
 * <p>Every option but {@code --bootstrap-servers} has a default; {@link #usage()} lists them.
 * Options read as {@code --name value} or {@code --name=value}, each at most once. {@code
 * --kafka.<property>=<value>} (or {@code --kafka.<property> <value>}) passes a property to every
 * Kafka client. Invalid options throw {@link InvalidOptionsException} naming the option, the value
 * and what is allowed. Mains use {@link #run}, which turns that into exit status 2.
 */
public final class JobOptions {

    /** The prefix of the Kafka client properties. */
    public static final String KAFKA_PREFIX = KafkaProperties.PREFIX;

    /** Kafka's default {@code max.request.size} of a producer. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    /**
     * The smallest {@code max.request.size} the job and the SQL job take: room for any dead
     * letter's reason.
     */
    public static final int MIN_MAX_REQUEST_SIZE = 64 * 1024;

    /**
     * The {@code batch.size} of the activation job's producers unless {@code --kafka.batch.size}
     * says otherwise (see {@code ActivationStatsJob}).
     */
    public static final int PRODUCER_BATCH_SIZE = 256 * 1024;

    /** Kafka's default {@code batch.size} of a producer, which the SQL job's producer keeps. */
    public static final int KAFKA_DEFAULT_BATCH_SIZE = 16 * 1024;

    /** The producer property of the transaction timeout. */
    public static final String TRANSACTION_TIMEOUT = "transaction.timeout.ms";

    /**
     * A transaction timeout above 0 in the forms Kafka's producer reads (String.trim's spaces
     * around it, a '+', leading zeros), so that the job refuses none it would take; ASCII digits,
     * at most 18 after the zeros so that it reads as a long (Kafka's own check refuses one above an
     * int).
     */
    private static final Pattern TRANSACTION_TIMEOUT_MILLIS =
            Pattern.compile("[\\x00-\\x20]*\\+?0*[1-9][0-9]{0,17}[\\x00-\\x20]*");

    /** The broker's default cap on transactions, transaction.max.timeout.ms. */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    /**
     * The most sliding windows one record may fall into (--window / --slide): a day sliding every
     * 10 seconds is 8,640; beyond this each record costs more windows than any job can hold.
     */
    static final int MAX_WINDOWS_PER_RECORD = 10_000;

    /** The Kafka properties the job reads itself: never left to a config provider. */
    private static final Set<String> READ_BY_THE_JOB =
            Set.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TRANSACTION_TIMEOUT);

    private static final String OWN_OFFSET_RESET =
            "use --starting-offsets instead; the job's Kafka source resets to the earliest offset,"
                    + " or to the latest with --starting-offsets latest, whatever this property"
                    + " says";

    private static final String OWN_SERIALIZATION =
            "the job reads and writes Avro bytes itself; --format chooses their wire format";

    /**
     * Kafka properties the job sets itself, with what to do instead: passing them too would
     * silently override an option, or break the clients (a transactional id makes every send of an
     * at-least-once producer fail, and the source takes bytes only), or be silently replaced
     * (Flink's Kafka source sets auto.offset.reset from the starting offsets).
     */
    private static final Map<String, String> RESERVED_PROPERTIES =
            Map.of(
                    "bootstrap.servers", "use --bootstrap-servers instead",
                    "group.id", "use --group-id instead",
                    "transactional.id", "use --transactional-id-prefix instead",
                    "auto.offset.reset", OWN_OFFSET_RESET,
                    "key.serializer", OWN_SERIALIZATION,
                    "value.serializer", OWN_SERIALIZATION,
                    "key.deserializer", OWN_SERIALIZATION,
                    "value.deserializer", OWN_SERIALIZATION);

    private final String bootstrapServers;
    private final Duration connectTimeout;
    private final String inputTopic;
    private final String outputTopic;
    private final String statsTopic;
    private final String alertsTopic;
    private final String dlqTopic;
    private final String lateTopic;
    private final String groupId;
    private final String jobName;
    private final StartingOffsets startingOffsets;
    private final boolean bounded;
    private final VectorActivation activation;
    private final boolean derivatives;
    private final InvalidValuePolicy invalidValues;
    private final Duration window;
    private final Duration slide;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final Duration watermarkInterval;
    private final Duration maxEventTimeSkew;
    private final WriterSchemas writerSchemas;
    private final Duration allowedLateness;
    private final double deadThreshold;
    private final int deadWindows;
    private final Double sparsityLimit;
    private final int groupMetricsLimit;
    private final DeliveryGuarantee deliveryGuarantee;
    private final Duration checkpointInterval;
    private final String transactionalIdPrefix;
    private final WireFormat format;
    private final Integer parallelism;
    private final Map<String, String> kafkaProperties;
    private final boolean helpRequested;

    private JobOptions(JobCommand command, Map<String, String> kafkaProperties) {
        this.bootstrapServers = command.bootstrapServers == null ? "" : command.bootstrapServers;
        this.connectTimeout = command.connectTimeout;
        this.inputTopic = command.inputTopic;
        this.outputTopic = command.outputTopic;
        this.statsTopic = command.statsTopic;
        this.alertsTopic = command.alertsTopic;
        this.dlqTopic = command.dlqTopic;
        this.lateTopic = command.lateTopic;
        this.groupId = command.groupId;
        this.jobName = command.jobName;
        this.startingOffsets = command.startingOffsets;
        this.bounded = command.bounded;
        this.activation = command.activation;
        this.derivatives = command.derivatives;
        this.invalidValues = command.invalidValues;
        this.window = command.window;
        this.slide = command.slide;
        this.outOfOrderness = command.outOfOrderness;
        this.idleness = command.idleness;
        this.watermarkInterval = command.watermarkInterval;
        this.maxEventTimeSkew = command.maxEventTimeSkew;
        this.writerSchemas = command.writerSchemas;
        this.allowedLateness = command.allowedLateness;
        this.deadThreshold = command.deadThreshold;
        this.deadWindows = command.deadWindows;
        this.sparsityLimit = command.sparsityLimit;
        this.groupMetricsLimit = command.groupMetricsLimit;
        this.deliveryGuarantee = command.deliveryGuarantee;
        this.checkpointInterval = command.checkpointInterval;
        // The group id names the job to Kafka already (its committed offsets): a job given a group
        // of its own gets transactional ids of its own, stable across its restarts.
        this.transactionalIdPrefix =
                command.transactionalIdPrefix != null
                        ? command.transactionalIdPrefix
                        : command.groupId;
        this.format = command.format;
        this.parallelism = command.parallelism;
        this.kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(kafkaProperties));
        this.helpRequested = command.help;
    }

    /**
     * Reads and checks the job's command line.
     *
     * <p>With {@code --help}, {@code --bootstrap-servers} may be left out (then {@link
     * #bootstrapServers()} is empty); every option given is still checked.
     *
     * @throws InvalidOptionsException for an unknown option, a missing or invalid value, an option
     *     given twice or a missing {@code --bootstrap-servers}
     */
    public static JobOptions parse(String... args) {
        return parse(Map.of(), "", args);
    }

    /**
     * {@link #parse(String...)} with {@code --kafka.} properties that a launcher sets unless {@code
     * args} give them, checked as given ones are (an invalid preset is refused as if it were
     * given). The refusal of a {@code --kafka.buffer.memory} too small for a preset {@code
     * max.request.size} says where that size comes from.
     *
     * @param presets the properties, e.g. {@code max.request.size} for a broker of larger records
     * @param presetBy who sets them, for that message, e.g. "the local run sets for its broker"
     */
    public static JobOptions parse(Map<String, String> presets, String presetBy, String... args) {
        Objects.requireNonNull(args, "args");
        List<String> rest = new ArrayList<>();
        Map<String, String> given =
                KafkaProperties.extract(Arrays.asList(args), rest, RESERVED_PROPERTIES);
        Map<String, String> kafkaProperties = new LinkedHashMap<>(presets);
        kafkaProperties.putAll(given);
        JobCommand command = new JobCommand();
        CommandLine commandLine = commandLine(command);
        checkBooleanValues(commandLine.getCommandSpec(), rest);
        ParseResult result;
        try {
            result = commandLine.parseArgs(rest.toArray(new String[0]));
        } catch (MissingParameterException e) {
            // An unknown option (--version, say) is the first thing to say, as without it.
            String unknown =
                    e.getMessage().startsWith("Missing required option")
                            ? CommandLines.unknownArgument(commandLine.getCommandSpec(), rest)
                            : null;
            throw new InvalidOptionsException(unknown != null ? unknown : missingMessage(e), e);
        } catch (UnmatchedArgumentException e) {
            throw new InvalidOptionsException(unmatchedMessage(e), e);
        } catch (ParameterException e) {
            // Picocli's remaining messages (invalid values from the converters, options given
            // twice) already name the option and the value; an option given twice gets both.
            throw new InvalidOptionsException(CommandLines.parameterMessage(e, rest), e);
        }
        // With --help, picocli lets unknown options and stray arguments pass: they are as wrong
        // as an invalid value, which it still refuses.
        if (!result.unmatched().isEmpty()) {
            throw new InvalidOptionsException(unmatchedMessage(result.unmatched()));
        }
        checkSlide(command.window, command.slide, result);
        checkUsedByTheGuarantee(command.deliveryGuarantee, result);
        checkTopics(command);
        checkWriterSchemas(command);
        try {
            SimdLoops.checkSetting();
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionsException(e.getMessage(), e);
        }
        JobOptions options = new JobOptions(command, kafkaProperties);
        options.checkTransactionTimeout();
        checkKafkaProperties(kafkaProperties);
        options.checkKafkaClients();
        options.checkMaxRequestSize();
        String maxRequestSize = ProducerConfig.MAX_REQUEST_SIZE_CONFIG;
        checkBufferMemory(
                kafkaProperties,
                options.maxRequestSize(),
                PRODUCER_BATCH_SIZE,
                presets.containsKey(maxRequestSize) && !given.containsKey(maxRequestSize)
                        ? ", which "
                                + presetBy
                                + " unless "
                                + KAFKA_PREFIX
                                + maxRequestSize
                                + " is given"
                        : "");
        return options;
    }

    /**
     * Whether {@code args}, a command line that {@link #parse} reads up to the values of its {@code
     * --kafka.} options, ask for the help: for the job jar without Kafka's classes, which checking
     * those values needs. Read without those options, the command line could be refused where their
     * values allow it (a checkpoint interval within a raised transaction timeout).
     *
     * @throws InvalidOptionsException for a command line that picocli cannot read (an unknown
     *     option, an invalid value); {@link #parse}'s own checks of the options against each other
     *     ({@code --slide} against {@code --window}, say) are not made again
     */
    public static boolean asksForHelp(String... args) {
        List<String> rest = new ArrayList<>();
        KafkaProperties.extract(Arrays.asList(args), rest, RESERVED_PROPERTIES);
        JobCommand command = new JobCommand();
        try {
            commandLine(command).parseArgs(rest.toArray(new String[0]));
        } catch (ParameterException e) {
            throw new InvalidOptionsException(CommandLines.parameterMessage(e, rest), e);
        }
        return command.help;
    }

    /**
     * Exactly-once sinks commit a transaction when the checkpoint after it completes: the
     * producer's transaction timeout must outlast the checkpoint interval, or transactions are
     * aborted before they commit and the job never makes progress.
     */
    private void checkTransactionTimeout() {
        String configured = kafkaProperties.get(TRANSACTION_TIMEOUT);
        if (configured != null && !TRANSACTION_TIMEOUT_MILLIS.matcher(configured).matches()) {
            throw new InvalidOptionsException(
                    "Invalid value for option '"
                            + KAFKA_PREFIX
                            + TRANSACTION_TIMEOUT
                            + "': '"
                            + configured
                            + "' must be a whole number of milliseconds > 0");
        }
        if (deliveryGuarantee != DeliveryGuarantee.EXACTLY_ONCE) {
            return;
        }
        Duration timeout = transactionTimeout();
        if (checkpointInterval.compareTo(timeout) >= 0) {
            throw new InvalidOptionsException(
                    "Invalid value for option '--checkpoint-interval': '"
                            + Durations.format(checkpointInterval)
                            + "' must be shorter than the Kafka transaction timeout ("
                            + TRANSACTION_TIMEOUT
                            + " = "
                            + timeout.toMillis()
                            + ") with --delivery-guarantee exactly-once: a transaction commits only"
                            + " when the next checkpoint completes. Lower --checkpoint-interval or"
                            + " raise --kafka."
                            + TRANSACTION_TIMEOUT
                            + " (the broker caps it at its transaction.max.timeout.ms, 15 minutes"
                            + " by default)");
        }
    }

    /** The help text: what the job does and every option with its default. */
    public static String usage() {
        return commandLine(new JobCommand()).getUsageMessage(Help.Ansi.OFF);
    }

    /**
     * The option list of {@link #usage()}, without its heading: every option with its default and
     * the Kafka client properties, for launchers that pass options on to the job, but {@code
     * leftOut}: those the launcher refuses or handles itself, e.g. {@code --bootstrap-servers} when
     * it gives the job its brokers, and {@code --help} when it prints its own help.
     *
     * @throws IllegalArgumentException for a name that is no option of the job
     */
    public static String optionsUsage(String... leftOut) {
        CommandLine commandLine = commandLine(new JobCommand());
        CommandLine.Model.CommandSpec spec = commandLine.getCommandSpec();
        for (String name : leftOut) {
            CommandLine.Model.OptionSpec option = spec.findOption(name);
            if (option == null) {
                throw new IllegalArgumentException(name + " is no option of the job");
            }
            spec.remove(option);
        }
        commandLine.setHelpSectionKeys(
                List.of(
                        CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
                        CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING,
                        CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER));
        return commandLine.getUsageMessage(Help.Ansi.OFF);
    }

    /**
     * Runs {@code job} with the options of {@code args}, for mains.
     *
     * <p>Prints {@link #usage()} to {@code out} and returns 0 for {@code --help}; prints the
     * problem and a pointer to {@code --help} to {@code err} and returns 2 for invalid options;
     * otherwise returns what {@code job} returns. Exceptions of {@code job} propagate.
     */
    public static int run(
            String[] args, Function<JobOptions, Integer> job, PrintStream out, PrintStream err) {
        JobOptions options;
        try {
            options = parse(args);
        } catch (InvalidOptionsException e) {
            err.println(e.getMessage());
            err.println("Use --help to see every option.");
            err.flush();
            return 2;
        }
        if (options.helpRequested()) {
            out.print(usage());
            out.flush();
            return 0;
        }
        return Objects.requireNonNull(job.apply(options), "the job returned no exit status");
    }

    /**
     * The arguments that {@link #parse} reads back to options equal to these: every option in its
     * {@code --name=value} form, defaults included (but the checkpoint interval under {@code none}
     * and the transactional id prefix but under {@code exactly-once}, which only they take, and the
     * job name when it is the activation's), Kafka properties last in their order.
     */
    public String[] toArgs() {
        List<String> args = new ArrayList<>();
        if (helpRequested) {
            args.add("--help");
        }
        if (!bootstrapServers.isEmpty()) {
            args.add("--bootstrap-servers=" + bootstrapServers);
        }
        args.add("--connect-timeout=" + Durations.format(connectTimeout));
        args.add("--input-topic=" + inputTopic);
        args.add("--output-topic=" + outputTopic);
        args.add("--stats-topic=" + statsTopic);
        args.add("--alerts-topic=" + alertsTopic);
        args.add("--dlq-topic=" + dlqTopic);
        args.add("--late-topic=" + lateTopic);
        args.add("--group-id=" + groupId);
        if (jobName != null) {
            args.add("--job-name=" + jobName);
        }
        args.add("--starting-offsets=" + startingOffsets.optionValue());
        if (bounded) {
            args.add("--bounded");
        }
        args.add("--activation=" + activation.spec());
        args.add(derivatives ? "--derivatives" : "--no-derivatives");
        args.add("--invalid-values=" + invalidValues.optionValue());
        args.add("--window=" + Durations.format(window));
        if (slide != null) {
            args.add("--slide=" + Durations.format(slide));
        }
        args.add("--out-of-orderness=" + Durations.format(outOfOrderness));
        args.add("--idleness=" + Durations.format(idleness));
        args.add("--watermark-interval=" + Durations.format(watermarkInterval));
        args.add("--max-event-time-skew=" + Durations.format(maxEventTimeSkew));
        args.add("--allowed-lateness=" + Durations.format(allowedLateness));
        // Double.toString reads back to the same double.
        args.add("--dead-threshold=" + deadThreshold);
        args.add("--dead-windows=" + deadWindows);
        if (sparsityLimit != null) {
            args.add("--sparsity-limit=" + sparsityLimit);
        }
        args.add("--group-metrics-limit=" + groupMetricsLimit);
        args.add("--delivery-guarantee=" + deliveryGuarantee.optionValue());
        if (deliveryGuarantee != DeliveryGuarantee.NONE) {
            args.add("--checkpoint-interval=" + Durations.format(checkpointInterval));
        }
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            args.add("--transactional-id-prefix=" + transactionalIdPrefix);
        }
        if (!writerSchemas.isEmpty()) {
            args.add("--writer-schemas=" + writerSchemas);
        }
        args.add("--format=" + format.optionValue());
        if (parallelism != null) {
            args.add("--parallelism=" + parallelism);
        }
        kafkaProperties.forEach((name, value) -> args.add(KAFKA_PREFIX + name + "=" + value));
        return args.toArray(new String[0]);
    }

    /** Kafka brokers, {@code host:port} comma-separated; empty only for a help request. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * How long the job waits at start for Kafka to confirm that the input topic exists, the topics
     * it writes too on brokers that do not create topics, and, with exactly-once, for the brokers'
     * cap on transaction timeouts; zero: no checks.
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Topic of the input {@code FeatureVector}s. */
    public String inputTopic() {
        return inputTopic;
    }

    /** Topic of the {@code ActivationVector}s. */
    public String outputTopic() {
        return outputTopic;
    }

    /** Topic of the per-window {@code ActivationStats}. */
    public String statsTopic() {
        return statsTopic;
    }

    /** Topic of the {@code ActivationAlert}s. */
    public String alertsTopic() {
        return alertsTopic;
    }

    /** Topic of the dead letters. */
    public String dlqTopic() {
        return dlqTopic;
    }

    /** Topic of the records that arrived after one of their windows closed. */
    public String lateTopic() {
        return lateTopic;
    }

    /** Kafka consumer group of the input. */
    public String groupId() {
        return groupId;
    }

    /**
     * The Flink job's name, which its metrics carry as {@code job_name}: {@code --job-name}, or
     * {@code relu-stream activation statistics (<spec>)} of the activation.
     */
    public String jobName() {
        return jobName != null
                ? jobName
                : "relu-stream activation statistics (" + activation.spec() + ")";
    }

    /** Where the job starts reading the input topic. */
    public StartingOffsets startingOffsets() {
        return startingOffsets;
    }

    /** Whether the job stops at the offsets that were the latest when it started. */
    public boolean bounded() {
        return bounded;
    }

    /** The activation applied to every feature vector. */
    public VectorActivation activation() {
        return activation;
    }

    /** Whether the activation's derivatives are written with its values. */
    public boolean derivatives() {
        return derivatives;
    }

    /** What happens to NaN and infinite inputs. */
    public InvalidValuePolicy invalidValues() {
        return invalidValues;
    }

    /** Length of the statistics windows; {@code > 0}. */
    public Duration window() {
        return window;
    }

    /** Slide of sliding windows, shorter than and dividing {@link #window()}; empty: tumbling. */
    public Optional<Duration> slide() {
        return Optional.ofNullable(slide);
    }

    /** How far behind the newest event time a record may be and still be on time. */
    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    /** How long a partition without records may hold back event time; {@code > 0}. */
    public Duration idleness() {
        return idleness;
    }

    /** How often watermarks are emitted; zero: after every record. */
    public Duration watermarkInterval() {
        return watermarkInterval;
    }

    /** How far ahead of the clock an event time may be before the record is dead-lettered. */
    public Duration maxEventTimeSkew() {
        return maxEventTimeSkew;
    }

    /** Newer writer schemas of the input, besides the released ones. */
    public WriterSchemas writerSchemas() {
        return writerSchemas;
    }

    /**
     * The producer transaction timeout of exactly-once sinks: {@code
     * --kafka.transaction.timeout.ms}, or 15 minutes, the broker's default cap.
     */
    public Duration transactionTimeout() {
        String configured = kafkaProperties.get(TRANSACTION_TIMEOUT);
        return configured == null
                ? DEFAULT_TRANSACTION_TIMEOUT
                : Duration.ofMillis(Long.parseLong(configured.trim()));
    }

    /**
     * The largest record the job's producers send: {@code --kafka.max.request.size}, or Kafka's
     * default, 1 MiB.
     */
    public int maxRequestSize() {
        String configured = kafkaProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return configured == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(configured.strip());
    }

    /** How long a window still takes late records. */
    public Duration allowedLateness() {
        return allowedLateness;
    }

    /** The share of zero activations at which a feature counts as dead; in {@code (0, 1]}. */
    public double deadThreshold() {
        return deadThreshold;
    }

    /** Consecutive dead windows before a feature is reported; {@code >= 1}. */
    public int deadWindows() {
        return deadWindows;
    }

    /** The share of zero activations above which a window raises an alert; in {@code [0, 1)}. */
    public Optional<Double> sparsityLimit() {
        return Optional.ofNullable(sparsityLimit);
    }

    /**
     * How many groups get metrics of their own in each parallel instance (subtask) of an operator;
     * the rest share one.
     */
    public int groupMetricsLimit() {
        return groupMetricsLimit;
    }

    /** What the job promises about the records it writes. */
    public DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    /** Time between checkpoints; from 10 ms, Flink's shortest, to {@code Long.MAX_VALUE - 1} ms. */
    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** Prefix of the Kafka transactional ids under exactly-once; by default the group id. */
    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    /** Wire format of every topic. */
    public WireFormat format() {
        return format;
    }

    /** Parallelism of every operator; empty: the cluster's default. */
    public OptionalInt parallelism() {
        return parallelism == null ? OptionalInt.empty() : OptionalInt.of(parallelism);
    }

    /** Properties for every Kafka client, in the order given; unmodifiable. */
    public Map<String, String> kafkaProperties() {
        return kafkaProperties;
    }

    /** Whether {@code --help} was given: print {@link #usage()} instead of running. */
    public boolean helpRequested() {
        return helpRequested;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof JobOptions)) {
            return false;
        }
        JobOptions that = (JobOptions) other;
        return bounded == that.bounded
                && derivatives == that.derivatives
                && Double.compare(deadThreshold, that.deadThreshold) == 0
                && deadWindows == that.deadWindows
                && helpRequested == that.helpRequested
                && bootstrapServers.equals(that.bootstrapServers)
                && connectTimeout.equals(that.connectTimeout)
                && inputTopic.equals(that.inputTopic)
                && outputTopic.equals(that.outputTopic)
                && statsTopic.equals(that.statsTopic)
                && alertsTopic.equals(that.alertsTopic)
                && dlqTopic.equals(that.dlqTopic)
                && lateTopic.equals(that.lateTopic)
                && groupId.equals(that.groupId)
                && Objects.equals(jobName, that.jobName)
                && startingOffsets == that.startingOffsets
                && activation.equals(that.activation)
                && invalidValues == that.invalidValues
                && window.equals(that.window)
                && Objects.equals(slide, that.slide)
                && outOfOrderness.equals(that.outOfOrderness)
                && idleness.equals(that.idleness)
                && watermarkInterval.equals(that.watermarkInterval)
                && maxEventTimeSkew.equals(that.maxEventTimeSkew)
                && writerSchemas.equals(that.writerSchemas)
                && allowedLateness.equals(that.allowedLateness)
                && Objects.equals(sparsityLimit, that.sparsityLimit)
                && groupMetricsLimit == that.groupMetricsLimit
                && deliveryGuarantee == that.deliveryGuarantee
                && checkpointInterval.equals(that.checkpointInterval)
                && transactionalIdPrefix.equals(that.transactionalIdPrefix)
                && format == that.format
                && Objects.equals(parallelism, that.parallelism)
                && kafkaProperties.equals(that.kafkaProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                bootstrapServers,
                connectTimeout,
                inputTopic,
                outputTopic,
                statsTopic,
                alertsTopic,
                dlqTopic,
                lateTopic,
                groupId,
                jobName,
                startingOffsets,
                bounded,
                activation,
                derivatives,
                invalidValues,
                window,
                slide,
                outOfOrderness,
                idleness,
                watermarkInterval,
                maxEventTimeSkew,
                writerSchemas,
                allowedLateness,
                deadThreshold,
                deadWindows,
                sparsityLimit,
                groupMetricsLimit,
                deliveryGuarantee,
                checkpointInterval,
                transactionalIdPrefix,
                format,
                parallelism,
                kafkaProperties,
                helpRequested);
    }

    /**
     * The options as arguments, with the values of the Kafka properties hidden: they often hold
     * passwords (sasl.jaas.config, ssl.key.password) and this text ends up in logs.
     */
    @Override
    public String toString() {
        List<String> args = new ArrayList<>(List.of(toArgs()));
        args.removeIf(arg -> arg.startsWith(KAFKA_PREFIX));
        kafkaProperties.keySet().forEach(name -> args.add(KAFKA_PREFIX + name + "=<hidden>"));
        return "JobOptions" + args.stream().collect(Collectors.joining(" ", "[", "]"));
    }

    private static CommandLine commandLine(JobCommand command) {
        return CommandLines.refuseOptionsAsValues(
                        CommandLines.readBooleans(new CommandLine(command)))
                // Arguments such as "@prod" are values here, never files of arguments.
                .setExpandAtFiles(false);
    }

    /** Plain Avro carries no fingerprint: nothing would tell the readers which writer wrote. */
    private static void checkWriterSchemas(JobCommand command) {
        if (command.format == WireFormat.AVRO && !command.writerSchemas.isEmpty()) {
            throw new InvalidOptionsException(
                    "Invalid value for option '--writer-schemas': '"
                            + command.writerSchemas
                            + "' needs --format avro-single-object; plain Avro (--format avro)"
                            + " carries no schema fingerprint, so every record is read with the"
                            + " job's own schema");
        }
    }

    /**
     * Every output needs a topic of its own: records of different schemas in one topic confuse its
     * readers, and two exactly-once sinks of one topic share a transactional id. An output on the
     * input topic would feed the job its own records. Kafka also refuses two topics whose names
     * differ only in '.' against '_' (their metric names collide).
     */
    private static void checkTopics(JobCommand command) {
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("--output-topic", command.outputTopic);
        outputs.put("--stats-topic", command.statsTopic);
        outputs.put("--alerts-topic", command.alertsTopic);
        outputs.put("--dlq-topic", command.dlqTopic);
        outputs.put("--late-topic", command.lateTopic);
        // Keyed by the name with '.' as '_', as Kafka compares them.
        Map<String, String> seen = new LinkedHashMap<>();
        seen.put(command.inputTopic.replace('.', '_'), "--input-topic");
        Map<String, String> topics = new LinkedHashMap<>(outputs);
        topics.put("--input-topic", command.inputTopic);
        for (Map.Entry<String, String> output : outputs.entrySet()) {
            String other = seen.putIfAbsent(output.getValue().replace('.', '_'), output.getKey());
            if (other == null) {
                continue;
            }
            String otherTopic = topics.get(other);
            String clash =
                    otherTopic.equals(output.getValue())
                            ? "is also the topic of " + other
                            : "collides with '"
                                    + otherTopic
                                    + "' of "
                                    + other
                                    + " (Kafka treats '.' and '_' in topic names alike)";
            throw new InvalidOptionsException(
                    "Invalid value for option '"
                            + output.getKey()
                            + "': '"
                            + output.getValue()
                            + "' "
                            + clash
                            + "; the input and every output need topics of their own");
        }
    }

    /**
     * Checks the values of the Kafka properties that Kafka's clients know, as they would when the
     * job starts: a typo then fails here instead of restarting the running job. Unknown names pass
     * (plugins read their own), and so do class names, which only the cluster can load.
     */
    private static void checkKafkaProperties(Map<String, String> properties) {
        if (properties.isEmpty()) {
            // Kafka's classes only when needed: they log through slf4j, which the job jar leaves
            // to Flink's lib folder, and the jar alone reads the options too (JobJarMain).
            return;
        }
        KafkaProperties.checkValues(
                properties,
                List.of(
                        ConsumerConfig.configDef(),
                        ProducerConfig.configDef(),
                        AdminClientConfig.configDef(),
                        KafkaProperties.flinkKafkaSource()),
                READ_BY_THE_JOB);
    }

    /**
     * A dead letter that does not fit leaves out the original bytes, key and headers, but keeps its
     * reason and the error: with a limit under that, the dead-letter sink would fail and the job
     * restart into the same record for ever.
     */
    private void checkMaxRequestSize() {
        checkMaxRequestSize(kafkaProperties, maxRequestSize());
    }

    /**
     * Refuses a {@code --kafka.max.request.size} below {@link #MIN_MAX_REQUEST_SIZE}, for the jobs
     * that write dead letters (this one and the SQL job).
     *
     * @param maxRequestSize the value of the property, or Kafka's default when it is not given
     * @throws InvalidOptionsException naming the option, the value and the floor
     */
    public static void checkMaxRequestSize(
            Map<String, String> kafkaProperties, int maxRequestSize) {
        if (maxRequestSize < MIN_MAX_REQUEST_SIZE) {
            throw new InvalidOptionsException(
                    String.format(
                            Locale.ROOT,
                            "Invalid value for option '%s%s': '%s' must be at least %d bytes, so"
                                    + " that every dead letter fits in one record",
                            KAFKA_PREFIX,
                            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                            kafkaProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                            MIN_MAX_REQUEST_SIZE));
        }
    }

    /**
     * Refuses a {@code --kafka.buffer.memory} below what a producer takes from it at once: a buffer
     * of {@code batch.size}, or of the record when larger. A producer refuses a record larger than
     * its buffer.memory and throws from {@code send} on a batch.size above it, so the sink would
     * fail on every record, or on the first large one, and the job restart into it for ever. Not
     * given, the buffer is Kafka's default, 32 MiB, which a larger max.request.size outgrows.
     *
     * @param maxRequestSize the producers' {@code max.request.size}: the largest record they send
     * @param defaultBatchSize the producers' {@code batch.size} when {@code --kafka.batch.size} is
     *     not given
     * @throws InvalidOptionsException naming the option, the value and the least it may be
     */
    public static void checkBufferMemory(
            Map<String, String> kafkaProperties, int maxRequestSize, int defaultBatchSize) {
        checkBufferMemory(kafkaProperties, maxRequestSize, defaultBatchSize, "");
    }

    /**
     * {@link #checkBufferMemory(Map, int, int)}, saying after the max.request.size where it comes
     * from ({@code ""}: the user or Kafka's default).
     */
    private static void checkBufferMemory(
            Map<String, String> kafkaProperties,
            int maxRequestSize,
            int defaultBatchSize,
            String maxRequestSizeFrom) {
        // A config provider's batch.size is resolved where the job runs; the records are still up
        // to max.request.size.
        Long batchSize = KafkaProperties.batchSize(kafkaProperties, defaultBatchSize);
        KafkaProperties.checkBufferMemory(
                kafkaProperties,
                batchSize == null ? maxRequestSize : Math.max(batchSize, maxRequestSize),
                String.format(
                        Locale.ROOT,
                        "what the producer takes from it at once: batch.size (%s), or a record of"
                                + " up to max.request.size (%d%s) when larger",
                        KafkaProperties.describeBatchSize(batchSize),
                        maxRequestSize,
                        maxRequestSizeFrom),
                List.of(ProducerConfig.BATCH_SIZE_CONFIG, ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    }

    /**
     * Kafka's clients also check their properties against each other when the job creates them (an
     * idempotent producer needs acks=all, a consumer of group.protocol=consumer takes no
     * session.timeout.ms). Configured here as the job configures them, they fail now instead of
     * failing every restart of the running job. Class names are left out, as above.
     */
    private void checkKafkaClients() {
        if (kafkaProperties.isEmpty()) {
            return;
        }
        Map<String, Object> consumer = withoutClasses(ConsumerConfig.configDef());
        // Any broker will do: --bootstrap-servers is checked on its own (and may be missing).
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        KafkaProperties.checkConsumer(consumer, "the job's Kafka consumer");

        Map<String, Object> producer = withoutClasses(ProducerConfig.configDef());
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        ProducerConfig checked =
                KafkaProperties.checkProducer(
                        producer, kafkaProperties, "the job's Kafka producers");
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            String twoPhaseCommit = ProducerConfig.TRANSACTION_TWO_PHASE_COMMIT_ENABLE_CONFIG;
            if (checked.getBoolean(twoPhaseCommit)) {
                // The sinks' producers would fail as they start, and the job restart for ever.
                throw new InvalidOptionsException(
                        "Invalid value for option '"
                                + KAFKA_PREFIX
                                + twoPhaseCommit
                                + "': '"
                                + kafkaProperties.get(twoPhaseCommit)
                                + "' does not go with --delivery-guarantee exactly-once: its sinks"
                                + " commit their transactions on checkpoints, within the "
                                + TRANSACTION_TIMEOUT
                                + " the job sets ("
                                + transactionTimeout().toMillis()
                                + "), and Kafka's producer takes no transaction timeout with"
                                + " two-phase commit; leave the option out");
            }
            Map<String, Object> transactional = new LinkedHashMap<>(producer);
            transactional.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalIdPrefix);
            try {
                new ProducerConfig(transactional);
            } catch (KafkaException e) {
                // Without the transactional id the producer was fine: the options turn off the
                // idempotence that transactions need.
                throw new InvalidOptionsException(
                        "Invalid --kafka. options for --delivery-guarantee exactly-once: Kafka"
                                + " transactions need an idempotent producer, which is off with "
                                + idempotenceOptions()
                                + "; leave them out, or use enable.idempotence=true, acks=all,"
                                + " retries above 0 and max.in.flight.requests.per.connection"
                                + " at most 5",
                        e);
            }
        }
    }

    /**
     * The Kafka properties but those that only the cluster can read: class names, config providers
     * and the values they provide (a secrets file on the TaskManagers is not on this machine).
     */
    private Map<String, Object> withoutClasses(ConfigDef client) {
        return KafkaProperties.checkable(kafkaProperties, client, READ_BY_THE_JOB);
    }

    /** The given producer options that decide whether it is idempotent, as typed. */
    private String idempotenceOptions() {
        return List.of(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        ProducerConfig.ACKS_CONFIG,
                        ProducerConfig.RETRIES_CONFIG,
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)
                .stream()
                .filter(kafkaProperties::containsKey)
                .map(name -> KAFKA_PREFIX + name + "=" + kafkaProperties.get(name))
                .collect(Collectors.joining(", "));
    }

    /**
     * Picocli reads {@code --derivatives=} as {@code --derivatives=false}: an empty value (an unset
     * shell variable, say) would silently turn the option off. Every other option refuses it.
     */
    private static void checkBooleanValues(CommandLine.Model.CommandSpec spec, List<String> args) {
        String invalidBoolean = CommandLines.invalidBooleanValue(spec, args);
        if (invalidBoolean != null) {
            throw new InvalidOptionsException(invalidBoolean);
        }
    }

    /**
     * Refuses the options that {@code guarantee} would leave unused without a word: the checkpoint
     * interval under {@code none}, which takes no checkpoints, and the transactional id prefix but
     * under {@code exactly-once}, the only guarantee that writes through transactions.
     */
    private static void checkUsedByTheGuarantee(DeliveryGuarantee guarantee, ParseResult result) {
        if (guarantee == DeliveryGuarantee.NONE) {
            refuseIfGiven(
                    result,
                    "--checkpoint-interval",
                    "is not used with --delivery-guarantee none, which takes no checkpoints; leave"
                            + " it out, or choose at-least-once or exactly-once");
        }
        if (guarantee != DeliveryGuarantee.EXACTLY_ONCE) {
            refuseIfGiven(
                    result,
                    "--transactional-id-prefix",
                    "is not used with --delivery-guarantee "
                            + guarantee.optionValue()
                            + ", which writes without transactions; leave it out, or choose"
                            + " exactly-once");
        }
    }

    private static void refuseIfGiven(ParseResult result, String option, String why) {
        if (result.hasMatchedOption(option)) {
            String typed = result.matchedOption(option).originalStringValues().get(0);
            throw new InvalidOptionsException(
                    "Invalid option '" + option + "': '" + typed + "' " + why);
        }
    }

    private static void checkSlide(Duration window, Duration slide, ParseResult result) {
        if (slide == null) {
            return;
        }
        // Quoted as typed, like every other invalid value.
        String typed = result.matchedOption("--slide").originalStringValues().get(0);
        String prefix = "Invalid value for option '--slide': '" + typed + "' ";
        if (slide.compareTo(window) >= 0) {
            throw new InvalidOptionsException(
                    prefix
                            + "must be shorter than --window ("
                            + Durations.format(window)
                            + "); leave --slide out for tumbling windows");
        }
        if (window.toMillis() % slide.toMillis() != 0) {
            throw new InvalidOptionsException(
                    prefix
                            + "does not divide --window ("
                            + Durations.format(window)
                            + "); the window must be a multiple of the slide so that windows"
                            + " align");
        }
        long windowsPerRecord = window.toMillis() / slide.toMillis();
        if (windowsPerRecord > MAX_WINDOWS_PER_RECORD) {
            throw new InvalidOptionsException(
                    String.format(
                            Locale.ROOT,
                            "%sputs every record in %,d windows of --window (%s); at most %,d are"
                                    + " allowed, since each holds statistics of its own",
                            prefix,
                            windowsPerRecord,
                            Durations.format(window),
                            MAX_WINDOWS_PER_RECORD));
        }
    }

    private static String missingMessage(MissingParameterException e) {
        // Picocli names a missing option by its parameter label, which is long here. The same
        // exception reports a value missing after an option ("--window" last): that one is fine.
        // --bootstrap-servers is the only required option.
        if (e.getMessage().startsWith("Missing required option")) {
            return CommandLines.MISSING_BOOTSTRAP_SERVERS;
        }
        return e.getMessage();
    }

    private static String unmatchedMessage(UnmatchedArgumentException e) {
        List<String> unmatched = e.getUnmatched();
        if (unmatched.isEmpty()) {
            return e.getMessage();
        }
        return unmatchedMessage(unmatched);
    }

    private static String unmatchedMessage(List<String> unmatched) {
        // Picocli's "Unmatched argument at index n" counts without the --kafka. options.
        return CommandLines.unmatchedMessage(unmatched);
    }
}
