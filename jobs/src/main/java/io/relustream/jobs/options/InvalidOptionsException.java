package io.relustream.jobs.options;

/**
 * Command-line options the job cannot run with; the message names the option, the value and what is
 * allowed, ready to show to whoever typed them.
 *
 * <pre>{@code
 * try {
 *     JobOptions options = JobOptions.parse(args);
 * } catch (InvalidOptionsException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 */
public class InvalidOptionsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidOptionsException(String message) {
        super(message);
    }

    public InvalidOptionsException(String message, Throwable cause) {
        super(message, cause);
    }
}
