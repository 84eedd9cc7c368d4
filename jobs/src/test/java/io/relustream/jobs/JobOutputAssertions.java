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

/**
 * Checks of what a ReLU job run wrote, against {@link ContractStatistics}: every activation, every
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
                expectedValues.add(ContractStatistics.relu(z));
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
            List<ActivationStats> stats, ContractStatistics expected, double deadThreshold) {
        assertThat(stats).extracting(ActivationStats::getActivation).containsOnly("relu");
        assertThat(expected.differences(stats, deadThreshold)).isEmpty();
    }

    /**
     * Dead-feature alerts of one group, from the expected rows by the plain streak rule: (kind,
     * feature, window start - {@code t0}) in window order.
     */
    static List<Tuple> expectedAlerts(
            ContractStatistics expected, String group, int deadWindows, double threshold, long t0) {
        List<ContractStatistics.Window> windows =
                expected.windows().values().stream()
                        .filter(window -> window.group.equals(group))
                        .sorted((x, y) -> Long.compare(x.start, y.start))
                        .collect(Collectors.toList());
        Map<Integer, Integer> streak = new HashMap<>();
        Map<Integer, Boolean> alerted = new HashMap<>();
        List<Tuple> alerts = new ArrayList<>();
        for (ContractStatistics.Window window : windows) {
            for (int i = 0; i < window.featureRecords.length; i++) {
                if ((double) window.featureZeros[i] / window.featureRecords[i] >= threshold) {
                    int length = streak.merge(i, 1, Integer::sum);
                    if (length == deadWindows && !alerted.getOrDefault(i, false)) {
                        alerts.add(Tuple.tuple("dead_feature", i, window.start - t0));
                        alerted.put(i, true);
                    }
                } else {
                    streak.put(i, 0);
                    if (alerted.getOrDefault(i, false)) {
                        alerts.add(Tuple.tuple("recovered", i, window.start - t0));
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
}
