package io.relustream.jobs;

import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.FeatureVector;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;

import org.assertj.core.groups.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Checks of what a ReLU job run wrote, against {@link ExpectedStatistics}: every activation, every
 * window statistic, the dead-feature alerts of a group.
 */
final class JobOutputAssertions {

    private JobOutputAssertions() {}

    /** One activation per input, each value and derivative as plain ReLU computes it. */
    static void assertActivations(List<ActivationVector> activations, List<FeatureVector> inputs) {
        Map<String, ActivationVector> byId = new HashMap<>();
        activations.forEach(a -> byId.put(a.getId(), a));
        assertThat(byId).hasSize(inputs.size());
        for (FeatureVector vector : inputs) {
            ActivationVector activation = byId.get(vector.getId());
            assertThat(activation).as(vector.getId()).isNotNull();
            assertThat(activation.getGroup()).isEqualTo(vector.getGroup());
            assertThat(activation.getEventTime()).isEqualTo(vector.getEventTime());
            assertThat(activation.getActivation()).isEqualTo("relu");
            List<Double> expectedValues = new ArrayList<>();
            List<Double> expectedDerivatives = new ArrayList<>();
            for (double z : vector.getValues()) {
                expectedValues.add(ExpectedStatistics.relu(z));
                expectedDerivatives.add(Double.isNaN(z) ? Double.NaN : z > 0 ? 1.0 : 0.0);
            }
            assertThat(activation.getActivations()).as(vector.getId()).isEqualTo(expectedValues);
            assertThat(activation.getDerivatives())
                    .as(vector.getId())
                    .isEqualTo(expectedDerivatives);
        }
    }

    /** Exactly one statistics record per expected group and window, every field as expected. */
    static void assertStats(
            List<ActivationStats> stats,
            Map<String, ExpectedStatistics.Row> expected,
            double deadThreshold) {
        Map<String, ActivationStats> byKey = new HashMap<>();
        for (ActivationStats s : stats) {
            String key = s.getGroup() + "@" + s.getWindowStart().toEpochMilli();
            assertThat(byKey.put(key, s)).as("one result per window: " + key).isNull();
        }
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, ExpectedStatistics.Row> entry : expected.entrySet()) {
            ExpectedStatistics.Row row = entry.getValue();
            ActivationStats actual = byKey.get(entry.getKey());
            String at = entry.getKey();
            assertThat(actual.getWindowEnd().toEpochMilli()).as(at).isEqualTo(row.windowEnd);
            assertThat(actual.getActivation()).as(at).isEqualTo("relu");
            assertThat(actual.getRecordCount()).as(at).isEqualTo(row.records);
            assertThat(actual.getValueCount()).as(at).isEqualTo(row.values);
            assertThat(actual.getZeroCount()).as(at).isEqualTo(row.zeros);
            assertThat(actual.getZeroFraction()).as(at).isEqualTo(row.zeroFraction());
            assertThat(actual.getNanCount()).as(at).isEqualTo(row.nan);
            assertThat(actual.getPosInfCount()).as(at).isEqualTo(row.posInf);
            assertThat(actual.getNegInfCount()).as(at).isEqualTo(row.negInf);
            assertThat(actual.getNegativeInputFraction())
                    .as(at)
                    .isEqualTo(row.negativeInputFraction());
            assertThat(actual.getMin()).as(at).isEqualTo(row.min());
            assertThat(actual.getMax()).as(at).isEqualTo(row.max());
            assertClose(actual.getMean(), row.mean(), at + " mean");
            assertClose(actual.getStddev(), row.stddev(), at + " stddev");
            assertThat(actual.getP50()).as(at).isEqualTo(row.quantile(0.5));
            assertThat(actual.getP90()).as(at).isEqualTo(row.quantile(0.9));
            assertThat(actual.getP99()).as(at).isEqualTo(row.quantile(0.99));
            assertThat(actual.getPerFeatureZeroFraction())
                    .as(at)
                    .isEqualTo(row.perFeatureZeroFraction());
            assertThat(actual.getDeadFeatures()).as(at).isEqualTo(row.deadFeatures(deadThreshold));
        }
    }

    /**
     * Dead-feature alerts of one group, from the expected rows by the plain streak rule: (kind,
     * feature, window start - {@code t0}) in window order.
     */
    static List<Tuple> expectedAlerts(
            Map<String, ExpectedStatistics.Row> rows,
            String group,
            int deadWindows,
            double threshold,
            long t0) {
        List<ExpectedStatistics.Row> windows =
                rows.values().stream()
                        .filter(row -> row.group.equals(group))
                        .sorted((x, y) -> Long.compare(x.windowStart, y.windowStart))
                        .collect(Collectors.toList());
        Map<Integer, Integer> streak = new HashMap<>();
        Map<Integer, Boolean> alerted = new HashMap<>();
        List<Tuple> alerts = new ArrayList<>();
        for (ExpectedStatistics.Row row : windows) {
            List<Double> fractions = row.perFeatureZeroFraction();
            for (int i = 0; i < fractions.size(); i++) {
                if (fractions.get(i) >= threshold) {
                    int length = streak.merge(i, 1, Integer::sum);
                    if (length == deadWindows && !alerted.getOrDefault(i, false)) {
                        alerts.add(Tuple.tuple("dead_feature", i, row.windowStart - t0));
                        alerted.put(i, true);
                    }
                } else {
                    streak.put(i, 0);
                    if (alerted.getOrDefault(i, false)) {
                        alerts.add(Tuple.tuple("recovered", i, row.windowStart - t0));
                        alerted.put(i, false);
                    }
                }
            }
        }
        return alerts;
    }

    /** Means and deviations depend on the order of a floating-point sum; NaN must match NaN. */
    /** The job ended without ever restarting: no bad record made a task fail. */
    static void assertNeverRestarted(MiniCluster cluster, JobID job) throws Exception {
        assertThat(
                        cluster.getArchivedExecutionGraph(job)
                                .get()
                                .getStatusTimestamp(JobStatus.RESTARTING))
                .as("the job never restarted")
                .isZero();
    }

    private static void assertClose(Double actual, Double expected, String what) {
        if (expected == null || expected.isNaN() || expected.isInfinite()) {
            assertThat(actual).as(what).isEqualTo(expected);
        } else {
            assertThat(actual)
                    .as(what)
                    .isCloseTo(expected, within(1e-12 * Math.max(1, Math.abs(expected))));
        }
    }
}
