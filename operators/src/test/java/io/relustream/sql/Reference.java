package io.relustream.sql;

/**
 * The activations the slow, obvious way, from the formulas of the architecture page; shares no code
 * with io.relustream.activation. A NaN input gives NaN; the tests handle NULL themselves.
 */
final class Reference {

    /** Negative slope a, max value m (+inf: none), threshold t, derivative g at the threshold. */
    final double a;

    final double m;
    final double t;
    final double g;

    Reference(double a, double m, double t, double g) {
        this.a = a;
        this.m = m;
        this.t = t;
        this.g = g;
    }

    static final Reference RELU = new Reference(0, Double.POSITIVE_INFINITY, 0, 0);

    static Reference leaky(double alpha) {
        return new Reference(alpha, Double.POSITIVE_INFINITY, 0, alpha);
    }

    double f(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        double y;
        if (z <= t) {
            // 0 * -inf would be NaN; with no slope the flat side is exactly zero.
            y = a == 0 ? 0.0 : a * (z - t);
        } else {
            y = z >= m ? m : z;
        }
        return y == 0.0 ? 0.0 : y; // never -0.0
    }

    double df(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        if (z < t) {
            return a;
        }
        if (z == t) {
            return g;
        }
        return m != Double.POSITIVE_INFINITY && z >= m ? 0.0 : 1.0;
    }

    Double f(Double z) {
        return z == null ? null : f(z.doubleValue());
    }

    Double df(Double z) {
        return z == null ? null : df(z.doubleValue());
    }

    Float f(Float z) {
        return z == null ? null : roundedOnce(f(z.doubleValue()));
    }

    Float df(Float z) {
        return z == null ? null : roundedOnce(df(z.doubleValue()));
    }

    /** The nearest float; a zero as +0.0f, since zero outputs are never -0.0. */
    private static float roundedOnce(double value) {
        float rounded = (float) value;
        return rounded == 0.0f ? 0.0f : rounded;
    }

    Double[] f(Double[] z) {
        if (z == null) {
            return null;
        }
        Double[] out = new Double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = f(z[i]);
        }
        return out;
    }

    Double[] df(Double[] z) {
        if (z == null) {
            return null;
        }
        Double[] out = new Double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = df(z[i]);
        }
        return out;
    }

    Float[] f(Float[] z) {
        if (z == null) {
            return null;
        }
        Float[] out = new Float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = f(z[i]);
        }
        return out;
    }

    Float[] df(Float[] z) {
        if (z == null) {
            return null;
        }
        Float[] out = new Float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = df(z[i]);
        }
        return out;
    }

    /**
     * Maxout over groups of {@code k}: the group maximum (+0.0 for a zero), NaN for a group with a
     * NaN, NULL for a group with a NULL; NULL for a length that is not a multiple of {@code k}.
     */
    static Double[] maxout(Double[] z, int k) {
        if (z == null || z.length % k != 0) {
            return null;
        }
        Double[] out = new Double[z.length / k];
        for (int group = 0; group < out.length; group++) {
            out[group] = groupMax(z, group * k, k);
        }
        return out;
    }

    /**
     * The one-hot mask of each group's first maximum; NaN or NULL entries as in {@link #maxout}.
     */
    static Double[] maxoutGrad(Double[] z, int k) {
        if (z == null || z.length % k != 0) {
            return null;
        }
        Double[] out = new Double[z.length];
        for (int base = 0; base < z.length; base += k) {
            Double max = groupMax(z, base, k);
            boolean found = false;
            for (int i = base; i < base + k; i++) {
                if (max == null) {
                    out[i] = null;
                } else if (max.isNaN()) {
                    out[i] = Double.NaN;
                } else if (!found && z[i] == max.doubleValue()) {
                    out[i] = 1.0;
                    found = true;
                } else {
                    out[i] = 0.0;
                }
            }
        }
        return out;
    }

    private static Double groupMax(Double[] z, int base, int k) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int i = base; i < base + k; i++) {
            if (z[i] == null) {
                return null;
            }
            if (z[i].isNaN()) {
                nan = true;
            } else if (z[i] > max) {
                max = z[i];
            }
        }
        return nan ? Double.NaN : max == 0.0 ? 0.0 : max;
    }

    static Float[] maxout(Float[] z, int k) {
        return toFloats(maxout(toDoubles(z), k));
    }

    static Float[] maxoutGrad(Float[] z, int k) {
        return toFloats(maxoutGrad(toDoubles(z), k));
    }

    static Double[] toDoubles(Float[] z) {
        if (z == null) {
            return null;
        }
        Double[] out = new Double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] == null ? null : (double) z[i];
        }
        return out;
    }

    static Float[] toFloats(Double[] z) {
        if (z == null) {
            return null;
        }
        Float[] out = new Float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] == null ? null : (float) (double) z[i];
        }
        return out;
    }
}
