package io.relustream.jobs.options;

import io.relustream.activation.Activations;
import io.relustream.activation.VectorActivation;
import io.relustream.formats.WireFormat;
import io.relustream.operators.InvalidValuePolicy;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The picocli converters of {@link JobOptions} and of the other commands of the project (the
 * report, for one): each reads and checks one kind of value.
 *
 * <pre>{@code
 * Duration interval = new OptionConverters.CheckpointInterval().convert("30s"); // PT30S
 * }</pre>
 *
 * <p>They throw {@link TypeConversionException}, whose message picocli puts after {@code Invalid
 * value for option '--name': }, so each message starts with the quoted value and says what is
 * allowed. Every other exception would reach the user wrapped in picocli's generic text.
 */
public final class OptionConverters {

    /** Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic). */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /**
     * The topics Kafka keeps for itself: offsets, transactions, share-group state, and the KRaft
     * metadata log, which no client can create or read.
     */
    private static final Set<String> INTERNAL_TOPICS =
            Set.of(
                    "__consumer_offsets",
                    "__transaction_state",
                    "__share_group_state",
                    "__cluster_metadata");

    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    /** A host name or IPv4 address, or an IPv6 address, bracketed or not. */
    private static final Pattern HOST =
            Pattern.compile(
                    "[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?\\]|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

    /** Flink's shortest checkpoint interval (CheckpointCoordinator's minimum). */
    static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);

    /**
     * Flink's longest checkpoint interval: its checkpoint coordinator takes Long.MAX_VALUE ms for
     * "no periodic checkpoints" (CheckpointCoordinatorConfiguration.isCheckpointingEnabled) while
     * the tasks still checkpoint, so none is ever triggered and a bounded job never finishes.
     */
    static final Duration MAX_CHECKPOINT_INTERVAL = Duration.ofMillis(Long.MAX_VALUE - 1);

    /** Flink's largest parallelism (KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM). */
    static final int MAX_PARALLELISM = 1 << 15;

    /**
     * Kafka brokers refuse records stamped further ahead of their clock than {@code
     * message.timestamp.after.max.ms}, one hour by default, and the outputs of a record carry its
     * event time.
     */
    static final Duration MAX_EVENT_TIME_SKEW = Duration.ofHours(1);

    private OptionConverters() {}

