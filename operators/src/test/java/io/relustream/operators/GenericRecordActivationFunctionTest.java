package io.relustream.operators;

import io.relustream.activation.Activations;
import io.relustream.activation.VectorActivation;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;

import org.apache.avro.AvroTypeException;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static java.lang.Double.NaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class GenericRecordActivationFunctionTest {

    private static final Schema READING =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"com.example\","
                                + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
                                + "{\"name\":\"score\",\"type\":\"double\"},"
                                + "{\"name\":\"temp\",\"type\":[\"null\",\"float\"],\"default\":null},"
                                + "{\"name\":\"embedding\",\"type\":{\"type\":\"array\",\"items\":\"double\"}},"
                                + "{\"name\":\"weights\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"float\"}],\"default\":null},"
                                + "{\"name\":\"label\",\"type\":\"string\"},"
                                + "{\"name\":\"mixed\",\"type\":[\"null\",\"string\",\"double\"],\"default\":null},"
                                + "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}"
                                + "]}");

    private static GenericRecord reading(
            String id, double score, Float temp, List<Double> embedding, List<Float> weights) {
        GenericData.Record record = new GenericData.Record(READING);
        record.put("id", id);
        record.put("score", score);
        record.put("temp", temp);
        record.put("embedding", embedding);
        record.put("weights", weights);
        record.put("label", "L-" + id);
        record.put("mixed", null);
        record.put("tags", List.of("a"));
        return record;
    }

    /** The first record the operator rejected. */
    private static DeadLetter firstRejected(OperatorHarness<GenericRecord, GenericRecord> op) {
        return op.harness.getSideOutput(GenericRecordActivationFunction.REJECTED).poll().getValue();
    }

    /**
     * Why the operator refused a record of com.example.Reading: the message it fails with under
     * {@code fail} (without its "Cannot activate record ... of ...: " lead), else the reason of the
     * dead letter it writes.
     */
    private static String refusal(
            OperatorHarness<GenericRecord, GenericRecord> op,
            GenericRecord record,
            InvalidValuePolicy policy)
            throws Exception {
        if (policy == InvalidValuePolicy.FAIL) {
            return catchThrowableOfType(
                            InvalidRecordException.class,
                            () -> op.harness.processElement(record, 0L))
                    .getMessage()
                    .replaceFirst("^Cannot activate record .* of com\\.example\\.Reading: ", "");
        }
        op.harness.processElement(record, 0L);
        return firstRejected(op).getReason();
    }

    private static OperatorHarness<GenericRecord, GenericRecord> harness(
            GenericRecordActivationFunction function) throws Exception {
        return harness(function, READING);
    }

    /** The operator in Flink's harness, its input records of {@code schema}. */
    private static OperatorHarness<GenericRecord, GenericRecord> harness(
            GenericRecordActivationFunction function, Schema schema) throws Exception {
        return new OperatorHarness<>(
                function,
                new GenericRecordAvroTypeInfo(schema).createSerializer(new SerializerConfigImpl()));
    }

    private static List<String> fieldNames(Schema schema) {
        return schema.getFields().stream().map(Schema.Field::name).collect(Collectors.toList());
    }

    private static List<Double> doubles(Object list) {
        return ((List<?>) list)
                .stream().map(v -> ((Number) v).doubleValue()).collect(Collectors.toList());
    }

    @SuppressWarnings("unchecked")
    private static List<Float> floats(Object list) {
        return (List<Float>) list;
    }

    @Test
    void floatFieldsThatRoundToZeroArePositiveZero() throws Exception {
        // leaky_relu(-Float.MIN_VALUE) is about -1.4e-47 in double: a float rounds it to zero.
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("temp", "weights")
                        .activation(Activations.leakyRelu(0.01))
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(
                    reading("a", 1.0, -Float.MIN_VALUE, List.of(), List.of(-Float.MIN_VALUE)), 0L);

            GenericRecord a = op.harness.extractOutputValues().get(0);
            assertThat(Float.floatToRawIntBits((Float) a.get("temp_leaky_relu"))).isZero();
            assertThat(Float.floatToRawIntBits(floats(a.get("weights_leaky_relu")).get(0)))
                    .isZero();
            // Both are zeros the record holds, so both count as zero outputs.
            assertThat(op.counter("zeroOutputs")).isEqualTo(2);
            assertThat(op.counter("outputValues")).isEqualTo(2);
        }
    }

    @Test
    void aRecordOfAnotherSchemaIsRejectedInsteadOfMisread() throws Exception {
        // The same record name with two fields swapped: read by position, score would be the id.
        Schema swapped =
                new Schema.Parser()
                        .parse(
                                READING.toString()
                                        .replace(
                                                "{\"name\":\"id\",\"type\":\"string\"},"
                                                    + "{\"name\":\"score\",\"type\":\"double\"},",
                                                "{\"name\":\"score\",\"type\":\"double\"},"
                                                    + "{\"name\":\"id\",\"type\":\"string\"},"));
        assertThat(swapped.getFields().get(0).name()).isEqualTo("score");
        GenericData.Record record = new GenericData.Record(swapped);
        GenericRecord same = reading("a", -2.0, null, List.of(), null);
        for (Schema.Field field : READING.getFields()) {
            record.put(field.name(), same.get(field.name()));
        }
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("score")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(record, 0L);
            op.harness.processElement(same, 0L);

            assertThat(op.harness.extractOutputValues())
                    .extracting(r -> r.get("id"), r -> r.get("score_relu"))
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 0.0));
            DeadLetter letter = firstRejected(op);
            assertThat(letter.getReason())
                    .isEqualTo(
                            "the record's schema is not the one the operator was built for"
                                    + " (com.example.Reading, fingerprint "
                                    + Long.toHexString(
                                            SchemaNormalization.parsingFingerprint64(READING))
                                    + "); it has "
                                    + Long.toHexString(
                                            SchemaNormalization.parsingFingerprint64(swapped))
                                    + " (its field 0 is score, the operator's id): convert"
                                    + " records to the operator's schema first");
            assertThat(
                            new BinaryMessageDecoder<GenericRecord>(GenericData.get(), swapped)
                                    .decode(letter.getPayload()))
                    .isEqualTo(record);
            assertThat(op.counter("rejectedRecords")).isEqualTo(1);
        }
    }

    private static String fingerprint(Schema schema) {
        return Long.toHexString(SchemaNormalization.parsingFingerprint64(schema));
    }

    /** READING with {@code from} replaced by {@code to} in its JSON. */
    private static Schema readingWith(String from, String to) {
        assertThat(READING.toString()).contains(from);
        return new Schema.Parser().parse(READING.toString().replace(from, to));
    }

    /** A record of {@code schema} holding READING's values of a record by field name. */
    private static GenericRecord as(Schema schema, GenericRecord values) {
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            Schema.Field same = values.getSchema().getField(field.name());
            record.put(field.pos(), same == null ? null : values.get(same.pos()));
        }
        return record;
    }

    /**
     * A job reading two versions of a record type hands the operator records of the version it was
     * not built for: the reason says how that version differs, not only its fingerprint, under
     * every policy but fail (which fails with it).
     */
    @Test
    void aRecordOfAnotherVersionOfItsSchemaIsRejectedSayingWhatDiffers() throws Exception {
        Schema withUnit =
                readingWith(
                        "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}",
                        "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
                            + "{\"name\":\"unit\",\"type\":[\"null\",\"string\"],\"default\":null},"
                            + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}");
        Schema floatScore =
                readingWith(
                        "{\"name\":\"score\",\"type\":\"double\"}",
                        "{\"name\":\"score\",\"type\":\"float\"}");
        Schema renamed = readingWith("\"name\":\"Reading\"", "\"name\":\"Reading2\"");
        GenericRecord v1 = reading("a", -2.0, null, List.of(), null);
        GenericRecord v2 = as(withUnit, v1);
        GenericRecord v1Float = as(floatScore, v1);
        v1Float.put("score", -2.0f);
        String reading = "com.example.Reading, fingerprint " + fingerprint(READING);
        String withUnits = "com.example.Reading, fingerprint " + fingerprint(withUnit);
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            var v1Operator =
                    GenericRecordActivationFunction.builder(READING)
                            .fields("score")
                            .invalidValues(policy)
                            .build();
            var v2Operator =
                    GenericRecordActivationFunction.builder(withUnit)
                            .fields("score")
                            .invalidValues(policy)
                            .build();
            List<String> reasons = new ArrayList<>();
            try (var op = harness(v1Operator);
                    var op2 = harness(v2Operator, withUnit)) {
                for (GenericRecord record : List.of(v2, v1Float, as(renamed, v1))) {
                    reasons.add(refusal(op, record, policy));
                }
                reasons.add(refusal(op2, v1, policy));
                if (policy != InvalidValuePolicy.FAIL) {
                    assertThat(op.counter("rejectedRecords")).isEqualTo(3);
                    assertThat(op2.counter("rejectedRecords")).isEqualTo(1);
                }
                assertThat(op.harness.extractOutputValues()).isEmpty();
                assertThat(op2.harness.extractOutputValues()).isEmpty();
            }
            String prefix = "the record's schema is not the one the operator was built for (";
            String convert = "): convert records to the operator's schema first";
            assertThat(reasons)
                    .as(policy.name())
                    .containsExactly(
                            prefix
                                    + reading
                                    + "); it has "
                                    + fingerprint(withUnit)
                                    + " (it has fields unit, note beyond the operator's"
                                    + convert,
                            prefix
                                    + reading
                                    + "); it has "
                                    + fingerprint(floatScore)
                                    + " (its field score is float, the operator's double"
                                    + convert,
                            prefix
                                    + reading
                                    + "); it has "
                                    + fingerprint(renamed)
                                    + " (it is a com.example.Reading2"
                                    + convert,
                            prefix
                                    + withUnits
                                    + "); it has "
                                    + fingerprint(READING)
                                    + " (it lacks the operator's fields unit, note"
                                    + convert);
        }
    }

    /**
     * Dead letters of records of other schemas, one after another and back, each hold its record
     * under its own schema's fingerprint: the encoder of one is not the other's.
     */
    @Test
    void deadLettersOfRecordsOfTwoOtherSchemasInTurnHoldEachRecordInItsOwnSchema()
            throws Exception {
        Schema withUnit =
                readingWith(
                        "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}",
                        "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
                            + "{\"name\":\"unit\",\"type\":[\"null\",\"string\"],\"default\":null}");
        Schema renamed = readingWith("\"name\":\"Reading\"", "\"name\":\"Reading2\"");
        List<GenericRecord> records =
                List.of(
                        as(withUnit, reading("a", -1.0, null, List.of(), null)),
                        as(renamed, reading("b", -2.0, null, List.of(), null)),
                        as(withUnit, reading("c", -3.0, null, List.of(), null)),
                        as(withUnit, reading("d", -4.0, null, List.of(), null)));
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("score")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function)) {
            for (GenericRecord record : records) {
                op.harness.processElement(record, 0L);
            }

            assertThat(op.harness.extractOutputValues()).isEmpty();
            List<GenericRecord> decoded = new ArrayList<>();
            for (GenericRecord record : records) {
                // A decoder of one schema refuses a payload under another's fingerprint.
                decoded.add(
                        new BinaryMessageDecoder<GenericRecord>(
                                        GenericData.get(), record.getSchema())
                                .decode(firstRejected(op).getPayload()));
            }
            assertThat(decoded).isEqualTo(records);
        }
    }

    @Test
    void generatedRecordsWithLogicalTypesAreActivatedAndRejectedInAvrosOwnValues()
            throws Exception {
        // FeatureVector holds its timestamp-millis event_time as an Instant.
        Schema schema = FeatureVector.getClassSchema();
        FeatureVector good =
                new FeatureVector("g", Instant.ofEpochMilli(1_000), "layer", List.of(-1.0, 2.0));
        FeatureVector bad =
                new FeatureVector("b", Instant.ofEpochMilli(2_000), "layer", List.of(NaN));
        var function =
                GenericRecordActivationFunction.builder(schema)
                        .fields("values")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function, schema)) {
            op.harness.processElement(good, 0L);
            op.harness.processElement(bad, 0L);

            GenericRecord out = op.harness.extractOutputValues().get(0);
            assertThat(out.get("event_time")).isEqualTo(1_000L);
            assertThat(doubles(out.get("values_relu"))).containsExactly(0.0, 2.0);
            assertThat(GenericData.get().validate(function.outputSchema(), out)).isTrue();
            var serializer =
                    function.getProducedType().createSerializer(new SerializerConfigImpl());
            assertThat(serializer.copy(out).toString()).isEqualTo(out.toString());
            DeadLetter letter = firstRejected(op);
            assertThat(FeatureVector.fromByteBuffer(letter.getPayload())).isEqualTo(bad);
        }
    }

    /** A Java enum, as Avro generates one for an enum type. */
    enum SensorState {
        OK,
        STALE
    }

    /**
     * A record class as Avro generates it for a schema with an enum and no logical type: its model
     * has no conversions, and it holds the enum as a Java enum.
     */
    static final class Sensor extends SpecificRecordBase {
        static final Schema SCHEMA =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Sensor\",\"namespace\":"
                                    + "\"com.example\",\"fields\":[{\"name\":\"state\",\"type\":"
                                    + "{\"type\":\"enum\",\"name\":\"SensorState\",\"symbols\":"
                                    + "[\"OK\",\"STALE\"]}},{\"name\":\"level\",\"type\":"
                                    + "\"double\"}]}");
        private static final SpecificData MODEL = new SpecificData();

        private SensorState state;
        private double level;

        Sensor(SensorState state, double level) {
            this.state = state;
            this.level = level;
        }

        @Override
        public Schema getSchema() {
            return SCHEMA;
        }

        @Override
        public SpecificData getSpecificData() {
            return MODEL;
        }

        @Override
        public Object get(int field) {
            return field == 0 ? state : level;
        }

        @Override
        public void put(int field, Object value) {
            if (field == 0) {
                state = (SensorState) value;
            } else {
                level = (Double) value;
            }
        }
    }

    @Test
    void generatedRecordsWithEnumsAreActivatedAndRejectedInAvrosOwnValues() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(Sensor.SCHEMA)
                        .fields("level")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function, Sensor.SCHEMA)) {
            op.harness.processElement(new Sensor(SensorState.STALE, -1.5), 0L);
            // Plain Avro, which writes the dead letter's bytes, refuses a Java enum.
            op.harness.processElement(new Sensor(SensorState.OK, NaN), 0L);

            GenericRecord out = op.harness.extractOutputValues().get(0);
            assertThat(out.get("state")).isInstanceOf(GenericEnumSymbol.class);
            assertThat(out.get("state")).hasToString("STALE");
            // relu(-1.5) = 0, relu'(-1.5) = 0.
            assertThat(out.get("level_relu")).isEqualTo(0.0);
            assertThat(out.get("level_grad")).isEqualTo(0.0);
            assertThat(GenericData.get().validate(function.outputSchema(), out)).isTrue();
            DeadLetter letter = firstRejected(op);
            assertThat(letter.getReason())
                    .isEqualTo(
                            "level is NaN and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)");
            GenericRecord rejected =
                    new BinaryMessageDecoder<GenericRecord>(GenericData.get(), Sensor.SCHEMA)
                            .decode(letter.getPayload());
            assertThat(rejected.get("state")).hasToString("OK");
            assertThat((Double) rejected.get("level")).isNaN();
        }
    }

    @Test
    void aRecordWhoseSchemaDiffersInALogicalTypeOnlyIsRejectedInsteadOfRelabelled()
            throws Exception {
        // Avro's parsing form, and so its fingerprint, leaves logical types out: copied by
        // position, microseconds would leave the operator labelled as milliseconds.
        String events =
                "{\"type\":\"record\",\"name\":\"Event\",\"namespace\":\"com.example\","
                        + "\"fields\":[{\"name\":\"score\",\"type\":\"double\"},"
                        + "{\"name\":\"at\",\"type\":{\"type\":\"long\","
                        + "\"logicalType\":\"timestamp-millis\"}}]}";
        Schema millis = new Schema.Parser().parse(events);
        Schema micros = new Schema.Parser().parse(events.replace("-millis", "-micros"));
        assertThat(SchemaNormalization.parsingFingerprint64(micros))
                .isEqualTo(SchemaNormalization.parsingFingerprint64(millis));
        GenericData.Record inMicros = new GenericData.Record(micros);
        inMicros.put("score", -1.0);
        inMicros.put("at", 1_700_000_000_000_000L);
        GenericData.Record inMillis = new GenericData.Record(millis);
        inMillis.put("score", 2.0);
        inMillis.put("at", 1_700_000_000_000L);
        // Without a logical type it is the same long, which the operator's schema names.
        GenericData.Record plain =
                new GenericData.Record(
                        new Schema.Parser()
                                .parse(
                                        events.replace(
                                                ",\"logicalType\":\"timestamp-millis\"", "")));
        plain.put("score", 3.0);
        plain.put("at", 1_700_000_000_001L);
        var function =
                GenericRecordActivationFunction.builder(millis)
                        .fields("score")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function, millis)) {
            op.harness.processElement(inMicros, 0L);
            op.harness.processElement(inMillis, 0L);
            op.harness.processElement(plain, 0L);

            assertThat(op.harness.extractOutputValues())
                    .extracting(r -> r.get("at"), r -> r.get("score_relu"))
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(1_700_000_000_000L, 2.0),
                            org.assertj.core.groups.Tuple.tuple(1_700_000_000_001L, 3.0));
            DeadLetter letter = firstRejected(op);
            assertThat(letter.getReason())
                    .isEqualTo(
                            "the record's schema is not the one the operator was built for"
                                    + " (com.example.Event, fingerprint "
                                    + Long.toHexString(
                                            SchemaNormalization.parsingFingerprint64(millis))
                                    + "): its field at is a long of logical type timestamp-micros,"
                                    + " the operator's a long of logical type timestamp-millis:"
                                    + " convert records to the operator's schema first");
            assertThat(
                            new BinaryMessageDecoder<GenericRecord>(GenericData.get(), micros)
                                    .decode(letter.getPayload()))
                    .isEqualTo(inMicros);
        }
    }

    /** A logical type of a user's own, as Avro makes one: a new object for each schema parsed. */
    private static final class Celsius extends LogicalType {
        Celsius() {
            super("relu-stream-test-celsius");
        }
    }

    @Test
    void aLogicalTypeOfTheUsersOwnIsTheSameInTheSameSchemaParsedAgain() throws Exception {
        // Avro's factory gives each parse a logical type object of its own, which does not
        // override equals: the schema the records were made with (a deserializer's, on another
        // machine) is the operator's, parsed again.
        LogicalTypes.register("relu-stream-test-celsius", schema -> new Celsius());
        String readings =
                "{\"type\":\"record\",\"name\":\"Celsius\",\"fields\":["
                        + "{\"name\":\"score\",\"type\":\"double\"},"
                        + "{\"name\":\"temperature\",\"type\":{\"type\":\"double\","
                        + "\"logicalType\":\"relu-stream-test-celsius\"}}]}";
        Schema operators = new Schema.Parser().parse(readings);
        Schema records = new Schema.Parser().parse(readings);
        assertThat(records.getField("temperature").schema().getLogicalType())
                .isInstanceOf(Celsius.class);
        GenericData.Record record = new GenericData.Record(records);
        record.put("score", -2.0);
        record.put("temperature", 21.5);
        var function =
                GenericRecordActivationFunction.builder(operators)
                        .fields("score")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function, operators)) {
            op.harness.processElement(record, 0L);

            assertThat(op.harness.getSideOutput(GenericRecordActivationFunction.REJECTED))
                    .isNullOrEmpty();
            assertThat(op.harness.extractOutputValues())
                    .extracting(r -> r.get("temperature"), r -> r.get("score_relu"))
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(21.5, 0.0));
        }
    }

    @Test
    void logicalTypesAreComparedInsideUnionsAndArrays() throws Exception {
        String readings =
                "{\"type\":\"record\",\"name\":\"Days\",\"fields\":["
                        + "{\"name\":\"score\",\"type\":\"double\"},"
                        + "{\"name\":\"days\",\"type\":[\"null\",{\"type\":\"array\","
                        + "\"items\":{\"type\":\"int\",\"logicalType\":\"date\"}}]}]}";
        Schema dates = new Schema.Parser().parse(readings);
        Schema times = new Schema.Parser().parse(readings.replace("\"date\"", "\"time-millis\""));
        GenericData.Record record = new GenericData.Record(times);
        record.put("score", 1.0);
        record.put("days", List.of(19_000));
        var function =
                GenericRecordActivationFunction.builder(dates)
                        .fields("score")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function, dates)) {
            op.harness.processElement(record, 0L);

            assertThat(op.harness.extractOutputValues()).isEmpty();
            assertThat(firstRejected(op).getReason())
                    .contains(
                            "): its field days[] is an int of logical type time-millis, the"
                                    + " operator's an int of logical type date: convert records");
        }
    }

    @Test
    void aGeneratedRecordOfAnotherSchemaIsDeadLetteredWithItsLogicalTypes() throws Exception {
        // A FeatureVector is not a Reading; its event_time is an Instant, which only its own
        // model can write into the dead letter's bytes.
        FeatureVector other =
                new FeatureVector("f", Instant.ofEpochMilli(3_000), "layer", List.of(1.0));
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("score")
                        .invalidValues(InvalidValuePolicy.PROPAGATE)
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(other, 0L);

            assertThat(op.harness.extractOutputValues()).isEmpty();
            DeadLetter letter = firstRejected(op);
            assertThat(letter.getReason())
                    .startsWith("the record's schema is not the one the operator was built for");
            assertThat(FeatureVector.fromByteBuffer(letter.getPayload())).isEqualTo(other);
            assertThat(op.counter("rejectedRecords")).isEqualTo(1);
        }
    }

    @Test
    void aRecordSchemaThatDiffersOnlyInDocsAndPropertiesIsTheSame() throws Exception {
        Schema annotated = new Schema.Parser().parse(READING.toString());
        annotated.addProp("owner", "team-a");
        annotated.getField("score").addProp("unit", "logit");
        assertThat(annotated).isNotEqualTo(READING);
        GenericData.Record record = new GenericData.Record(annotated);
        GenericRecord same = reading("a", -2.0, null, List.of(), null);
        for (Schema.Field field : READING.getFields()) {
            record.put(field.name(), same.get(field.name()));
        }
        var function = GenericRecordActivationFunction.builder(READING).fields("score").build();
        try (var op = harness(function)) {
            op.harness.processElement(record, 0L);

            assertThat(op.harness.extractOutputValues())
                    .extracting(r -> r.get("score_relu"), r -> r.get("score_grad"))
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(0.0, 0.0));
        }
    }

    @Test
    void theOutputSchemaKeepsTheAliasesAndPropertiesOfTheInput() {
        Schema input =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"R\",\"aliases\":[\"OldR\"],"
                                        + "\"owner\":\"team-a\",\"fields\":[{\"name\":\"x\","
                                        + "\"type\":\"double\",\"aliases\":[\"old_x\"],"
                                        + "\"unit\":\"m\"}]}");

        Schema output =
                GenericRecordActivationFunction.builder(input).fields("x").build().outputSchema();

        assertThat(output.getAliases()).containsExactly("OldR");
        assertThat(output.getProp("owner")).isEqualTo("team-a");
        assertThat(output.getField("x").aliases()).containsExactly("old_x");
        assertThat(output.getField("x").getProp("unit")).isEqualTo("m");
        // New fields take the properties, not the aliases: two fields cannot share an alias.
        assertThat(output.getField("x_relu").aliases()).isEmpty();
        assertThat(fieldNames(output)).containsExactly("x", "x_relu", "x_grad");
    }

    @Test
    void newFieldsDefaultToTheActivationAndDerivativeOfTheInputsDefault() {
        Schema input =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"D\",\"fields\":["
                                    + "{\"name\":\"up\",\"type\":\"double\",\"default\":1.5},"
                                    + "{\"name\":\"down\",\"type\":\"double\",\"default\":-2.0},"
                                    + "{\"name\":\"capped\",\"type\":\"float\",\"default\":7.5},"
                                    + "{\"name\":\"maybe\",\"type\":[\"null\",\"double\"],"
                                    + "\"default\":null},"
                                    + "{\"name\":\"first\",\"type\":[\"double\",\"null\"],"
                                    + "\"default\":3.0},"
                                    + "{\"name\":\"emb\",\"type\":{\"type\":\"array\","
                                    + "\"items\":\"double\"},\"default\":[-1.0,2.0,6.0]},"
                                    + "{\"name\":\"plain\",\"type\":\"double\"}]}");

        Schema output =
                GenericRecordActivationFunction.builder(input)
                        .activation(Activations.relu6())
                        .fields("up", "down", "capped", "maybe", "first", "emb", "plain")
                        .build()
                        .outputSchema();

        // relu6 and its derivative by hand: 1.5 -> 1.5, 1; -2 -> 0, 0; 7.5 -> 6, 0 (from the
        // cap on); 3 -> 3, 1; [-1, 2, 6] -> [0, 2, 6], [0, 1, 0].
        assertThat(output.getField("up_relu6").defaultVal()).isEqualTo(1.5);
        assertThat(output.getField("up_grad").defaultVal()).isEqualTo(1.0);
        assertThat(output.getField("down_relu6").defaultVal()).isEqualTo(0.0);
        assertThat(output.getField("down_grad").defaultVal()).isEqualTo(0.0);
        assertThat(output.getField("capped_relu6").defaultVal()).isEqualTo(6.0f);
        assertThat(output.getField("capped_grad").defaultVal()).isEqualTo(0.0f);
        assertThat(output.getField("maybe_relu6").defaultVal()).isSameAs(JsonProperties.NULL_VALUE);
        assertThat(output.getField("maybe_grad").defaultVal()).isSameAs(JsonProperties.NULL_VALUE);
        assertThat(output.getField("first_relu6").defaultVal()).isEqualTo(3.0);
        assertThat(output.getField("first_grad").defaultVal()).isEqualTo(1.0);
        assertThat(output.getField("emb_relu6").defaultVal()).isEqualTo(List.of(0.0, 2.0, 6.0));
        assertThat(output.getField("emb_grad").defaultVal()).isEqualTo(List.of(0.0, 1.0, 0.0));
        assertThat(output.getField("plain_relu6").hasDefaultValue()).isFalse();
        assertThat(output.getField("plain_grad").hasDefaultValue()).isFalse();
        // The input's own fields keep theirs.
        assertThat(output.getField("down").defaultVal()).isEqualTo(-2.0);
    }

    @Test
    void fieldsActivatedInPlaceDefaultToTheActivationOfTheirDefault() {
        Schema input =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"P\",\"fields\":["
                                        + "{\"name\":\"up\",\"type\":\"double\",\"default\":1.5},"
                                        + "{\"name\":\"down\",\"type\":\"double\",\"default\":-2.0,"
                                        + "\"doc\":\"a level\",\"aliases\":[\"old_down\"],"
                                        + "\"unit\":\"m\"},"
                                        + "{\"name\":\"capped\",\"type\":[\"float\",\"null\"],"
                                        + "\"default\":7.5},"
                                        + "{\"name\":\"maybe\",\"type\":[\"null\",\"double\"],"
                                        + "\"default\":null},"
                                        + "{\"name\":\"emb\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"float\"},\"default\":[-1.0,2.0,7.0]},"
                                        + "{\"name\":\"plain\",\"type\":\"double\"}]}");

        Schema output =
                GenericRecordActivationFunction.builder(input)
                        .activation(Activations.relu6())
                        .fields("up", "down", "capped", "maybe", "emb", "plain")
                        .inPlace()
                        .build()
                        .outputSchema();

        // The fields now hold relu6 activations, so do their defaults: 1.5 -> 1.5; -2 -> 0;
        // 7.5 -> 6; [-1, 2, 7] -> [0, 2, 6]; a null stays null, no default stays none.
        assertThat(output.getField("up").defaultVal()).isEqualTo(1.5);
        assertThat(output.getField("down").defaultVal()).isEqualTo(0.0);
        assertThat(output.getField("capped").defaultVal()).isEqualTo(6.0f);
        assertThat(output.getField("maybe").defaultVal()).isSameAs(JsonProperties.NULL_VALUE);
        assertThat(output.getField("emb").defaultVal()).isEqualTo(List.of(0.0f, 2.0f, 6.0f));
        assertThat(output.getField("plain").hasDefaultValue()).isFalse();
        // The derivatives of the same defaults: -2 -> 0, 7.5 -> 0 (from the cap on).
        assertThat(output.getField("down_grad").defaultVal()).isEqualTo(0.0);
        assertThat(output.getField("emb_grad").defaultVal()).isEqualTo(List.of(0.0f, 1.0f, 0.0f));
        // Otherwise the field is as it was.
        Schema.Field down = output.getField("down");
        assertThat(down.pos()).isEqualTo(1);
        assertThat(down.doc()).isEqualTo("a level");
        assertThat(down.aliases()).containsExactly("old_down");
        assertThat(down.getProp("unit")).isEqualTo("m");
        assertThat(fieldNames(output))
                .containsExactly(
                        "up",
                        "down",
                        "capped",
                        "maybe",
                        "emb",
                        "plain",
                        "up_grad",
                        "down_grad",
                        "capped_grad",
                        "maybe_grad",
                        "emb_grad",
                        "plain_grad");
        assertThat(new Schema.Parser().parse(output.toString())).isEqualTo(output);

        // Maxout shortens the array: its grouped default where the default groups, else none.
        Schema arrays =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"M\",\"fields\":["
                                        + "{\"name\":\"even\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"double\"},\"default\":[3.0,1.0,2.0,5.0]},"
                                        + "{\"name\":\"odd\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"double\"},\"default\":[1.0,2.0,3.0]}]}");
        Schema grouped =
                GenericRecordActivationFunction.builder(arrays)
                        .activation(Activations.maxout(2))
                        .fields("even", "odd")
                        .inPlace()
                        .derivatives(false)
                        .build()
                        .outputSchema();
        assertThat(grouped.getField("even").defaultVal()).isEqualTo(List.of(3.0, 5.0));
        assertThat(grouped.getField("odd").hasDefaultValue()).isFalse();

        // Defaults the activation leaves as they are stay as the input wrote them (the float 0.1
        // too, not the double it widens to), so the schema is then the input's own.
        Schema unchanged =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"U\",\"fields\":["
                                        + "{\"name\":\"x\",\"type\":\"float\",\"default\":0.1},"
                                        + "{\"name\":\"y\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"double\"},\"default\":[0.0,2.5]}]}");
        assertThat(
                        GenericRecordActivationFunction.builder(unchanged)
                                .fields("x", "y")
                                .inPlace()
                                .derivatives(false)
                                .build()
                                .outputSchema())
                .isEqualTo(unchanged);
    }

    @Test
    void theOutputSchemaEqualsItselfReadBackFromItsJson() {
        // Flink and schema registries pass schemas on as JSON; JSON reads 7 back as an int and
        // 7.5 as a double, whatever Java number the default was made from.
        Schema input =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"J\",\"fields\":["
                                    + "{\"name\":\"count\",\"type\":\"long\",\"default\":7},"
                                    + "{\"name\":\"level\",\"type\":\"float\",\"default\":-2.5},"
                                    + "{\"name\":\"w\",\"type\":{\"type\":\"array\","
                                    + "\"items\":\"float\"},\"default\":[0.1,8.0]}]}");
        assertThat(new Schema.Parser().parse(input.toString())).isEqualTo(input);

        Schema output =
                GenericRecordActivationFunction.builder(input)
                        .activation(Activations.relu6())
                        .fields("level", "w")
                        .build()
                        .outputSchema();

        assertThat(new Schema.Parser().parse(output.toString())).isEqualTo(output);
        // The defaults themselves are as before: relu6(-2.5) = 0, relu6([0.1, 8]) = [0.1, 6].
        assertThat(output.getField("count").defaultVal()).isEqualTo(7L);
        assertThat(output.getField("level").defaultVal()).isEqualTo(-2.5f);
        assertThat(output.getField("level_relu6").defaultVal()).isEqualTo(0.0f);
        assertThat(output.getField("w_relu6").defaultVal()).isEqualTo(List.of(0.1f, 6.0f));
        assertThat(output.getField("w_grad").defaultVal()).isEqualTo(List.of(1.0f, 0.0f));
    }

    @Test
    void maxoutFieldsDefaultToTheGroupedDefaultWhereItGroups() {
        Schema input =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"M\",\"fields\":["
                                        + "{\"name\":\"even\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"double\"},\"default\":[3.0,1.0,2.0,5.0]},"
                                        + "{\"name\":\"odd\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"double\"},\"default\":[1.0,2.0,3.0]}]}");

        Schema output =
                GenericRecordActivationFunction.builder(input)
                        .activation(Activations.parseVector("maxout(k=2)"))
                        .fields("even", "odd")
                        .build()
                        .outputSchema();

        // Groups (3, 1) and (2, 5): maxima 3 and 5, one-hot at index 0 and index 3.
        assertThat(output.getField("even_maxout").defaultVal()).isEqualTo(List.of(3.0, 5.0));
        assertThat(output.getField("even_grad").defaultVal())
                .isEqualTo(List.of(1.0, 0.0, 0.0, 1.0));
        // Three values do not group by 2: no default, rather than a wrong one.
        assertThat(output.getField("odd_maxout").hasDefaultValue()).isFalse();
        assertThat(output.getField("odd_grad").hasDefaultValue()).isFalse();
    }

    @Test
    void addsActivationAndDerivativeFieldsOfTheSameTypes() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("score", "temp", "embedding", "weights")
                        .build();
        Schema out = function.outputSchema();
        assertThat(out.getFullName()).isEqualTo("com.example.Reading");
        assertThat(fieldNames(out))
                .containsExactly(
                        "id",
                        "score",
                        "temp",
                        "embedding",
                        "weights",
                        "label",
                        "mixed",
                        "tags",
                        "score_relu",
                        "score_grad",
                        "temp_relu",
                        "temp_grad",
                        "embedding_relu",
                        "embedding_grad",
                        "weights_relu",
                        "weights_grad");
        assertThat(out.getField("score_relu").schema())
                .isEqualTo(READING.getField("score").schema());
        assertThat(out.getField("temp_grad").schema()).isEqualTo(READING.getField("temp").schema());
        assertThat(out.getField("weights_relu").schema())
                .isEqualTo(READING.getField("weights").schema());
        assertThat(function.getProducedType()).isEqualTo(new GenericRecordAvroTypeInfo(out));

        try (var op = harness(function)) {
            op.harness.processElement(
                    reading("a", -2.0, 1.5f, List.of(-1.0, 0.0, 3.0), List.of(-0.5f, 0.25f)), 0L);
            op.harness.processElement(reading("b", 4.0, null, List.of(), null), 0L);

            List<GenericRecord> records = op.harness.extractOutputValues();
            GenericRecord a = records.get(0);
            assertThat(a.get("id")).isEqualTo("a");
            assertThat(a.get("label")).isEqualTo("L-a");
            assertThat(a.get("score")).isEqualTo(-2.0);
            assertThat(a.get("score_relu")).isEqualTo(0.0);
            assertThat(a.get("score_grad")).isEqualTo(0.0);
            assertThat(a.get("temp_relu")).isEqualTo(1.5f);
            assertThat(a.get("temp_grad")).isEqualTo(1.0f);
            assertThat(doubles(a.get("embedding_relu"))).containsExactly(0.0, 0.0, 3.0);
            assertThat(doubles(a.get("embedding_grad"))).containsExactly(0.0, 0.0, 1.0);
            assertThat(floats(a.get("weights_relu"))).containsExactly(0.0f, 0.25f);
            assertThat(floats(a.get("weights_grad"))).containsExactly(0.0f, 1.0f);

            GenericRecord b = records.get(1);
            assertThat(b.get("score_relu")).isEqualTo(4.0);
            assertThat(b.get("temp_relu")).isNull();
            assertThat(b.get("temp_grad")).isNull();
            assertThat((List<?>) b.get("embedding_relu")).isEmpty();
            assertThat(b.get("weights_relu")).isNull();
            assertThat(b.get("weights_grad")).isNull();

            assertThat(GenericData.get().validate(out, a)).isTrue();
            assertThat(GenericData.get().validate(out, b)).isTrue();
            assertThat(op.counter("activationRecords")).isEqualTo(2);
            assertThat(op.counter("activationValues")).isEqualTo(8);
            assertThat(op.counter("zeroOutputs")).isEqualTo(4);
            // a: 1 + 1 + 3 + 2 outputs, b: 1 (null fields and an empty array have none).
            assertThat(op.counter("outputValues")).isEqualTo(8);
        }
    }

    @Test
    void writesInPlaceWithCustomSuffixes() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .activation(Activations.leakyRelu(0.5))
                        .fields("score", "embedding")
                        .inPlace()
                        .derivativeSuffix("_d")
                        .build();
        assertThat(fieldNames(function.outputSchema()))
                .containsExactly(
                        "id",
                        "score",
                        "temp",
                        "embedding",
                        "weights",
                        "label",
                        "mixed",
                        "tags",
                        "score_d",
                        "embedding_d");
        try (var op = harness(function)) {
            op.harness.processElement(reading("a", -2.0, null, List.of(-4.0, 8.0), null), 0L);
            GenericRecord a = op.harness.extractOutputValues().get(0);
            assertThat(a.get("score")).isEqualTo(-1.0);
            assertThat(a.get("score_d")).isEqualTo(0.5);
            assertThat(doubles(a.get("embedding"))).containsExactly(-2.0, 8.0);
            assertThat(doubles(a.get("embedding_d"))).containsExactly(0.5, 1.0);
        }
    }

    @Test
    void namesNewFieldsAfterTheActivationOrAChosenSuffix() {
        assertThat(
                        fieldNames(
                                GenericRecordActivationFunction.builder(READING)
                                        .activation(Activations.relu6())
                                        .fields("score")
                                        .derivatives(false)
                                        .build()
                                        .outputSchema()))
                .endsWith("tags", "score_relu6");
        assertThat(
                        fieldNames(
                                GenericRecordActivationFunction.builder(READING)
                                        .activation(Activations.leakyRelu(0.1))
                                        .fields("score")
                                        .activationSuffix("_act")
                                        .build()
                                        .outputSchema()))
                .endsWith("tags", "score_act", "score_grad");
    }

    @Test
    void maxoutWorksOnArrayFields() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .activation(Activations.maxout(2))
                        .fields("embedding")
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(
                    reading("a", 0, null, List.of(1.0, 3.0, -2.0, -5.0), null), 0L);
            op.harness.processElement(
                    reading("b", 0, null, List.of(NaN, 1.0, 0.0, -4.0), null), 0L);
            List<GenericRecord> records = op.harness.extractOutputValues();
            GenericRecord a = records.get(0);
            assertThat(doubles(a.get("embedding_maxout"))).containsExactly(3.0, -2.0);
            assertThat(doubles(a.get("embedding_grad"))).containsExactly(0.0, 1.0, 1.0, 0.0);
            assertThat(doubles(records.get(1).get("embedding_maxout"))).containsExactly(NaN, 0.0);

            // 8 inputs, 4 outputs: 3, -2, NaN, 0; the NaN is not a value.
            assertThat(op.counter("activationValues")).isEqualTo(8);
            assertThat(op.counter("outputValues")).isEqualTo(3);
            assertThat(op.counter("zeroOutputs")).isEqualTo(1);
        }
    }

    @Test
    void propagatedNaNOutputsAreNotOutputValues() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("score", "embedding", "weights")
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(
                    reading("a", 1.0, null, List.of(NaN, -1.0, 2.0), List.of(Float.NaN, 0.5f)), 0L);
            GenericRecord a = op.harness.extractOutputValues().get(0);
            assertThat(a.get("score_relu")).isEqualTo(1.0);
            assertThat(doubles(a.get("embedding_relu"))).containsExactly(NaN, 0.0, 2.0);
            assertThat(floats(a.get("weights_relu"))).containsExactly(Float.NaN, 0.5f);

            // 6 outputs, 2 of them NaN.
            assertThat(op.counter("activationValues")).isEqualTo(6);
            assertThat(op.counter("nanInputs")).isEqualTo(2);
            assertThat(op.counter("outputValues")).isEqualTo(4);
            assertThat(op.counter("zeroOutputs")).isEqualTo(1);
        }
    }

    @Test
    void rejectsRecordsWithInvalidValuesKeepingTheWholeRecord() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("score", "embedding")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function)) {
            GenericRecord badArray = reading("a", 1.0, null, List.of(0.5, NaN), null);
            GenericRecord badScalar = reading("b", Double.NEGATIVE_INFINITY, null, List.of(), null);
            op.harness.processElement(badArray, 0L);
            op.harness.processElement(badScalar, 0L);

            assertThat(op.harness.extractOutputValues()).isEmpty();
            List<DeadLetter> letters =
                    op.harness.getSideOutput(GenericRecordActivationFunction.REJECTED).stream()
                            .map(r -> r.getValue())
                            .collect(Collectors.toList());
            assertThat(letters)
                    .extracting(DeadLetter::getReason)
                    .containsExactly(
                            "embedding[1] is NaN and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)",
                            "score is -Infinity and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)");
            BinaryMessageDecoder<GenericRecord> decoder =
                    new BinaryMessageDecoder<>(GenericData.get(), READING);
            assertThat(decoder.decode(letters.get(0).getPayload())).isEqualTo(badArray);
            assertThat(decoder.decode(letters.get(1).getPayload())).isEqualTo(badScalar);
            assertThat(op.counter("rejectedRecords")).isEqualTo(2);
            assertThat(op.counter("outputValues")).isZero();
            assertThat(op.counter("zeroOutputs")).isZero();
        }
    }

    @Test
    void aRejectedRecordCountsTheValuesOfEveryFieldInAnyOrder() throws Exception {
        // embedding [NaN, 1] and weights [NaN, +inf, 3]: 5 values, 2 NaN, 1 +inf, as a
        // propagated record would count them, whichever field comes first.
        for (String[] fields :
                List.of(
                        new String[] {"embedding", "weights"},
                        new String[] {"weights", "embedding"})) {
            var function =
                    GenericRecordActivationFunction.builder(READING)
                            .fields(fields)
                            .invalidValues(InvalidValuePolicy.REJECT)
                            .build();
            try (var op = harness(function)) {
                op.harness.processElement(
                        reading(
                                "a",
                                1.0,
                                null,
                                List.of(NaN, 1.0),
                                List.of(Float.NaN, Float.POSITIVE_INFINITY, 3.0f)),
                        0L);

                assertThat(op.counter("rejectedRecords")).isEqualTo(1);
                assertThat(op.counter("activationValues")).isEqualTo(5);
                assertThat(op.counter("nanInputs")).isEqualTo(2);
                assertThat(op.counter("posInfInputs")).isEqualTo(1);
                assertThat(op.counter("negInfInputs")).isZero();
                assertThat(op.counter("outputValues")).isZero();
            }
        }
    }

    @Test
    void aNullElementBuiltInCodeFailsNamingIt() throws Exception {
        // Against its own schema: no bytes to dead-letter, so it fails with a clear message.
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("embedding")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function)) {
            assertThatThrownBy(
                            () ->
                                    op.harness.processElement(
                                            reading(
                                                    "a",
                                                    1.0,
                                                    null,
                                                    java.util.Arrays.asList(1.0, null),
                                                    null),
                                            0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessage(
                            "Cannot activate record {\"id\": \"a\", \"score\": 1.0, \"temp\":"
                                    + " null, \"embedding\": [1.0, null], \"weights\": null,"
                                    + " \"label\": \"L-a\", \"mixed\": null, \"tags\": [\"a\"]} of"
                                    + " com.example.Reading: embedding[1] is null; it cannot be"
                                    + " dead-lettered, since it does not match its own schema:"
                                    + " null value for (non-nullable) double at"
                                    + " Reading.embedding[1]");
        }
    }

    @Test
    void aNullRecordFailsUnderEveryPolicyAsOneThatCannotBeDeadLettered() throws Exception {
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            var function =
                    GenericRecordActivationFunction.builder(READING)
                            .fields("score")
                            .invalidValues(policy)
                            .build();
            try (var op = harness(function)) {
                assertThatThrownBy(() -> op.harness.processElement(null, 0L))
                        .as(policy.name())
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessage(
                                "Cannot activate a record of com.example.Reading: the record is"
                                        + " null (an operator before this one emitted null): it"
                                        + " has no values to activate and no bytes to"
                                        + " dead-letter; filter nulls out before this operator");
                assertThat(op.harness.extractOutputValues()).isEmpty();
                assertThat(op.counter("activationRecords")).isZero();
                assertThat(op.counter("rejectedRecords")).isZero();
            }
        }
    }

    @Test
    void aGeneratedRecordWithANullWhereItsSchemaHasNoneFailsNamingTheField() throws Exception {
        // Its null id, a field not chosen, is found before the record is copied into Avro's own
        // values (FeatureVector holds its event_time as an Instant), which it would break.
        FeatureVector noId =
                new FeatureVector(null, Instant.ofEpochMilli(1_000), "g", List.of(1.0, -1.0));
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            var function =
                    GenericRecordActivationFunction.builder(FeatureVector.getClassSchema())
                            .fields("values")
                            .invalidValues(policy)
                            .build();
            try (var op = harness(function, FeatureVector.getClassSchema())) {
                assertThatThrownBy(() -> op.harness.processElement(noId, 0L))
                        .as(policy.name())
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessage(
                                "Cannot activate record {\"id\": null, \"event_time\":"
                                        + " \"1970-01-01T00:00:01Z\", \"group\": \"g\", \"values\":"
                                        + " [1.0, -1.0]} of io.relustream.avro.FeatureVector: id"
                                        + " is null, but the field is not nullable (string): the"
                                        + " record does not match its own schema, so it can be"
                                        + " neither written nor dead-lettered");
                assertThat(op.harness.extractOutputValues()).isEmpty();
            }
        }
    }

    @Test
    void aNullInAFieldNotChosenThatIsNotNullableFailsUnderEveryPolicy() throws Exception {
        // Passed on, the record would fail where Flink next writes it, a NullPointerException
        // in its Avro serializer past this operator, which Flink restarts into.
        GenericRecord noLabel = reading("a", -1.0, null, List.of(2.0), null);
        noLabel.put("label", null);
        // Under reject, a record also holding NaN could not be dead-lettered either.
        GenericRecord noLabelNaN = reading("b", NaN, null, List.of(2.0), null);
        noLabelNaN.put("label", null);
        // Nullable fields not chosen (temp, weights, mixed) may hold null.
        GenericRecord nullables = reading("c", -1.0, null, List.of(2.0), null);
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            var function =
                    GenericRecordActivationFunction.builder(READING)
                            .fields("score")
                            .invalidValues(policy)
                            .build();
            try (var op = harness(function)) {
                assertThatThrownBy(() -> op.harness.processElement(noLabel, 0L))
                        .as(policy.name())
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessage(
                                "Cannot activate record {\"id\": \"a\", \"score\": -1.0, \"temp\":"
                                        + " null, \"embedding\": [2.0], \"weights\": null,"
                                        + " \"label\": null, \"mixed\": null, \"tags\": [\"a\"]}"
                                        + " of com.example.Reading: label is null, but the field"
                                        + " is not nullable (string): the record does not match"
                                        + " its own schema, so it can be neither written nor"
                                        + " dead-lettered");
                assertThatThrownBy(() -> op.harness.processElement(noLabelNaN, 0L))
                        .as(policy.name())
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessageEndingWith(
                                " of com.example.Reading: label is null, but the field is not"
                                        + " nullable (string): the record does not match its own"
                                        + " schema, so it can be neither written nor"
                                        + " dead-lettered");
                assertThat(op.harness.extractOutputValues()).isEmpty();
                assertThat(op.counter("activationRecords")).isZero();
                assertThat(op.counter("rejectedRecords")).isZero();

                op.harness.processElement(nullables, 0L);
                // relu(-1.0) = +0.0.
                assertThat(op.harness.extractOutputValues())
                        .as(policy.name())
                        .extracting(r -> r.get("id"), r -> r.get("score_relu"))
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("c", 0.0));
            }
        }
    }

    private static final Schema COUNTED =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Counted\",\"namespace\":\"com.example\","
                                + "\"fields\":[{\"name\":\"x\",\"type\":\"double\"},"
                                + "{\"name\":\"count\",\"type\":\"int\"},"
                                + "{\"name\":\"unit\",\"type\":{\"type\":\"enum\",\"name\":\"Unit\","
                                + "\"symbols\":[\"A\",\"B\"]}},"
                                + "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}"
                                + "]}");

    private static GenericData.Record counted(Object count, String unit, List<String> tags) {
        GenericData.Record record = new GenericData.Record(COUNTED);
        record.put("x", -1.0);
        record.put("count", count);
        record.put("unit", new GenericData.EnumSymbol(COUNTED.getField("unit").schema(), unit));
        record.put("tags", tags);
        return record;
    }

    @Test
    void aRecordWhoseNamedTypeDiffersInsideIsRejectedNamingTheField() throws Exception {
        Schema moreUnits =
                new Schema.Parser()
                        .parse(COUNTED.toString().replace("[\"A\",\"B\"]", "[\"A\",\"B\",\"C\"]"));
        GenericData.Record record = new GenericData.Record(moreUnits);
        record.put("x", -1.0);
        record.put("count", 7);
        record.put("unit", new GenericData.EnumSymbol(moreUnits.getField("unit").schema(), "C"));
        record.put("tags", List.of());
        var function =
                GenericRecordActivationFunction.builder(COUNTED)
                        .fields("x")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function, COUNTED)) {
            op.harness.processElement(record, 0L);

            assertThat(op.harness.extractOutputValues()).isEmpty();
            assertThat(firstRejected(op).getReason())
                    .isEqualTo(
                            "the record's schema is not the one the operator was built for"
                                    + " (com.example.Counted, fingerprint "
                                    + fingerprint(COUNTED)
                                    + "); it has "
                                    + fingerprint(moreUnits)
                                    + " (its field unit is another com.example.Unit than the"
                                    + " operator's): convert records to the operator's schema"
                                    + " first");
        }
    }

    @Test
    void aRecordWhoseMapFieldHoldsAnotherTypeIsRejectedNamingBothTypes() throws Exception {
        Schema intCounts =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Tally\",\"fields\":["
                                        + "{\"name\":\"x\",\"type\":\"double\"},"
                                        + "{\"name\":\"counts\",\"type\":"
                                        + "{\"type\":\"map\",\"values\":\"int\"}}]}");
        Schema longCounts =
                new Schema.Parser().parse(intCounts.toString().replace("\"int\"", "\"long\""));
        GenericData.Record record = new GenericData.Record(longCounts);
        record.put("x", -1.0);
        record.put("counts", Map.of("a", 1L));
        var function =
                GenericRecordActivationFunction.builder(intCounts)
                        .fields("x")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function, intCounts)) {
            op.harness.processElement(record, 0L);

            assertThat(op.harness.extractOutputValues()).isEmpty();
            // Both maps: only their values' types tell them apart.
            assertThat(firstRejected(op).getReason())
                    .isEqualTo(
                            "the record's schema is not the one the operator was built for"
                                    + " (Tally, fingerprint "
                                    + fingerprint(intCounts)
                                    + "); it has "
                                    + fingerprint(longCounts)
                                    + " (its field counts is map<long>, the operator's"
                                    + " map<int>): convert records to the operator's schema"
                                    + " first");
        }
    }

    /**
     * What the README says the operator leaves to Avro: in the fields not chosen it checks only
     * that a top-level value is not null where the field has no null; checking more would walk each
     * record's other values, every item of every array among them. Flink's serializer of the output
     * refuses the rest, naming the field.
     */
    @Test
    void valuesOfFieldsNotChosenBeyondTheirNullabilityAreLeftToAvro() throws Exception {
        var function = GenericRecordActivationFunction.builder(COUNTED).fields("x").build();
        var serializer = function.getProducedType().createSerializer(new SerializerConfigImpl());
        try (var op = harness(function, COUNTED)) {
            op.harness.processElement(counted("seven", "A", List.of("t")), 0L);
            op.harness.processElement(counted(7, "C", List.of("t")), 0L);
            op.harness.processElement(counted(7, "A", java.util.Arrays.asList("t", null)), 0L);

            List<GenericRecord> out = op.harness.extractOutputValues();
            // relu(-1.0) = +0.0 in each, the other values passed on as they were.
            assertThat(out)
                    .extracting(
                            r -> r.get("x_relu"),
                            r -> r.get("count"),
                            r -> r.get("unit").toString())
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(0.0, "seven", "A"),
                            org.assertj.core.groups.Tuple.tuple(0.0, 7, "C"),
                            org.assertj.core.groups.Tuple.tuple(0.0, 7, "A"));
            assertThatThrownBy(() -> serializer.serialize(out.get(0), new DataOutputSerializer(64)))
                    .isInstanceOf(ClassCastException.class)
                    .hasMessage(
                            "value seven (a java.lang.String) cannot be cast to expected type int"
                                    + " at Counted.count");
            assertThatThrownBy(() -> serializer.serialize(out.get(1), new DataOutputSerializer(64)))
                    .isInstanceOf(AvroTypeException.class)
                    .hasMessage(
                            "enum value 'C' is not in the enum symbol set: [A, B] at Counted.unit");
            assertThatThrownBy(() -> serializer.serialize(out.get(2), new DataOutputSerializer(64)))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("null value for (non-nullable) string at Counted.tags[1]");
        }
    }

    @Test
    void aGeneratedRecordWithAnEventTimeNoTimestampMillisHoldsFailsUnderEveryPolicy()
            throws Exception {
        // Instant.MAX as "no time", say (the constructor keeps its milliseconds): copying the
        // record into Avro's own values takes them as a long, which cannot hold them; such a
        // record can be neither written nor dead-lettered.
        FeatureVector farAhead = new FeatureVector("far", Instant.MAX, "g", List.of(1.0, -1.0));
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            var function =
                    GenericRecordActivationFunction.builder(FeatureVector.getClassSchema())
                            .fields("values")
                            .invalidValues(policy)
                            .build();
            try (var op = harness(function, FeatureVector.getClassSchema())) {
                assertThatThrownBy(() -> op.harness.processElement(farAhead, 0L))
                        .as(policy.name())
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessage(
                                "Cannot activate record {\"id\": \"far\", \"event_time\":"
                                        + " \"+1000000000-12-31T23:59:59.999Z\", \"group\": \"g\","
                                        + " \"values\": [1.0, -1.0]} of"
                                        + " io.relustream.avro.FeatureVector: it does not match its"
                                        + " own schema: long overflow");
                assertThat(op.harness.extractOutputValues()).isEmpty();
                assertThat(op.counter("activationRecords")).isZero();
                assertThat(op.counter("rejectedRecords")).isZero();
            }
        }
    }

    @Test
    void aNullInAFieldThatIsNotNullableFailsNamingIt() throws Exception {
        // Built in code against its own schema: activated, its outputs would hold the null where
        // no writer takes one, failing later without naming the record.
        GenericRecord noScore = reading("b", 1.0, null, List.of(2.0), null);
        noScore.put("score", null);
        GenericRecord noEmbedding = reading("c", -1.0, null, null, null);
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("temp", "score", "embedding")
                        .build();
        try (var op = harness(function)) {
            assertThatThrownBy(() -> op.harness.processElement(noScore, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining(
                            " of com.example.Reading: score is null, but the field is not"
                                    + " nullable; it cannot be dead-lettered, since it does not"
                                    + " match its own schema: ");
            assertThatThrownBy(() -> op.harness.processElement(noEmbedding, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining(
                            " of com.example.Reading: embedding is null, but the field is not"
                                    + " nullable; it cannot be dead-lettered");
            assertThat(op.harness.extractOutputValues()).isEmpty();
        }
        var failing =
                GenericRecordActivationFunction.builder(READING)
                        .fields("score")
                        .invalidValues(InvalidValuePolicy.FAIL)
                        .build();
        try (var op = harness(failing)) {
            assertThatThrownBy(() -> op.harness.processElement(noScore, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageEndingWith(
                            " of com.example.Reading: score is null, but the field is not"
                                    + " nullable");
        }
    }

    @Test
    void aRecordThatCannotBeDeadLetteredIsCountedInNoCounter() throws Exception {
        // Its values are read before the null is found, but it fails the job: it was neither
        // activated nor dead-lettered. The records after it are counted as if it never came.
        GenericRecord noScore = reading("b", 1.0, null, List.of(2.0, NaN), null);
        noScore.put("score", null);
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("score", "embedding")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function)) {
            assertThatThrownBy(() -> op.harness.processElement(noScore, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("it cannot be dead-lettered");
            assertThat(op.counter("activationRecords")).isZero();
            assertThat(op.counter("activationValues")).isZero();
            assertThat(op.counter("nanInputs")).isZero();
            assertThat(op.counter("rejectedRecords")).isZero();
            assertThat(op.harness.getSideOutput(GenericRecordActivationFunction.REJECTED)).isNull();

            // score -1.0 and embedding [3.0, NaN]: 3 values, 1 NaN, rejected.
            op.harness.processElement(reading("c", -1.0, null, List.of(3.0, NaN), null), 0L);
            assertThat(op.counter("activationRecords")).isEqualTo(1);
            assertThat(op.counter("activationValues")).isEqualTo(3);
            assertThat(op.counter("nanInputs")).isEqualTo(1);
            assertThat(op.counter("rejectedRecords")).isEqualTo(1);
            assertThat(op.counter("zeroOutputs")).isZero();
            assertThat(op.counter("outputValues")).isZero();
            assertThat(firstRejected(op).getReason())
                    .isEqualTo(
                            "embedding[1] is NaN and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)");

            // score -2.0 and embedding [4.0, -5.0]: 3 values, relu gives [0.0] and [4.0, 0.0].
            op.harness.processElement(reading("d", -2.0, null, List.of(4.0, -5.0), null), 0L);
            assertThat(op.counter("activationRecords")).isEqualTo(2);
            assertThat(op.counter("activationValues")).isEqualTo(6);
            assertThat(op.counter("nanInputs")).isEqualTo(1);
            assertThat(op.counter("rejectedRecords")).isEqualTo(1);
            assertThat(op.counter("zeroOutputs")).isEqualTo(2);
            assertThat(op.counter("outputValues")).isEqualTo(3);
            assertThat(op.harness.extractOutputValues())
                    .extracting(r -> r.get("id").toString())
                    .containsExactly("d");
        }
    }

    @Test
    void aValueOfAnotherTypeThanItsSchemaSaysFailsNamingTheField() throws Exception {
        // What Flink's copy between chained operators makes of a record of another schema in the
        // stream: the stream's schema, holding the other record's values by position.
        GenericRecord scoreIsText = reading("a", 1.0, null, List.of(2.0), null);
        scoreIsText.put("score", "x");
        GenericRecord embeddingIsText = reading("b", 1.0, null, List.of(2.0), null);
        embeddingIsText.put("embedding", "x");
        GenericRecord itemIsText = reading("c", 1.0, null, List.of(2.0), null);
        itemIsText.put("embedding", java.util.Arrays.<Object>asList(2.0, "x"));
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            var function =
                    GenericRecordActivationFunction.builder(READING)
                            .fields("score", "embedding")
                            .invalidValues(policy)
                            .build();
            try (var op = harness(function)) {
                assertThatThrownBy(() -> op.harness.processElement(scoreIsText, 0L))
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessageContaining(
                                " of com.example.Reading: score holds a java.lang.String, not a"
                                        + " number");
                assertThatThrownBy(() -> op.harness.processElement(embeddingIsText, 0L))
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessageContaining(
                                " of com.example.Reading: embedding holds a java.lang.String, not"
                                        + " an array");
                assertThatThrownBy(() -> op.harness.processElement(itemIsText, 0L))
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessageContaining(
                                " of com.example.Reading: embedding[1] holds a java.lang.String,"
                                        + " not a number");
                assertThat(op.harness.extractOutputValues()).isEmpty();
            }
        }
    }

    private static final Schema TYPED =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Typed\",\"namespace\":\"com.example\","
                                + "\"fields\":[{\"name\":\"f\",\"type\":\"float\"},"
                                + "{\"name\":\"i\",\"type\":\"int\"},"
                                + "{\"name\":\"l\",\"type\":\"long\"},"
                                + "{\"name\":\"fa\",\"type\":{\"type\":\"array\",\"items\":\"float\"}},"
                                + "{\"name\":\"ia\",\"type\":{\"type\":\"array\",\"items\":\"int\"}}"
                                + "]}");

    /**
     * A record built in code may hold a {@code Double} in a {@code float} field, or a {@code Long}
     * in an {@code int} one (Avro's writers take any Number); it holds the value Avro writes, the
     * Number narrowed to the field's type, and that value is activated, so that the output record
     * agrees with itself once written and its policy applies to what it holds.
     */
    @Test
    void aNumberOfAnotherJavaTypeIsActivatedAsTheValueItsFieldHolds() throws Exception {
        GenericData.Record record = new GenericData.Record(TYPED);
        record.put("f", 1.00000001); // the float 1.0f
        record.put("i", (1L << 40) + 5); // the int 5
        record.put("l", 2.7); // the long 2
        record.put("fa", List.of(1.00000001, 2.5)); // 1.0f, 2.5f
        record.put("ia", List.of(3.9, -2.5)); // 3, -2
        var function =
                GenericRecordActivationFunction.builder(TYPED)
                        .fields("f", "i", "l", "fa", "ia")
                        .activation(Activations.thresholdedRelu(1.0))
                        .activationSuffix("_out")
                        .build();
        try (var op = harness(function, TYPED)) {
            op.harness.processElement(record, 0L);

            // thresholded_relu(theta=1) by hand: 1 -> 0 (f' 0, at theta); 5 -> 5; 2 -> 2;
            // [1, 2.5] -> [0, 2.5]; [3, -2] -> [3, 0].
            GenericRecord out = op.harness.extractOutputValues().get(0);
            assertThat(out.get("f_out")).isEqualTo(0.0f);
            assertThat(out.get("f_grad")).isEqualTo(0.0f);
            assertThat(out.get("i_out")).isEqualTo(5.0);
            assertThat(out.get("l_out")).isEqualTo(2.0);
            assertThat(floats(out.get("fa_out"))).containsExactly(0.0f, 2.5f);
            assertThat(floats(out.get("fa_grad"))).containsExactly(0.0f, 1.0f);
            assertThat(doubles(out.get("ia_out"))).containsExactly(3.0, 0.0);
        }
        // 1e39 in a float field is written as +inf: the reject policy sees the infinity.
        GenericData.Record overflows = new GenericData.Record(TYPED);
        overflows.put("f", 1e39);
        overflows.put("i", 0);
        overflows.put("l", 0L);
        overflows.put("fa", List.of());
        overflows.put("ia", List.of());
        var rejecting =
                GenericRecordActivationFunction.builder(TYPED)
                        .fields("f")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(rejecting, TYPED)) {
            op.harness.processElement(overflows, 0L);

            assertThat(op.harness.extractOutputValues()).isEmpty();
            assertThat(firstRejected(op).getReason())
                    .isEqualTo(
                            "f is Infinity and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)");
            assertThat(op.counter("posInfInputs")).isEqualTo(1);
        }
    }

    private static final Schema NULLABLE_TYPED =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"NullableTyped\","
                                    + "\"namespace\":\"com.example\",\"fields\":["
                                    + "{\"name\":\"f\",\"type\":[\"null\",\"float\"]},"
                                    + "{\"name\":\"i\",\"type\":[\"int\",\"null\"]},"
                                    + "{\"name\":\"l\",\"type\":[\"null\",\"long\"]},"
                                    + "{\"name\":\"d\",\"type\":[\"null\",\"double\"]},"
                                    + "{\"name\":\"fa\",\"type\":[\"null\",{\"type\":\"array\","
                                    + "\"items\":\"float\"}]},"
                                    + "{\"name\":\"ia\",\"type\":[\"null\",{\"type\":\"array\","
                                    + "\"items\":\"int\"}]}"
                                    + "]}");

    /**
     * In a union with null as in a plain field: a Double in a {@code ["null","float"]} field, a
     * Long in an {@code ["int","null"]} one, an Integer in a {@code ["null","double"]} one is
     * activated as the branch's value, and the record keeps that value in the branch's Java type,
     * which Avro's unions need (they pick the branch by the Java type: a Double matches no {@code
     * float} branch, and writing or copying the record failed with "Not in union").
     */
    @Test
    void aNumberOfAnotherJavaTypeInANullableFieldIsActivatedAndKeptAsItsBranchsType()
            throws Exception {
        GenericData.Record record = new GenericData.Record(NULLABLE_TYPED);
        record.put("f", 1.00000001); // the float 1.0f
        record.put("i", (1L << 40) + 5); // the int 5
        record.put("l", 2.7); // the long 2
        record.put("d", -3); // the double -3.0
        record.put("fa", List.of(1.00000001, 2.5)); // 1.0f, 2.5f
        record.put("ia", List.of(3.9, -2.5)); // 3, -2
        var function =
                GenericRecordActivationFunction.builder(NULLABLE_TYPED)
                        .fields("f", "i", "l", "d", "fa", "ia")
                        .activation(Activations.thresholdedRelu(1.0))
                        .activationSuffix("_out")
                        .build();
        Schema outSchema = function.outputSchema();
        try (var op = harness(function, NULLABLE_TYPED)) {
            op.harness.processElement(record, 0L);

            // thresholded_relu(theta=1) by hand: 1 -> 0 (f' 0, at theta); 5 -> 5; 2 -> 2;
            // -3 -> 0; [1, 2.5] -> [0, 2.5]; [3, -2] -> [3, 0].
            GenericRecord out = op.harness.extractOutputValues().get(0);
            assertThat(out.get("f")).isEqualTo(1.0f);
            assertThat(out.get("i")).isEqualTo(5);
            assertThat(out.get("l")).isEqualTo(2L);
            assertThat(out.get("d")).isEqualTo(-3.0);
            assertThat(out.get("f_out")).isEqualTo(0.0f);
            assertThat(out.get("f_grad")).isEqualTo(0.0f);
            assertThat(out.get("i_out")).isEqualTo(5.0);
            assertThat(out.get("l_out")).isEqualTo(2.0);
            assertThat(out.get("d_out")).isEqualTo(0.0);
            assertThat(floats(out.get("fa_out"))).containsExactly(0.0f, 2.5f);
            assertThat(floats(out.get("fa_grad"))).containsExactly(0.0f, 1.0f);
            assertThat(doubles(out.get("ia_out"))).containsExactly(3.0, 0.0);

            // As a Kafka sink writes it: plain Avro reads back the values activated.
            GenericRecord written = roundTrip(outSchema, out);
            assertThat(written.get("f")).isEqualTo(1.0f);
            assertThat(written.get("i")).isEqualTo(5);
            assertThat(written.get("l")).isEqualTo(2L);
            assertThat(written.get("d")).isEqualTo(-3.0);
            assertThat(floats(written.get("fa"))).containsExactly(1.0f, 2.5f);
            assertThat(written.get("ia")).isEqualTo(List.of(3, -2));
            assertThat(written.get("f_out")).isEqualTo(0.0f);
            assertThat(doubles(written.get("ia_out"))).containsExactly(3.0, 0.0);
        }
        // In place the field holds its activation, of the branch's type too.
        GenericData.Record numbers = new GenericData.Record(NULLABLE_TYPED);
        numbers.put("f", 1.00000001); // the float 1.0f
        numbers.put("d", -3); // the double -3.0
        var inPlace =
                GenericRecordActivationFunction.builder(NULLABLE_TYPED)
                        .fields("f", "d")
                        .inPlace()
                        .build();
        try (var op = harness(inPlace, NULLABLE_TYPED)) {
            op.harness.processElement(numbers, 0L);

            GenericRecord out =
                    roundTrip(inPlace.outputSchema(), op.harness.extractOutputValues().get(0));
            assertThat(out.get("f")).isEqualTo(1.0f);
            assertThat(out.get("f_grad")).isEqualTo(1.0f);
            assertThat(out.get("d")).isEqualTo(0.0);
            assertThat(out.get("i")).isNull();
        }
        // 1e39 in a nullable float field is +inf: rejected, and dead-lettered as it is written.
        GenericData.Record overflows = new GenericData.Record(NULLABLE_TYPED);
        overflows.put("f", 1e39);
        overflows.put("i", 7);
        var rejecting =
                GenericRecordActivationFunction.builder(NULLABLE_TYPED)
                        .fields("f")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(rejecting, NULLABLE_TYPED)) {
            op.harness.processElement(overflows, 0L);

            assertThat(op.harness.extractOutputValues()).isEmpty();
            DeadLetter letter = firstRejected(op);
            assertThat(letter.getReason())
                    .isEqualTo(
                            "f is Infinity and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)");
            GenericRecord payload =
                    new BinaryMessageDecoder<GenericRecord>(GenericData.get(), NULLABLE_TYPED)
                            .decode(letter.getPayload());
            assertThat(payload.get("f")).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(payload.get("i")).isEqualTo(7);
            assertThat(payload.get("l")).isNull();
        }
    }

    @Test
    void failPolicyNamesTheSchemaAndTheField() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("temp")
                        .invalidValues(InvalidValuePolicy.FAIL)
                        .build();
        try (var op = harness(function)) {
            assertThatThrownBy(
                            () ->
                                    op.harness.processElement(
                                            reading("a", 0, Float.NaN, List.of(), null), 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessage(
                            "Cannot activate record {\"id\": \"a\", \"score\": 0.0, \"temp\":"
                                    + " \"NaN\", \"embedding\": [], \"weights\": null, \"label\":"
                                    + " \"L-a\", \"mixed\": null, \"tags\": [\"a\"]} of"
                                    + " com.example.Reading: temp is NaN and the invalid-value"
                                    + " policy is fail (NaN and infinities are not accepted)");
        }
    }

    @Test
    void zeroPolicyZeroesNaNFields() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(READING)
                        .fields("temp")
                        .invalidValues(InvalidValuePolicy.ZERO)
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(reading("a", 0, Float.NaN, List.of(), null), 0L);
            GenericRecord a = op.harness.extractOutputValues().get(0);
            assertThat(a.get("temp_relu")).isEqualTo(0.0f);
            assertThat(a.get("temp_grad")).isEqualTo(0.0f);
            // The NaN became a 0: a value, and a zero.
            assertThat(op.counter("outputValues")).isEqualTo(1);
            assertThat(op.counter("zeroOutputs")).isEqualTo(1);
        }
    }

    @Test
    void failsAtBuildTimeForFieldsItCannotActivate() {
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("label")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Field 'label' has type string; supported: double, float, int or long"
                                + " (without a logical type), a union of null with one of them, or"
                                + " an array of them (the array may be a union with null, its items"
                                + " may not)");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("mixed")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Field 'mixed' has type union [null, string, double];");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("tags")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Field 'tags' has type array<string>;");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("nope")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Field 'nope' is not in com.example.Reading; its fields: id, score, temp,"
                                + " embedding, weights, label, mixed, tags");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .activation(Activations.maxout(2))
                                        .fields("score")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxout(k=2) needs array fields; field 'score' is double");
        assertThatThrownBy(() -> GenericRecordActivationFunction.builder(READING).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Choose at least one field to activate");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score", "score"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Field 'score' is chosen twice");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields((String[]) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fields");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score")
                                        .activationSuffix("-x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid activation field suffix '-x': must be letters, digits or _");
    }

    @Test
    void refusesARecursiveSchemaAtBuildTime() {
        // The output would be a Node with more fields, and its "next" would name that Node:
        // the nested input record does not match it, and Flink's serializer failed on it.
        Schema node =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Node\",\"namespace\":\"t\","
                                        + "\"fields\":[{\"name\":\"v\",\"type\":\"double\"},"
                                        + "{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}");
        assertThatThrownBy(() -> GenericRecordActivationFunction.builder(node).fields("v").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Field 'next' refers to t.Node itself; the output record keeps that name"
                                + " with more fields, so a recursive schema cannot be activated");
        // Also through another record and an array.
        Schema tree =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Tree\",\"fields\":["
                                        + "{\"name\":\"v\",\"type\":\"double\"},"
                                        + "{\"name\":\"kids\",\"type\":{\"type\":\"record\","
                                        + "\"name\":\"Kids\",\"fields\":[{\"name\":\"all\","
                                        + "\"type\":{\"type\":\"array\",\"items\":\"Tree\"}}]}}]}");
        assertThatThrownBy(() -> GenericRecordActivationFunction.builder(tree).fields("v").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Field 'kids' refers to Tree itself;");
    }

    @Test
    void failsAtBuildTimeForSuffixesOfFieldsThatAreNotAdded() {
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score")
                                        .activationSuffix("_act")
                                        .inPlace()
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "inPlace() and activationSuffix('_act') conflict: in place, the"
                                + " activations overwrite the chosen fields and no activation"
                                + " field is added; drop one of them");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score")
                                        .derivatives(false)
                                        .derivativeSuffix("_grad")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "derivatives(false) and derivativeSuffix('_grad') conflict: without"
                                + " derivatives no derivative field is added; drop one of them");
        // Each on its own, and the suffix of the fields that are added, are fine.
        assertThat(
                        fieldNames(
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score")
                                        .inPlace()
                                        .derivativeSuffix("_d")
                                        .build()
                                        .outputSchema()))
                .endsWith("tags", "score_d");
        assertThat(
                        fieldNames(
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score")
                                        .derivatives(false)
                                        .activationSuffix("_act")
                                        .build()
                                        .outputSchema()))
                .endsWith("tags", "score_act");
    }

    @Test
    void failsAtBuildTimeWhenAnOutputFieldNameIsTaken() {
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score")
                                        .activationSuffix("_grad")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Output field 'score_grad' for field 'score' is already the activation"
                                + " field of 'score'; choose another suffix");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score")
                                        .activationSuffix("_x")
                                        .derivativeSuffix("_x")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Output field 'score_x' for field 'score' is already the activation"
                                + " field of 'score'; choose another suffix");
        // A field of the input of that name.
        Schema withLabelGrad =
                new Schema.Parser()
                        .parse(
                                READING.toString()
                                        .replace("\"name\":\"label\"", "\"name\":\"score_grad\""));
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(withLabelGrad)
                                        .fields("score")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Output field 'score_grad' for field 'score' is already a field of"
                                + " com.example.Reading; choose another suffix");
        // An alias of an input field: a reader resolving by name would take that field.
        Schema withAliases =
                new Schema.Parser()
                        .parse(
                                READING.toString()
                                        .replace(
                                                "\"name\":\"label\"",
                                                "\"name\":\"label\",\"aliases\":[\"score_relu\"]"));
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(withAliases)
                                        .fields("score")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Output field 'score_relu' for field 'score' is already an alias of field"
                                + " 'label' of com.example.Reading; choose another suffix");
        // Also an alias of the chosen field itself, and of a derivative field's name.
        Schema selfAlias =
                new Schema.Parser()
                        .parse(
                                READING.toString()
                                        .replace(
                                                "\"name\":\"score\"",
                                                "\"name\":\"score\",\"aliases\":[\"score_grad\"]"));
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(selfAlias)
                                        .fields("score")
                                        .inPlace()
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Output field 'score_grad' for field 'score' is already an alias of field"
                                + " 'score' of com.example.Reading; choose another suffix");
        // Missing fields are listed against the input's own fields, not the ones added.
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(READING)
                                        .fields("score", "nope")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Field 'nope' is not in com.example.Reading; its fields: id, score, temp,"
                                + " embedding, weights, label, mixed, tags");
    }

    private static final Schema COUNTS =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Counts\",\"namespace\":\"com.example\","
                                + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
                                + "{\"name\":\"clicks\",\"type\":\"int\"},"
                                + "{\"name\":\"user\",\"type\":\"long\"},"
                                + "{\"name\":\"visits\",\"type\":[\"null\",\"int\"],\"default\":null},"
                                + "{\"name\":\"bucket\",\"type\":[\"long\",\"null\"],\"default\":7},"
                                + "{\"name\":\"hist\",\"type\":{\"type\":\"array\",\"items\":\"int\"}},"
                                + "{\"name\":\"ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\"}],\"default\":null}"
                                + "]}");

    private static GenericRecord counts(
            int clicks, long user, Integer visits, Long bucket, List<Integer> hist, List<Long> ids)
            throws Exception {
        GenericData.Record record = new GenericData.Record(COUNTS);
        record.put("id", "c");
        record.put("clicks", clicks);
        record.put("user", user);
        record.put("visits", visits);
        record.put("bucket", bucket);
        record.put("hist", hist);
        record.put("ids", ids);
        // Through Avro's bytes, as a Kafka source gives it: arrays become Avro's int and long
        // arrays.
        return roundTrip(COUNTS, record);
    }

    /** {@code record} written and read back by plain Avro, checking it fits {@code schema}. */
    private static GenericRecord roundTrip(Schema schema, GenericRecord record) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder =
                org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(schema)
                .write(record, encoder);
        encoder.flush();
        return new org.apache.avro.generic.GenericDatumReader<GenericRecord>(schema)
                .read(
                        null,
                        org.apache.avro.io.DecoderFactory.get()
                                .binaryDecoder(bytes.toByteArray(), null));
    }

    private static OperatorHarness<GenericRecord, GenericRecord> countsHarness(
            GenericRecordActivationFunction function) throws Exception {
        return new OperatorHarness<>(
                function,
                new GenericRecordAvroTypeInfo(COUNTS).createSerializer(new SerializerConfigImpl()));
    }

    @Test
    void intAndLongFieldsGetActivationsAndDerivativesAsDoubles() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(COUNTS)
                        .activation(Activations.leakyRelu(0.5))
                        .fields("clicks", "user", "visits", "bucket", "hist", "ids")
                        .build();
        Schema out = function.outputSchema();
        // Leaky, clipped and thresholded outputs are not integers: the new fields are doubles,
        // nullable where the source is, the null branch where it was.
        Schema expectedFields =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"F\",\"fields\":["
                                        + "{\"name\":\"s\",\"type\":\"double\"},"
                                        + "{\"name\":\"n\",\"type\":[\"null\",\"double\"]},"
                                        + "{\"name\":\"f\",\"type\":[\"double\",\"null\"]},"
                                        + "{\"name\":\"a\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"double\"}},"
                                        + "{\"name\":\"na\",\"type\":[\"null\",{\"type\":\"array\","
                                        + "\"items\":\"double\"}]}]}");
        Schema plain = expectedFields.getField("s").schema();
        for (String name : List.of("clicks", "user")) {
            assertThat(out.getField(name + "_leaky_relu").schema()).isEqualTo(plain);
            assertThat(out.getField(name + "_grad").schema()).isEqualTo(plain);
        }
        assertThat(out.getField("visits_leaky_relu").schema())
                .isEqualTo(expectedFields.getField("n").schema());
        assertThat(out.getField("bucket_grad").schema())
                .isEqualTo(expectedFields.getField("f").schema());
        assertThat(out.getField("hist_leaky_relu").schema())
                .isEqualTo(expectedFields.getField("a").schema());
        assertThat(out.getField("ids_grad").schema())
                .isEqualTo(expectedFields.getField("na").schema());
        // The input's own fields keep their types.
        assertThat(out.getField("clicks").schema()).isEqualTo(COUNTS.getField("clicks").schema());
        assertThat(function.getProducedType()).isEqualTo(new GenericRecordAvroTypeInfo(out));

        try (var op = countsHarness(function)) {
            op.harness.processElement(
                    counts(-3, 4L, null, -2L, List.of(-1, 0, 5), List.of(-4L, 6L)), 0L);
            op.harness.processElement(counts(0, -1L, 2, null, List.of(), null), 0L);

            List<GenericRecord> records = op.harness.extractOutputValues();
            GenericRecord a = records.get(0);
            // leaky_relu(alpha=0.5) by hand: -3 -> -1.5 (slope 0.5); 4 -> 4 (slope 1);
            // -2 -> -1; [-1, 0, 5] -> [-0.5, 0, 5], slopes [0.5, 0.5 (at 0, the threshold), 1];
            // [-4, 6] -> [-2, 6].
            assertThat(a.get("clicks")).isEqualTo(-3);
            assertThat(a.get("clicks_leaky_relu")).isEqualTo(-1.5);
            assertThat(a.get("clicks_grad")).isEqualTo(0.5);
            assertThat(a.get("user")).isEqualTo(4L);
            assertThat(a.get("user_leaky_relu")).isEqualTo(4.0);
            assertThat(a.get("user_grad")).isEqualTo(1.0);
            assertThat(a.get("visits_leaky_relu")).isNull();
            assertThat(a.get("visits_grad")).isNull();
            assertThat(a.get("bucket_leaky_relu")).isEqualTo(-1.0);
            assertThat(a.get("bucket_grad")).isEqualTo(0.5);
            assertThat(doubles(a.get("hist_leaky_relu"))).containsExactly(-0.5, 0.0, 5.0);
            assertThat(Double.doubleToRawLongBits(doubles(a.get("hist_leaky_relu")).get(1)))
                    .isZero();
            assertThat(doubles(a.get("hist_grad"))).containsExactly(0.5, 0.5, 1.0);
            assertThat(doubles(a.get("ids_leaky_relu"))).containsExactly(-2.0, 6.0);
            assertThat(doubles(a.get("ids_grad"))).containsExactly(0.5, 1.0);

            GenericRecord b = records.get(1);
            // 0 -> 0, slope 0.5; -1 -> -0.5; 2 -> 2, slope 1.
            assertThat(b.get("clicks_leaky_relu")).isEqualTo(0.0);
            assertThat(b.get("clicks_grad")).isEqualTo(0.5);
            assertThat(b.get("user_leaky_relu")).isEqualTo(-0.5);
            assertThat(b.get("visits_leaky_relu")).isEqualTo(2.0);
            assertThat(b.get("visits_grad")).isEqualTo(1.0);
            assertThat(b.get("bucket_leaky_relu")).isNull();
            assertThat((List<?>) b.get("hist_leaky_relu")).isEmpty();
            assertThat((List<?>) b.get("hist_grad")).isEmpty();
            assertThat(b.get("ids_leaky_relu")).isNull();

            for (GenericRecord record : records) {
                assertThat(GenericData.get().validate(out, record)).isTrue();
                assertThat(roundTrip(out, record)).isEqualTo(record);
            }
            // a: 1 + 1 + 1 + 3 + 2 values, b: 1 + 1 + 1; zeros: hist's 0 and b's clicks.
            assertThat(op.counter("activationRecords")).isEqualTo(2);
            assertThat(op.counter("activationValues")).isEqualTo(11);
            assertThat(op.counter("outputValues")).isEqualTo(11);
            assertThat(op.counter("zeroOutputs")).isEqualTo(2);
        }
    }

    @Test
    void longsBeyondTwoToThe53AreActivatedAsTheNearestDouble() throws Exception {
        var function =
                GenericRecordActivationFunction.builder(COUNTS)
                        .fields("user", "bucket", "ids")
                        .derivatives(false)
                        .build();
        try (var op = countsHarness(function)) {
            op.harness.processElement(
                    counts(
                            0,
                            9_007_199_254_740_993L,
                            null,
                            Long.MAX_VALUE,
                            List.of(),
                            List.of(9_007_199_254_740_995L, Long.MIN_VALUE)),
                    0L);

            GenericRecord a = op.harness.extractOutputValues().get(0);
            // Doubles above 2^53 are 2 apart: 2^53 + 1 lies halfway between 2^53 and 2^53 + 2
            // and goes to the even significand, 2^53 = 9007199254740992; 2^53 + 3 lies halfway
            // between 2^53 + 2 and 2^53 + 4 and goes to 2^53 + 4 = 9007199254740996 (not cut
            // down). 2^63 - 1 is nearest to 2^63 = 9223372036854775808. relu(-2^63) = 0.
            assertThat(a.get("user_relu")).isEqualTo(9007199254740992.0);
            assertThat(a.get("bucket_relu")).isEqualTo(9223372036854775808.0);
            assertThat(doubles(a.get("ids_relu"))).containsExactly(9007199254740996.0, 0.0);
            // The input fields keep their exact values.
            assertThat(a.get("user")).isEqualTo(9_007_199_254_740_993L);
        }
    }

    @Test
    void newFieldsOfIntAndLongFieldsDefaultToTheActivationOfTheDefaultAsDoubles() {
        Schema input =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"D\",\"fields\":["
                                        + "{\"name\":\"n\",\"type\":\"int\",\"default\":-5},"
                                        + "{\"name\":\"big\",\"type\":\"long\","
                                        + "\"default\":9007199254740993},"
                                        + "{\"name\":\"first\",\"type\":[\"long\",\"null\"],"
                                        + "\"default\":7},"
                                        + "{\"name\":\"maybe\",\"type\":[\"null\",\"int\"],"
                                        + "\"default\":null},"
                                        + "{\"name\":\"hist\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"int\"},\"default\":[-1,0,2]},"
                                        + "{\"name\":\"plain\",\"type\":\"int\"}]}");

        Schema output =
                GenericRecordActivationFunction.builder(input)
                        .activation(Activations.leakyRelu(0.25))
                        .fields("n", "big", "first", "maybe", "hist", "plain")
                        .build()
                        .outputSchema();

        // leaky_relu(alpha=0.25) by hand: -5 -> -1.25, slope 0.25; 2^53 + 1 -> its nearest
        // double 2^53, slope 1; 7 -> 7, slope 1; [-1, 0, 2] -> [-0.25, 0, 2], [0.25, 0.25, 1].
        assertThat(output.getField("n_leaky_relu").defaultVal()).isEqualTo(-1.25);
        assertThat(output.getField("n_grad").defaultVal()).isEqualTo(0.25);
        assertThat(output.getField("big_leaky_relu").defaultVal()).isEqualTo(9007199254740992.0);
        assertThat(output.getField("big_grad").defaultVal()).isEqualTo(1.0);
        assertThat(output.getField("first_leaky_relu").defaultVal()).isEqualTo(7.0);
        assertThat(output.getField("first_grad").defaultVal()).isEqualTo(1.0);
        assertThat(output.getField("maybe_leaky_relu").defaultVal())
                .isSameAs(JsonProperties.NULL_VALUE);
        assertThat(output.getField("hist_leaky_relu").defaultVal())
                .isEqualTo(List.of(-0.25, 0.0, 2.0));
        assertThat(output.getField("hist_grad").defaultVal()).isEqualTo(List.of(0.25, 0.25, 1.0));
        assertThat(output.getField("plain_leaky_relu").hasDefaultValue()).isFalse();
        // The input's own fields keep theirs, and the schema reads back as itself, as Flink
        // ships it.
        assertThat(output.getField("n").defaultVal()).isEqualTo(-5);
        assertThat(new Schema.Parser().parse(output.toString())).isEqualTo(output);
    }

    @Test
    void maxoutGroupsIntAndLongArraysTiesToTheLowestIndex() throws Exception {
        Schema input =
                new Schema.Parser()
                        .parse(
                                COUNTS.toString()
                                        .replace(
                                                "\"items\":\"int\"}",
                                                "\"items\":\"int\"},\"default\":[2,7]"));
        var function =
                GenericRecordActivationFunction.builder(input)
                        .activation(Activations.maxout(2))
                        .fields("hist", "ids")
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        Schema out = function.outputSchema();
        // (2, 7): max 7 at index 1.
        assertThat(out.getField("hist_maxout").defaultVal()).isEqualTo(List.of(7.0));
        assertThat(out.getField("hist_grad").defaultVal()).isEqualTo(List.of(0.0, 1.0));
        try (var op = countsHarness(function)) {
            op.harness.processElement(
                    counts(
                            0,
                            0L,
                            null,
                            null,
                            List.of(1, 3, -2, -5, 4, 4),
                            List.of(9_007_199_254_740_992L, 9_007_199_254_740_993L)),
                    0L);
            op.harness.processElement(counts(0, 0L, null, null, List.of(1, 2, 3), null), 0L);

            GenericRecord a = op.harness.extractOutputValues().get(0);
            // (1, 3) -> 3 at 1; (-2, -5) -> -2 at 0; (4, 4) -> 4, a tie, at 0.
            assertThat(doubles(a.get("hist_maxout"))).containsExactly(3.0, -2.0, 4.0);
            assertThat(doubles(a.get("hist_grad"))).containsExactly(0.0, 1.0, 1.0, 0.0, 1.0, 0.0);
            // Compared as their doubles: 2^53 and 2^53 + 1 are both 2^53, a tie, at 0.
            assertThat(doubles(a.get("ids_maxout"))).containsExactly(9007199254740992.0);
            assertThat(doubles(a.get("ids_grad"))).containsExactly(1.0, 0.0);

            assertThat(firstRejected(op).getReason())
                    .isEqualTo("hist has 3 values, not a multiple of 2 as maxout(k=2) needs");
            assertThat(op.counter("rejectedRecords")).isEqualTo(1);
        }
    }

    @Test
    void integerFieldsAreNeverInvalidValuesUnderAnyPolicy() throws Exception {
        // Ints and longs have no NaN or infinity: even their extremes pass reject and fail.
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            var function =
                    GenericRecordActivationFunction.builder(COUNTS)
                            .activation(Activations.leakyRelu(0.5))
                            .fields("clicks", "user", "hist")
                            .invalidValues(policy)
                            .build();
            try (var op = countsHarness(function)) {
                op.harness.processElement(
                        counts(
                                Integer.MIN_VALUE,
                                Long.MAX_VALUE,
                                null,
                                null,
                                List.of(Integer.MAX_VALUE),
                                null),
                        0L);

                GenericRecord a = op.harness.extractOutputValues().get(0);
                // -2^31 * 0.5 = -2^30; 2^63 - 1 -> 2^63; 2^31 - 1 exactly.
                assertThat(a.get("clicks_leaky_relu")).isEqualTo(-1073741824.0);
                assertThat(a.get("user_leaky_relu")).isEqualTo(9223372036854775808.0);
                assertThat(doubles(a.get("hist_leaky_relu"))).containsExactly(2147483647.0);
                assertThat(op.counter("rejectedRecords")).isZero();
                assertThat(op.counter("nanInputs")).isZero();
                assertThat(op.counter("posInfInputs")).isZero();
                assertThat(op.counter("negInfInputs")).isZero();
                assertThat(op.counter("outputValues")).isEqualTo(3);
            }
        }
    }

    @Test
    void refusesToActivateIntAndLongFieldsInPlace() {
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(COUNTS)
                                        .fields("clicks")
                                        .inPlace()
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "inPlace() cannot overwrite field 'clicks' of type int: its activations"
                                + " are doubles, which it cannot hold (a negative slope or a"
                                + " fractional max value gives fractions); drop inPlace() to add"
                                + " them as new double fields");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(COUNTS)
                                        .activation(Activations.relu())
                                        .fields("ids")
                                        .inPlace()
                                        .derivatives(false)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "inPlace() cannot overwrite field 'ids' of type union [null,"
                                + " array<long>]: its activations are doubles, which it cannot"
                                + " hold (a negative slope or a fractional max value gives"
                                + " fractions, and a long beyond 2^53 is rounded to a double);"
                                + " drop inPlace() to add them as new double fields");
    }

    @Test
    void refusesIntAndLongFieldsThatHoldDatesOrTimes() {
        Schema input =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"T\",\"fields\":["
                                    + "{\"name\":\"day\",\"type\":{\"type\":\"int\","
                                    + "\"logicalType\":\"date\"}},"
                                    + "{\"name\":\"at\",\"type\":[\"null\",{\"type\":\"long\","
                                    + "\"logicalType\":\"timestamp-millis\"}]},"
                                    + "{\"name\":\"ticks\",\"type\":{\"type\":\"array\",\"items\":"
                                    + "{\"type\":\"long\",\"logicalType\":\"time-micros\"}}}]}");
        assertThatThrownBy(
                        () -> GenericRecordActivationFunction.builder(input).fields("day").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Field 'day' has type int (logical type date); supported: double, float,"
                                + " int or long (without a logical type), a union of null with one"
                                + " of them, or an array of them (the array may be a union with"
                                + " null, its items may not)");
        assertThatThrownBy(
                        () -> GenericRecordActivationFunction.builder(input).fields("at").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "Field 'at' has type union [null, long (logical type timestamp-millis)];");
        assertThatThrownBy(
                        () ->
                                GenericRecordActivationFunction.builder(input)
                                        .fields("ticks")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "Field 'ticks' has type array<long (logical type time-micros)>;");
    }

    private static final Schema EVERY_SHAPE =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"Shapes\",\"fields\":["
                                + "{\"name\":\"d\",\"type\":[\"null\",\"double\"]},"
                                + "{\"name\":\"f\",\"type\":[\"float\",\"null\"]},"
                                + "{\"name\":\"ds\",\"type\":{\"type\":\"array\",\"items\":\"double\"}},"
                                + "{\"name\":\"fs\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"float\"}]}"
                                + "]}");

    /**
     * The contract's rectifier, written out: {@code a*(z - t)} up to {@code t}, {@code z} below
     * {@code m}, {@code m} from it on (no cap when {@code m} is infinite); zeros are {@code +0.0}.
     */
    private static double rectified(double a, double m, double t, double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        double value = z <= t ? (a == 0.0 ? 0.0 : a * (z - t)) : (z < m ? z : m);
        return value == 0.0 ? 0.0 : value;
    }

    /** Its derivative: {@code g} at exactly {@code t}, {@code a} below, 1 between, 0 from m. */
    private static double rectifiedGradient(double a, double g, double m, double t, double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        if (z == t) {
            return g;
        }
        if (z < t) {
            return a;
        }
        return z < m || m == Double.POSITIVE_INFINITY ? 1.0 : 0.0;
    }

    /** A double as a float field holds it: rounded once, a zero as +0.0f. */
    private static float asFloat(double value) {
        float f = (float) value;
        return f == 0.0f ? 0.0f : f;
    }

    @Test
    void everyRectifierMatchesItsDefinitionBitForBitInEveryFieldShape() throws Exception {
        double inf = Double.POSITIVE_INFINITY;
        // activation, negative slope, gradient at the threshold, max value, threshold
        Object[][] rectifiers = {
            {Activations.relu(), 0.0, 0.0, inf, 0.0},
            {Activations.leakyRelu(0.01), 0.01, 0.01, inf, 0.0},
            {Activations.relu6(), 0.0, 0.0, 6.0, 0.0},
            {Activations.clippedRelu(4), 0.0, 0.0, 4.0, 0.0},
            {Activations.thresholdedRelu(1.0), 0.0, 0.0, inf, 1.0},
            {
                Activations.rectifier().negativeSlope(0.1).maxValue(6).threshold(0.5).build(),
                0.1,
                0.1,
                6.0,
                0.5
            },
        };
        double[] inputs = {
            Double.NEGATIVE_INFINITY,
            -Double.MAX_VALUE,
            -3.5e38,
            -1.0,
            -0.5,
            -1e-45,
            -Double.MIN_VALUE,
            -0.0,
            0.0,
            Double.MIN_VALUE,
            1e-45,
            Math.nextDown(0.5),
            0.5,
            Math.nextUp(0.5),
            Math.nextDown(1.0),
            1.0,
            Math.nextUp(1.0),
            3.3,
            Math.nextDown(4.0),
            4.0,
            Math.nextUp(4.0),
            Math.nextDown(6.0),
            6.0,
            Math.nextUp(6.0),
            3.5e38,
            Double.MAX_VALUE,
            inf,
            NaN
        };
        List<Double> doubleArray = new ArrayList<>();
        List<Float> floatArray = new ArrayList<>();
        for (double z : inputs) {
            doubleArray.add(z);
            floatArray.add((float) z);
        }
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (Object[] rectifier : rectifiers) {
            VectorActivation activation = (VectorActivation) rectifier[0];
            double a = (double) rectifier[1];
            double g = (double) rectifier[2];
            double m = (double) rectifier[3];
            double t = (double) rectifier[4];
            var function =
                    GenericRecordActivationFunction.builder(EVERY_SHAPE)
                            .fields("d", "f", "ds", "fs")
                            .activation(activation)
                            .activationSuffix("_out")
                            .build();
            try (var op = harness(function, EVERY_SHAPE)) {
                for (double z : inputs) {
                    GenericData.Record record = new GenericData.Record(EVERY_SHAPE);
                    record.put("d", z);
                    record.put("f", (float) z);
                    record.put("ds", doubleArray);
                    record.put("fs", floatArray);
                    op.harness.processElement(record, 0L);
                }
                List<GenericRecord> outputs = op.harness.extractOutputValues();
                assertThat(outputs).hasSize(inputs.length);
                for (int i = 0; i < inputs.length; i++) {
                    GenericRecord out = outputs.get(i);
                    double z = inputs[i];
                    // A float field's value is the float; it is activated as that value. The
                    // scalar fields and the arrays' i-th items, in that order, expect these.
                    double zf = (float) z;
                    double[] expected = {
                        rectified(a, m, t, z), rectifiedGradient(a, g, m, t, z),
                        asFloat(rectified(a, m, t, zf)), asFloat(rectifiedGradient(a, g, m, t, zf))
                    };
                    Object[] actual = {
                        out.get("d_out"),
                        out.get("d_grad"),
                        out.get("f_out"),
                        out.get("f_grad"),
                        ((List<?>) out.get("ds_out")).get(i),
                        ((List<?>) out.get("ds_grad")).get(i),
                        ((List<?>) out.get("fs_out")).get(i),
                        ((List<?>) out.get("fs_grad")).get(i)
                    };
                    for (int k = 0; k < actual.length; k++) {
                        double want = expected[k % 4];
                        long wantBits =
                                actual[k] instanceof Float
                                        ? Float.floatToRawIntBits((float) want)
                                        : Double.doubleToRawLongBits(want);
                        long gotBits =
                                actual[k] instanceof Float
                                        ? Float.floatToRawIntBits((Float) actual[k])
                                        : Double.doubleToRawLongBits((Double) actual[k]);
                        compared++;
                        if (wantBits != gotBits) {
                            mismatches.add(
                                    activation.spec()
                                            + " output "
                                            + k
                                            + " of "
                                            + z
                                            + ": "
                                            + actual[k]
                                            + ", not "
                                            + want);
                        }
                    }
                }
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(compared).isEqualTo(6 * 28 * 8);
    }
}
