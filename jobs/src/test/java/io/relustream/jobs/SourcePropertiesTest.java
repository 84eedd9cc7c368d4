package io.relustream.jobs;

import io.relustream.jobs.options.JobOptions;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** What the source's Kafka consumer is given. */
class SourcePropertiesTest {

    @Test
    void readsCommittedRecordsOnlyByDefault() {
        Properties properties =
                ActivationStatsJob.kafkaProperties(
                        JobOptions.parse("--bootstrap-servers", "kafka:9092"));

        assertThat(properties.getProperty("isolation.level")).isEqualTo("read_committed");
    }

    @Test
    void kafkaOptionsOverrideTheDefaults() {
        Properties properties =
                ActivationStatsJob.kafkaProperties(
                        JobOptions.parse(
                                "--bootstrap-servers",
                                "kafka:9092",
                                "--kafka.isolation.level=read_uncommitted",
                                "--kafka.security.protocol=SASL_SSL"));

        assertThat(properties.getProperty("isolation.level")).isEqualTo("read_uncommitted");
        assertThat(properties.getProperty("security.protocol")).isEqualTo("SASL_SSL");
    }
}
