package io.relustream.formats;

import io.relustream.avro.DeadLetter;
import io.relustream.avro.DeadLetterHeader;
import io.relustream.avro.FeatureVector;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class FeatureVectorKafkaDeserializerTest {

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("trace", "t-1".getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>(
                "features",
                3,
                42L,
                1_234L,
                TimestampType.CREATE_TIME,
                key == null ? -1 : key.length,
                value == null ? -1 : value.length,
                key,
                value,
                headers,
                Optional.empty());
    }

    private static SourcedFeatureVector deserialize(ConsumerRecord<byte[], byte[]> record) {
        List<SourcedFeatureVector> out = new ArrayList<>();
        new FeatureVectorKafkaDeserializer(WireFormat.AVRO_SINGLE_OBJECT)
                .deserialize(
                        record,
                        new Collector<>() {
                            @Override
                            public void collect(SourcedFeatureVector value) {
                                out.add(value);
                            }

                            @Override
                            public void close() {}
                        });
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void decodesGoodRecordsKeepingTheirCoordinates() {
        FeatureVector vector =
                FeatureVector.newBuilder()
                        .setId("r1")
                        .setEventTime(Instant.ofEpochMilli(5))
                        .setGroup("g")
                        .setValues(List.of(1.0))
                        .build();
        byte[] value =
                AvroRecordEncoder.of(FeatureVector.class, WireFormat.AVRO_SINGLE_OBJECT)
                        .encode(vector);
        SourcedFeatureVector sourced = deserialize(record("k".getBytes(), value));
        assertThat(sourced.vector).isEqualTo(vector);
        assertThat(sourced.deadLetter).isNull();
        assertThat(sourced.topic).isEqualTo("features");
        assertThat(sourced.partition).isEqualTo(3);
        assertThat(sourced.offset).isEqualTo(42L);
        assertThat(sourced.timestamp).isEqualTo(1_234L);
        assertThat(sourced.key).isEqualTo("k".getBytes());
        assertThat(sourced.payload).isEqualTo(value);
        assertThat(sourced.coordinates()).isEqualTo("features/3@42");
        assertThat(sourced.headers).hasSize(1);
    }

    @Test
    void turnsBadBytesIntoADeadLetterThatLosesNothing() {
        byte[] garbage = {1, 2, 3};
        SourcedFeatureVector sourced = deserialize(record("key".getBytes(), garbage));
        assertThat(sourced.vector).isNull();
        DeadLetter letter = sourced.deadLetter;
        assertThat(letter.getPayload()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("key".getBytes()));
        assertThat(letter.getTopic()).isEqualTo("features");
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(42L);
        assertThat(letter.getTimestamp()).isEqualTo(Instant.ofEpochMilli(1_234L));
        assertThat(letter.getHeaders())
                .containsExactly(
                        new DeadLetterHeader(
                                "trace", ByteBuffer.wrap("t-1".getBytes(StandardCharsets.UTF_8))));
        assertThat(letter.getReason())
                .isEqualTo(
                        "payload does not start with the Avro single-object marker C3 01 (found 01"
                                + " 02): it is not a FeatureVector record in avro-single-object"
                                + " format");
        assertThat(letter.getErrorClass()).isEqualTo(UndecodableRecordException.class.getName());
    }

    @Test
    void tombstonesAreDeadLetteredToo() {
        SourcedFeatureVector sourced = deserialize(record(null, null));
        assertThat(sourced.deadLetter.getPayload()).isNull();
        assertThat(sourced.deadLetter.getKey()).isNull();
        assertThat(sourced.deadLetter.getReason())
                .isEqualTo("payload is null (a tombstone), not a FeatureVector record");
    }

    @Test
    void producesAPojoTypeSoNoKryoIsNeeded() {
        TypeInformation<SourcedFeatureVector> type =
                new FeatureVectorKafkaDeserializer(WireFormat.AVRO).getProducedType();
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
    }
}
