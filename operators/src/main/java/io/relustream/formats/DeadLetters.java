package io.relustream.formats;

import io.relustream.avro.DeadLetter;
import io.relustream.avro.DeadLetterHeader;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link DeadLetter} records: the original bytes, where they came from, and why they could
 * not be processed.
 *
 * <pre>{@code
 * DeadLetter letter = DeadLetters.builder(payload, "values is empty")
 *         .source("features", 0, 42L)
 *         .build();
 * }</pre>
 */
public final class DeadLetters {

    private DeadLetters() {}

    /**
     * A dead letter for {@code payload} (may be null for a tombstone) rejected for {@code reason}.
     */
    public static Builder builder(byte[] payload, String reason) {
        return new Builder(payload, reason);
    }

    /** Fluent builder of one {@link DeadLetter}. */
    public static final class Builder {
        private final DeadLetter.Builder letter;

        private Builder(byte[] payload, String reason) {
            letter =
                    DeadLetter.newBuilder()
                            .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
                            .setKey(null)
                            .setTopic(null)
                            .setPartition(null)
                            .setOffset(null)
                            .setTimestamp(null)
                            .setHeaders(new ArrayList<>())
                            .setReason(reason)
                            .setErrorClass(null)
                            .setErrorMessage(null)
                            .setFailedAt(Instant.ofEpochMilli(System.currentTimeMillis()));
        }

        /** The Kafka coordinates the payload was read from. */
        public Builder source(String topic, int partition, long offset) {
            letter.setTopic(topic).setPartition(partition).setOffset(offset);
            return this;
        }

        /** The timestamp of the Kafka record; negative values (none) are left out. */
        public Builder timestamp(long timestamp) {
            letter.setTimestamp(timestamp < 0 ? null : Instant.ofEpochMilli(timestamp));
            return this;
        }

        /** The headers of the Kafka record, in order; copied. */
        public Builder headers(List<DeadLetterHeader> headers) {
            // A list of the letter's own, which code downstream may change as it may change the
            // lists of records Avro reads.
            letter.setHeaders(headers == null ? new ArrayList<>() : new ArrayList<>(headers));
            return this;
        }

        /** The Kafka record key, if it had one. */
        public Builder key(byte[] key) {
            letter.setKey(key == null ? null : ByteBuffer.wrap(key));
            return this;
        }

        /** The error that rejected the payload. */
        public Builder error(Throwable error) {
            return error(error.getClass().getName(), error.getMessage());
        }

        /** The class and message of the error that rejected the payload. */
        public Builder error(String errorClass, String errorMessage) {
            letter.setErrorClass(errorClass).setErrorMessage(errorMessage);
            return this;
        }

        public DeadLetter build() {
            return letter.build();
        }
    }
}
