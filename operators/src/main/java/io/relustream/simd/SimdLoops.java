package io.relustream.simd;

import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Internal, not part of the public API: the hot loops C2 17 does not vectorize well on its own,
 * written with the incubating Vector API ({@code jdk.incubator.vector}).
 *
 * <p>They run only when the JVM was started with {@code --add-modules jdk.incubator.vector} on
 * hardware with 256-bit vectors. Callers check {@link #ENABLED} and otherwise run their plain
 * loops, so nothing needs the module: a TaskManager started without it computes the same values,
 * more slowly. {@code -Drelustream.simd=false} turns the loops off, so that the plain ones can be
 * measured side by side; any other value than {@code true} or {@code false} keeps them off too and
 * makes {@link #checkSetting()} fail, which the job's command line and the activation operators
 * call when they start.
 *
 * <p>Every method here gives exactly what the plain loop gives, bit for bit.
 */
public final class SimdLoops {

    /** The system property that turns the Vector API loops off: {@code true} or {@code false}. */
    public static final String PROPERTY = "relustream.simd";

    private static final String MODULE = "jdk.incubator.vector";

    /** What is wrong with the property's value; null when it is true, false or not set. */
    private static final String SETTING_PROBLEM = settingProblem();

    /** Why the Vector API loops are off on this JVM; null when they are on. */
    private static final String OFF_REASON = offReason();

    /** Whether the Vector API loops may be called on this JVM. */
    public static final boolean ENABLED = OFF_REASON == null;

    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private SimdLoops() {}

    private static String setting() {
        return System.getProperty(PROPERTY, "true").trim().toLowerCase(Locale.ROOT);
    }

    private static String settingProblem() {
        String setting = setting();
        if (setting.equals("true") || setting.equals("false")) {
            return null;
        }
        return "Invalid system property "
                + PROPERTY
                + "="
                + System.getProperty(PROPERTY)
                + ": must be true or false";
    }

    /**
     * Fails when {@code -Drelustream.simd} is neither {@code true} nor {@code false}, naming the
     * property, its value and what is allowed.
     *
     * @throws IllegalArgumentException with that message
     */
    public static void checkSetting() {
        if (SETTING_PROBLEM != null) {
            throw new IllegalArgumentException(SETTING_PROBLEM);
        }
    }

    /**
     * For operators to call when they open: {@link #checkSetting()}, then, once per JVM (per class
     * loader on a TaskManager), a log line saying which loops its tasks run. Kept out of the class
     * initializer so that a command line without a logging library can check the setting.
     */
    public static void checkAndReport() {
        checkSetting();
        if (REPORTED.compareAndSet(false, true)) {
            LoggerFactory.getLogger(SimdLoops.class).info("relu-stream loops: {}", describe());
        }
    }

    private static String offReason() {
        if (SETTING_PROBLEM != null) {
            return SETTING_PROBLEM;
        }
        if (setting().equals("false")) {
            return "-D" + PROPERTY + "=false";
        }
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return "start the JVM with --add-modules " + MODULE + " for the others";
        }
        try {
            return VectorApiLoops.hardwareFits() ? null : "no 256-bit vectors on this hardware";
        } catch (LinkageError e) {
            // The module is in the boot layer but unusable here: keep the plain loops.
            return MODULE + " is unusable here: " + e;
        }
    }

    /** Why {@link #ENABLED} is what it is, for start-up logs and benchmark tables. */
    public static String describe() {
        return ENABLED
                ? "Vector API loops, " + VectorApiLoops.SPECIES
                : "plain loops (" + OFF_REASON + ")";
    }

    // The activation loops below do whole vectors from the start and return how many values they
    // did; the caller finishes the rest (fewer than four) with its scalar definition. Call them
    // only when ENABLED, with arrays of the same length.

    /** relu: {@code max(z, 0)}. */
    public static int relu(double[] in, double[] out) {
        return VectorApiLoops.relu(in, out);
    }

    /** relu and its derivative (1 above 0, else 0; NaN for NaN). */
    public static int reluWithDerivative(double[] in, double[] out, double[] derivatives) {
        return VectorApiLoops.reluWithDerivative(in, out, derivatives);
    }

    /** Leaky relu: {@code max(z, 0) + slope * min(z, 0)}. */
    public static int leaky(double[] in, double[] out, double slope) {
        return VectorApiLoops.leaky(in, out, slope);
    }

    /** Leaky relu and its derivative (1 above 0, else {@code slope}; NaN for NaN). */
    public static int leakyWithDerivative(
            double[] in, double[] out, double[] derivatives, double slope) {
        return VectorApiLoops.leakyWithDerivative(in, out, derivatives, slope);
    }

    /** relu capped at {@code max}: {@code min(max(z, 0), max)}. */
    public static int clipped(double[] in, double[] out, double max) {
        return VectorApiLoops.clipped(in, out, max);
    }

    /** Capped relu and its derivative (1 strictly between 0 and {@code max}, else 0). */
    public static int clippedWithDerivative(
            double[] in, double[] out, double[] derivatives, double max) {
        return VectorApiLoops.clippedWithDerivative(in, out, derivatives, max);
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
