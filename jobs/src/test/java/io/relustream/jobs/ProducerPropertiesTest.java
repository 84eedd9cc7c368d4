package io.relustream.jobs;

import io.relustream.jobs.options.JobOptions;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** What every sink's Kafka producer is given. */
class ProducerPropertiesTest {

    @Test
    void batchesOf256KibByDefault() {
        Properties properties =
                ActivationStatsJob.producerProperties(
                        JobOptions.parse("--bootstrap-servers", "kafka:9092"));

        assertThat(properties.getProperty("batch.size")).isEqualTo("262144");
        // at-least-once is the default: no transactions, so no transaction timeout.
        assertThat(properties).doesNotContainKey("transaction.timeout.ms");
    }

    @Test
    void kafkaOptionsOverrideTheDefaults() {
        Properties properties =
                ActivationStatsJob.producerProperties(
                        JobOptions.parse(
                                "--bootstrap-servers",
                                "kafka:9092",
                                "--kafka.batch.size=16384",
                                "--kafka.security.protocol=SASL_SSL"));

        assertThat(properties.getProperty("batch.size")).isEqualTo("16384");
        assertThat(properties.getProperty("security.protocol")).isEqualTo("SASL_SSL");
    }

    @Test
    void exactlyOnceSetsTheCheckedTransactionTimeout() {
        Properties properties =
                ActivationStatsJob.producerProperties(
                        JobOptions.parse(
                                "--bootstrap-servers",
                                "kafka:9092",
                                "--delivery-guarantee",
                                "exactly-once",
                                "--kafka.transaction.timeout.ms=600000"));

        assertThat(properties.getProperty("transaction.timeout.ms")).isEqualTo("600000");
        assertThat(properties.getProperty("batch.size")).isEqualTo("262144");
    }
}
