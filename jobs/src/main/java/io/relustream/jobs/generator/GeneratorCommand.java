package io.relustream.jobs.generator;

import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordEncoder;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.options.CommandLines;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.KafkaProperties;
import io.relustream.jobs.options.OptionConverters;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Produces synthetic {@link FeatureVector}s to Kafka at a steady rate (see {@link FeatureGenerator}
 * for what they hold).
 *
 * <pre>{@code
 * java -cp "relu-stream-jobs.jar:$FLINK_HOME/lib/*" io.relustream.jobs.generator.GeneratorCommand \
 *     --bootstrap-servers localhost:9092 --rate 500 --groups 4 --dimensions 64 --dead-share 0.1
 * }</pre>
 *
 * <p>(The Kafka client logs through SLF4J, which the job jar leaves to Flink: Flink's {@code lib/}
 * has it, and a logger; {@code slf4j-api.jar} alone also does.)
 */
@Command(
        name = "generate-features",
        usageHelpWidth = 100,
        sortOptions = false,
        description = {
            "Produces synthetic feature vectors with dead features, NaN and late data.",
            "Exits 2 for an invalid option (a --topic the cluster does not have within"
                    + " --connect-timeout and does not create on first use,"
                    + " auto.create.topics.enable=false, included), 1 when"
                    + " the brokers do not answer within --connect-timeout or refuse to"
                    + " authenticate it (check the --kafka. security options), and once it stops"
                    + " when the brokers refused records: a refused record does not stop it, and"
                    + " the first of each reason is printed at once."
                    + " Ctrl-C or SIGTERM stops it once the records produced so far are sent"
                    + " (waiting up to 30s)."
        },
        footerHeading = "%nKafka client properties:%n",
        // Laid out by hand like an option entry: picocli does not wrap footers with an indent.
        footer = {
            "      --kafka.<property>=<value>, --kafka.<property> <value>",
            "                             Passed to the generator's Kafka producer and admin",
            "                               client, e.g. --kafka.security.protocol=SASL_SSL.",
            "                               Repeatable; each property at most once. The",
            "                               producer defaults to acks=all and linger.ms=5.",
            "                               max.request.size must fit its largest record",
            "                               (the jobs' 64 KiB is room for dead letters);",
            "                               buffer.memory must take batch.size, and that",
            "                               record when larger.",
        })
public final class GeneratorCommand implements Callable<Integer> {

    private static final String OWN_SERIALIZATION =
            "the generator writes Avro bytes itself; --format chooses their wire format";

    /**
     * Kafka properties the generator sets itself, with what to do instead: a transactional id would
     * make every send fail, since the generator starts no transactions.
     */
    private static final Map<String, String> RESERVED_PROPERTIES =
            Map.of(
                    "bootstrap.servers",
                    "use --bootstrap-servers instead",
                    "transactional.id",
                    "the generator does not produce in transactions",
                    "key.serializer",
                    OWN_SERIALIZATION,
                    "value.serializer",
                    OWN_SERIALIZATION);

