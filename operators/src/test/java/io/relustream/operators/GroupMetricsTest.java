package io.relustream.operators;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupMetricsTest {

    /** Keeps every counter under its path of key=value groups, e.g. {@code group=a/records}. */
    private static final class RecordingGroup extends UnregisteredMetricsGroup {
        private final Map<String, Counter> counters;
        private final String path;

        RecordingGroup(Map<String, Counter> counters, String path) {
            this.counters = counters;
            this.path = path;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new RecordingGroup(counters, path + key + "=" + value + "/");
        }

        @Override
        public Counter counter(String name) {
            Counter counter = new SimpleCounter();
            counters.put(path + name, counter);
            return counter;
        }
    }

    private final Map<String, Counter> counters = new TreeMap<>();
    private final MetricGroup operator = new RecordingGroup(counters, "");

    private long count(String path) {
        return counters.get(path).getCount();
    }

    @Test
    void givesEachGroupItsOwnMetricsUpToTheLimitAndSharesTheOverflow() {
        GroupMetrics<Counter> records =
                new GroupMetrics<>(operator, 2, group -> group.counter("records"));
        for (String group : new String[] {"a", "b", "a", "c", "d", "c", "a"}) {
            records.of(group).inc();
        }
        assertThat(counters)
                .containsOnlyKeys(
                        "group=a/records",
                        "group=b/records",
                        "group=_other/records",
                        "overflowGroupRecords");
        assertThat(count("group=a/records")).isEqualTo(3);
        assertThat(count("group=b/records")).isEqualTo(1);
        assertThat(count("group=_other/records")).isEqualTo(3);
        assertThat(count("overflowGroupRecords")).isEqualTo(3);
    }

    @Test
    void aGroupNamedLikeTheOverflowGoesToTheOverflow() {
        GroupMetrics<Counter> records =
                new GroupMetrics<>(operator, 5, group -> group.counter("records"));
        records.of("_other").inc();
        records.of("x").inc();
        assertThat(counters)
                .containsOnlyKeys(
                        "group=_other/records", "group=x/records", "overflowGroupRecords");
        assertThat(count("group=_other/records")).isEqualTo(1);
    }

    @Test
    void aGroupOfMoreThan256CharactersGoesToTheOverflow() {
        GroupMetrics<Counter> records =
                new GroupMetrics<>(operator, 5, group -> group.counter("records"));
        // 256 characters, one of them outside the Basic Multilingual Plane (two UTF-16 units).
        String longest = "g".repeat(255) + "\uD83D\uDE00";
        String tooLong = "g".repeat(257);
        records.of(longest).inc();
        records.of(tooLong).inc();
        records.of(tooLong).inc();

        assertThat(counters)
                .containsOnlyKeys(
                        "group=" + longest + "/records",
                        "group=_other/records",
                        "overflowGroupRecords");
        assertThat(count("group=_other/records")).isEqualTo(2);
        assertThat(count("overflowGroupRecords")).isEqualTo(2);
    }

    @Test
    void limitZeroKeepsOnlyTheOverflow() {
        GroupMetrics<Counter> records =
                new GroupMetrics<>(operator, 0, group -> group.counter("records"));
        records.of("a").inc();
        records.of("b").inc();
        assertThat(counters).containsOnlyKeys("group=_other/records", "overflowGroupRecords");
        assertThat(count("group=_other/records")).isEqualTo(2);
    }

    @Test
    void activationCountersPerGroupAddUpToTheOperatorsOwn() {
        ActivationMetrics all = new ActivationMetrics(operator);
        GroupMetrics<ActivationMetrics> perGroup =
                new GroupMetrics<>(operator, 10, ActivationMetrics::new);
        ValueCounts first = new ValueCounts();
        first.reset();
        first.countInputs(new double[] {Double.NaN, 1, Double.NEGATIVE_INFINITY}, 3);
        first.countZeros(new double[] {Double.NaN, 1, 0}, 3);
        first.countOutputValues(new double[] {Double.NaN, 1, 0}, 3, true);
        ValueCounts second = new ValueCounts();
        second.reset();
        second.countInputs(new double[] {-1, 2}, 2);
        second.countZeros(new double[] {0, 2}, 2);
        second.countOutputValues(new double[] {0, 2}, 2, false);

        all.activated(first);
        perGroup.of("a").activated(first);
        all.rejected(second);
        perGroup.of("b").rejected(second);

        assertThat(count("activationRecords")).isEqualTo(2);
        assertThat(count("activationValues")).isEqualTo(5);
        assertThat(count("nanInputs")).isEqualTo(1);
        assertThat(count("negInfInputs")).isEqualTo(1);
        assertThat(count("zeroOutputs")).isEqualTo(1);
        // The activated record's 1 and 0; a rejected record's outputs are not counted.
        assertThat(count("outputValues")).isEqualTo(2);
        assertThat(count("rejectedRecords")).isEqualTo(1);
        assertThat(count("group=a/activationRecords")).isEqualTo(1);
        assertThat(count("group=a/zeroOutputs")).isEqualTo(1);
        assertThat(count("group=a/rejectedRecords")).isZero();
        assertThat(count("group=b/activationValues")).isEqualTo(2);
        assertThat(count("group=b/rejectedRecords")).isEqualTo(1);
        assertThat(count("group=b/zeroOutputs")).isZero();
        assertThat(count("group=a/outputValues")).isEqualTo(2);
        assertThat(count("group=b/outputValues")).isZero();
    }

    @Test
    void rejectsANegativeLimit() {
        assertThatThrownBy(() -> new GroupMetrics<>(operator, -1, group -> group))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be >= 0, got -1");
        assertThatThrownBy(() -> FeatureActivationFunction.builder().groupMetricsLimit(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid groupMetricsLimit -3: must be >= 0");
    }
}
