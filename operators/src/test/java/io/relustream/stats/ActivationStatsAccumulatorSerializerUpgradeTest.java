package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshotSerializationUtil;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Accumulators and serializer snapshots written by earlier builds ({@link
 * AccumulatorSerializerFixture}, one folder per snapshot version) read back with the current
 * serializer to the same accumulator, as window state restored from a savepoint does: Flink
 * resolves the committed snapshot against the current one, reads the bytes with the serializer the
 * committed snapshot restores and, for an older layout, writes them anew with the current one.
 */
class ActivationStatsAccumulatorSerializerUpgradeTest {

    /** Every committed fixture: one folder per snapshot version. */
    static Stream<String> versions() throws Exception {
        Path folder =
                Paths.get(
                        ActivationStatsAccumulatorSerializerUpgradeTest.class
                                .getResource("/" + AccumulatorSerializerFixture.FOLDER)
                                .toURI());
        try (Stream<Path> versions = Files.list(folder)) {
            return versions.map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    /** A new layout comes with its fixture, which later builds must read. */
    @Test
    void theCurrentSnapshotVersionHasAFixture() throws Exception {
        assertThat(versions())
                .contains("v" + ActivationStatsAccumulatorSerializer.Snapshot.CURRENT_VERSION);
    }

    @ParameterizedTest(name = "snapshot {0}")
    @MethodSource("versions")
    void stateOfAnEarlierBuildReadsBackToTheSameAccumulator(String version) throws Exception {
        String folder = "/" + AccumulatorSerializerFixture.FOLDER + "/" + version + "/";
        TypeSerializerSnapshot<ActivationStatsAccumulator> committed =
                TypeSerializerSnapshotSerializationUtil.readSerializerSnapshot(
                        new DataInputDeserializer(bytes(folder + "serializer-snapshot")),
                        getClass().getClassLoader());

        TypeSerializerSchemaCompatibility<ActivationStatsAccumulator> compatibility =
                ActivationStatsAccumulatorSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(committed);
        assertThat(compatibility.isCompatibleAsIs() || compatibility.isCompatibleAfterMigration())
                .as("compatibility of snapshot %s: %s", version, compatibility)
                .isTrue();

        DataInputDeserializer data = new DataInputDeserializer(bytes(folder + "test-data"));
        ActivationStatsAccumulator restored = committed.restoreSerializer().deserialize(data);
        assertThat(data.available()).as("bytes left after the accumulator").isZero();
        assertTheFixture(restored);

        // What a migration writes and the current serializer reads from then on.
        TypeSerializer<ActivationStatsAccumulator> current =
                ActivationStatsAccumulatorSerializer.INSTANCE;
        DataOutputSerializer out = new DataOutputSerializer(256);
        current.serialize(restored, out);
        assertTheFixture(current.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())));
    }

    private static byte[] bytes(String resource) throws Exception {
        try (InputStream in =
                ActivationStatsAccumulatorSerializerUpgradeTest.class.getResourceAsStream(
                        resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        }
    }

    /**
     * Relu outputs (0, 2), (3, 0, 5) and (0) of inputs (-1, 2), (3, -4, 5) and (-2): six values,
     * three zeros, mean 10/6, population variance ((5/3)^2 * 3 + (1/3)^2 + (4/3)^2 + (10/3)^2) / 6
     * = 32/9; sorted 0, 0, 0, 2, 3, 5, so p50 is the 3rd (0), p90 and p99 the 6th (5); feature 0 is
     * zero in two of three records, feature 1 in one of two, feature 2 in none.
     */
    private static void assertTheFixture(ActivationStatsAccumulator acc) {
        ActivationStats stats = acc.toStats("g", 0L, 10_000L, "relu", 1.0);
        assertThat(stats)
                .extracting(
                        ActivationStats::getRecordCount,
                        ActivationStats::getValueCount,
                        ActivationStats::getZeroCount,
                        ActivationStats::getZeroFraction,
                        ActivationStats::getNanCount,
                        ActivationStats::getPosInfCount,
                        ActivationStats::getNegInfCount,
                        ActivationStats::getNegativeInputFraction,
                        ActivationStats::getMin,
                        ActivationStats::getMax,
                        ActivationStats::getP50,
                        ActivationStats::getP90,
                        ActivationStats::getP99,
                        ActivationStats::getPerFeatureZeroFraction,
                        ActivationStats::getDeadFeatures)
                .containsExactly(
                        3L,
                        6L,
                        3L,
                        0.5,
                        0L,
                        0L,
                        0L,
                        0.5,
                        0.0,
                        5.0,
                        0.0,
                        5.0,
                        5.0,
                        List.of(2.0 / 3, 0.5, 0.0),
                        List.of());
        assertThat(stats.getMean()).isCloseTo(10.0 / 6, within(1e-15));
        assertThat(stats.getStddev()).isCloseTo(Math.sqrt(32.0 / 9), within(1e-15));
        assertThat(acc.features()).isEqualTo(3);
    }
}
