package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WindowGaugesTest {

    private final Map<String, Gauge<?>> gauges = new HashMap<>();
    private final Map<String, Counter> counters = new HashMap<>();

    private final MetricGroup group =
            new UnregisteredMetricsGroup() {
                @Override
                public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
                    gauges.put(name, gauge);
                    return gauge;
                }

                @Override
                public Counter counter(String name) {
                    Counter counter = new SimpleCounter();
                    counters.put(name, counter);
                    return counter;
                }
            };

    private static ActivationStats window(
            long valueCount, long zeroCount, Double zeroFraction, List<Integer> dead) {
        return ActivationStats.newBuilder()
                .setGroup("g")
                .setWindowStart(Instant.ofEpochMilli(0))
                .setWindowEnd(Instant.ofEpochMilli(10_000))
                .setActivation("relu")
                .setRecordCount(2)
                .setValueCount(valueCount)
                .setZeroCount(zeroCount)
                .setZeroFraction(zeroFraction)
                .setNanCount(valueCount == 0 ? 4 : 0)
                .setPosInfCount(0)
                .setNegInfCount(0)
                .setPerFeatureZeroFraction(List.of())
                .setDeadFeatures(dead)
                .build();
    }

    private Object value(String name) {
        return gauges.get(name).getValue();
    }

    @Test
    void showTheLastWindowAndNaNForAWindowWithoutValues() {
        WindowGauges windowGauges = new WindowGauges(group);
        assertThat(gauges).containsOnlyKeys("lastWindowZeroFraction", "lastWindowDeadFeatures");
        // Before any window.
        assertThat((Double) value("lastWindowZeroFraction")).isNaN();
        assertThat(value("lastWindowDeadFeatures")).isEqualTo(0);

        // 3 zeros in 4 values, features 0 and 2 dead.
        windowGauges.closed(window(4, 3, 0.75, List.of(0, 2)));
        assertThat(value("lastWindowZeroFraction")).isEqualTo(0.75);
        assertThat(value("lastWindowDeadFeatures")).isEqualTo(2);

        // Every activation NaN: no values, zero_fraction null; the gauge is NaN, not the last
        // window's 0.75 nor 0.
        windowGauges.closed(window(0, 0, null, List.of()));
        assertThat((Double) value("lastWindowZeroFraction")).isNaN();
        assertThat(value("lastWindowDeadFeatures")).isEqualTo(0);
    }

    @Test
    void countEachClosedWindowOnceAndNotItsLateFirings() {
        WindowGauges windowGauges = new WindowGauges(group);
        assertThat(counters).containsOnlyKeys("closedWindows");
        assertThat(counters.get("closedWindows").getCount()).isZero();

        windowGauges.closed(window(4, 3, 0.75, List.of(0, 2)));
        windowGauges.closed(window(4, 1, 0.25, List.of()));
        assertThat(counters.get("closedWindows").getCount()).isEqualTo(2);

        // The second window again, with a late record: new values, the same window.
        windowGauges.update(window(6, 3, 0.5, List.of(1)));
        assertThat(value("lastWindowZeroFraction")).isEqualTo(0.5);
        assertThat(value("lastWindowDeadFeatures")).isEqualTo(1);
        assertThat(counters.get("closedWindows").getCount()).isEqualTo(2);
    }
}
