package io.relustream.operators;

import io.relustream.activation.Activations;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.stats.ActivationSample;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Run in a JVM of its own by {@link ReadmeOwnJobSettingsTest}, as a user's job would run: the
 * README's {@code FeatureVector} example on a local cluster, with the type information Flink
 * extracts itself and generic types off. Prints one line per output, or the failure's root cause.
 */
public final class ReadmeOwnJobProbe {

    private ReadmeOwnJobProbe() {}

    public static void main(String[] args) throws Exception {
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);
        DataStream<FeatureVector> features =
                env.fromData(feature("a", -2.0, 0.0, 3.0), feature("b", 1.0, Double.NaN));

        // The README's code.
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
        DataStream<ActivationSample> samples =
                activations.getSideOutput(FeatureActivationFunction.SAMPLES);

        DataStream<String> lines =
                activations
                        .map(
                                vector ->
                                        "activated "
                                                + vector.getId()
                                                + " "
                                                + vector.getActivations()
                                                + " "
                                                + vector.getDerivatives())
                        .returns(String.class)
                        .union(
                                rejected.map(
                                                letter ->
                                                        "rejected "
                                                                + FeatureVector.fromByteBuffer(
                                                                                letter.getPayload())
                                                                        .getId())
                                        .returns(String.class))
                        .union(
                                samples.map(
                                                sample ->
                                                        "sample "
                                                                + sample.id
                                                                + " below the threshold "
                                                                + sample.belowThresholdInputs)
                                        .returns(String.class));
        try (CloseableIterator<String> output = lines.executeAndCollect()) {
            output.forEachRemaining(System.out::println);
        } catch (Exception e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            System.out.println("failed: " + cause);
            System.exit(3);
        }
    }

    private static FeatureVector feature(String id, Double... values) {
        return FeatureVector.newBuilder()
                .setId(id)
                .setEventTime(Instant.ofEpochMilli(1_000L))
                .setGroup("layer1")
                .setValues(new ArrayList<>(Arrays.asList(values)))
                .build();
    }
}
