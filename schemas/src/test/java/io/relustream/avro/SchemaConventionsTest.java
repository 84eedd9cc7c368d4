package io.relustream.avro;

import org.apache.avro.Schema;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every current schema documents its fields and names them in snake_case. */
class SchemaConventionsTest {

    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9_]*");

    static Stream<String> recordNames() {
        return SchemaCompatibilityTest.CURRENT.keySet().stream().sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordNames")
    void everyFieldHasADocAndASnakeCaseName(String recordName) {
        Schema schema = SchemaCompatibilityTest.CURRENT.get(recordName);
        List<String> violations = new ArrayList<>();
        if (isBlank(schema.getDoc())) {
            violations.add(recordName + " has no doc");
        }
        for (Schema.Field field : schema.getFields()) {
            if (isBlank(field.doc())) {
                violations.add(recordName + "." + field.name() + " has no doc");
            }
            if (!SNAKE_CASE.matcher(field.name()).matches()) {
                violations.add(
                        recordName + "." + field.name() + " is not snake_case ([a-z][a-z0-9_]*)");
            }
        }

        assertThat(schema.getFields()).isNotEmpty();
        assertThat(violations).as("convention violations in %s", recordName).isEmpty();
    }

    private static boolean isBlank(String doc) {
        return doc == null || doc.isBlank();
    }
}
