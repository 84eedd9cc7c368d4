package io.relustream.jobs.generator;

import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordEncoder;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.options.OptionConverters;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces synthetic {@link FeatureVector}s to Kafka at a steady rate (see {@link FeatureGenerator}
 * for what they hold).
 *
 * <pre>{@code
 * java -cp relu-stream-jobs.jar io.relustream.jobs.generator.GeneratorCommand \
 *     --bootstrap-servers localhost:9092 --rate 500 --groups 4 --dimensions 64 --dead-share 0.1
 * }</pre>
 */
@Command(
        name = "generate-features",
        description = "Produces synthetic feature vectors with dead features, NaN and late data.")
public final class GeneratorCommand implements Callable<Integer> {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            converter = OptionConverters.BootstrapServers.class,
            description = "Kafka brokers, host:port[,host:port...].")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = "features",
            converter = OptionConverters.TopicName.class,
            description = "Default: ${DEFAULT-VALUE}.")
    String topic;

    @Mixin GeneratorOptions generator;

    @Option(
            names = "--count",
            defaultValue = "0",
            converter = OptionConverters.NonNegativeLong.class,
            description =
                    "Stop after this many records; 0 runs until stopped. Default:"
                            + " ${DEFAULT-VALUE}.")
    long count;

    @Option(
            names = "--format",
            defaultValue = "avro-single-object",
            converter = OptionConverters.WireFormatValue.class,
            description = "avro-single-object or avro. Default: ${DEFAULT-VALUE}.")
    WireFormat format;

    @Option(names = "--help", usageHelp = true, description = "Print this help and exit.")
    boolean help;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GeneratorCommand()).execute(args));
    }

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FeatureGenerator.Settings settings;
        try {
            settings = generator.settings();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.set(false)));
        long sent;
        try {
            sent =
                    produce(
                            bootstrapServers,
                            topic,
                            format,
                            new FeatureGenerator(settings),
                            generator.rate(),
                            count,
                            running);
        } catch (KafkaException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        System.err.println("Produced " + sent + " records to " + topic);
        return 0;
    }

    /**
     * When record {@code sent} (counting from 0) is due, in nanoseconds after the first. Whole
     * seconds first: {@code sent * 1e9} overflows a long after 9.2e9 records, a day at 100,000/s,
     * and the generator would then stop waiting.
     */
    static long dueNanos(long sent, int rate) {
        return sent / rate * 1_000_000_000L + sent % rate * 1_000_000_000L / rate;
    }

    /**
     * Produces records at {@code rate} per second until {@code count} (0: no limit) or until {@code
     * running} turns false.
     *
     * @return the number of records produced
     * @throws KafkaException when the broker did not take some of them, with the first reason
     */
    public static long produce(
            String bootstrapServers,
            String topic,
            WireFormat format,
            FeatureGenerator generator,
            int rate,
            long count,
            AtomicBoolean running)
            throws InterruptedException {
        AvroRecordEncoder<FeatureVector> encoder =
                AvroRecordEncoder.of(FeatureVector.class, format);
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        ProducerConfig.ACKS_CONFIG,
                        "all");
        long sent = 0;
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        Callback countFailures =
                (metadata, exception) -> {
                    if (exception != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, exception);
                    }
                };
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (running.get() && (count == 0 || sent < count)) {
                long due = start + dueNanos(sent, rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                FeatureVector vector = generator.next(System.currentTimeMillis());
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                null,
                                vector.getEventTime().toEpochMilli(),
                                vector.getId().getBytes(StandardCharsets.UTF_8),
                                encoder.encode(vector)),
                        countFailures);
                sent++;
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new KafkaException(
                    failed.get()
                            + " of "
                            + sent
                            + " records could not be produced to "
                            + topic
                            + ": "
                            + firstFailure.get().getMessage(),
                    firstFailure.get());
        }
        return sent;
    }
}
