package io.relustream.benchmarks;

import io.relustream.avro.FeatureVector;
import io.relustream.formats.AvroRecordEncoder;
import io.relustream.formats.FeatureVectorKafkaDeserializer;
import io.relustream.formats.SourcedFeatureVector;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.ActivationStatsJob;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.List;
import java.util.Map;

/**
 * Records per second of the whole job (activations and statistics) on the in-process broker,
 * against a job that copies the bytes from topic to topic and one that decodes and re-encodes them:
 * the same source, sink, producer batch size and guarantee (at-least-once), parallelism 1, {@code
 * --bounded} over records produced beforehand; and a pass-through with Kafka's default batches.
 */
final class EndToEndHarness implements AutoCloseable {

    static final int DIMENSIONS = 64;

    /** The job's producers' batch.size; the baselines get the same unless they say otherwise. */
    private static final int JOB_BATCH_SIZE = 256 * 1024;

    private static final int KAFKA_DEFAULT_BATCH_SIZE = 16 * 1024;

    private final EmbeddedKafka kafka;
    private final int records;
    private final String input = "features";
    private int runs;

    EndToEndHarness(int records) throws Exception {
        this.records = records;
        this.kafka = EmbeddedKafka.start();
        kafka.createTopics(1, input);
        produce();
    }

    List<String> variants() {
        return List.of(
                "job",
                "job --no-derivatives",
                "pass-through",
                "pass-through, default batches",
                "decode + re-encode");
    }

    private void produce() throws Exception {
        AvroRecordEncoder<FeatureVector> encoder =
                AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);
        FeatureVector[] pool = Records.vectors(4096, DIMENSIONS, 8, 5);
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.LINGER_MS_CONFIG,
                        20,
                        ProducerConfig.BATCH_SIZE_CONFIG,
                        256 * 1024);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int r = 0; r < records; r++) {
                FeatureVector template = pool[r % pool.length];
                // Event times 1 ms apart: 100 windows of 10 s per million records (30 for the
                // suite's 300,000).
                FeatureVector vector =
                        FeatureVector.newBuilder(template)
                                .setId("r" + r)
                                .setEventTime(
                                        java.time.Instant.ofEpochMilli(1_700_000_000_000L + r))
                                .build();
                producer.send(new ProducerRecord<>(input, null, encoder.encode(vector)));
            }
            producer.flush();
        }
    }

    double run(String variant) throws Exception {
        String run = "run" + (runs++);
        long runtime;
        switch (variant) {
            case "job":
                runtime = job(run, true);
                break;
            case "job --no-derivatives":
                runtime = job(run, false);
                break;
            case "pass-through":
                runtime = copy(run, false, JOB_BATCH_SIZE);
                break;
            case "pass-through, default batches":
                runtime = copy(run, false, KAFKA_DEFAULT_BATCH_SIZE);
                break;
            case "decode + re-encode":
                runtime = copy(run, true, JOB_BATCH_SIZE);
                break;
            default:
                throw new IllegalArgumentException(variant);
        }
        return records * 1000.0 / Math.max(1, runtime);
    }

    private long job(String run, boolean derivatives) throws Exception {
        kafka.createTopics(1, run + "-a", run + "-s", run + "-al", run + "-d", run + "-l");
        JobOptions options =
                JobOptions.parse(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--bounded",
                        "--parallelism",
                        "1",
                        "--group-id",
                        run,
                        "--input-topic",
                        input,
                        "--output-topic",
                        run + "-a",
                        "--stats-topic",
                        run + "-s",
                        "--alerts-topic",
                        run + "-al",
                        "--dlq-topic",
                        run + "-d",
                        "--late-topic",
                        run + "-l",
                        derivatives ? "--derivatives" : "--no-derivatives");
        return ActivationStatsJob.run(options).getNetRuntime();
    }

    private long copy(String run, boolean decode, int batchSize) throws Exception {
        String output = run + "-copy";
        kafka.createTopics(1, output);
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        configuration.set(PipelineOptions.OBJECT_REUSE, true);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);
        env.enableCheckpointing(30_000);
        KafkaSink<byte[]> sink =
                KafkaSink.<byte[]>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setRecordSerializer(new BytesTo(output))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .setProperty(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(batchSize))
                        .build();
        if (decode) {
            KafkaSource<SourcedFeatureVector> source =
                    KafkaSource.<SourcedFeatureVector>builder()
                            .setBootstrapServers(kafka.bootstrapServers())
                            .setTopics(input)
                            .setGroupId(run)
                            .setStartingOffsets(OffsetsInitializer.earliest())
                            .setBounded(OffsetsInitializer.latest())
                            .setDeserializer(
                                    new FeatureVectorKafkaDeserializer(
                                            WireFormat.AVRO_SINGLE_OBJECT))
                            .build();
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "features")
                    .flatMap(new ReEncode())
                    .returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                    .sinkTo(sink);
        } else {
            KafkaSource<byte[]> source =
                    KafkaSource.<byte[]>builder()
                            .setBootstrapServers(kafka.bootstrapServers())
                            .setTopics(input)
                            .setGroupId(run)
                            .setStartingOffsets(OffsetsInitializer.earliest())
                            .setBounded(OffsetsInitializer.latest())
                            .setDeserializer(
                                    KafkaRecordDeserializationSchema.valueOnly(
                                            ByteArrayDeserializer.class))
                            .build();
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "features").sinkTo(sink);
        }
        return env.execute(run).getNetRuntime();
    }

    /** Decodes a record and writes it again, as the job's first and last steps do. */
    private static final class ReEncode implements FlatMapFunction<SourcedFeatureVector, byte[]> {
        private static final long serialVersionUID = 1L;
        private final AvroRecordEncoder<FeatureVector> encoder =
                AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT);

        @Override
        public void flatMap(SourcedFeatureVector record, Collector<byte[]> out) {
            if (record.vector != null) {
                out.collect(encoder.encode(record.vector));
            }
        }
    }

    /** Writes byte arrays as they are. */
    private static final class BytesTo implements KafkaRecordSerializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        BytesTo(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                byte[] value, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, value);
        }
    }

    @Override
    public void close() throws Exception {
        kafka.close();
    }
}
