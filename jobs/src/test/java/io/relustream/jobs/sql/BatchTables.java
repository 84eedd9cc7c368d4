package io.relustream.jobs.sql;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/** Batch table environments for evaluating the job's SQL pieces on their own. */
final class BatchTables {

    private BatchTables() {}

    /** With Flink's generic-type fallback off, as the job runs: a Kryo type fails the test. */
    static TableEnvironment create() {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        return TableEnvironment.create(
                EnvironmentSettings.newInstance().inBatchMode().withConfiguration(config).build());
    }
}
