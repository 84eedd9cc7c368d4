package io.relustream.jobs;

import io.relustream.stats.ActivationSample;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * Passes every sample on to the event-time window stage, and also hands the ones that miss some but
 * not all of their sliding windows to the late path. Flink's window operator drops a record from
 * each of its windows that is already beyond the allowed lateness, but sends it to its late side
 * output only when all of them are: without this stage a record that one window misses while the
 * next still counts it would be missing from that window's statistics without a trace.
 *
 * <p>Runs chained right before the window operator on the same keyed stream, so it sees the same
 * elements and watermarks in the same order and judges a window late by the window operator's own
 * rule: its last millisecond plus the allowed lateness is at or before the current watermark.
 * Records late for all their windows are left to the window operator's late side output, so each
 * late record reaches the late path once.
 */
final class PartlyLateSampleFunction
        extends KeyedProcessFunction<String, ActivationSample, ActivationSample> {

    private static final long serialVersionUID = 1L;

    /** Samples that some, but not all, of their windows no longer take. */
    static final OutputTag<ActivationSample> PARTLY_LATE =
            new OutputTag<>("partly-late-samples", TypeInformation.of(ActivationSample.class));

    private final WindowAssigner<Object, TimeWindow> windows;
    private final long allowedLatenessMillis;

    PartlyLateSampleFunction(WindowAssigner<Object, TimeWindow> windows, Duration allowedLateness) {
        this.windows = windows;
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void processElement(
            ActivationSample sample, Context context, Collector<ActivationSample> out) {
        out.collect(sample);
        long watermark = context.timerService().currentWatermark();
        long timestamp = context.timestamp();
        // Every window of the record ends at or after it, so none is late while the record is not.
        if (cleanupTime(timestamp) > watermark) {
            return;
        }
        WindowAssigner.WindowAssignerContext assignerContext =
                new WindowAssigner.WindowAssignerContext() {
                    @Override
                    public long getCurrentProcessingTime() {
                        return context.timerService().currentProcessingTime();
                    }
                };
        int late = 0;
        int all = 0;
        for (TimeWindow window : windows.assignWindows(sample, timestamp, assignerContext)) {
            all++;
            if (cleanupTime(window.maxTimestamp()) <= watermark) {
                late++;
            }
        }
        if (late > 0 && late < all) {
            context.output(PARTLY_LATE, sample);
        }
    }

    /** As the window operator: the last millisecond plus the allowed lateness, saturating. */
    private long cleanupTime(long maxTimestamp) {
        long cleanupTime = maxTimestamp + allowedLatenessMillis;
        return cleanupTime >= maxTimestamp ? cleanupTime : Long.MAX_VALUE;
    }
}
