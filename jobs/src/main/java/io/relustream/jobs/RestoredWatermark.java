package io.relustream.jobs;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.checkpoint.SnapshotType;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

import java.util.List;

/**
 * Carries event time across a restore. Flink checkpoints no watermark: a job restored from a
 * checkpoint or savepoint starts at the beginning of time, so its windows would take a record that
 * was already beyond the allowed lateness before the restore as on time, and a window closed for
 * good would open again with that record alone. Chained in front of the window operator, this stage
 * keeps the watermark it has passed on in every checkpoint and, after a restore, passes it on again
 * before anything else, ignoring the lower watermarks that come until event time catches up. Before
 * the window rather than after the source: there the watermark is already the lowest of all source
 * subtasks, including those that read no partition.
 */
final class RestoredWatermark<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T> {

    private static final long serialVersionUID = 1L;

    /** Why a savepoint taken with {@code --drain} is refused. */
    static final String DRAINED =
            "Restored from a savepoint of a job stopped with --drain, which is not to be resumed:"
                    + " the drain closed its windows at the end of event time, and a record of"
                    + " such a window would open it again, alone. Start the job without the"
                    + " savepoint; with --starting-offsets committed it reads on from the offsets"
                    + " its last checkpoint committed.";

    private transient ListState<Long> checkpointed;
    // Whether the snapshot is the savepoint of a stop with --drain taken at the end of event time:
    // a checkpoint after the end of a bounded run's input holds that end too, and is restored on
    // a failover then. Absent in state saved before it was kept.
    private transient ListState<Boolean> drained;
    private transient long watermark;
    private transient boolean restoredToEmit;
    private transient boolean drainSavepoint;

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // Union: after a rescale every subtask sees the watermarks of all and takes the lowest.
        // They are all alike: every window subtask reads every upstream subtask.
        checkpointed =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("watermark", Types.LONG));
        drained =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("drained", Types.BOOLEAN));
        watermark = Long.MIN_VALUE;
        long lowest = Long.MAX_VALUE;
        boolean any = false;
        for (Long restored : checkpointed.get()) {
            lowest = Math.min(lowest, restored);
            any = true;
        }
        boolean ofADrain = false;
        for (Boolean restored : drained.get()) {
            ofADrain |= restored;
        }
        // A savepoint taken with --drain, every window closed. Its end of event time, restored,
        // would make every record from then on late; left out, event time would start over, and
        // a record of a window the drain closed would open it again alone: a second result of
        // that window, superseding the first, the records before the drain counted in neither.
        // Flink's docs have drained jobs not resumed at all: refuse, for good, since every restart
        // would read the same savepoint.
        if (ofADrain && lowest == Long.MAX_VALUE) {
            throw new SuppressRestartsException(new IllegalStateException(DRAINED));
        }
        // Not the end of event time of a checkpoint after a bounded run's input ended (restored
        // by a failover while the run waits for its last checkpoint): that run reads no more.
        if (any && lowest > Long.MIN_VALUE && lowest < Long.MAX_VALUE) {
            watermark = lowest;
            restoredToEmit = true;
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (restoredToEmit) {
            // Also when no record or watermark comes for a while: at once, from the task's mailbox.
            ProcessingTimeService time = getProcessingTimeService();
            time.registerTimer(time.getCurrentProcessingTime(), now -> emitRestored());
        }
    }

    @Override
    public OperatorSnapshotFutures snapshotState(
            long checkpointId,
            long timestamp,
            CheckpointOptions checkpointOptions,
            CheckpointStreamFactory factory)
            throws Exception {
        SnapshotType type = checkpointOptions.getCheckpointType();
        drainSavepoint = type instanceof SavepointType && ((SavepointType) type).shouldDrain();
        return super.snapshotState(checkpointId, timestamp, checkpointOptions, factory);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.update(List.of(watermark));
        drained.update(List.of(drainSavepoint && watermark == Long.MAX_VALUE));
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        emitRestored();
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        emitRestored();
        if (mark.getTimestamp() > watermark) {
            watermark = mark.getTimestamp();
            super.processWatermark(mark);
        }
    }

    /**
     * Not passed on: downstream of the windows, a subtask announced idle does not hold event time
     * back, and at a drain of an idle job the subtask whose input ends first would take the
     * dead-feature detector to the end of event time alone, which clears the state of every group
     * there before the other subtasks' last windows come (their streaks would start again). Every
     * window subtask reads every source subtask, so their input goes idle and active together, and
     * while it is idle no watermark comes to hold anything back with.
     */
    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

    /**
     * Called when the input ends: at the end of a bounded run, or stopped with {@code --drain}
     * (never by a stop that keeps the job to resume). Flink's source then sends the end of event
     * time, but drops it where the source was idle (FLINK-40499): the windows still open would
     * never close, and their records, already read, be missing from the statistics. So this stage
     * passes the end of event time on itself (its output is never idle: see {@link
     * #processWatermarkStatus}).
     */
    @Override
    public void finish() throws Exception {
        if (watermark < Long.MAX_VALUE) {
            processWatermark(Watermark.MAX_WATERMARK);
        }
        super.finish();
    }

    private void emitRestored() {
        if (restoredToEmit) {
            restoredToEmit = false;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
