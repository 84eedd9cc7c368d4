package io.relustream.jobs;

import io.relustream.jobs.options.JobOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Starts, stops and restores the job as {@link ActivationStatsJob#main} wires it to Kafka, on the
 * MiniCluster of the test: one way for every ITCase, so that a job a failed test leaves behind is
 * always cancelled.
 */
final class KafkaJobRuns {

    private KafkaJobRuns() {}

    /** Starts the job on top of {@code base} (e.g. {@link #restoringFrom}) without waiting. */
    static JobClient start(JobOptions options, Configuration base, String name) throws Exception {
        return start(options, base, name, ActivationStatsPipeline.StageTaps.none());
    }

    /** {@link #start(JobOptions, Configuration, String)} with {@code taps} between its stages. */
    static JobClient start(
            JobOptions options,
            Configuration base,
            String name,
            ActivationStatsPipeline.StageTaps taps)
            throws Exception {
        StreamExecutionEnvironment env = ActivationStatsJob.environment(options, base);
        ActivationStatsPipeline.build(
                env,
                options,
                ActivationStatsJob.kafkaSource(options),
                ActivationStatsJob.kafkaOutputs(options),
                taps);
        return env.executeAsync(name);
    }

    /** Runs a {@code --bounded} job to its end; one still running after {@code timeout} fails. */
    static void runToEnd(JobOptions options, Configuration base, String name, Duration timeout)
            throws Exception {
        JobClient job = start(options, base, name);
        try {
            job.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            cancelIfRunning(job);
        }
    }

    /** Cancels {@code job} unless it has ended, so that a failed test leaves no job running. */
    static void cancelIfRunning(JobClient job) throws Exception {
        if (!job.getJobStatus().get().isGloballyTerminalState()) {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** Stops {@code job} with a savepoint under {@code folder}; returns the savepoint's path. */
    static String stopWithSavepoint(JobClient job, Path folder) throws Exception {
        return stop(job, folder, false);
    }

    /**
     * Stops {@code job} for good, as {@code flink stop --drain} does: its windows close at the end
     * of event time before the savepoint under {@code folder} is taken; returns the savepoint's
     * path.
     */
    static String drain(JobClient job, Path folder) throws Exception {
        return stop(job, folder, true);
    }

    private static String stop(JobClient job, Path folder, boolean drain) throws Exception {
        try {
            return job.stopWithSavepoint(
                            drain, folder.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(60, TimeUnit.SECONDS);
        } finally {
            cancelIfRunning(job);
        }
    }

    /** The configuration of a run restored from {@code savepoint}. */
    static Configuration restoringFrom(String savepoint) {
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        return restore;
    }
}
