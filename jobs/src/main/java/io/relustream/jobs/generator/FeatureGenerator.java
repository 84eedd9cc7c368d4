package io.relustream.jobs.generator;

import io.relustream.avro.FeatureVector;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Synthetic feature vectors with the problems a sparsity monitor is for: in every group the first
 * {@code deadShare} of the features are dead (their values are always negative, so ReLU zeroes
 * them); the even-numbered ones among them recover after {@code recoverAfter}; now and then a value
 * of a live feature is NaN (of any feature, when all are dead); event times jitter out of order,
 * and a few records arrive late.
 *
 * <p>Deterministic for a seed and a sequence of clock readings, so tests can predict it.
 *
 * <pre>{@code
 * FeatureGenerator generator = new FeatureGenerator(FeatureGenerator.Settings.defaults());
 * FeatureVector next = generator.next(System.currentTimeMillis());
 * }</pre>
 */
public final class FeatureGenerator {

    /** What to generate. */
    public static final class Settings {
        final int groups;
        final int dimensions;
        final double deadShare;
        final Duration recoverAfter;
        final double nanShare;
        final Duration maxOutOfOrder;
        final double lateShare;
        final Duration lateBy;
        final long seed;

        /**
         * @param groups number of groups, named {@code layer-0}, {@code layer-1}, ...
         * @param dimensions values per vector
         * @param deadShare share of each group's features that are dead, in [0, 1]
         * @param recoverAfter time after the first record when the even dead features recover
         * @param nanShare probability that a record holds one NaN value
         * @param maxOutOfOrder event times lag the clock by up to this much, not negative
         * @param lateShare probability that a record lags by {@code lateBy}
         * @param lateBy how far late records lag, not negative
         * @param seed random seed
         */
        public Settings(
                int groups,
                int dimensions,
                double deadShare,
                Duration recoverAfter,
                double nanShare,
                Duration maxOutOfOrder,
                double lateShare,
                Duration lateBy,
                long seed) {
            if (groups < 1 || dimensions < 1) {
                throw new IllegalArgumentException(
                        "groups and dimensions must be >= 1, got " + groups + " and " + dimensions);
            }
            requireShare("dead-share", deadShare);
            requireShare("nan-share", nanShare);
            requireShare("late-share", lateShare);
            // Lags: a negative one would put event times ahead of the clock.
            requireNotNegative("out-of-order", maxOutOfOrder);
            requireNotNegative("late-by", lateBy);
            this.groups = groups;
            this.dimensions = dimensions;
            this.deadShare = deadShare;
            this.recoverAfter = Objects.requireNonNull(recoverAfter);
            this.nanShare = nanShare;
            this.maxOutOfOrder = Objects.requireNonNull(maxOutOfOrder);
            this.lateShare = lateShare;
            this.lateBy = Objects.requireNonNull(lateBy);
            this.seed = seed;
        }

        /** Values per vector. */
        public int dimensions() {
            return dimensions;
        }

        /** 3 groups of 16 features, a quarter dead, recovery after 40s, a little NaN and lag. */
        public static Settings defaults() {
            return new Settings(
                    3,
                    16,
                    0.25,
                    Duration.ofSeconds(40),
                    0.002,
                    Duration.ofSeconds(2),
                    0.002,
                    Duration.ofMinutes(2),
                    42L);
        }

        private static void requireNotNegative(String name, Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException(
                        name + " must not be negative, got " + value.toMillis() + " ms");
            }
        }

        private static void requireShare(String name, double value) {
            if (!(value >= 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
            }
        }
    }

    private final Settings settings;
    private final SplittableRandom random;
    private final int deadFeatures;
    private long sequence;
    private long startMillis = Long.MIN_VALUE;

    public FeatureGenerator(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
        this.random = new SplittableRandom(settings.seed);
        this.deadFeatures = deadFeatures(settings.deadShare, settings.dimensions);
    }

    /**
     * How many of {@code dimensions} features a share of {@code deadShare} makes dead: the share of
     * them rounded to the nearest whole number, halves up, and at least one for a share above 0, so
     * that dead features asked for are never none.
     */
    public static int deadFeatures(double deadShare, int dimensions) {
        // In decimal, as the share was typed: in binary 0.29 x 50 is 14.499999999999998, and a
        // half would round down.
        int rounded =
                BigDecimal.valueOf(deadShare)
                        .multiply(BigDecimal.valueOf(dimensions))
                        .setScale(0, RoundingMode.HALF_UP)
                        .intValueExact();
        return deadShare > 0 ? Math.max(1, rounded) : rounded;
    }

