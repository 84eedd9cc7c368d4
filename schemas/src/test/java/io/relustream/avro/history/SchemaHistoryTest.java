package io.relustream.avro.history;

import org.apache.avro.Schema;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaHistoryTest {

    @Test
    void listsTheReleasedRecordsSortedByName() {
        assertThat(SchemaHistory.recordNames())
                .containsExactly(
                        "ActivationAlert",
                        "ActivationStats",
                        "ActivationVector",
                        "DeadLetter",
                        "FeatureVector");
    }

    @Test
    void loadsEveryReleasedVersionOfARecord() {
        for (String name : SchemaHistory.recordNames()) {
            List<Schema> versions = SchemaHistory.versions(name);

            assertThat(versions).as(name).isNotEmpty();
            assertThat(versions)
                    .as(name)
                    .allSatisfy(
                            schema ->
                                    assertThat(schema.getFullName())
                                            .isEqualTo("io.relustream.avro." + name));
        }
        assertThat(SchemaHistory.versions("FeatureVector").get(0).getField("values").schema())
                .isEqualTo(Schema.createArray(Schema.create(Schema.Type.DOUBLE)));
    }

    @Test
    void returnsNewSchemaObjectsOnEveryCall() {
        Schema first = SchemaHistory.versions("DeadLetter").get(0);
        Schema second = SchemaHistory.versions("DeadLetter").get(0);

        assertThat(second).isEqualTo(first).isNotSameAs(first);
    }

    @Test
    void rejectsAnUnknownRecordNameNamingTheKnownOnes() {
        assertThatThrownBy(() -> SchemaHistory.versions("featurevector"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown record name 'featurevector'; known record names: [ActivationAlert,"
                                + " ActivationStats, ActivationVector, DeadLetter, FeatureVector]");
    }

    @Test
    void rejectsANullRecordName() {
        assertThatThrownBy(() -> SchemaHistory.versions(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("recordName");
    }
}
