package io.relustream.activation;

import java.util.regex.Pattern;

/** Numbers in spec strings: written so that they read back exactly. */
final class SpecNumbers {

    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private SpecNumbers() {}

    /** Integral values without a fraction ("6"), others as the shortest exact decimal. */
    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        return Double.toString(value);
    }

    /**
     * Reads a decimal number, {@code inf}, {@code -inf} or {@code nan} (case-insensitive).
     *
     * @return the value, or {@code null} when the text is not a number
     */
    static Double parse(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "inf":
            case "+inf":
            case "infinity":
            case "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf":
            case "-infinity":
                return Double.NEGATIVE_INFINITY;
            case "nan":
                return Double.NaN;
            default:
                return DECIMAL.matcher(text).matches() ? Double.valueOf(text) : null;
        }
    }
}
