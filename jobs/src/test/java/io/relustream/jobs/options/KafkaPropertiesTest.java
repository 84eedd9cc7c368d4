package io.relustream.jobs.options;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code --kafka.} options every command shares; the commands' own tests cover how each one
 * uses them.
 */
class KafkaPropertiesTest {

    private static final Map<String, String> RESERVED =
            Map.of("bootstrap.servers", "use --bootstrap-servers");

    @Test
    void extractsBothFormsInOrderAndLeavesTheRest() {
        List<String> rest = new ArrayList<>();
        Map<String, String> properties =
                KafkaProperties.extract(
                        List.of(
                                "--window",
                                "10s",
                                "--kafka.sasl.jaas.config=a b=\"c\";",
                                "--kafka.client.id",
                                "relu",
                                "--bounded"),
                        rest,
                        RESERVED);

        assertThat(properties)
                .containsExactly(
                        Map.entry("sasl.jaas.config", "a b=\"c\";"),
                        Map.entry("client.id", "relu"));
        assertThat(rest).containsExactly("--window", "10s", "--bounded");
    }

    @Test
    void refusesAMissingValueAReservedPropertyAndARepeatedOne() {
        assertThatThrownBy(
                        () ->
                                KafkaProperties.extract(
                                        List.of("--kafka.acks", "--bounded"),
                                        new ArrayList<>(),
                                        RESERVED))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage(
                        "Missing value for option '--kafka.acks'; use --kafka.acks=<value> or"
                                + " --kafka.acks <value>");
        assertThatThrownBy(
                        () ->
                                KafkaProperties.extract(
                                        List.of("--kafka.bootstrap.servers=x:1"),
                                        new ArrayList<>(),
                                        RESERVED))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage("Invalid option '--kafka.bootstrap.servers': use --bootstrap-servers");
        assertThatThrownBy(
                        () ->
                                KafkaProperties.extract(
                                        List.of("--kafka.acks=1", "--kafka.acks=all"),
                                        new ArrayList<>(),
                                        RESERVED))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage("Option '--kafka.acks' should be specified only once");
    }

    @Test
    void whyNoClientGivesEachWrappedReasonOnce() {
        // As Kafka wraps a missing truststore: the admin client, then the network client, then
        // the reason; the outermost message says nothing the others do not.
        KafkaException e =
                new KafkaException(
                        "Failed to create new KafkaAdminClient",
                        new KafkaException(
                                "Failed to create new NetworkClient",
                                new KafkaException(
                                        "Failed to load SSL keystore t.jks of type JKS",
                                        new KafkaException("Failed to create new NetworkClient"))));

        assertThat(KafkaProperties.whyNoClient(e))
                .isEqualTo(
                        "Failed to create new NetworkClient: Failed to load SSL keystore t.jks of"
                                + " type JKS");
        assertThat(KafkaProperties.whyNoClient(new KafkaException("No resolvable bootstrap urls")))
                .isEqualTo("No resolvable bootstrap urls");
    }

    @Test
    void theDefaultBufferMemoryIsKafkasOwn() {
        assertThat(KafkaProperties.DEFAULT_BUFFER_MEMORY)
                .isEqualTo(
                        ProducerConfig.configDef()
                                .defaultValues()
                                .get(ProducerConfig.BUFFER_MEMORY_CONFIG));
    }
}
