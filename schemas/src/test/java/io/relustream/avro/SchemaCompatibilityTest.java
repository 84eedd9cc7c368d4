package io.relustream.avro;

import io.relustream.avro.history.SchemaHistory;

import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaNormalization;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The current schemas stay compatible, in both directions, with every released version in {@link
 * SchemaHistory}, and every change to a schema is released as a new version.
 */
class SchemaCompatibilityTest {

    /** The schema of every generated class, by record name. */
    static final Map<String, Schema> CURRENT =
            Map.of(
                    "FeatureVector", FeatureVector.getClassSchema(),
                    "ActivationVector", ActivationVector.getClassSchema(),
                    "ActivationStats", ActivationStats.getClassSchema(),
                    "DeadLetter", DeadLetter.getClassSchema(),
                    "ActivationAlert", ActivationAlert.getClassSchema());

    /** Where the current schemas are kept; surefire runs in the module directory. */
    private static final Path SOURCES = Path.of("src", "main", "avro");

    /** Which side of a schema change reads the data the other side wrote. */
    enum Direction {
        /** The current schema reads data written with a released version. */
        BACKWARD("the current schema reading data written with the released version"),
        /** A released version reads data written with the current schema. */
        FORWARD("the released version reading data written with the current schema");

        private final String description;

        Direction(String description) {
            this.description = description;
        }

        Schema reader(Schema current, Schema released) {
            return this == BACKWARD ? current : released;
        }

        Schema writer(Schema current, Schema released) {
            return this == BACKWARD ? released : current;
        }
    }

    /**
     * Why data cannot be exchanged between {@code current} and {@code released} in {@code
     * direction}: one line per incompatibility, empty when compatible.
     */
    static List<String> incompatibilities(Direction direction, Schema current, Schema released) {
        Schema reader = direction.reader(current, released);
        Schema writer = direction.writer(current, released);
        SchemaPairCompatibility pair =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        List<String> lines = new ArrayList<>();
        if (pair.getType() != SchemaCompatibilityType.COMPATIBLE) {
            pair.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                    .forEach(lines::add);
            if (lines.isEmpty()) {
                lines.add(pair.getDescription());
            }
        }
        collectLogicalTypeMismatches(reader, writer, "", new HashSet<>(), lines);
        return lines;
    }

    /**
     * Avro's check compares types only: a {@code timestamp-millis} long that a reader takes for a
     * {@code timestamp-micros} one passes it, though every value is then read 1000 times off. So
     * each value the reader resolves from the writer must have the same logical type, where both
     * give one. Locations as in Avro's check ({@code /fields/1/type}).
     */
    private static void collectLogicalTypeMismatches(
            Schema reader, Schema writer, String location, Set<String> seen, List<String> lines) {
        if (writer.isUnion()) {
            for (int i = 0; i < writer.getTypes().size(); i++) {
                collectLogicalTypeMismatches(
                        reader, writer.getTypes().get(i), location + "/" + i, seen, lines);
            }
            return;
        }
        if (reader.isUnion()) {
            // The branch Avro resolves the writer's value into; where none is, Avro's check says
            // so.
            reader.getTypes().stream()
                    .filter(branch -> branch.getType() == writer.getType())
                    .filter(branch -> !isNamed(branch) || branch.getName().equals(writer.getName()))
                    .findFirst()
                    .ifPresent(
                            branch ->
                                    collectLogicalTypeMismatches(
                                            branch, writer, location, seen, lines));
            return;
        }
        LogicalType read = reader.getLogicalType();
        LogicalType written = writer.getLogicalType();
        if (read != null
                && written != null
                && (!read.getName().equals(written.getName())
                        || (read instanceof LogicalTypes.Decimal && !read.equals(written)))) {
            lines.add(
                    "LOGICAL_TYPE_MISMATCH at "
                            + (location.isEmpty() ? "/" : location)
                            + ": the reader reads "
                            + describe(read)
                            + " where the writer wrote "
                            + describe(written));
        }
        if (reader.getType() != writer.getType()) {
            return; // a promotion, or a mismatch that Avro's check reports
        }
        switch (reader.getType()) {
            case RECORD:
                if (seen.add(reader.getFullName() + " <- " + writer.getFullName())) {
                    for (Schema.Field field : reader.getFields()) {
                        Schema.Field source = writerField(writer, field);
                        if (source != null) {
                            collectLogicalTypeMismatches(
                                    field.schema(),
                                    source.schema(),
                                    location + "/fields/" + field.pos() + "/type",
                                    seen,
                                    lines);
                        }
                    }
                }
                return;
            case ARRAY:
                collectLogicalTypeMismatches(
                        reader.getElementType(),
                        writer.getElementType(),
                        location + "/items",
                        seen,
                        lines);
                return;
            case MAP:
                collectLogicalTypeMismatches(
                        reader.getValueType(),
                        writer.getValueType(),
                        location + "/values",
                        seen,
                        lines);
                return;
            default:
                return;
        }
    }

