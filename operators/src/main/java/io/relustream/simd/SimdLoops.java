package io.relustream.simd;

import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Internal, not part of the public API: the hot loops C2 17 does not vectorize well on its own,
 * written with the incubating Vector API ({@code jdk.incubator.vector}).
 *
 * <p>They run only when the JVM was started with {@code --add-modules jdk.incubator.vector} on
 * hardware with 256-bit vectors. Callers check {@link #ENABLED} and otherwise run their plain
 * loops, so nothing needs the module: a TaskManager started without it computes the same values,
 * more slowly. {@code -Drelustream.simd=false} turns the loops off, so that the plain ones can be
 * measured side by side.
 *
 * <p>Every method here gives exactly what the plain loop gives, bit for bit.
 */
public final class SimdLoops {

    /** The system property that turns the Vector API loops off: {@code true} or {@code false}. */
    public static final String PROPERTY = "relustream.simd";

    /** Whether the Vector API loops may be called on this JVM. */
    public static final boolean ENABLED = enabled();

    private static final String MODULE = "jdk.incubator.vector";

    static {
        // Once per JVM (per class loader on a TaskManager): says which loops its tasks run.
        LoggerFactory.getLogger(SimdLoops.class).info("relu-stream loops: {}", describe());
    }

    private SimdLoops() {}

    private static boolean enabled() {
        String setting = System.getProperty(PROPERTY, "true").trim().toLowerCase(Locale.ROOT);
        if (!setting.equals("true") && !setting.equals("false")) {
            throw new IllegalArgumentException(
                    "Invalid system property "
                            + PROPERTY
                            + "="
                            + System.getProperty(PROPERTY)
                            + ": must be true or false");
        }
        if (setting.equals("false") || ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return false;
        }
        try {
            return VectorApiLoops.hardwareFits();
        } catch (LinkageError e) {
            // The module is in the boot layer but unusable here: keep the plain loops.
            return false;
        }
    }

    /** Why {@link #ENABLED} is what it is, for start-up logs and benchmark tables. */
    public static String describe() {
        if (ENABLED) {
            return "Vector API loops, " + VectorApiLoops.SPECIES;
        }
        if (Boolean.FALSE.toString().equalsIgnoreCase(System.getProperty(PROPERTY, "").trim())) {
            return "plain loops (-D" + PROPERTY + "=false)";
        }
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return "plain loops (start the JVM with --add-modules " + MODULE + " for the others)";
        }
        return "plain loops (no 256-bit vectors on this hardware)";
    }

    /** {@code out[i] = max(in[i], 0)} with relu's semantics; only when {@link #ENABLED}. */
    public static void relu(double[] in, double[] out) {
        VectorApiLoops.relu(in, out);
    }

    /** relu and its derivative in one pass; only when {@link #ENABLED}. */
    public static void reluWithDerivative(double[] in, double[] out, double[] derivatives) {
        VectorApiLoops.reluWithDerivative(in, out, derivatives);
    }

    /** Whether any of the first {@code length} values is NaN or infinite. */
    public static boolean anyNonFinite(double[] values, int length) {
        return VectorApiLoops.anyNonFinite(values, length);
    }

    /** How many of the first {@code length} values are {@code == 0.0} (either sign). */
    public static int countZeros(double[] values, int length) {
        return VectorApiLoops.countZeros(values, length);
    }
}
