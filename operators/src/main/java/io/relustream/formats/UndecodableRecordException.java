package io.relustream.formats;

/**
 * Bytes that are not a record of the expected type; the message says why in plain words.
 *
 * <pre>{@code
 * try {
 *     FeatureVector vector = decoder.decode(bytes);
 * } catch (UndecodableRecordException e) {
 *     DeadLetter letter = DeadLetters.builder(bytes, e.getMessage()).error(e).build();
 * }
 * }</pre>
 */
public class UndecodableRecordException extends Exception {

    private static final long serialVersionUID = 1L;

    public UndecodableRecordException(String message) {
        super(message);
    }

    public UndecodableRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
