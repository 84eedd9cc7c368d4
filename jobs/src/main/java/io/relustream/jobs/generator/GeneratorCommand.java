package io.relustream.jobs.generator;

import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordEncoder;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.options.Durations;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

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
        mixinStandardHelpOptions = true,
        description = "Produces synthetic feature vectors with dead features, NaN and late data.")
public final class GeneratorCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = "features",
            description = "Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(
            names = "--rate",
            defaultValue = "200",
            description = "Records per second. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--groups", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    int groups;

    @Option(
            names = "--dimensions",
            defaultValue = "16",
            description = "Values per record. Default: ${DEFAULT-VALUE}.")
    int dimensions;

    @Option(
            names = "--dead-share",
            defaultValue = "0.25",
            description =
                    "Share of each group's features that are dead. Default: ${DEFAULT-VALUE}.")
    double deadShare;

    @Option(
            names = "--recover-after",
            converter = Durations.Converter.class,
            defaultValue = "40s",
            description = "When the even dead features recover. Default: ${DEFAULT-VALUE}.")
    Duration recoverAfter;

    @Option(
            names = "--nan-share",
            defaultValue = "0.002",
            description = "Default: ${DEFAULT-VALUE}.")
    double nanShare;

    @Option(
            names = "--out-of-order",
            converter = Durations.Converter.class,
            defaultValue = "2s",
            description = "Maximum event-time lag. Default: ${DEFAULT-VALUE}.")
    Duration outOfOrder;

    @Option(
            names = "--late-share",
            defaultValue = "0.002",
            description = "Default: ${DEFAULT-VALUE}.")
    double lateShare;

    @Option(
            names = "--late-by",
            converter = Durations.Converter.class,
            defaultValue = "2m",
            description = "Default: ${DEFAULT-VALUE}.")
    Duration lateBy;

    @Option(
            names = "--count",
            defaultValue = "0",
            description =
                    "Stop after this many records; 0 runs until stopped. Default:"
                            + " ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--format",
            defaultValue = "avro-single-object",
            description = "avro-single-object or avro. Default: ${DEFAULT-VALUE}.")
    String format;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GeneratorCommand()).execute(args));
    }

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rate < 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--rate': " + rate + " must be >= 1");
        }
        WireFormat wireFormat;
        FeatureGenerator.Settings settings;
        try {
            wireFormat = WireFormat.parse(format);
            settings =
                    new FeatureGenerator.Settings(
                            groups,
                            dimensions,
                            deadShare,
                            recoverAfter,
                            nanShare,
                            outOfOrder,
                            lateShare,
                            lateBy,
                            seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.set(false)));
        long sent =
                produce(
                        bootstrapServers,
                        topic,
                        wireFormat,
                        new FeatureGenerator(settings),
                        rate,
                        count,
                        running);
        System.err.println("Produced " + sent + " records to " + topic);
        return 0;
    }

    /**
     * Produces records at {@code rate} per second until {@code count} (0: no limit) or until {@code
     * running} turns false.
     *
     * @return the number of records produced
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
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (running.get() && (count == 0 || sent < count)) {
                long due = start + sent * 1_000_000_000L / rate;
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
                                encoder.encode(vector)));
                sent++;
            }
            producer.flush();
        }
        return sent;
    }
}
