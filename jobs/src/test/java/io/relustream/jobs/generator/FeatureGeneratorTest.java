package io.relustream.jobs.generator;

import io.relustream.avro.FeatureVector;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeatureGeneratorTest {

    private static FeatureGenerator.Settings settings(double nanShare, double lateShare) {
        return new FeatureGenerator.Settings(
                3,
                8,
                0.5,
                Duration.ofSeconds(10),
                nanShare,
                Duration.ofMillis(200),
                lateShare,
                Duration.ofMinutes(1),
                7L);
    }

    /**
     * The widest record the generator can write (the longest id and group, the widest event time,
     * single-object Avro) is exactly what the producer checks against max.request.size and
     * buffer.memory: Kafka's batch header (61 bytes), a record's framing of at most 21, the key and
     * value with their varint lengths, and no headers. With 16 values the value is 180 bytes: the
     * 10-byte header, the id (1 + 21), the time (10), "layer-2" (1 + 7) and the array (1 + 128 +
     * 1); the record 61 + 21 + 1 + 21 + 2 + 180 + 1 = 287.
     */
    @ParameterizedTest(name = "{0} groups x {1} values: {2} bytes")
    @CsvSource({
        "3, 16, 287",
        // "layer-10" (1 + 8) and one value (1 + 8 + 1): a value of 61 bytes, one of length.
        "11, 1, 167",
        // 100,000 values (3 + 800,000 + 1): a value of 800,054 bytes, three of length.
        "3, 100000, 800162",
    })
    void largestRecordIsWhatKafkasProducerMeasuresOfTheWidestOne(
            int groups, int dimensions, long bytes) throws Exception {
        String id = "f-" + Long.MAX_VALUE;
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < dimensions; i++) {
            values.add(-Double.MAX_VALUE);
        }
        FeatureVector widest =
                new FeatureVector(
                        id, Instant.ofEpochMilli(Long.MAX_VALUE), "layer-" + (groups - 1), values);
        ByteBuffer value = widest.toByteBuffer();
        int measured =
                AbstractRecords.estimateSizeInBytesUpperBound(
                        RecordBatch.CURRENT_MAGIC_VALUE,
                        CompressionType.NONE,
                        ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8)),
                        value,
                        new Header[0]);

        assertThat(measured).isEqualTo(bytes);
        assertThat(FeatureGenerator.largestRecordBytes(groups, dimensions)).isEqualTo(bytes);
    }

    @Test
    void deadFeaturesAreAlwaysNegativeUntilTheEvenOnesRecover() {
        FeatureGenerator generator = new FeatureGenerator(settings(0.0, 0.0));
        assertThat(generator.deadFeatures()).isEqualTo(4);
        long start = 1_000_000L;
        for (int i = 0; i < 3_000; i++) {
            long now = start + i * 10L; // 30 seconds
            FeatureVector vector = generator.next(now);
            List<Double> values = vector.getValues();
            assertThat(values).hasSize(8);
            boolean recovered = now - start >= 10_000;
            for (int f = 0; f < 4; f++) {
                boolean dead = !(recovered && f % 2 == 0);
                if (dead) {
                    assertThat(values.get(f)).as("feature %d at %d", f, now).isLessThan(0.0);
                }
            }
        }
    }

    @Test
    void groupsTakeTurnsAndIdsCount() {
        FeatureGenerator generator = new FeatureGenerator(settings(0.0, 0.0));
        List<String> groups = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FeatureVector vector = generator.next(5_000L);
            groups.add(vector.getGroup());
            ids.add(vector.getId());
        }
        assertThat(groups)
                .containsExactly("layer-0", "layer-1", "layer-2", "layer-0", "layer-1", "layer-2");
        assertThat(ids).containsExactly("f-0", "f-1", "f-2", "f-3", "f-4", "f-5");
    }

    @Test
    void eventTimesLagTheClockWithinTheBoundsOrByTheLateLag() {
        FeatureGenerator generator = new FeatureGenerator(settings(0.0, 0.1));
        int late = 0;
        for (int i = 0; i < 2_000; i++) {
            long now = 100_000L + i;
            long lag = now - generator.next(now).getEventTime().toEpochMilli();
            if (lag == 60_000L) {
                late++;
            } else {
                assertThat(lag).isBetween(0L, 199L);
            }
        }
        // 10% of 2,000 records, give or take the randomness of a fixed seed.
        assertThat(late).isBetween(140, 260);
    }

    @Test
    void sameSeedSameRecords() {
        FeatureGenerator a = new FeatureGenerator(settings(0.05, 0.05));
        FeatureGenerator b = new FeatureGenerator(settings(0.05, 0.05));
        for (int i = 0; i < 100; i++) {
            assertThat(a.next(i * 7L)).isEqualTo(b.next(i * 7L));
        }
    }

    @Test
    void nanShowsUpAtTheConfiguredShare() {
        FeatureGenerator generator = new FeatureGenerator(settings(0.2, 0.0));
        int withNaN = 0;
        for (int i = 0; i < 1_000; i++) {
            if (generator.next(i).getValues().stream().anyMatch(v -> v.isNaN())) {
                withNaN++;
            }
        }
        assertThat(withNaN).isBetween(150, 250);
    }

    @Test
    void nanGoesToALiveFeatureSoDeadOnesStayZeroAfterRelu() {
        // Every record holds one NaN. Features 0 to 3 of 8 are dead; 0 and 2 recover after 10 s.
        FeatureGenerator generator = new FeatureGenerator(settings(1.0, 0.0));
        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        long start = 1_000_000L;
        for (int i = 0; i < 2_000; i++) {
            long now = start + i * 10L; // 20 seconds
            List<Double> values = generator.next(now).getValues();
            List<Integer> nans = new ArrayList<>();
            for (int f = 0; f < values.size(); f++) {
                if (values.get(f).isNaN()) {
                    nans.add(f);
                }
            }
            assertThat(nans).hasSize(1);
            (now - start < 10_000 ? before : after).add(nans.get(0));
        }
        assertThat(before).containsOnly(4, 5, 6, 7);
        assertThat(after).containsOnly(0, 2, 4, 5, 6, 7);
    }

    @Test
    void nanGoesToAnyFeatureWhenAllAreDead() {
        FeatureGenerator generator =
                new FeatureGenerator(
                        new FeatureGenerator.Settings(
                                1,
                                4,
                                1.0,
                                Duration.ofMinutes(1),
                                1.0,
                                Duration.ZERO,
                                0,
                                Duration.ZERO,
                                -3L));
        List<Integer> nans = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            List<Double> values = generator.next(i).getValues();
            for (int f = 0; f < values.size(); f++) {
                if (values.get(f).isNaN()) {
                    nans.add(f);
                } else {
                    assertThat(values.get(f)).isLessThan(-0.1);
                }
            }
        }
        assertThat(nans).hasSize(400).containsOnly(0, 1, 2, 3);
    }

    @Test
    void eventTimesNeverRunAheadOfTheClock() {
        // A lag is how far an event time is behind the clock: a negative one would put records
        // in the future (up to 999 ms ahead of the clock with -1s), so it is refused.
        assertThatThrownBy(
                        () ->
                                new FeatureGenerator.Settings(
                                        1,
                                        4,
                                        0,
                                        Duration.ZERO,
                                        0,
                                        Duration.ofSeconds(-1),
                                        0,
                                        Duration.ZERO,
                                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("out-of-order must not be negative, got -1000 ms");
        assertThatThrownBy(
                        () ->
                                new FeatureGenerator.Settings(
                                        1,
                                        4,
                                        0,
                                        Duration.ZERO,
                                        0,
                                        Duration.ZERO,
                                        0.5,
                                        Duration.ofMillis(-1),
                                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("late-by must not be negative, got -1 ms");
    }

    @Test
    void rejectsSettingsOutOfRange() {
        assertThatThrownBy(
                        () ->
                                new FeatureGenerator.Settings(
                                        0,
                                        8,
                                        0.5,
                                        Duration.ZERO,
                                        0,
                                        Duration.ZERO,
                                        0,
                                        Duration.ZERO,
                                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("groups and dimensions must be >= 1, got 0 and 8");
        assertThatThrownBy(
                        () ->
                                new FeatureGenerator.Settings(
                                        1,
                                        8,
                                        1.5,
                                        Duration.ZERO,
                                        0,
                                        Duration.ZERO,
                                        0,
                                        Duration.ZERO,
                                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dead-share must be in [0, 1], got 1.5");
    }
}
