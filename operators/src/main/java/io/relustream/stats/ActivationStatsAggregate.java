package io.relustream.stats;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Incremental window aggregate of {@link ActivationSample}s into an {@link
 * ActivationStatsAccumulator}; pair it with {@link ActivationStatsWindowFunction}, which adds the
 * window and the group.
 *
 * <pre>{@code
 * DataStream<ActivationStats> stats =
 *         samples.keyBy(s -> s.group)
 *                 .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
 *                 .aggregate(
 *                         new ActivationStatsAggregate(),
 *                         new ActivationStatsWindowFunction("relu", 1.0));
 * }</pre>
 *
 * <p>The window state holds one accumulator per key and window, whose size is independent of the
 * number of records.
 */
public final class ActivationStatsAggregate
        implements AggregateFunction<
                ActivationSample, ActivationStatsAccumulator, ActivationStatsAccumulator> {

    private static final long serialVersionUID = 1L;

    @Override
    public ActivationStatsAccumulator createAccumulator() {
        return new ActivationStatsAccumulator();
    }

    @Override
    public ActivationStatsAccumulator add(
            ActivationSample sample, ActivationStatsAccumulator accumulator) {
        accumulator.add(sample);
        return accumulator;
    }

    @Override
    public ActivationStatsAccumulator getResult(ActivationStatsAccumulator accumulator) {
        return accumulator;
    }

    @Override
    public ActivationStatsAccumulator merge(
            ActivationStatsAccumulator a, ActivationStatsAccumulator b) {
        a.merge(b);
        return a;
    }
}
