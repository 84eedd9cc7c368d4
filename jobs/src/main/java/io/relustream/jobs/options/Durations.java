package io.relustream.jobs.options;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the durations of the command line: a whole number and a unit, {@code ms}, {@code
 * s}, {@code m} or {@code h}.
 *
 * <pre>{@code
 * Duration window = Durations.parse("10s");
 * String text = Durations.format(Duration.ofMillis(1500)); // "1500ms"
 * }</pre>
 *
 * <p>Fractions, signs, spaces inside and days are not read: every value a job needs is a whole
 * number of one of these units, and one strict form keeps command lines comparable. A bare {@code
 * 0} reads as zero, since no unit changes it.
 */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private static final long MILLIS_PER_SECOND = 1_000;
    private static final long MILLIS_PER_MINUTE = 60 * MILLIS_PER_SECOND;
    private static final long MILLIS_PER_HOUR = 60 * MILLIS_PER_MINUTE;
    private static final Duration LONGEST_WAIT = Duration.ofNanos(Long.MAX_VALUE / 4);

    private Durations() {}

    /**
     * Reads a duration such as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h} or {@code 0};
     * spaces around it are ignored.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms, or when the duration
     *     does not fit in a {@code long} of milliseconds
     */
    public static Duration parse(String text) {
        String stripped = text == null ? "" : text.strip();
        if (stripped.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = DURATION.matcher(stripped);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "'"
                            + text
                            + "' is not a duration; use a whole number and a unit: 500ms, 10s, 5m,"
                            + " 2h");
        }
        try {
            long amount = Long.parseLong(matcher.group(1));
            return Duration.ofMillis(Math.multiplyExact(amount, unitMillis(matcher.group(2))));
        } catch (NumberFormatException | ArithmeticException e) {
            // Callers hand durations to Flink as milliseconds, so longer ones cannot be used.
            throw new IllegalArgumentException(
                    "'" + text + "' is too long; the longest duration is " + Long.MAX_VALUE + "ms");
        }
    }

    /**
     * Writes a duration in the largest unit that holds it exactly: {@code 10s}, {@code 1500ms},
     * {@code 5m}, {@code 2h}; zero is {@code 0s}. {@link #parse} reads the text back to an equal
     * duration.
     *
     * @throws IllegalArgumentException for a negative duration, one with a fraction of a
     *     millisecond, or one longer than {@link Long#MAX_VALUE} milliseconds, which have no such
     *     text
     */
    public static String format(Duration duration) {
        if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException(
                    "Cannot write "
                            + duration
                            + " as a duration option: it must be a whole, non-negative number of"
                            + " milliseconds");
        }
        long millis;
        try {
            millis = duration.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "Cannot write "
                            + duration
                            + " as a duration option: it is longer than "
                            + Long.MAX_VALUE
                            + "ms",
                    e);
        }
        if (millis == 0) {
            // Seconds are the unit most options are given in; "0s" reads better than "0h".
            return "0s";
        }
        if (millis % MILLIS_PER_HOUR == 0) {
            return millis / MILLIS_PER_HOUR + "h";
        }
        if (millis % MILLIS_PER_MINUTE == 0) {
            return millis / MILLIS_PER_MINUTE + "m";
        }
        if (millis % MILLIS_PER_SECOND == 0) {
            return millis / MILLIS_PER_SECOND + "s";
        }
        return millis + "ms";
    }

    /**
     * The {@link System#nanoTime} at which {@code timeout} from now is up. Capped at about 73 years
     * so that the deadline cannot overflow: a timeout of centuries has no nanoseconds in a long at
     * all ({@link Duration#toNanos} would throw), and never runs out either way.
     */
    public static long deadlineNanos(Duration timeout) {
        return System.nanoTime()
                + (timeout.compareTo(LONGEST_WAIT) < 0 ? timeout : LONGEST_WAIT).toNanos();
    }

    private static long unitMillis(String unit) {
        switch (unit) {
            case "ms":
                return 1;
            case "s":
                return MILLIS_PER_SECOND;
            case "m":
                return MILLIS_PER_MINUTE;
            case "h":
                return MILLIS_PER_HOUR;
            default:
                throw new AssertionError(unit);
        }
    }

    /**
     * Reads duration options of picocli commands: {@code @Option(names = "--duration", converter =
     * Durations.Converter.class) Duration duration;}.
     */
    public static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
