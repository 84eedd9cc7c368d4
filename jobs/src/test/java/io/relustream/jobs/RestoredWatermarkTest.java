package io.relustream.jobs;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The watermark a checkpoint holds, passed on again after a restore, in Flink's harness. */
class RestoredWatermarkTest {

    private static OneInputStreamOperatorTestHarness<String, String> harness(
            int parallelism, int subtask) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new RestoredWatermark<>(), parallelism, parallelism, subtask);
    }

    @Test
    void afterARestoreTheCheckpointsWatermarkComesFirstAndLowerOnesAreIgnored() throws Exception {
        OperatorSubtaskState checkpoint;
        try (OneInputStreamOperatorTestHarness<String, String> before = harness(1, 0)) {
            before.open();
            before.processWatermark(new Watermark(24_999));
            checkpoint = before.snapshot(1, 1);
        }

        try (OneInputStreamOperatorTestHarness<String, String> after = harness(1, 0)) {
            after.initializeState(checkpoint);
            after.open();
            // What the source sends after a restore: from the beginning of time upwards.
            after.processWatermark(new Watermark(4_999));
            after.processElement(new StreamRecord<>("late", 5_000));
            after.processWatermark(new Watermark(24_999));
            after.processWatermark(new Watermark(34_999));

            assertThat(after.getOutput())
                    .containsExactly(
                            new Watermark(24_999),
                            new StreamRecord<>("late", 5_000),
                            new Watermark(34_999));
        }
    }

    @Test
    void rescaledEverySubtaskStartsFromTheLowestWatermarkOfTheCheckpoint() throws Exception {
        OperatorSubtaskState[] subtasks = new OperatorSubtaskState[2];
        long[] watermarks = {31_999, 29_999};
        for (int i = 0; i < 2; i++) {
            try (OneInputStreamOperatorTestHarness<String, String> before = harness(2, i)) {
                before.open();
                before.processWatermark(new Watermark(watermarks[i]));
                subtasks[i] = before.snapshot(1, 1);
            }
        }
        OperatorSubtaskState checkpoint =
                AbstractStreamOperatorTestHarness.repackageState(subtasks[0], subtasks[1]);

        for (int i = 0; i < 3; i++) {
            try (OneInputStreamOperatorTestHarness<String, String> after = harness(3, i)) {
                after.initializeState(
                        AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                checkpoint, 128, 2, 3, i));
                after.open();
                after.processElement(new StreamRecord<>("r", 30_500));

                assertThat(after.getOutput())
                        .containsExactly(new Watermark(29_999), new StreamRecord<>("r", 30_500));
            }
        }
    }

    @Test
    void theEndOfEventTimeOfADrainedSavepointIsNotRestored() throws Exception {
        OperatorSubtaskState drained;
        try (OneInputStreamOperatorTestHarness<String, String> before = harness(1, 0)) {
            before.open();
            before.processWatermark(Watermark.MAX_WATERMARK);
            drained = before.snapshot(1, 1);
        }

        try (OneInputStreamOperatorTestHarness<String, String> after = harness(1, 0)) {
            after.initializeState(drained);
            after.open();
            after.processElement(new StreamRecord<>("r", 40_000));
            after.processWatermark(new Watermark(39_999));

            assertThat(after.getOutput())
                    .containsExactly(new StreamRecord<>("r", 40_000), new Watermark(39_999));
        }
    }

    @Test
    void withoutARestoreNothingIsAdded() throws Exception {
        try (OneInputStreamOperatorTestHarness<String, String> fresh = harness(1, 0)) {
            fresh.open();
            fresh.processElement(new StreamRecord<>("r", 1_000));
            fresh.processWatermark(new Watermark(999));

            assertThat(fresh.getOutput())
                    .containsExactly(new StreamRecord<>("r", 1_000), new Watermark(999));
        }
    }
}
