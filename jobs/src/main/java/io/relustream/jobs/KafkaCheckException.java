package io.relustream.jobs;

/**
 * A job's look at Kafka before the start (the activation job's or the SQL job's) could not be made:
 * Kafka did not answer the look at the input topic (no broker reached, or the request refused),
 * naming the option to look at, or a look at the input, the written topics or the brokers'
 * transaction cap was interrupted. The mains exit with status 1.
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
