package io.relustream.jobs;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.DeadLetterHeader;
import io.relustream.formats.ActivationAlertKafkaSerializer;
import io.relustream.formats.ActivationStatsKafkaSerializer;
import io.relustream.formats.ActivationVectorKafkaSerializer;
import io.relustream.formats.DeadLetterKafkaSerializer;
import io.relustream.formats.DeadLetters;
import io.relustream.formats.UndecodableRecordException;
import io.relustream.formats.WireFormat;
import io.relustream.stats.DeadFeatureDetector;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounds hold the records the job really writes: never below the size Kafka's producer checks
 * against {@code max.request.size}, and never far above it.
 */
class OutputRecordSizesTest {

    private static final String SPEC = "relu(negative_slope=0.1, max_value=6, threshold=0.5)";

    /** What the producer compares with max.request.size, for the record the sink writes. */
    private static int kafkaSize(ProducerRecord<byte[], byte[]> record) {
        return AbstractRecords.estimateSizeInBytesUpperBound(
                RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE,
                record.key(),
                record.value(),
                new Header[0]);
    }

    @ParameterizedTest
    @CsvSource({
        "r-1, layer-0, 1, true",
        "r-1, layer-0, 64, true",
        "r-1, layer-0, 64, false",
        "r-\u00e9\u4e2d\ud83d\ude00, gr\u00fcppe-\u4e2d, 1000, true",
        "r-1, layer-0, 65000, true",
        "r-1, layer-0, 100000, false"
    })
    void activationsBoundHoldsTheWrittenRecord(
            String id, String group, int values, boolean derivatives) {
        List<Double> activations = filled(values, -Double.MAX_VALUE);
        ActivationVector record =
                new ActivationVector(
                        id,
                        Instant.ofEpochMilli(Long.MAX_VALUE),
                        group,
                        SPEC,
                        activations,
                        derivatives ? filled(values, 1.0) : null);
        int written =
                kafkaSize(
                        new ActivationVectorKafkaSerializer(
                                        "activations", WireFormat.AVRO_SINGLE_OBJECT)
                                .serialize(record, null, 1L));

        long bound =
                OutputRecordSizes.activations(
                        OutputRecordSizes.utf8Bytes(id),
                        OutputRecordSizes.utf8Bytes(group),
                        OutputRecordSizes.utf8Bytes(SPEC),
                        values,
                        values,
                        derivatives);

        assertThat(bound).isGreaterThanOrEqualTo(written).isLessThan(written + 160L);
    }

    @ParameterizedTest
    @CsvSource({
        "layer-0, 1",
        "layer-0, 64",
        "gr\u00fcppe-\u4e2d\ud83d\ude00, 1000",
        "layer-0, 80000"
    })
    void statisticsBoundHoldsTheWrittenRecordWithEveryFeatureDead(String group, int features) {
        List<Double> fractions = filled(features, 1.0);
        List<Integer> dead = new ArrayList<>();
        for (int i = 0; i < features; i++) {
            dead.add(i);
        }
        // Every count and bound at its widest encoding.
        ActivationStats record =
                ActivationStats.newBuilder()
                        .setGroup(group)
                        .setWindowStart(Instant.ofEpochMilli(Long.MIN_VALUE))
                        .setWindowEnd(Instant.ofEpochMilli(Long.MAX_VALUE))
                        .setActivation(SPEC)
                        .setRecordCount(Long.MAX_VALUE)
                        .setValueCount(Long.MAX_VALUE)
                        .setZeroCount(Long.MAX_VALUE)
                        .setZeroFraction(1.0)
                        .setNanCount(Long.MAX_VALUE)
                        .setPosInfCount(Long.MAX_VALUE)
                        .setNegInfCount(Long.MAX_VALUE)
                        .setNegativeInputFraction(1.0)
                        .setMin(1.0)
                        .setMax(1.0)
                        .setMean(1.0)
                        .setStddev(1.0)
                        .setP50(1.0)
                        .setP90(1.0)
                        .setP99(1.0)
                        .setPerFeatureZeroFraction(fractions)
                        .setDeadFeatures(dead)
                        .build();
        int written =
                kafkaSize(
                        new ActivationStatsKafkaSerializer("stats", WireFormat.AVRO_SINGLE_OBJECT)
                                .serialize(record, null, 1L));

        long bound =
                OutputRecordSizes.statistics(
                        OutputRecordSizes.utf8Bytes(group),
                        OutputRecordSizes.utf8Bytes(SPEC),
                        features);

        // Dead-feature indexes take 1 to 3 bytes here, the bound allows 5: loose by 2 per feature.
        assertThat(bound)
                .isGreaterThanOrEqualTo(written)
                .isLessThanOrEqualTo(written + 600L + 4L * features);
    }

