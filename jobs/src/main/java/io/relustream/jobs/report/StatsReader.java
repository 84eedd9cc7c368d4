package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;
import io.relustream.formats.AvroRecordDecoder;
import io.relustream.formats.UndecodableRecordException;
import io.relustream.formats.WireFormat;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.ClassSecurityValidator;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link ActivationStats} from the job's stats topic or from an Avro object container file,
 * and writes such files.
 *
 * <pre>{@code
 * StatsReader.Result read =
 *         StatsReader.fromTopic("kafka:9092", "activation-stats",
 *                 WireFormat.AVRO_SINGLE_OBJECT, Map.of(), Duration.ofSeconds(30));
 * StatsReader.writeFile(read.records(), Path.of("stats.avro"));
 * List<ActivationStats> again = StatsReader.fromFile(Path.of("stats.avro"));
 * }</pre>
 *
 * <p>A topic is read without a consumer group, from the beginning of every partition up to the end
 * offsets it had when reading started, with {@code isolation.level=read_committed} (so an
 * exactly-once job's aborted records never show): records written after that are left for the next
 * report. Records come back partition by partition, in offset order.
 */
final class StatsReader {

    /** Names of the part files an export is written to before it replaces the file. */
    private static final SecureRandom PART_NAMES = new SecureRandom();

    private StatsReader() {}

    /**
     * Lets Avro create {@code ActivationStats}: Avro 1.12 refuses to instantiate classes outside
     * the packages trusted by {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES}, which a command run
     * with plain {@code java -cp} does not set. Only this one class is added to what is trusted.
     */
    static synchronized void trustStatsRecords() {
        ClassSecurityValidator.ClassSecurityPredicate trusted = ClassSecurityValidator.getGlobal();
        if (!trusted.isTrusted(ActivationStats.class)) {
            ClassSecurityValidator.setGlobal(
                    ClassSecurityValidator.composite(
                            trusted,
                            ClassSecurityValidator.builder().add(ActivationStats.class).build()));
        }
    }

    /** Reading went wrong in a way the user can act on; the message says how. */
    static final class ReadException extends Exception {
        private static final long serialVersionUID = 1L;

        ReadException(String message, Throwable cause) {
            super(message, cause);
        }

        ReadException(String message) {
            super(message);
        }
    }

    /** What a topic held: its statistics, and the records that were not statistics. */
    static final class Result {
        private final List<ActivationStats> records;
        private final int undecodable;
        private final String firstProblem;

        Result(List<ActivationStats> records, int undecodable, String firstProblem) {
            this.records = List.copyOf(records);
            this.undecodable = undecodable;
            this.firstProblem = firstProblem;
        }

        /** The statistics, partition by partition, in offset order. */
        List<ActivationStats> records() {
            return records;
        }

        /** Records that did not decode as {@code ActivationStats}; they are skipped. */
        int undecodable() {
            return undecodable;
        }

        /** Where the first undecodable record was and why it did not decode; null if none. */
        String firstProblem() {
            return firstProblem;
        }
    }

    /**
     * Checks the consumer's properties as the Kafka consumer will when {@link #fromTopic} creates
     * it, so that a bad one is an invalid option rather than a topic that cannot be read.
     *
     * @throws IllegalArgumentException with Kafka's words for what is wrong
     */
    static void checkConsumerConfig(
            String bootstrapServers, Map<String, String> kafkaProperties, Duration timeout) {
        Map<String, Object> config = consumerConfig(bootstrapServers, kafkaProperties, timeout);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try {
            // The subclass only reaches the constructor that does not log every value.
            new ConsumerConfig(config, false) {};
        } catch (KafkaException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Map<String, Object> consumerConfig(
            String bootstrapServers, Map<String, String> kafkaProperties, Duration timeout) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Looking at a topic must never create it.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "relu-stream-report");
        config.put(
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        // The user's properties may change any of these (security, isolation, client id).
        config.putAll(kafkaProperties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    /**
     * Reads the topic from the beginning to the end offsets it has now.
     *
     * @param kafkaProperties more consumer properties, e.g. {@code security.protocol}
     * @param timeout how long finding the topic and reading it up to those offsets may take
     * @throws ReadException when the topic does not exist or cannot be read within the timeout
     */
    static Result fromTopic(
            String bootstrapServers,
            String topic,
            WireFormat format,
            Map<String, String> kafkaProperties,
            Duration timeout)
            throws ReadException {
        Map<String, Object> config = consumerConfig(bootstrapServers, kafkaProperties, timeout);
        // A timeout of centuries has no nanoseconds in a long: it never runs out.
        long timeoutNanos =
                timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) < 0
                        ? timeout.toNanos()
                        : Long.MAX_VALUE;
        long start = System.nanoTime();
        trustStatsRecords();
        AvroRecordDecoder<ActivationStats> decoder =
                AvroRecordDecoder.of(ActivationStats.class, format);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, timeout);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new ReadException(
                        "Could not reach Kafka at "
                                + bootstrapServers
                                + " within "
                                + TimeTicks.duration(timeout)
                                + " to find topic '"
                                + topic
                                + "' ("
                                + e.getMessage()
                                + "); check --bootstrap-servers or raise --timeout",
                        e);
            }
            if (infos == null || infos.isEmpty()) {
                throw new ReadException(
                        "Topic '"
                                + topic
                                + "' does not exist on "
                                + bootstrapServers
                                + "; the job writes its statistics to --stats-topic"
                                + " (activation-stats by default)");
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.stream()
                    .sorted(Comparator.comparingInt(PartitionInfo::partition))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);

            Map<TopicPartition, List<ActivationStats>> read = new LinkedHashMap<>();
            partitions.forEach(partition -> read.put(partition, new ArrayList<>()));
            List<TopicPartition> pending = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                if (consumer.position(partition, timeout) < ends.get(partition)) {
                    pending.add(partition);
                } else {
                    consumer.pause(List.of(partition));
                }
            }
            int undecodable = 0;
            String firstProblem = null;
            while (!pending.isEmpty()) {
                if (System.nanoTime() - start > timeoutNanos) {
                    throw new ReadException(
                            "Timed out after "
                                    + TimeTicks.duration(timeout)
                                    + " reading topic '"
                                    + topic
                                    + "' up to its end offsets "
                                    + ends
                                    + "; raise --timeout");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition =
                            new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= ends.get(partition)) {
                        // Written after the report started: left for the next one.
                        continue;
                    }
                    try {
                        read.get(partition).add(decoder.decode(record.value()));
                    } catch (UndecodableRecordException e) {
                        if (undecodable++ == 0) {
                            firstProblem =
                                    "partition "
                                            + record.partition()
                                            + ", offset "
                                            + record.offset()
                                            + ": "
                                            + e.getMessage();
                        }
                    }
                }
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition partition : pending) {
                    if (consumer.position(partition, timeout) >= ends.get(partition)) {
                        done.add(partition);
                    }
                }
                consumer.pause(done);
                pending.removeAll(done);
            }
            List<ActivationStats> records = new ArrayList<>();
            read.values().forEach(records::addAll);
            return new Result(records, undecodable, firstProblem);
        } catch (KafkaException e) {
            throw new ReadException(
                    "Could not read topic '"
                            + topic
                            + "' from "
                            + bootstrapServers
                            + ": "
                            + withCauses(e),
                    e);
        }
    }

    /**
     * The message of an exception and of its causes: "Failed to construct kafka consumer" alone
     * does not say that, for instance, a SASL mechanism lacks its JAAS configuration.
     */
    private static String withCauses(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }

    /**
     * Reads an Avro object container file of {@code ActivationStats}, as {@link #writeFile} or
     * {@code avro-tools} write them; records of any released schema version read.
     *
     * @throws ReadException when the file is not such a file
     */
    static List<ActivationStats> fromFile(Path file) throws ReadException {
        trustStatsRecords();
        try (DataFileReader<ActivationStats> reader =
                new DataFileReader<>(file.toFile(), resolvingReader())) {
            Schema writer = reader.getSchema();
            try {
                AvroRecordDecoder.checkReadable(ActivationStats.class, writer);
            } catch (IllegalArgumentException e) {
                throw new ReadException(
                        "'"
                                + file
                                + "' is not a file of ActivationStats records: "
                                + e.getMessage());
            }
            List<ActivationStats> records = new ArrayList<>();
            try {
                while (reader.hasNext()) {
                    records.add(reader.next());
                }
            } catch (LinkageError e) {
                // Avro loads a codec's library only when a block needs it: xz is not on the class
                // path, and bzip2's needs a newer commons-io than Flink brings.
                throw new ReadException(
                        "Cannot read '"
                                + file
                                + "': its blocks are compressed with the '"
                                + reader.getMetaString(DataFileConstants.CODEC)
                                + "' codec, whose library is missing here or of another version ("
                                + e
                                + "); write it with deflate, snappy, zstandard or no codec",
                        e);
            }
            // Avro's reader takes a file that ends inside a block for one that ends there: a
            // whole file ends with the sync marker of its last block.
            long complete = reader.previousSync();
            long size = Files.size(file);
            if (complete != size) {
                throw new ReadException(
                        "'"
                                + file
                                + "' is truncated or corrupt: it ends inside a block, "
                                + (size - complete)
                                + " bytes after the last whole one ("
                                + records.size()
                                + (records.size() == 1 ? " record read)" : " records read)"));
            }
            return records;
        } catch (IOException | RuntimeException e) {
            // Avro's readers meet corrupt bytes with whatever exception the bytes lead them to: a
            // NullPointerException where a file ends one byte into a block, an
            // UnsupportedOperationException for a string of gigabytes.
            throw new ReadException(
                    "Cannot read '"
                            + file
                            + "' as an Avro object container file of ActivationStats records: "
                            + problem(e),
                    e);
        }
    }

    /**
     * A reader of {@code ActivationStats} that resolves any writer {@link
     * AvroRecordDecoder#checkReadable} accepts, with Avro's classic reader: Avro 1.12's fast reader
     * converts a logical type twice when the writer wraps the field in a union (e.g. {@code
     * window_start} as {@code ["long"]} of {@code timestamp-millis}), and so failed on every record
     * of such a file.
     */
    private static SpecificDatumReader<ActivationStats> resolvingReader() {
        SpecificData model = SpecificData.getForClass(ActivationStats.class);
        SpecificData classic = new SpecificData(ActivationStats.class.getClassLoader());
        model.getConversions().forEach(classic::addLogicalTypeConversion);
        classic.setFastReaderEnabled(false);
        return new SpecificDatumReader<>(
                ActivationStats.getClassSchema(), ActivationStats.getClassSchema(), classic);
    }

    /** What went wrong in reading a file, also for exceptions without a message. */
    private static String problem(Exception e) {
        if (e instanceof EOFException && e.getMessage() == null) {
            // A file cut inside its header, which holds the writer schema.
            return "it ends too early (truncated?)";
        }
        if (e instanceof IOException || e instanceof AvroRuntimeException) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        // A NullPointerException's message names Avro's variables, which say nothing here.
        boolean told = e.getMessage() != null && !(e instanceof NullPointerException);
        return "it is truncated or corrupt (Avro's reader failed with "
                + e.getClass().getSimpleName()
                + (told ? ": " + e.getMessage() : "")
                + ")";
    }

    /**
     * Writes the records to an Avro object container file (deflate), replacing the file only once
     * all are written: the file may be the one the records were read from ({@code --input}), which
     * a write that fails part-way must leave as it was.
     */
    static void writeFile(List<ActivationStats> records, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        // Beside the file, so that the move is a rename within one file system; created as any
        // new file (the umask decides who may read it), not as an owner-only temporary file.
        Path written;
        OutputStream out;
        while (true) {
            written =
                    parent.resolve(
                            file.getFileName()
                                    + "."
                                    + Long.toUnsignedString(PART_NAMES.nextLong(), 36)
                                    + ".part");
            try {
                out = Files.newOutputStream(written, StandardOpenOption.CREATE_NEW);
                break;
            } catch (FileAlreadyExistsException taken) {
                // Another part file has the name: draw another.
            }
        }
        try {
            // The stream too: a writer that fails in create() does not close it.
            try (OutputStream stream = out;
                    DataFileWriter<ActivationStats> writer =
                            new DataFileWriter<>(
                                    new SpecificDatumWriter<>(ActivationStats.class))) {
                writer.setCodec(CodecFactory.deflateCodec(6));
                writer.create(ActivationStats.getClassSchema(), stream);
                for (ActivationStats record : records) {
                    writer.append(record);
                }
            }
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(written);
        }
    }
}
