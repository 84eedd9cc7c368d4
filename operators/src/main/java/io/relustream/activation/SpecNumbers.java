package io.relustream.activation;

import java.util.regex.Pattern;

/** Numbers in spec strings: written so that they read back exactly. */
final class SpecNumbers {

    // Fraction digits only after a point: with \d+\.?\d* a run of digits could be split between
    // the two loops in every way, so refusing a long malformed number took quadratic time.
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private SpecNumbers() {}

    /**
     * Integral values without a fraction ("6"), others as {@link Double#toString(double)} writes
     * them, which reads back as the same double. On Java 17 that is not always the shortest such
     * decimal: {@code 1e23} is written {@code 9.999999999999999E22}.
     */
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

    /**
     * What a refusal of {@code text}, which {@link #parse} did not read, says a value must be. A
     * digit of another script (Arabic-Indic, full-width) is a digit to its writer, and only ASCII
     * ones are read, so the refusal of a value holding such a digit says which are.
     */
    static String notANumber(String text) {
        boolean otherDigits = text.codePoints().anyMatch(c -> c > '9' && Character.isDigit(c));
        return otherDigits
                ? "must be a number; numbers are written with ASCII digits 0-9"
                : "must be a number";
    }

    /**
     * Whether a decimal is an integer as written, not only once rounded to a double: {@code
     * 3.0000000000000001} reads as the double 3 but is no integer. True for {@code inf} and {@code
     * nan}, which the caller refuses by their value.
     */
    static boolean isIntegral(String text) {
        if (!DECIMAL.matcher(text).matches()) {
            return true;
        }
        // Read from the digits, in one pass: BigDecimal.stripTrailingZeros divides by ten once per
        // zero, so "2.000...0" with a million zeros took minutes.
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        String mantissa = e < 0 ? text : text.substring(0, e);
        long exponent;
        try {
            exponent = e < 0 ? 0 : Long.parseLong(text.substring(e + 1));
        } catch (NumberFormatException exponentBeyondLong) {
            // An exponent past the longs: the double, 0 or inf, decides.
            return true;
        }
        int point = mantissa.indexOf('.');
        int fractionEnd = mantissa.length();
        if (point >= 0) {
            while (fractionEnd > point + 1 && mantissa.charAt(fractionEnd - 1) == '0') {
                fractionEnd--;
            }
            if (fractionEnd > point + 1) {
                // A last fraction digit other than 0: the exponent must move it before the point.
                return fractionEnd - (point + 1) <= exponent;
            }
        }
        int wholeEnd = point < 0 ? mantissa.length() : point;
        int trailingZeros = 0;
        while (wholeEnd - trailingZeros > 0
                && mantissa.charAt(wholeEnd - 1 - trailingZeros) == '0') {
            trailingZeros++;
        }
        int wholeStart = mantissa.startsWith("+") || mantissa.startsWith("-") ? 1 : 0;
        boolean zero = wholeEnd - trailingZeros <= wholeStart;
        // Written -exponent <= trailingZeros, without negating a Long.MIN_VALUE.
        return zero || exponent >= -trailingZeros;
    }

    /** A decimal no double stands for: {@code Double.valueOf} would read something not written. */
    enum Beyond {
        /** Beyond the largest double: it would read as an infinity. */
        LARGEST(
                "a number must be at most "
                        + Double.MAX_VALUE
                        + " in magnitude, the largest double"),
        /** Not 0, but below the smallest double: it would read as 0. */
        SMALLEST(
                "a number other than 0 must be at least "
                        + Double.MIN_VALUE
                        + " in magnitude, the smallest double (it would read as 0)");

        /** The doubles' limit the number is past, as a refusal says it. */
        final String limit;

        Beyond(String limit) {
            this.limit = limit;
        }
    }

    /**
     * Which limit of the doubles a decimal that {@link #parse} read as {@code value} is past; null
     * when the value stands for the text (as it does for {@code inf} and {@code nan}).
     */
    static Beyond beyond(String text, double value) {
        if (!DECIMAL.matcher(text).matches()) {
            // inf and nan, written as such.
            return null;
        }
        if (Double.isInfinite(value)) {
            return Beyond.LARGEST;
        }
        String digits = text.split("[eE]")[0];
        if (value == 0.0 && digits.matches(".*[1-9].*")) {
            return Beyond.SMALLEST;
        }
        return null;
    }
}
