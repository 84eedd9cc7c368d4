package io.relustream.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API side of {@link SimdLoops}. Only {@link SimdLoops} touches this class, and only
 * after checking that the module is there: loading it without the module fails.
 *
 * <p>The activation loops do whole vectors only and return how many values they did; the caller
 * finishes the few left with its scalar definition. They compute with the same operations as the
 * scalar definitions in {@code Rectifier} (a blend where those take max or min of a value and 0),
 * so NaN keeps its payload and zeros come out as +0.0 exactly as there.
 *
 * <p>256-bit vectors even where 512 are preferred: measured on an AVX-512 machine with C2 17, the
 * 512-bit blends ran at half the speed of the 256-bit ones (see benchmarks/README.md).
 */
final class VectorApiLoops {

    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_256;

    // 1 - p rather than -p + 1: negating a NaN flips its sign bit, which the scalar form keeps.
    private static final DoubleVector ONE = DoubleVector.broadcast(SPECIES, 1.0);

    private VectorApiLoops() {}

    static boolean hardwareFits() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= SPECIES.vectorBitSize();
    }

    // max(z, 0): z <= 0 is false for NaN, so NaN stays itself; -0.0 <= 0 turns it into +0.0.
    private static DoubleVector positivePart(DoubleVector z, VectorMask<Double> atMostZero) {
        return z.blend(0.0, atMostZero);
    }

    // min(z, 0): z > 0 is false for NaN, which stays itself; -0.0 stays -0.0 as in Math.min.
    private static DoubleVector negativePart(DoubleVector z, VectorMask<Double> aboveZero) {
        return z.blend(0.0, aboveZero);
    }

    // 1 for y > 0 (+inf too), +0.0 for y = +0.0, NaN for NaN (y * 0): y is max(z, 0).
    private static DoubleVector indicator(DoubleVector y, VectorMask<Double> aboveZero) {
        return y.mul(0.0).blend(1.0, aboveZero);
    }

    static int relu(double[] in, double[] out) {
        int bound = SPECIES.loopBound(in.length);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, in, i);
            positivePart(z, z.compare(VectorOperators.LE, 0.0)).intoArray(out, i);
        }
        return bound;
    }

    static int reluWithDerivative(double[] in, double[] out, double[] derivatives) {
        int bound = SPECIES.loopBound(in.length);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, in, i);
            DoubleVector y = positivePart(z, z.compare(VectorOperators.LE, 0.0));
            y.intoArray(out, i);
            indicator(y, z.compare(VectorOperators.GT, 0.0)).intoArray(derivatives, i);
        }
        return bound;
    }

    static int leaky(double[] in, double[] out, double slope) {
        int bound = SPECIES.loopBound(in.length);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, in, i);
            leaky(z, slope).intoArray(out, i);
        }
        return bound;
    }

    // max(z, 0) + a * min(z, 0), as Rectifier writes it.
    private static DoubleVector leaky(DoubleVector z, double slope) {
        DoubleVector positive = positivePart(z, z.compare(VectorOperators.LE, 0.0));
        DoubleVector negative = negativePart(z, z.compare(VectorOperators.GT, 0.0));
        return positive.add(negative.mul(slope));
    }

    static int leakyWithDerivative(double[] in, double[] out, double[] derivatives, double slope) {
        int bound = SPECIES.loopBound(in.length);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, in, i);
            VectorMask<Double> aboveZero = z.compare(VectorOperators.GT, 0.0);
            DoubleVector positive = positivePart(z, z.compare(VectorOperators.LE, 0.0));
            positive.add(negativePart(z, aboveZero).mul(slope)).intoArray(out, i);
            // a * (1 - p) + p: exactly a for p = 0, 1 for p = 1, NaN for NaN.
            DoubleVector p = indicator(positive, aboveZero);
            ONE.sub(p).mul(slope).add(p).intoArray(derivatives, i);
        }
        return bound;
    }

    static int clipped(double[] in, double[] out, double max) {
        int bound = SPECIES.loopBound(in.length);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, in, i);
            clipped(z, max).intoArray(out, i);
        }
        return bound;
    }

    // min(max(z, 0), m): a value at or above m (+inf too) becomes m; NaN stays itself.
    private static DoubleVector clipped(DoubleVector z, double max) {
        DoubleVector positive = positivePart(z, z.compare(VectorOperators.LE, 0.0));
        return positive.blend(max, positive.compare(VectorOperators.GE, max));
    }

    static int clippedWithDerivative(double[] in, double[] out, double[] derivatives, double max) {
        int bound = SPECIES.loopBound(in.length);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, in, i);
            clipped(z, max).intoArray(out, i);
            // positive(z) * positive(m - z), as Rectifier writes it: both factors are 1, +0.0 or
            // NaN, so the product is 1 strictly between 0 and m, +0.0 outside, NaN for NaN.
            DoubleVector belowCap = DoubleVector.broadcast(SPECIES, max).sub(z);
            DoubleVector fromZero =
                    indicator(
                            positivePart(z, z.compare(VectorOperators.LE, 0.0)),
                            z.compare(VectorOperators.GT, 0.0));
            DoubleVector fromCap =
                    indicator(
                            positivePart(belowCap, belowCap.compare(VectorOperators.LE, 0.0)),
                            belowCap.compare(VectorOperators.GT, 0.0));
            fromZero.mul(fromCap).intoArray(derivatives, i);
        }
        return bound;
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
