package io.relustream.operators;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an activation operator does with a record whose values hold NaN or an infinity.
 *
 * <ul>
 *   <li>{@link #PROPAGATE} (default): compute as the math says: {@code f(NaN) = NaN}, {@code
 *       relu(+inf) = +inf}, {@code relu(-inf) = 0}.
 *   <li>{@link #ZERO}: like {@code PROPAGATE}, but NaN results become 0 value and 0 derivative
 *       (what Python's {@code max(0, z)} gives).
 *   <li>{@link #REJECT}: the record leaves through the operator's rejected-records side output,
 *       which jobs send to the dead-letter topic with the reason.
 *   <li>{@link #FAIL}: the job fails with a message naming the record, for good: Flink does not
 *       restart it into the same record.
 * </ul>
 *
 * Records no policy can compute (a {@code FeatureVector} without values; a maxout input whose
 * length is not a multiple of {@code k}) are rejected under every policy but {@code FAIL}, which
 * fails. An empty array field of a {@link GenericRecordActivationFunction} record is no such
 * record: it gives empty activations.
 *
 * <pre>{@code
 * InvalidValuePolicy policy = InvalidValuePolicy.parse("reject");   // REJECT
 * FeatureActivationFunction.builder().invalidValues(policy).build();
 * }</pre>
 */
public enum InvalidValuePolicy {
    PROPAGATE,
    ZERO,
    REJECT,
    FAIL;

    /** The name used in options and configuration: {@code propagate}, {@code zero}, ... */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a policy from its option value, ignoring case.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static InvalidValuePolicy parse(String value) {
        for (InvalidValuePolicy policy : values()) {
            if (policy.optionValue().equalsIgnoreCase(value == null ? "" : value.strip())) {
                return policy;
            }
        }
        throw new IllegalArgumentException(
                "Invalid value policy '" + value + "'; allowed: " + allowedValues());
    }

    /** The option values, comma-separated, for help texts and error messages. */
    public static String allowedValues() {
        return Arrays.stream(values())
                .map(InvalidValuePolicy::optionValue)
                .collect(Collectors.joining(", "));
    }
}
