package io.relustream.activation;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Factories for the ReLU family and the parser of their spec strings.
 *
 * <pre>{@code
 * Activation relu = Activations.relu();
 * Activation leaky = Activations.parse("leaky_relu(alpha=0.1)");
 * Activation general =
 *         Activations.rectifier().negativeSlope(0.1).maxValue(6).threshold(0.5).build();
 * VectorActivation maxout = Activations.parseVector("maxout(k=2)");
 * }</pre>
 *
 * <p>Specs read: {@code relu}, {@code leaky_relu(alpha=0.01)}, {@code relu6}, {@code
 * clipped_relu(max=4)}, {@code thresholded_relu(theta=1.0)}, {@code relu(negative_slope=0.1,
 * max_value=6, threshold=0.5, grad_at_threshold=1)} and {@code maxout(k=2)}. Every activation's
 * {@code spec()} parses back to an equal activation. Bad names, parameters or values throw {@link
 * IllegalArgumentException} naming the parameter, the value and what is allowed; characters of the
 * spec that do not show as themselves (a no-break space) are written there as Java escapes, and
 * named.
 */
public final class Activations {

    /**
     * How many of the characters a refusal escapes it names: names help find a few; for a spec of
     * thousands of distinct ones they would make the refusal some fifty times its length.
     */
    private static final int NAMED_CHARACTERS = 5;

    /** Default {@code alpha} of {@code leaky_relu}, as in PyTorch and TensorFlow. */
    public static final double DEFAULT_LEAKY_ALPHA = 0.01;

    /** Default {@code theta} of {@code thresholded_relu}, as in Keras. */
    public static final double DEFAULT_THETA = 1.0;

    // What the parameters allow, as their refusals say it.
    static final String SLOPE_RANGE = "must be a finite number >= 0";
    static final String FINITE_RANGE = "must be a finite number";
    static final String CAP_RANGE = "must be a finite number > 0";

    private static final Map<String, Set<String>> PARAMETERS = new LinkedHashMap<>();

    static {
        PARAMETERS.put(
                "relu", Set.of("negative_slope", "max_value", "threshold", "grad_at_threshold"));
        PARAMETERS.put("leaky_relu", Set.of("alpha"));
        PARAMETERS.put("relu6", Set.of());
        PARAMETERS.put("clipped_relu", Set.of("max"));
        PARAMETERS.put("thresholded_relu", Set.of("theta"));
        PARAMETERS.put("maxout", Set.of("k"));
    }

    private Activations() {}

    /**
     * How the {@code float} forms round a result computed in {@code double}: once, to the nearest
     * {@code float}, with a zero as {@code +0.0f}. A tiny negative result, such as {@code
     * leaky_relu} of {@code -Float.MIN_VALUE}, rounds to zero, and zero outputs are never {@code
     * -0.0}.
     */
    public static float toFloat(double value) {
        // Adding +0.0f turns -0.0f into +0.0f and leaves every other float as it is.
        return (float) value + 0.0f;
    }

    /** {@code max(z, 0)}. */
    public static Rectifier relu() {
        return new Rectifier(0.0, Double.POSITIVE_INFINITY, 0.0, 0.0, Rectifier.Form.RELU);
    }

    /**
     * {@code z} for {@code z > 0}, else {@code alpha * z}; {@code alpha} finite and {@code >= 0}.
     */
    public static Rectifier leakyRelu(double alpha) {
        requireSlope("alpha", alpha);
        return new Rectifier(
                alpha, Double.POSITIVE_INFINITY, 0.0, alpha, Rectifier.Form.LEAKY_RELU);
    }

    /** {@code min(max(z, 0), 6)}. */
    public static Rectifier relu6() {
        return new Rectifier(0.0, 6.0, 0.0, 0.0, Rectifier.Form.RELU6);
    }

    /** {@code min(max(z, 0), max)}; {@code max} finite and {@code > 0}. */
    public static Rectifier clippedRelu(double max) {
        if (!(Double.isFinite(max) && max > 0.0)) {
            throw invalid("max", format(max), CAP_RANGE);
        }
        return new Rectifier(0.0, max, 0.0, 0.0, Rectifier.Form.CLIPPED_RELU);
    }

