package io.relustream.operators;

import io.relustream.activation.Activations;
import io.relustream.activation.VectorActivation;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.avro.FeatureVector;
import io.relustream.formats.DeadLetters;
import io.relustream.simd.SimdLoops;
import io.relustream.stats.ActivationSample;
import io.relustream.stats.ActivationSampleTypeInfo;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Applies an activation to a stream of {@link FeatureVector}s, giving {@link ActivationVector}s.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<ActivationVector> activations =
 *         features.process(
 *                 FeatureActivationFunction.builder()
 *                         .activation(Activations.parseVector("leaky_relu(alpha=0.1)"))
 *                         .invalidValues(InvalidValuePolicy.REJECT)
 *                         .build());
 * DataStream<DeadLetter> rejected =
 *         activations.getSideOutput(FeatureActivationFunction.REJECTED);
 * }</pre>
 *
 * <p>Built with {@link Builder#samples(boolean) samples(true)}, it also gives one {@link
 * ActivationSample} per activated record through {@link #SAMPLES}: what {@link
 * io.relustream.stats.ActivationStatsAggregate} takes for window statistics, so they need no second
 * activation of the records.
 *
 * <p>Records that cannot be activated under the {@link InvalidValuePolicy} leave through {@link
 * #REJECTED} as {@link DeadLetter}s holding the record in Avro single-object encoding and the
 * reason, but no Kafka topic, partition, offset or key: the function sees the decoded record only
 * (the example job's own function, which carries them from its source, fills them in); under {@link
 * InvalidValuePolicy#FAIL} they fail the job instead. A record built in code with a null {@code
 * id}, {@code event_time}, {@code group} or {@code values}, or an {@code event_time} beyond what
 * {@code timestamp-millis} holds (such as {@code Instant.MAX}), has no bytes to dead-letter: it
 * fails the job under every policy, naming the field; so does a null record, which a chained
 * operator before this one hands on when it returns null. Counters: see {@link ActivationMetrics};
 * those of a group ({@link Builder#groupMetricsLimit}) are registered by its first record that is
 * activated or dead-lettered, none by a record that fails the job.
 */
public final class FeatureActivationFunction
        extends ProcessFunction<FeatureVector, ActivationVector>
        implements ResultTypeQueryable<ActivationVector> {

    private static final long serialVersionUID = 1L;

    /** Side output of the records the operator rejected. */
    public static final OutputTag<DeadLetter> REJECTED =
            new OutputTag<>("rejected-feature-vectors", new AvroTypeInfo<>(DeadLetter.class));

    /**
     * Side output of one {@link ActivationSample} per activated record, on the record's timestamp,
     * when built with {@link Builder#samples(boolean) samples(true)}; none otherwise. A sample
     * holds the same activations array as its {@link ActivationVector}.
     */
    public static final OutputTag<ActivationSample> SAMPLES =
            new OutputTag<>("activation-samples", new ActivationSampleTypeInfo());

    private final FeatureVectorActivator activator;
    private final int groupMetricsLimit;
    private final boolean samples;
    private final double threshold;
    private transient ActivationMetrics metrics;
    private transient GroupMetrics<ActivationMetrics> groupMetrics;

    private FeatureActivationFunction(
            FeatureVectorActivator activator,
            int groupMetricsLimit,
            boolean samples,
            double threshold) {
        this.activator = activator;
        this.groupMetricsLimit = groupMetricsLimit;
        this.samples = samples;
        this.threshold = threshold;
    }

    /** A builder starting from {@code relu}, {@code propagate}, with derivatives. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(OpenContext openContext) {
        // A bad -Drelustream.simd on this TaskManager fails the task here, saying so.
        SimdLoops.checkAndReport();
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
        groupMetrics =
                new GroupMetrics<>(
                        getRuntimeContext().getMetricGroup(),
                        groupMetricsLimit,
                        ActivationMetrics::new);
    }

    @Override
    public void processElement(
            FeatureVector record, Context context, Collector<ActivationVector> out) {
        FeatureVectorActivator.Outcome outcome = activator.activate(record);
        // A group's metrics are registered only for a record that is counted in them: one that
        // fails the job (a null group among them) registers none.
        if (outcome.problem() == null) {
            metrics.activated(outcome.counts());
            groupMetrics.of(record.getGroup()).activated(outcome.counts());
            ActivationVector activated = outcome.output();
            out.collect(activated);
            if (samples) {
                context.output(
                        SAMPLES,
                        ActivationSample.of(
                                activated.getId(),
                                activated.getEventTime().toEpochMilli(),
                                activated.getGroup(),
                                outcome.inputs(),
                                outcome.activations(),
                                threshold));
            }
            return;
        }
        if (activator.policy() == InvalidValuePolicy.FAIL || record == null) {
            // A null record fails under every policy: a dead letter of it would hold nothing.
            throw new InvalidRecordException(
                    FeatureVectorActivator.failureMessage(record, outcome.problem(), null));
        }
        byte[] payload = singleObjectBytes(record, outcome.problem());
        metrics.rejected(outcome.counts());
        groupMetrics.of(record.getGroup()).rejected(outcome.counts());
        context.output(
                REJECTED,
                DeadLetters.builder(payload, outcome.problem())
                        .error(InvalidRecordException.class.getName(), outcome.problem())
                        .build());
    }

    private static byte[] singleObjectBytes(FeatureVector record, String problem) {
        try {
            ByteBuffer buffer = record.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode rejected record " + record.getId(), e);
        } catch (RuntimeException e) {
            // Only a record built in code against its own schema (a null where none is allowed)
            // gets here: it has no bytes to dead-letter, so it fails, saying why.
            throw new InvalidRecordException(
                    FeatureVectorActivator.failureMessage(record, problem, null)
                            + "; it cannot be dead-lettered, since it does not match its own"
                            + " schema: "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public TypeInformation<ActivationVector> getProducedType() {
        return new AvroTypeInfo<>(ActivationVector.class);
    }

    /** Configures a {@link FeatureActivationFunction}. */
    public static final class Builder {
        private VectorActivation activation = Activations.relu();
        private InvalidValuePolicy invalidValues = InvalidValuePolicy.PROPAGATE;
        private boolean derivatives = true;
        private int groupMetricsLimit = 100;
        private boolean samples;

        private Builder() {}

        /** The activation to apply; default {@code relu}. */
        public Builder activation(VectorActivation activation) {
            this.activation = Objects.requireNonNull(activation, "activation");
            return this;
        }

        /**
         * What to do with NaN and infinite values; default {@link InvalidValuePolicy#PROPAGATE}.
         */
        public Builder invalidValues(InvalidValuePolicy invalidValues) {
            this.invalidValues = Objects.requireNonNull(invalidValues, "invalidValues");
            return this;
        }

        /** Whether to compute the derivatives too; default true. */
        public Builder derivatives(boolean derivatives) {
            this.derivatives = derivatives;
            return this;
        }

        /**
         * How many record groups get metrics of their own (the counters of {@link
         * ActivationMetrics} under {@code group=<name>}) in each parallel instance; the rest share
         * {@link GroupMetrics#OVERFLOW}. Default 100; 0 keeps only the overflow bucket.
         */
        public Builder groupMetricsLimit(int groupMetricsLimit) {
            if (groupMetricsLimit < 0) {
                throw new IllegalArgumentException(
                        "Invalid groupMetricsLimit " + groupMetricsLimit + ": must be >= 0");
            }
            this.groupMetricsLimit = groupMetricsLimit;
            return this;
        }

        /**
         * Whether to give an {@link ActivationSample} of each activated record through {@link
         * #SAMPLES}, for window statistics; default false (no sample is built).
         */
        public Builder samples(boolean samples) {
            this.samples = samples;
            return this;
        }

        public FeatureActivationFunction build() {
            return new FeatureActivationFunction(
                    new FeatureVectorActivator(activation, invalidValues, derivatives),
                    groupMetricsLimit,
                    samples,
                    activation.threshold());
        }
    }
}
