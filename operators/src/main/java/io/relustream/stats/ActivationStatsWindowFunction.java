package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns the accumulator that {@link ActivationStatsAggregate} left for a group and window into the
 * window's {@link ActivationStats}, with the key as the group.
 *
 * <pre>{@code
 * samples.keyBy(s -> s.group)
 *         .window(SlidingEventTimeWindows.of(Duration.ofMinutes(1), Duration.ofSeconds(10)))
 *         .aggregate(
 *                 new ActivationStatsAggregate(),
 *                 new ActivationStatsWindowFunction("leaky_relu(alpha=0.01)", 1.0));
 * }</pre>
 */
public final class ActivationStatsWindowFunction
        extends ProcessWindowFunction<
                ActivationStatsAccumulator, ActivationStats, String, TimeWindow>
        implements ResultTypeQueryable<ActivationStats> {

    private static final long serialVersionUID = 1L;

    private final String activationSpec;
    private final double deadThreshold;

    /**
     * @param activationSpec spec of the activation, written into every record in its canonical form
     *     ({@code Activations.parseVector(activationSpec).spec()})
     * @param deadThreshold a feature is listed as dead when its zero fraction is at least this; in
     *     {@code (0, 1]}
     */
    public ActivationStatsWindowFunction(String activationSpec, double deadThreshold) {
        this.activationSpec = DeadFeatureDetector.canonicalSpec(activationSpec);
        this.deadThreshold = DeadFeatureDetector.checkDeadThreshold(deadThreshold);
    }

    @Override
    public void process(
            String group,
            Context context,
            Iterable<ActivationStatsAccumulator> accumulators,
            Collector<ActivationStats> out) {
        TimeWindow window = context.window();
        // An incremental aggregate leaves exactly one element; merging covers any other caller.
        ActivationStatsAccumulator total = null;
        boolean copied = false;
        for (ActivationStatsAccumulator accumulator : accumulators) {
            if (total == null) {
                total = accumulator;
                continue;
            }
            if (!copied) {
                // The first element may be the window state itself: never mutate it.
                total = total.copy();
                copied = true;
            }
            total.merge(accumulator);
        }
        if (total == null) {
            return;
        }
        out.collect(
                total.toStats(
                        group, window.getStart(), window.getEnd(), activationSpec, deadThreshold));
    }

    @Override
    public TypeInformation<ActivationStats> getProducedType() {
        return new AvroTypeInfo<>(ActivationStats.class);
    }
}
