package io.relustream.jobs.sql;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.util.MiniClusterPipelineExecutorServiceLoader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run of {@link SqlZeroFractionJob} on a MiniCluster, in a thread of its own: {@link
 * SqlZeroFractionJob#run} blocks until the job ends, and only the cluster can stop it with a
 * savepoint. Closing the run cancels the job if it still runs, so that a failed test leaves none
 * behind.
 *
 * <pre>{@code
 * try (SqlJobRun run = SqlJobRun.start(cluster, job, Map.of())) {
 *     run.awaitEnd(Duration.ofSeconds(60));
 * }
 * }</pre>
 */
final class SqlJobRun implements AutoCloseable {

    private final MiniCluster cluster;
    private final Thread thread;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private SqlJobRun(MiniCluster cluster, SqlZeroFractionJob job) {
        this.cluster = cluster;
        this.thread =
                new Thread(
                        () -> {
                            try {
                                job.run();
                            } catch (Throwable e) {
                                failures.add(e);
                            }
                        },
                        "sql job");
        thread.start();
    }

    /**
     * Runs {@code job} on {@code cluster} with {@code client} as the configuration of its client
     * (as {@code flink run -s} gives the job's main the path to restore).
     */
    static SqlJobRun start(
            MiniCluster cluster, SqlZeroFractionJob job, Map<String, String> client) {
        StreamContextEnvironment.setAsContext(
                new MiniClusterPipelineExecutorServiceLoader(cluster),
                MiniClusterPipelineExecutorServiceLoader.updateConfigurationForMiniCluster(
                        Configuration.fromMap(client), List.of(), List.of()),
                SqlJobRun.class.getClassLoader(),
                false,
                false);
        return new SqlJobRun(cluster, job);
    }

    /** Waits until a {@code --bounded} run ends, and fails when it failed. */
    void awaitEnd(Duration timeout) throws Exception {
        thread.join(timeout.toMillis());
        assertThat(thread.isAlive()).as("still running after %s", timeout).isFalse();
        assertThat(failures).isEmpty();
    }

    /**
     * Stops the job with a savepoint under {@code folder}, draining it when {@code drain} (its open
     * windows close, as at the end of a bounded run); returns the savepoint's path.
     */
    String stopWithSavepoint(Path folder, boolean drain) throws Exception {
        String savepoint =
                cluster.stopWithSavepoint(
                                runningJob(cluster),
                                folder.toUri().toString(),
                                drain,
                                SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        awaitEnd(Duration.ofSeconds(60));
        return savepoint;
    }

    /** The job running on {@code cluster}: the one a run started, as tests run one at a time. */
    private static JobID runningJob(MiniCluster cluster) throws Exception {
        return cluster.listJobs().get().stream()
                .filter(job -> job.getJobState() == JobStatus.RUNNING)
                .findFirst()
                .orElseThrow()
                .getJobId();
    }

    @Override
    public void close() throws Exception {
        try {
            if (thread.isAlive()) {
                cluster.cancelJob(runningJob(cluster)).get(30, TimeUnit.SECONDS);
                thread.join(Duration.ofSeconds(30).toMillis());
            }
        } finally {
            StreamContextEnvironment.unsetAsContext();
        }
    }
}
