package io.relustream.operators;

import io.relustream.activation.Activation;
import io.relustream.activation.Activations;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordDecoder;
import io.relustream.formats.AvroRecordEncoder;
import io.relustream.formats.WireFormat;
import io.relustream.stats.ActivationSample;
import io.relustream.stats.ActivationSampleTypeInfo;

import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static java.lang.Double.NEGATIVE_INFINITY;
import static java.lang.Double.NaN;
import static java.lang.Double.POSITIVE_INFINITY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureActivationFunctionTest {

    private static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_123L);

    static FeatureVector feature(String id, String group, double... values) {
        return FeatureVector.newBuilder()
                .setId(id)
                .setEventTime(T0)
                .setGroup(group)
                .setValues(Arrays.stream(values).boxed().collect(Collectors.toList()))
                .build();
    }

    private static OperatorHarness<FeatureVector, ActivationVector> harness(
            FeatureActivationFunction function) throws Exception {
        return new OperatorHarness<>(function, new AvroSerializer<>(FeatureVector.class));
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void propagatesNaNAndInfinitiesAsTheMathSays() throws Exception {
        try (var op = harness(FeatureActivationFunction.builder().build())) {
            op.harness.processElement(
                    feature("r1", "layer1", -1, 0, 2.5, NaN, POSITIVE_INFINITY, NEGATIVE_INFINITY),
                    T0.toEpochMilli());

            List<ActivationVector> out = op.harness.extractOutputValues();
            assertThat(out).hasSize(1);
            ActivationVector vector = out.get(0);
            assertThat(vector.getId()).isEqualTo("r1");
            assertThat(vector.getGroup()).isEqualTo("layer1");
            assertThat(vector.getEventTime()).isEqualTo(T0);
            assertThat(vector.getActivation()).isEqualTo("relu");
            assertThat(doubles(vector.getActivations()))
                    .containsExactly(0, 0, 2.5, NaN, POSITIVE_INFINITY, 0);
            assertThat(doubles(vector.getDerivatives())).containsExactly(0, 0, 1, NaN, 1, 0);

            assertThat(op.counter("activationRecords")).isEqualTo(1);
            assertThat(op.counter("activationValues")).isEqualTo(6);
            assertThat(op.counter("zeroOutputs")).isEqualTo(3);
            // Every output but the NaN: 0, 0, 2.5, +inf, 0.
            assertThat(op.counter("outputValues")).isEqualTo(5);
            assertThat(op.counter("nanInputs")).isEqualTo(1);
            assertThat(op.counter("posInfInputs")).isEqualTo(1);
            assertThat(op.counter("negInfInputs")).isEqualTo(1);
            assertThat(op.counter("rejectedRecords")).isZero();
            assertThat(op.harness.getSideOutput(FeatureActivationFunction.REJECTED)).isNull();
        }
    }

    @Test
    void recordsBuiltInCodeWithNullValuesFailNamingTheRecordAndTheProblem() throws Exception {
        // Against their own schema: no bytes to dead-letter, so they fail with a clear message.
        Instant time = Instant.ofEpochMilli(1_000);
        var function =
                FeatureActivationFunction.builder()
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function)) {
            assertThatThrownBy(
                            () ->
                                    op.harness.processElement(
                                            new FeatureVector("n1", time, "g", null), 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageStartingWith(
                            "Cannot activate record id=n1 group=g: values is null: there is"
                                    + " nothing to activate; it cannot be dead-lettered, since it"
                                    + " does not match its own schema: ");
            assertThatThrownBy(
                            () ->
                                    op.harness.processElement(
                                            new FeatureVector(
                                                    "n2",
                                                    time,
                                                    "g",
                                                    java.util.Arrays.asList(1.0, null)),
                                            0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageStartingWith(
                            "Cannot activate record id=n2 group=g: values[1] is null; it cannot be"
                                    + " dead-lettered, since it does not match its own schema: ");
            // Neither was dead-lettered: no counter counts them.
            assertThat(op.counter("activationRecords")).isZero();
            assertThat(op.counter("rejectedRecords")).isZero();
            assertThat(op.harness.getSideOutput(FeatureActivationFunction.REJECTED)).isNull();
        }
    }

    @Test
    void recordsBuiltInCodeWithoutIdGroupOrEventTimeFailNamingTheField() throws Exception {
        // Activated, they would hand the null on to an activation no sink or shuffle can write.
        FeatureVector noId = feature("x", "g", 1.0);
        noId.setId(null);
        FeatureVector noGroup = feature("n4", "g", 1.0);
        noGroup.setGroup(null);
        FeatureVector noTime = feature("n5", "g", 1.0);
        noTime.put("event_time", null); // the setter cannot take null
        try (var op = harness(FeatureActivationFunction.builder().build())) {
            assertThatThrownBy(() -> op.harness.processElement(noId, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageStartingWith(
                            "Cannot activate record id=null group=g: id is null: every"
                                    + " FeatureVector has one; it cannot be dead-lettered, since"
                                    + " it does not match its own schema: ");
            assertThatThrownBy(() -> op.harness.processElement(noGroup, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageStartingWith(
                            "Cannot activate record id=n4 group=null: group is null: every"
                                    + " FeatureVector has one; it cannot be dead-lettered");
            assertThatThrownBy(() -> op.harness.processElement(noTime, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageStartingWith(
                            "Cannot activate record id=n5 group=g: event_time is null: every"
                                    + " FeatureVector has one; it cannot be dead-lettered");
            assertThat(op.harness.extractOutputValues()).isEmpty();
        }
        var failing =
                FeatureActivationFunction.builder().invalidValues(InvalidValuePolicy.FAIL).build();
        try (var op = harness(failing)) {
            assertThatThrownBy(() -> op.harness.processElement(noTime, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessage(
                            "Cannot activate record id=n5 group=g: event_time is null: every"
                                    + " FeatureVector has one");
        }
    }

    @Test
    void recordsBuiltInCodeWithAnEventTimeNoLongOfMillisecondsHoldsFailNamingIt() throws Exception {
        // Instant.MAX as "no time", say: no timestamp-millis holds it, so it can be neither
        // written nor dead-lettered, and its sample's timestamp would overflow. The generated
        // setter keeps the milliseconds (rounding down).
        FeatureVector farAhead = feature("far", "g", 1.0);
        farAhead.setEventTime(Instant.MAX);
        FeatureVector farBehind = feature("old", "g", 1.0);
        farBehind.setEventTime(Instant.ofEpochMilli(Long.MIN_VALUE).minusNanos(1));
        FeatureVector last = feature("last", "g", 1.0);
        last.setEventTime(Instant.ofEpochMilli(Long.MAX_VALUE));
        String range =
                " is beyond what timestamp-millis holds (a long of milliseconds since"
                        + " 1970-01-01T00:00:00Z: -292275055-05-16T16:47:04.192Z to"
                        + " +292278994-08-17T07:12:55.807Z)";
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            var function =
                    FeatureActivationFunction.builder().invalidValues(policy).samples(true).build();
            String cannotBeDeadLettered =
                    policy == InvalidValuePolicy.FAIL
                            ? ""
                            : "; it cannot be dead-lettered, since it does not match its own"
                                    + " schema: long overflow";
            try (var op = harness(function)) {
                assertThatThrownBy(() -> op.harness.processElement(farAhead, 0L))
                        .as(policy.name())
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessage(
                                "Cannot activate record id=far group=g: event_time"
                                        + " +1000000000-12-31T23:59:59.999Z"
                                        + range
                                        + cannotBeDeadLettered);
                assertThatThrownBy(() -> op.harness.processElement(farBehind, 0L))
                        .as(policy.name())
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessage(
                                "Cannot activate record id=old group=g: event_time"
                                        + " -292275055-05-16T16:47:04.191Z"
                                        + range
                                        + cannotBeDeadLettered);
                op.harness.processElement(last, 0L);
                assertThat(op.harness.extractOutputValues())
                        .extracting(ActivationVector::getId)
                        .containsExactly("last");
                assertThat(op.harness.getSideOutput(FeatureActivationFunction.SAMPLES))
                        .extracting(sample -> sample.getValue().eventTime)
                        .containsExactly(Long.MAX_VALUE);
            }
        }
    }

    @Test
    void aNullRecordFailsUnderEveryPolicyAsOneThatCannotBeDeadLettered() throws Exception {
        // What a chained map before the operator hands on when it returns null.
        String problem =
                "the record is null (an operator before this one emitted null): it has no values"
                        + " to activate and no bytes to dead-letter; filter nulls out before this"
                        + " operator";
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            try (var op =
                    harness(FeatureActivationFunction.builder().invalidValues(policy).build())) {
                assertThatThrownBy(() -> op.harness.processElement(null, 0L))
                        .as(policy.name())
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessage("Cannot activate a record: " + problem);
                assertThat(op.harness.extractOutputValues()).isEmpty();
                assertThat(op.harness.getSideOutput(FeatureActivationFunction.REJECTED)).isNull();
                assertThat(op.counter("activationRecords")).isZero();
                assertThat(op.counter("rejectedRecords")).isZero();
                assertThat(op.addedGroups()).isEmpty();
            }
            FeatureVectorActivator.Outcome outcome =
                    new FeatureVectorActivator(Activations.relu(), policy, true).activate(null);
            assertThat(outcome.problem()).isEqualTo(problem);
            assertThat(outcome.output()).isNull();
            assertThat(outcome.counts().values()).isZero();
        }
    }

    @Test
    void aRecordThatFailsTheJobAddsNoGroupMetrics() throws Exception {
        // A null group would have been registered as the metric group group=null; a record that
        // fails has no group's metrics to count in.
        FeatureVector noGroup = feature("n4", "g", 1.0);
        noGroup.setGroup(null);
        FeatureVector nan = feature("n6", "layer9", NaN);
        for (InvalidValuePolicy policy : InvalidValuePolicy.values()) {
            try (var op =
                    harness(FeatureActivationFunction.builder().invalidValues(policy).build())) {
                assertThatThrownBy(() -> op.harness.processElement(noGroup, 0L))
                        .isInstanceOf(InvalidRecordException.class)
                        .hasMessageStartingWith(
                                "Cannot activate record id=n4 group=null: group is null");
                assertThat(op.addedGroups()).as(policy.name()).isEmpty();
            }
        }
        try (var op =
                harness(
                        FeatureActivationFunction.builder()
                                .invalidValues(InvalidValuePolicy.FAIL)
                                .build())) {
            assertThatThrownBy(() -> op.harness.processElement(nan, 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessage(
                            "Cannot activate record id=n6 group=layer9: values[0] is NaN and the"
                                    + " invalid-value policy is fail (NaN and infinities are not"
                                    + " accepted)");
            assertThat(op.addedGroups()).isEmpty();
            // A record that is activated, or rejected to the dead-letter output, counts in its
            // group.
            op.harness.processElement(feature("ok", "layer1", 1.0), 0L);
            assertThat(op.addedGroups()).containsExactly("group=layer1");
        }
        try (var op =
                harness(
                        FeatureActivationFunction.builder()
                                .invalidValues(InvalidValuePolicy.REJECT)
                                .build())) {
            op.harness.processElement(nan, 0L);
            assertThat(op.addedGroups()).containsExactly("group=layer9");
        }
    }

    @Test
    void zeroPolicyTurnsNaNIntoZeroValueAndZeroDerivative() throws Exception {
        var function =
                FeatureActivationFunction.builder()
                        .activation(Activations.leakyRelu(0.5))
                        .invalidValues(InvalidValuePolicy.ZERO)
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(feature("r1", "g", -2, NaN, 3, NEGATIVE_INFINITY), 0L);

            ActivationVector vector = op.harness.extractOutputValues().get(0);
            assertThat(vector.getActivation()).isEqualTo("leaky_relu(alpha=0.5)");
            assertThat(doubles(vector.getActivations()))
                    .containsExactly(-1, 0, 3, NEGATIVE_INFINITY);
            assertThat(doubles(vector.getDerivatives())).containsExactly(0.5, 0, 1, 0.5);
            assertThat(Double.doubleToRawLongBits(vector.getActivations().get(1))).isZero();
            assertThat(op.counter("zeroOutputs")).isEqualTo(1);
            // The NaN became a 0: all four outputs are values.
            assertThat(op.counter("outputValues")).isEqualTo(4);
            assertThat(op.counter("nanInputs")).isEqualTo(1);
            assertThat(op.counter("negInfInputs")).isEqualTo(1);
        }
    }

    @Test
    void rejectPolicySendsRecordsWithNaNOrInfinitiesToTheSideOutput() throws Exception {
        var function =
                FeatureActivationFunction.builder()
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function)) {
            FeatureVector withNaN = feature("bad-nan", "g", 1, -1, 5, NaN, 2);
            FeatureVector withInfinity = feature("bad-inf", "g", POSITIVE_INFINITY);
            FeatureVector clean = feature("good", "g", -3, 4);
            op.harness.processElement(withNaN, 0L);
            op.harness.processElement(clean, 0L);
            op.harness.processElement(withInfinity, 0L);

            assertThat(op.harness.extractOutputValues())
                    .extracting(ActivationVector::getId)
                    .containsExactly("good");
            List<DeadLetter> rejected =
                    op.harness.getSideOutput(FeatureActivationFunction.REJECTED).stream()
                            .map(StreamRecord::getValue)
                            .collect(Collectors.toList());
            assertThat(rejected).hasSize(2);

            DeadLetter first = rejected.get(0);
            assertThat(first.getReason())
                    .isEqualTo(
                            "values[3] is NaN and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)");
            assertThat(first.getErrorClass()).isEqualTo(InvalidRecordException.class.getName());
            assertThat(FeatureVector.fromByteBuffer(first.getPayload())).isEqualTo(withNaN);
            assertThat(first.getTopic()).isNull();
            assertThat(first.getPartition()).isNull();
            assertThat(first.getOffset()).isNull();

            DeadLetter second = rejected.get(1);
            assertThat(second.getReason())
                    .isEqualTo(
                            "values[0] is Infinity and the invalid-value policy is reject (NaN and"
                                    + " infinities are not accepted)");
            assertThat(FeatureVector.fromByteBuffer(second.getPayload())).isEqualTo(withInfinity);

            assertThat(op.counter("activationRecords")).isEqualTo(3);
            assertThat(op.counter("rejectedRecords")).isEqualTo(2);
            assertThat(op.counter("activationValues")).isEqualTo(8);
            assertThat(op.counter("nanInputs")).isEqualTo(1);
            assertThat(op.counter("posInfInputs")).isEqualTo(1);
            assertThat(op.counter("zeroOutputs")).isEqualTo(1);
            // The clean record's two outputs; rejected records have none.
            assertThat(op.counter("outputValues")).isEqualTo(2);
        }
    }

    @Test
    void failPolicyFailsNamingTheRecordAndTheValue() throws Exception {
        var function =
                FeatureActivationFunction.builder().invalidValues(InvalidValuePolicy.FAIL).build();
        try (var op = harness(function)) {
            op.harness.processElement(feature("fine", "g", 1, 2), 0L);
            assertThatThrownBy(
                            () ->
                                    op.harness.processElement(
                                            feature("r7", "layer2", 0.5, NEGATIVE_INFINITY), 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessage(
                            "Cannot activate record id=r7 group=layer2: values[1] is -Infinity and"
                                + " the invalid-value policy is fail (NaN and infinities are not"
                                + " accepted)");
            assertThat(op.harness.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void emptyValuesAreRejectedUnderEveryPolicyButFail() throws Exception {
        for (InvalidValuePolicy policy :
                List.of(
                        InvalidValuePolicy.PROPAGATE,
                        InvalidValuePolicy.ZERO,
                        InvalidValuePolicy.REJECT)) {
            try (var op =
                    harness(FeatureActivationFunction.builder().invalidValues(policy).build())) {
                op.harness.processElement(feature("empty", "g"), 0L);
                assertThat(op.harness.extractOutputValues()).as(policy.name()).isEmpty();
                DeadLetter letter =
                        op.harness
                                .getSideOutput(FeatureActivationFunction.REJECTED)
                                .poll()
                                .getValue();
                assertThat(letter.getReason())
                        .isEqualTo("values is empty: there is nothing to activate");
                assertThat(op.counter("rejectedRecords")).isEqualTo(1);
                assertThat(op.counter("outputValues")).isZero();
            }
        }
        try (var op =
                harness(
                        FeatureActivationFunction.builder()
                                .invalidValues(InvalidValuePolicy.FAIL)
                                .build())) {
            assertThatThrownBy(() -> op.harness.processElement(feature("empty", "g"), 0L))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessage(
                            "Cannot activate record id=empty group=g: values is empty: there is"
                                    + " nothing to activate");
        }
    }

    @Test
    void maxoutShortensTheVectorAndRejectsLengthsNotDivisibleByK() throws Exception {
        var function =
                FeatureActivationFunction.builder()
                        .activation(Activations.parseVector("maxout(k=2)"))
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(feature("even", "g", 1, 3, -2, -5), 0L);
            op.harness.processElement(feature("odd", "g", 1, 3, -2), 0L);
            op.harness.processElement(feature("nan", "g", NaN, 1, 0, -4), 0L);

            List<ActivationVector> out = op.harness.extractOutputValues();
            ActivationVector vector = out.get(0);
            assertThat(vector.getActivation()).isEqualTo("maxout(k=2)");
            assertThat(doubles(vector.getActivations())).containsExactly(3, -2);
            assertThat(doubles(vector.getDerivatives())).containsExactly(0, 1, 1, 0);
            assertThat(doubles(out.get(1).getActivations())).containsExactly(NaN, 0);

            DeadLetter letter =
                    op.harness.getSideOutput(FeatureActivationFunction.REJECTED).poll().getValue();
            assertThat(letter.getReason())
                    .isEqualTo("values has 3 values, not a multiple of 2 as maxout(k=2) needs");

            // Inputs, rejected record included: 4 + 3 + 4; outputs, one per pair of inputs of
            // the activated records: 3, -2 and (NaN,) 0.
            assertThat(op.counter("activationValues")).isEqualTo(11);
            assertThat(op.counter("outputValues")).isEqualTo(3);
            assertThat(op.counter("zeroOutputs")).isEqualTo(1);
        }
    }

    @Test
    void maxoutNamesASingleValueInTheSingular() throws Exception {
        var function =
                FeatureActivationFunction.builder()
                        .activation(Activations.parseVector("maxout(k=2)"))
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(feature("one", "g", 7), 0L);

            assertThat(op.harness.extractOutputValues()).isEmpty();
            DeadLetter letter =
                    op.harness.getSideOutput(FeatureActivationFunction.REJECTED).poll().getValue();
            assertThat(letter.getReason())
                    .isEqualTo("values has 1 value, not a multiple of 2 as maxout(k=2) needs");
        }
    }

    @Test
    void derivativesCanBeSwitchedOff() throws Exception {
        var function =
                FeatureActivationFunction.builder()
                        .activation(Activations.relu6())
                        .derivatives(false)
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(feature("r", "g", -1, 3, 9), 0L);
            ActivationVector vector = op.harness.extractOutputValues().get(0);
            assertThat(doubles(vector.getActivations())).containsExactly(0, 3, 6);
            assertThat(vector.getDerivatives()).isNull();
        }
    }

    @Test
    void activationsAndDerivativesGrowAndShrinkAndAreWrittenAsTheyAreThen() throws Exception {
        ActivationVector vector =
                new FeatureVectorActivator(Activations.relu(), InvalidValuePolicy.PROPAGATE, true)
                        .activate(feature("r", "g", -1, 2, 3))
                        .output();
        List<Double> activations = vector.getActivations(); // 0, 2, 3
        List<Double> derivatives = vector.getDerivatives(); // 0, 1, 1
        activations.add(9.0); // 0, 2, 3, 9
        activations.remove(0); // 2, 3, 9
        activations.addAll(1, List.of(-4.0, 5.0)); // 2, -4, 5, 3, 9
        derivatives.clear();
        derivatives.add(0.5);
        assertThat(activations).containsExactly(2.0, -4.0, 5.0, 3.0, 9.0);

        for (WireFormat format : WireFormat.values()) {
            byte[] bytes = AvroRecordEncoder.of(ActivationVector.class, format).encode(vector);
            ActivationVector decoded =
                    AvroRecordDecoder.of(ActivationVector.class, format).decode(bytes);
            assertThat(decoded.getActivations()).containsExactly(2.0, -4.0, 5.0, 3.0, 9.0);
            assertThat(decoded.getDerivatives()).containsExactly(0.5);
        }
        // Flink's own serializer for the records between operators reads them the same way.
        AvroSerializer<ActivationVector> serializer = new AvroSerializer<>(ActivationVector.class);
        assertThat(serializer.copy(vector).getActivations())
                .containsExactly(2.0, -4.0, 5.0, 3.0, 9.0);
    }

    /** An activation of a user's own that gives NaN for negative numbers. */
    private static final class SquareRoot implements Activation {
        @Override
        public double apply(double z) {
            return Math.sqrt(z);
        }

        @Override
        public double derivative(double z) {
            return 0.5 / Math.sqrt(z);
        }

        @Override
        public String spec() {
            return "sqrt";
        }
    }

    @Test
    void nanOutputsOfNumbersAreNotOutputValues() throws Exception {
        var function = FeatureActivationFunction.builder().activation(new SquareRoot()).build();
        try (var op = harness(function)) {
            op.harness.processElement(feature("r", "g", 4, -1, 0), 0L);

            assertThat(doubles(op.harness.extractOutputValues().get(0).getActivations()))
                    .containsExactly(2, NaN, 0);
            assertThat(op.counter("nanInputs")).isZero();
            assertThat(op.counter("zeroOutputs")).isEqualTo(1);
            assertThat(op.counter("outputValues")).isEqualTo(2);
        }
    }

    @Test
    void outputsCarryTheEventTimestampOfTheirInput() throws Exception {
        try (var op = harness(FeatureActivationFunction.builder().build())) {
            op.harness.processElement(feature("r", "g", 1), 42L);
            assertThat(op.harness.extractOutputStreamRecords().get(0).getTimestamp())
                    .isEqualTo(42L);
        }
    }

    @Test
    void samplesCarryEachActivatedRecordsOutputsAndItsInputsCounted() throws Exception {
        var function =
                FeatureActivationFunction.builder()
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .samples(true)
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(feature("a", "layer1", -1, 0, 2.5, -0.5), 42L);
            op.harness.processElement(feature("rejected", "layer1", 1, NaN), 43L);
            op.harness.processElement(feature("b", "layer2", 3, -2), 44L);

            List<StreamRecord<ActivationSample>> samples =
                    List.copyOf(op.harness.getSideOutput(FeatureActivationFunction.SAMPLES));
            // Worked out by hand: relu of each record; inputs below relu's threshold 0 counted.
            ActivationSample first = new ActivationSample();
            first.id = "a";
            first.eventTime = T0.toEpochMilli();
            first.group = "layer1";
            first.activations = new double[] {0, 0, 2.5, 0};
            first.inputCount = 4;
            first.belowThresholdInputs = 2;
            ActivationSample second = new ActivationSample();
            second.id = "b";
            second.eventTime = T0.toEpochMilli();
            second.group = "layer2";
            second.activations = new double[] {3, 0};
            second.inputCount = 2;
            second.belowThresholdInputs = 1;
            assertThat(samples).extracting(StreamRecord::getValue).containsExactly(first, second);
            // On the timestamps of their records, as the activations are: windows take them.
            assertThat(samples).extracting(StreamRecord::getTimestamp).containsExactly(42L, 44L);
        }
    }

    @Test
    void samplesCountTheInvalidInputsOfPropagatedRecordsAndUseTheActivationsThreshold()
            throws Exception {
        var function =
                FeatureActivationFunction.builder()
                        .activation(Activations.parseVector("thresholded_relu(theta=1)"))
                        .samples(true)
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(
                    feature("r", "g", 0.5, 1, 2, NaN, POSITIVE_INFINITY, NEGATIVE_INFINITY), 0L);

            ActivationSample sample =
                    op.harness.getSideOutput(FeatureActivationFunction.SAMPLES).poll().getValue();
            assertThat(sample.activations).containsExactly(0, 0, 2, NaN, POSITIVE_INFINITY, 0);
            assertThat(sample.inputCount).isEqualTo(6);
            assertThat(sample.nanInputs).isEqualTo(1);
            assertThat(sample.posInfInputs).isEqualTo(1);
            assertThat(sample.negInfInputs).isEqualTo(1);
            // Strictly below theta = 1: 0.5 and -inf; NaN is below nothing.
            assertThat(sample.belowThresholdInputs).isEqualTo(2);
        }
    }

    @Test
    void noSamplesUnlessAskedFor() throws Exception {
        try (var op = harness(FeatureActivationFunction.builder().build())) {
            op.harness.processElement(feature("r", "g", 1, -1), 0L);
            assertThat(op.harness.extractOutputValues()).hasSize(1);
            assertThat(op.harness.getSideOutput(FeatureActivationFunction.SAMPLES)).isNull();
        }
    }

    @Test
    void declaresAvroTypesForItsOutputs() {
        var function = FeatureActivationFunction.builder().build();
        assertThat(function.getProducedType())
                .isEqualTo(new AvroTypeInfo<>(ActivationVector.class));
        assertThat(FeatureActivationFunction.REJECTED.getTypeInfo())
                .isEqualTo(new AvroTypeInfo<>(DeadLetter.class));
        assertThat(FeatureActivationFunction.SAMPLES.getTypeInfo())
                .isEqualTo(new ActivationSampleTypeInfo());
    }

    @Test
    void rejectedPayloadIsSingleObjectEncoded() throws Exception {
        var function =
                FeatureActivationFunction.builder()
                        .invalidValues(InvalidValuePolicy.REJECT)
                        .build();
        try (var op = harness(function)) {
            op.harness.processElement(feature("x", "g", NaN), 0L);
            ByteBuffer payload =
                    op.harness
                            .getSideOutput(FeatureActivationFunction.REJECTED)
                            .poll()
                            .getValue()
                            .getPayload();
            assertThat(payload.get(0)).isEqualTo((byte) 0xC3);
            assertThat(payload.get(1)).isEqualTo((byte) 0x01);
        }
    }
}
