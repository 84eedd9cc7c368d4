package io.relustream.avro;

import org.apache.avro.Schema;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every record has the fields the architecture's "Records" list requires, of the types it states
 * (where it states none, the type the record has had since its first release), in namespace {@code
 * io.relustream.avro}. A field of the list that a release drops or makes nullable passes the
 * compatibility checks when the old readers have a default for it; here it fails.
 */
class RecordContractTest {

    private static final String MILLIS = "long(timestamp-millis)";
    private static final String NULLABLE_DOUBLE = "union<null, double>";

    /** Record name to its required fields and their types, as {@link #describe} writes them. */
    private static final Map<String, Map<String, String>> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put(
                "FeatureVector",
                fields(
                        "id", "string",
                        "event_time", MILLIS,
                        "group", "string",
                        "values", "array<double>"));
        REQUIRED.put(
                "ActivationVector",
                fields(
                        "id", "string",
                        "event_time", MILLIS,
                        "group", "string",
                        "activation", "string",
                        "activations", "array<double>",
                        "derivatives", "union<null, array<double>>"));
        REQUIRED.put(
                "ActivationStats",
                fields(
                        "group", "string",
                        "window_start", MILLIS,
                        "window_end", MILLIS,
                        "activation", "string",
                        "record_count", "long",
                        "value_count", "long",
                        "zero_count", "long",
                        "zero_fraction", NULLABLE_DOUBLE,
                        "nan_count", "long",
                        "pos_inf_count", "long",
                        "neg_inf_count", "long",
                        "negative_input_fraction", NULLABLE_DOUBLE,
                        "min", NULLABLE_DOUBLE,
                        "max", NULLABLE_DOUBLE,
                        "mean", NULLABLE_DOUBLE,
                        "stddev", NULLABLE_DOUBLE,
                        "p50", NULLABLE_DOUBLE,
                        "p90", NULLABLE_DOUBLE,
                        "p99", NULLABLE_DOUBLE,
                        "per_feature_zero_fraction", "array<double>",
                        "dead_features", "array<int>"));
        REQUIRED.put(
                "DeadLetter",
                fields(
                        "payload", "union<null, bytes>",
                        "topic", "union<null, string>",
                        "partition", "union<null, int>",
                        "offset", "union<null, long>",
                        "reason", "string",
                        "error_class", "union<null, string>",
                        "error_message", "union<null, string>",
                        "failed_at", MILLIS));
        REQUIRED.put(
                "ActivationAlert",
                fields(
                        "group", "string",
                        "kind", "string",
                        "feature", "union<null, int>",
                        "window_start", MILLIS,
                        "window_end", MILLIS,
                        "value", "double"));
    }

    private static Map<String, String> fields(String... namesAndTypes) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            fields.put(namesAndTypes[i], namesAndTypes[i + 1]);
        }
        return fields;
    }

    static Stream<Arguments> records() {
        return REQUIRED.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void hasEveryRequiredFieldOfTheStatedType(String recordName, Map<String, String> required) {
        Schema schema = SchemaCompatibilityTest.CURRENT.get(recordName);
        assertThat(schema).as("schema of %s", recordName).isNotNull();
        Map<String, String> actual = new LinkedHashMap<>();
        for (String name : required.keySet()) {
            Schema.Field field = schema.getField(name);
            actual.put(name, field == null ? "missing" : describe(field.schema()));
        }

        assertThat(schema.getFullName()).isEqualTo("io.relustream.avro." + recordName);
        assertThat(actual).as("required fields of %s", recordName).isEqualTo(required);
    }

    @Test
    void everyRecordIsInTheContract() {
        assertThat(REQUIRED.keySet())
                .containsExactlyInAnyOrderElementsOf(SchemaCompatibilityTest.CURRENT.keySet());
    }

    /** {@code string}, {@code long(timestamp-millis)}, {@code union<null, array<double>>}. */
    private static String describe(Schema schema) {
        switch (schema.getType()) {
            case UNION:
                return schema.getTypes().stream()
                        .map(RecordContractTest::describe)
                        .collect(Collectors.joining(", ", "union<", ">"));
            case ARRAY:
                return "array<" + describe(schema.getElementType()) + ">";
            case MAP:
                return "map<" + describe(schema.getValueType()) + ">";
            case RECORD:
            case ENUM:
            case FIXED:
                return schema.getFullName();
            default:
                String type = schema.getType().getName();
                return schema.getLogicalType() == null
                        ? type
                        : type + "(" + schema.getLogicalType().getName() + ")";
        }
    }
}
