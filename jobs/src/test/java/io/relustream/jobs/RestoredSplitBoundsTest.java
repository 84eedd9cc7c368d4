package io.relustream.jobs;

import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;

import org.apache.kafka.common.TopicPartition;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

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
}
