package io.relustream.jobs.options;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the job starts reading its input topic, read from {@code --starting-offsets}.
 *
 * <pre>{@code
 * StartingOffsets start = StartingOffsets.parse("committed");
 * }</pre>
 *
 * <ul>
 *   <li>{@link #EARLIEST} (default): the oldest record each partition still holds.
 *   <li>{@link #LATEST}: only records written after the job started.
 *   <li>{@link #COMMITTED}: the offsets the consumer group committed; partitions without one start
 *       at the earliest record.
 * </ul>
 */
public enum StartingOffsets {
    EARLIEST,
    LATEST,
    COMMITTED;

    /** The name used in options: {@code earliest}, {@code latest} or {@code committed}. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a starting position from its option value, ignoring case.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static StartingOffsets parse(String value) {
        for (StartingOffsets offsets : values()) {
            if (offsets.optionValue().equalsIgnoreCase(value == null ? "" : value.strip())) {
                return offsets;
            }
        }
        throw new IllegalArgumentException(OptionConverters.notOneOf(value, allowedValues()));
    }

    /** The option values, comma-separated, for help texts and error messages. */
    public static String allowedValues() {
        return Arrays.stream(values())
                .map(StartingOffsets::optionValue)
                .collect(Collectors.joining(", "));
    }
}
