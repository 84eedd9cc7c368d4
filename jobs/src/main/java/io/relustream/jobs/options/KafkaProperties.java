package io.relustream.jobs.options;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code --kafka.<property>=<value>} options of the job, the generator, the report and the SQL
 * job: read from the command line and checked as Kafka's clients would check them, so that a typo
 * exits with status 2 before anything starts instead of failing later.
 *
 * <pre>{@code
 * List<String> rest = new ArrayList<>();
 * Map<String, String> properties =
 *         KafkaProperties.extract(
 *                 Arrays.asList(args),
 *                 rest,
 *                 Map.of("bootstrap.servers", "use --bootstrap-servers instead"));
 * KafkaProperties.checkValues(properties, List.of(ProducerConfig.configDef()), Set.of());
 * }</pre>
 *
 * <p>The methods that check ({@code extract}, {@code checkValues}, {@code checkConsumer}, {@code
 * checkProducer}) throw {@link InvalidOptionsException} naming the option.
 */
public final class KafkaProperties {

    /** The prefix of the Kafka client properties on the command line. */
    public static final String PREFIX = "--kafka.";

    /**
     * A producer's {@code buffer.memory} when none is given: Kafka's default, 32 MiB. Written out,
     * not read from {@code ProducerConfig}: loading Kafka's configuration classes needs slf4j,
     * which the job jar leaves to Flink, and {@code --help} from the jar alone must not.
     */
    static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;

    /** Kafka's property of config providers, which fill in {@code ${provider:key}} values. */
    private static final String CONFIG_PROVIDERS = "config.providers";

    /**
     * The options Flink's Kafka source reads from the consumer properties (KafkaSourceOptions),
     * typed as it parses them; {@code client.id.prefix} takes any text. Made on demand: Kafka's
     * classes log through slf4j, which the job jar leaves to Flink, and reading the options without
     * any {@code --kafka.} property must not need it.
     */
    public static ConfigDef flinkKafkaSource() {
        return new ConfigDef()
                .define(
                        "partition.discovery.interval.ms",
                        ConfigDef.Type.LONG,
                        ConfigDef.Importance.LOW,
                        "Milliseconds between looks for new partitions; <= 0: none")
                .define(
                        "commit.offsets.on.checkpoint",
                        ConfigDef.Type.BOOLEAN,
                        ConfigDef.Importance.LOW,
                        "Whether checkpoints commit the group's offsets")
                .define(
                        "register.consumer.metrics",
                        ConfigDef.Type.BOOLEAN,
                        ConfigDef.Importance.LOW,
                        "Whether the consumer's metrics are Flink metrics");
    }

    private KafkaProperties() {}

