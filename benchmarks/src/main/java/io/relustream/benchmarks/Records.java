package io.relustream.benchmarks;

import io.relustream.avro.FeatureVector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Feature vectors for the benchmarks: values half negative, at random, as activations are. */
final class Records {

    private Records() {}

    /** {@code count} vectors of {@code dimensions} values, in {@code groups} groups, 1 ms apart. */
    static FeatureVector[] vectors(int count, int dimensions, int groups, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FeatureVector[] vectors = new FeatureVector[count];
        for (int r = 0; r < count; r++) {
            List<Double> values = new ArrayList<>(dimensions);
            for (int i = 0; i < dimensions; i++) {
                values.add(random.nextDouble(-1.0, 1.0));
            }
            vectors[r] =
                    FeatureVector.newBuilder()
                            .setId("r" + r)
                            .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + r))
                            .setGroup("layer-" + (r % groups))
                            .setValues(values)
                            .build();
        }
        return vectors;
    }
}