    /** A comma-separated list of {@code host:port}, returned with the spaces around entries cut. */
    public static final class BootstrapServers implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String allowed =
                    "; use a comma-separated list of host:port with ports 1 to 65535, e.g."
                            + " kafka-1:9092,kafka-2:9092";
            if (value.isBlank()) {
                throw new TypeConversionException("'" + value + "' is empty" + allowed);
            }
            List<String> servers = new ArrayList<>();
            for (String entry : value.split(",", -1)) {
                String server = entry.strip();
                if (server.isEmpty()) {
                    throw new TypeConversionException(
                            "'" + value + "' has an empty entry" + allowed);
                }
                // The last colon, so that bracketed IPv6 addresses such as [::1]:9092 read too.
                int colon = server.lastIndexOf(':');
                // Inside the brackets of [::1] it is the address's own colon: no port.
                boolean bracketed = colon >= 0 && server.indexOf(']', colon) >= 0;
                String port = colon < 0 || bracketed ? "" : server.substring(colon + 1);
                if (port.isEmpty()) {
                    throw new TypeConversionException(
                            "'" + value + "' has '" + server + "' without a port" + allowed);
                }
                String host = server.substring(0, colon);
                if (host.isBlank()) {
                    throw new TypeConversionException(
                            "'" + value + "' has '" + server + "' without a host" + allowed);
                }
                if (!HOST.matcher(host).matches()) {
                    throw new TypeConversionException(
                            "'"
                                    + value
                                    + "' has '"
                                    + server
                                    + "' with host '"
                                    + host
                                    + "', which is not a host name or an IP address"
                                    + allowed);
                }
                if (!port.matches("[0-9]{1,5}")
                        || Integer.parseInt(port) < 1
                        || Integer.parseInt(port) > 65535) {
                    throw new TypeConversionException(
                            "'"
                                    + value
                                    + "' has '"
                                    + server
                                    + "' with port '"
                                    + port
                                    + "'"
                                    + allowed);
                }
                servers.add(server);
            }
            return String.join(",", servers);
        }
    }

    /** A Kafka topic name, checked as the broker would, so that typos fail before the job runs. */
    public static final class TopicName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!TOPIC.matcher(value).matches() || value.equals(".") || value.equals("..")) {
                throw new TypeConversionException(
                        "'"
                                + value
                                + "' is not a Kafka topic name; use 1 to 249 of the characters"
                                + " a-z, A-Z, 0-9, '.', '_' and '-', other than '.' or '..'");
            }
            if (INTERNAL_TOPICS.contains(value)) {
                throw new TypeConversionException(
                        "'" + value + "' is an internal topic of Kafka; use a topic of your own");
            }
            return value;
        }
    }

    /**
     * A boolean option's attached value ({@code --bounded=true}): {@code true} or {@code false}, in
     * any case, as picocli reads them, with a message that says so.
     */
    static final class BooleanValue implements ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            if (value.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (value.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
            throw new TypeConversionException(
                    "'" + value + "' is not a boolean; use true or false");
        }
    }

    /** Any text but an empty or blank one (group ids, transactional id prefixes, job names). */
    public static final class NonBlank implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                throw new TypeConversionException("'" + value + "' must not be blank");
            }
            return value;
        }
    }

    /** A {@link Durations} text of a duration {@code > 0}. */
    public static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = duration(value);
            if (duration.isZero()) {
                throw new TypeConversionException("'" + value + "' must be > 0");
            }
            return duration;
        }
    }

    /**
     * A {@link Durations} text from Flink's shortest checkpoint interval, 10 ms, to its longest,
     * {@code Long.MAX_VALUE - 1} ms.
     */
    public static final class CheckpointInterval implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = duration(value);
            if (duration.compareTo(MIN_CHECKPOINT_INTERVAL) < 0) {
                throw new TypeConversionException(
                        "'"
                                + value
                                + "' must be at least 10ms, Flink's shortest checkpoint interval");
            }
            if (duration.compareTo(MAX_CHECKPOINT_INTERVAL) > 0) {
                throw new TypeConversionException(
                        "'"
                                + value
                                + "' must be from 10ms to "
                                + MAX_CHECKPOINT_INTERVAL.toMillis()
                                + "ms; Flink takes "
                                + Long.MAX_VALUE
                                + "ms for no checkpoints at all");
            }
            return duration;
        }
    }

    /**
     * The default and help of {@code --max-event-time-skew}, the activation job's and the SQL
     * job's: one option, which they both check with {@link EventTimeSkew}.
     */
    public static final String EVENT_TIME_SKEW_DEFAULT = "5m";

    /** See {@link #EVENT_TIME_SKEW_DEFAULT}. */
    public static final String EVENT_TIME_SKEW_HELP =
            "Records whose event time is further ahead of the clock go to the dead-letter"
                    + " topic; more than 0s and at most 1h, what Kafka brokers accept by"
                    + " default. Default: ${DEFAULT-VALUE}.";

    /** A {@link Durations} text of a duration {@code > 0} and at most one hour. */
    public static final class EventTimeSkew implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = new PositiveDuration().convert(value);
            if (duration.compareTo(MAX_EVENT_TIME_SKEW) > 0) {
                // A record further ahead would pass, and its activation be refused by the broker:
                // the sink fails and the job restarts into the same record for ever.
                throw new TypeConversionException(
                        "'"
                                + value
                                + "' must be at most 1h: activations carry their record's event"
                                + " time, and Kafka brokers refuse records stamped more than"
                                + " message.timestamp.after.max.ms (1h by default) ahead");
            }
            return duration;
        }
    }

    /** A {@link Durations} text; durations are never negative. */
    static final class NonNegativeDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return duration(value);
        }
    }

    /**
     * The message for {@code value} of an option of fixed values, which are read ignoring case (as
     * Flink reads its enum configuration values) and spelled as listed: it lists {@code
     * allowedValues} (comma-separated), and names the one meant when {@code value} has '_' where
     * that one has '-' ({@code EXACTLY_ONCE}, as Flink spells its checkpointing mode).
     */
    public static String notOneOf(String value, String allowedValues) {
        String message = "'" + value + "' is not one of: " + allowedValues;
        String hyphenated = value == null ? "" : value.strip().replace('_', '-');
        for (String allowed : allowedValues.split(", ")) {
            if (allowed.contains("-") && allowed.equalsIgnoreCase(hyphenated)) {
                return message
                        + "; did you mean '"
                        + allowed
                        + "'? (words are joined by '-', not '_')";
            }
        }
        return message;
    }

    /** An activation spec read by {@link Activations#parseVector}, with its message on errors. */
    static final class ActivationSpec implements ITypeConverter<VectorActivation> {
        @Override
        public VectorActivation convert(String value) {
            try {
                return Activations.parseVector(value);
            } catch (IllegalArgumentException e) {
                // The parser's messages already quote the spec and say what is allowed.
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An {@link InvalidValuePolicy} option value. */
    static final class InvalidValues implements ITypeConverter<InvalidValuePolicy> {
        @Override
        public InvalidValuePolicy convert(String value) {
            try {
                return InvalidValuePolicy.parse(value);
            } catch (IllegalArgumentException e) {
                // Reworded to match the other options; the allowed values are the policy's own.
                throw new TypeConversionException(
                        notOneOf(value, InvalidValuePolicy.allowedValues()));
            }
        }
    }

    /** A {@link StartingOffsets} option value. */
    static final class StartingOffsetsValue implements ITypeConverter<StartingOffsets> {
        @Override
        public StartingOffsets convert(String value) {
            try {
                return StartingOffsets.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A {@link DeliveryGuarantee} option value. */
    static final class DeliveryGuaranteeValue implements ITypeConverter<DeliveryGuarantee> {
        @Override
        public DeliveryGuarantee convert(String value) {
            try {
                return DeliveryGuarantee.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A {@link WireFormat} option value. */
    public static final class WireFormatValue implements ITypeConverter<WireFormat> {
        @Override
        public WireFormat convert(String value) {
            try {
                return WireFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(notOneOf(value, WireFormat.allowedValues()));
            }
        }
    }

    /** A share in {@code (0, 1]}. */
    public static final class ShareAboveZero implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return share(value, false, true, "");
        }
    }

    /** A share in {@code [0, 1]}. */
    public static final class Share implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return share(value, true, true, "");
        }
    }

    /**
     * A zero-fraction limit in {@code [0, 1)}; a value of 1 or more is refused with the reason, no
     * zero fraction is above 1.
     */
    public static final class ShareBelowOne implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return share(value, true, false, ": no zero fraction is above 1");
        }
    }

    /**
     * {@code value} as a share from 0 to 1, each bound taken or not, judged both as written and as
     * the double it reads as: {@code 1.00000000000000000001} reads as 1 but is above it, and {@code
     * 1e-400}, above 0, reads as 0.
     */
    private static double share(
            String value, boolean zeroTaken, boolean oneTaken, String whyNotOne) {
        String range = (zeroTaken ? "[0" : "(0") + ", 1" + (oneTaken ? "]" : ")");
        double share = number(value, range);
        boolean writtenWithin;
        boolean writtenBelow;
        try {
            BigDecimal written = new BigDecimal(value.strip());
            writtenBelow = zeroTaken ? written.signum() < 0 : written.signum() <= 0;
            writtenWithin =
                    !writtenBelow
                            && (oneTaken
                                    ? written.compareTo(BigDecimal.ONE) <= 0
                                    : written.compareTo(BigDecimal.ONE) < 0);
        } catch (NumberFormatException exponentBeyondInt) {
            // 1e-9999999999: no BigDecimal; a sign is all it tells (its double, 0 or an
            // infinity, is judged below).
            writtenBelow = value.strip().startsWith("-");
            writtenWithin = !writtenBelow;
        }
        boolean readWithin =
                (zeroTaken ? share >= 0.0 : share > 0.0) && (oneTaken ? share <= 1.0 : share < 1.0);
        if (!writtenWithin || Double.isInfinite(share)) {
            // The reason for the upper bound only where the value is beyond it.
            throw new TypeConversionException(
                    "'" + value + "' must be in " + range + (writtenBelow ? "" : whyNotOne));
        }
        if (!readWithin) {
            // In range as written, out of it as the double: rounded to 0 or to 1.
            throw new TypeConversionException(
                    "'"
                            + value
                            + "' reads as "
                            + share
                            + ", the nearest double, which is not in "
                            + range);
        }
        // -0.0 is the share 0: as +0.0, the zero that alerts and messages show.
        return share + 0.0;
    }

    /** An integer {@code >= 1}. */
    public static final class AtLeastOne implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return intAtLeast(value, 1);
        }
    }

    /** An integer from 1 to Flink's largest parallelism, 32768. */
    public static final class Parallelism implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return intInRange(
                    value,
                    1,
                    MAX_PARALLELISM,
                    "Flink allows a parallelism of at most " + MAX_PARALLELISM);
        }
    }

    /** A whole number {@code >= 0} of any size a {@code long} holds. */
    public static final class NonNegativeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String stripped = value.strip();
            if (!INTEGER.matcher(stripped).matches()
                    || new BigInteger(stripped).signum() < 0
                    || new BigInteger(stripped).bitLength() > 63) {
                throw new TypeConversionException(
                        "'" + value + "' must be an integer from 0 to " + Long.MAX_VALUE);
            }
            return Long.parseLong(stripped.startsWith("+") ? stripped.substring(1) : stripped);
        }
    }

    /** An integer {@code >= 0}. */
    static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return intAtLeast(value, 0);
        }
    }

    private static int intAtLeast(String value, int min) {
        return intInRange(
                value, min, Integer.MAX_VALUE, "the largest allowed is " + Integer.MAX_VALUE);
    }

    /**
     * Reads an integer from {@code min} to {@code max}, for converters of options with a range.
     *
     * @param tooLarge what is allowed, said after {@code is too large; } for any value above {@code
     *     max}, however many digits it has
     * @throws TypeConversionException quoting the value and what is allowed
     */
    public static int intInRange(String value, int min, int max, String tooLarge) {
        String stripped = value.strip();
        if (!INTEGER.matcher(stripped).matches()) {
            throw new TypeConversionException("'" + value + "' must be an integer >= " + min);
        }
        // Compared as a BigInteger, so that any number of digits gets the right message.
        BigInteger number = new BigInteger(stripped);
        if (number.compareTo(BigInteger.valueOf(min)) < 0) {
            throw new TypeConversionException("'" + value + "' must be an integer >= " + min);
        }
        if (number.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new TypeConversionException("'" + value + "' is too large; " + tooLarge);
        }
        return number.intValue();
    }

    private static Duration duration(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** A plain decimal number; hexadecimal, NaN and the infinities are rejected as typos. */
    private static double number(String value, String range) {
        String stripped = value.strip();
        if (!DECIMAL.matcher(stripped).matches()) {
            throw new TypeConversionException("'" + value + "' must be a number in " + range);
        }
        return Double.parseDouble(stripped);
    }

    /** A file or folder: any text the file system takes as a path. */
    public static final class FilePath implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            try {
                return path(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * {@code value} as a path.
     *
     * @throws IllegalArgumentException quoting the value and why it is no path (a NUL character,
     *     say), instead of Java's InvalidPathException, whose message does not start with it
     */
    static Path path(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + value + "' is not a path: " + e.getReason());
        }
    }

    /** {@code --writer-schemas}: files or folders of newer writer schemas. */
    static final class WriterSchemaFiles implements ITypeConverter<WriterSchemas> {
        @Override
        public WriterSchemas convert(String value) {
            try {
                return WriterSchemas.load(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
