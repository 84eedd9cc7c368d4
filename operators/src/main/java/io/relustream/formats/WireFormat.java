package io.relustream.formats;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How Avro records are laid out in Kafka message values.
 *
 * <pre>{@code
 * WireFormat format = WireFormat.parse("avro");   // AVRO; "avro-single-object" is the default
 * AvroRecordDecoder<FeatureVector> decoder = AvroRecordDecoder.of(FeatureVector.class, format);
 * }</pre>
 */
public enum WireFormat {
    /**
     * The Avro specification's single-object encoding: {@code C3 01}, the writer schema's 8-byte
     * CRC-64-AVRO fingerprint (little endian), then the binary record. Readers resolve older writer
     * schemas by their fingerprint.
     */
    AVRO_SINGLE_OBJECT("avro-single-object"),
    /** Plain Avro binary, written and read with the current schema. */
    AVRO("avro");

    private final String optionValue;

    WireFormat(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The name used in options: {@code avro-single-object} or {@code avro}. */
    public String optionValue() {
        return optionValue;
    }

    /**
     * Reads a format from its option value, ignoring case.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static WireFormat parse(String value) {
        for (WireFormat format : values()) {
            if (format.optionValue.equalsIgnoreCase(value == null ? "" : value.strip())) {
                return format;
            }
        }
        throw new IllegalArgumentException(
                "Unknown wire format '" + value + "'; allowed: " + allowedValues());
    }

    /** The option values, comma-separated. */
    public static String allowedValues() {
        return Arrays.stream(values())
                .map(WireFormat::optionValue)
                .collect(Collectors.joining(", "));
    }
}
