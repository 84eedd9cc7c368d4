package io.relustream.operators;

import io.relustream.activation.Maxout;
import io.relustream.activation.Rectifier;
import io.relustream.activation.VectorActivation;

import java.io.Serializable;
import java.util.Objects;

/**
 * Applies a {@link VectorActivation} to vectors of values under an {@link InvalidValuePolicy}: the
 * part of every activation operator that knows no Flink and no record type.
 */
final class VectorActivator implements Serializable {

    private static final long serialVersionUID = 1L;

    private final VectorActivation activation;
    private final InvalidValuePolicy policy;
    // The rectifiers and maxout give NaN for a NaN input only; other activations may for any.
    private final boolean nanOnlyFromNaN;

    VectorActivator(VectorActivation activation, InvalidValuePolicy policy) {
        this.activation = Objects.requireNonNull(activation, "activation");
        this.policy = Objects.requireNonNull(policy, "invalid-value policy");
        this.nanOnlyFromNaN = activation instanceof Rectifier || activation instanceof Maxout;
    }

    VectorActivation activation() {
        return activation;
    }

    InvalidValuePolicy policy() {
        return policy;
    }

    /**
     * Counts the inputs and decides whether they can be activated.
     *
     * @param label how to name the values in a message, e.g. {@code values}
     * @param scalar whether the values are one scalar field rather than an array
     * @return {@code null} when they can, else the reason in words
     */
    String check(String label, boolean scalar, double[] in, int length, ValueCounts counts) {
        long invalidBefore = counts.invalidInputs();
        long valuesBefore = counts.values;
        counts.countInputs(in, length);
        if (activation instanceof Maxout && length % ((Maxout) activation).groupSize() != 0) {
            return label
                    + " has "
                    + length
                    + (length == 1 ? " value, not a multiple of " : " values, not a multiple of ")
                    + ((Maxout) activation).groupSize()
                    + " as "
                    + activation.spec()
                    + " needs";
        }
        boolean strict = policy == InvalidValuePolicy.REJECT || policy == InvalidValuePolicy.FAIL;
        if (strict && counts.invalidInputs() > invalidBefore) {
            int index = (int) (counts.firstInvalidIndex - valuesBefore);
            return label
                    + (scalar ? "" : "[" + index + "]")
                    + " is "
                    + in[index]
                    + " and the invalid-value policy is "
                    + policy.optionValue()
                    + " (NaN and infinities are not accepted)";
        }
        return null;
    }

    int outputLength(int inputLength) {
        return activation.outputLength(inputLength);
    }

    /**
     * Activates {@code in} into {@code out} and, when not null, the derivatives into {@code
     * derivatives}; counts the zero outputs and the outputs that are not NaN.
     */
    void activate(double[] in, double[] out, double[] derivatives, ValueCounts counts) {
        if (derivatives != null) {
            activation.applyWithDerivative(in, out, derivatives);
        } else {
            activation.apply(in, out);
        }
        if (policy == InvalidValuePolicy.ZERO) {
            zeroNaN(out);
            if (derivatives != null) {
                zeroNaN(derivatives);
            }
        }
        counts.countZeros(out, out.length);
        // Looks for NaN outputs only in a record with NaN inputs, where they can be; the zero
        // policy has turned every NaN into 0.0, a value.
        boolean mayHoldNaN =
                policy != InvalidValuePolicy.ZERO && (counts.nanInputs > 0 || !nanOnlyFromNaN);
        counts.countOutputValues(out, out.length, mayHoldNaN);
    }

    private static void zeroNaN(double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != values[i]) {
                values[i] = 0.0;
            }
        }
    }
}
