package io.relustream.jobs;

/**
 * Kafka did not answer the job's look at its input topic before the start (no broker reached, or
 * the request refused); the message names the option to look at.
 *
 * <pre>{@code
 * try {
 *     ActivationStatsJob.run(options);
 * } catch (KafkaCheckException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 */
public class KafkaCheckException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KafkaCheckException(String message, Throwable cause) {
        super(message, cause);
    }
}
