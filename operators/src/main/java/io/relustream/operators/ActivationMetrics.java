package io.relustream.operators;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The counters every activation operator exposes in Flink's metric system, on the operator's metric
 * group: {@code activationRecords}, {@code activationValues}, {@code zeroOutputs}, {@code
 * outputValues}, {@code nanInputs}, {@code posInfInputs}, {@code negInfInputs} and {@code
 * rejectedRecords}.
 *
 * <p>{@code activationRecords} and the input counters ({@code activationValues} and the NaN and
 * infinity counts) include rejected records; {@code zeroOutputs} and {@code outputValues} count the
 * outputs of activated records only, so {@code zeroOutputs / outputValues} is the zero fraction the
 * window statistics compute ({@code zero_count / value_count}).
 *
 * <pre>{@code
 * // in open() of a rich function that activates with a FeatureVectorActivator:
 * metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
 * // per record:
 * FeatureVectorActivator.Outcome outcome = activator.activate(record);
 * if (outcome.problem() == null) {
 *     metrics.activated(outcome.counts());
 * } else {
 *     metrics.rejected(outcome.counts());
 * }
 * }</pre>
 */
public final class ActivationMetrics {

    public static final String RECORDS = "activationRecords";
    public static final String VALUES = "activationValues";
    public static final String ZERO_OUTPUTS = "zeroOutputs";

    /**
     * The activation outputs that are not NaN, of the records that were activated: the window
     * statistics' {@code value_count}. Not {@link #VALUES}, which counts inputs (NaN included,
     * {@code k} per output for maxout) of rejected records too.
     */
    public static final String OUTPUT_VALUES = "outputValues";

    public static final String NAN_INPUTS = "nanInputs";
    public static final String POS_INF_INPUTS = "posInfInputs";
    public static final String NEG_INF_INPUTS = "negInfInputs";
    public static final String REJECTED_RECORDS = "rejectedRecords";

    private final Counter records;
    private final Counter values;
    private final Counter zeroOutputs;
    private final Counter outputValues;
    private final Counter nanInputs;
    private final Counter posInfInputs;
    private final Counter negInfInputs;
    private final Counter rejectedRecords;

    public ActivationMetrics(MetricGroup group) {
        records = group.counter(RECORDS);
        values = group.counter(VALUES);
        zeroOutputs = group.counter(ZERO_OUTPUTS);
        outputValues = group.counter(OUTPUT_VALUES);
        nanInputs = group.counter(NAN_INPUTS);
        posInfInputs = group.counter(POS_INF_INPUTS);
        negInfInputs = group.counter(NEG_INF_INPUTS);
        rejectedRecords = group.counter(REJECTED_RECORDS);
    }

    /** Counts a record that was activated. */
    public void activated(ValueCounts counts) {
        records.inc();
        countInputs(counts);
        zeroOutputs.inc(counts.zeroOutputs());
        outputValues.inc(counts.outputValues());
    }

    /** Counts a record that was sent to the rejected-records side output. */
    public void rejected(ValueCounts counts) {
        records.inc();
        countInputs(counts);
        rejectedRecords.inc();
    }

    private void countInputs(ValueCounts counts) {
        values.inc(counts.values());
        nanInputs.inc(counts.nanInputs());
        posInfInputs.inc(counts.posInfInputs());
        negInfInputs.inc(counts.negInfInputs());
    }
}