    /**
     * Moves the {@code --kafka.<property>} options of {@code args} into the returned map, in their
     * order, and every other argument into {@code rest}. A separate value is the next argument
     * unless that starts with {@code --}, as no Kafka value does but every option does.
     *
     * @param reserved properties the command sets itself, with what to do instead
     * @throws InvalidOptionsException for a missing name or value, a name with a space or an empty
     *     part between dots, a reserved property, a property given twice, or an argument after
     *     {@code --}
     */
    public static Map<String, String> extract(
            List<String> args, List<String> rest, Map<String, String> reserved) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = Objects.requireNonNull(args.get(i), "args[" + i + "]");
            if (arg.equals("--")) {
                // Everything after "--" would be a positional argument, and the commands take none.
                if (i + 1 < args.size()) {
                    throw new InvalidOptionsException(
                            CommandLines.unexpectedArgument(args.get(i + 1)));
                }
                break;
            }
            if (!arg.startsWith(PREFIX)) {
                rest.add(arg);
                continue;
            }
            int equals = arg.indexOf('=');
            String name = arg.substring(PREFIX.length(), equals < 0 ? arg.length() : equals);
            String option = PREFIX + name;
            if (name.isBlank()) {
                // Only up to the '=': values may be secrets, and messages end up in logs.
                throw new InvalidOptionsException(
                        "Invalid option '"
                                + option
                                + "': the Kafka property name is missing; use"
                                + " --kafka.<property>=<value>, e.g."
                                + " --kafka.security.protocol=SASL_SSL");
            }
            // Such a name would pass as a property Kafka does not know, and be ignored.
            if (!name.matches("[^.\\s]+(\\.[^.\\s]+)*")) {
                throw new InvalidOptionsException(
                        "Invalid option '"
                                + option
                                + "': '"
                                + name
                                + "' is not a Kafka property name: it holds a space or an empty"
                                + " part between dots; use --kafka.<property>=<value>, e.g."
                                + " --kafka.security.protocol=SASL_SSL");
            }
            String value;
            if (equals >= 0) {
                // Everything after the first '=': JAAS configurations hold '=' and spaces.
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                throw new InvalidOptionsException(
                        "Missing value for option '"
                                + option
                                + "'; use "
                                + option
                                + "=<value> or "
                                + option
                                + " <value>");
            }
            // In any case: Kafka's names are case-sensitive, and another case would be ignored.
            String instead =
                    reserved.entrySet().stream()
                            .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                            .map(Map.Entry::getValue)
                            .findFirst()
                            .orElse(null);
            if (instead != null) {
                throw new InvalidOptionsException("Invalid option '" + option + "': " + instead);
            }
            if (properties.put(name, value) != null) {
                throw new InvalidOptionsException(
                        "Option '" + option + "' should be specified only once");
            }
        }
        return properties;
    }

    /**
     * Checks the values of the properties that {@code clients} know, each on its own, as the
     * clients would. Unknown names pass (plugins read their own), and so do class names and values
     * of config providers, which only the machine that runs the clients can read.
     *
     * @param readHere properties the command reads itself, which must be given as values
     */
    public static void checkValues(
            Map<String, String> properties, List<ConfigDef> clients, Set<String> readHere) {
        for (Map.Entry<String, String> property : properties.entrySet()) {
            checkCase(property.getKey(), clients);
            if (provided(properties, property.getKey(), property.getValue(), readHere)) {
                continue;
            }
            for (ConfigDef client : clients) {
                ConfigDef.ConfigKey key = client.configKeys().get(property.getKey());
                if (key == null || key.type == ConfigDef.Type.CLASS) {
                    continue;
                }
                try {
                    Object value = ConfigDef.parseType(key.name, property.getValue(), key.type);
                    if (key.validator != null) {
                        key.validator.ensureValid(key.name, value);
                    }
                } catch (ConfigException e) {
                    throw new InvalidOptionsException(
                            "Invalid value for option '"
                                    + PREFIX
                                    + property.getKey()
                                    + "': "
                                    + e.getMessage(),
                            e);
                }
            }
        }
    }

    /**
     * Refuses {@code name} when no client knows it but one knows it in another case ({@code ACKS}
     * for {@code acks}): Kafka's names are case-sensitive, so the clients would ignore it. A name
     * no client knows in any case is a plugin's, and passes.
     */
    private static void checkCase(String name, List<ConfigDef> clients) {
        String known = null;
        for (ConfigDef client : clients) {
            for (String clientName : client.names()) {
                if (clientName.equals(name)) {
                    return;
                }
                if (known == null && clientName.equalsIgnoreCase(name)) {
                    known = clientName;
                }
            }
        }
        if (known != null) {
            throw new InvalidOptionsException(
                    "Invalid option '"
                            + PREFIX
                            + name
                            + "': Kafka property names are case-sensitive, and no client knows '"
                            + name
                            + "'; use "
                            + PREFIX
                            + known);
        }
    }

    /**
     * The properties that a configuration of {@code client} can check here: all but class names,
     * config providers and the values they provide (a secrets file on the TaskManagers is not on
     * this machine).
     */
    public static Map<String, Object> checkable(
            Map<String, String> properties, ConfigDef client, Set<String> readHere) {
        Map<String, Object> checkable = new LinkedHashMap<>();
        properties.forEach(
                (name, value) -> {
                    ConfigDef.ConfigKey key = client.configKeys().get(name);
                    if ((key == null || key.type != ConfigDef.Type.CLASS)
                            && !name.startsWith(CONFIG_PROVIDERS)
                            && !provided(properties, name, value, readHere)) {
                        checkable.put(name, value);
                    }
                });
        return checkable;
    }

    /**
     * Checks a consumer's configuration as {@code KafkaConsumer} does when it is created: the
     * properties against each other (a consumer of {@code group.protocol=consumer} takes no {@code
     * session.timeout.ms}).
     *
     * @param consumer the configuration, deserializers, group id and bootstrap servers included
     * @param whose names the consumer in the message, e.g. "the job's Kafka consumer"
     */
    public static void checkConsumer(Map<String, Object> consumer, String whose) {
        try {
            // The subclass only reaches the constructor that does not log every value.
            new ConsumerConfig(consumer, false) {};
        } catch (KafkaException e) {
            // Mostly ConfigExceptions; an invalid group.instance.id is an
            // InvalidConfigurationException.
            throw new InvalidOptionsException(
                    "Invalid --kafka. options for " + whose + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks a producer's configuration as {@code KafkaProducer} does when it is created: the
     * properties against each other (an idempotent producer needs acks=all), and {@code
     * delivery.timeout.ms} against {@code linger.ms + request.timeout.ms}.
     *
     * @param producer the configuration, serializers and bootstrap servers included
     * @param given the {@code --kafka.} properties as typed
     * @param whose names the producer in the message, e.g. "the job's Kafka producers"
     */
    public static ProducerConfig checkProducer(
            Map<String, Object> producer, Map<String, String> given, String whose) {
        ProducerConfig config;
        try {
            config = new ProducerConfig(producer);
        } catch (KafkaException e) {
            throw new InvalidOptionsException(
                    "Invalid --kafka. options for " + whose + ": " + e.getMessage(), e);
        }
        String deliveryTimeout = given.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        if (deliveryTimeout != null) {
            long lingerAndRequestTimeout =
                    Math.min(
                            (long)
                                            Math.min(
                                                    config.getLong(ProducerConfig.LINGER_MS_CONFIG),
                                                    Integer.MAX_VALUE)
                                    + config.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG),
                            Integer.MAX_VALUE);
            if (config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)
                    < lingerAndRequestTimeout) {
                throw new InvalidOptionsException(
                        "Invalid value for option '"
                                + PREFIX
                                + ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG
                                + "': '"
                                + deliveryTimeout
                                + "' must be at least linger.ms + request.timeout.ms ("
                                + lingerAndRequestTimeout
                                + "), or Kafka's producer refuses to start");
            }
        }
        return config;
    }

    /**
     * Why a Kafka client could not be made: the messages of the causes of {@code e}, outermost
     * first (Kafka wraps the reason, e.g. a truststore that is not there, in "Failed to create new
     * NetworkClient"), each only when it adds to the one before.
     */
    public static String whyNoClient(KafkaException e) {
        StringBuilder why = new StringBuilder();
        Throwable cause = e.getCause() == null ? e : e.getCause();
        for (; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && why.indexOf(message) < 0) {
                why.append(why.length() == 0 ? "" : ": ").append(message);
            }
        }
        return why.toString();
    }

    /**
     * Whether a config provider fills in {@code value} (a {@code ${provider:key}} reference). The
     * properties the command reads itself must be values here.
     */
    private static boolean provided(
            Map<String, String> properties, String name, String value, Set<String> readHere) {
        return properties.containsKey(CONFIG_PROVIDERS)
                && value.contains("${")
                && !readHere.contains(name);
    }

    /**
     * A producer's {@code batch.size}: the property's value, {@code otherwise} when it is not
     * given, null for a config provider's reference, which the client resolves.
     */
    public static Long batchSize(Map<String, String> kafkaProperties, long otherwise) {
        String value = kafkaProperties.get(ProducerConfig.BATCH_SIZE_CONFIG);
        return value == null ? Long.valueOf(otherwise) : size(value);
    }

    /**
     * Refuses a producer's {@code buffer.memory} (the property, or Kafka's default of 32 MiB when
     * it is not given) below {@code least}: the producer refuses a record larger than its buffer
     * and throws from {@code send} on a {@code batch.size} above it. A config provider's reference
     * is left to the client, which resolves it. Without the property, the refusal names the sizes
     * among {@code sizes} that were given above the default buffer: those are at fault, not the
     * buffer.memory left out.
     *
     * @param takes why {@code least}, the end of the message: what the producer takes from its
     *     buffer at once
     * @param sizes the producer properties whose values the producer takes from its buffer at once:
     *     {@code batch.size}, and {@code max.request.size} when records may be that large
     * @throws InvalidOptionsException naming the option, its value and {@code least}
     */
    public static void checkBufferMemory(
            Map<String, String> kafkaProperties, long least, String takes, List<String> sizes) {
        String configured = kafkaProperties.get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        // Boxed on both sides: a long default would unbox size's null for a reference.
        Long bufferMemory =
                configured == null ? Long.valueOf(DEFAULT_BUFFER_MEMORY) : size(configured);
        if (bufferMemory == null || bufferMemory >= least) {
            return;
        }
        if (configured == null) {
            List<String> over = new ArrayList<>();
            for (String name : sizes) {
                String value = kafkaProperties.get(name);
                Long given = value == null ? null : size(value);
                if (given != null && given > DEFAULT_BUFFER_MEMORY) {
                    over.add(name);
                }
            }
            if (!over.isEmpty()) {
                throw new InvalidOptionsException(
                        sizesAboveTheDefaultBuffer(kafkaProperties, over, least));
            }
        }
        throw new InvalidOptionsException(
                "Invalid value for option '"
                        + PREFIX
                        + ProducerConfig.BUFFER_MEMORY_CONFIG
                        + "': "
                        + (configured == null
                                ? "Kafka's default, " + DEFAULT_BUFFER_MEMORY + ","
                                : "'" + configured + "'")
                        + " must be at least "
                        + least
                        + " bytes, "
                        + takes
                        + (configured == null
                                ? "; give "
                                        + PREFIX
                                        + ProducerConfig.BUFFER_MEMORY_CONFIG
                                        + "="
                                        + least
                                        + " or more"
                                : ""));
    }

    /**
     * The refusal of sizes given above Kafka's default buffer.memory, which was not given: the
     * options, their values as typed, why each needs the buffer, and the two ways out.
     */
    private static String sizesAboveTheDefaultBuffer(
            Map<String, String> kafkaProperties, List<String> over, long least) {
        List<String> options = new ArrayList<>();
        List<String> values = new ArrayList<>();
        List<String> whys = new ArrayList<>();
        for (String name : over) {
            options.add(PREFIX + name);
            values.add("'" + kafkaProperties.get(name) + "'");
            whys.add(
                    name.equals(ProducerConfig.BATCH_SIZE_CONFIG)
                            ? "takes a buffer of batch.size from its buffer.memory for every batch"
                            : "refuses a record larger than its buffer.memory");
        }
        boolean one = over.size() == 1;
        return (one ? "Invalid value for option " : "Invalid values for options ")
                + and(options.stream().map(option -> "'" + option + "'").toList())
                + ": "
                + and(values)
                + (one ? " is" : " are")
                + " more than "
                + PREFIX
                + ProducerConfig.BUFFER_MEMORY_CONFIG
                + ", which is not given: Kafka's default, "
                + DEFAULT_BUFFER_MEMORY
                + "; a producer "
                + String.join(", and ", whys)
                + "; give "
                + PREFIX
                + ProducerConfig.BUFFER_MEMORY_CONFIG
                + "="
                + least
                + " or more, or "
                + and(options.stream().map(option -> "a " + option).toList())
                + " of at most "
                + DEFAULT_BUFFER_MEMORY;
    }

    /** {@code a}, {@code a and b}, {@code a, b and c}. */
    private static String and(List<String> items) {
        int last = items.size() - 1;
        return last == 0
                ? items.get(0)
                : String.join(", ", items.subList(0, last)) + " and " + items.get(last);
    }

    /**
     * A {@link #batchSize} for a message: the number, or that a config provider's reference is not
     * known before the client resolves it.
     */
    public static String describeBatchSize(Long batchSize) {
        return batchSize == null
                ? "a config provider's reference, not known here"
                : String.valueOf(batchSize);
    }

    /** A size property's value, or null for a config provider's reference (not a number). */
    private static Long size(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException provided) {
            return null;
        }
    }
}
