package io.relustream.jobs;

import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.io.PushingAsyncDataInput;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.StatusWatermarkValve;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void aDrainedSavepointIsRefusedForGood() throws Exception {
        OperatorSubtaskState drained;
        try (OneInputStreamOperatorTestHarness<String, String> before = harness(1, 0)) {
            before.open();
            before.processWatermark(Watermark.MAX_WATERMARK);
            drained =
                    before.snapshotWithLocalState(
                                    1, 1, SavepointType.terminate(SavepointFormatType.CANONICAL))
                            .getJobManagerOwnedState();
        }

        try (OneInputStreamOperatorTestHarness<String, String> after = harness(1, 0)) {
            assertThatThrownBy(() -> after.initializeState(drained))
                    .isInstanceOf(SuppressRestartsException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class)
                    .hasRootCauseMessage(RestoredWatermark.DRAINED);
        }
    }

    @Test
    void theEndOfEventTimeOfACheckpointAfterTheEndOfTheInputIsNotRestored() throws Exception {
        // What a failover restores while a bounded run waits for its last checkpoint.
        OperatorSubtaskState ended;
        try (OneInputStreamOperatorTestHarness<String, String> before = harness(1, 0)) {
            before.open();
            before.processWatermark(Watermark.MAX_WATERMARK);
            ended = before.snapshot(1, 1);
        }

        try (OneInputStreamOperatorTestHarness<String, String> after = harness(1, 0)) {
            after.initializeState(ended);
            after.open();
            after.processElement(new StreamRecord<>("r", 40_000));
            after.processWatermark(new Watermark(39_999));

            assertThat(after.getOutput())
                    .containsExactly(new StreamRecord<>("r", 40_000), new Watermark(39_999));
        }
    }

    @Test
    void aSubtaskThatHadNotReachedTheEndOfEventTimeRestoresTheLowestWatermark() throws Exception {
        // Union state: a drained subtask beside one that is not (never both in one savepoint of the
        // job, whose windows all read every source subtask) restores the lower watermark.
        OperatorSubtaskState[] subtasks = new OperatorSubtaskState[2];
        long[] watermarks = {Long.MAX_VALUE, 29_999};
        for (int i = 0; i < 2; i++) {
            try (OneInputStreamOperatorTestHarness<String, String> before = harness(2, i)) {
                before.open();
                before.processWatermark(new Watermark(watermarks[i]));
                subtasks[i] = before.snapshot(1, 1);
            }
        }
        OperatorSubtaskState checkpoint =
                AbstractStreamOperatorTestHarness.repackageState(subtasks[0], subtasks[1]);

        try (OneInputStreamOperatorTestHarness<String, String> after = harness(1, 0)) {
            after.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            checkpoint, 128, 2, 1, 0));
            after.open();
            after.processElement(new StreamRecord<>("r", 30_500));

            assertThat(after.getOutput())
                    .containsExactly(new Watermark(29_999), new StreamRecord<>("r", 30_500));
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

    /**
     * Two window subtasks, idle when the job is drained: both read every source subtask, so their
     * input goes idle and active at once. The dead-feature detector reads both (the window operator
     * passes watermarks and their status on as this stage sends them); the one whose input ends
     * first closes its windows and sends the end of event time while the other's windows are still
     * to come, and the detector's event time must wait for them: at the end of event time it clears
     * the state of every group, and the other subtask's last statistics would then start their
     * groups' streaks again.
     */
    @Test
    void aSubtaskWhoseInputEndsFirstDoesNotTakeTheNextStageToTheEndOfEventTimeAlone()
            throws Exception {
        List<Long> detector = new ArrayList<>();
        StatusWatermarkValve detectorInput = new StatusWatermarkValve(2);
        PushingAsyncDataInput.DataOutput<Object> detectorOutput = watermarksInto(detector);
        List<RestoredWatermark<String>> operators =
                List.of(new RestoredWatermark<>(), new RestoredWatermark<>());
        List<OneInputStreamOperatorTestHarness<String, String>> windows = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            OneInputStreamOperatorTestHarness<String, String> window =
                    new OneInputStreamOperatorTestHarness<>(operators.get(i), 2, 2, i);
            window.open();
            window.processWatermark(new Watermark(11_999));
            window.processWatermarkStatus(WatermarkStatus.IDLE);
            windows.add(window);
            forward(window, i, detectorInput, detectorOutput);
        }
        try {
            operators.get(0).finish();
            forward(windows.get(0), 0, detectorInput, detectorOutput);

            assertThat(detector).containsExactly(11_999L);

            operators.get(1).finish();
            forward(windows.get(1), 1, detectorInput, detectorOutput);

            assertThat(detector).containsExactly(11_999L, Long.MAX_VALUE);
        } finally {
            for (OneInputStreamOperatorTestHarness<String, String> window : windows) {
                window.close();
            }
        }
    }

    /** Hands what {@code window} has sent since the last call to the next stage's channel. */
    private static void forward(
            OneInputStreamOperatorTestHarness<String, String> window,
            int channel,
            StatusWatermarkValve next,
            PushingAsyncDataInput.DataOutput<Object> output)
            throws Exception {
        Object sent;
        while ((sent = window.getOutput().poll()) != null) {
            if (sent instanceof Watermark) {
                next.inputWatermark((Watermark) sent, channel, output);
            } else if (sent instanceof WatermarkStatus) {
                next.inputWatermarkStatus((WatermarkStatus) sent, channel, output);
            }
        }
    }

    /** The watermarks a stage's input passes on to its operator, into {@code watermarks}. */
    private static PushingAsyncDataInput.DataOutput<Object> watermarksInto(List<Long> watermarks) {
        return new PushingAsyncDataInput.DataOutput<>() {
            @Override
            public void emitRecord(StreamRecord<Object> record) {}

            @Override
            public void emitWatermark(Watermark watermark) {
                watermarks.add(watermark.getTimestamp());
            }

            @Override
            public void emitWatermarkStatus(WatermarkStatus watermarkStatus) {}

            @Override
            public void emitLatencyMarker(LatencyMarker latencyMarker) {}

            @Override
            public void emitRecordAttributes(RecordAttributes recordAttributes) {}

            @Override
            public void emitWatermark(WatermarkEvent watermark) {}
        };
    }
}
