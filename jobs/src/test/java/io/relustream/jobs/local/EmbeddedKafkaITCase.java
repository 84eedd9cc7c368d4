package io.relustream.jobs.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process broker the local run and the tests use. */
class EmbeddedKafkaITCase {

    @Test
    void keepsRecordsWhateverTheirTimestamp() throws Exception {
        // Tests replay records of fixed past event times, and the job's outputs carry them: with
        // Kafka's default retention.ms (7 days) a record stamped further back is deleted at the
        // broker's first retention check, 30 s after it starts, in the middle of a test class.
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "activations");
            Config config;
            try (Admin admin = kafka.admin()) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "activations");
                config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            }

            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
        }
    }
}
