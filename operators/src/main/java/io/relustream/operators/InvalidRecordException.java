package io.relustream.operators;

/**
 * Thrown by an activation operator whose invalid-value policy is {@link InvalidValuePolicy#FAIL}
 * when a record cannot be activated; Flink fails the job with it.
 */
public class InvalidRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
