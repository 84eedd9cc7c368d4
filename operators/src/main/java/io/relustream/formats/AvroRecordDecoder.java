package io.relustream.formats;

import io.relustream.avro.FeatureVector;
import io.relustream.avro.history.SchemaHistory;

import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;

import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decodes one Avro record type from message bytes in a {@link WireFormat}. In {@link
 * WireFormat#AVRO_SINGLE_OBJECT} it resolves every released writer schema of the type (kept in
 * {@code schemas/}; only the records of {@code io.relustream.avro} have them, not a record of the
 * user's own of the same name) by its fingerprint; plain {@link WireFormat#AVRO} carries no
 * fingerprint and is read with the current schema only.
 *
 * <p>Bad bytes never escape as Avro's exceptions or an out-of-memory error: the payload is walked
 * along the writer schema first, and every problem becomes an {@link UndecodableRecordException}
 * whose message a person can act on.
 *
 * <pre>{@code
 * AvroRecordDecoder<FeatureVector> decoder =
 *         AvroRecordDecoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
 * FeatureVector vector = decoder.decode(bytes);
 * }</pre>
 */
public final class AvroRecordDecoder<T extends SpecificRecordBase> implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final int HEADER_LENGTH = 10;
    private static final int CONFLUENT_HEADER_LENGTH = 5;
    private static final String RELEASED_NAMESPACE = FeatureVector.getClassSchema().getNamespace();

    private final Class<T> type;
    private final WireFormat format;
    // Schemas as JSON: Avro's Schema objects are not meant to travel in Flink's closures.
    private final List<String> extraWriterSchemas;

    private transient Schema readerSchema;
    private transient Map<Long, Schema> writerSchemas;
    private transient Map<Long, SpecificDatumReader<T>> readers;
    private transient String knownVersions;
    private transient BinaryDecoder decoder;
    private transient boolean fastFeatureVectors;
    private transient Map<Long, String> otherRecordVersions;
    private transient boolean released;

    private AvroRecordDecoder(Class<T> type, WireFormat format, List<String> extraWriterSchemas) {
        this.type = Objects.requireNonNull(type, "type");
        this.format = Objects.requireNonNull(format, "format");
        this.extraWriterSchemas = List.copyOf(extraWriterSchemas);
    }

    /**
     * A decoder of {@code type} records in {@code format}.
     *
     * @throws IllegalArgumentException when the type's schema has an array whose items can be
     *     written in zero bytes (null, a record without fields, a fixed of size 0), naming it: the
     *     decoder could not tell a payload's count of them from a lie
     */
    public static <T extends SpecificRecordBase> AvroRecordDecoder<T> of(
            Class<T> type, WireFormat format) {
        AvroBinaryCheck.checkItemsTakeBytes(
                SpecificData.getForClass(Objects.requireNonNull(type, "type")).getSchema(type));
        return new AvroRecordDecoder<>(type, format, List.of());
    }

    /**
     * This decoder, also resolving the given writer schemas by their fingerprint: newer schemas of
     * producers that upgraded before this job did. Each must be readable by the current schema,
     * which is checked here: see {@link #checkReadable}. Plain {@link WireFormat#AVRO} records are
     * still read with the current schema only; the given ones serve there to name a record of
     * another format in a reason.
     *
     * @throws IllegalArgumentException when records of a schema cannot be read as {@code T}, or it
     *     has an array whose items can be written in zero bytes, saying why as {@link
     *     #checkReadable} does; or when Avro's {@code Schema.Parser} does not read it (a schema of
     *     a parser without its checks of names and defaults), with the parser's reason
     */
    public AvroRecordDecoder<T> withWriterSchemas(List<Schema> writerSchemas) {
        List<String> all = new ArrayList<>(extraWriterSchemas);
        Objects.requireNonNull(writerSchemas, "writerSchemas");
        for (int i = 0; i < writerSchemas.size(); i++) {
            Schema schema =
                    Objects.requireNonNull(writerSchemas.get(i), "writerSchemas[" + i + "]");
            String json = schema.toString();
            try {
                // As initialize() reads it where the decoder runs: a schema of a parser without
                // Avro's checks (names, defaults) would fail there at the first record.
                new Schema.Parser().parse(json);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "writerSchemas["
                                + i
                                + "] is not a schema Avro's Schema.Parser reads, as the decoder"
                                + " reads it again where it runs: "
                                + e.getMessage());
            }
            // Else its records would fail one by one, or a writer counting microseconds would be
            // read 1000 times off without a word.
            checkReadable(type, schema);
            all.add(json);
        }
        return new AvroRecordDecoder<>(type, format, all);
    }

    /**
     * Checks that records written with {@code writer} can be read as {@code type}, and that the
     * decoder can check their bytes: no array of the writer may hold items that can be written in
     * zero bytes (null, a record without fields or of such fields only, a fixed of size 0), whose
     * count a few bytes could set to billions.
     *
     * <p>A value whose logical type differs from the current schema's (a {@code timestamp-micros}
     * long where it reads {@code timestamp-millis}) is refused too: Avro would read the number as
     * it is, in the wrong unit, or as an instant where it counts from the writer's local midnight
     * ({@code local-timestamp-millis}).
     *
     * @throws IllegalArgumentException naming the record and every incompatibility, the field whose
     *     logical type differs, or the field path of such an array (e.g. {@code
     *     FeatureVector.extra}, {@code FeatureVector.m[].a} for a field of a map's or array's
     *     items)
     */
    public static void checkReadable(Class<? extends SpecificRecordBase> type, Schema writer) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(writer, "writer");
        Schema reader = SpecificData.getForClass(type).getSchema(type);
        if (writer.getType() != Schema.Type.RECORD) {
            List<String> aliases = new ArrayList<>(reader.getAliases());
            aliases.sort(null);
            throw new IllegalArgumentException(
                    "schema "
                            + writer.getFullName()
                            + " is not a record; "
                            + withArticle(reader.getName())
                            + " writer schema must be a record named "
                            + reader.getName()
                            + ", in any namespace"
                            + (aliases.isEmpty() ? "" : ", or " + String.join(" or ", aliases)));
        }
        if (!SchemaCompatibility.schemaNameEquals(reader, writer)) {
            throw new IllegalArgumentException(
                    "schema "
                            + writer.getFullName()
                            + " is not "
                            + withArticle(reader.getName())
                            + ": "
                            + nameRule(reader));
        }
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IllegalArgumentException(
                    "records written with it cannot be read as the current "
                            + reader.getName()
                            + ": "
                            + result.getResult().getIncompatibilities().stream()
                                    .map(incompatibility -> describe(reader, incompatibility))
                                    .collect(Collectors.joining("; ")));
        }
        checkLogicalTypes(reader.getName(), reader, writer, "", new HashSet<>());
        AvroBinaryCheck.checkItemsTakeBytes(writer);
    }

    /**
     * Which writer records Avro reads as {@code reader}: its compatibility check matches a record
     * by its name without the namespace, or by an alias of the reader's; the writer's own aliases
     * are not looked at (Avro 1.12's {@code SchemaCompatibility.schemaNameEquals}). Its decoders
     * read a writer's record without comparing names at all; the check is what this follows.
     */
    private static String nameRule(Schema reader) {
        List<String> aliases = new ArrayList<>(reader.getAliases());
        aliases.sort(null);
        return "Avro reads a writer's record as "
                + reader.getFullName()
                + " only when it is named "
                + reader.getName()
                + ", in any namespace"
                + (aliases.isEmpty()
                        ? " (" + reader.getFullName() + " has no aliases, and"
                        : ", or " + String.join(" or ", aliases) + " (its aliases;")
                + " aliases in the writer's schema do not count)";
    }

    /**
     * Refuses a value the reader resolves from the writer with another logical type: Avro converts
     * the underlying number as it is, so microseconds would be read as milliseconds, and the
     * fingerprint, taken without logical types, may even be the reader's own. A value without a
     * logical type is read as the reader's.
     */
    private static void checkLogicalTypes(
            String record, Schema reader, Schema writer, String field, Set<String> checked) {
        if (writer.isUnion()) {
            for (Schema branch : writer.getTypes()) {
                checkLogicalTypes(record, reader, branch, field, checked);
            }
            return;
        }
        if (reader.isUnion()) {
            // The branch Avro resolves the writer's value into (the compatibility check has
            // found one): the same type, of the same name where it is named.
            for (Schema branch : reader.getTypes()) {
                if (branch.getType() == writer.getType()
                        && (!isNamed(branch) || branch.getName().equals(writer.getName()))) {
                    checkLogicalTypes(record, branch, writer, field, checked);
                    return;
                }
            }
            return;
        }
        LogicalType read = reader.getLogicalType();
        LogicalType written = writer.getLogicalType();
        if (read != null && written != null && !read.getName().equals(written.getName())) {
            throw new IllegalArgumentException(
                    "field "
                            + field
                            + " is "
                            + written.getName()
                            + ", but the current "
                            + record
                            + " reads "
                            + read.getName()
                            + ": "
                            + misreading(read.getName(), written.getName()));
        }
        if (reader.getType() != writer.getType()) {
            return; // a promotion: no logical type to compare beneath it
        }
        switch (reader.getType()) {
            case RECORD:
                if (checked.add(reader.getFullName())) {
                    for (Schema.Field readerField : reader.getFields()) {
                        Schema.Field writerField = writerField(writer, readerField);
                        if (writerField != null) {
                            checkLogicalTypes(
                                    record,
                                    readerField.schema(),
                                    writerField.schema(),
                                    field.isEmpty()
                                            ? readerField.name()
                                            : field + "." + readerField.name(),
                                    checked);
                        }
                    }
                }
                return;
            case ARRAY:
                checkLogicalTypes(
                        record,
                        reader.getElementType(),
                        writer.getElementType(),
                        field + "[]",
                        checked);
                return;
            case MAP:
                checkLogicalTypes(
                        record,
                        reader.getValueType(),
                        writer.getValueType(),
                        field + "[]",
                        checked);
                return;
            default:
                return;
        }
    }

    /**
     * How values of logical type {@code written} go wrong read as {@code read}: in another unit,
     * or, for a timestamp of the same unit with a time zone on one side only ({@code
     * local-timestamp-millis} read as {@code timestamp-millis}), shifted by the writer's offset.
     */
    private static String misreading(String read, String written) {
        String local = "local-";
        boolean readLocal = read.startsWith(local);
        boolean writtenLocal = written.startsWith(local);
        if (readLocal != writtenLocal
                && read.substring(readLocal ? local.length() : 0)
                        .equals(written.substring(writtenLocal ? local.length() : 0))) {
            return writtenLocal
                    ? "its values are date-times without a time zone, and would be read as UTC"
                            + " instants"
                    : "its values are UTC instants, and would be read as date-times without a"
                            + " time zone";
        }
        return "its values would be read in the wrong unit";
    }

    /** The writer's field that a reader's field reads: the same name, or one of its aliases. */
    private static Schema.Field writerField(Schema writer, Schema.Field readerField) {
        Schema.Field field = writer.getField(readerField.name());
        if (field != null) {
            return field;
        }
        for (String alias : readerField.aliases()) {
            if (writer.getField(alias) != null) {
                return writer.getField(alias);
            }
        }
        return null;
    }

    private static boolean isNamed(Schema schema) {
        return schema.getType() == Schema.Type.RECORD
                || schema.getType() == Schema.Type.ENUM
                || schema.getType() == Schema.Type.FIXED;
    }

    /**
     * One incompatibility in words: for a missing field Avro gives only the field's name, and for
     * other problems only a location such as {@code /fields/3/type/items}, so the field is named
     * and, for a type the job cannot read, the types it can.
     */
    private static String describe(
            Schema reader, SchemaCompatibility.Incompatibility incompatibility) {
        if (incompatibility.getType()
                == SchemaCompatibility.SchemaIncompatibilityType
                        .READER_FIELD_MISSING_DEFAULT_VALUE) {
            return "its field "
                    + incompatibility.getMessage()
                    + " at "
                    + incompatibility.getLocation()
                    + " has no default and the writer has no field of that name (aliases count"
                    + " only in the current schema, not in the writer's)";
        }
        String location = incompatibility.getLocation();
        String field = fieldAt(reader, location);
        String description =
                (field.isEmpty() ? "" : "field " + field + ": ")
                        + incompatibility.getMessage()
                        + " at "
                        + location;
        List<String> rules = new ArrayList<>();
        if (incompatibility.getType()
                == SchemaCompatibility.SchemaIncompatibilityType.TYPE_MISMATCH) {
            String readable = readableFrom(incompatibility.getReaderFragment().getType());
            if (readable != null) {
                rules.add(
                        "a "
                                + incompatibility.getReaderFragment().getType().getName()
                                + " reads only "
                                + readable);
            }
        }
        if (location.matches(".*/[0-9]+")) {
            // Avro numbers only the writer's union branches, each of which must be readable.
            rules.add("every branch of the writer's union must be one the job reads");
        }
        return rules.isEmpty() ? description : description + " (" + String.join("; ", rules) + ")";
    }

    /** The writer's types Avro resolves into a reader's primitive type (its promotions). */
    private static String readableFrom(Schema.Type readerType) {
        switch (readerType) {
            case LONG:
                return "int or long";
            case FLOAT:
                return "int, long or float";
            case DOUBLE:
                return "int, long, float or double";
            case STRING:
                return "string or bytes";
            case BYTES:
                return "bytes or string";
            default:
                return null;
        }
    }

    /**
     * The reader's field, dotted for nested records, that a location of Avro's compatibility check
     * is in: {@code /fields/3/type/items} is in field 3 of the reader; empty when in none.
     */
    private static String fieldAt(Schema reader, String location) {
        String[] steps = location.split("/");
        List<String> names = new ArrayList<>();
        Schema current = reader;
        for (int i = 1; i < steps.length; i++) {
            if (steps[i].equals("fields")
                    && current.getType() == Schema.Type.RECORD
                    && i + 1 < steps.length
                    && steps[i + 1].matches("[0-9]+")
                    && Integer.parseInt(steps[i + 1]) < current.getFields().size()) {
                Schema.Field field = current.getFields().get(Integer.parseInt(steps[++i]));
                names.add(field.name());
                current = field.schema();
            } else if (steps[i].equals("items") && current.getType() == Schema.Type.ARRAY) {
                current = current.getElementType();
            } else if (steps[i].equals("values") && current.getType() == Schema.Type.MAP) {
                current = current.getValueType();
            } else if (!steps[i].equals("type") && !steps[i].matches("[0-9]+")) {
                break; // a step into the reader's own union branches is not numbered
            }
        }
        return String.join(".", names);
    }

    /** The format this decoder reads. */
    public WireFormat format() {
        return format;
    }

    /** "a FeatureVector", "an ActivationStats": the record's name as a message reads it. */
    private static String withArticle(String name) {
        return ("AEIOU".indexOf(name.isEmpty() ? 'x' : name.charAt(0)) >= 0 ? "an " : "a ") + name;
    }

    /**
     * Decodes one record.
     *
     * @throws UndecodableRecordException when the bytes are not such a record
     */
    public T decode(byte[] payload) throws UndecodableRecordException {
        initialize();
        String name = readerSchema.getName();
        if (payload == null) {
            throw new UndecodableRecordException(
                    "payload is null (a tombstone), not " + withArticle(name) + " record");
        }
        if (payload.length == 0) {
            throw new UndecodableRecordException(
                    "payload is empty (0 bytes), not "
                            + withArticle(name)
                            + " record in "
                            + format.optionValue()
                            + " format");
        }
        if (format == WireFormat.AVRO) {
            try {
                return read(
                        readers.get(SchemaNormalization.parsingFingerprint64(readerSchema)),
                        payload,
                        0);
            } catch (UndecodableRecordException e) {
                if (payload.length >= HEADER_LENGTH && startsWithSingleObjectMarker(payload)) {
                    // A producer in the other format: say so, not just where the bytes broke.
                    throw new UndecodableRecordException(
                            e.getMessage()
                                    + "; it starts with C3 01, the marker of the avro-single-object"
                                    + " format, but is read as plain avro",
                            e.getCause());
                }
                String confluentHint = confluentHint(payload);
                if (!confluentHint.isEmpty()) {
                    throw new UndecodableRecordException(
                            e.getMessage() + confluentHint, e.getCause());
                }
                throw e;
            }
        }
        if (!startsWithSingleObjectMarker(payload)) {
            throw new UndecodableRecordException(
                    String.format(
                            "payload does not start with the Avro single-object marker C3 01"
                                    + " (found %s): it is not %s record in avro-single-object"
                                    + " format%s",
                            hexPrefix(payload),
                            withArticle(name),
                            readsWithAnyWriter(payload, 0)
                                    ? "; it is one in plain avro, the other format"
                                    : confluentHint(payload)));
        }
        if (payload.length < HEADER_LENGTH) {
            throw new UndecodableRecordException(
                    "payload is truncated: "
                            + payload.length
                            + (payload.length == 1 ? " byte" : " bytes")
                            + ", shorter than the 10-byte single-object header");
        }
        long fingerprint = 0;
        for (int i = 9; i >= 2; i--) {
            fingerprint = (fingerprint << 8) | (payload[i] & 0xff);
        }
        SpecificDatumReader<T> reader = readers.get(fingerprint);
        if (reader == null) {
            String otherRecord = otherRecordVersions().get(fingerprint);
            if (otherRecord != null) {
                // Another topic's records (the job's own outputs, say): no newer build or
                // --writer-schemas would read them.
                throw new UndecodableRecordException(
                        String.format(
                                "writer schema fingerprint %s is that of %s: the payload is a"
                                        + " record of another type than %s",
                                fingerprintForm(fingerprint), otherRecord, name));
            }
            throw new UndecodableRecordException(
                    String.format(
                            "unknown writer schema fingerprint %s: it is none of the %s"
                                    + " versions %s",
                            fingerprintForm(fingerprint), name, unknownVersionHint()));
        }
        return read(reader, payload, HEADER_LENGTH);
    }

    /**
     * Whether the payload from {@code offset} is one whole record in plain Avro of a writer schema
     * this decoder knows (released, current or given): a producer in another format, which the
     * reason then names.
     */
    private boolean readsWithAnyWriter(byte[] payload, int offset) {
        for (SpecificDatumReader<T> reader : readers.values()) {
            try {
                read(reader, payload, offset);
                return true;
            } catch (UndecodableRecordException notThisOne) {
                // the next writer
            }
        }
        return false;
    }

    /**
     * Names the Confluent Schema Registry wire format (magic byte 0, a 4-byte big-endian schema id,
     * then plain Avro) when the payload is a whole record in it, of any writer schema this decoder
     * knows (released, current or given: a producer of a newer schema in that format too): the
     * format Kafka users most often produce by default. Empty when it is not.
     */
    private String confluentHint(byte[] payload) {
        if (payload.length < CONFLUENT_HEADER_LENGTH
                || payload[0] != 0
                || !readsWithAnyWriter(payload, CONFLUENT_HEADER_LENGTH)) {
            return "";
        }
        int schemaId = ByteBuffer.wrap(payload, 1, 4).getInt();
        return "; it is one in the Confluent Schema Registry wire format (magic byte 00, schema id "
                + Integer.toUnsignedString(schemaId)
                + "), which is not read here: produce avro-single-object or plain avro";
    }

    /**
     * A header's fingerprint as a user matches it: the long that {@code
     * SchemaNormalization.parsingFingerprint64} gives, in hex, which the header holds
     * little-endian, so its bytes in a dump of the payload read in the other order.
     */
    private static String fingerprintForm(long fingerprint) {
        return String.format(
                "%016x (SchemaNormalization.parsingFingerprint64 in hex; the header holds it"
                        + " little-endian)",
                fingerprint);
    }

    /**
     * The known versions and what to do about another: of the released records, only the job takes
     * more writer schemas, of its input, each a record Avro resolves against the current schema
     * (see {@link #nameRule}); the outputs (statistics, alerts) are read by the report and the
     * local run, which know the versions of their own build. A record type of the user's own has no
     * released versions: its producer's schema is the only way to read another.
     */
    private String unknownVersionHint() {
        if (!released) {
            // A record type of the user's own: no build of relu-stream has its versions.
            return "this decoder knows ("
                    + knownVersions
                    + "); give it the producer's schema (AvroRecordDecoder.withWriterSchemas)";
        }
        if (type == FeatureVector.class) {
            return "this job knows ("
                    + knownVersions
                    + "); give the job the producer's schema, a record named "
                    + readerSchema.getName()
                    + " in any namespace (--writer-schemas, or"
                    + " AvroRecordDecoder.withWriterSchemas), or deploy a build that has it";
        }
        return "this build knows ("
                + knownVersions
                + "); read them with the build of relu-stream that wrote them, or a newer one";
    }

    /**
     * The fingerprint of every released version of the other records in the history, to the
     * record's name and version (e.g. {@code ActivationVector v1}); built at the first payload of
     * an unknown fingerprint.
     */
    private Map<Long, String> otherRecordVersions() {
        if (otherRecordVersions == null) {
            Map<Long, String> versions = new HashMap<>();
            for (String record : SchemaHistory.recordNames()) {
                if (!record.equals(readerSchema.getName())) {
                    List<Schema> history = SchemaHistory.versions(record);
                    for (int i = 0; i < history.size(); i++) {
                        versions.put(
                                SchemaNormalization.parsingFingerprint64(history.get(i)),
                                record + " v" + (i + 1));
                    }
                }
            }
            otherRecordVersions = versions;
        }
        return otherRecordVersions;
    }

    private T read(SpecificDatumReader<T> reader, byte[] payload, int offset)
            throws UndecodableRecordException {
        if (fastFeatureVectors && reader.getSchema() == readerSchema) {
            // The current FeatureVector schema as writer: read it without Avro's machinery; on
            // anything unusual fall through to Avro, which explains what is wrong.
            @SuppressWarnings("unchecked")
            T fast = (T) FastBinary.readFeatureVector(payload, offset);
            if (fast != null) {
                return fast;
            }
        }
        try {
            return readChecked(reader, payload, offset);
        } catch (StackOverflowError tooDeep) {
            // A recursive writer schema lets a payload nest records as deep as its bytes allow:
            // the walk and Avro recurse once per level.
            throw new UndecodableRecordException(
                    "payload is not a valid "
                            + readerSchema.getName()
                            + ": it nests records deeper than the decoder's stack can follow");
        }
    }

    private T readChecked(SpecificDatumReader<T> reader, byte[] payload, int offset)
            throws UndecodableRecordException {
        AvroBinaryCheck.check(reader.getSchema(), readerSchema, payload, offset);
        try {
            // A direct decoder, which does not know how many bytes are left: with a decoder that
            // does, Avro 1.12 checks a collection's count against them using the reader's item
            // size, and so refuses a writer's array<float> read as array<double> (4 bytes an
            // item, not 8). The walk above has checked every count against the writer's items.
            decoder =
                    DecoderFactory.get()
                            .directBinaryDecoder(
                                    new ByteArrayInputStream(
                                            payload, offset, payload.length - offset),
                                    decoder);
            return reader.read(null, decoder);
        } catch (Exception e) {
            throw new UndecodableRecordException(
                    "payload is not a valid " + readerSchema.getName() + ": " + e.getMessage(), e);
        }
    }

    private void initialize() {
        if (readers != null) {
            return;
        }
        SpecificData model = SpecificData.getForClass(type);
        readerSchema = model.getSchema(type);
        writerSchemas = new HashMap<>();
        StringBuilder versions = new StringBuilder();
        // Only relu-stream's own records have released versions; a user's record of the same
        // simple name in another namespace has none of them.
        released = RELEASED_NAMESPACE.equals(readerSchema.getNamespace());
        List<Schema> history = released ? historyOf(readerSchema.getName()) : List.of();
        for (int i = 0; i < history.size(); i++) {
            writerSchemas.put(
                    SchemaNormalization.parsingFingerprint64(history.get(i)), history.get(i));
            versions.append(versions.length() == 0 ? "" : ", ").append("v").append(i + 1);
        }
        long current = SchemaNormalization.parsingFingerprint64(readerSchema);
        if (!writerSchemas.containsKey(current)) {
            writerSchemas.put(current, readerSchema);
            versions.append(versions.length() == 0 ? "" : ", ").append("current");
        }
        for (String json : extraWriterSchemas) {
            Schema extra = new Schema.Parser().parse(json);
            if (writerSchemas.putIfAbsent(SchemaNormalization.parsingFingerprint64(extra), extra)
                    == null) {
                versions.append(", ")
                        .append(
                                String.format(
                                        "%016x", SchemaNormalization.parsingFingerprint64(extra)))
                        .append(" (given)");
            }
        }
        knownVersions = versions.toString();
        readers = new HashMap<>();
        SpecificData resolving = withoutFastReader(model);
        writerSchemas.forEach(
                (fingerprint, writer) ->
                        readers.put(
                                fingerprint,
                                fingerprint == current
                                        // The reader's own schema object where it is the writer.
                                        ? new SpecificDatumReader<>(
                                                readerSchema, readerSchema, model)
                                        : new SpecificDatumReader<>(
                                                writer, readerSchema, resolving)));
        fastFeatureVectors = type == FeatureVector.class;
    }

    /**
     * A copy of {@code model} that resolves other writers with Avro's classic reader: Avro 1.12's
     * fast reader converts a logical type twice when the writer wraps the field in a union (e.g.
     * {@code event_time} as {@code ["long"]}), and so fails on every record of such a writer that
     * {@link #checkReadable} accepts.
     */
    private SpecificData withoutFastReader(SpecificData model) {
        SpecificData copy = new SpecificData(type.getClassLoader());
        model.getConversions().forEach(copy::addLogicalTypeConversion);
        copy.setFastReaderEnabled(false);
        return copy;
    }

    private static List<Schema> historyOf(String recordName) {
        return SchemaHistory.recordNames().contains(recordName)
                ? SchemaHistory.versions(recordName)
                : List.of();
    }

    /** Whether the payload starts with C3 01, or is the single byte C3 (a truncated marker). */
    private static boolean startsWithSingleObjectMarker(byte[] payload) {
        return (payload[0] & 0xff) == 0xC3 && (payload.length == 1 || payload[1] == 0x01);
    }

    private static String hexPrefix(byte[] payload) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(2, payload.length); i++) {
            hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02X", payload[i]));
        }
        return hex.toString();
    }
}
