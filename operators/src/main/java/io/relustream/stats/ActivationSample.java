package io.relustream.stats;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the activation stage hands to the statistics branch for one record: its activation outputs
 * and counts of its inputs. Flink writes it with {@link ActivationSampleSerializer}, no Kryo and no
 * reflection.
 *
 * <pre>{@code
 * double[] outputs = new double[relu.outputLength(inputs.length)];
 * relu.apply(inputs, outputs);
 * ActivationSample sample =
 *         ActivationSample.of(id, eventTime, "layer1", inputs, outputs, relu.threshold());
 * }</pre>
 *
 * <p>Only the input counts travel, not the inputs themselves: the statistics need nothing else from
 * them, and for maxout the inputs are {@code k} times longer than the outputs.
 */
@TypeInfo(ActivationSampleTypeInfo.Factory.class)
public class ActivationSample {

    /** Record id. */
    public String id;

    /** Event time of the record, epoch milliseconds. */
    public long eventTime;

    /** The statistics key (model layer, feature set). */
    public String group;

    /** The activation outputs of the record. */
    public double[] activations;

    /** Number of input values. */
    public int inputCount;

    /** NaN input values. */
    public int nanInputs;

    /** {@code +inf} input values. */
    public int posInfInputs;

    /** {@code -inf} input values. */
    public int negInfInputs;

    /** Non-NaN input values strictly below the activation's threshold ({@code -inf} included). */
    public int belowThresholdInputs;

    /** For Flink's POJO serializer. */
    public ActivationSample() {}

    /**
     * A sample of one record, counting its inputs.
     *
     * @param inputs the record's input values; only counted, not kept
     * @param activations the record's activation outputs; kept as they are, not copied
     * @param threshold the activation's threshold: inputs strictly below it count as below
     *     threshold (use 0 for maxout)
     */
    public static ActivationSample of(
            String id,
            long eventTime,
            String group,
            double[] inputs,
            double[] activations,
            double threshold) {
        ActivationSample sample = new ActivationSample();
        sample.id = id;
        sample.eventTime = eventTime;
        sample.group = group;
        sample.activations = activations;
        sample.inputCount = inputs.length;
        for (double z : inputs) {
            if (z != z) {
                sample.nanInputs++;
                continue;
            }
            if (z == Double.POSITIVE_INFINITY) {
                sample.posInfInputs++;
            } else if (z == Double.NEGATIVE_INFINITY) {
                sample.negInfInputs++;
            }
            if (z < threshold) {
                sample.belowThresholdInputs++;
            }
        }
        return sample;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ActivationSample)) {
            return false;
        }
        ActivationSample that = (ActivationSample) o;
        return eventTime == that.eventTime
                && inputCount == that.inputCount
                && nanInputs == that.nanInputs
                && posInfInputs == that.posInfInputs
                && negInfInputs == that.negInfInputs
                && belowThresholdInputs == that.belowThresholdInputs
                && Objects.equals(id, that.id)
                && Objects.equals(group, that.group)
                && Arrays.equals(activations, that.activations);
    }

    @Override
    public int hashCode() {
        int hash =
                Objects.hash(
                        id,
                        eventTime,
                        group,
                        inputCount,
                        nanInputs,
                        posInfInputs,
                        negInfInputs,
                        belowThresholdInputs);
        return 31 * hash + Arrays.hashCode(activations);
    }

    @Override
    public String toString() {
        return "ActivationSample{id="
                + id
                + ", eventTime="
                + eventTime
                + ", group="
                + group
                + ", activations="
                + Arrays.toString(activations)
                + ", inputCount="
                + inputCount
                + ", nanInputs="
                + nanInputs
                + ", posInfInputs="
                + posInfInputs
                + ", negInfInputs="
                + negInfInputs
                + ", belowThresholdInputs="
                + belowThresholdInputs
                + "}";
    }
}
