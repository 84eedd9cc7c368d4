package io.relustream.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API side of {@link SimdLoops}. Only {@link SimdLoops} touches this class, and only
 * after checking that the module is there: loading it without the module fails.
 *
 * <p>256-bit vectors even where 512 are preferred: measured on an AVX-512 machine with C2 17, the
 * 512-bit blends ran at half the speed of the 256-bit ones (see benchmarks/README.md).
 */
final class VectorApiLoops {

    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_256;

    private VectorApiLoops() {}

    static boolean hardwareFits() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= SPECIES.vectorBitSize();
    }

    static void relu(double[] in, double[] out) {
        int length = Math.min(in.length, out.length);
        DoubleVector zero = DoubleVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(length); i < bound; i += SPECIES.length()) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, in, i);
            // z <= 0 is false for NaN, so NaN stays itself; -0.0 <= 0 turns it into +0.0.
            z.blend(zero, z.compare(VectorOperators.LE, 0.0)).intoArray(out, i);
        }
        for (; i < length; i++) {
            out[i] = relu(in[i]);
        }
    }

    static void reluWithDerivative(double[] in, double[] out, double[] derivatives) {
        int length = Math.min(in.length, Math.min(out.length, derivatives.length));
        DoubleVector zero = DoubleVector.zero(SPECIES);
        DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
        int i = 0;
        for (int bound = SPECIES.loopBound(length); i < bound; i += SPECIES.length()) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, in, i);
            DoubleVector y = z.blend(zero, z.compare(VectorOperators.LE, 0.0));
            y.intoArray(out, i);
            // y * 0 is +0.0 for y = +0.0 and NaN for NaN; every y > 0 (+inf too) takes 1.
            y.mul(0.0).blend(one, y.compare(VectorOperators.GT, 0.0)).intoArray(derivatives, i);
        }
        for (; i < length; i++) {
            double y = relu(in[i]);
            out[i] = y;
            derivatives[i] = y > 0.0 ? 1.0 : y * 0.0;
        }
    }

    private static double relu(double z) {
        return z <= 0.0 ? 0.0 : z;
    }

    static boolean anyNonFinite(double[] values, int length) {
        VectorMask<Double> nonFinite = SPECIES.maskAll(false);
        int i = 0;
        for (int bound = SPECIES.loopBound(length); i < bound; i += SPECIES.length()) {
            // v * 0 is 0 for finite v and NaN otherwise; NaN != 0. (test(IS_FINITE) works on the
            // bits as longs, which C2 17 compiles to slower code.)
            DoubleVector v = DoubleVector.fromArray(SPECIES, values, i);
            nonFinite = nonFinite.or(v.mul(0.0).compare(VectorOperators.NE, 0.0));
        }
        boolean any = nonFinite.anyTrue();
        for (; i < length; i++) {
            any |= !Double.isFinite(values[i]);
        }
        return any;
    }

    static int countZeros(double[] values, int length) {
        int zeros = 0;
        int i = 0;
        for (int bound = SPECIES.loopBound(length); i < bound; i += SPECIES.length()) {
            zeros += DoubleVector.fromArray(SPECIES, values, i).eq(0.0).trueCount();
        }
        for (; i < length; i++) {
            zeros += values[i] == 0.0 ? 1 : 0;
        }
        return zeros;
    }
}
