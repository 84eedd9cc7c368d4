package io.relustream.operators;

import io.relustream.activation.Activations;
import io.relustream.activation.Maxout;
import io.relustream.activation.VectorActivation;
import io.relustream.avro.DeadLetter;
import io.relustream.formats.DeadLetters;
import io.relustream.operators.internal.AvroArrays;
import io.relustream.simd.SimdLoops;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Applies an activation to chosen numeric fields of a user's own Avro {@link GenericRecord}s.
 *
 * <p>Fields may be {@code double}, {@code float}, {@code int} or {@code long}, a union of {@code
 * null} with one of them, or an array of one of them (the array may be a union with {@code null},
 * its items may not). Activations are written into new fields (by default {@code <field>_} and the
 * activation's name: {@code score_relu}, {@code score_relu6}, {@code score_leaky_relu}) or in
 * place; derivatives go to {@code <field>_grad} fields unless switched off. The new fields of a
 * {@code double} or {@code float} field are of its type.
 *
 * <p>The new fields of an {@code int} or {@code long} field are {@code double} ({@code
 * array<double>} for an array; a union with {@code null} where the source is one, the branches in
 * the same order): a negative slope or a fractional max value gives fractions. A value is activated
 * as the nearest double, as Java's widening conversion gives it: exact for every {@code int} and
 * for a {@code long} up to 2^53 in magnitude; beyond, doubles are 2 or more apart and a long is
 * rounded to the nearest one, ties to the even significand ({@code 2^53 + 1} activates as {@code
 * 2^53}, {@code 2^63 - 1} as {@code 2^63}). Thresholds and maxout compare these doubles: two longs
 * that round to the same double tie, and maxout's derivative marks the lower index. Such fields are
 * refused {@link Builder#inPlace()} (it would have to write doubles into them). Ints and longs with
 * a logical type ({@code date}, {@code timestamp-millis}, ...) are refused altogether, in place or
 * not: those are dates and times, not numbers. Integers have no NaN or infinity, so the {@link
 * InvalidValuePolicy} never rejects or zeroes their values.
 *
 * <p>Nulls stay null (a null in a field that is not nullable, chosen or not, which only a record
 * built in code holds, fails the job naming the field, under every policy: it has no bytes to
 * dead-letter, nor could it be written; so does such a null deeper in a generated record with
 * logical types or enums, which is copied into Avro's own values first, or a time its logical type
 * cannot hold there (an {@code Instant.MAX} in a {@code timestamp-millis} field, failing with
 * Java's "long overflow"), and a null record, which a chained operator before this one hands on
 * when it returns null). Of the fields not chosen only that nullability is checked, a read per
 * field: other values Avro cannot write there (a {@code String} in an {@code int} field, an enum
 * symbol the schema does not list, a null inside an array, map or nested record) pass the operator
 * and fail where Flink next writes the record. A number of another Java type than its field's, such
 * as a {@code Double} in a {@code float} field of a record built in code, is activated as the value
 * Avro writes for it, narrowed to the field's type ({@code 1e39} in a {@code float} field is {@code
 * +inf}), also in a union with null; the output record and a dead-lettered one hold that value in
 * the field's Java type (a {@code Float}), which a union needs to find its branch. The output
 * schema is the input schema, its aliases and properties included, with the new fields appended;
 * {@link #getProducedType()} carries it to Flink. A new field takes its source field's doc and
 * properties, and as its default the activation (or derivative) of the source's default, where that
 * is a value JSON can hold; a field activated {@link Builder#inPlace()} takes the activation of its
 * default alike. Records must be of the input schema, up to docs, properties and defaults (fields
 * are read by position): a record of other field names, types or order, or whose value has another
 * logical type than the input schema's ({@code timestamp-micros} for {@code timestamp-millis}: the
 * numbers would be relabelled), is rejected, saying where its schema first differs (a field it
 * lacks or adds, a field of another name or type); a logical type on one side only is the same
 * value. That holds where records reach the operator as they were made (with object reuse on);
 * without it Flink copies each record between chained operators with the stream's schema, by
 * position, so convert records to the input schema before they enter a stream of it: a record of
 * fewer fields fails in that copy ({@code ArrayIndexOutOfBoundsException}), before the operator; a
 * copy whose chosen field then holds no number fails the job naming the field, one whose types
 * happen to line up is read as it is (fields appended to the record are dropped). An empty array
 * gives empty activations and derivatives.
 *
 * <pre>{@code
 * GenericRecordActivationFunction relu =
 *         GenericRecordActivationFunction.builder(readingSchema)
 *                 .activation(Activations.relu())
 *                 .fields("score", "embedding")
 *                 .build();
 * DataStream<GenericRecord> out = readings.process(relu);   // adds score_relu, score_grad, ...
 * }</pre>
 *
 * <p>Unsupported fields fail at {@link Builder#build()} with the field's name and type, and so does
 * a recursive schema (one whose fields refer to the record itself, which the output record, of the
 * same name with more fields, cannot hold). Records the {@link InvalidValuePolicy} rejects leave
 * through {@link #REJECTED}.
 */
public final class GenericRecordActivationFunction
        extends ProcessFunction<GenericRecord, GenericRecord>
        implements ResultTypeQueryable<GenericRecord> {

    private static final long serialVersionUID = 1L;

    /** Side output of the records the operator rejected. */
    public static final OutputTag<DeadLetter> REJECTED =
            new OutputTag<>("rejected-generic-records", new AvroTypeInfo<>(DeadLetter.class));

    private final Schema inputSchema;
    private final Schema outputSchema;
    private final List<FieldPlan> plans;
    private final VectorActivator activator;
    private final boolean derivatives;
    // Positions of the fields not chosen whose schema allows no null: the chosen ones are read,
    // and checked, anyway.
    private final int[] notNullable;

    private transient ActivationMetrics metrics;
    // One record's counts, reset at the start of each: the metrics read them before the next
    // record comes, so one instance does for all, and one that failed half-way leaves nothing.
    private transient ValueCounts counts;
    private transient BinaryMessageEncoder<GenericRecord> rejectedEncoder;
    // The last record schema found to match the input schema: most streams hand every record the
    // same instance, so the fingerprint is taken once.
    private transient Schema matchingSchema;
    // Whether that schema holds an enum, which a generated record holds as a Java enum.
    private transient boolean matchingSchemaHoldsEnum;
    private transient long inputFingerprint;
    // The last record schema found not to match, and why.
    private transient Schema otherSchema;
    private transient String otherSchemaMismatch;
    // The last encoder of dead letters of another schema, and its schema and model: making one
    // takes the schema's fingerprint.
    private transient BinaryMessageEncoder<GenericRecord> otherEncoder;
    private transient Schema otherEncoderSchema;
    private transient GenericData otherEncoderModel;

    private GenericRecordActivationFunction(
            Schema inputSchema,
            Schema outputSchema,
            List<FieldPlan> plans,
            VectorActivator activator,
            boolean derivatives,
            int[] notNullable) {
        this.inputSchema = inputSchema;
        this.outputSchema = outputSchema;
        this.plans = plans;
        this.activator = activator;
        this.derivatives = derivatives;
        this.notNullable = notNullable;
    }

    /**
     * A builder for records of {@code inputSchema}.
     *
     * @throws IllegalArgumentException when {@code inputSchema} is not a record schema
     */
    public static Builder builder(Schema inputSchema) {
        return new Builder(inputSchema);
    }

    /** The schema of the records this function emits. */
    public Schema outputSchema() {
        return outputSchema;
    }

    @Override
    public void open(OpenContext openContext) {
        // A bad -Drelustream.simd on this TaskManager fails the task here, saying so.
        SimdLoops.checkAndReport();
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
        counts = new ValueCounts();
        rejectedEncoder = new BinaryMessageEncoder<>(GenericData.get(), inputSchema);
        inputFingerprint = SchemaNormalization.parsingFingerprint64(inputSchema);
    }

    @Override
    public void processElement(
            GenericRecord record, Context context, Collector<GenericRecord> out) {
        if (record == null) {
            // Under every policy: a dead letter of it would hold nothing.
            throw new InvalidRecordException(
                    "Cannot activate a record of "
                            + inputSchema.getFullName()
                            + ": "
                            + FeatureVectorActivator.NULL_RECORD);
        }
        ValueCounts counts = this.counts;
        counts.reset();
        Schema schema = record.getSchema();
        if (schema != matchingSchema) {
            if (schema != otherSchema) {
                String mismatch = mismatch(schema);
                if (mismatch == null) {
                    matchingSchema = schema;
                    matchingSchemaHoldsEnum = holdsEnum(schema, new HashSet<>());
                } else {
                    // A job reading two versions hands over one instance of the other version's
                    // schema again and again: its reason is worked out once.
                    otherSchema = schema;
                    otherSchemaMismatch = mismatch;
                }
            }
            if (schema != matchingSchema) {
                reject(record, otherSchemaMismatch, counts, context);
                return;
            }
        }
        for (int pos : notNullable) {
            if (record.get(pos) == null) {
                // Only a record built in code holds it. Passed on, it would fail where Flink next
                // writes it, a NullPointerException in its Avro serializer past this operator,
                // which Flink restarts into; it has no bytes to dead-letter either.
                Schema.Field field = inputSchema.getFields().get(pos);
                throw new InvalidRecordException(
                        failureMessage(
                                record,
                                field.name()
                                        + " is null, but the field is not nullable ("
                                        + Builder.typeName(field.schema())
                                        + "): the record does not match its own schema, so it"
                                        + " can be neither written nor dead-lettered"));
            }
        }
        try {
            record = rawValues(record, matchingSchemaHoldsEnum);
        } catch (RuntimeException e) {
            // Only a generated record built in code that its own schema cannot write gets here,
            // whichever field holds the culprit: a null where the schema has none, or a time
            // beyond its logical type (Instant.MAX in a timestamp-millis field: "long overflow").
            // It has no bytes to dead-letter, so it fails, as such a record does.
            throw new InvalidRecordException(
                    failureMessage(record, "it does not match its own schema: " + e.getMessage()),
                    e);
        }
        double[][] inputs = new double[plans.size()][];
        String problem = null;
        for (int i = 0; i < plans.size(); i++) {
            FieldPlan plan = plans.get(i);
            try {
                inputs[i] = plan.read(record);
            } catch (IllegalArgumentException unreadable) {
                problem = problem != null ? problem : plan.source + unreadable.getMessage();
                continue;
            }
            if (inputs[i] == null) {
                if (!plan.nullable && problem == null) {
                    // Only a record built in code holds it; its outputs could not hold it either.
                    problem = plan.source + " is null, but the field is not nullable";
                }
                continue;
            }
            if (problem != null) {
                // Counted all the same, so that a rejected record's counters do not depend on
                // the order of its fields.
                counts.countInputs(inputs[i], inputs[i].length);
                continue;
            }
            problem =
                    activator.check(plan.source, plan.scalar, inputs[i], inputs[i].length, counts);
        }
        // A union picks its branch by the value's Java type: a Double in a ["null","float"]
        // field fits none, and writing or copying the record would fail. The record is written,
        // and dead-lettered, with the values that were read.
        record = heldValues(record);
        if (problem != null) {
            reject(record, problem, counts, context);
            return;
        }
        GenericData.Record output = new GenericData.Record(outputSchema);
        for (Schema.Field field : inputSchema.getFields()) {
            output.put(field.pos(), record.get(field.pos()));
        }
        for (int i = 0; i < plans.size(); i++) {
            FieldPlan plan = plans.get(i);
            double[] in = inputs[i];
            if (in == null) {
                output.put(plan.outputPos, null);
                if (derivatives) {
                    output.put(plan.derivativePos, null);
                }
                continue;
            }
            double[] activations = new double[activator.outputLength(in.length)];
            double[] gradient = derivatives ? new double[in.length] : null;
            activator.activate(in, activations, gradient, counts);
            if (!plan.doubles) {
                // Zero is what the record holds: results that round to 0.0f are zeros too.
                counts.zeroOutputs += roundedToZero(activations);
            }
            output.put(plan.outputPos, plan.write(activations, outputSchema, plan.outputPos));
            if (derivatives) {
                output.put(
                        plan.derivativePos, plan.write(gradient, outputSchema, plan.derivativePos));
            }
        }
        metrics.activated(counts);
        out.collect(output);
    }

    /**
     * The record with Avro's own representation of every value. A generated class holds logical
     * types as Java objects (an {@code Instant} for {@code timestamp-millis}) and enums as Java
     * enums; the output record copies its fields, and Flink writes it, like the dead letters, with
     * plain Avro, which takes the underlying {@code long} and refuses a Java enum. Such records are
     * copied through their own writer first; generic records, as Flink's Avro formats give them,
     * already hold the plain values.
     */
    private static GenericRecord rawValues(GenericRecord record, boolean holdsEnum) {
        if (!(record instanceof SpecificRecordBase)) {
            return record;
        }
        SpecificData model = ((SpecificRecordBase) record).getSpecificData();
        if (model.getConversions().isEmpty() && !holdsEnum) {
            return record;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
            new SpecificDatumWriter<Object>(record.getSchema(), model).write(record, encoder);
            encoder.flush();
            return new GenericDatumReader<GenericRecord>(
                            record.getSchema(), record.getSchema(), GenericData.get())
                    .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy record " + record, e);
        }
    }

    /**
     * The record with each chosen number field's value in the Java type of its field (a {@code
     * Float} in a {@code float} field or branch), as Avro writes it: a record built in code may
     * hold any Number there. The record itself when it does already, as every decoded one does.
     */
    private GenericRecord heldValues(GenericRecord record) {
        GenericData.Record copy = null;
        for (FieldPlan plan : plans) {
            Object value = record.get(plan.sourcePos);
            if (!plan.scalar || !(value instanceof Number)) {
                continue;
            }
            Number held = plan.held(value);
            if (held == value) {
                continue;
            }
            if (copy == null) {
                // Only a GenericData.Record holds a number of another type: a generated class's
                // fields are typed.
                copy = new GenericData.Record(record.getSchema());
                for (Schema.Field field : record.getSchema().getFields()) {
                    copy.put(field.pos(), record.get(field.pos()));
                }
            }
            copy.put(plan.sourcePos, held);
        }
        return copy != null ? copy : record;
    }

    /**
     * Why records of {@code schema} cannot be activated, or null when it matches the input schema.
     * Fields are read and copied by position: a schema of other names, types or order would be
     * misread. Docs, properties and defaults do not matter, so the parsing form's fingerprint
     * decides, and the logical types, which that form leaves out.
     */
    private String mismatch(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        String ours =
                "the record's schema is not the one the operator was built for ("
                        + inputSchema.getFullName()
                        + ", fingerprint "
                        + Long.toHexString(inputFingerprint)
                        + ")";
        String convert = ": convert records to the operator's schema first";
        if (fingerprint != inputFingerprint) {
            return ours
                    + "; it has "
                    + Long.toHexString(fingerprint)
                    + " ("
                    + schemaDifference(inputSchema, schema)
                    + ")"
                    + convert;
        }
        String logicalTypes = logicalTypeDifference(inputSchema, schema, "", new HashSet<>());
        return logicalTypes == null ? null : ours + ": " + logicalTypes + convert;
    }

    /**
     * Where a record's schema first differs from the operator's, in words, so that a job reading
     * two versions of a record sees which one it was handed: a fingerprint alone says nothing of
     * it. Only rejected records get here.
     */
    private static String schemaDifference(Schema ours, Schema theirs) {
        if (!ours.getFullName().equals(theirs.getFullName())) {
            return "it is a " + theirs.getFullName();
        }
        List<Schema.Field> ourFields = ours.getFields();
        List<Schema.Field> theirFields = theirs.getFields();
        int common = Math.min(ourFields.size(), theirFields.size());
        for (int i = 0; i < common; i++) {
            Schema.Field our = ourFields.get(i);
            Schema.Field their = theirFields.get(i);
            if (!our.name().equals(their.name())) {
                return "its field " + i + " is " + their.name() + ", the operator's " + our.name();
            }
            if (!SchemaNormalization.toParsingForm(our.schema())
                    .equals(SchemaNormalization.toParsingForm(their.schema()))) {
                String theirType = Builder.typeName(their.schema());
                String ourType = Builder.typeName(our.schema());
                // A named type of one name on both sides differs inside: its fields or symbols.
                return "its field "
                        + their.name()
                        + " is "
                        + (theirType.equals(ourType)
                                ? "another " + theirType + " than the operator's"
                                : theirType + ", the operator's " + ourType);
            }
        }
        if (theirFields.size() < ourFields.size()) {
            return "it lacks the operator's field"
                    + (ourFields.size() - common > 1 ? "s " : " ")
                    + names(ourFields.subList(common, ourFields.size()));
        }
        return "it has field"
                + (theirFields.size() - common > 1 ? "s " : " ")
                + names(theirFields.subList(common, theirFields.size()))
                + " beyond the operator's";
    }

    private static String names(List<Schema.Field> fields) {
        return fields.stream().map(Schema.Field::name).collect(Collectors.joining(", "));
    }

    /**
     * Where two schemas of one parsing form first give one value two logical types, in words, or
     * null when they do not. A value with a logical type on one side only is the same value: the
     * record holds it in Avro's plain representation either way. Walked by position, as the parsing
     * form is the same.
     */
    private static String logicalTypeDifference(
            Schema ours, Schema theirs, String path, Set<String> seen) {
        if (ours.getLogicalType() != null
                && theirs.getLogicalType() != null
                && !sameLogicalType(ours.getLogicalType(), theirs.getLogicalType())) {
            return "its "
                    + (path.isEmpty() ? "record" : "field " + path)
                    + " is "
                    + typeInWords(theirs)
                    + ", the operator's "
                    + typeInWords(ours);
        }
        switch (ours.getType()) {
            case RECORD:
                if (!seen.add(ours.getFullName())) {
                    return null;
                }
                for (int i = 0; i < ours.getFields().size(); i++) {
                    Schema.Field field = ours.getFields().get(i);
                    String difference =
                            logicalTypeDifference(
                                    field.schema(),
                                    theirs.getFields().get(i).schema(),
                                    path.isEmpty() ? field.name() : path + "." + field.name(),
                                    seen);
                    if (difference != null) {
                        return difference;
                    }
                }
                return null;
            case ARRAY:
                return logicalTypeDifference(
                        ours.getElementType(), theirs.getElementType(), path + "[]", seen);
            case MAP:
                return logicalTypeDifference(
                        ours.getValueType(), theirs.getValueType(), path + "{}", seen);
            case UNION:
                for (int i = 0; i < ours.getTypes().size(); i++) {
                    String difference =
                            logicalTypeDifference(
                                    ours.getTypes().get(i), theirs.getTypes().get(i), path, seen);
                    if (difference != null) {
                        return difference;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /**
     * Whether two logical types are one. Avro's own are one object each, or (decimal) compare their
     * parameters; one of a user's own is made anew for each schema parsed, by its factory, and
     * compares as an object unless its class says otherwise: then its class and name tell.
     */
    private static boolean sameLogicalType(LogicalType ours, LogicalType theirs) {
        if (ours.equals(theirs)) {
            return true;
        }
        if (ours.getClass() != theirs.getClass() || !ours.getName().equals(theirs.getName())) {
            return false;
        }
        try {
            return ours.getClass().getMethod("equals", Object.class).getDeclaringClass()
                    == Object.class;
        } catch (NoSuchMethodException everyClassHasIt) {
            throw new AssertionError(everyClassHasIt);
        }
    }

    /**
     * "a long of logical type timestamp-millis", "a long", "a bytes of logical type decimal(9,2)".
     */
    private static String typeInWords(Schema schema) {
        String name = schema.getType().getName();
        String type = ("aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
        if (schema.getLogicalType() == null) {
            return type;
        }
        String logical = schema.getLogicalType().getName();
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal) {
            LogicalTypes.Decimal decimal = (LogicalTypes.Decimal) schema.getLogicalType();
            logical += "(" + decimal.getPrecision() + "," + decimal.getScale() + ")";
        }
        return type + " of logical type " + logical;
    }

    /** Whether {@code schema} holds, at any depth, an enum. */
    private static boolean holdsEnum(Schema schema, Set<String> seen) {
        switch (schema.getType()) {
            case ENUM:
                return true;
            case RECORD:
                return seen.add(schema.getFullName())
                        && schema.getFields().stream()
                                .anyMatch(field -> holdsEnum(field.schema(), seen));
            case ARRAY:
                return holdsEnum(schema.getElementType(), seen);
            case MAP:
                return holdsEnum(schema.getValueType(), seen);
            case UNION:
                return schema.getTypes().stream().anyMatch(branch -> holdsEnum(branch, seen));
            default:
                return false;
        }
    }

    /** The non-zero values that are zero as floats. */
    private static int roundedToZero(double[] values) {
        int zeros = 0;
        for (double v : values) {
            zeros += v != 0.0 && Activations.toFloat(v) == 0.0f ? 1 : 0;
        }
        return zeros;
    }

    private void reject(GenericRecord record, String problem, ValueCounts counts, Context context) {
        if (activator.policy() == InvalidValuePolicy.FAIL) {
            throw new InvalidRecordException(failureMessage(record, problem));
        }
        // Encoded first: a record that cannot be (a null where its schema has none) fails the
        // job and is no rejected record, so it must not be counted as one.
        byte[] payload = encode(record, problem);
        metrics.rejected(counts);
        context.output(
                REJECTED,
                DeadLetters.builder(payload, problem)
                        .error(InvalidRecordException.class.getName(), problem)
                        .build());
    }

    /** Names the record by its JSON, cut after 200 characters: enough to find it, short to log. */
    private String failureMessage(GenericRecord record, String problem) {
        String json = record.toString();
        return "Cannot activate record "
                + (json.length() <= 200 ? json : json.substring(0, 200) + "...")
                + " of "
                + inputSchema.getFullName()
                + ": "
                + problem;
    }

    private byte[] encode(GenericRecord record, String problem) {
        try {
            BinaryMessageEncoder<GenericRecord> encoder =
                    record.getSchema() == matchingSchema ? rejectedEncoder : otherEncoder(record);
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a rejected record", e);
        } catch (RuntimeException e) {
            // Only a record built in code against its own schema (a null where none is allowed)
            // gets here: it has no bytes to dead-letter, so it fails, saying why.
            throw new InvalidRecordException(
                    failureMessage(record, problem)
                            + "; it cannot be dead-lettered, since it does not match its own"
                            + " schema: "
                            + e.getMessage(),
                    e);
        }
    }

    /** The encoder of a dead letter of another schema than the input schema. */
    private BinaryMessageEncoder<GenericRecord> otherEncoder(GenericRecord record) {
        // A generated record of another schema still holds its logical types as Java objects
        // (an Instant for timestamp-millis): only its own model writes them.
        GenericData model = modelOf(record);
        if (record.getSchema() != otherEncoderSchema || model != otherEncoderModel) {
            otherEncoder = new BinaryMessageEncoder<>(model, record.getSchema());
            otherEncoderSchema = record.getSchema();
            otherEncoderModel = model;
        }
        return otherEncoder;
    }

    private static GenericData modelOf(GenericRecord record) {
        return record instanceof SpecificRecordBase
                ? ((SpecificRecordBase) record).getSpecificData()
                : GenericData.get();
    }

    @Override
    public TypeInformation<GenericRecord> getProducedType() {
        return new GenericRecordAvroTypeInfo(outputSchema);
    }

    /** Shapes of field the operator reads; integer fields are written as doubles. */
    private enum FieldShape {
        DOUBLE,
        FLOAT,
        INT,
        LONG,
        DOUBLE_ARRAY,
        FLOAT_ARRAY,
        INT_ARRAY,
        LONG_ARRAY;

        boolean scalar() {
            return this == DOUBLE || this == FLOAT || this == INT || this == LONG;
        }

        boolean floats() {
            return this == FLOAT || this == FLOAT_ARRAY;
        }

        boolean integers() {
            return this == INT || this == LONG || this == INT_ARRAY || this == LONG_ARRAY;
        }
    }

    /** Where one chosen field is read from and its results are written to. */
    private static final class FieldPlan implements Serializable {
        private static final long serialVersionUID = 1L;

        final String source;
        final int sourcePos;
        final FieldShape shape;
        final boolean scalar;
        // Whether the results are doubles: all but those of float fields.
        final boolean doubles;
        final boolean nullable;
        int outputPos;
        int derivativePos;

        FieldPlan(String source, int sourcePos, FieldShape shape, boolean nullable) {
            this.source = source;
            this.nullable = nullable;
            this.sourcePos = sourcePos;
            this.shape = shape;
            this.scalar = shape.scalar();
            this.doubles = !shape.floats();
        }

        /**
         * The field's values, or null when the field is null.
         *
         * @throws IllegalArgumentException saying what follows the field's name when it holds
         *     another type than its schema's: Flink copies a record of another schema into the
         *     stream's schema by position, so it gets here holding the other record's values
         */
        double[] read(GenericRecord record) {
            Object value = record.get(sourcePos);
            if (value == null) {
                return null;
            }
            if (scalar) {
                if (!(value instanceof Number)) {
                    throw new IllegalArgumentException(
                            " holds a " + value.getClass().getName() + ", not a number");
                }
                // A long beyond 2^53 becomes the nearest double, as Java's widening does.
                return new double[] {held((Number) value)};
            }
            if (!(value instanceof List)) {
                throw new IllegalArgumentException(
                        " holds a " + value.getClass().getName() + ", not an array");
            }
            @SuppressWarnings("unchecked")
            List<? extends Number> values = (List<? extends Number>) value;
            // Checks every item is a number, and reads Avro's own arrays without boxing.
            double[] read = AvroArrays.toDoubles(values, null);
            if (shape == FieldShape.DOUBLE_ARRAY
                    || (shape == FieldShape.FLOAT_ARRAY
                            && values instanceof PrimitivesArrays.FloatArray)
                    || (shape == FieldShape.INT_ARRAY
                            && values instanceof PrimitivesArrays.IntArray)
                    || (shape == FieldShape.LONG_ARRAY
                            && values instanceof PrimitivesArrays.LongArray)) {
                return read;
            }
            // A list built in code, of other numbers than its items' type (a Double in an
            // array<float>): each item as the array holds it.
            double[] held = new double[read.length];
            for (int i = 0; i < held.length; i++) {
                held[i] = held(values.get(i));
            }
            return held;
        }

        /**
         * A scalar field's value as Avro writes it, in the field's Java type: {@code value} itself
         * when it is of that type.
         */
        Number held(Object value) {
            Number number = (Number) value;
            switch (shape) {
                case FLOAT:
                    return number instanceof Float ? number : (Number) number.floatValue();
                case INT:
                    return number instanceof Integer ? number : (Number) number.intValue();
                case LONG:
                    return number instanceof Long ? number : (Number) number.longValue();
                default:
                    return number instanceof Double ? number : (Number) number.doubleValue();
            }
        }

        /**
         * The value a field of this shape holds: a record built in code may put any Number in it (a
         * Double in a {@code float} field, a Long in an {@code int} one), which Avro writes
         * narrowed to the field's type, as the record is read downstream.
         */
        private double held(Number value) {
            switch (shape) {
                case FLOAT:
                case FLOAT_ARRAY:
                    return value.floatValue();
                case INT:
                case INT_ARRAY:
                    return value.intValue();
                case LONG:
                case LONG_ARRAY:
                    return value.longValue();
                default:
                    return value.doubleValue();
            }
        }

        Object write(double[] values, Schema schema, int pos) {
            if (shape == FieldShape.FLOAT) {
                return Activations.toFloat(values[0]);
            }
            if (scalar) {
                return values[0];
            }
            Schema arraySchema = AvroArrays.arrayBranch(fieldSchema(schema, pos));
            return shape == FieldShape.FLOAT_ARRAY
                    ? AvroArrays.floatArray(values, values.length, arraySchema)
                    : AvroArrays.doubleArray(values, values.length, arraySchema);
        }

        private static Schema fieldSchema(Schema schema, int pos) {
            return schema.getFields().get(pos).schema();
        }
    }

    /**
     * Configures a {@link GenericRecordActivationFunction}; {@link #build()} checks the choice
     * against the input schema.
     */
    public static final class Builder {
        private final Schema inputSchema;
        private final Set<String> fields = new LinkedHashSet<>();
        private VectorActivation activation = Activations.relu();
        private InvalidValuePolicy invalidValues = InvalidValuePolicy.PROPAGATE;
        private boolean derivatives = true;
        private boolean inPlace = false;
        // Null until chosen: a suffix chosen for fields that are not added is a mistake to report.
        private String activationSuffix;
        private String derivativeSuffix;

        private Builder(Schema inputSchema) {
            this.inputSchema = Objects.requireNonNull(inputSchema, "inputSchema");
            if (inputSchema.getType() != Schema.Type.RECORD) {
                throw new IllegalArgumentException(
                        "Input schema must be a record, got " + inputSchema.getType());
            }
        }

        /**
         * The fields to activate, by name.
         *
         * @throws IllegalArgumentException when a field is chosen twice
         */
        public Builder fields(String... names) {
            for (String name : Objects.requireNonNull(names, "fields")) {
                if (!fields.add(Objects.requireNonNull(name, "field name"))) {
                    throw new IllegalArgumentException("Field '" + name + "' is chosen twice");
                }
            }
            return this;
        }

        /** The activation to apply; default {@code relu}. */
        public Builder activation(VectorActivation activation) {
            this.activation = Objects.requireNonNull(activation, "activation");
            return this;
        }

        /**
         * What to do with NaN and infinite values; default {@link InvalidValuePolicy#PROPAGATE}.
         */
        public Builder invalidValues(InvalidValuePolicy invalidValues) {
            this.invalidValues = Objects.requireNonNull(invalidValues, "invalidValues");
            return this;
        }

        /**
         * Whether to add derivative fields; default true; false not with {@link #derivativeSuffix}.
         */
        public Builder derivatives(boolean derivatives) {
            this.derivatives = derivatives;
            return this;
        }

        /**
         * Overwrite the chosen fields with their activations instead of adding new fields; not with
         * {@link #activationSuffix}, nor for int and long fields, whose activations are doubles.
         */
        public Builder inPlace() {
            this.inPlace = true;
            return this;
        }

        /** Suffix of the activation fields; default {@code _} plus the activation's name. */
        public Builder activationSuffix(String suffix) {
            this.activationSuffix = requireSuffix("activation", suffix);
            return this;
        }

        /** Suffix of the derivative fields; default {@code _grad}. */
        public Builder derivativeSuffix(String suffix) {
            this.derivativeSuffix = requireSuffix("derivative", suffix);
            return this;
        }

        private static String requireSuffix(String what, String suffix) {
            if (suffix == null || !suffix.matches("[A-Za-z0-9_]+")) {
                throw new IllegalArgumentException(
                        "Invalid "
                                + what
                                + " field suffix '"
                                + suffix
                                + "': must be letters, digits or _");
            }
            return suffix;
        }

        /**
         * @throws IllegalArgumentException when no field is chosen, a field is missing or of an
         *     unsupported type, a field is not an array and the activation is maxout, an int or
         *     long field is to be activated {@link #inPlace()}, an output field name is taken (also
         *     as an alias of an input field), the schema refers to itself, or a suffix is chosen
         *     for fields that are not added
         */
        public GenericRecordActivationFunction build() {
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("Choose at least one field to activate");
            }
            if (inPlace && activationSuffix != null) {
                throw new IllegalArgumentException(
                        "inPlace() and activationSuffix('"
                                + activationSuffix
                                + "') conflict: in place, the activations overwrite the chosen"
                                + " fields and no activation field is added; drop one of them");
            }
            if (!derivatives && derivativeSuffix != null) {
                throw new IllegalArgumentException(
                        "derivatives(false) and derivativeSuffix('"
                                + derivativeSuffix
                                + "') conflict: without derivatives no derivative field is added;"
                                + " drop one of them");
            }
            String suffix = activationSuffix != null ? activationSuffix : "_" + baseName();
            String gradSuffix = derivativeSuffix != null ? derivativeSuffix : "_grad";
            List<FieldPlan> plans = new ArrayList<>();
            List<Schema.Field> outputFields = new ArrayList<>();
            // Each name of the output record, and what it is, for the message of a collision.
            Map<String, String> taken = new HashMap<>();
            for (Schema.Field field : inputSchema.getFields()) {
                if (refersTo(field.schema(), inputSchema.getFullName(), new HashSet<>())) {
                    // The output record keeps the input's name: a nested reference to it would
                    // then name the output, which the nested input record does not match.
                    throw new IllegalArgumentException(
                            "Field '"
                                    + field.name()
                                    + "' refers to "
                                    + inputSchema.getFullName()
                                    + " itself; the output record keeps that name with more"
                                    + " fields, so a recursive schema cannot be activated");
                }
                // With the default as the input holds it: made again from its Java value, a long's
                // 7 would be a JSON long, and the schema would not equal itself read back.
                outputFields.add(new Schema.Field(field, field.schema()));
                taken.put(field.name(), "a field of " + inputSchema.getFullName());
            }
            for (Schema.Field field : inputSchema.getFields()) {
                // A reader resolving by name would take the alias's field for the new one.
                for (String alias : field.aliases()) {
                    taken.putIfAbsent(
                            alias,
                            "an alias of field '"
                                    + field.name()
                                    + "' of "
                                    + inputSchema.getFullName());
                }
            }
            for (String name : fields) {
                Schema.Field field = inputSchema.getField(name);
                if (field == null) {
                    throw new IllegalArgumentException(
                            "Field '"
                                    + name
                                    + "' is not in "
                                    + inputSchema.getFullName()
                                    + "; its fields: "
                                    + inputSchema.getFields().stream()
                                            .map(Schema.Field::name)
                                            .collect(Collectors.joining(", ")));
                }
                FieldPlan plan =
                        new FieldPlan(
                                name,
                                field.pos(),
                                shapeOf(field),
                                field.schema().getType() == Schema.Type.UNION);
                if (activation instanceof Maxout && plan.scalar) {
                    throw new IllegalArgumentException(
                            activation.spec()
                                    + " needs array fields; field '"
                                    + name
                                    + "' is "
                                    + typeName(field.schema()));
                }
                if (inPlace && plan.shape.integers()) {
                    throw new IllegalArgumentException(
                            "inPlace() cannot overwrite field '"
                                    + name
                                    + "' of type "
                                    + typeName(field.schema())
                                    + ": its activations are doubles, which it cannot hold (a"
                                    + " negative slope or a fractional max value gives fractions"
                                    + (plan.shape == FieldShape.LONG
                                                    || plan.shape == FieldShape.LONG_ARRAY
                                            ? ", and a long beyond 2^53 is rounded to a double"
                                            : "")
                                    + "); drop inPlace() to add them as new double fields");
                }
                // The results of an int or long field are doubles: its new fields hold them.
                Schema resultSchema =
                        plan.shape.integers() ? asDoubles(field.schema()) : field.schema();
                if (inPlace) {
                    plan.outputPos = field.pos();
                    // The field now holds activations, so its default is one too, as a new
                    // field's is; it keeps its name, aliases and the rest. A default the
                    // activation leaves as it is stays as the input wrote it.
                    Object activatedDefault = derivedDefault(field, false);
                    if (!sameNumbers(
                            field.hasDefaultValue() ? field.defaultVal() : null,
                            activatedDefault)) {
                        Schema.Field activated =
                                copy(field, name, field.schema(), activatedDefault);
                        field.aliases().forEach(activated::addAlias);
                        outputFields.set(field.pos(), activated);
                    }
                } else {
                    plan.outputPos =
                            addField(
                                    outputFields,
                                    taken,
                                    "activation",
                                    name + suffix,
                                    field,
                                    resultSchema,
                                    derivedDefault(field, false));
                }
                if (derivatives) {
                    plan.derivativePos =
                            addField(
                                    outputFields,
                                    taken,
                                    "derivative",
                                    name + gradSuffix,
                                    field,
                                    resultSchema,
                                    derivedDefault(field, true));
                }
                plans.add(plan);
            }
            Schema output =
                    Schema.createRecord(
                            inputSchema.getName(),
                            inputSchema.getDoc(),
                            inputSchema.getNamespace(),
                            inputSchema.isError(),
                            outputFields);
            // The input's aliases and properties too: readers resolve by them downstream.
            inputSchema.getAliases().forEach(output::addAlias);
            inputSchema.getObjectProps().forEach(output::addProp);
            return new GenericRecordActivationFunction(
                    inputSchema,
                    output,
                    plans,
                    new VectorActivator(activation, invalidValues),
                    derivatives,
                    inputSchema.getFields().stream()
                            .filter(
                                    field ->
                                            !fields.contains(field.name())
                                                    && !field.schema().isNullable())
                            .mapToInt(Schema.Field::pos)
                            .toArray());
        }

        /** Whether {@code schema} holds, at any depth, the record named {@code fullName}. */
        private static boolean refersTo(Schema schema, String fullName, Set<String> seen) {
            switch (schema.getType()) {
                case RECORD:
                    if (schema.getFullName().equals(fullName)) {
                        return true;
                    }
                    if (!seen.add(schema.getFullName())) {
                        return false;
                    }
                    return schema.getFields().stream()
                            .anyMatch(field -> refersTo(field.schema(), fullName, seen));
                case ARRAY:
                    return refersTo(schema.getElementType(), fullName, seen);
                case MAP:
                    return refersTo(schema.getValueType(), fullName, seen);
                case UNION:
                    return schema.getTypes().stream()
                            .anyMatch(branch -> refersTo(branch, fullName, seen));
                default:
                    return false;
            }
        }

        private String baseName() {
            String spec = activation.spec();
            int open = spec.indexOf('(');
            return open < 0 ? spec : spec.substring(0, open);
        }

        /**
         * The default of a field computed from {@code source}: the activation (or derivative) of
         * the source's default, as a record holding that default would get it; null (no default)
         * where the source has none or it has no such value (JSON has no NaN or infinity; maxout
         * cannot group an array default of another length).
         */
        private Object derivedDefault(Schema.Field source, boolean derivative) {
            if (!source.hasDefaultValue()) {
                return null;
            }
            Object value = source.defaultVal();
            if (value == JsonProperties.NULL_VALUE) {
                return value;
            }
            double[] in;
            if (value instanceof Number) {
                in = new double[] {((Number) value).doubleValue()};
            } else if (value instanceof List) {
                in = AvroArrays.toDoubles(numbers((List<?>) value), null);
            } else {
                return null;
            }
            if (activation instanceof Maxout
                    && in.length % ((Maxout) activation).groupSize() != 0) {
                return null;
            }
            double[] out;
            if (derivative) {
                out = new double[in.length];
                activation.derivative(in, out);
            } else {
                out = new double[activation.outputLength(in.length)];
                activation.apply(in, out);
            }
            boolean floats = shapeOf(source).floats();
            List<Object> values = new ArrayList<>(out.length);
            for (double v : out) {
                if (!Double.isFinite(v)) {
                    return null;
                }
                // A float as the double that holds it: JSON reads numbers back as doubles, so the
                // schema equals itself read back, and the float read back is this one.
                values.add(floats ? (double) Activations.toFloat(v) : v);
            }
            return value instanceof Number ? values.get(0) : values;
        }

        /**
         * Whether two defaults hold the same numbers, bit for bit (a float as the double it widens
         * to, so {@code -0.0} differs from {@code 0.0}); also whether both are null or both none.
         */
        private static boolean sameNumbers(Object a, Object b) {
            if (a instanceof List && b instanceof List) {
                List<?> left = (List<?>) a;
                List<?> right = (List<?>) b;
                if (left.size() != right.size()) {
                    return false;
                }
                for (int i = 0; i < left.size(); i++) {
                    if (!sameNumbers(left.get(i), right.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            if (a instanceof Number && b instanceof Number) {
                return Double.doubleToLongBits(((Number) a).doubleValue())
                        == Double.doubleToLongBits(((Number) b).doubleValue());
            }
            return Objects.equals(a, b);
        }

        private static List<Number> numbers(List<?> values) {
            List<Number> numbers = new ArrayList<>(values.size());
            for (Object v : values) {
                numbers.add((Number) v);
            }
            return numbers;
        }

        private int addField(
                List<Schema.Field> outputFields,
                Map<String, String> taken,
                String kind,
                String name,
                Schema.Field sourceField,
                Schema schema,
                Object defaultValue) {
            String holder =
                    taken.putIfAbsent(
                            name, "the " + kind + " field of '" + sourceField.name() + "'");
            if (holder != null) {
                throw new IllegalArgumentException(
                        "Output field '"
                                + name
                                + "' for field '"
                                + sourceField.name()
                                + "' is already "
                                + holder
                                + "; choose another suffix");
            }
            outputFields.add(copy(sourceField, name, schema, defaultValue));
            return outputFields.size() - 1;
        }

        /**
         * {@code field} under {@code name} with {@code schema} and {@code defaultValue} (null:
         * none).
         */
        private static Schema.Field copy(
                Schema.Field field, String name, Schema schema, Object defaultValue) {
            Schema.Field copy =
                    new Schema.Field(name, schema, field.doc(), defaultValue, field.order());
            field.getObjectProps().forEach(copy::addProp);
            return copy;
        }

        private static FieldShape shapeOf(Schema.Field field) {
            Schema schema = nonNull(field.schema());
            if (schema != null) {
                switch (schema.getType()) {
                    case DOUBLE:
                        return FieldShape.DOUBLE;
                    case FLOAT:
                        return FieldShape.FLOAT;
                    case INT:
                        return number(schema) ? FieldShape.INT : unsupported(field);
                    case LONG:
                        return number(schema) ? FieldShape.LONG : unsupported(field);
                    case ARRAY:
                        Schema items = schema.getElementType();
                        switch (items.getType()) {
                            case DOUBLE:
                                return FieldShape.DOUBLE_ARRAY;
                            case FLOAT:
                                return FieldShape.FLOAT_ARRAY;
                            case INT:
                                return number(items) ? FieldShape.INT_ARRAY : unsupported(field);
                            case LONG:
                                return number(items) ? FieldShape.LONG_ARRAY : unsupported(field);
                            default:
                                break;
                        }
                        break;
                    default:
                        break;
                }
            }
            return unsupported(field);
        }

        /**
         * Whether an int or long schema holds plain numbers: with a logical type it holds dates and
         * times, which Flink reads as DATE, TIME and TIMESTAMP, not numbers to activate.
         */
        private static boolean number(Schema schema) {
            return schema.getLogicalType() == null;
        }

        private static FieldShape unsupported(Schema.Field field) {
            throw new IllegalArgumentException(
                    "Field '"
                            + field.name()
                            + "' has type "
                            + typeName(field.schema())
                            + "; supported: double, float, int or long (without a logical type),"
                            + " a union of null with one of them, or an array of them (the array"
                            + " may be a union with null, its items may not)");
        }

        /**
         * The schema of the results of an int or long field: {@code double} in its place, also in
         * an array and in a union with null, whose branch order (and so default) is kept.
         */
        private static Schema asDoubles(Schema schema) {
            switch (schema.getType()) {
                case INT:
                case LONG:
                    return Schema.create(Schema.Type.DOUBLE);
                case ARRAY:
                    return Schema.createArray(asDoubles(schema.getElementType()));
                case UNION:
                    return Schema.createUnion(
                            schema.getTypes().stream()
                                    .map(Builder::asDoubles)
                                    .collect(Collectors.toList()));
                default:
                    return schema;
            }
        }

        /** The schema itself, or the other branch of a union with null; null for other unions. */
        private static Schema nonNull(Schema schema) {
            if (schema.getType() != Schema.Type.UNION) {
                return schema;
            }
            List<Schema> branches =
                    schema.getTypes().stream()
                            .filter(branch -> branch.getType() != Schema.Type.NULL)
                            .collect(Collectors.toList());
            return branches.size() == 1 && schema.getTypes().size() == 2 ? branches.get(0) : null;
        }

        private static String typeName(Schema schema) {
            switch (schema.getType()) {
                case UNION:
                    return schema.getTypes().stream()
                            .map(Builder::typeName)
                            .collect(Collectors.joining(", ", "union [", "]"));
                case ARRAY:
                    return "array<" + typeName(schema.getElementType()) + ">";
                case MAP:
                    return "map<" + typeName(schema.getValueType()) + ">";
                case RECORD:
                case ENUM:
                case FIXED:
                    return schema.getFullName();
                default:
                    return schema.getLogicalType() == null
                            ? schema.getName()
                            : schema.getName()
                                    + " (logical type "
                                    + schema.getLogicalType().getName()
                                    + ")";
            }
        }
    }
}
