package io.relustream.jobs.generator;

import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator on its own against a real broker. */
class GeneratorCommandITCase {

    @Test
    void producesTheRequestedRecordsToAnyBroker() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "generated");
            int status =
                    new CommandLine(new GeneratorCommand())
                            .execute(
                                    "--bootstrap-servers", kafka.bootstrapServers(),
                                    "--topic", "generated",
                                    "--rate", "1000",
                                    "--count", "120",
                                    "--groups", "4",
                                    "--dimensions", "32",
                                    "--dead-share", "0.125");
            assertThat(status).isZero();

            List<FeatureVector> vectors = new ArrayList<>();
            Map<String, Object> config =
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                            ConsumerConfig.GROUP_ID_CONFIG, "check",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(
                            config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("generated"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (vectors.size() < 120 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> record :
                            consumer.poll(Duration.ofMillis(200))) {
                        vectors.add(FeatureVector.fromByteBuffer(ByteBuffer.wrap(record.value())));
                    }
                }
            }
            assertThat(vectors).hasSize(120);
            assertThat(vectors).allMatch(v -> v.getValues().size() == 32);
            assertThat(vectors.stream().map(FeatureVector::getGroup).distinct())
                    .containsExactlyInAnyOrder("layer-0", "layer-1", "layer-2", "layer-3");
            // 12.5% of 32 features are dead: 0 to 3 are negative in every record.
            assertThat(vectors)
                    .allMatch(v -> v.getValues().subList(0, 4).stream().allMatch(x -> x < 0));
        }
    }

    @Test
    void rejectsABadShareNamingIt() {
        int status =
                new CommandLine(new GeneratorCommand())
                        .execute("--bootstrap-servers", "localhost:1", "--dead-share", "2");
        assertThat(status).isEqualTo(2);
    }
}
