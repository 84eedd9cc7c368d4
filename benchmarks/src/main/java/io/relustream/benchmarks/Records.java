package io.relustream.benchmarks;

import io.relustream.avro.FeatureVector;
import io.relustream.operators.internal.DoubleArrayList;

import org.apache.avro.Schema;

import java.time.Instant;
import java.util.SplittableRandom;

/** Feature vectors for the benchmarks: values half negative, at random, as activations are. */
final class Records {

    private Records() {}

    /**
     * {@code count} vectors of {@code dimensions} values, in {@code groups} groups, 1 ms apart;
     * their values a view of a {@code double[]}, as the job's deserializer makes them ({@code
     * FeatureVectorKafkaDeserializer}; Avro's own decoder would give a list of boxed doubles).
     */
    static FeatureVector[] vectors(int count, int dimensions, int groups, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FeatureVector[] vectors = new FeatureVector[count];
        Schema arraySchema = FeatureVector.getClassSchema().getField("values").schema();
        for (int r = 0; r < count; r++) {
            double[] values = new double[dimensions];
            for (int i = 0; i < dimensions; i++) {
                values[i] = random.nextDouble(-1.0, 1.0);
            }
            vectors[r] =
                    FeatureVector.newBuilder()
                            .setId("r" + r)
                            .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + r))
                            .setGroup("layer-" + (r % groups))
                            .setValues(new DoubleArrayList(values, arraySchema))
                            .build();
        }
        return vectors;
    }
}
