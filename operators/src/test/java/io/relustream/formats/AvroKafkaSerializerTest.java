package io.relustream.formats;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvroKafkaSerializerTest {

    @Test
    void refusesATopicNameKafkaWouldRefuse() {
        for (String topic : List.of("", "bad topic!", ".", "..", "t".repeat(250), "caf\u00e9")) {
            assertThatThrownBy(() -> new ActivationVectorKafkaSerializer(topic, WireFormat.AVRO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "Invalid topic '"
                                    + topic
                                    + "': use 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_'"
                                    + " and '-', other than '.' or '..'");
        }
        assertThat(new DeadLetterKafkaSerializer("t".repeat(249), WireFormat.AVRO).topic())
                .hasSize(249);
        assertThat(new DeadLetterKafkaSerializer("features-dlq.v_2", WireFormat.AVRO).topic())
                .isEqualTo("features-dlq.v_2");
    }

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
    void stampsAWindowsResultWithItsLastMillisecondButNeverAheadOfTheClock() {
        // A window closed early by the end of a bounded input can end hours from now; brokers
        // refuse records stamped more than an hour ahead (message.timestamp.after.max.ms).
        long fiveHours = 5 * 3_600_000L;
        long windowStart = System.currentTimeMillis();
        ActivationAlert alert =
                ActivationAlert.newBuilder()
                        .setGroup("g")
                        .setKind("dead_feature")
                        .setFeature(3)
                        .setWindowStart(Instant.ofEpochMilli(windowStart))
                        .setWindowEnd(Instant.ofEpochMilli(windowStart + fiveHours))
                        .setValue(1.0)
                        .setActivation("relu")
                        .setMessage("Feature 3 of group g is dead")
                        .build();
        var alerts = new ActivationAlertKafkaSerializer("alerts", WireFormat.AVRO);
        var stats = new ActivationStatsKafkaSerializer("stats", WireFormat.AVRO);

        long before = System.currentTimeMillis();
        long future = alerts.serialize(alert, null, windowStart + fiveHours - 1).timestamp();
        long after = System.currentTimeMillis();

        assertThat(future).isBetween(before, after);
        assertThat(alerts.serialize(alert, null, 1_700_000_009_999L).timestamp())
                .isEqualTo(1_700_000_009_999L);
        assertThat(stats.kafkaTimestamp(1_700_000_009_999L)).isEqualTo(1_700_000_009_999L);
        // The clock's millisecond, as the alert's: not an hour or so ahead of it.
        long beforeStats = System.currentTimeMillis();
        long farFuture = stats.kafkaTimestamp(Long.MAX_VALUE - 1);
        long afterStats = System.currentTimeMillis();
        assertThat(farFuture).isBetween(beforeStats, afterStats);
        // Activations keep their event time: the job refuses those too far ahead on the way in.
        assertThat(
                        new ActivationVectorKafkaSerializer("activations", WireFormat.AVRO)
                                .kafkaTimestamp(windowStart + fiveHours))
                .isEqualTo(windowStart + fiveHours);
    }

    @Test
    void stampsADeadLetterWithItsFailedAtWhateverTheTimeOfItsRecord() {
        DeadLetter letter =
                DeadLetters.builder(new byte[] {1}, "bad").key(new byte[] {7, 8}).build();
        letter.setFailedAt(Instant.ofEpochMilli(1_800_000_000_123L));
        var serializer = new DeadLetterKafkaSerializer("dlq", WireFormat.AVRO);
        // No event time (undecodable bytes), none valid, and a replayed record's from 2023.
        assertThat(serializer.serialize(letter, null, null).timestamp())
                .isEqualTo(1_800_000_000_123L);
        assertThat(serializer.serialize(letter, null, Long.MIN_VALUE).timestamp())
                .isEqualTo(1_800_000_000_123L);
        assertThat(serializer.serialize(letter, null, 1_700_000_000_000L).timestamp())
                .isEqualTo(1_800_000_000_123L);
        assertThat(serializer.serialize(letter, null, 5L).key()).isEqualTo(new byte[] {7, 8});
    }

    @Test
    void aRecordWithANullWhereItsSchemaHasNoneFailsNamingTheField() {
        ActivationVector vector =
                new ActivationVector(
                        "r1", Instant.ofEpochMilli(7), "g", "relu", List.of(0.0, 2.0), null);
        var vectors = new ActivationVectorKafkaSerializer("activations", WireFormat.AVRO);
        ActivationVector noId = ActivationVector.newBuilder(vector).build();
        noId.setId(null); // also the key
        ActivationVector noGroup = ActivationVector.newBuilder(vector).build();
        noGroup.setGroup(null);
        ActivationVector nullElement = ActivationVector.newBuilder(vector).build();
        nullElement.setActivations(Arrays.asList(1.0, null));
        ActivationVector nullDerivative = ActivationVector.newBuilder(vector).build();
        nullDerivative.setDerivatives(Arrays.asList(null, 1.0));
        assertThatThrownBy(() -> vectors.serialize(noId, null, 7L))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("null value for (non-nullable) string at ActivationVector.id");
        assertThatThrownBy(() -> vectors.serialize(noGroup, null, 7L))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("null value for (non-nullable) string at ActivationVector.group");
        assertThatThrownBy(() -> vectors.serialize(nullElement, null, 7L))
                .isInstanceOf(NullPointerException.class)
                .hasMessage(
                        "null value for (non-nullable) double at ActivationVector.activations[1]");
        assertThatThrownBy(() -> vectors.serialize(nullDerivative, null, 7L))
                .isInstanceOf(NullPointerException.class)
                // Avro's path names the branch of the union (null or array) that derivatives is.
                .hasMessage(
                        "null value for (non-nullable) double at"
                                + " ActivationVector.derivatives[array][0]");

        ActivationStats stats =
                ActivationStats.newBuilder()
                        .setGroup("g")
                        .setWindowStart(Instant.EPOCH)
                        .setWindowEnd(Instant.ofEpochMilli(10))
                        .setActivation("relu")
                        .setRecordCount(0)
                        .setValueCount(0)
                        .setZeroCount(0)
                        .setNanCount(0)
                        .setPosInfCount(0)
                        .setNegInfCount(0)
                        .setPerFeatureZeroFraction(List.of())
                        .setDeadFeatures(List.of())
                        .build();
        stats.setGroup(null);
        assertThatThrownBy(
                        () ->
                                new ActivationStatsKafkaSerializer("stats", WireFormat.AVRO)
                                        .serialize(stats, null, 9L))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("null value for (non-nullable) string at ActivationStats.group");
    }
}
