package io.relustream.operators;

import io.relustream.activation.VectorActivation;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.internal.AvroArrays;
import io.relustream.operators.internal.DoubleArrayList;

import org.apache.avro.Schema;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * Turns a {@link FeatureVector} into an {@link ActivationVector} under an {@link
 * InvalidValuePolicy}, or says why it cannot: the core of {@link FeatureActivationFunction}, free
 * of Flink so that jobs wrapping records in envelopes can reuse it.
 *
 * <pre>{@code
 * FeatureVectorActivator activator =
 *         new FeatureVectorActivator(Activations.relu(), InvalidValuePolicy.REJECT, true);
 * FeatureVectorActivator.Outcome outcome = activator.activate(record);
 * if (outcome.problem() != null) { ... dead-letter it ... }
 * }</pre>
 */
public final class FeatureVectorActivator implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Schema ACTIVATIONS_SCHEMA =
            ActivationVector.getClassSchema().getField("activations").schema();
    private static final Schema DERIVATIVES_SCHEMA =
            AvroArrays.arrayBranch(
                    ActivationVector.getClassSchema().getField("derivatives").schema());

    /** The problem of a null record, which has neither values nor bytes to dead-letter. */
    static final String NULL_RECORD =
            "the record is null (an operator before this one emitted null): it has no values to"
                + " activate and no bytes to dead-letter; filter nulls out before this operator";

    private static final Instant EARLIEST_EVENT_TIME = Instant.ofEpochMilli(Long.MIN_VALUE);
    private static final Instant LATEST_EVENT_TIME = Instant.ofEpochMilli(Long.MAX_VALUE);

    private final VectorActivator activator;
    private final boolean derivatives;
    private final String spec;

    public FeatureVectorActivator(
            VectorActivation activation, InvalidValuePolicy policy, boolean derivatives) {
        this.activator = new VectorActivator(activation, policy);
        this.derivatives = derivatives;
        this.spec = activation.spec();
    }

    /** The activation applied. */
    public VectorActivation activation() {
        return activator.activation();
    }

    /** The policy for NaN and infinite values. */
    public InvalidValuePolicy policy() {
        return activator.policy();
    }

    /** The result of one record: its activations, or the reason it has none. */
    public static final class Outcome {
        private final ActivationVector output;
        private final String problem;
        private final ValueCounts counts;
        private final double[] inputs;
        private final double[] activations;

        private Outcome(
                ActivationVector output,
                String problem,
                ValueCounts counts,
                double[] inputs,
                double[] activations) {
            this.output = output;
            this.problem = problem;
            this.counts = counts;
            this.inputs = inputs;
            this.activations = activations;
        }

        /** The activations; {@code null} when {@link #problem()} is set. */
        public ActivationVector output() {
            return output;
        }

        /** Why the record cannot be activated, in words; {@code null} when it was. */
        public String problem() {
            return problem;
        }

        /** What the record held and produced. */
        public ValueCounts counts() {
            return counts;
        }

        /** The record's values as an array; do not modify. */
        public double[] inputs() {
            return inputs;
        }

        /** The activations as an array ({@code null} when there is a problem); do not modify. */
        public double[] activations() {
            return activations;
        }
    }

    /**
     * Activates one record. Never throws for bad values, nor for a null record: the outcome carries
     * the problem.
     */
    public Outcome activate(FeatureVector record) {
        ValueCounts counts = new ValueCounts();
        counts.reset();
        if (record == null) {
            // What a chained operator before this one hands on when it returns null.
            return new Outcome(null, NULL_RECORD, counts, new double[0], null);
        }
        // Only a record built in code lacks one; its activations would carry the null on, to a
        // NullPointerException further down that names neither the record nor the field.
        String missing =
                record.getId() == null
                        ? "id"
                        : record.getEventTime() == null
                                ? "event_time"
                                : record.getGroup() == null ? "group" : null;
        if (missing != null) {
            return new Outcome(
                    null,
                    missing + " is null: every FeatureVector has one",
                    counts,
                    new double[0],
                    null);
        }
        Instant eventTime = record.getEventTime();
        if (eventTime.isBefore(EARLIEST_EVENT_TIME) || eventTime.isAfter(LATEST_EVENT_TIME)) {
            // Only a record built in code holds one: its activations could not be written, and
            // its sample's timestamp would overflow.
            return new Outcome(
                    null,
                    "event_time "
                            + eventTime
                            + " is beyond what timestamp-millis holds (a long of milliseconds"
                            + " since 1970-01-01T00:00:00Z: "
                            + EARLIEST_EVENT_TIME
                            + " to "
                            + LATEST_EVENT_TIME
                            + ")",
                    counts,
                    new double[0],
                    null);
        }
        List<Double> values = record.getValues();
        if (values == null) {
            return new Outcome(
                    null,
                    "values is null: there is nothing to activate",
                    counts,
                    new double[0],
                    null);
        }
        double[] in;
        try {
            in = AvroArrays.toDoubles(values, null);
        } catch (IllegalArgumentException nullElement) {
            return new Outcome(
                    null, "values" + nullElement.getMessage(), counts, new double[0], null);
        }
        if (in.length == 0) {
            return new Outcome(
                    null, "values is empty: there is nothing to activate", counts, in, null);
        }
        String problem = activator.check("values", false, in, in.length, counts);
        if (problem != null) {
            return new Outcome(null, problem, counts, in, null);
        }
        double[] out = new double[activator.outputLength(in.length)];
        double[] grad = derivatives ? new double[in.length] : null;
        activator.activate(in, out, grad, counts);
        // The record takes the arrays as they are: no copy, no boxing.
        ActivationVector output =
                new ActivationVector(
                        record.getId(),
                        record.getEventTime(),
                        record.getGroup(),
                        spec,
                        new DoubleArrayList(out, ACTIVATIONS_SCHEMA),
                        grad == null ? null : new DoubleArrayList(grad, DERIVATIVES_SCHEMA));
        return new Outcome(output, null, counts, in, out);
    }

    /** The message a {@link InvalidValuePolicy#FAIL} operator fails with. */
    public static String failureMessage(FeatureVector record, String problem, String where) {
        return (record == null
                        ? "Cannot activate a record"
                        : "Cannot activate record id="
                                + record.getId()
                                + " group="
                                + record.getGroup())
                + (where == null || where.isEmpty() ? "" : " (" + where + ")")
                + ": "
                + problem;
    }
}
