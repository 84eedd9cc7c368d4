package io.relustream.jobs;

import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;

import org.apache.kafka.common.TopicPartition;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class RestoredSplitBoundsTest {

    private static final TopicPartition PARTITION = new TopicPartition("features", 3);

    @Test
    void aBoundedRunEndsAPartitionRestoredWithoutAnEndAtTheLatestOffset() {
        KafkaPartitionSplit restored =
                new KafkaPartitionSplit(PARTITION, 42, KafkaPartitionSplit.NO_STOPPING_OFFSET);

        KafkaPartitionSplit split = RestoredSplitBounds.bounded(restored, true);

        assertThat(split.getTopicPartition()).isEqualTo(PARTITION);
        assertThat(split.getStartingOffset()).isEqualTo(42L);
        assertThat(split.getStoppingOffset()).contains(KafkaPartitionSplit.LATEST_OFFSET);
    }

    @Test
    void partitionsRestoredOfAnotherTopicThanTheRunReadsAreDropped() {
        KafkaPartitionSplit own = new KafkaPartitionSplit(PARTITION, 42, 100);
        KafkaPartitionSplit other =
                new KafkaPartitionSplit(
                        new TopicPartition("features-old", 3),
                        7,
                        KafkaPartitionSplit.NO_STOPPING_OFFSET);
        KafkaPartitionSplit likeIt =
                new KafkaPartitionSplit(
                        new TopicPartition("Features", 0),
                        1,
                        KafkaPartitionSplit.NO_STOPPING_OFFSET);

        assertThat(RestoredSplitBounds.ofTopic(List.of(other, own, likeIt), "features"))
                .containsExactly(own);
    }

    @Test
    void theRestoredEnumeratorForgetsThePartitionsOfAnotherTopicSoThatARunOfItReadsThemAgain()
            throws Exception {
        // Run 1 read "features-old", run 2 was restored with "features": its enumerator still
        // held features-old-0 as assigned, and a run 3 restored with "features-old" again would
        // never be handed that partition (Kafka's enumerator only assigns partitions it has not).
        KafkaPartitionSplit own = new KafkaPartitionSplit(PARTITION, 42, 100);
        KafkaPartitionSplit other =
                new KafkaPartitionSplit(
                        new TopicPartition("features-old", 0),
                        7,
                        KafkaPartitionSplit.NO_STOPPING_OFFSET);
        KafkaPartitionSplit otherUnassigned =
                new KafkaPartitionSplit(
                        new TopicPartition("features-old", 1),
                        KafkaPartitionSplit.EARLIEST_OFFSET,
                        KafkaPartitionSplit.NO_STOPPING_OFFSET);
        KafkaSourceEnumState restored =
                new KafkaSourceEnumState(List.of(other, own), List.of(otherUnassigned), true);

        for (boolean bounded : new boolean[] {false, true}) {
            KafkaSourceBuilder<String> builder =
                    KafkaSource.<String>builder()
                            .setBootstrapServers("localhost:1")
                            .setTopics("features")
                            .setValueOnlyDeserializer(new SimpleStringSchema());
            if (bounded) {
                builder.setBounded(OffsetsInitializer.latest());
            }
            KafkaSourceEnumState state =
                    new RestoredSplitBounds<>(builder.build(), "features", new Properties())
                            .restoreEnumerator(null, restored)
                            .snapshotState(1);

            assertThat(state.assignedSplits())
                    .extracting(KafkaPartitionSplit::getTopicPartition)
                    .as("bounded: %s", bounded)
                    .containsExactly(PARTITION);
            assertThat(state.unassignedSplits()).as("bounded: %s", bounded).isEmpty();
            assertThat(state.initialDiscoveryFinished()).isTrue();
        }
    }

    @Test
    void aBoundedRunKeepsTheEndItsPartitionAlreadyHas() {
        KafkaPartitionSplit restored = new KafkaPartitionSplit(PARTITION, 42, 100);

        assertThat(RestoredSplitBounds.bounded(restored, true)).isSameAs(restored);
    }

    @Test
    void anUnboundedRunDropsTheEndOfAPartitionRestoredFromABoundedRun() {
        KafkaPartitionSplit restored = new KafkaPartitionSplit(PARTITION, 42, 100);

        KafkaPartitionSplit split = RestoredSplitBounds.bounded(restored, false);

        assertThat(split.getStartingOffset()).isEqualTo(42L);
        assertThat(split.getStoppingOffset()).isEmpty();
    }

    @Test
    void anUnboundedRunKeepsAPartitionWithoutAnEnd() {
        KafkaPartitionSplit restored =
                new KafkaPartitionSplit(PARTITION, 42, KafkaPartitionSplit.NO_STOPPING_OFFSET);

        assertThat(RestoredSplitBounds.bounded(restored, false)).isSameAs(restored);
    }

    @Test
    void aBoundedRunWritesTheLatestOffsetIntoTheSplitSoThatItsCheckpointsKeepIt() {
        TopicPartition other = new TopicPartition("features", 4);
        List<KafkaPartitionSplit> restored =
                List.of(
                        new KafkaPartitionSplit(
                                PARTITION, 42, KafkaPartitionSplit.NO_STOPPING_OFFSET),
                        new KafkaPartitionSplit(other, 7, 100));

        List<KafkaPartitionSplit> splits =
                RestoredSplitBounds.bounded(
                        restored,
                        true,
                        partitions -> {
                            // Asked for the partition without an end only.
                            assertThat(partitions).containsExactly(PARTITION);
                            return Map.of(PARTITION, 250L);
                        });

        assertThat(splits)
                .extracting(
                        KafkaPartitionSplit::getTopicPartition,
                        KafkaPartitionSplit::getStartingOffset,
                        split -> split.getStoppingOffset().orElseThrow())
                .containsExactly(tuple(PARTITION, 42L, 250L), tuple(other, 7L, 100L));
    }

    @Test
    void theLatestOffsetsAreNotAskedForWhenEveryPartitionHasItsEnd() {
        List<KafkaPartitionSplit> restored = List.of(new KafkaPartitionSplit(PARTITION, 42, 100));

        assertThat(
                        RestoredSplitBounds.bounded(
                                restored,
                                true,
                                partitions -> {
                                    throw new AssertionError("asked for " + partitions);
                                }))
                .containsExactlyElementsOf(restored);
        assertThat(
                        RestoredSplitBounds.bounded(
                                restored,
                                false,
                                partitions -> {
                                    throw new AssertionError("asked for " + partitions);
                                }))
                .extracting(split -> split.getStoppingOffset().isPresent())
                .containsExactly(false);
    }

    @Test
    void aSplitReadToItsEndStaysInTheCheckpointStartingAtItsEnd() {
        TopicPartition other = new TopicPartition("features", 4);
        KafkaPartitionSplit reading = new KafkaPartitionSplit(PARTITION, 42, 100);
        KafkaPartitionSplit ended = new KafkaPartitionSplit(other, 7, 30);

        List<KafkaPartitionSplit> splits =
                RestoredSplitBounds.withEnded(
                        List.of(new KafkaPartitionSplit(PARTITION, 60, 100)),
                        List.of(reading, ended));

        assertThat(splits)
                .extracting(
                        KafkaPartitionSplit::getTopicPartition,
                        KafkaPartitionSplit::getStartingOffset,
                        KafkaPartitionSplit::getStoppingOffset)
                .containsExactly(
                        tuple(PARTITION, 60L, Optional.of(100L)),
                        tuple(other, 30L, Optional.of(30L)));
    }

    @Test
    void aStartBeyondTheEndIsResetToTheEarliestOffsetAsKafkaWouldResetIt() {
        TopicPartition other = new TopicPartition("features", 4);
        TopicPartition committed = new TopicPartition("features", 5);
        TopicPartition committedInRange = new TopicPartition("features", 6);
        TopicPartition noneCommitted = new TopicPartition("features", 7);
        List<KafkaPartitionSplit> splits =
                List.of(
                        new KafkaPartitionSplit(PARTITION, 100, 2),
                        new KafkaPartitionSplit(other, 2, 2),
                        new KafkaPartitionSplit(committed, KafkaPartitionSplit.COMMITTED_OFFSET, 2),
                        new KafkaPartitionSplit(
                                committedInRange, KafkaPartitionSplit.COMMITTED_OFFSET, 2),
                        new KafkaPartitionSplit(
                                noneCommitted, KafkaPartitionSplit.COMMITTED_OFFSET, 2));
        List<Collection<TopicPartition>> asked = new ArrayList<>();
        Function<Collection<TopicPartition>, Map<TopicPartition, Long>> committedOffsets =
                partitions -> {
                    asked.add(partitions);
                    return Map.of(committed, 3L, committedInRange, 2L);
                };

        assertThat(RestoredSplitBounds.resetOutOfRange(splits, true, committedOffsets))
                .extracting(
                        KafkaPartitionSplit::getTopicPartition,
                        KafkaPartitionSplit::getStartingOffset,
                        KafkaPartitionSplit::getStoppingOffset)
                .containsExactly(
                        tuple(PARTITION, KafkaPartitionSplit.EARLIEST_OFFSET, Optional.of(2L)),
                        tuple(other, 2L, Optional.of(2L)),
                        tuple(committed, KafkaPartitionSplit.EARLIEST_OFFSET, Optional.of(2L)),
                        tuple(
                                committedInRange,
                                KafkaPartitionSplit.COMMITTED_OFFSET,
                                Optional.of(2L)),
                        tuple(
                                noneCommitted,
                                KafkaPartitionSplit.COMMITTED_OFFSET,
                                Optional.of(2L)));
        assertThat(asked).containsExactly(List.of(committed, committedInRange, noneCommitted));
        assertThat(RestoredSplitBounds.resetOutOfRange(splits, false, committedOffsets))
                .isEqualTo(splits);
    }

    @Test
    void aStartWithoutAnEndIsNeverOutOfRange() {
        List<KafkaPartitionSplit> splits =
                List.of(
                        new KafkaPartitionSplit(
                                PARTITION, 100, KafkaPartitionSplit.NO_STOPPING_OFFSET),
                        new KafkaPartitionSplit(
                                PARTITION,
                                KafkaPartitionSplit.COMMITTED_OFFSET,
                                KafkaPartitionSplit.NO_STOPPING_OFFSET));

        assertThat(
                        RestoredSplitBounds.resetOutOfRange(
                                splits,
                                true,
                                partitions -> {
                                    throw new AssertionError("asked for " + partitions);
                                }))
                .isEqualTo(splits);
    }
}
