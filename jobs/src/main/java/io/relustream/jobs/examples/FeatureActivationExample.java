package io.relustream.jobs.examples;

import io.relustream.activation.Activations;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.FeatureActivationFunction;
import io.relustream.operators.InvalidValuePolicy;
import io.relustream.stats.ActivationSample;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link FeatureActivationFunction} in a DataStream job of your own: {@code FeatureVector}s in,
 * {@code ActivationVector}s out, a record holding NaN rejected to the side output as a {@code
 * DeadLetter}, and an {@code ActivationSample} of each activated record for window statistics, as
 * the README's "Use the operators in your own job" shows.
 *
 * <p>Runs on a local Flink started in-process, on built-in records. Flink's Avro serializer passes
 * the generated records between operators, so the JVM needs {@code
 * -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.relustream,java.lang,java.util,java.math,java.time}
 * (the tests set it): add it to the IDE's run configuration, or run it through {@code
 * ExamplesTest}.
 */
public final class FeatureActivationExample {

    private FeatureActivationExample() {}

    public static void main(String[] args) throws Exception {
        // Generic types off: a type Flink would hand to Kryo fails the job at once, instead of
        // being serialized slowly and fragilely. The Avro records and the operators need none.
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);

        // In a real job these come from Kafka (FeatureVectorKafkaDeserializer).
        DataStream<FeatureVector> features =
                env.fromData(
                        feature("a", -2.0, 0.0, 3.0),
                        feature("b", 1.0, Double.NaN),
                        feature("c", 0.5, -1.0));

        // FeatureVector -> ActivationVector, records with NaN/inf sent to a side output.
        SingleOutputStreamOperator<ActivationVector> activations =
                features.process(
                        FeatureActivationFunction.builder()
                                .activation(Activations.parseVector("leaky_relu(alpha=0.1)"))
                                .invalidValues(InvalidValuePolicy.REJECT)
                                .derivatives(true)
                                .samples(true)
                                .build());
        DataStream<DeadLetter> rejected =
                activations.getSideOutput(FeatureActivationFunction.REJECTED);

        // For window statistics (WindowStatsExample): one ActivationSample per activated record.
        DataStream<ActivationSample> samples =
                activations.getSideOutput(FeatureActivationFunction.SAMPLES);

        // The outputs of one run; a real job writes them to Kafka topics.
        CloseableIterator<ActivationVector> activated = activations.collectAsync();
        CloseableIterator<DeadLetter> deadLetters = rejected.collectAsync();
        CloseableIterator<ActivationSample> sampled = samples.collectAsync();
        env.execute("feature activation example");

        activated.forEachRemaining(
                vector ->
                        System.out.println(
                                "activated "
                                        + vector.getId()
                                        + " "
                                        + vector.getActivation()
                                        + " "
                                        + vector.getActivations()
                                        + " derivatives "
                                        + vector.getDerivatives()));
        sampled.forEachRemaining(
                sample ->
                        System.out.println(
                                "sample "
                                        + sample.id
                                        + " "
                                        + Arrays.toString(sample.activations)
                                        + " inputs "
                                        + sample.inputCount
                                        + ", below the threshold "
                                        + sample.belowThresholdInputs
                                        + ", NaN "
                                        + sample.nanInputs));
        deadLetters.forEachRemaining(
                letter -> {
                    // The payload is the rejected record itself, in Avro single-object encoding;
                    // topic, partition and offset are null, as the record did not come from Kafka.
                    FeatureVector record = decode(letter);
                    System.out.println(
                            "rejected "
                                    + record.getId()
                                    + " "
                                    + record.getValues()
                                    + " topic "
                                    + letter.getTopic()
                                    + " error "
                                    + letter.getErrorClass());
                    System.out.println("  reason: " + letter.getReason());
                });
    }

    private static FeatureVector decode(DeadLetter letter) {
        try {
            return FeatureVector.fromByteBuffer(letter.getPayload());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FeatureVector feature(String id, double... values) {
        List<Double> list = new ArrayList<>();
        for (double value : values) {
            list.add(value);
        }
        return FeatureVector.newBuilder()
                .setId(id)
                .setEventTime(Instant.ofEpochSecond(1))
                .setGroup("layer-1")
                .setValues(list)
                .build();
    }
}
