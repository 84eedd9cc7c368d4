package io.relustream.jobs;

import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The brokers' own word on a setting, as the start-up checks ask for it. */
class BrokerConfigsITCase {

    @Test
    void givesEachBrokersValueAndNullWhereABrokerHasNone() throws Exception {
        try (EmbeddedKafka kafka =
                        EmbeddedKafka.start(Map.of("auto.create.topics.enable", "false"));
                Admin admin =
                        Admin.create(
                                Map.of(
                                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        kafka.bootstrapServers()))) {
            // One broker: the setting it was started with, Kafka's default 15 minutes for the
            // transaction cap, and no value for a name no broker knows.
            assertThat(
                            BrokerConfigs.valuesOnEveryBroker(
                                    admin, "auto.create.topics.enable", 10_000))
                    .containsExactly("false");
            assertThat(
                            BrokerConfigs.valuesOnEveryBroker(
                                    admin, "transaction.max.timeout.ms", 10_000))
                    .containsExactly("900000");
            assertThat(BrokerConfigs.valuesOnEveryBroker(admin, "no.such.setting", 10_000))
                    .containsExactly((String) null);
        }
    }
}
