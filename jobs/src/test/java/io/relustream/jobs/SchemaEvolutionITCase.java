package io.relustream.jobs;

import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.avro.history.SchemaHistory;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Producers and the job upgrading their FeatureVector schema at different times, on the real
 * broker. v2 adds an optional field {@code source} with a default ({@code
 * src/test/resources/evolution/FeatureVector-v2.avsc}); this build's job reads v1.
 */
class SchemaEvolutionITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T0 = 1_700_000_000_000L;

    private static EmbeddedKafka kafka;
    private static KafkaTopics topics;
    private static Schema v2;
    private static Path v2File;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        topics = new KafkaTopics(kafka.bootstrapServers());
        try (InputStream in =
                SchemaEvolutionITCase.class.getResourceAsStream(
                        "/evolution/FeatureVector-v2.avsc")) {
            byte[] json = in.readAllBytes();
            v2 = new Schema.Parser().parse(new String(json, StandardCharsets.UTF_8));
            v2File = Files.createTempFile("FeatureVector-v2", ".avsc");
            Files.write(v2File, json);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
        Files.deleteIfExists(v2File);
    }

    private static GenericRecord v2Record(String id, long eventTime, double... values) {
        GenericData.Record record = new GenericData.Record(v2);
        record.put("id", id);
        record.put("event_time", eventTime);
        record.put("group", "g");
        List<Double> list = new ArrayList<>();
        for (double v : values) {
            list.add(v);
        }
        record.put("values", list);
        record.put("source", "producer-7");
        return record;
    }

    private static byte[] v2SingleObject(GenericRecord record) throws Exception {
        return TestRecords.bytes(
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(record));
    }

    private static byte[] rawAvro(Schema schema, Object record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<>(schema, GenericData.get()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static GenericRecord v1Generic(FeatureVector vector) {
        GenericData.Record record = new GenericData.Record(FeatureVector.getClassSchema());
        record.put("id", vector.getId());
        record.put("event_time", vector.getEventTime().toEpochMilli());
        record.put("group", vector.getGroup());
        record.put("values", vector.getValues());
        return record;
    }

    /** v1 and v2 records interleaved, in single-object encoding. */
    private static List<ProducerRecord<byte[], byte[]>> mixedVersions(String topic)
            throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(TestRecords.record(topic, 0, TestRecords.vector("v1-a", T0, "g", -1.0, 2.0)));
        records.add(
                new ProducerRecord<>(
                        topic, 0, null, v2SingleObject(v2Record("v2-a", T0 + 1_000, 3.0, -4.0))));
        records.add(
                TestRecords.record(
                        topic, 0, TestRecords.vector("v1-b", T0 + 2_000, "g", 5.0, 0.0)));
        records.add(
                new ProducerRecord<>(
                        topic, 0, null, v2SingleObject(v2Record("v2-b", T0 + 3_000, -6.0, 7.0))));
        return records;
    }

    private static JobExecutionResult run(JobTopics names, String... extra) throws Exception {
        List<String> args = new ArrayList<>();
        args.addAll(
                List.of(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--bounded",
                        "--parallelism",
                        "1"));
        args.addAll(names.args());
        args.addAll(List.of(extra));
        return ActivationStatsJob.run(JobOptions.parse(args.toArray(new String[0])));
    }

    private static Map<String, List<Double>> activations(JobTopics names) {
        return activations(names, ActivationVector::fromByteBuffer);
    }

    private static Map<String, List<Double>> activations(
            JobTopics names, TestRecords.Decoder<ActivationVector> decoder) {
        return TestRecords.decodeAll(topics.readAll(names.activations), decoder).stream()
                .collect(
                        Collectors.toMap(
                                ActivationVector::getId, ActivationVector::getActivations));
    }

    private static JobTopics topics(TestInfo test) throws Exception {
        return JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
    }

    @Test
    void producersUpgradeFirstAndTheV1JobReadsV2GivenItsSchema(TestInfo test) throws Exception {
        JobTopics names = topics(test);
        topics.produce(mixedVersions(names.features));

        run(names, "--writer-schemas", v2File.toString());

        assertThat(activations(names))
                .containsOnly(
                        Map.entry("v1-a", List.of(0.0, 2.0)),
                        Map.entry("v2-a", List.of(3.0, 0.0)),
                        Map.entry("v1-b", List.of(5.0, 0.0)),
                        Map.entry("v2-b", List.of(0.0, 7.0)));
        assertThat(topics.readAll(names.dlq)).isEmpty();
    }

    @Test
    void withoutTheirSchemaV2RecordsAreDeadLetteredAndTheJobGoesOn(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = topics(test);
        List<ProducerRecord<byte[], byte[]>> records = mixedVersions(names.features);
        topics.produce(records);

        JobExecutionResult result = run(names);

        assertThat(activations(names)).containsOnlyKeys("v1-a", "v1-b");
        List<DeadLetter> letters =
                TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
        String reason =
                String.format(
                        "unknown writer schema fingerprint %016x"
                                + " (SchemaNormalization.parsingFingerprint64 in hex; the header"
                                + " holds it little-endian): it is none of the FeatureVector"
                                + " versions this job knows (v1); give the job the producer's"
                                + " schema, a record named FeatureVector in any namespace"
                                + " (--writer-schemas, or AvroRecordDecoder.withWriterSchemas),"
                                + " or deploy a build that has it",
                        SchemaNormalization.parsingFingerprint64(v2));
        assertThat(letters).extracting(DeadLetter::getOffset).containsExactly(1L, 3L);
        assertThat(letters).extracting(DeadLetter::getReason).containsOnly(reason);
        assertThat(letters.get(0).getPayload()).isEqualTo(ByteBuffer.wrap(records.get(1).value()));
        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());
    }

    /**
     * FLINK-18049: with plain Avro (no fingerprint), a column added upstream leaves bytes the v1
     * reader does not read; a decoder that carries them over corrupts the next record or kills the
     * job. Here the v2 record is dead-lettered with the reason and the records around it are read
     * exactly.
     */
    @Test
    void addedColumnInPlainAvroNeverCorruptsTheNextRecord(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobTopics names = topics(test);
        FeatureVector before = TestRecords.vector("v1-before", T0, "g", -1.5, 2.5);
        FeatureVector after = TestRecords.vector("v1-after", T0 + 2_000, "g", 4.0, -8.0);
        byte[] added = rawAvro(v2, v2Record("v2-between", T0 + 1_000, 3.0, -4.0));
        // The v2 bytes are the v1 bytes of the same fields followed by the new union field:
        // branch 1 (string) and "producer-7", 1 + 1 + 10 bytes.
        GenericRecord asV1 =
                v1Generic(TestRecords.vector("v2-between", T0 + 1_000, "g", 3.0, -4.0));
        byte[] v1Part = rawAvro(FeatureVector.getClassSchema(), asV1);
        assertThat(added).hasSize(v1Part.length + 12).startsWith(v1Part);

        topics.produce(
                List.of(
                        new ProducerRecord<>(
                                names.features,
                                0,
                                null,
                                rawAvro(FeatureVector.getClassSchema(), v1Generic(before))),
                        new ProducerRecord<>(names.features, 0, null, added),
                        new ProducerRecord<>(
                                names.features,
                                0,
                                null,
                                rawAvro(FeatureVector.getClassSchema(), v1Generic(after)))));

        JobExecutionResult result = run(names, "--format", "avro");

        assertThat(activations(names, TestRecords.plainAvro(ActivationVector.class)))
                .containsOnly(
                        Map.entry("v1-before", List.of(0.0, 2.5)),
                        Map.entry("v1-after", List.of(4.0, 0.0)));
        List<DeadLetter> letters =
                TestRecords.decodeAll(
                        topics.readAll(names.dlq), TestRecords.plainAvro(DeadLetter.class));
        assertThat(letters)
                .extracting(DeadLetter::getOffset, DeadLetter::getReason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                1L,
                                "payload has 12 trailing bytes after the FeatureVector record"));
        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());
    }

    /**
     * Producers of two newer schemas given as a folder: one writes its values as ints, its event
     * time as a plain long and adds an enum and a map; the other writes floats and adds a record.
     * Avro widens int and float to double; the added fields are skipped. Bytes of those writers
     * that are cut short or run on, and a v2 record the job was not given, are dead-lettered with
     * their reasons, each input once.
     */
    @Test
    void newerWritersThatWidenTypesAreReadGivenAsAFolderAndTheirBadBytesDeadLettered(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        String current = FeatureVector.getClassSchema().toString();
        String millis = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
        Schema ints =
                new Schema.Parser()
                        .parse(
                                current.replace("\"items\":\"double\"", "\"items\":\"int\"")
                                        .replace(
                                                "\"event_time\",\"type\":" + millis,
                                                "\"event_time\",\"type\":\"long\"")
                                        .replaceFirst(
                                                "]}$",
                                                ",{\"name\":\"kind\",\"type\":{\"type\":"
                                                        + "\"enum\",\"name\":\"Kind\","
                                                        + "\"symbols\":[\"A\",\"B\",\"C\"]},"
                                                        + "\"default\":\"A\"},{\"name\":"
                                                        + "\"tags\",\"type\":{\"type\":\"map\","
                                                        + "\"values\":\"string\"},"
                                                        + "\"default\":{}}]}"));
        Schema floats =
                new Schema.Parser()
                        .parse(
                                current.replace("\"items\":\"double\"", "\"items\":\"float\"")
                                        .replaceFirst(
                                                "]}$",
                                                ",{\"name\":\"meta\",\"type\":[\"null\","
                                                        + "{\"type\":\"record\",\"name\":"
                                                        + "\"Meta\",\"fields\":[{\"name\":"
                                                        + "\"host\",\"type\":\"string\"}]}],"
                                                        + "\"default\":null}]}"));
        assertThat(ints.getField("values").schema().getElementType().getType())
                .isEqualTo(Schema.Type.INT);
        assertThat(ints.getField("event_time").schema().getLogicalType()).isNull();
        assertThat(floats.getField("values").schema().getElementType().getType())
                .isEqualTo(Schema.Type.FLOAT);
        Path folder = Files.createTempDirectory("writer-schemas");
        Files.writeString(folder.resolve("FeatureVector-ints.avsc"), ints.toString(true));
        Files.writeString(folder.resolve("FeatureVector-floats.avsc"), floats.toString(true));

        GenericData.Record intRecord = new GenericData.Record(ints);
        intRecord.put("id", "i1");
        intRecord.put("event_time", T0);
        intRecord.put("group", "g");
        intRecord.put("values", List.of(-3, 4));
        intRecord.put("kind", new GenericData.EnumSymbol(ints.getField("kind").schema(), "C"));
        intRecord.put("tags", Map.of());
        GenericData.Record floatRecord = new GenericData.Record(floats);
        floatRecord.put("id", "f1");
        floatRecord.put("event_time", T0 + 1_000);
        floatRecord.put("group", "g");
        floatRecord.put("values", List.of(-1.5f, 0.1f));
        GenericData.Record meta =
                new GenericData.Record(floats.getField("meta").schema().getTypes().get(1));
        meta.put("host", "tm-1");
        floatRecord.put("meta", meta);
        byte[] intBytes =
                TestRecords.bytes(
                        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), ints)
                                .encode(intRecord));
        byte[] floatBytes =
                TestRecords.bytes(
                        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), floats)
                                .encode(floatRecord));
        // Header 0-9; id "i1" 10-12; event_time, zig-zag 3.4e12 in 42 bits, six bytes 13-18;
        // group "g" 19-20; values: count 2 at 21, -3 and 4 at 22 and 23, the end at 24; kind at
        // 25; the empty map at 26.
        assertThat(intBytes).hasSize(27);
        byte[] cut = Arrays.copyOf(intBytes, 24);
        byte[] runOn = Arrays.copyOf(floatBytes, floatBytes.length + 2);

        JobTopics names = topics(test);
        String topic = names.features;
        topics.produce(
                List.of(
                        new ProducerRecord<>(topic, 0, null, intBytes),
                        new ProducerRecord<>(topic, 0, null, cut),
                        new ProducerRecord<>(topic, 0, null, floatBytes),
                        new ProducerRecord<>(topic, 0, null, runOn),
                        new ProducerRecord<>(
                                topic, 0, null, v2SingleObject(v2Record("v2", T0 + 2_000, 1.0))),
                        TestRecords.record(
                                topic, 0, TestRecords.vector("v1", T0 + 3_000, "g", -2.0, 8.0))));

        JobExecutionResult result;
        try {
            result = run(names, "--writer-schemas", folder.toString());
        } finally {
            try (var files = Files.list(folder)) {
                for (Path file : files.collect(Collectors.toList())) {
                    Files.delete(file);
                }
            }
            Files.delete(folder);
        }

        assertThat(activations(names))
                .containsOnly(
                        Map.entry("i1", List.of(0.0, 4.0)),
                        // 0.1f widened exactly: 0.10000000149011612.
                        Map.entry("f1", List.of(0.0, 0.10000000149011612)),
                        Map.entry("v1", List.of(0.0, 8.0)));
        List<DeadLetter> letters =
                TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer);
        // Files of a folder are taken sorted by name: floats before ints.
        String known =
                String.format(
                        "v1, %016x (given), %016x (given)",
                        SchemaNormalization.parsingFingerprint64(floats),
                        SchemaNormalization.parsingFingerprint64(ints));
        assertThat(letters)
                .extracting(DeadLetter::getOffset, DeadLetter::getReason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                1L,
                                "payload is truncated: FeatureVector.values needs 1 more byte at"
                                        + " byte 24 but the payload ends at byte 24"),
                        org.assertj.core.groups.Tuple.tuple(
                                3L, "payload has 2 trailing bytes after the FeatureVector record"),
                        org.assertj.core.groups.Tuple.tuple(
                                4L,
                                String.format(
                                        "unknown writer schema fingerprint %016x"
                                                + " (SchemaNormalization.parsingFingerprint64 in"
                                                + " hex; the header holds it little-endian): it is"
                                                + " none of the FeatureVector versions this job"
                                                + " knows (%s); give the job the producer's"
                                                + " schema, a record named FeatureVector in any"
                                                + " namespace (--writer-schemas, or"
                                                + " AvroRecordDecoder.withWriterSchemas), or"
                                                + " deploy a build that has it",
                                        SchemaNormalization.parsingFingerprint64(v2), known)));
        assertThat(letters.get(0).getPayload()).isEqualTo(ByteBuffer.wrap(cut));
        assertThat(letters.get(1).getPayload()).isEqualTo(ByteBuffer.wrap(runOn));
        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());
    }

    /**
     * Producers on every released FeatureVector version, each record written by Avro's own
     * GenericDatumWriter under the released file, and producers of newer writers given with
     * --writer-schemas: one with the fields in reverse order, one writing event_time as an int and
     * the values as longs, one whose record is com.acme.FeatureVector. Avro resolves fields by
     * name, a record by its name without the namespace, and widens int to long and long to double;
     * the job's activations carry what that resolution gives.
     */
    @Test
    void everyReleasedVersionAndWritersThatReorderOrPromoteFieldsAreReadByTheJob(TestInfo test)
            throws Exception {
        String millis = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
        Schema reversed =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"FeatureVector\","
                                        + "\"namespace\":\"io.relustream.avro\",\"fields\":["
                                        + "{\"name\":\"values\",\"type\":{\"type\":\"array\","
                                        + "\"items\":\"double\"}},"
                                        + "{\"name\":\"group\",\"type\":\"string\"},"
                                        + "{\"name\":\"event_time\",\"type\":"
                                        + millis
                                        + "},{\"name\":\"id\",\"type\":\"string\"}]}");
        String current = FeatureVector.getClassSchema().toString();
        Schema promoted =
                new Schema.Parser()
                        .parse(
                                current.replace(
                                                "\"event_time\",\"type\":" + millis,
                                                "\"event_time\",\"type\":\"int\"")
                                        .replace("\"items\":\"double\"", "\"items\":\"long\""));
        Schema acme =
                new Schema.Parser()
                        .parse(
                                current.replace(
                                        "\"namespace\":\"io.relustream.avro\"",
                                        "\"namespace\":\"com.acme\""));
        assertThat(acme.getFullName()).isEqualTo("com.acme.FeatureVector");
        Path reversedFile = Files.createTempFile("FeatureVector-reversed", ".avsc");
        Path promotedFile = Files.createTempFile("FeatureVector-promoted", ".avsc");
        Path acmeFile = Files.createTempFile("FeatureVector-acme", ".avsc");
        Files.writeString(reversedFile, reversed.toString(true));
        Files.writeString(promotedFile, promoted.toString(true));
        Files.writeString(acmeFile, acme.toString(true));

        JobTopics names = topics(test);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        // First: its event time, an int of milliseconds, is 1970-01-01T00:16:40Z.
        records.add(
                singleObject(
                        names.features,
                        promoted,
                        Map.of(
                                "id",
                                "promoted",
                                "event_time",
                                1_000_000,
                                "group",
                                "g",
                                "values",
                                List.of(-3L, 9_007_199_254_740_993L))));
        List<Schema> released = SchemaHistory.versions("FeatureVector");
        for (int i = 0; i < released.size(); i++) {
            Map<String, Object> fields = new HashMap<>();
            for (Schema.Field field : released.get(i).getFields()) {
                if (field.hasDefaultValue()) {
                    fields.put(field.name(), GenericData.get().getDefaultValue(field));
                }
            }
            fields.putAll(
                    Map.of(
                            "id",
                            "v" + (i + 1),
                            "event_time",
                            T0 + 1_000L * i,
                            "group",
                            "g",
                            "values",
                            List.of(-1.5, 2.5)));
            records.add(singleObject(names.features, released.get(i), fields));
        }
        records.add(
                singleObject(
                        names.features,
                        reversed,
                        Map.of(
                                "values",
                                List.of(4.0, -0.25),
                                "group",
                                "h",
                                "event_time",
                                T0 + 60_000,
                                "id",
                                "reversed")));
        records.add(
                singleObject(
                        names.features,
                        acme,
                        Map.of(
                                "id",
                                "acme",
                                "event_time",
                                T0 + 120_000,
                                "group",
                                "g",
                                "values",
                                List.of(-7.5, 0.125))));
        topics.produce(records);

        try {
            run(names, "--writer-schemas", reversedFile + "," + promotedFile + "," + acmeFile);
        } finally {
            Files.delete(reversedFile);
            Files.delete(promotedFile);
            Files.delete(acmeFile);
        }

        Map<String, String> expected = new LinkedHashMap<>();
        // 2^53 + 1 as a double is 2^53: the widening rounds to the nearest double.
        expected.put("promoted", "1970-01-01T00:16:40Z g [0.0, 9.007199254740992E15]");
        for (int i = 0; i < released.size(); i++) {
            expected.put("v" + (i + 1), Instant.ofEpochMilli(T0 + 1_000L * i) + " g [0.0, 2.5]");
        }
        expected.put("reversed", "2023-11-14T22:14:20Z h [4.0, 0.0]");
        expected.put("acme", "2023-11-14T22:15:20Z g [0.0, 0.125]");
        assertThat(
                        TestRecords.decodeAll(
                                        topics.readAll(names.activations),
                                        ActivationVector::fromByteBuffer)
                                .stream()
                                .collect(
                                        Collectors.toMap(
                                                ActivationVector::getId,
                                                a ->
                                                        a.getEventTime()
                                                                + " "
                                                                + a.getGroup()
                                                                + " "
                                                                + a.getActivations())))
                .isEqualTo(expected);
        assertThat(topics.readAll(names.dlq)).isEmpty();
    }

    /**
     * A producer whose schema says timestamp-micros, given to the job by no one: logical types are
     * not in the fingerprint, so its records carry the job's own and are read, their event times a
     * thousand times too large. Each is dead-lettered, its reason naming the instant it is in
     * microseconds; the records of the producer on v1 around it are read.
     */
    @Test
    void aTimestampMicrosProducersRecordsAreDeadLetteredNamingTheirInstantInMicroseconds(
            TestInfo test, @InjectMiniCluster MiniCluster cluster) throws Exception {
        Schema micros =
                new Schema.Parser()
                        .parse(
                                FeatureVector.getClassSchema()
                                        .toString()
                                        .replace("timestamp-millis", "timestamp-micros"));
        assertThat(SchemaNormalization.parsingFingerprint64(micros))
                .isEqualTo(
                        SchemaNormalization.parsingFingerprint64(FeatureVector.getClassSchema()));
        JobTopics names = topics(test);
        topics.produce(
                List.of(
                        TestRecords.record(
                                names.features, 0, TestRecords.vector("v1-a", T0, "g", -1.0)),
                        singleObject(
                                names.features,
                                micros,
                                Map.of(
                                        "id",
                                        "micros",
                                        "event_time",
                                        (T0 + 1_000) * 1_000,
                                        "group",
                                        "g",
                                        "values",
                                        List.of(2.0))),
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("v1-b", T0 + 2_000, "g", 3.0))));

        JobExecutionResult result = run(names);

        assertThat(activations(names))
                .containsOnly(Map.entry("v1-a", List.of(0.0)), Map.entry("v1-b", List.of(3.0)));
        assertThat(TestRecords.decodeAll(topics.readAll(names.dlq), DeadLetter::fromByteBuffer))
                .extracting(DeadLetter::getOffset, DeadLetter::getReason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                1L,
                                "event_time 1700000001000000 (+55840-11-08T22:30:00Z) is after"
                                        + " 9999-12-31T23:59:59.999Z; event times must be before"
                                        + " the year 10000 (event_time is timestamp-millis; read"
                                        + " as microseconds, as a timestamp-micros producer"
                                        + " writes it, it is 2023-11-14T22:13:21Z)"));
        JobOutputAssertions.assertNeverRestarted(cluster, result.getJobID());
    }

    /**
     * Consumers that have not upgraded: each output topic read in each format with every released
     * version of its record as the reader schema, by Avro's own readers given the job's schema as
     * the writer's (from the schemas of this build, as a consumer gets a newer writer's schema),
     * gives the values the job computed. Inputs: relu over [-1, 2] and [-3, 4] in the 10 s window
     * at T0, [-1, 0.5] in the next, and three bytes that are no record.
     */
    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void consumersOnEveryReleasedVersionReadTheJobsOutputs(WireFormat format, TestInfo test)
            throws Exception {
        JobTopics names =
                JobTopics.create(
                        kafka,
                        test.getTestMethod().orElseThrow().getName() + "-" + format.optionValue(),
                        1);
        List<FeatureVector> vectors =
                List.of(
                        TestRecords.vector("r0", T0, "g", -1.0, 2.0),
                        TestRecords.vector("r1", T0 + 1_000, "g", -3.0, 4.0),
                        TestRecords.vector("r2", T0 + 10_000, "g", -1.0, 0.5));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (FeatureVector vector : vectors) {
            byte[] value =
                    format == WireFormat.AVRO
                            ? rawAvro(FeatureVector.getClassSchema(), v1Generic(vector))
                            : TestRecords.singleObject(vector);
            records.add(new ProducerRecord<>(names.features, 0, null, value));
        }
        byte[] bad = {1, 2, 3};
        records.add(2, new ProducerRecord<>(names.features, 0, null, bad));
        topics.produce(records);

        run(
                names,
                "--format",
                format.optionValue(),
                "--dead-windows",
                "1",
                "--sparsity-limit",
                "0.4");

        String window0 = "window_start=" + T0 + " window_end=" + (T0 + 10_000);
        String window1 = "window_start=" + (T0 + 10_000) + " window_end=" + (T0 + 20_000);
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put(
                "ActivationVector",
                List.of(
                        "id=r0 event_time="
                                + T0
                                + " group=g activation=relu"
                                + " activations=[0.0, 2.0] derivatives=[0.0, 1.0]",
                        "id=r1 event_time="
                                + (T0 + 1_000)
                                + " group=g activation=relu"
                                + " activations=[0.0, 4.0] derivatives=[0.0, 1.0]",
                        "id=r2 event_time="
                                + (T0 + 10_000)
                                + " group=g activation=relu"
                                + " activations=[0.0, 0.5] derivatives=[0.0, 1.0]"));
        // [0, 2, 0, 4]: half zero; mean 1.5, variance (2.25 + 0.25 + 2.25 + 6.25) / 4 = 2.75.
        expected.put(
                "ActivationStats",
                List.of(
                        "group=g "
                                + window0
                                + " activation=relu record_count=2 value_count=4 zero_count=2"
                                + " zero_fraction=0.5 nan_count=0 pos_inf_count=0"
                                + " neg_inf_count=0 negative_input_fraction=0.5"
                                + " min=0.0 max=4.0 mean=1.5 stddev="
                                + Math.sqrt(2.75)
                                + " per_feature_zero_fraction=[1.0, 0.0] dead_features=[0]",
                        "group=g "
                                + window1
                                + " activation=relu record_count=1 value_count=2 zero_count=1"
                                + " zero_fraction=0.5 nan_count=0 pos_inf_count=0"
                                + " neg_inf_count=0 negative_input_fraction=0.5"
                                + " min=0.0 max=0.5 mean=0.25 stddev=0.25"
                                + " per_feature_zero_fraction=[1.0, 0.0] dead_features=[0]"));
        // Feature 0 dead from the first window on (at the default --dead-threshold, 1.0); 0.5
        // crosses the limit 0.4 there, and stays.
        expected.put(
                "ActivationAlert",
                List.of(
                        "group=g kind=dead_feature feature=0 "
                                + window0
                                + " value=1.0 threshold=1.0 activation=relu",
                        "group=g kind=sparsity_above feature=null "
                                + window0
                                + " value=0.5 threshold=0.4 activation=relu"));
        expected.put(
                "DeadLetter",
                List.of(
                        "topic="
                                + names.features
                                + " partition=0 offset=2 reason="
                                + (format == WireFormat.AVRO
                                        ? "payload is not valid Avro: FeatureVector.id at byte 1:"
                                                + " negative length -1"
                                        : "payload does not start with the Avro single-object"
                                                + " marker C3 01 (found 01 02): it is not a"
                                                + " FeatureVector record in avro-single-object"
                                                + " format")));
        Map<String, String> topicOf =
                Map.of(
                        "ActivationVector", names.activations,
                        "ActivationStats", names.stats,
                        "ActivationAlert", names.alerts,
                        "DeadLetter", names.dlq);
        // All but the sketch's quantiles, an alert's message in words, and a dead letter's error
        // and failed_at (the time of the run): enough values to tell a field read wrong.
        Map<String, List<String>> fieldsOf =
                Map.of(
                        "ActivationVector",
                        List.of(
                                "id",
                                "event_time",
                                "group",
                                "activation",
                                "activations",
                                "derivatives"),
                        "ActivationStats",
                        List.of(
                                "group",
                                "window_start",
                                "window_end",
                                "activation",
                                "record_count",
                                "value_count",
                                "zero_count",
                                "zero_fraction",
                                "nan_count",
                                "pos_inf_count",
                                "neg_inf_count",
                                "negative_input_fraction",
                                "min",
                                "max",
                                "mean",
                                "stddev",
                                "per_feature_zero_fraction",
                                "dead_features"),
                        "ActivationAlert",
                        List.of(
                                "group",
                                "kind",
                                "feature",
                                "window_start",
                                "window_end",
                                "value",
                                "threshold",
                                "activation"),
                        "DeadLetter",
                        List.of("topic", "partition", "offset", "reason"));
        for (String record : expected.keySet()) {
            Schema written = currentSchema(record);
            List<byte[]> values =
                    topics.readAll(topicOf.get(record)).stream()
                            .map(r -> r.value())
                            .collect(Collectors.toList());
            List<Schema> versions = SchemaHistory.versions(record);
            for (int v = 0; v < versions.size(); v++) {
                List<String> read = new ArrayList<>();
                for (byte[] value : values) {
                    GenericRecord asRead = readAs(versions.get(v), written, value, format);
                    read.add(
                            fieldsOf.get(record).stream()
                                    .map(field -> field + "=" + asRead.get(field))
                                    .collect(Collectors.joining(" ")));
                    if (record.equals("DeadLetter")) {
                        assertThat(asRead.get("payload")).isEqualTo(ByteBuffer.wrap(bad));
                    }
                }
                assertThat(read).as("%s v%d", record, v + 1).isEqualTo(expected.get(record));
            }
        }
    }

    private static Schema currentSchema(String record) throws Exception {
        return (Schema)
                Class.forName("io.relustream.avro." + record)
                        .getMethod("getClassSchema")
                        .invoke(null);
    }

    /** {@code bytes} of {@code writer} read with {@code reader}, as Avro's own readers do. */
    private static GenericRecord readAs(
            Schema reader, Schema writer, byte[] bytes, WireFormat format) throws Exception {
        if (format == WireFormat.AVRO) {
            return new GenericDatumReader<GenericRecord>(writer, reader)
                    .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        }
        BinaryMessageDecoder<GenericRecord> decoder =
                new BinaryMessageDecoder<>(GenericData.get(), reader);
        decoder.addSchema(writer);
        return decoder.decode(bytes);
    }

    /** A record of {@code fields} written under {@code writer} by Avro, in single-object form. */
    private static ProducerRecord<byte[], byte[]> singleObject(
            String topic, Schema writer, Map<String, Object> fields) throws Exception {
        GenericData.Record record = new GenericData.Record(writer);
        fields.forEach(record::put);
        return new ProducerRecord<>(
                topic,
                0,
                null,
                TestRecords.bytes(
                        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer)
                                .encode(record)));
    }

    /**
     * Consumers upgrade first: data written with v1 (single-object) read with v2 as reader,
     * resolving the writer by fingerprint against the released versions in {@code schemas/}. A job
     * built with v2 reads this way; this build's job is v1, so the check is on Avro's resolution
     * with the same schemas.
     */
    @Test
    void v1DataIsReadWithV2AsReaderByFingerprint() throws Exception {
        FeatureVector written = TestRecords.vector("old", T0, "g", 1.0, -2.0);
        BinaryMessageDecoder<GenericRecord> v2Reader =
                new BinaryMessageDecoder<>(GenericData.get(), v2);
        SchemaHistory.versions("FeatureVector").forEach(v2Reader::addSchema);

        GenericRecord read = v2Reader.decode(TestRecords.singleObject(written));

        assertThat(read.get("source")).isNull();
        assertThat(read.get("id").toString()).isEqualTo("old");
        assertThat(read.get("event_time")).isEqualTo(T0);
        assertThat(new ArrayList<>((List<?>) read.get("values"))).isEqualTo(List.of(1.0, -2.0));
        assertThat(Instant.ofEpochMilli((Long) read.get("event_time")))
                .isEqualTo(written.getEventTime());
        assertThat(read.getSchema()).isEqualTo(v2);
    }
}
