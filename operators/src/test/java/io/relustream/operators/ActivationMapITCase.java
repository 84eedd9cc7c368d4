package io.relustream.operators;

import io.relustream.activation.Activations;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The activation operators on a real Flink MiniCluster, over a bounded in-memory source. */
class ActivationMapITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static StreamExecutionEnvironment environment() {
        Configuration configuration = new Configuration();
        // A Kryo fallback would be a bug: every record type here has an Avro serializer.
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(2);
        return env;
    }

    private static FeatureVector feature(String id, double... values) {
        return FeatureVector.newBuilder()
                .setId(id)
                .setEventTime(Instant.ofEpochMilli(1_000L))
                .setGroup("layer")
                .setValues(Arrays.stream(values).boxed().collect(Collectors.toList()))
                .build();
    }

    private static <T> List<T> drain(CloseableIterator<T> iterator) throws Exception {
        List<T> items = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(items::add);
        }
        return items;
    }

    /**
     * One subtask, no Kryo fallback, and three immediate restarts: a failure that comes back on
     * every attempt shows as more than one start.
     */
    private static StreamExecutionEnvironment restartingEnvironment() {
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);
        return env;
    }

    @Test
    void activatesEveryRecordAndRejectsTheInvalidOnes() throws Exception {
        StreamExecutionEnvironment env = environment();
        List<FeatureVector> input = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            input.add(feature("r" + i, i - 50.0, 50.0 - i, i % 7 == 0 ? Double.NaN : 0.5));
        }
        SingleOutputStreamOperator<ActivationVector> activations =
                env.fromData(input, new AvroTypeInfo<>(FeatureVector.class))
                        .process(
                                FeatureActivationFunction.builder()
                                        .activation(Activations.leakyRelu(0.5))
                                        .invalidValues(InvalidValuePolicy.REJECT)
                                        .build());
        CloseableIterator<ActivationVector> activated = activations.collectAsync();
        CloseableIterator<DeadLetter> rejected =
                activations.getSideOutput(FeatureActivationFunction.REJECTED).collectAsync();
        env.execute("activation map");

        Map<String, ActivationVector> byId = new HashMap<>();
        drain(activated).forEach(vector -> byId.put(vector.getId(), vector));
        List<DeadLetter> letters = drain(rejected);

        // i % 7 == 0 holds NaN: i = 0, 7, ..., 98 is 15 records.
        assertThat(letters).hasSize(15);
        assertThat(byId).hasSize(85);
        for (int i = 0; i < 100; i++) {
            if (i % 7 == 0) {
                assertThat(byId).doesNotContainKey("r" + i);
                continue;
            }
            double a = i - 50.0;
            double b = 50.0 - i;
            List<Double> expected = List.of(a > 0 ? a : 0.5 * a, b > 0 ? b : 0.5 * b, 0.5);
            assertThat(byId.get("r" + i).getActivations()).as("r%d", i).isEqualTo(expected);
        }
        assertThat(letters)
                .extracting(letter -> FeatureVector.fromByteBuffer(letter.getPayload()).getId())
                .containsExactlyInAnyOrder(
                        "r0", "r7", "r14", "r21", "r28", "r35", "r42", "r49", "r56", "r63", "r70",
                        "r77", "r84", "r91", "r98");
    }

    /** Counts how often the task before the operator is started: once, plus once per restart. */
    private static final class CountingStarts
            extends RichMapFunction<FeatureVector, FeatureVector> {
        static final AtomicInteger STARTS = new AtomicInteger();

        @Override
        public void open(OpenContext openContext) {
            STARTS.incrementAndGet();
        }

        @Override
        public FeatureVector map(FeatureVector record) {
            return record;
        }
    }

    @Test
    void failPolicyFailsTheJobForGoodInsteadOfRestartingIntoTheRecord() throws Exception {
        // Restarts allowed: each one would read the same record and fail on it again.
        StreamExecutionEnvironment env = restartingEnvironment();
        CountingStarts.STARTS.set(0);
        env.fromData(List.of(feature("bad", Double.NaN)), new AvroTypeInfo<>(FeatureVector.class))
                .map(new CountingStarts(), new AvroTypeInfo<>(FeatureVector.class))
                .process(
                        FeatureActivationFunction.builder()
                                .invalidValues(InvalidValuePolicy.FAIL)
                                .build())
                .sinkTo(new DiscardingSink<>());

        assertThatThrownBy(() -> env.execute("fail policy"))
                .hasRootCauseInstanceOf(InvalidRecordException.class)
                .hasRootCauseMessage(
                        "Cannot activate record id=bad group=layer: values[0] is NaN and the"
                                + " invalid-value policy is fail (NaN and infinities are not"
                                + " accepted)");
        assertThat(CountingStarts.STARTS).hasValue(1);
    }

    @Test
    void aNullFromAChainedMapFailsTheJobForGoodUnderEveryPolicy() throws Exception {
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            // Restarts allowed: each one would hand the operator the same null again.
            StreamExecutionEnvironment env = restartingEnvironment();
            CountingStarts.STARTS.set(0);
            env.fromData(List.of(feature("r1", 1.0)), new AvroTypeInfo<>(FeatureVector.class))
                    .map(new CountingStarts(), new AvroTypeInfo<>(FeatureVector.class))
                    .map(
                            (MapFunction<FeatureVector, FeatureVector>) record -> null,
                            new AvroTypeInfo<>(FeatureVector.class))
                    .process(FeatureActivationFunction.builder().invalidValues(policy).build())
                    .sinkTo(new DiscardingSink<>());

            assertThatThrownBy(() -> env.execute("null record"))
                    .as(policy.name())
                    .hasRootCauseInstanceOf(InvalidRecordException.class)
                    .hasRootCauseMessage(
                            "Cannot activate a record: the record is null (an operator before this"
                                    + " one emitted null): it has no values to activate and no"
                                    + " bytes to dead-letter; filter nulls out before this"
                                    + " operator");
            assertThat(CountingStarts.STARTS).as(policy.name()).hasValue(1);
        }
    }

    @Test
    void activatesFieldsOfGenericRecords() throws Exception {
        Schema schema =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Point\",\"fields\":["
                                    + "{\"name\":\"x\",\"type\":\"double\"},"
                                    + "{\"name\":\"v\",\"type\":{\"type\":\"array\",\"items\":\"float\"}}]}");
        List<GenericRecord> input = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            GenericData.Record record = new GenericData.Record(schema);
            record.put("x", i - 5.0);
            record.put("v", List.of((float) i, (float) -i));
            input.add(record);
        }
        StreamExecutionEnvironment env = environment();
        GenericRecordActivationFunction relu6 =
                GenericRecordActivationFunction.builder(schema)
                        .activation(Activations.relu6())
                        .fields("x", "v")
                        .derivatives(false)
                        .build();
        List<GenericRecord> output =
                drain(
                        env.fromData(input, new GenericRecordAvroTypeInfo(schema))
                                .process(relu6)
                                .executeAndCollect());

        Map<Double, GenericRecord> byX = new HashMap<>();
        output.forEach(record -> byX.put((Double) record.get("x"), record));
        assertThat(byX).hasSize(10);
        for (int i = 0; i < 10; i++) {
            GenericRecord record = byX.get(i - 5.0);
            assertThat(record.get("x_relu6")).isEqualTo(Math.max(0.0, i - 5.0));
            assertThat(new ArrayList<>((List<?>) record.get("v_relu6")))
                    .isEqualTo(List.of((float) Math.min(i, 6), 0.0f));
        }
    }

    /** The records of {@link #genericRecordsGiveTheSameOutputsWithAndWithoutObjectReuse}. */
    private static final Schema LABELLED_POINT =
            new Schema.Parser()
                    .parse(
                            "{\"type\":\"record\",\"name\":\"LabelledPoint\",\"fields\":["
                                + "{\"name\":\"id\",\"type\":\"string\"},"
                                + "{\"name\":\"x\",\"type\":[\"double\",\"null\"]},"
                                + "{\"name\":\"v\",\"type\":{\"type\":\"array\",\"items\":\"float\"}}]}");

    private static Map<String, GenericRecord> activatedWithObjectReuse(
            boolean objectReuse, List<String> rejectedIds) throws Exception {
        List<GenericRecord> input = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            GenericData.Record record = new GenericData.Record(LABELLED_POINT);
            record.put("id", "p" + i);
            record.put("x", i == 3 ? (Double) Double.NaN : i == 4 ? null : (Double) (i - 10.0));
            record.put("v", List.of((float) i, (float) -i, -0.0f));
            input.add(record);
        }
        StreamExecutionEnvironment env = environment();
        if (objectReuse) {
            env.getConfig().enableObjectReuse();
        } else {
            env.getConfig().disableObjectReuse();
        }
        SingleOutputStreamOperator<GenericRecord> activated =
                env.fromData(input, new GenericRecordAvroTypeInfo(LABELLED_POINT))
                        // Chained: without object reuse Flink copies the record in between.
                        .map(record -> record, new GenericRecordAvroTypeInfo(LABELLED_POINT))
                        .process(
                                GenericRecordActivationFunction.builder(LABELLED_POINT)
                                        .fields("x", "v")
                                        .invalidValues(InvalidValuePolicy.REJECT)
                                        .build());
        CloseableIterator<GenericRecord> records = activated.collectAsync();
        CloseableIterator<DeadLetter> rejected =
                activated.getSideOutput(GenericRecordActivationFunction.REJECTED).collectAsync();
        env.execute("generic records, object reuse " + objectReuse);
        Map<String, GenericRecord> byId = new HashMap<>();
        drain(records).forEach(record -> byId.put(record.get("id").toString(), record));
        for (DeadLetter letter : drain(rejected)) {
            rejectedIds.add(
                    new BinaryMessageDecoder<GenericRecord>(GenericData.get(), LABELLED_POINT)
                                    .decode(letter.getPayload())
                                    .get("id")
                            + ": "
                            + letter.getReason());
        }
        return byId;
    }

    @Test
    void genericRecordsGiveTheSameOutputsWithAndWithoutObjectReuse() throws Exception {
        for (boolean objectReuse : new boolean[] {false, true}) {
            List<String> rejectedIds = new ArrayList<>();
            Map<String, GenericRecord> byId = activatedWithObjectReuse(objectReuse, rejectedIds);

            assertThat(rejectedIds)
                    .as("object reuse %s", objectReuse)
                    .containsExactly(
                            "p3: x is NaN and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)");
            assertThat(byId).as("object reuse %s", objectReuse).hasSize(19);
            for (int i = 0; i < 20; i++) {
                if (i == 3) {
                    continue;
                }
                GenericRecord record = byId.get("p" + i);
                // relu(x) = x above 0, else +0.0; relu'(x) = 1 above 0, else 0.
                Double x = i == 4 ? null : i - 10.0;
                Double relu = x == null ? null : x > 0 ? x : 0.0;
                Double grad = x == null ? null : x > 0 ? 1.0 : 0.0;
                assertThat(record.get("x_relu"))
                        .as("p%d, reuse %s", i, objectReuse)
                        .isEqualTo(relu);
                assertThat(record.get("x_grad"))
                        .as("p%d, reuse %s", i, objectReuse)
                        .isEqualTo(grad);
                // v = [i, -i, -0.0]: relu gives [i, +0.0, +0.0]; its derivative is 1 only for
                // i > 0 in the first place.
                List<Integer> reluBits = List.of(Float.floatToRawIntBits((float) i), 0, 0);
                List<Float> gradients = List.of(i > 0 ? 1.0f : 0.0f, 0.0f, 0.0f);
                assertThat(floatBits(record.get("v_relu")))
                        .as("p%d, reuse %s", i, objectReuse)
                        .isEqualTo(reluBits);
                assertThat(new ArrayList<>((List<?>) record.get("v_grad")))
                        .as("p%d, reuse %s", i, objectReuse)
                        .isEqualTo(gradients);
            }
        }
    }

    private static List<Integer> floatBits(Object floats) {
        List<Integer> bits = new ArrayList<>();
        for (Object f : (List<?>) floats) {
            bits.add(Float.floatToRawIntBits((Float) f));
        }
        return bits;
    }

    /** Makes records of a schema with the fields of {@code Point} in another order. */
    private static final class OtherOrder implements MapFunction<Long, GenericRecord> {
        @Override
        public GenericRecord map(Long i) {
            Schema other =
                    new Schema.Parser()
                            .parse(
                                    "{\"type\":\"record\",\"name\":\"Point\",\"fields\":["
                                            + "{\"name\":\"label\",\"type\":\"string\"},"
                                            + "{\"name\":\"x\",\"type\":\"double\"}]}");
            GenericData.Record record = new GenericData.Record(other);
            record.put("label", "p" + i);
            record.put("x", 1.0);
            return record;
        }
    }

    @Test
    void aRecordOfAnotherSchemaInTheStreamFailsNamingTheFieldItCannotRead() throws Exception {
        Schema schema =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Point\",\"fields\":["
                                        + "{\"name\":\"x\",\"type\":\"double\"},"
                                        + "{\"name\":\"label\",\"type\":\"string\"}]}");
        StreamExecutionEnvironment env = environment();
        env.setParallelism(1);
        // Without object reuse, Flink copies each record between chained operators with the
        // stream's schema, by position: the operator gets a Point whose x holds the label.
        env.fromSequence(0, 0)
                .map(new OtherOrder(), new GenericRecordAvroTypeInfo(schema))
                .process(
                        GenericRecordActivationFunction.builder(schema)
                                .fields("x")
                                .invalidValues(InvalidValuePolicy.REJECT)
                                .build())
                .sinkTo(new DiscardingSink<>());

        Throwable failure = catchThrowable(() -> env.execute("another schema"));
        assertThat(ExceptionUtils.findThrowable(failure, InvalidRecordException.class))
                .get()
                .extracting(Throwable::getMessage)
                .asString()
                .contains(
                        " of Point: x holds a java.lang.String, not a number; it cannot be"
                                + " dead-lettered");
    }

    /**
     * Builds a Point with a null label, which its schema does not allow, as a user's map might;
     * counts how often it is started: once, plus once per restart.
     */
    private static final class UnlabelledPoints extends RichMapFunction<Long, GenericRecord> {
        static final String SCHEMA =
                "{\"type\":\"record\",\"name\":\"Point\",\"fields\":["
                        + "{\"name\":\"x\",\"type\":\"double\"},"
                        + "{\"name\":\"label\",\"type\":\"string\"}]}";
        static final AtomicInteger STARTS = new AtomicInteger();
        private transient Schema schema;

        @Override
        public void open(OpenContext openContext) {
            STARTS.incrementAndGet();
            schema = new Schema.Parser().parse(SCHEMA);
        }

        @Override
        public GenericRecord map(Long i) {
            GenericData.Record record = new GenericData.Record(schema);
            record.put("x", -1.0);
            record.put("label", null);
            return record;
        }
    }

    @Test
    void aNullInAFieldNotChosenThatIsNotNullableFailsTheJobForGoodUnderEveryPolicy()
            throws Exception {
        Schema schema = new Schema.Parser().parse(UnlabelledPoints.SCHEMA);
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            // Restarts allowed: each one would build the same record and fail on it again.
            StreamExecutionEnvironment env = restartingEnvironment();
            UnlabelledPoints.STARTS.set(0);
            env.fromSequence(0, 0)
                    .map(new UnlabelledPoints(), new GenericRecordAvroTypeInfo(schema))
                    .process(
                            GenericRecordActivationFunction.builder(schema)
                                    .fields("x")
                                    .invalidValues(policy)
                                    .build())
                    // Not chained: the activated record is serialized on its way to the sink.
                    .rebalance()
                    .sinkTo(new DiscardingSink<>());

            assertThatThrownBy(() -> env.execute("null label"))
                    .as(policy.name())
                    .hasRootCauseInstanceOf(InvalidRecordException.class)
                    .hasRootCauseMessage(
                            "Cannot activate record {\"x\": -1.0, \"label\": null} of Point: label"
                                    + " is null, but the field is not nullable (string): the"
                                    + " record does not match its own schema, so it can be"
                                    + " neither written nor dead-lettered");
            assertThat(UnlabelledPoints.STARTS).as(policy.name()).hasValue(1);
        }
    }

    /** Version 1 of a Point, and version 2 with a field appended. */
    private static final String POINT_V1 =
            "{\"type\":\"record\",\"name\":\"Point\",\"fields\":["
                    + "{\"name\":\"id\",\"type\":\"string\"},"
                    + "{\"name\":\"x\",\"type\":\"double\"}]}";

    private static final String POINT_V2 =
            POINT_V1.replace(
                    "]}", ",{\"name\":\"unit\",\"type\":[\"null\",\"string\"],\"default\":null}]}");

    /** Points p0, p2, ... of version 1 and p1, p3, ... of version 2 (unit "m"), x = i - 1. */
    private static final class TwoVersions extends RichMapFunction<Long, GenericRecord> {
        private transient Schema v1;
        private transient Schema v2;

        @Override
        public void open(OpenContext openContext) {
            v1 = new Schema.Parser().parse(POINT_V1);
            v2 = new Schema.Parser().parse(POINT_V2);
        }

        @Override
        public GenericRecord map(Long i) {
            GenericData.Record record = new GenericData.Record(i % 2 == 0 ? v1 : v2);
            record.put("id", "p" + i);
            record.put("x", i - 1.0);
            if (i % 2 == 1) {
                record.put("unit", "m");
            }
            return record;
        }
    }

    /**
     * A job handing the operator records of two versions: as README's "Use the operators in your
     * own job" says, with object reuse the other version is dead-lettered saying how it differs;
     * without, Flink's copy by position into the stream's schema drops an appended field unsaid,
     * and fails on a record that lacks one.
     */
    @Test
    void recordsOfTwoVersionsOfASchemaAsTheReadmeSays() throws Exception {
        Schema v1 = new Schema.Parser().parse(POINT_V1);
        Schema v2 = new Schema.Parser().parse(POINT_V2);
        Map<String, String> reasons = new HashMap<>();
        Map<String, GenericRecord> byId = new HashMap<>();
        StreamExecutionEnvironment env = environment();
        env.setParallelism(1);
        env.getConfig().enableObjectReuse();
        SingleOutputStreamOperator<GenericRecord> activated =
                env.fromSequence(0, 3)
                        .map(new TwoVersions(), new GenericRecordAvroTypeInfo(v2))
                        .process(GenericRecordActivationFunction.builder(v2).fields("x").build());
        CloseableIterator<GenericRecord> records = activated.collectAsync();
        CloseableIterator<DeadLetter> rejected =
                activated.getSideOutput(GenericRecordActivationFunction.REJECTED).collectAsync();
        env.execute("two versions, object reuse");
        drain(records).forEach(record -> byId.put(record.get("id").toString(), record));
        for (DeadLetter letter : drain(rejected)) {
            reasons.put(
                    new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1)
                            .decode(letter.getPayload())
                            .get("id")
                            .toString(),
                    letter.getReason());
        }
        // relu(0.0) = 0.0 for p1, relu(2.0) = 2.0 for p3; p0 and p2 are of version 1.
        assertThat(byId.keySet()).containsExactlyInAnyOrder("p1", "p3");
        assertThat(byId.get("p1").get("x_relu")).isEqualTo(0.0);
        assertThat(byId.get("p3").get("x_relu")).isEqualTo(2.0);
        assertThat(byId.get("p3").get("unit").toString()).isEqualTo("m");
        String reason =
                "the record's schema is not the one the operator was built for (Point,"
                        + " fingerprint "
                        + Long.toHexString(SchemaNormalization.parsingFingerprint64(v2))
                        + "); it has "
                        + Long.toHexString(SchemaNormalization.parsingFingerprint64(v1))
                        + " (it lacks the operator's field unit): convert records to the"
                        + " operator's schema first";
        assertThat(reasons).isEqualTo(Map.of("p0", reason, "p2", reason));

        // Without object reuse, in a stream of version 1: version 2 loses its unit, unsaid.
        env = environment();
        env.setParallelism(1);
        List<GenericRecord> copied =
                drain(
                        env.fromSequence(0, 3)
                                .map(new TwoVersions(), new GenericRecordAvroTypeInfo(v1))
                                .process(
                                        GenericRecordActivationFunction.builder(v1)
                                                .fields("x")
                                                .build())
                                .executeAndCollect());
        assertThat(copied)
                .extracting(GenericRecord::toString)
                .containsExactlyInAnyOrder(
                        "{\"id\": \"p0\", \"x\": -1.0, \"x_relu\": 0.0, \"x_grad\": 0.0}",
                        "{\"id\": \"p1\", \"x\": 0.0, \"x_relu\": 0.0, \"x_grad\": 0.0}",
                        "{\"id\": \"p2\", \"x\": 1.0, \"x_relu\": 1.0, \"x_grad\": 1.0}",
                        "{\"id\": \"p3\", \"x\": 2.0, \"x_relu\": 2.0, \"x_grad\": 1.0}");

        // Without object reuse, in a stream of version 2: version 1 fails in Flink's copy.
        StreamExecutionEnvironment failing = environment();
        failing.setParallelism(1);
        failing.fromSequence(0, 0)
                .map(new TwoVersions(), new GenericRecordAvroTypeInfo(v2))
                .process(GenericRecordActivationFunction.builder(v2).fields("x").build())
                .sinkTo(new DiscardingSink<>());
        assertThatThrownBy(() -> failing.execute("two versions, no object reuse"))
                .hasRootCauseInstanceOf(ArrayIndexOutOfBoundsException.class)
                .hasRootCauseMessage("Index 2 out of bounds for length 2");
    }

    /** The README's "Use the operators in your own job", with its code as written there. */
    @Test
    void readmeExampleRunsAsWritten() throws Exception {
        StreamExecutionEnvironment env = environment();
        DataStream<FeatureVector> features =
                env.fromData(
                        List.of(
                                feature("a", -2.0, 0.0, 3.0),
                                feature("b", 1.0, Double.NaN),
                                feature("c", Double.POSITIVE_INFINITY)),
                        new AvroTypeInfo<>(FeatureVector.class));
        Schema readingSchema =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"Reading\",\"fields\":["
                                        + "{\"name\":\"score\",\"type\":[\"null\",\"double\"]},"
                                        + "{\"name\":\"embedding\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"float\"}}]}");
        GenericData.Record high = new GenericData.Record(readingSchema);
        high.put("score", 7.5);
        high.put("embedding", List.of(-1.0f, 2.0f, 6.0f, 6.5f));
        GenericData.Record empty = new GenericData.Record(readingSchema);
        empty.put("score", null);
        empty.put("embedding", List.of());
        DataStream<GenericRecord> readings =
                env.fromData(
                        List.<GenericRecord>of(high, empty),
                        new GenericRecordAvroTypeInfo(readingSchema));

        // The README's code, line for line, down to the stream of GenericRecords.
        // FeatureVector -> ActivationVector, records with NaN/inf sent to a side output.
        SingleOutputStreamOperator<ActivationVector> activations =
                features.process(
                        FeatureActivationFunction.builder()
                                .activation(Activations.parseVector("leaky_relu(alpha=0.1)"))
                                .invalidValues(InvalidValuePolicy.REJECT)
                                .derivatives(true)
                                .build());
        DataStream<DeadLetter> rejected =
                activations.getSideOutput(FeatureActivationFunction.REJECTED);

        // Your own Avro records: choose fields (double, float, arrays of them; each may be
        // nullable).
        GenericRecordActivationFunction relu =
                GenericRecordActivationFunction.builder(readingSchema)
                        .activation(Activations.relu6())
                        .fields("score", "embedding") // adds score_relu6, score_grad, ...
                        .build(); // bad field types fail here, by name
        DataStream<GenericRecord> out = readings.process(relu); // output schema carried to Flink

        CloseableIterator<ActivationVector> activated = activations.collectAsync();
        CloseableIterator<DeadLetter> letters = rejected.collectAsync();
        CloseableIterator<GenericRecord> records = out.collectAsync();
        env.execute("the README's example");

        // leaky_relu(alpha=0.1): -2 -> 0.1 * -2 = -0.2, 0 -> 0 with slope 0.1 (f'(0) = a), 3 -> 3.
        List<ActivationVector> vectors = drain(activated);
        assertThat(vectors).hasSize(1);
        assertThat(vectors.get(0).getActivations()).containsExactly(-0.2, 0.0, 3.0);
        assertThat(vectors.get(0).getDerivatives()).containsExactly(0.1, 0.1, 1.0);
        assertThat(drain(letters))
                .extracting(letter -> FeatureVector.fromByteBuffer(letter.getPayload()).getId())
                .containsExactlyInAnyOrder("b", "c");

        assertThat(relu.outputSchema().getFields())
                .extracting(Schema.Field::name)
                .containsExactly(
                        "score",
                        "embedding",
                        "score_relu6",
                        "score_grad",
                        "embedding_relu6",
                        "embedding_grad");
        Map<Object, GenericRecord> byScore = new HashMap<>();
        drain(records).forEach(record -> byScore.put(record.get("score"), record));
        // relu6: 7.5 -> 6 with slope 0 (f'(m) = 0); [-1, 2, 6, 6.5] -> [0, 2, 6, 6], [0, 1, 0, 0].
        GenericRecord activatedHigh = byScore.get(7.5);
        assertThat(activatedHigh.get("score_relu6")).isEqualTo(6.0);
        assertThat(activatedHigh.get("score_grad")).isEqualTo(0.0);
        assertThat(new ArrayList<>((List<?>) activatedHigh.get("embedding_relu6")))
                .isEqualTo(List.of(0.0f, 2.0f, 6.0f, 6.0f));
        assertThat(new ArrayList<>((List<?>) activatedHigh.get("embedding_grad")))
                .isEqualTo(List.of(0.0f, 1.0f, 0.0f, 0.0f));
        // Nulls stay null.
        GenericRecord activatedEmpty = byScore.get(null);
        assertThat(activatedEmpty.get("score_relu6")).isNull();
        assertThat(activatedEmpty.get("score_grad")).isNull();
        assertThat((List<?>) activatedEmpty.get("embedding_relu6")).isEmpty();
    }
}