    /**
     * The job checks the statistics of a record's window against max.request.size, not the alerts
     * they raise: an alert, which holds its group as its key, in a field and in its message, must
     * never be larger than the bound of the statistics that raised it, however long the group.
     */
    @ParameterizedTest
    @CsvSource({
        "layer-0, 1",
        "x, 100000",
        "\u4e2d, 40000",
        "\ud83d\ude00, 30000",
        // 64 emoji are shown whole, 65 cut to 64: four bytes each.
        "\ud83d\ude00, 64",
        "\ud83d\ude00, 65",
        // Control characters, which the message quotes and escapes six characters each.
        "'\u0001', 64",
        "'\u0001', 100000"
    })
    void everyAlertIsWithinTheStatisticsBoundOfItsWindowHoweverLongTheGroup(String unit, int repeat)
            throws Exception {
        String group = unit.repeat(repeat);
        // The longest numbers Double.toString writes, and windows in the year 9999.
        double threshold = 0.12345678901234567;
        double fraction = 0.98765432109876543;
        long start = Instant.parse("9999-12-31T23:59:59.990Z").toEpochMilli();
        List<ActivationAlert> alerts = new ArrayList<>();
        try (KeyedOneInputStreamOperatorTestHarness<String, ActivationStats, ActivationAlert>
                harness =
                        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                                new DeadFeatureDetector(3, threshold, threshold, SPEC),
                                ActivationStats::getGroup,
                                Types.STRING)) {
            for (int window = 0; window < 4; window++) {
                double zeros = window < 3 ? fraction : 0.0;
                ActivationStats stats =
                        ActivationStats.newBuilder()
                                .setGroup(group)
                                .setWindowStart(Instant.ofEpochMilli(start + 2L * window))
                                .setWindowEnd(Instant.ofEpochMilli(start + 2L * window + 2))
                                .setActivation(SPEC)
                                .setRecordCount(1)
                                .setValueCount(1)
                                .setZeroCount(0)
                                .setZeroFraction(zeros)
                                .setNanCount(0)
                                .setPosInfCount(0)
                                .setNegInfCount(0)
                                .setPerFeatureZeroFraction(List.of(zeros))
                                .setDeadFeatures(List.of())
                                .build();
                harness.processElement(stats, start + 2L * window + 1);
            }
            alerts.addAll(harness.extractOutputValues());
        }
        long bound =
                OutputRecordSizes.statistics(
                        OutputRecordSizes.utf8Bytes(group), OutputRecordSizes.utf8Bytes(SPEC), 1);

