package io.relustream.stats;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshotSerializationUtil;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The serialized accumulator and serializer snapshot that {@link
 * ActivationStatsAccumulatorSerializerUpgradeTest} reads with the current serializer, as Flink's
 * {@code TypeSerializerUpgradeTestBase} keeps a {@code serializer-snapshot} and {@code test-data}
 * per version: window state in savepoints users hold is in these bytes.
 *
 * <p>When the layout changes on purpose (a new {@link
 * ActivationStatsAccumulatorSerializer.Snapshot} version), keep the folders of the earlier versions
 * and write one for the new version (the test reads every folder), from the project folder:
 *
 * <pre>{@code
 * mvn -B -q -DskipTests package exec:exec@serializer-fixture -pl operators -am \
 *     -Dfixture.args=operators/src/test/resources/serializers/activation-stats-accumulator/v<n>
 * }</pre>
 */
public final class AccumulatorSerializerFixture {

    /** Where the fixtures are, under {@code src/test/resources}. */
    static final String FOLDER = "serializers/activation-stats-accumulator";

    private AccumulatorSerializerFixture() {}

    /**
     * Three records of group g: inputs (-1, 2), (3, -4, 5) and (-2), relu outputs (0, 2), (3, 0, 5)
     * and (0).
     */
    static ActivationStatsAccumulator accumulator() {
        ActivationStatsAccumulator acc = new ActivationStatsAccumulator();
        acc.add(relu("r1", -1, 2));
        acc.add(relu("r2", 3, -4, 5));
        acc.add(relu("r3", -2));
        return acc;
    }

    private static ActivationSample relu(String id, double... inputs) {
        double[] outputs = new double[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            outputs[i] = inputs[i] > 0 ? inputs[i] : 0.0;
        }
        return ActivationSample.of(id, 0L, "g", inputs, outputs, 0.0);
    }

    /** Writes {@code serializer-snapshot} and {@code test-data} into the folder {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        Path folder = Paths.get(args[0]);
        Files.createDirectories(folder);
        ActivationStatsAccumulatorSerializer serializer =
                ActivationStatsAccumulatorSerializer.INSTANCE;
        try (OutputStream out = Files.newOutputStream(folder.resolve("serializer-snapshot"))) {
            TypeSerializerSnapshotSerializationUtil.writeSerializerSnapshot(
                    new DataOutputViewStreamWrapper(out), serializer.snapshotConfiguration());
        }
        try (OutputStream out = Files.newOutputStream(folder.resolve("test-data"))) {
            serializer.serialize(accumulator(), new DataOutputViewStreamWrapper(out));
        }
        System.out.println("Wrote " + folder.resolve("serializer-snapshot") + " and test-data");
    }
}
