package io.relustream.jobs;

import io.relustream.avro.DeadLetter;
import io.relustream.formats.SourcedFeatureVector;

import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;
import org.apache.flink.util.clock.ManualClock;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flink's idleness over the job's watermarks, with dead letters in between: they must neither move
 * the watermark nor keep a partition that carries nothing else from going idle.
 */
class DecodedRecordsOnlyTest {

    private static final long T0 = 1_700_000_000_000L;

    /** What the generator told the source: watermarks, and idle or active. */
    private static final class RecordingOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        final List<String> states = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            states.add("idle");
        }

        @Override
        public void markActive() {
            states.add("active");
        }
    }

    private final ManualClock clock = new ManualClock();
    private final DecodedRecordsOnly watermarks =
            new DecodedRecordsOnly(
                    new WatermarksWithIdleness<>(
                            new BoundedOutOfOrdernessWatermarks<>(Duration.ZERO),
                            Duration.ofSeconds(1),
                            clock));
    private final RecordingOutput output = new RecordingOutput();

    private static SourcedFeatureVector decoded(long eventTime) {
        SourcedFeatureVector record = new SourcedFeatureVector();
        record.vector = TestRecords.vector("r", eventTime, "g", 1.0);
        return record;
    }

    private static SourcedFeatureVector deadLetter() {
        SourcedFeatureVector record = new SourcedFeatureVector();
        record.deadLetter = new DeadLetter();
        return record;
    }

    @Test
    void aPartitionOfDeadLettersAloneGoesIdle() {
        watermarks.onPeriodicEmit(output);
        for (int i = 0; i < 5; i++) {
            clock.advanceTime(Duration.ofMillis(400));
            // The job's timestamp assigner gives a dead letter the earliest timestamp there is.
            watermarks.onEvent(deadLetter(), Long.MIN_VALUE, output);
            watermarks.onPeriodicEmit(output);
        }

        // 2 s without a decoded record, over an idleness of 1 s.
        assertThat(output.states).containsExactly("idle");
    }

    @Test
    void deadLettersBetweenRecordsMoveNoWatermark() {
        watermarks.onEvent(decoded(T0 + 5_000), T0 + 5_000, output);
        watermarks.onEvent(deadLetter(), Long.MIN_VALUE, output);
        watermarks.onPeriodicEmit(output);
        watermarks.onEvent(decoded(T0 + 7_000), T0 + 7_000, output);
        watermarks.onEvent(deadLetter(), Long.MIN_VALUE, output);
        watermarks.onPeriodicEmit(output);

        // Bounded out-of-orderness 0: the largest event time so far, less one millisecond.
        assertThat(output.watermarks).containsExactly(T0 + 4_999, T0 + 6_999);
        assertThat(output.states).isEmpty();
    }
}
