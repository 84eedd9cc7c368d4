package io.relustream.jobs.options;

import io.relustream.avro.FeatureVector;

import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class WriterSchemasTest {

    private static final String MICROS_REFUSED =
            "': field event_time is timestamp-micros, but the current FeatureVector reads"
                    + " timestamp-millis: its values would be read in the wrong unit";

    private static final String INVALID = "Invalid value for option '--writer-schemas': ";

    private static final String SOURCE_FIELD =
            "{\"name\": \"source\", \"type\": [\"null\", \"string\"], \"default\": null}";

    private static final String V2_RESOURCE = "/evolution/FeatureVector-v2.avsc";

    /** The current FeatureVector schema as JSON: the start of every variant below. */
    private static final String CURRENT = FeatureVector.getClassSchema().toString(true);

    @TempDir Path dir;

    @Test
    void theV2ResourceIsTheCurrentSchemaWithAnOptionalSourceField() throws Exception {
        Schema current = FeatureVector.getClassSchema();
        Schema v2 = new Schema.Parser().parse(v2Json());

        assertThat(v2.getFullName()).isEqualTo("io.relustream.avro.FeatureVector");
        assertThat(v2.getDoc()).isEqualTo(current.getDoc());
        assertThat(v2.getFields()).hasSize(5);
        for (int i = 0; i < 4; i++) {
            // Compared without the generated class's avro.java.string properties.
            Schema.Field field = v2.getFields().get(i);
            Schema.Field expected = current.getFields().get(i);
            assertThat(field.name()).isEqualTo(expected.name());
            assertThat(field.doc()).isEqualTo(expected.doc());
            assertThat(field.hasDefaultValue()).isFalse();
            assertThat(SchemaNormalization.toParsingForm(field.schema()))
                    .isEqualTo(SchemaNormalization.toParsingForm(expected.schema()));
            assertThat(field.schema().getLogicalType())
                    .isEqualTo(expected.schema().getLogicalType());
        }
        Schema.Field source = v2.getField("source");
        assertThat(source.pos()).isEqualTo(4);
        assertThat(source.schema())
                .isEqualTo(
                        Schema.createUnion(
                                Schema.create(Schema.Type.NULL),
                                Schema.create(Schema.Type.STRING)));
        assertThat(source.defaultVal()).isEqualTo(JsonProperties.NULL_VALUE);
        assertThat(source.doc())
                .isEqualTo(
                        "Name of the producer that wrote the record; added in v2, null for"
                                + " records of older producers.");
        assertThat(SchemaNormalization.parsingFingerprint64(v2))
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(current));
    }

    @Test
    void readsOneSchemaFile() throws Exception {
        Path file = write("FeatureVector-v2.avsc", v2Json());

        JobOptions options = options("--writer-schemas", file.toString());

        assertThat(options.writerSchemas().isEmpty()).isFalse();
        assertThat(options.writerSchemas().toString()).isEqualTo(file.toString());
        assertThat(options.writerSchemas().schemas()).containsExactly(schema(v2Json()));
    }

    @Test
    void readsEveryAvscFileOfAFolderSortedByName() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("schemas"));
        String withHost =
                withField("{\"name\": \"host\", \"type\": \"string\", \"default\": \"\"}");
        write(folder, "b-v2.avsc", v2Json());
        write(folder, "a-host.avsc", withHost);
        write(folder, "notes.txt", "not a schema, and not read: only .avsc files are");
        write(folder, "c-v2.avsc.bak", "not read either");

        WriterSchemas schemas = options("--writer-schemas=" + folder).writerSchemas();

        assertThat(schemas.schemas()).containsExactly(schema(withHost), schema(v2Json()));
        assertThat(schemas.toString()).isEqualTo(folder.toString());
    }

    @Test
    void readsFilesAndFoldersInTheOrderGivenWithoutTheSpacesAround() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("more"));
        String withHost =
                withField("{\"name\": \"host\", \"type\": \"string\", \"default\": \"\"}");
        write(folder, "host.avsc", withHost);
        Path v2 = write("v2.avsc", v2Json());

        WriterSchemas schemas =
                options("--writer-schemas", " " + folder + " , " + v2 + " ").writerSchemas();

        assertThat(schemas.schemas()).containsExactly(schema(withHost), schema(v2Json()));
        assertThat(schemas.toString()).isEqualTo(folder + "," + v2);
    }

    @Test
    void readsTheClasspathResourceThatTheIntegrationTestsUse() throws Exception {
        Path resource = Path.of(WriterSchemasTest.class.getResource(V2_RESOURCE).toURI());

        assertThat(options("--writer-schemas", resource.toString()).writerSchemas().schemas())
                .containsExactly(schema(v2Json()));
    }

    @Test
    void acceptsNewerWritersWhoseRecordsTheJobCanRead() throws Exception {
        // Checked with the job's schema as the reader: a writer's extra field is skipped even
        // without a default, and float values are promoted to double.
        String requiredExtra = withField("{\"name\": \"shard\", \"type\": \"int\"}");
        String floats = CURRENT.replace("\"items\" : \"double\"", "\"items\" : \"float\"");
        assertThat(floats).isNotEqualTo(CURRENT);
        // Items of at least one byte: a union's branch index; a map entry's key length.
        String byteItems =
                withField(
                        "{\"name\": \"flags\", \"type\": {\"type\": \"array\", \"items\":"
                                + " [\"null\", \"double\"]}}, {\"name\": \"tags\", \"type\":"
                                + " {\"type\": \"map\", \"values\": \"null\"}}");

        for (String json : List.of(requiredExtra, floats, byteItems, CURRENT)) {
            Path file = write("writer.avsc", json);
            assertThat(options("--writer-schemas", file.toString()).writerSchemas().schemas())
                    .containsExactly(schema(json));
        }
    }

    @Test
    void rejectsAPathNoFileSystemHasNamingIt() {
        // A NUL cannot be in a path: Java's own message would not quote the value.
        assertRejected("a\0b.avsc", "'a\0b.avsc' is not a path: Nul character not allowed");
    }

    @Test
    void rejectsAPathThatIsNeitherAFileNorAFolder() {
        Path missing = dir.resolve("missing.avsc");

        assertRejected(missing.toString(), "'" + missing + "' is neither a file nor a folder");
        Path v2 = write("v2.avsc", v2Json());
        assertRejected(v2 + "," + missing, "'" + missing + "' is neither a file nor a folder");
    }

    @Test
    void rejectsAFolderWithoutAvscFiles() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path other = Files.createDirectory(dir.resolve("other"));
        write(other, "FeatureVector.json", v2Json());

        assertRejected(empty.toString(), "'" + empty + "' holds no .avsc file");
        assertRejected(other.toString(), "'" + other + "' holds no .avsc file");
    }

    @Test
    void rejectsAFolderEntryThatIsNotAFileInsteadOfReadingIt() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("schemas"));
        write(folder, "a.avsc", v2Json());
        Path pipe = folder.resolve("b.avsc");
        // A named pipe: given alone it is refused as neither a file nor a folder; in a folder the
        // check opened it and waited for a writer for ever, --help too.
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo %s", pipe).isZero();
        String reason =
                "'" + pipe + "' is not a regular file; every .avsc entry of a folder must be one";

        assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> assertRejected(folder.toString(), reason));
        assertRejected(pipe.toString(), "'" + pipe + "' is neither a file nor a folder");

        // Folders are not read recursively: one named like a schema is refused too.
        Path other = Files.createDirectory(dir.resolve("other"));
        Path nested = Files.createDirectory(other.resolve("nested.avsc"));
        write(nested, "v2.avsc", v2Json());
        assertRejected(
                other.toString(),
                "'"
                        + nested
                        + "' is not a regular file; every .avsc entry of a folder must be one");
    }

    @Test
    void rejectsFilesThatAreNotAvroSchemas() {
        Path text = write("text.avsc", "not a schema");
        Path empty = write("empty.avsc", "");
        Path badType = write("bad-type.avsc", "{\"type\": \"recrd\", \"name\": \"FeatureVector\"}");
        Path duplicate =
                write(
                        "duplicate.avsc",
                        "{\"type\": \"record\", \"name\": \"FeatureVector\", \"fields\": ["
                                + "{\"name\": \"id\", \"type\": \"string\"},"
                                + " {\"name\": \"id\", \"type\": \"string\"}]}");
        Path badDefault =
                write(
                        "bad-default.avsc",
                        "{\"type\": \"record\", \"name\": \"FeatureVector\", \"fields\": ["
                                + "{\"name\": \"id\", \"type\": \"int\", \"default\": \"x\"}]}");

        assertRejected(
                text.toString(),
                "'"
                        + text
                        + "' is not an Avro schema: com.fasterxml.jackson.core.JsonParseException:"
                        + " Unrecognized token 'not': was expecting (JSON String, Number, Array,"
                        + " Object or token 'null', 'true' or 'false')\n"
                        + " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`"
                        + " disabled); line: 1, column: 5]");
        assertRejected(
                empty.toString(),
                "'"
                        + empty
                        + "' is empty; a writer schema file holds one FeatureVector schema, as"
                        + " JSON");
        assertRejected(
                badType.toString(),
                "'"
                        + badType
                        + "' is not an Avro schema: A schema \"type\" MUST be a primitive type or"
                        + " one of \"enum\", \"fixed\", \"record\", \"error\", \"array\" or"
                        + " \"map\".");
        // Avro reports these two with exceptions other than its parse exception.
        assertRejected(
                duplicate.toString(),
                "'"
                        + duplicate
                        + "' is not an Avro schema: Duplicate field id in record FeatureVector:"
                        + " id type:STRING pos:1 and id type:STRING pos:0.");
        assertRejected(
                badDefault.toString(),
                "'"
                        + badDefault
                        + "' is not an Avro schema: Invalid default for field id: \"x\" not a"
                        + " \"int\"");
    }

    /**
     * Avro says "Cannot parse <null> schema" of a file without a schema, and puts whatever follows
     * the first schema whole into its message, a second schema of hundreds of lines too: the
     * refusal says what the file holds instead, and names the second schema.
     */
    @Test
    void rejectsAFileOfNoSchemaOrOfMoreThanOneSayingWhatItHolds() {
        Path blank = write("blank.avsc", " \n\t\n");
        Path comment = write("comment.avsc", "// FeatureVector v3, to come\n");
        Path two = write("two.avsc", CURRENT + "\n" + withField(SOURCE_FIELD));
        Path other =
                write(
                        "other.avsc",
                        CURRENT
                                + "{\"type\": \"record\", \"name\": \"Other\", \"namespace\":"
                                + " \"com.example\", \"fields\": []}");
        Path three = write("three.avsc", CURRENT + " \"int\" [\"null\", \"string\"]");
        Path trailing = write("trailing.avsc", CURRENT + "\n}");

        assertRejected(
                blank.toString(),
                "'"
                        + blank
                        + "' holds no schema, only white space or comments; a writer schema file"
                        + " holds one FeatureVector schema, as JSON");
        assertRejected(
                comment.toString(),
                "'"
                        + comment
                        + "' holds no schema, only white space or comments; a writer schema file"
                        + " holds one FeatureVector schema, as JSON");
        assertRejected(
                two.toString(),
                "'"
                        + two
                        + "' holds 2 schemas, the second io.relustream.avro.FeatureVector; a"
                        + " writer schema file holds one: give each schema a file of its own");
        assertRejected(
                other.toString(),
                "'"
                        + other
                        + "' holds 2 schemas, the second com.example.Other; a writer schema file"
                        + " holds one: give each schema a file of its own");
        assertRejected(
                three.toString(),
                "'"
                        + three
                        + "' holds 3 schemas, the second of type \"int\"; a writer schema file"
                        + " holds one: give each schema a file of its own");
        int lines = (int) CURRENT.lines().count();
        assertRejected(
                trailing.toString(),
                "'"
                        + trailing
                        + "' holds text after its schema that is not JSON, at line "
                        + (lines + 1)
                        + ", column 1; a writer schema file holds one FeatureVector schema and"
                        + " nothing else");
    }

    /** A union is one schema, a JSON array: the count and the second are those after it. */
    @Test
    void countsAUnionFirstInAFileAsOneSchema() {
        Path unionFirst =
                write(
                        "union-first.avsc",
                        "[\"null\", \"string\", \"int\"]\n{\"type\": \"record\", \"name\":"
                                + " \"Other\", \"namespace\": \"com.example\", \"fields\": []}");

        assertRejected(
                unionFirst.toString(),
                "'"
                        + unionFirst
                        + "' holds 2 schemas, the second com.example.Other; a writer schema file"
                        + " holds one: give each schema a file of its own");
    }

    @Test
    void rejectsSchemasThatAvroRefusesWithJavaExceptionsByThePath() {
        // Avro reads a string default of a float or double with Double.valueOf (for "NaN" and
        // "Infinity"), and a field's order with Enum.valueOf: both throw plain Java exceptions.
        Path doubleDefault =
                write(
                        "double-default.avsc",
                        withField(
                                "{\"name\": \"scale\", \"type\": \"double\", \"default\":"
                                        + " \"abc\"}"));
        Path floatDefault =
                write(
                        "float-default.avsc",
                        withField(
                                "{\"name\": \"scale\", \"type\": \"float\", \"default\":"
                                        + " \"1,5\"}"));
        Path order =
                write(
                        "order.avsc",
                        withField(
                                "{\"name\": \"source\", \"type\": \"string\", \"order\":"
                                        + " \"upward\", \"default\": \"\"}"));

        assertRejected(
                doubleDefault.toString(),
                "'"
                        + doubleDefault
                        + "' is not an Avro schema: a float or double field has the default"
                        + " \"abc\", which is not a number; use a JSON number, or \"NaN\","
                        + " \"Infinity\" or \"-Infinity\"");
        assertRejected(
                floatDefault.toString(),
                "'"
                        + floatDefault
                        + "' is not an Avro schema: a float or double field has the default"
                        + " \"1,5\", which is not a number; use a JSON number, or \"NaN\","
                        + " \"Infinity\" or \"-Infinity\"");
        assertRejected(
                order.toString(),
                "'"
                        + order
                        + "' is not an Avro schema: a field has the order \"upward\"; use"
                        + " \"ascending\", \"descending\" or \"ignore\"");
        // Still a schema the job takes: Avro reads these strings as numbers.
        Path nan =
                write(
                        "nan-default.avsc",
                        withField(
                                "{\"name\": \"scale\", \"type\": \"double\", \"default\":"
                                        + " \"NaN\"}"));
        assertThat(WriterSchemas.load(nan.toString()).schemas()).hasSize(1);

        // The job does not start: exit status 2, the option, the file and why, on one line.
        assertThat(jobRefusal(order))
                .isEqualTo(
                        String.format(
                                "%s'%s' is not an Avro schema: a field has the order \"upward\";"
                                        + " use \"ascending\", \"descending\" or \"ignore\"%n"
                                        + "Use --help to see every option.%n",
                                INVALID, order));
    }

    /**
     * A producer's FeatureVector in its own namespace, or in none: Avro's resolution matches a
     * record by its name without the namespace, and so does the job, which reads such records.
     */
    @Test
    void acceptsAFeatureVectorOfAnotherNamespaceAsAvroResolvesIt() {
        String acme =
                v2Json().replace(
                                "\"namespace\": \"io.relustream.avro\"",
                                "\"namespace\": \"com.acme\"");
        String none = CURRENT.replace("\"namespace\" : \"io.relustream.avro\",", "");
        assertThat(schema(acme).getFullName()).isEqualTo("com.acme.FeatureVector");
        assertThat(schema(none).getFullName()).isEqualTo("FeatureVector");

        for (String json : List.of(acme, none)) {
            Path file = write("elsewhere.avsc", json);
            assertThat(options("--writer-schemas", file.toString()).writerSchemas().schemas())
                    .containsExactly(schema(json));
        }
    }

    @Test
    void rejectsSchemasOfOtherRecords() throws IOException {
        Path other =
                write(
                        "other.avsc",
                        "{\"type\": \"record\", \"name\": \"ActivationVector\", \"namespace\":"
                                + " \"io.relustream.avro\", \"fields\": []}");
        // Another namespace and another name, even with an alias naming the job's record: Avro's
        // compatibility check does not look at the writer's aliases.
        Path renamed =
                write(
                        "renamed.avsc",
                        CURRENT.replace(
                                "\"name\" : \"FeatureVector\",\n  \"namespace\" :"
                                        + " \"io.relustream.avro\",",
                                "\"name\" : \"Features\", \"namespace\" : \"com.acme\", \"aliases\""
                                        + " : [\"io.relustream.avro.FeatureVector\"],"));
        assertThat(schema(Files.readString(renamed)).getFullName()).isEqualTo("com.acme.Features");
        Path primitive = write("primitive.avsc", "\"string\"");
        String rule =
                ": Avro reads a writer's record as io.relustream.avro.FeatureVector only when it is"
                        + " named FeatureVector, in any namespace (io.relustream.avro.FeatureVector"
                        + " has no aliases, and aliases in the writer's schema do not count)";

        assertRejected(
                other.toString(),
                "'"
                        + other
                        + "': schema io.relustream.avro.ActivationVector is not a FeatureVector"
                        + rule);
        assertRejected(
                renamed.toString(),
                "'" + renamed + "': schema com.acme.Features is not a FeatureVector" + rule);
        assertRejected(
                primitive.toString(),
                "'"
                        + primitive
                        + "': schema string is not a record; a FeatureVector writer schema must be"
                        + " a record named FeatureVector, in any namespace");
    }

    @Test
    void rejectsFeatureVectorsWhoseRecordsTheJobCannotRead() {
        String stringValues = CURRENT.replace("\"items\" : \"double\"", "\"items\" : \"string\"");
        String noGroup = CURRENT.replace("\"name\" : \"group\"", "\"name\" : \"tenant\"");
        assertThat(stringValues).isNotEqualTo(CURRENT);
        assertThat(noGroup).isNotEqualTo(CURRENT);
        Path strings = write("strings.avsc", stringValues);
        Path tenant = write("tenant.avsc", noGroup);
        Path both = write("both.avsc", noGroup.replace("\"double\"", "\"string\""));

        assertRejected(
                strings.toString(),
                "'"
                        + strings
                        + "': records written with it cannot be read as the current FeatureVector:"
                        + " field values: reader type: DOUBLE not compatible with writer type:"
                        + " STRING at /fields/3/type/items (a double reads only int, long, float"
                        + " or double)");
        // The job's field 'group' has no default, so a writer without it cannot be read.
        assertRejected(
                tenant.toString(),
                "'"
                        + tenant
                        + "': records written with it cannot be read as the current FeatureVector:"
                        + " its field group at /fields/2 has no default and the writer has no"
                        + " field of that name (aliases count only in the current schema, not in"
                        + " the writer's)");
        assertRejected(
                both.toString(),
                "'"
                        + both
                        + "': records written with it cannot be read as the current FeatureVector:"
                        + " its field group at /fields/2 has no default and the writer has no"
                        + " field of that name (aliases count only in the current schema, not in"
                        + " the writer's); field values: reader type: DOUBLE not compatible"
                        + " with writer type: STRING at /fields/3/type/items (a double reads only"
                        + " int, long, float or double)");
    }

    @Test
    void rejectsAFieldRenamedWithAnAliasInTheWriterOnly() {
        // Avro resolves renames through the reader's aliases; the writer's are not looked at.
        String renamed =
                CURRENT.replace(
                        "\"name\" : \"event_time\",",
                        "\"name\" : \"ts\", \"aliases\" : [ \"event_time\" ],");
        assertThat(renamed).isNotEqualTo(CURRENT);
        Path file = write("renamed.avsc", renamed);

        assertRejected(
                file.toString(),
                "'"
                        + file
                        + "': records written with it cannot be read as the current FeatureVector:"
                        + " its field event_time at /fields/1 has no default and the writer has"
                        + " no field of that name (aliases count only in the current schema, not"
                        + " in the writer's)");
    }

    @Test
    void rejectsAnEventTimeInAnotherUnitThatTheFingerprintCannotTellApart() {
        String micros = CURRENT.replace("timestamp-millis", "timestamp-micros");
        assertThat(micros).isNotEqualTo(CURRENT);
        // Same fingerprint as the job's own schema: resolution would never even use the file.
        assertThat(SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(micros)))
                .isEqualTo(
                        SchemaNormalization.parsingFingerprint64(FeatureVector.getClassSchema()));
        Path file = write("micros.avsc", micros);

        assertRejected(file.toString(), "'" + file + MICROS_REFUSED);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "[\"int\",{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}]",
                // One branch: Avro reads it as that branch.
                "[{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}]"
            })
    void rejectsAnEventTimeInAnotherUnitInsideAUnion(String union) {
        // A union changes the fingerprint, so the decoder would resolve such a writer, and read
        // its microseconds as milliseconds.
        String millis = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
        String compact = FeatureVector.getClassSchema().toString();
        String writer = compact.replace(millis, union);
        assertThat(writer).isNotEqualTo(compact);
        Path file = write("micros-union.avsc", writer);

        assertRejected(file.toString(), "'" + file + MICROS_REFUSED);
    }

    @Test
    void rejectsWritersWithArraysOfItemsWrittenInZeroBytes() {
        // A few bytes could claim 2^62 such items, and one record would hold the job up for good.
        Path nulls =
                write(
                        "nulls.avsc",
                        withField(
                                "{\"name\": \"extra\", \"type\": [\"null\", {\"type\":"
                                        + " \"array\", \"items\": \"null\"}]}"));
        Path empty =
                write(
                        "empty.avsc",
                        withField(
                                "{\"name\": \"nested\", \"type\": {\"type\": \"record\","
                                        + " \"name\": \"Nested\", \"fields\": [{\"name\":"
                                        + " \"marks\", \"type\": {\"type\": \"array\","
                                        + " \"items\": {\"type\": \"record\", \"name\":"
                                        + " \"Mark\", \"fields\": []}}}]}}"));
        String allowed =
                ", items written in zero bytes, so that a few bytes could claim billions of them"
                    + " for the decoder to read one by one; an array's items must take at least one"
                    + " byte (a union such as [\"null\", \"double\"] takes one)";

        assertRejected(
                nulls.toString(),
                "'" + nulls + "': FeatureVector.extra is an array of null" + allowed);
        assertRejected(
                empty.toString(),
                "'"
                        + empty
                        + "': FeatureVector.nested.marks is an array of record"
                        + " io.relustream.avro.Mark without fields"
                        + allowed);

        // The job does not start: exit status 2, the option, the file and why.
        assertThat(jobRefusal(nulls))
                .isEqualTo(
                        String.format(
                                "%s'%s': FeatureVector.extra is an array of null%s%n"
                                        + "Use --help to see every option.%n",
                                INVALID, nulls, allowed));
    }

    @Test
    void writerSchemasNeedTheSingleObjectFormat() {
        Path v2 = write("v2.avsc", v2Json());

        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--format",
                                        "avro",
                                        "--writer-schemas",
                                        v2.toString()))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        INVALID
                                + "'"
                                + v2
                                + "' needs --format avro-single-object; plain Avro (--format avro)"
                                + " carries no schema fingerprint, so every record is read with the"
                                + " job's own schema");
    }

    @Test
    void rejectsTheFirstBadFileOfAFolderByItsPath() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("mixed"));
        write(folder, "a.avsc", v2Json());
        write(folder, "b.avsc", "\"string\"");
        write(folder, "c.avsc", "not a schema");

        assertRejected(
                folder.toString(),
                "'"
                        + folder.resolve("b.avsc")
                        + "': schema string is not a record; a FeatureVector writer schema"
                        + " must be a record named FeatureVector, in any namespace");
    }

    @Test
    void rejectsEmptyEntries() {
        String v2 = write("v2.avsc", v2Json()).toString();

        for (String value :
                List.of(v2 + ",," + v2, v2 + ",", "," + v2, v2 + ", ," + v2, "", " ", ",")) {
            assertRejected(value, "'" + value + "' has an empty path; separate paths with commas");
        }
    }

    @Test
    void toArgsWritesThePathsAndReadsBackToEqualOptions() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("folder"));
        write(folder, "v2.avsc", v2Json());
        Path v2 = write("v2.avsc", v2Json());
        JobOptions options = options("--writer-schemas", " " + v2 + " ," + folder);

        assertThat(options.toArgs())
                .contains("--writer-schemas=" + v2 + "," + folder)
                .containsSubsequence(
                        "--checkpoint-interval=30s",
                        "--writer-schemas=" + v2 + "," + folder,
                        "--format=avro-single-object");
        JobOptions again = JobOptions.parse(options.toArgs());
        assertThat(again).isEqualTo(options).hasSameHashCodeAs(options);
        assertThat(again.writerSchemas().schemas())
                .containsExactly(schema(v2Json()), schema(v2Json()));
        assertThat(again.toArgs()).containsExactly(options.toArgs());
        assertThat(options.toString())
                .contains(" --writer-schemas=" + v2 + "," + folder + " --format=");
    }

    @Test
    void toArgsLeavesOutWriterSchemasWhenThereAreNone() {
        assertThat(options().toArgs()).noneMatch(arg -> arg.startsWith("--writer-schemas"));
    }

    @Test
    void writerSchemasAreEqualWhenTheirPathsAre() throws Exception {
        Path v2 = write("v2.avsc", v2Json());
        Path copy = write("copy.avsc", v2Json());
        WriterSchemas one = WriterSchemas.load(v2.toString());

        assertThat(WriterSchemas.load(" " + v2 + " ")).isEqualTo(one).hasSameHashCodeAs(one);
        assertThat(WriterSchemas.load(copy.toString())).isNotEqualTo(one);
        assertThat(WriterSchemas.load(v2 + "," + v2)).isNotEqualTo(one);
        assertThat(WriterSchemas.none()).isNotEqualTo(one).isEqualTo(WriterSchemas.none());
        assertThat(options("--writer-schemas", v2.toString()))
                .isEqualTo(options("--writer-schemas=" + v2))
                .isNotEqualTo(options("--writer-schemas", copy.toString()))
                .isNotEqualTo(options());
    }

    @Test
    void noneHoldsNothing() {
        WriterSchemas none = WriterSchemas.none();

        assertThat(none.isEmpty()).isTrue();
        assertThat(none.schemas()).isEmpty();
        assertThat(none.toString()).isEmpty();
    }

    @Test
    void theSchemasCannotBeChanged() {
        List<Schema> schemas = WriterSchemas.load(write("v2.avsc", v2Json()).toString()).schemas();

        assertThatThrownBy(() -> schemas.add(FeatureVector.getClassSchema()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private void assertRejected(String value, String reason) {
        assertThatThrownBy(() -> options("--writer-schemas", value))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(INVALID + reason);
        assertThatThrownBy(() -> options("--writer-schemas=" + value))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(INVALID + reason);
        assertThatThrownBy(() -> WriterSchemas.load(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(reason);
    }

    private static JobOptions options(String... args) {
        String[] all =
                Arrays.copyOf(new String[] {"--bootstrap-servers", "kafka:9092"}, 2 + args.length);
        System.arraycopy(args, 0, all, 2, args.length);
        return JobOptions.parse(all);
    }

    private static Schema schema(String json) {
        return new Schema.Parser().parse(json);
    }

    /** The current schema with {@code field} appended. */
    private static String withField(String field) {
        int end = CURRENT.lastIndexOf(']');
        return CURRENT.substring(0, end) + ", " + field + CURRENT.substring(end);
    }

    private static String v2Json() {
        try (InputStream in = WriterSchemasTest.class.getResourceAsStream(V2_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Path write(String name, String content) {
        return write(dir, name, content);
    }

    private static Path write(Path folder, String name, String content) {
        try {
            return Files.writeString(folder.resolve(name), content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** What the job prints to stderr when it refuses {@code --writer-schemas path}: status 2. */
    private static String jobRefusal(Path path) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                JobOptions.run(
                        new String[] {
                            "--bootstrap-servers", "kafka:9092", "--writer-schemas", path.toString()
                        },
                        options -> 0,
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        return err.toString(StandardCharsets.UTF_8);
    }
}
