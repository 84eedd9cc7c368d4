package io.relustream.jobs;

import io.relustream.activation.VectorActivation;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.formats.FeatureVectorKafkaDeserializer;
import io.relustream.formats.SourcedFeatureVector;
import io.relustream.operators.ActivationMetrics;
import io.relustream.operators.FeatureActivationFunction;
import io.relustream.operators.FeatureVectorActivator;
import io.relustream.operators.GroupMetrics;
import io.relustream.operators.InvalidRecordException;
import io.relustream.operators.InvalidValuePolicy;
import io.relustream.simd.SimdLoops;
import io.relustream.stats.ActivationSample;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The job's activation stage: activates every decoded record, sends every record that cannot be
 * activated (or did not decode) to {@link #DEAD_LETTERS} with its original bytes and Kafka
 * coordinates, and emits one {@link ActivationSample} per activated record to {@link #SAMPLES} for
 * the window statistics.
 */
final class SourcedActivationFunction
        extends ProcessFunction<SourcedFeatureVector, ActivationVector>
        implements ResultTypeQueryable<ActivationVector> {

    private static final long serialVersionUID = 1L;

    static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    static final OutputTag<ActivationSample> SAMPLES = FeatureActivationFunction.SAMPLES;

    private final FeatureVectorActivator activator;
    private final double threshold;
    private final int groupMetricsLimit;
    private final int maxRecordBytes;
    private final boolean derivatives;
    private final long specBytes;
    private transient ActivationMetrics metrics;
    private transient GroupMetrics<ActivationMetrics> groupMetrics;

    SourcedActivationFunction(
            VectorActivation activation,
            InvalidValuePolicy policy,
            boolean derivatives,
            int groupMetricsLimit,
            int maxRecordBytes) {
        this.activator = new FeatureVectorActivator(activation, policy, derivatives);
        this.threshold = activation.threshold();
        this.groupMetricsLimit = groupMetricsLimit;
        this.maxRecordBytes = maxRecordBytes;
        this.derivatives = derivatives;
        this.specBytes = OutputRecordSizes.utf8Bytes(activation.spec());
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
            SourcedFeatureVector record, Context context, Collector<ActivationVector> out) {
        if (record.deadLetter != null) {
            context.output(DEAD_LETTERS, fitting(record.deadLetter));
            return;
        }
        FeatureVectorActivator.Outcome outcome = activator.activate(record.vector);
        String problem = outcome.problem() != null ? outcome.problem() : tooLarge(outcome);
        if (problem != null) {
            if (activator.policy() == InvalidValuePolicy.FAIL) {
                // Restarting would read the same record and fail again: fail the job for good.
                throw new SuppressRestartsException(
                        new InvalidRecordException(
                                FeatureVectorActivator.failureMessage(
                                        record.vector,
                                        problem,
                                        "read from " + record.coordinates())));
            }
            // Registered only for a record counted in them, not for one that fails the job.
            metrics.rejected(outcome.counts());
            groupMetrics.of(record.vector.getGroup()).rejected(outcome.counts());
            context.output(
                    DEAD_LETTERS,
                    fitting(
                            FeatureVectorKafkaDeserializer.deadLetter(record, problem)
                                    .error(InvalidRecordException.class.getName(), problem)
                                    .build()));
            return;
        }
        metrics.activated(outcome.counts());
        groupMetrics.of(record.vector.getGroup()).activated(outcome.counts());
        ActivationVector activated = outcome.output();
        out.collect(activated);
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

    /**
     * Why the outputs of an activated record cannot be written, or null: a record the producer
     * would refuse fails the sink, and the job would restart into it for ever.
     */
    private String tooLarge(FeatureVectorActivator.Outcome outcome) {
        ActivationVector output = outcome.output();
        int outputs = outcome.activations().length;
        long groupBytes = OutputRecordSizes.utf8Bytes(output.getGroup());
        long activations =
                OutputRecordSizes.activations(
                        OutputRecordSizes.utf8Bytes(output.getId()),
                        groupBytes,
                        specBytes,
                        outputs,
                        outcome.inputs().length,
                        derivatives);
        long statistics = OutputRecordSizes.statistics(groupBytes, specBytes, outputs);
        if (activations <= maxRecordBytes && statistics <= maxRecordBytes) {
            return null;
        }
        return String.format(
                "its %s would not fit in one Kafka record: up to %d bytes for %d values, above"
                        + " max.request.size=%d; raise --kafka.max.request.size (and the"
                        + " max.message.bytes of the output topics) to write such records",
                activations > maxRecordBytes ? "activations" : "window statistics",
                Math.max(activations, statistics),
                outcome.inputs().length,
                maxRecordBytes);
    }

    /**
     * {@code letter}, or as much of it as fits in one Kafka record: see {@link OutputRecordSizes}.
     */
    private DeadLetter fitting(DeadLetter letter) {
        return OutputRecordSizes.fittingDeadLetter(letter, maxRecordBytes);
    }

    @Override
    public TypeInformation<ActivationVector> getProducedType() {
        return new AvroTypeInfo<>(ActivationVector.class);
    }
}
