package io.relustream.jobs;

import io.relustream.formats.SourcedFeatureVector;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkOutputMultiplexer;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;
import org.apache.flink.util.clock.ManualClock;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --watermark-interval 0s} under Flink's idleness, as the source combines two partitions: a
 * partition that went idle and has records again holds event time back as with periodic watermarks.
 */
class EveryRecordWatermarksTest {

    private static final long T0 = 1_700_000_000_000L;

    /** The watermarks the source would send on. */
    private static final class CombinedOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp() - T0);
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }

    private final ManualClock clock = new ManualClock();
    private final CombinedOutput combined = new CombinedOutput();
    private final WatermarkOutputMultiplexer source = new WatermarkOutputMultiplexer(combined);

    /** One partition's generator as the pipeline builds it with an idleness of 1 s. */
    private WatermarkGenerator<SourcedFeatureVector> partition(String id) {
        source.registerNewOutput(id);
        return new DecodedRecordsOnly(
                new WatermarksWithIdleness<>(
                        new EveryRecordWatermarks<>(Duration.ZERO), Duration.ofSeconds(1), clock));
    }

    private void record(WatermarkGenerator<SourcedFeatureVector> partition, String id, long t) {
        SourcedFeatureVector record = new SourcedFeatureVector();
        record.vector = TestRecords.vector("r", T0 + t, "g", 1.0);
        partition.onEvent(record, T0 + t, source.getImmediateOutput(id));
    }

    private void periodic(List<WatermarkGenerator<SourcedFeatureVector>> partitions) {
        partitions.get(0).onPeriodicEmit(source.getDeferredOutput("0"));
        partitions.get(1).onPeriodicEmit(source.getDeferredOutput("1"));
        source.onPeriodicEmit();
    }

    @Test
    void aPartitionBackFromIdleHoldsEventTimeAgainThoughItsRecordsAreNotItsNewest() {
        List<WatermarkGenerator<SourcedFeatureVector>> partitions =
                List.of(partition("0"), partition("1"));
        record(partitions.get(0), "0", 1_000);
        record(partitions.get(1), "1", 5_000);
        periodic(partitions);
        // Partition 0 is silent for 2 s (idleness 1 s): event time follows partition 1 alone.
        for (int i = 0; i < 4; i++) {
            clock.advanceTime(Duration.ofMillis(500));
            record(partitions.get(1), "1", 5_000 + i);
            periodic(partitions);
        }
        // Partition 0 has a record again, older than its newest: it is active again, at its
        // watermark 999, so partition 1 moving to 8,999 cannot move event time past 5,002.
        record(partitions.get(0), "0", 500);
        periodic(partitions);
        record(partitions.get(1), "1", 9_000);
        periodic(partitions);

        // 999 (the lower of both partitions), 5,002 (partition 1's newest 5,003 less 1 ms, once
        // partition 0 is idle), and not 8,999.
        assertThat(combined.watermarks).containsExactly(999L, 5_002L);
    }
}
