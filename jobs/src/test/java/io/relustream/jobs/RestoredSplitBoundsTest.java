package io.relustream.jobs;

import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;

import org.apache.kafka.common.TopicPartition;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
}