        assertThat(alerts)
                .extracting(ActivationAlert::getKind)
                .containsExactly("sparsity_above", "dead_feature", "recovered");
        for (ActivationAlert alert : alerts) {
            assertThat(alert.getGroup()).isEqualTo(group);
            assertThat(
                            (long)
                                    kafkaSize(
                                            new ActivationAlertKafkaSerializer(
                                                            "alerts", WireFormat.AVRO_SINGLE_OBJECT)
                                                    .serialize(alert, null, 1L)))
                    .as(alert.getKind())
                    .isLessThanOrEqualTo(bound);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0, 0, false",
        "1000, 3, 1, false",
        "1048400, 3, 2, false",
        "0, 500000, 3, false",
        "100, 10, 0, true"
    })
    void deadLetterBoundHoldsTheWrittenRecord(
            int payloadBytes, int keyBytes, int headers, boolean tombstone) {
        List<DeadLetterHeader> headerList = new ArrayList<>();
        for (int i = 0; i < headers; i++) {
            headerList.add(
                    new DeadLetterHeader(
                            "h\u00e9-" + i, i == 0 ? null : ByteBuffer.wrap(new byte[100 * i])));
        }
        DeadLetter letter =
                DeadLetters.builder(tombstone ? null : new byte[payloadBytes], "r\u00e9ason")
                        .source("features-\u4e2d", Integer.MIN_VALUE, Long.MIN_VALUE)
                        .timestamp(Long.MAX_VALUE)
                        .key(new byte[keyBytes])
                        .headers(headerList)
                        .error("java.lang.IllegalStateException", "message \ud83d\ude00")
                        .build();
        int written =
                kafkaSize(
                        new DeadLetterKafkaSerializer("dlq", WireFormat.AVRO_SINGLE_OBJECT)
                                .serialize(letter, null, 1L));

        long bound = OutputRecordSizes.deadLetter(letter);

        assertThat(bound).isGreaterThanOrEqualTo(written).isLessThan(written + 200L);
    }

    /**
     * A dead letter whose payload must go, and whose key (written twice: as the Kafka key and in
     * the letter) leaves just room for the rest: the longer reason that says what was left out must
     * not push it over the limit, else the producer refuses it and the job restarts into it for
     * ever.
     */
    @Test
    void aDeadLetterWithoutItsPayloadStillFitsWithTheReasonThatSaysSo() {
        int max = 1_048_576;
        String topic = "features-" + "t".repeat(200);
        String reason = "payload is empty";
        // The largest key with which the letter, without its payload and with the reason as it
        // was, is within the bound.
        int keyBytes = 0;
        for (int step = 1 << 20; step > 0; step >>= 1) {
            if (OutputRecordSizes.deadLetter(letter(topic, reason, null, keyBytes + step)) <= max) {
                keyBytes += step;
            }
        }
        DeadLetter fitted =
                OutputRecordSizes.fittingDeadLetter(
                        letter(topic, reason, new byte[1000], keyBytes), max);

        int written =
                kafkaSize(
                        new DeadLetterKafkaSerializer("dlq", WireFormat.AVRO_SINGLE_OBJECT)
                                .serialize(fitted, null, 1L));

        assertThat(written).isLessThanOrEqualTo(max);
        assertThat(fitted.getPayload()).isNull();
        assertThat(fitted.getKey()).isNull();
        assertThat(fitted.getHeaders()).isEmpty();
        assertThat(fitted.getReason())
                .isEqualTo(
                        "payload is empty; the payload (1000 bytes), key and headers are left out"
                                + " of this dead letter, which would not fit in one Kafka record"
                                + " with them (max.request.size=1048576): read the record from "
                                + topic
                                + "/3@7");
        assertThat(fitted.getErrorMessage()).isEqualTo(reason);
    }

    private static DeadLetter letter(String topic, String reason, byte[] payload, int keyBytes) {
        return DeadLetters.builder(payload, reason)
                .source(topic, 3, 7L)
                .key(new byte[keyBytes])
                .headers(List.of(new DeadLetterHeader("trace", ByteBuffer.wrap(new byte[] {1}))))
                .error(UndecodableRecordException.class.getName(), reason)
                .build();
    }

    @ParameterizedTest
    @CsvSource({"'', 0", "abc, 3", "\u00e9, 2", "\u4e2d, 3", "\ud83d\ude00, 4", "\ud83d, 3"})
    void utf8BytesCountsWhatTheEncoderWritesOrMore(String text, long expected) {
        assertThat(OutputRecordSizes.utf8Bytes(text)).isEqualTo(expected);
        assertThat(expected).isGreaterThanOrEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }

    private static List<Double> filled(int count, double value) {
        Double[] values = new Double[count];
        Arrays.fill(values, value);
        return Arrays.asList(values);
    }
}
