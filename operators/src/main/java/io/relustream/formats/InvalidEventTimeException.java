package io.relustream.formats;

/** A record that decoded but whose event time no window can take. */
public class InvalidEventTimeException extends UndecodableRecordException {

    private static final long serialVersionUID = 1L;

    public InvalidEventTimeException(String message) {
        super(message);
    }
}