    /** The producer's properties unless {@code --kafka.} options say otherwise. */
    private static final Map<String, Object> PRODUCER_DEFAULTS =
            Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ACKS_CONFIG, "all");

    /** How long a Ctrl-C or SIGTERM waits for the records handed to the producer to be sent. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "<host:port>[,<host:port>...]",
            converter = OptionConverters.BootstrapServers.class,
            description = "Kafka brokers to connect to. Required.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = "features",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description = "Topic to write the FeatureVector records to. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(
            names = "--connect-timeout",
            defaultValue = "30s",
            paramLabel = "<duration>",
            converter = OptionConverters.PositiveDuration.class,
            description =
                    "How long to wait at start for the brokers to answer, and for --topic to"
                            + " exist on a cluster that does not create topics on first use; more"
                            + " than 0s, since the generator cannot produce without its brokers"
                            + " (the jobs' 0s leaves their checks to the cluster)."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Mixin GeneratorOptions generator;

    @Option(
            names = "--count",
            defaultValue = "0",
            paramLabel = "<count>",
            converter = OptionConverters.NonNegativeLong.class,
            description =
                    "Stop after this many records; 0 runs until stopped. Default:"
                            + " ${DEFAULT-VALUE}.")
    long count;

    @Option(
            names = "--format",
            defaultValue = "avro-single-object",
            paramLabel = "<format>",
            converter = OptionConverters.WireFormatValue.class,
            description = "avro-single-object or avro. Default: ${DEFAULT-VALUE}.")
    WireFormat format;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print this help and exit.")
    boolean help;

    /** The {@code --kafka.<property>} options (picocli has no prefix options), and any mistake. */
    @Unmatched List<String> unmatched = new ArrayList<>();

    /** The {@code --kafka.} properties, once {@link #checkOptions} has read them. */
    private Map<String, String> kafkaProperties = Map.of();

    public static void main(String[] args) {
        int status;
        try {
            status = commandLine().execute(args);
        } catch (NoClassDefFoundError missing) {
            // From the job jar alone --help and bad options work; the Kafka client does not.
            if (missing.getMessage() == null || !missing.getMessage().startsWith("org/slf4j/")) {
                throw missing;
            }
            System.err.println(
                    "The generator needs slf4j-api on the class path for the Kafka client, which"
                            + " logs through it and which the job jar leaves to Flink: run it"
                            + " beside Flink's lib/, e.g. java -cp"
                            + " \"relu-stream-jobs.jar:$FLINK_HOME/lib/*\" "
                            + GeneratorCommand.class.getName()
                            + " ...");
            status = 1;
        }
        System.exit(status);
    }

    /**
     * The command line of the generator, as {@code main} runs it: an invalid option prints one line
     * naming it (with {@code --help} too) and exits 2.
     */
    public static CommandLine commandLine() {
        GeneratorCommand command = new GeneratorCommand();
        return CommandLines.of(command, CommandLines.USE_HELP, command::checkOptions);
    }

    @Spec CommandSpec spec;

    /**
     * Checks the options against each other, as {@code --help} does too.
     *
     * @throws ParameterException naming the option and the value
     */
    private FeatureGenerator.Settings checkOptions() {
        try {
            List<String> rest = new ArrayList<>();
            kafkaProperties = KafkaProperties.extract(unmatched, rest, RESERVED_PROPERTIES);
            if (!rest.isEmpty()) {
                throw new IllegalArgumentException(CommandLines.unmatchedMessage(rest));
            }
            // Kafka's classes only when needed: they log through slf4j, which the job jar
            // leaves to Flink's lib folder, and --help or a bad option must not need it.
            if (!kafkaProperties.isEmpty()) {
                checkKafkaProperties(kafkaProperties);
                checkMaxRequestSize();
                checkBufferMemory();
            }
            return generator.settings();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * Refuses a {@code --kafka.max.request.size} that the largest record of {@code --dimensions}
     * would not fit in: the producer would refuse every record. The generator writes no dead
     * letters, so the jobs' floor (64 KiB, room for a dead letter's reason) is not its own.
     */
    private void checkMaxRequestSize() {
        String configured = kafkaProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (configured == null) {
            return;
        }
        // Checked as an int by checkKafkaProperties; a config provider's value is left to it.
        int maxRequestSize;
        try {
            maxRequestSize = Integer.parseInt(configured.strip());
        } catch (NumberFormatException provided) {
            return;
        }
        long largest = FeatureGenerator.largestRecordBytes(generator.groups, generator.dimensions);
        if (maxRequestSize < largest) {
            throw new IllegalArgumentException(
                    "Invalid value for option '"
                            + KafkaProperties.PREFIX
                            + ProducerConfig.MAX_REQUEST_SIZE_CONFIG
                            + "': '"
                            + configured
                            + "' must be at least "
                            + largest
                            + " bytes, the largest record of --dimensions "
                            + generator.dimensions
                            + " and --groups "
                            + generator.groups
                            + " with its key and Kafka's framing");
        }
    }

    /**
     * Refuses a {@code --kafka.buffer.memory} smaller than what the producer takes from it for a
     * batch: {@code batch.size}, or the record when larger. The producer refuses a larger record
     * (and throws from {@code send} on a batch.size above it), so every record would fail. Not
     * given, the buffer is Kafka's default, 32 MiB.
     */
    private void checkBufferMemory() {
        Long batchSize =
                KafkaProperties.batchSize(
                        kafkaProperties,
                        (Integer)
                                ProducerConfig.configDef()
                                        .defaultValues()
                                        .get(ProducerConfig.BATCH_SIZE_CONFIG));
        long largest = FeatureGenerator.largestRecordBytes(generator.groups, generator.dimensions);
        // A config provider's batch.size is resolved by the producer; the records are known here.
        KafkaProperties.checkBufferMemory(
                kafkaProperties,
                batchSize == null ? largest : Math.max(batchSize, largest),
                "what the producer takes from it for a batch: batch.size ("
                        + KafkaProperties.describeBatchSize(batchSize)
                        + "), or the largest record of --dimensions "
                        + generator.dimensions
                        + " and --groups "
                        + generator.groups
                        + " with its key and Kafka's framing ("
                        + largest
                        + ") when larger",
                // Not max.request.size: the records are known, and the largest is checked.
                List.of(ProducerConfig.BATCH_SIZE_CONFIG));
    }

    /**
     * Checks the {@code --kafka.} properties as the producer and the admin client would, alone and
     * together.
     */
    private static void checkKafkaProperties(Map<String, String> kafkaProperties) {
        KafkaProperties.checkValues(
                kafkaProperties,
                List.of(ProducerConfig.configDef(), AdminClientConfig.configDef()),
                Set.of());
        // Together too, as the producer checks them when it is created.
        Map<String, Object> producer = new LinkedHashMap<>(PRODUCER_DEFAULTS);
        producer.putAll(
                KafkaProperties.checkable(kafkaProperties, ProducerConfig.configDef(), Set.of()));
        // Any broker will do: --bootstrap-servers is checked on its own (and may be missing).
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        KafkaProperties.checkProducer(producer, kafkaProperties, "the generator's Kafka producer");
    }

    @Override
    public Integer call() throws Exception {
        FeatureGenerator.Settings settings = checkOptions();
        try {
            checkKafka(bootstrapServers, topic, connectTimeout, kafkaProperties);
        } catch (KafkaException e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        // Ctrl-C or SIGTERM: the JVM ends as soon as its shutdown hooks return, so the hook waits
        // (for a bounded time) until the records handed to the producer are sent.
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(1);
        Thread shutdownHook =
                new Thread(
                        () -> {
                            running.set(false);
                            try {
                                done.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "generator-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            long sent =
                    produce(
                            bootstrapServers,
                            topic,
                            format,
                            new FeatureGenerator(settings),
                            generator.rate(),
                            count,
                            running,
                            kafkaProperties,
                            System.err::println);
            System.err.println(
                    "Produced " + sent + (sent == 1 ? " record" : " records") + " to " + topic);
            return 0;
        } catch (KafkaException e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (ProducerNotMade e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // From the producer's classes at run time (a partitioner refusing a record): no option
            // the generator read is at fault.
            System.err.println("Could not produce to " + topic + ": " + e.getMessage());
            return 1;
        } finally {
            System.err.flush();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // Stopped by a signal: the hook is waiting for us.
            }
        }
    }

    /**
     * Asks the brokers for their cluster id, and for {@code topic}: without this, a broker that
     * cannot be reached, or a topic that does not exist on a cluster that does not create topics on
     * first use, makes every record wait a minute (the producer's max.block.ms) and fail, and the
     * generator says nothing until then.
     *
     * @throws KafkaException naming {@code --bootstrap-servers} and its value when no broker
     *     answers within {@code timeout}, or when the brokers refuse to authenticate the client
     * @throws IllegalArgumentException naming {@code --topic} and its value when the cluster still
     *     has no such topic when {@code timeout} has passed, and its brokers do not create topics
     *     on first use
     */
    static void checkKafka(
            String bootstrapServers,
            String topic,
            Duration timeout,
            Map<String, String> kafkaProperties) {
        checkKafka(bootstrapServers, topic, timeout, kafkaProperties, () -> {});
    }

    /**
     * {@link #checkKafka(String, String, Duration, Map)}, running {@code whileMissing} once, when
     * the topic is first found missing on a cluster that does not create it.
     */
    static void checkKafka(
            String bootstrapServers,
            String topic,
            Duration timeout,
            Map<String, String> kafkaProperties,
            Runnable whileMissing) {
        long deadline = Durations.deadlineNanos(timeout);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        String problem;
        // With the producer's own properties, security above all.
        Map<String, Object> config = new HashMap<>(kafkaProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Both, or the admin client refuses an API timeout below the request timeout.
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
        try (Admin admin = Admin.create(config)) {
            Collection<Node> brokers =
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMillis))
                            .nodes()
                            .get();
            checkTopic(
                    admin,
                    brokers,
                    bootstrapServers,
                    topic,
                    timeout,
                    deadline,
                    timeoutMillis,
                    whileMissing);
            return;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException) {
                // The brokers answered, and said no: a longer timeout would not help.
                throw new KafkaException(
                        "Kafka at --bootstrap-servers '"
                                + bootstrapServers
                                + "' refused to authenticate the generator ("
                                + e.getCause().getMessage()
                                + "); check the --kafka. security options (security.protocol,"
                                + " sasl.mechanism, sasl.jaas.config, ssl.*) against the brokers'"
                                + " listener",
                        e.getCause());
            }
            problem = e.getCause().getMessage();
        } catch (KafkaException e) {
            // Creating the client: no address of the list resolves, or a file of the security
            // settings is not there. Nothing was waited for, so a longer timeout would not help.
            throw new KafkaException(
                    "Could not connect to Kafka at --bootstrap-servers '"
                            + bootstrapServers
                            + "': "
                            + KafkaProperties.whyNoClient(e)
                            + "; check the option and the --kafka. options",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
        throw new KafkaException(
                "Could not reach Kafka at --bootstrap-servers '"
                        + bootstrapServers
                        + "' within "
                        + Durations.format(timeout)
                        + " ("
                        + problem
                        + "); check the option and that the brokers are up, or raise"
                        + " --connect-timeout");
    }

    /**
     * Fails when the cluster still has no topic {@code topic} at {@code deadline} (of {@link
     * System#nanoTime}) and none of {@code brokers} creates topics on first use: as the job does
     * for its input topic, it looks again every half second, so a topic created just after the
     * generator started (by an init script, say) is found. Whatever the cluster does not tell
     * (describing the topic or the brokers' configs not allowed, say) leaves it to the producer, as
     * without the check.
     */
    private static void checkTopic(
            Admin admin,
            Collection<Node> brokers,
            String bootstrapServers,
            String topic,
            Duration timeout,
            long deadline,
            int timeoutMillis,
            Runnable whileMissing)
            throws InterruptedException {
        if (!topicMissing(admin, topic, timeoutMillis)) {
            return;
        }
        String autoCreate = "auto.create.topics.enable";
        List<ConfigResource> resources =
                brokers.stream()
                        .map(
                                node ->
                                        new ConfigResource(
                                                ConfigResource.Type.BROKER, node.idString()))
                        .toList();
        Collection<Config> configs;
        try {
            configs =
                    admin.describeConfigs(
                                    resources,
                                    new DescribeConfigsOptions().timeoutMs(timeoutMillis))
                            .all()
                            .get()
                            .values();
        } catch (ExecutionException e) {
            System.err.println(
                    "Kafka has no topic --topic '"
                            + topic
                            + "' yet, and did not say whether it creates topics on first use ("
                            + e.getCause().getMessage()
                            + "); producing to it anyway");
            return;
        }
        // Any broker the producer asks may create it, so only all of them saying no is a no.
        boolean created =
                configs.stream()
                        .map(config -> config.get(autoCreate))
                        .anyMatch(
                                entry -> entry == null || !"false".equalsIgnoreCase(entry.value()));
        if (created) {
            System.err.println(
                    "Kafka has no topic --topic '"
                            + topic
                            + "' yet; it creates it with the first record ("
                            + autoCreate
                            + "=true)");
            return;
        }
        System.err.println(
                "Kafka has no topic --topic '"
                        + topic
                        + "' yet; looking for it again until --connect-timeout "
                        + Durations.format(timeout)
                        + " has passed");
        whileMissing.run();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalArgumentException(
                        "Invalid value for option '--topic': '"
                                + topic
                                + "' is not a topic of the Kafka cluster at --bootstrap-servers '"
                                + bootstrapServers
                                + "' (looked for during "
                                + Durations.format(timeout)
                                + ", --connect-timeout), which does not create topics on first"
                                + " use ("
                                + autoCreate
                                + "=false); create it first");
            }
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 500));
            if (!topicMissing(admin, topic, timeoutMillis)) {
                return;
            }
        }
    }

    /**
     * Whether Kafka says that it has no topic {@code topic}; any other answer (the topic, or an
     * error such as describing it not allowed) is not a no.
     */
    private static boolean topicMissing(Admin admin, String topic, int timeoutMillis)
            throws InterruptedException {
        try {
            admin.describeTopics(
                            List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMillis))
                    .allTopicNames()
                    .get();
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof UnknownTopicOrPartitionException;
        }
    }

    /**
     * Why the producer could not be made: below KafkaProducer's own "Failed to construct kafka
     * producer", the reason, which names the class (not further down: a ClassNotFoundException says
     * no more than its name).
     */
    private static String whyNotMade(KafkaException e) {
        Throwable reason =
                e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
        return reason.getMessage();
    }

    /**
     * When record {@code sent} (counting from 0) is due, in nanoseconds after the first. Whole
     * seconds first: {@code sent * 1e9} overflows a long after 9.2e9 records, a day at 100,000/s,
     * and the generator would then stop waiting.
     */
    static long dueNanos(long sent, int rate) {
        return sent / rate * 1_000_000_000L + sent % rate * 1_000_000_000L / rate;
    }

    /**
     * Produces records at {@code rate} per second until {@code count} (0: no limit) or until {@code
     * running} turns false. A record the broker refuses does not stop it, as it stops neither
     * Kafka's console producer nor its perf-test tool: a refusal may be of some records only (a
     * late one on a topic that bounds how old a timestamp may be, or those sent while a broker was
     * away), and one that is of every record is printed at once; see {@link #produce(String,
     * String, WireFormat, FeatureGenerator, int, long, AtomicBoolean, Map, Consumer)}.
     *
     * @return the number of records produced
     * @throws KafkaException when the broker did not take some of them, with the first reason
     */
    public static long produce(
            String bootstrapServers,
            String topic,
            WireFormat format,
            FeatureGenerator generator,
            int rate,
            long count,
            AtomicBoolean running)
            throws InterruptedException {
        return produce(
                bootstrapServers,
                topic,
                format,
                generator,
                rate,
                count,
                running,
                Map.of(),
                System.err::println);
    }

    /**
     * {@link #produce(String, String, WireFormat, FeatureGenerator, int, long, AtomicBoolean)} with
     * {@code kafkaProperties} for the producer, over its defaults (acks=all, linger.ms=5), handing
     * {@code refusals} one line as soon as the broker refuses a record, and one for each later
     * refusal of another kind (exception class), so that a generator run until stopped is not
     * silent while every record is refused. It runs on the producer's I/O thread, or on the calling
     * thread for a record the producer refuses before sending it (too large, say).
     *
     * @throws IllegalArgumentException when the producer cannot be made from {@code
     *     kafkaProperties} (a class it cannot load or use), naming the reason
     */
    public static long produce(
            String bootstrapServers,
            String topic,
            WireFormat format,
            FeatureGenerator generator,
            int rate,
            long count,
            AtomicBoolean running,
            Map<String, String> kafkaProperties,
            Consumer<String> refusals)
            throws InterruptedException {
        AvroRecordEncoder<FeatureVector> encoder =
                AvroRecordEncoder.of(FeatureVector.class, format);
        Map<String, Object> config = new HashMap<>(PRODUCER_DEFAULTS);
        config.putAll(kafkaProperties);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        long sent = 0;
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        Set<Class<?>> reported = ConcurrentHashMap.newKeySet();
        KafkaProducer<byte[], byte[]> created;
        try {
            created =
                    new KafkaProducer<>(
                            config, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            // Made before it connects: only its configuration fails here, the classes it loads
            // (a partitioner, interceptors), which the checks at start leave to it.
            throw new ProducerNotMade(
                    "Invalid --kafka. options for the generator's Kafka producer: "
                            + whyNotMade(e)
                            + "; the classes they name must be on the generator's class path, of"
                            + " the kind their property takes",
                    e);
        }
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = created) {
            while (running.get() && (count == 0 || sent < count)) {
                long due = start + dueNanos(sent, rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                FeatureVector vector = generator.next(System.currentTimeMillis());
                String id = vector.getId();
                Callback countFailures =
                        (metadata, exception) -> {
                            if (exception == null) {
                                return;
                            }
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, exception);
                            if (reported.add(exception.getClass())) {
                                refusals.accept(
                                        "Record "
                                                + id
                                                + " could not be produced to "
                                                + topic
                                                + ": "
                                                + exception.getMessage()
                                                + "; going on (a refusal for another reason is"
                                                + " reported too; how many records could not be"
                                                + " produced follows when the generator stops,"
                                                + " with status 1)");
                            }
                        };
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                null,
                                vector.getEventTime().toEpochMilli(),
                                id.getBytes(StandardCharsets.UTF_8),
                                encoder.encode(vector)),
                        countFailures);
                sent++;
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new KafkaException(
                    failed.get()
                            + " of "
                            + sent
                            + (sent == 1 ? " record" : " records")
                            + " could not be produced to "
                            + topic
                            + ": "
                            + firstFailure.get().getMessage(),
                    firstFailure.get());
        }
        return sent;
    }

    /**
     * The producer could not be made from the {@code --kafka.} options: a bad option, unlike an
     * IllegalArgumentException its classes throw while producing.
     */
    private static final class ProducerNotMade extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ProducerNotMade(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
