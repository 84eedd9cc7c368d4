package io.relustream.operators;

import io.relustream.avro.ActivationVector;
import io.relustream.avro.FeatureVector;

import org.apache.flink.formats.avro.typeutils.AvroSerializer;

/**
 * Run in a JVM of its own by {@link OperatorOpenTest}: opens the activation operator in Flink's
 * test harness and prints {@code opened}, or the message of what failed.
 */
public final class OperatorOpenProbe {

    private OperatorOpenProbe() {}

    public static void main(String[] args) throws Exception {
        try (OperatorHarness<FeatureVector, ActivationVector> harness =
                new OperatorHarness<>(
                        FeatureActivationFunction.builder().build(),
                        new AvroSerializer<>(FeatureVector.class))) {
            System.out.println("opened");
        } catch (IllegalArgumentException e) {
            System.out.println("failed: " + e.getMessage());
            System.exit(3);
        }
    }
}
