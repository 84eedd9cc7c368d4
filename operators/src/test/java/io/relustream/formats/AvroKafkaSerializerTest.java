package io.relustream.formats;

import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AvroKafkaSerializerTest {

    @Test
    void writesTheRecordKeyedByIdWithTheEventTime() throws Exception {
        ActivationVector vector =
                ActivationVector.newBuilder()
                        .setId("r9")
                        .setEventTime(Instant.ofEpochMilli(7))
                        .setGroup("g")
                        .setActivation("relu")
                        .setActivations(List.of(0.0, 2.0))
                        .setDerivatives(null)
                        .build();
        ProducerRecord<byte[], byte[]> record =
                new ActivationVectorKafkaSerializer("activations", WireFormat.AVRO_SINGLE_OBJECT)
                        .serialize(vector, null, 7L);
        assertThat(record.topic()).isEqualTo("activations");
        assertThat(record.key()).isEqualTo("r9".getBytes());
        assertThat(record.timestamp()).isEqualTo(7L);
        assertThat(record.partition()).isNull();
        assertThat(ActivationVector.fromByteBuffer(ByteBuffer.wrap(record.value())))
                .isEqualTo(vector);
    }

    @Test
    void leavesTheTimestampToTheBrokerWhenTheRecordHasNone() {
        DeadLetter letter =
                DeadLetters.builder(new byte[] {1}, "bad").key(new byte[] {7, 8}).build();
        var serializer = new DeadLetterKafkaSerializer("dlq", WireFormat.AVRO);
        assertThat(serializer.serialize(letter, null, null).timestamp()).isNull();
        assertThat(serializer.serialize(letter, null, Long.MIN_VALUE).timestamp()).isNull();
        assertThat(serializer.serialize(letter, null, 5L).key()).isEqualTo(new byte[] {7, 8});
    }
}
