package io.relustream.operators;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * Thrown by an activation operator whose invalid-value policy is {@link InvalidValuePolicy#FAIL}
 * when a record cannot be activated, and under any policy for a record that cannot be
 * dead-lettered; Flink fails the job with it. Not recoverable: a restart would read the same record
 * and fail again, so Flink does not restart the job into it, whatever its restart strategy.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public class InvalidRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
