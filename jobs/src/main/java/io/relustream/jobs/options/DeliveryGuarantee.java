package io.relustream.jobs.options;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What the job promises about the records it writes to Kafka, read from {@code
 * --delivery-guarantee}.
 *
 * <pre>{@code
 * DeliveryGuarantee guarantee = DeliveryGuarantee.parse("exactly-once");
 * }</pre>
 *
 * <ul>
 *   <li>{@link #EXACTLY_ONCE}: records are written in Kafka transactions committed on Flink
 *       checkpoints; consumers reading {@code read_committed} see each record once, one checkpoint
 *       interval late.
 *   <li>{@link #AT_LEAST_ONCE} (default): records are flushed on checkpoints; after a failure some
 *       are written again.
 *   <li>{@link #NONE}: no checkpoints; records may be lost or duplicated after a failure.
 * </ul>
 */
public enum DeliveryGuarantee {
    EXACTLY_ONCE("exactly-once"),
    AT_LEAST_ONCE("at-least-once"),
    NONE("none");

    private final String optionValue;

    DeliveryGuarantee(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The name used in options: {@code exactly-once}, {@code at-least-once} or {@code none}. */
    public String optionValue() {
        return optionValue;
    }

    /**
     * Reads a guarantee from its option value, ignoring case.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static DeliveryGuarantee parse(String value) {
        for (DeliveryGuarantee guarantee : values()) {
            if (guarantee.optionValue.equalsIgnoreCase(value == null ? "" : value.strip())) {
                return guarantee;
            }
        }
        throw new IllegalArgumentException(OptionConverters.notOneOf(value, allowedValues()));
    }

    /** The option values, comma-separated, for help texts and error messages. */
    public static String allowedValues() {
        return Arrays.stream(values())
                .map(DeliveryGuarantee::optionValue)
                .collect(Collectors.joining(", "));
    }
}
