package io.relustream.operators;

import io.relustream.simd.SimdLoops;

/**
 * What one record held and produced; filled by the activation core, read by the metrics.
 *
 * <pre>{@code
 * ValueCounts counts = activator.activate(record).counts();
 * counts.values();        // input values, NaN and infinities included
 * counts.zeroOutputs();   // outputs == 0.0
 * }</pre>
 */
public final class ValueCounts {

    long values;
    long zeroOutputs;
    long outputValues;
    long nanInputs;
    long posInfInputs;
    long negInfInputs;
    int firstInvalidIndex;

    void reset() {
        values = 0;
        zeroOutputs = 0;
        outputValues = 0;
        nanInputs = 0;
        posInfInputs = 0;
        negInfInputs = 0;
        firstInvalidIndex = -1;
    }

    /** Input values of the record. */
    public long values() {
        return values;
    }

    /** Outputs equal to 0.0. */
    public long zeroOutputs() {
        return zeroOutputs;
    }

    /** Outputs that are not NaN: the values the window statistics count ({@code value_count}). */
    public long outputValues() {
        return outputValues;
    }

    /** NaN inputs. */
    public long nanInputs() {
        return nanInputs;
    }

    /** {@code +inf} inputs. */
    public long posInfInputs() {
        return posInfInputs;
    }

    /** {@code -inf} inputs. */
    public long negInfInputs() {
        return negInfInputs;
    }

    long invalidInputs() {
        return nanInputs + posInfInputs + negInfInputs;
    }

    /** Counts the non-finite inputs and remembers where the first one is. */
    void countInputs(double[] in, int length) {
        values += length;
        if (SimdLoops.ENABLED && !SimdLoops.anyNonFinite(in, length)) {
            return;
        }
        for (int i = 0; i < length; i++) {
            double z = in[i];
            if (!Double.isFinite(z)) {
                if (firstInvalidIndex < 0) {
                    firstInvalidIndex = (int) (values - length) + i;
                }
                if (z != z) {
                    nanInputs++;
                } else if (z > 0) {
                    posInfInputs++;
                } else {
                    negInfInputs++;
                }
            }
        }
    }

    void countZeros(double[] out, int length) {
        if (SimdLoops.ENABLED) {
            zeroOutputs += SimdLoops.countZeros(out, length);
            return;
        }
        long zeros = 0;
        for (int i = 0; i < length; i++) {
            zeros += out[i] == 0.0 ? 1 : 0;
        }
        zeroOutputs += zeros;
    }

    /** Counts the outputs that are not NaN, looking at them only when {@code mayHoldNaN}. */
    void countOutputValues(double[] out, int length, boolean mayHoldNaN) {
        if (!mayHoldNaN) {
            outputValues += length;
            return;
        }
        long values = 0;
        for (int i = 0; i < length; i++) {
            values += out[i] == out[i] ? 1 : 0;
        }
        outputValues += values;
    }
}
