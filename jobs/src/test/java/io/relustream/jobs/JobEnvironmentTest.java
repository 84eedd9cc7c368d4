package io.relustream.jobs;

import io.relustream.jobs.options.JobOptions;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the job takes from the Flink configuration it is started with. */
class JobEnvironmentTest {

    /**
     * A job can be restored at most as wide as its max parallelism, fixed when it first starts; the
     * README sends users who will rescale wider than 128 to {@code pipeline.max-parallelism}, so
     * the job must leave that setting to every operator, keyed ones included.
     */
    @Test
    void aMaxParallelismInFlinksConfigurationReachesEveryOperator() {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.MAX_PARALLELISM, 1024);
        JobOptions options =
                JobOptions.parse("--bootstrap-servers", "kafka:9092", "--parallelism", "2");

        StreamExecutionEnvironment env = ActivationStatsJob.environment(options, flink);
        ActivationStatsPipeline.build(
                env,
                options,
                ActivationStatsJob.kafkaSource(options),
                ActivationStatsJob.kafkaOutputs(options));

        assertThat(env.getStreamGraph().getJobGraph().getVertices())
                .isNotEmpty()
                .allSatisfy(
                        vertex -> {
                            assertThat(vertex.getParallelism()).isEqualTo(2);
                            assertThat(vertex.getMaxParallelism())
                                    .as(vertex.getName())
                                    .isEqualTo(1024);
                        })
                .extracting(JobVertex::getName)
                .anyMatch(name -> name.contains("window statistics"))
                .anyMatch(name -> name.contains("dead-feature detector"));
    }
}