    /** {@code z} if {@code z > theta} else 0; {@code theta} finite. */
    public static Rectifier thresholdedRelu(double theta) {
        requireFinite("theta", theta);
        return new Rectifier(
                0.0, Double.POSITIVE_INFINITY, theta, 0.0, Rectifier.Form.THRESHOLDED_RELU);
    }

    /** The general rectifier; every parameter starts at its plain-ReLU default. */
    public static RectifierBuilder rectifier() {
        return new RectifierBuilder();
    }

    /** Maxout over groups of {@code k >= 2} consecutive features. */
    public static Maxout maxout(int k) {
        return new Maxout(k);
    }

    /**
     * Reads an element-wise activation from its spec.
     *
     * @throws IllegalArgumentException for an unknown name or parameter, a bad value, a malformed
     *     spec, or {@code maxout}, which is not element-wise (read it with {@link #parseVector})
     */
    public static Activation parse(String spec) {
        VectorActivation activation = parseVector(spec);
        if (!(activation instanceof Activation)) {
            throw refused(
                    "Activation spec "
                            + quoted(spec)
                            + " is not element-wise: maxout changes the vector length; read it"
                            + " with Activations.parseVector",
                    spec);
        }
        return (Activation) activation;
    }

    /**
     * Reads any activation, element-wise or {@code maxout}, from its spec.
     *
     * @throws IllegalArgumentException for an unknown name or parameter, a bad value or a malformed
     *     spec
     */
    public static VectorActivation parseVector(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "Activation spec is empty; allowed: " + allowedNames() + ", e.g. relu");
        }
        ParsedSpec parsed = ParsedSpec.parse(spec);
        Set<String> allowed = PARAMETERS.get(parsed.name);
        if (allowed == null) {
            throw refused(
                    "Unknown activation "
                            + quoted(parsed.writtenName)
                            + " in spec "
                            + quoted(spec)
                            + "; allowed: "
                            + allowedNames()
                            + meant(parsed.name, PARAMETERS.keySet(), Set.of()),
                    spec);
        }
        for (String parameter : parsed.parameters.keySet()) {
            if (!allowed.contains(parameter)) {
                throw refused(
                        "Unknown parameter "
                                + quoted(parsed.written.get(parameter))
                                + " for "
                                + parsed.name
                                + " in spec "
                                + quoted(spec)
                                + "; allowed: "
                                + (allowed.isEmpty() ? "none" : String.join(", ", sorted(allowed)))
                                + meant(parameter, allowed, parsed.parameters.keySet()),
                        spec);
            }
        }
        if (parsed.repeated != null) {
            throw refused(
                    "Parameter "
                            + quoted(parsed.repeated)
                            + " is given more than once in activation spec "
                            + quoted(spec)
                            + "; each parameter may be given once",
                    spec);
        }
        try {
            return build(parsed);
        } catch (IllegalArgumentException e) {
            String message =
                    e instanceof InvalidParameter
                            ? ((InvalidParameter) e).asWritten(parsed).getMessage()
                            : e.getMessage();
            IllegalArgumentException refusal =
                    refused(message + " (in activation spec " + quoted(spec) + ")", spec);
            refusal.initCause(e);
            throw refusal;
        }
    }

    private static VectorActivation build(ParsedSpec parsed) {
        switch (parsed.name) {
            case "relu":
                if (parsed.parameters.isEmpty()) {
                    return relu();
                }
                RectifierBuilder builder = rectifier();
                if (parsed.has("negative_slope")) {
                    double slope = parsed.number("negative_slope", SLOPE_RANGE, POSITIVE);
                    requireSlope("negative_slope", slope);
                    builder.negativeSlope(slope);
                }
                // The threshold before max_value, whose refusals name it.
                double threshold =
                        parsed.has("threshold")
                                ? parsed.number("threshold", FINITE_RANGE, ANY)
                                : 0.0;
                requireFinite("threshold", threshold);
                builder.threshold(threshold);
                if (parsed.has("max_value")) {
                    builder.maxValue(
                            parsed.number(
                                    "max_value",
                                    maxValueRange(threshold),
                                    (negative, beyond) ->
                                            beyond == SpecNumbers.Beyond.LARGEST
                                                    ? !negative
                                                    // Closer to 0 than any double: above a
                                                    // threshold of 0 or less when positive,
                                                    // above a negative one when negative.
                                                    : negative ? threshold < 0 : threshold <= 0));
                }
                if (parsed.has("grad_at_threshold")) {
                    builder.gradientAtThreshold(
                            parsed.number("grad_at_threshold", FINITE_RANGE, ANY));
                }
                return builder.build();
            case "leaky_relu":
                return leakyRelu(
                        parsed.has("alpha")
                                ? parsed.number("alpha", SLOPE_RANGE, POSITIVE)
                                : DEFAULT_LEAKY_ALPHA);
            case "relu6":
                return relu6();
            case "clipped_relu":
                return clippedRelu(parsed.requiredNumber("max", CAP_RANGE, POSITIVE));
            case "thresholded_relu":
                return thresholdedRelu(
                        parsed.has("theta")
                                ? parsed.number("theta", FINITE_RANGE, ANY)
                                : DEFAULT_THETA);
            case "maxout":
                return maxout(parsed.integer("k"));
            default:
                throw new AssertionError(parsed.name);
        }
    }

    /**
     * The hint of a refused name that has '-' where an allowed one has '_' ({@code leaky-relu}), in
     * the words the options of fixed values use for the opposite mix-up; empty when there is no
     * such name. The name is refused all the same, as those options refuse {@code EXACTLY_ONCE}:
     * names are read in any case but spelled as the help lists them. No hint when the allowed name
     * is among those {@code given} too: it would ask for what the spec already holds.
     */
    private static String meant(String name, Set<String> allowed, Set<String> given) {
        String underscored = name.replace('-', '_');
        if (name.contains("-") && allowed.contains(underscored) && !given.contains(underscored)) {
            return "; did you mean '" + underscored + "'? (words are joined by '_', not '-')";
        }
        return "";
    }

    /**
     * Part of the user's spec as a refusal echoes it: in quotes, with each character that does not
     * show as itself written as its Java escape. A no-break space (U+00A0) looks like the spaces
     * read around names and values, a zero width space like nothing, a tab or a line break breaks
     * the message: echoed as they are, the refusal would point at nothing the reader can see.
     */
    public static String quoted(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('\'');
        text.codePoints()
                .forEach(c -> quoted.append(hidden(c) ? escaped(c) : Character.toString(c)));
        return quoted.append('\'').toString();
    }

    /**
     * A refusal of {@code spec} with {@code message}, which echoes it through {@link #quoted}: the
     * characters written there as escapes are named once each, at the end, so that the user can
     * find them.
     */
    private static IllegalArgumentException refused(String message, String spec) {
        return new IllegalArgumentException(naming(message, spec));
    }

    /**
     * {@code message}, which echoes {@code spec} through {@link #quoted}, followed by the names of
     * the characters written there as escapes, once each: for the refusals of a spec read by this
     * parser that are written elsewhere (a SQL function's, a command's), to echo it as the parser's
     * own do.
     */
    public static String naming(String message, String spec) {
        StringBuilder named = new StringBuilder(message);
        int[] escaped = spec.codePoints().filter(Activations::hidden).distinct().toArray();
        Arrays.stream(escaped)
                .limit(NAMED_CHARACTERS)
                .forEach(
                        c -> {
                            String name = characterName(c);
                            boolean first = named.length() == message.length();
                            named.append(first ? "; " : ", ")
                                    .append(escaped(c))
                                    .append(first ? " is " : " ")
                                    .append("aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ")
                                    .append(name)
                                    .append(String.format(Locale.ROOT, " (U+%04X)", c));
                        });
        if (escaped.length > NAMED_CHARACTERS) {
            named.append(", and ")
                    .append(escaped.length - NAMED_CHARACTERS)
                    .append(" other characters written as escapes");
        }
        return named.toString();
    }

    /**
     * Whether a character does not show as itself: white space other than ' ', invisible, or a
     * combining mark, which shows on the character before it (the opening quote, an '=').
     */
    private static boolean hidden(int c) {
        switch (Character.getType(c)) {
            case Character.SPACE_SEPARATOR:
                return c != ' ';
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
                return true;
            default:
                return false;
        }
    }

    /** The character as a Java string literal writes it, one escape per UTF-16 unit. */
    private static String escaped(int c) {
        StringBuilder escaped = new StringBuilder();
        for (char unit : Character.toChars(c)) {
            escaped.append(String.format(Locale.ROOT, "\\u%04x", (int) unit));
        }
        return escaped.toString();
    }

    /** The Unicode name, lower-case and without its abbreviation: "no-break space". */
    private static String characterName(int c) {
        int type = Character.getType(c);
        String name = Character.getName(c);
        if (type == Character.SURROGATE) {
            return "lone surrogate";
        } else if (type == Character.PRIVATE_USE) {
            return "private use character";
        } else if (name == null) {
            return "unassigned character";
        }
        // LINE FEED (LF): the abbreviation in parentheses would read as a second one of ours.
        return name.replaceAll(" \\(.*\\)$", "").toLowerCase(Locale.ROOT);
    }

    private static String allowedNames() {
        return String.join(", ", PARAMETERS.keySet());
    }

    private static Iterable<String> sorted(Set<String> names) {
        return names.stream().sorted()::iterator;
    }

    static void requireSlope(String name, double value) {
        if (!(Double.isFinite(value) && value >= 0.0)) {
            throw invalid(name, format(value), SLOPE_RANGE);
        }
    }

    static void requireFinite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw invalid(name, format(value), FINITE_RANGE);
        }
    }

    static String maxValueRange(double threshold) {
        return "must be greater than threshold (" + format(threshold) + "), or inf for no cap";
    }

    static IllegalArgumentException invalid(String name, String value, String allowed) {
        return new InvalidParameter(name, value, allowed);
    }

    /** A parameter's value refused, kept apart so that a spec's refusal can name its text. */
    private static final class InvalidParameter extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final String value;
        private final String allowed;

        InvalidParameter(String name, String value, String allowed) {
            super("Invalid activation parameter " + name + "=" + value + ": " + allowed);
            this.name = name;
            this.value = value;
            this.allowed = allowed;
        }

        /**
         * The refusal naming the value as the spec wrote it: the checks after parsing see the
         * double, which may read otherwise ({@code -0.30000000000000001} is the double -0.3).
         */
        IllegalArgumentException asWritten(ParsedSpec parsed) {
            String text = parsed.parameters.get(name);
            // Decimals only: nan and inf are named as the other surfaces name them.
            Double number = text == null ? null : SpecNumbers.parse(text);
            if (number == null || !Double.isFinite(number) || value.equals(text)) {
                return this;
            }
            return new InvalidParameter(name, text, allowed);
        }
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        // -0.0 as given: a refusal names the value the user wrote.
        return value == 0.0 && 1.0 / value < 0.0 ? "-0.0" : SpecNumbers.format(value);
    }

    /**
     * Whether a parameter would take a number that no double stands for, from its sign and the
     * limit of the doubles it is past; its refusal adds that limit only when it is all that is
     * wrong with the number.
     */
    @FunctionalInterface
    private interface TakesBeyond {
        boolean takes(boolean negative, SpecNumbers.Beyond beyond);
    }

    private static final TakesBeyond ANY = (negative, beyond) -> true;
    private static final TakesBeyond POSITIVE = (negative, beyond) -> !negative;

    /** A spec split into its name and its {@code parameter=value} texts. */
    private static final class ParsedSpec {
        private final String spec;
        private final String name;
        // Names are looked up lower-case, but a refusal echoes them as the user typed them.
        private final String writtenName;
        private final Map<String, String> parameters = new LinkedHashMap<>();
        // Each parameter's name as first typed, by its lower-case name.
        private final Map<String, String> written = new LinkedHashMap<>();
        // The first parameter given more than once; null when none is.
        private String repeated;

        private ParsedSpec(String spec, String writtenName) {
            this.spec = spec;
            this.name = writtenName.toLowerCase(Locale.ROOT);
            this.writtenName = writtenName;
        }

        static ParsedSpec parse(String spec) {
            String text = spec.strip();
            int open = text.indexOf('(');
            String name = (open < 0 ? text : text.substring(0, open)).strip();
            // Hyphens are read into the name (leaky-relu), to be refused as an unknown name with
            // the list of the known ones, rather than as a spec of no known shape.
            if (!name.matches("[A-Za-z_][A-Za-z0-9_-]*")) {
                throw malformed(spec);
            }
            ParsedSpec parsed = new ParsedSpec(spec, name);
            if (open < 0) {
                return parsed;
            }
            // One pair of parentheses, the closing one last.
            if (!text.endsWith(")")
                    || text.indexOf('(', open + 1) >= 0
                    || text.indexOf(')') < text.length() - 1) {
                throw malformed(spec);
            }
            String inside = text.substring(open + 1, text.length() - 1).strip();
            if (inside.isEmpty()) {
                return parsed;
            }
            for (String entry : inside.split(",", -1)) {
                int equals = entry.indexOf('=');
                if (equals < 0) {
                    throw malformed(spec);
                }
                String typed = entry.substring(0, equals).strip();
                String key = typed.toLowerCase(Locale.ROOT);
                String value = entry.substring(equals + 1).strip();
                if (!key.matches("[a-z_][a-z0-9_-]*") || value.isEmpty()) {
                    throw malformed(spec);
                }
                parsed.written.putIfAbsent(key, typed);
                if (parsed.parameters.put(key, value) != null && parsed.repeated == null) {
                    // Refused once the name and the parameters are known: an unknown one given
                    // twice is refused as unknown, with the names that are allowed.
                    parsed.repeated = key;
                }
            }
            return parsed;
        }

        private static IllegalArgumentException malformed(String spec) {
            return refused(
                    "Malformed activation spec "
                            + quoted(spec)
                            + ": expected name or name(parameter=number, ...), e.g. relu or"
                            + " leaky_relu(alpha=0.01)",
                    spec);
        }

        boolean has(String parameter) {
            return parameters.containsKey(parameter);
        }

        /**
         * The parameter's value. A decimal no double stands for (it would read as an infinity or as
         * 0, neither of which was written) is refused with what the parameter allows, {@code
         * range}, and the limit of the doubles when the parameter would take the number written.
         */
        double number(String parameter, String range, TakesBeyond takesBeyond) {
            String text = parameters.get(parameter);
            Double value = SpecNumbers.parse(text);
            if (value == null) {
                throw invalid(parameter, quoted(text), SpecNumbers.notANumber(text));
            }
            SpecNumbers.Beyond beyond = SpecNumbers.beyond(text, value);
            if (beyond != null) {
                boolean taken = takesBeyond.takes(text.startsWith("-"), beyond);
                throw invalid(parameter, text, taken ? range + "; " + beyond.limit : range);
            }
            return value;
        }

        double requiredNumber(String parameter, String range, TakesBeyond takesBeyond) {
            requirePresent(parameter);
            return number(parameter, range, takesBeyond);
        }

        private void requirePresent(String parameter) {
            if (!has(parameter)) {
                throw new IllegalArgumentException(
                        "Parameter '"
                                + parameter
                                + "' is required by "
                                + name
                                + ", e.g. "
                                + name
                                + "("
                                + parameter
                                + "=2)");
            }
        }

        int integer(String parameter) {
            requirePresent(parameter);
            String text = parameters.get(parameter);
            Double parsed = SpecNumbers.parse(text);
            if (parsed == null) {
                throw invalid(parameter, quoted(text), SpecNumbers.notANumber(text));
            }
            // A number past the doubles' limits reads as 0 or an infinity, which the checks below
            // refuse as truly as the number written: it is no integer from 2 to the largest int.
            double value = parsed;
            if (value != Math.rint(value) || value < 2 || !SpecNumbers.isIntegral(text)) {
                throw invalid(parameter, parameters.get(parameter), "must be an integer >= 2");
            }
            if (value > Integer.MAX_VALUE) {
                throw invalid(
                        parameter,
                        parameters.get(parameter),
                        "must be an integer from 2 to " + Integer.MAX_VALUE);
            }
            return (int) value;
        }

        @Override
        public String toString() {
            return spec;
        }
    }
}
