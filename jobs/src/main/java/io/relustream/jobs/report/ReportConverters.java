package io.relustream.jobs.report;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * The picocli converters of {@link ReportCommand} and {@link PlotCommand} for values the job has no
 * converter for. Like the job's, each message starts with the quoted value and says what is
 * allowed; picocli puts {@code Invalid value for option '--name': } before it.
 *
 * <pre>{@code
 * int width = new ReportConverters.ImageSize().convert("1200"); // 1200
 * }</pre>
 */
final class ReportConverters {

    /** The smallest image side: below it, the fixed margins leave no room for the data. */
    static final int MIN_IMAGE_SIZE = 400;

    /** The largest image side: 8000 x 8000 RGB is 256 MB of pixels already. */
    static final int MAX_IMAGE_SIZE = 8000;

    static final int MIN_SAMPLES = 2;
    static final int MAX_SAMPLES = 1_000_000;

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    private ReportConverters() {}

    /** A width or height in pixels. */
    static final class ImageSize implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, MIN_IMAGE_SIZE, MAX_IMAGE_SIZE);
        }
    }

    /** The number of points of a curve. */
    static final class Samples implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, MIN_SAMPLES, MAX_SAMPLES);
        }
    }

    /** A finite decimal number; hexadecimal, NaN and the infinities are rejected as typos. */
    static final class FiniteNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String stripped = value.strip();
            double number =
                    DECIMAL.matcher(stripped).matches() ? Double.parseDouble(stripped) : Double.NaN;
            if (!Double.isFinite(number)) {
                throw new TypeConversionException(
                        "'" + value + "' must be a finite decimal number, e.g. -6 or 2.5");
            }
            return number;
        }
    }

    private static int integer(String value, int min, int max) {
        String stripped = value.strip();
        String allowed = "'" + value + "' must be an integer in [" + min + ", " + max + "]";
        if (!INTEGER.matcher(stripped).matches()) {
            throw new TypeConversionException(allowed);
        }
        // Compared as a BigInteger, so that any number of digits gets the same message.
        BigInteger number = new BigInteger(stripped);
        if (number.compareTo(BigInteger.valueOf(min)) < 0
                || number.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new TypeConversionException(allowed);
        }
        return number.intValue();
    }
}