    /** Number of dead features at the start in every group. */
    public int deadFeatures() {
        return deadFeatures;
    }

    /** Whether feature {@code index} is dead {@code elapsed} after the first record. */
    public boolean isDead(int index, Duration elapsed) {
        if (index >= deadFeatures) {
            return false;
        }
        boolean recovers = index % 2 == 0;
        return !(recovers && elapsed.compareTo(settings.recoverAfter) >= 0);
    }

    /** The index of live feature number {@code nth} (from 0), {@code elapsed} after the first. */
    private int nthLive(int nth, Duration elapsed) {
        int index = 0;
        for (int seen = -1; ; index++) {
            if (!isDead(index, elapsed) && ++seen == nth) {
                return index;
            }
        }
    }

    /** Kafka's record batch header, in which the producer measures a record alone. */
    private static final int KAFKA_BATCH_HEADER = 61;

    /** The most a record's own fields take besides its key, value and headers. */
    private static final int KAFKA_RECORD_OVERHEAD = 21;

    /** The single-object header: a marker, a version and the schema's 8-byte fingerprint. */
    private static final int SINGLE_OBJECT_HEADER = 10;

    /** A long as Avro writes it at its widest, a zig-zag varint: the event time. */
    private static final int WIDEST_LONG = 10;

    /**
     * The size the producer measures of the largest Kafka record any vector of {@code groups}
     * groups and {@code dimensions} values can take, keyed by its id ({@code f-} and a long), in
     * either wire format: what the producer's {@code max.request.size} and {@code buffer.memory}
     * must take, or it refuses the record. A bound, a few bytes above what the generator writes
     * today: the id as wide as a long makes it ({@code f-} and 19 digits), the widest group, an
     * event time at its widest varint, single-object Avro, and Kafka's own measure, a record alone
     * in a batch without headers.
     */
    public static long largestRecordBytes(int groups, int dimensions) {
        long idBytes = ("f-" + Long.MAX_VALUE).length();
        long groupBytes = ("layer-" + (groups - 1)).length();
        long value =
                SINGLE_OBJECT_HEADER
                        + zigZagVarintBytes(idBytes)
                        + idBytes
                        + WIDEST_LONG
                        + zigZagVarintBytes(groupBytes)
                        + groupBytes
                        // One block of 8-byte doubles, and the end marker.
                        + zigZagVarintBytes(dimensions)
                        + 8L * dimensions
                        + 1;
        return KAFKA_BATCH_HEADER
                + KAFKA_RECORD_OVERHEAD
                + zigZagVarintBytes(idBytes)
                + idBytes
                + zigZagVarintBytes(value)
                + value
                // The number of headers, none.
                + 1;
    }

    /** The bytes of {@code n} (not negative) as a zig-zag varint, as Avro and Kafka write it. */
    private static int zigZagVarintBytes(long n) {
        long zigZag = n << 1;
        int bytes = 1;
        while ((zigZag >>>= 7) != 0) {
            bytes++;
        }
        return bytes;
    }

    /** The next record, observed at {@code nowMillis}. */
    public FeatureVector next(long nowMillis) {
        if (startMillis == Long.MIN_VALUE) {
            startMillis = nowMillis;
        }
        Duration elapsed = Duration.ofMillis(nowMillis - startMillis);
        long id = sequence++;
        int group = (int) (id % settings.groups);
        Double[] values = new Double[settings.dimensions];
        int live = 0;
        for (int i = 0; i < values.length; i++) {
            double gaussian = random.nextDouble() * 2 - 1 + random.nextDouble() * 2 - 1;
            boolean dead = isDead(i, elapsed);
            values[i] = dead ? -Math.abs(gaussian) - 0.1 : gaussian;
            live += dead ? 0 : 1;
        }
        if (random.nextDouble() < settings.nanShare) {
            // A NaN output counts as not zero, so a NaN on a dead feature would show it alive for
            // a window: the NaN goes to a live feature, unless every feature is dead.
            int nth = random.nextInt(live > 0 ? live : values.length);
            values[live > 0 ? nthLive(nth, elapsed) : nth] = Double.NaN;
        }
        long lag = (long) (random.nextDouble() * settings.maxOutOfOrder.toMillis());
        if (random.nextDouble() < settings.lateShare) {
            lag = settings.lateBy.toMillis();
        }
        return FeatureVector.newBuilder()
                .setId("f-" + id)
                .setEventTime(Instant.ofEpochMilli(nowMillis - lag))
                .setGroup("layer-" + group)
                .setValues(java.util.Arrays.asList(values))
                .build();
    }
}
