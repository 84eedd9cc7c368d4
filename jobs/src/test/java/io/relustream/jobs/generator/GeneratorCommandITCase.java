package io.relustream.jobs.generator;

import io.relustream.avro.FeatureVector;
import io.relustream.jobs.local.EmbeddedKafka;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
    void failsNamingTheRecordsTheBrokerRefused() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // Every generated record (16 doubles, over 100 bytes) is too large for this topic.
            kafka.admin()
                    .createTopics(
                            List.of(
                                    new NewTopic("tiny", 1, (short) 1)
                                            .configs(Map.of("max.message.bytes", "100"))))
                    .all()
                    .get();
            StringWriter err = new StringWriter();
            CommandLine command = new CommandLine(new GeneratorCommand());
            command.setErr(new PrintWriter(err, true));
            PrintStream systemErr = System.err;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            int status;
            try {
                status =
                        command.execute(
                                "--bootstrap-servers", kafka.bootstrapServers(),
                                "--topic", "tiny",
                                "--count", "3");
            } finally {
                System.setErr(systemErr);
            }

            assertThat(status).isOne();
            assertThat(printed.toString(StandardCharsets.UTF_8))
                    .startsWith("3 of 3 records could not be produced to tiny: ")
                    .doesNotContain("Produced 3 records");
        }
    }
}