    /** The writer's field a reader's field reads: the same name, or one of its aliases. */
    private static Schema.Field writerField(Schema writer, Schema.Field field) {
        Schema.Field source = writer.getField(field.name());
        for (Iterator<String> aliases = field.aliases().iterator();
                source == null && aliases.hasNext(); ) {
            source = writer.getField(aliases.next());
        }
        return source;
    }

    private static boolean isNamed(Schema schema) {
        return schema.getType() == Schema.Type.RECORD
                || schema.getType() == Schema.Type.ENUM
                || schema.getType() == Schema.Type.FIXED;
    }

    private static String describe(LogicalType type) {
        if (type instanceof LogicalTypes.Decimal) {
            LogicalTypes.Decimal decimal = (LogicalTypes.Decimal) type;
            return "decimal(" + decimal.getPrecision() + ", " + decimal.getScale() + ")";
        }
        return type.getName();
    }

    static Stream<Arguments> releasedVersionsAndDirections() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : SchemaHistory.recordNames()) {
            List<Schema> versions = SchemaHistory.versions(name);
            for (int version = 1; version <= versions.size(); version++) {
                for (Direction direction : Direction.values()) {
                    cases.add(Arguments.of(name, version, direction, versions.get(version - 1)));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} v{1} {2}")
    @MethodSource("releasedVersionsAndDirections")
    void currentSchemaIsCompatibleWithReleasedVersion(
            String recordName, int version, Direction direction, Schema released) {
        Schema current = CURRENT.get(recordName);
        assertThat(current).as("generated class for released record %s", recordName).isNotNull();

        assertThat(incompatibilities(direction, current, released))
                .as(
                        "%s v%d is not %s compatible (%s); incompatibilities",
                        recordName, version, direction, direction.description)
                .isEmpty();
    }

    @Test
    void everyCurrentSchemaHasAHistoryAndViceVersa() throws IOException {
        List<String> sources = new ArrayList<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".avsc"))
                    .map(f -> f.substring(0, f.length() - ".avsc".length()))
                    .forEach(sources::add);
        }

        assertThat(sources).containsExactlyInAnyOrderElementsOf(CURRENT.keySet());
        assertThat(SchemaHistory.recordNames()).containsExactlyInAnyOrderElementsOf(sources);
    }

    static Stream<String> recordNames() {
        return SchemaHistory.recordNames().stream();
    }

    /**
     * An unreleased change fails here. The fingerprint (parsing canonical form) covers names,
     * types, field order and namespaces; Schema.equals on the source file also covers defaults,
     * logical types and other properties, and {@link #resolutionHints} the aliases and enum
     * defaults that Schema.equals leaves out. Only docs may change without a new version.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("recordNames")
    void currentSchemaIsTheLatestReleasedVersion(String recordName) throws IOException {
        List<Schema> versions = SchemaHistory.versions(recordName);
        int latestVersion = versions.size();
        Schema latest = versions.get(latestVersion - 1);
        Schema current = CURRENT.get(recordName);
        String howToRelease =
                String.format(
                        "%s differs from its latest released version v%d. If the change is meant"
                                + " to be released, add it as history/%s/v%d.avsc, bump"
                                + " index.properties to %s=%d and pin the new file in"
                                + " SchemaCompatibilityTest.RELEASED",
                        recordName,
                        latestVersion,
                        recordName,
                        latestVersion + 1,
                        recordName,
                        latestVersion + 1);

        assertThat(SchemaNormalization.toParsingForm(current))
                .as(howToRelease)
                .isEqualTo(SchemaNormalization.toParsingForm(latest));
        assertThat(SchemaNormalization.parsingFingerprint64(current))
                .as(howToRelease)
                .isEqualTo(SchemaNormalization.parsingFingerprint64(latest));

        Schema source = new Schema.Parser().parse(SOURCES.resolve(recordName + ".avsc").toFile());
        assertThat(source)
                .as(howToRelease + " (defaults, logical types or properties changed)")
                .isEqualTo(latest);
        assertThat(resolutionHints(source))
                .as(howToRelease + " (aliases or enum defaults changed)")
                .isEqualTo(resolutionHints(latest));
    }

    /**
     * The aliases of every named type and field, and the default of every enum, one line each: they
     * change how a reader resolves a writer, and Schema.equals does not compare them.
     */
    static List<String> resolutionHints(Schema schema) {
        List<String> hints = new ArrayList<>();
        collectResolutionHints(schema, new HashSet<>(), hints);
        return hints;
    }

    private static void collectResolutionHints(
            Schema schema, Set<String> seen, List<String> hints) {
        switch (schema.getType()) {
            case RECORD:
            case ENUM:
            case FIXED:
                if (!seen.add(schema.getFullName())) {
                    return; // a recursive or repeated type, listed already
                }
                hints.add(schema.getFullName() + " aliases " + new TreeSet<>(schema.getAliases()));
                if (schema.getType() == Schema.Type.ENUM) {
                    hints.add(schema.getFullName() + " default " + schema.getEnumDefault());
                }
                if (schema.getType() == Schema.Type.RECORD) {
                    for (Schema.Field field : schema.getFields()) {
                        hints.add(
                                schema.getFullName()
                                        + "."
                                        + field.name()
                                        + " aliases "
                                        + new TreeSet<>(field.aliases()));
                        collectResolutionHints(field.schema(), seen, hints);
                    }
                }
                return;
            case ARRAY:
                collectResolutionHints(schema.getElementType(), seen, hints);
                return;
            case MAP:
                collectResolutionHints(schema.getValueType(), seen, hints);
                return;
            case UNION:
                schema.getTypes().forEach(branch -> collectResolutionHints(branch, seen, hints));
                return;
            default:
                return;
        }
    }

    /**
     * Every released version as it was released: the CRC-64-AVRO fingerprint of its parsing
     * canonical form, which its producers put in every single-object record, and the SHA-256 of its
     * file (line ends as LF). The checks above compare the current schemas with these files, so a
     * release edited in place together with the current schema would pass them while records
     * already written under it stop being read. Releasing version N+1 adds a line here.
     */
    private static final Map<String, List<String>> RELEASED =
            Map.ofEntries(
                    released(
                            "ActivationAlert/v1.avsc",
                            "e9dd459febd254fb",
                            "19ecceb52bf3dd51c1a7a478c5018c4013e74d8ed8a0a33dde38fe089cd3be45"),
                    released(
                            "ActivationStats/v1.avsc",
                            "bded6c4b65ba31db",
                            "300122cc91063dd1c4983cb9f11132a734e8d33adf94ef6f40f2664d4f057639"),
                    released(
                            "ActivationVector/v1.avsc",
                            "ab050e51198ed22f",
                            "75fe25e3f87f2b6754703070930bce033290f44c8c24f47344bb2f65fed21393"),
                    released(
                            "DeadLetter/v1.avsc",
                            "1f0a956624e24a51",
                            "45aca7ca2fd040ba82d23419ea7eae22bd7dbf2a71d55861f3bcd8efc213eaf3"),
                    released(
                            "FeatureVector/v1.avsc",
                            "b903861a4874b691",
                            "b7dfc9ca5572402991fcd41b5fe6d8fda95233bd6de35cb18affbf90d6b07cd8"));

    private static Map.Entry<String, List<String>> released(
            String file, String fingerprint, String sha256) {
        return Map.entry(file, List.of(fingerprint, sha256));
    }

    static Stream<Arguments> releasedVersions() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : SchemaHistory.recordNames()) {
            List<Schema> versions = SchemaHistory.versions(name);
            for (int version = 1; version <= versions.size(); version++) {
                cases.add(Arguments.of(name + "/v" + version + ".avsc", versions.get(version - 1)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releasedVersions")
    void releasedVersionIsNeverEdited(String file, Schema released) throws Exception {
        String edited =
                file
                        + " is not the file that was released. A released version is never"
                        + " edited: restore it, and release the change as the next version";
        assertThat(RELEASED)
                .as(
                        "%s is released but not pinned: add its fingerprint and SHA-256 to"
                                + " SchemaCompatibilityTest.RELEASED",
                        file)
                .containsKey(file);

        assertThat(String.format("%016x", SchemaNormalization.parsingFingerprint64(released)))
                .as(edited + " (its fingerprint changed)")
                .isEqualTo(RELEASED.get(file).get(0));
        String text;
        try (InputStream in =
                SchemaHistory.class.getResourceAsStream("/io/relustream/avro/history/" + file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        }
        byte[] sha256 =
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        assertThat(HexFormat.of().formatHex(sha256))
                .as(edited + " (its bytes changed)")
                .isEqualTo(RELEASED.get(file).get(1));
    }

    @Test
    void everyPinnedVersionIsReleased() {
        List<String> released = new ArrayList<>();
        releasedVersions().forEach(arguments -> released.add((String) arguments.get()[0]));

        assertThat(released).containsExactlyInAnyOrderElementsOf(RELEASED.keySet());
    }

    // The tests below prove that incompatibilities(...) catches breaking changes in the right
    // direction, using v1 of FeatureVector as the released version.

    @Test
    void newRequiredFieldWithoutDefaultBreaksBackwardCompatibility() {
        Schema released = releasedFeatureVector();
        List<Schema.Field> fields = copyFields(released);
        fields.add(
                new Schema.Field(
                        "model_version", Schema.create(Schema.Type.STRING), "Model version."));
        Schema next = withFields(released, fields);

        assertThat(incompatibilities(Direction.BACKWARD, next, released))
                .singleElement()
                .asString()
                .startsWith("READER_FIELD_MISSING_DEFAULT_VALUE")
                .endsWith(": model_version");
        assertThat(incompatibilities(Direction.FORWARD, next, released)).isEmpty();
    }

    @Test
    void removedFieldWithoutDefaultBreaksForwardCompatibility() {
        Schema released = releasedFeatureVector();
        assertThat(released.getField("group").hasDefaultValue()).isFalse();
        List<Schema.Field> fields = copyFields(released);
        assertThat(fields.removeIf(f -> f.name().equals("group"))).isTrue();
        Schema next = withFields(released, fields);

        assertThat(incompatibilities(Direction.FORWARD, next, released))
                .singleElement()
                .asString()
                .startsWith("READER_FIELD_MISSING_DEFAULT_VALUE")
                .endsWith(": group");
        assertThat(incompatibilities(Direction.BACKWARD, next, released)).isEmpty();
    }

    @Test
    void newOptionalFieldWithNullDefaultIsCompatibleBothWays() {
        Schema released = releasedFeatureVector();
        List<Schema.Field> fields = copyFields(released);
        fields.add(
                new Schema.Field(
                        "source",
                        Schema.createUnion(
                                Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                        "Where the vector came from.",
                        JsonProperties.NULL_VALUE));
        Schema next = withFields(released, fields);

        assertThat(incompatibilities(Direction.BACKWARD, next, released)).isEmpty();
        assertThat(incompatibilities(Direction.FORWARD, next, released)).isEmpty();
    }

    @Test
    void changedTimestampUnitBreaksCompatibilityBothWays() {
        // Avro's own check passes it: it compares the longs, not what they count.
        Schema released = releasedFeatureVector();
        Schema next =
                new Schema.Parser()
                        .parse(released.toString().replace("timestamp-millis", "timestamp-micros"));
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(next, released).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);

        assertThat(incompatibilities(Direction.BACKWARD, next, released))
                .containsExactly(
                        "LOGICAL_TYPE_MISMATCH at /fields/1/type: the reader reads"
                                + " timestamp-micros where the writer wrote timestamp-millis");
        assertThat(incompatibilities(Direction.FORWARD, next, released))
                .containsExactly(
                        "LOGICAL_TYPE_MISMATCH at /fields/1/type: the reader reads"
                                + " timestamp-millis where the writer wrote timestamp-micros");
    }

    @Test
    void changedLogicalTypeInsideAUnionOrAnArrayOfRecordsBreaksCompatibility() {
        Schema released = SchemaHistory.versions("DeadLetter").get(0);
        // DeadLetter.timestamp (field 5) is ["null", timestamp-millis], failed_at (10) is
        // timestamp-millis; headers (6) an array of records, here with a field "at" (1, after
        // "key") that one version counts in milliseconds and the other in microseconds.
        String headerKey = "{\"name\":\"key\",\"type\":\"string\",\"doc\":\"Header key.\"}";
        assertThat(released.toString()).contains(headerKey);
        String millis =
                released.toString()
                        .replace(
                                headerKey,
                                headerKey
                                        + ",{\"name\":\"at\",\"type\":{\"type\":\"long\","
                                        + "\"logicalType\":\"timestamp-millis\"},\"default\":0}");
        Schema older = new Schema.Parser().parse(millis);
        Schema newer =
                new Schema.Parser().parse(millis.replace("timestamp-millis", "timestamp-micros"));

        assertThat(incompatibilities(Direction.BACKWARD, newer, older))
                .containsExactlyInAnyOrder(
                        "LOGICAL_TYPE_MISMATCH at /fields/5/type/1: the reader reads"
                                + " timestamp-micros where the writer wrote timestamp-millis",
                        "LOGICAL_TYPE_MISMATCH at /fields/6/type/items/fields/1/type: the reader"
                                + " reads timestamp-micros where the writer wrote timestamp-millis",
                        "LOGICAL_TYPE_MISMATCH at /fields/10/type: the reader reads"
                                + " timestamp-micros where the writer wrote timestamp-millis");
    }

    @Test
    void addingOrDroppingALogicalTypeKeepsCompatibility() {
        // The long itself is unchanged, and the fingerprint cannot tell them apart anyway.
        Schema released = releasedFeatureVector();
        Schema plain =
                new Schema.Parser()
                        .parse(
                                released.toString()
                                        .replace(",\"logicalType\":\"timestamp-millis\"", ""));

        assertThat(incompatibilities(Direction.BACKWARD, plain, released)).isEmpty();
        assertThat(incompatibilities(Direction.FORWARD, plain, released)).isEmpty();
    }

    @Test
    void resolutionHintsTellAliasesAndEnumDefaultsThatSchemaEqualsIgnores() {
        Schema released = releasedFeatureVector();
        String json = released.toString();
        Schema aliased =
                new Schema.Parser()
                        .parse(
                                json.replace(
                                                "\"name\":\"group\",",
                                                "\"name\":\"group\",\"aliases\":[\"tenant\"],")
                                        .replaceFirst(
                                                "\"name\":\"FeatureVector\",",
                                                "\"name\":\"FeatureVector\",\"aliases\":[\"Vector\"],"));
        assertThat(aliased).isEqualTo(released); // what the check above would miss
        assertThat(resolutionHints(released))
                .containsExactly(
                        "io.relustream.avro.FeatureVector aliases []",
                        "io.relustream.avro.FeatureVector.id aliases []",
                        "io.relustream.avro.FeatureVector.event_time aliases []",
                        "io.relustream.avro.FeatureVector.group aliases []",
                        "io.relustream.avro.FeatureVector.values aliases []");
        assertThat(resolutionHints(aliased))
                .containsExactly(
                        "io.relustream.avro.FeatureVector aliases [io.relustream.avro.Vector]",
                        "io.relustream.avro.FeatureVector.id aliases []",
                        "io.relustream.avro.FeatureVector.event_time aliases []",
                        "io.relustream.avro.FeatureVector.group aliases [tenant]",
                        "io.relustream.avro.FeatureVector.values aliases []");

        String kind = "{\"type\":\"enum\",\"name\":\"Kind\",\"symbols\":[\"A\",\"B\"]";
        Schema noDefault = new Schema.Parser().parse(kind + "}");
        Schema withDefault = new Schema.Parser().parse(kind + ",\"default\":\"A\"}");
        assertThat(withDefault).isEqualTo(noDefault);
        assertThat(resolutionHints(noDefault))
                .containsExactly("Kind aliases []", "Kind default null");
        assertThat(resolutionHints(withDefault))
                .containsExactly("Kind aliases []", "Kind default A");
    }

    private static Schema releasedFeatureVector() {
        return SchemaHistory.versions("FeatureVector").get(0);
    }

    /** Copies, because a field belongs to exactly one record schema. */
    private static List<Schema.Field> copyFields(Schema record) {
        List<Schema.Field> copies = new ArrayList<>();
        for (Schema.Field field : record.getFields()) {
            copies.add(new Schema.Field(field, field.schema()));
        }
        return copies;
    }

    private static Schema withFields(Schema record, List<Schema.Field> fields) {
        Schema derived =
                Schema.createRecord(
                        record.getName(), record.getDoc(), record.getNamespace(), false);
        derived.setFields(fields);
        return derived;
    }
}
