package io.relustream.activation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActivationsParseTest {

    @ParameterizedTest(name = "{0} -> spec {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "relu                                                 | relu",
                "leaky_relu                                           | leaky_relu(alpha=0.01)",
                "leaky_relu(alpha=0.01)                               | leaky_relu(alpha=0.01)",
                "leaky_relu(alpha=0.2)                                | leaky_relu(alpha=0.2)",
                "relu6                                                | relu6",
                "clipped_relu(max=4)                                  | clipped_relu(max=4)",
                "clipped_relu(max=4.0)                                | clipped_relu(max=4)",
                "clipped_relu(max=2.5)                                | clipped_relu(max=2.5)",
                "thresholded_relu                                     | thresholded_relu(theta=1)",
                "thresholded_relu(theta=1.0)                          | thresholded_relu(theta=1)",
                "relu(negative_slope=0.1, max_value=6, threshold=0.5) | relu(negative_slope=0.1,"
                        + " max_value=6, threshold=0.5)",
                "relu( threshold = 0.5 , negative_slope=0.1 )         | relu(negative_slope=0.1,"
                        + " threshold=0.5)",
                "relu(grad_at_threshold=1)                            | relu(grad_at_threshold=1)",
                "relu(max_value=inf)                                  | relu",
                "relu()                                               | relu",
                "ReLU6                                                | relu6",
                "relu(negative_slope=1e-3)                            | relu(negative_slope=0.001)",
                "relu(threshold=0e-400)                               | relu",
                "relu(threshold=3e-324)                               | relu(threshold=4.9E-324)",
                "relu(max_value=1.7976931348623157e308)               | relu(max_value="
                        + "1.7976931348623157E308)",
            })
    void readsEverySpecForm(String spec, String canonical) {
        Activation activation = Activations.parse(spec);
        assertThat(activation.spec()).isEqualTo(canonical);
        assertThat(Activations.parse(activation.spec())).isEqualTo(activation);
    }

    @Test
    void namedFormsHaveTheParametersTheirNamesPromise() {
        Rectifier leaky = (Rectifier) Activations.parse("leaky_relu(alpha=0.2)");
        assertThat(leaky.negativeSlope()).isEqualTo(0.2);
        assertThat(leaky.gradientAtThreshold()).isEqualTo(0.2);
        assertThat(leaky.maxValue()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(leaky.threshold()).isEqualTo(0.0);

        Rectifier relu6 = (Rectifier) Activations.parse("relu6");
        assertThat(relu6.maxValue()).isEqualTo(6.0);

        Rectifier general =
                (Rectifier)
                        Activations.parse("relu(negative_slope=0.1, max_value=6, threshold=0.5)");
        assertThat(general.negativeSlope()).isEqualTo(0.1);
        assertThat(general.maxValue()).isEqualTo(6.0);
        assertThat(general.threshold()).isEqualTo(0.5);
        assertThat(general.gradientAtThreshold()).isEqualTo(0.1);
    }

    @Test
    void equalFunctionsAreEqualWhateverTheirName() {
        assertThat(Activations.parse("relu(max_value=6)")).isEqualTo(Activations.relu6());
        assertThat(Activations.parse("relu(negative_slope=0.01)"))
                .isEqualTo(Activations.leakyRelu(0.01))
                .hasSameHashCodeAs(Activations.leakyRelu(0.01));
        assertThat(Activations.parse("relu(threshold=1)"))
                .isEqualTo(Activations.thresholdedRelu(1));
        assertThat(Activations.relu()).isNotEqualTo(Activations.leakyRelu(0.01));
        assertThat(Activations.relu())
                .isNotEqualTo(Activations.rectifier().gradientAtThreshold(1).build());
    }

    @Test
    void maxoutIsReadByParseVectorOnly() {
        assertThat(Activations.parseVector("maxout(k=3)")).isEqualTo(Activations.maxout(3));
        assertThat(Activations.parseVector("relu6")).isEqualTo(Activations.relu6());
        assertThatThrownBy(() -> Activations.parse("maxout(k=2)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Activation spec 'maxout(k=2)' is not element-wise: maxout changes the"
                                + " vector length; read it with Activations.parseVector");
    }

    @ParameterizedTest
    @ValueSource(strings = {"3", "+3", "3.0", "3.000000000000000000", "30e-1", "0.3E1", "3e0"})
    void maxoutTakesAnIntegerWrittenInAnyExactWay(String k) {
        assertThat(Activations.parseVector("maxout(k=" + k + ")")).isEqualTo(Activations.maxout(3));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "leaky_relu(alpha=nan)       | Invalid activation parameter alpha=NaN: must be a"
                        + " finite number >= 0 (in activation spec 'leaky_relu(alpha=nan)')",
                "leaky_relu(alpha=-0.1)      | Invalid activation parameter alpha=-0.1: must be a"
                        + " finite number >= 0 (in activation spec 'leaky_relu(alpha=-0.1)')",
                "leaky_relu(alpha=inf)       | Invalid activation parameter alpha=inf: must be a"
                        + " finite number >= 0 (in activation spec 'leaky_relu(alpha=inf)')",
                "relu(negative_slope=nan)    | Invalid activation parameter negative_slope=NaN:"
                        + " must be a finite number >= 0 (in activation spec"
                        + " 'relu(negative_slope=nan)')",
                "relu(max_value=0.5, threshold=0.5) | Invalid activation parameter max_value=0.5:"
                    + " must be greater than threshold (0.5), or inf for no cap (in activation spec"
                    + " 'relu(max_value=0.5, threshold=0.5)')",
                "relu(max_value=-1)          | Invalid activation parameter max_value=-1: must be"
                        + " greater than threshold (0), or inf for no cap (in activation spec"
                        + " 'relu(max_value=-1)')",
                "relu(max_value=nan)         | Invalid activation parameter max_value=NaN: must be"
                        + " a number greater than threshold (0), or inf for no cap (NaN is not"
                        + " allowed) (in activation spec 'relu(max_value=nan)')",
                "relu(threshold=inf)         | Invalid activation parameter threshold=inf: must be"
                        + " a finite number (in activation spec 'relu(threshold=inf)')",
                "relu(grad_at_threshold=nan) | Invalid activation parameter grad_at_threshold=NaN:"
                    + " must be a finite number (in activation spec 'relu(grad_at_threshold=nan)')",
                "clipped_relu(max=0)         | Invalid activation parameter max=0: must be a finite"
                        + " number > 0 (in activation spec 'clipped_relu(max=0)')",
                // Named as written, not as the double it reads as (-0.3, -1.0E-20, 0, 0.5).
                "leaky_relu(alpha=-0.30000000000000001) | Invalid activation parameter"
                        + " alpha=-0.30000000000000001: must be a finite number >= 0 (in"
                        + " activation spec 'leaky_relu(alpha=-0.30000000000000001)')",
                "relu(max_value=-0.00000000000000000001) | Invalid activation parameter"
                        + " max_value=-0.00000000000000000001: must be greater than threshold (0),"
                        + " or inf for no cap (in activation spec"
                        + " 'relu(max_value=-0.00000000000000000001)')",
                "clipped_relu(max=0.000)     | Invalid activation parameter max=0.000: must be a"
                        + " finite number > 0 (in activation spec 'clipped_relu(max=0.000)')",
                "relu(threshold=0.5, max_value=0.50) | Invalid activation parameter"
                        + " max_value=0.50: must be greater than threshold (0.5), or inf for no cap"
                        + " (in activation spec 'relu(threshold=0.5, max_value=0.50)')",
                "clipped_relu(max=-6)        | Invalid activation parameter max=-6: must be a"
                        + " finite number > 0 (in activation spec 'clipped_relu(max=-6)')",
                "clipped_relu                | Parameter 'max' is required by clipped_relu, e.g."
                        + " clipped_relu(max=2) (in activation spec 'clipped_relu')",
                "thresholded_relu(theta=nan) | Invalid activation parameter theta=NaN: must be a"
                        + " finite number (in activation spec 'thresholded_relu(theta=nan)')",
                "maxout(k=1)                 | Invalid activation parameter k=1: must be an integer"
                        + " >= 2 (in activation spec 'maxout(k=1)')",
                "maxout(k=2.5)               | Invalid activation parameter k=2.5: must be an"
                        + " integer >= 2 (in activation spec 'maxout(k=2.5)')",
                // Read as a double it would be 3; the number written is no integer.
                "maxout(k=3.0000000000000001) | Invalid activation parameter k=3.0000000000000001:"
                        + " must be an integer >= 2 (in activation spec"
                        + " 'maxout(k=3.0000000000000001)')",
                "maxout(k=2147483647.5)      | Invalid activation parameter k=2147483647.5: must"
                        + " be an integer >= 2 (in activation spec 'maxout(k=2147483647.5)')",
                "maxout(k=2147483648)        | Invalid activation parameter k=2147483648: must be"
                        + " an integer from 2 to 2147483647 (in activation spec"
                        + " 'maxout(k=2147483648)')",
                "maxout(k=1e10)              | Invalid activation parameter k=1e10: must be an"
                        + " integer from 2 to 2147483647 (in activation spec 'maxout(k=1e10)')",
                "maxout(k=inf)               | Invalid activation parameter k=inf: must be an"
                        + " integer from 2 to 2147483647 (in activation spec 'maxout(k=inf)')",
                "maxout                      | Parameter 'k' is required by maxout, e.g."
                        + " maxout(k=2) (in activation spec 'maxout')",
                "leaky_relu(alpha=abc)       | Invalid activation parameter alpha='abc': must be a"
                        + " number (in activation spec 'leaky_relu(alpha=abc)')",
                "swish                       | Unknown activation 'swish' in spec 'swish'; allowed:"
                        + " relu, leaky_relu, relu6, clipped_relu, thresholded_relu, maxout",
                // Hyphens for underscores: unknown, with the names that are known and the one
                // meant, as the options of fixed values answer '_' for '-'.
                "leaky-relu(alpha=0.1)       | Unknown activation 'leaky-relu' in spec"
                        + " 'leaky-relu(alpha=0.1)'; allowed: relu, leaky_relu, relu6,"
                        + " clipped_relu, thresholded_relu, maxout; did you mean 'leaky_relu'?"
                        + " (words are joined by '_', not '-')",
                "Clipped-ReLU                | Unknown activation 'Clipped-ReLU' in spec"
                        + " 'Clipped-ReLU'; allowed: relu, leaky_relu, relu6, clipped_relu,"
                        + " thresholded_relu, maxout; did you mean 'clipped_relu'? (words are"
                        + " joined by '_', not '-')",
                "thresholded-relu            | Unknown activation 'thresholded-relu' in spec"
                        + " 'thresholded-relu'; allowed: relu, leaky_relu, relu6, clipped_relu,"
                        + " thresholded_relu, maxout; did you mean 'thresholded_relu'? (words are"
                        + " joined by '_', not '-')",
                "relu-6                      | Unknown activation 'relu-6' in spec 'relu-6';"
                        + " allowed: relu, leaky_relu, relu6, clipped_relu, thresholded_relu,"
                        + " maxout",
                "relu(negative-slope=0.1)    | Unknown parameter 'negative-slope' for relu in spec"
                        + " 'relu(negative-slope=0.1)'; allowed: grad_at_threshold, max_value,"
                        + " negative_slope, threshold; did you mean 'negative_slope'? (words are"
                        + " joined by '_', not '-')",
                "relu(Max-Value=6)           | Unknown parameter 'Max-Value' for relu in spec"
                        + " 'relu(Max-Value=6)'; allowed: grad_at_threshold, max_value,"
                        + " negative_slope, threshold; did you mean 'max_value'? (words are joined"
                        + " by '_', not '-')",
                // Names are read in any case, but echoed as typed: the user looks for what they
                // wrote; the hint gives the form the list holds.
                "LEAKY-RELU                  | Unknown activation 'LEAKY-RELU' in spec"
                        + " 'LEAKY-RELU'; allowed: relu, leaky_relu, relu6, clipped_relu,"
                        + " thresholded_relu, maxout; did you mean 'leaky_relu'? (words are"
                        + " joined by '_', not '-')",
                "Swish                       | Unknown activation 'Swish' in spec 'Swish';"
                        + " allowed: relu, leaky_relu, relu6, clipped_relu, thresholded_relu,"
                        + " maxout",
                "relu(SLOPE=1)               | Unknown parameter 'SLOPE' for relu in spec"
                        + " 'relu(SLOPE=1)'; allowed: grad_at_threshold, max_value,"
                        + " negative_slope, threshold",
                // Both forms given: the '_' one is no news, so no hint to write it.
                "relu(negative-slope=0.1, negative_slope=0.2) | Unknown parameter"
                        + " 'negative-slope' for relu in spec 'relu(negative-slope=0.1,"
                        + " negative_slope=0.2)'; allowed: grad_at_threshold, max_value,"
                        + " negative_slope, threshold",
                "relu(NEGATIVE_SLOPE=0.2, Negative-Slope=0.1) | Unknown parameter"
                        + " 'Negative-Slope' for relu in spec 'relu(NEGATIVE_SLOPE=0.2,"
                        + " Negative-Slope=0.1)'; allowed: grad_at_threshold, max_value,"
                        + " negative_slope, threshold",
                // Digits of other scripts are digits to the user, so the refusal says which are
                // read: Arabic-Indic one, full-width one and two.
                "relu(threshold=\u0661)      | Invalid activation parameter threshold='\u0661':"
                        + " must be a number; numbers are written with ASCII digits 0-9 (in"
                        + " activation spec 'relu(threshold=\u0661)')",
                "leaky_relu(alpha=0.\uff11)  | Invalid activation parameter alpha='0.\uff11':"
                        + " must be a number; numbers are written with ASCII digits 0-9 (in"
                        + " activation spec 'leaky_relu(alpha=0.\uff11)')",
                "maxout(k=\uff12)            | Invalid activation parameter k='\uff12': must"
                        + " be a number; numbers are written with ASCII digits 0-9 (in"
                        + " activation spec 'maxout(k=\uff12)')",
                "leaky_relu(beta=0.1)        | Unknown parameter 'beta' for leaky_relu in spec"
                        + " 'leaky_relu(beta=0.1)'; allowed: alpha",
                "relu6(max_value=5)          | Unknown parameter 'max_value' for relu6 in spec"
                        + " 'relu6(max_value=5)'; allowed: none",
                "relu(alpha=0.1)             | Unknown parameter 'alpha' for relu in spec"
                    + " 'relu(alpha=0.1)'; allowed: grad_at_threshold, max_value, negative_slope,"
                    + " threshold",
                "leaky_relu(alpha=0.1        | Malformed activation spec 'leaky_relu(alpha=0.1':"
                        + " expected name or name(parameter=number, ...), e.g. relu or"
                        + " leaky_relu(alpha=0.01)",
                "leaky_relu(0.1)             | Malformed activation spec 'leaky_relu(0.1)':"
                        + " expected name or name(parameter=number, ...), e.g. relu or"
                        + " leaky_relu(alpha=0.01)",
                "leaky_relu(alpha=)          | Malformed activation spec 'leaky_relu(alpha=)':"
                        + " expected name or name(parameter=number, ...), e.g. relu or"
                        + " leaky_relu(alpha=0.01)",
                "relu(threshold=1,)          | Malformed activation spec 'relu(threshold=1,)':"
                        + " expected name or name(parameter=number, ...), e.g. relu or"
                        + " leaky_relu(alpha=0.01)",
                "relu((threshold=1))         | Malformed activation spec 'relu((threshold=1))':"
                        + " expected name or name(parameter=number, ...), e.g. relu or"
                        + " leaky_relu(alpha=0.01)",
                "leaky_relu(alpha=0.1))      | Malformed activation spec 'leaky_relu(alpha=0.1))':"
                        + " expected name or name(parameter=number, ...), e.g. relu or"
                        + " leaky_relu(alpha=0.01)",
                "relu(threshold=1)(x=2)      | Malformed activation spec 'relu(threshold=1)(x=2)':"
                        + " expected name or name(parameter=number, ...), e.g. relu or"
                        + " leaky_relu(alpha=0.01)",
                "2relu                       | Malformed activation spec '2relu': expected name or"
                        + " name(parameter=number, ...), e.g. relu or leaky_relu(alpha=0.01)",
                "relu(threshold=1, threshold=2) | Parameter 'threshold' is given more than once"
                        + " in activation spec 'relu(threshold=1, threshold=2)'; each parameter"
                        + " may be given once",
                // Three times, not "twice".
                "relu(Threshold=1, threshold=2, THRESHOLD=3) | Parameter 'threshold' is given"
                        + " more than once in activation spec 'relu(Threshold=1, threshold=2,"
                        + " THRESHOLD=3)'; each parameter may be given once",
                // What is wrong first: an unknown name or parameter, with the allowed ones, not
                // that it is repeated.
                "swish(beta=1, beta=2)       | Unknown activation 'swish' in spec 'swish(beta=1,"
                        + " beta=2)'; allowed: relu, leaky_relu, relu6, clipped_relu,"
                        + " thresholded_relu, maxout",
                "relu(alpha=0.1, alpha=0.2)  | Unknown parameter 'alpha' for relu in spec"
                        + " 'relu(alpha=0.1, alpha=0.2)'; allowed: grad_at_threshold, max_value,"
                        + " negative_slope, threshold",
                "relu6(max_value=6, max_value=6) | Unknown parameter 'max_value' for relu6 in"
                        + " spec 'relu6(max_value=6, max_value=6)'; allowed: none",
                "leaky_relu(alpha=0.1, alpha=0.1, beta=1) | Unknown parameter 'beta' for"
                        + " leaky_relu in spec 'leaky_relu(alpha=0.1, alpha=0.1, beta=1)';"
                        + " allowed: alpha",
                "leaky_relu(alpha=0x1p-3)    | Invalid activation parameter alpha='0x1p-3': must be"
                        + " a number (in activation spec 'leaky_relu(alpha=0x1p-3)')",
                // Beyond the doubles: Double.valueOf would give inf or 0, which was not written.
                // The refusal says what the parameter takes, and the doubles' limit when the
                // number written is one the parameter would take.
                "leaky_relu(alpha=1e309)     | Invalid activation parameter alpha=1e309: must be a"
                        + " finite number >= 0; a number must be at most 1.7976931348623157E308"
                        + " in magnitude, the largest double (in activation spec"
                        + " 'leaky_relu(alpha=1e309)')",
                "leaky_relu(alpha=-1e309)    | Invalid activation parameter alpha=-1e309: must be"
                        + " a finite number >= 0 (in activation spec 'leaky_relu(alpha=-1e309)')",
                "relu(max_value=1e400)       | Invalid activation parameter max_value=1e400: must"
                        + " be greater than threshold (0), or inf for no cap; a number must be at"
                        + " most 1.7976931348623157E308 in magnitude, the largest double (in"
                        + " activation spec 'relu(max_value=1e400)')",
                "relu(max_value=-1e400)      | Invalid activation parameter max_value=-1e400: must"
                        + " be greater than threshold (0), or inf for no cap (in activation spec"
                        + " 'relu(max_value=-1e400)')",
                "relu(max_value=1e-400, threshold=0.5) | Invalid activation parameter"
                    + " max_value=1e-400: must be greater than threshold (0.5), or inf for no cap"
                    + " (in activation spec 'relu(max_value=1e-400, threshold=0.5)')",
                "relu(max_value=-1e-400, threshold=-1) | Invalid activation parameter"
                    + " max_value=-1e-400: must be greater than threshold (-1), or inf for no cap;"
                    + " a number other than 0 must be at least 4.9E-324 in magnitude, the smallest"
                    + " double (it would read as 0) (in activation spec 'relu(max_value=-1e-400,"
                    + " threshold=-1)')",
                "relu(threshold=1e400)       | Invalid activation parameter threshold=1e400: must"
                        + " be a finite number; a number must be at most 1.7976931348623157E308"
                        + " in magnitude, the largest double (in activation spec"
                        + " 'relu(threshold=1e400)')",
                "leaky_relu(alpha=1e-400)    | Invalid activation parameter alpha=1e-400: must be"
                        + " a finite number >= 0; a number other than 0 must be at least 4.9E-324"
                        + " in magnitude, the smallest double (it would read as 0) (in activation"
                        + " spec 'leaky_relu(alpha=1e-400)')",
                "leaky_relu(alpha=-1e-400)   | Invalid activation parameter alpha=-1e-400: must be"
                        + " a finite number >= 0 (in activation spec 'leaky_relu(alpha=-1e-400)')",
                "relu(threshold=-0.1e-323)   | Invalid activation parameter threshold=-0.1e-323:"
                        + " must be a finite number; a number other than 0 must be at least"
                        + " 4.9E-324 in magnitude, the smallest double (it would read as 0) (in"
                        + " activation spec 'relu(threshold=-0.1e-323)')",
                // max cannot be 0, so "0 or at least 4.9E-324" would not be true of it.
                "clipped_relu(max=1e-400)    | Invalid activation parameter max=1e-400: must be a"
                        + " finite number > 0; a number other than 0 must be at least 4.9E-324 in"
                        + " magnitude, the smallest double (it would read as 0) (in activation spec"
                        + " 'clipped_relu(max=1e-400)')",
                "clipped_relu(max=-1e-400)   | Invalid activation parameter max=-1e-400: must be a"
                        + " finite number > 0 (in activation spec 'clipped_relu(max=-1e-400)')",
                "clipped_relu(max=-0.0)      | Invalid activation parameter max=-0.0: must be a"
                        + " finite number > 0 (in activation spec 'clipped_relu(max=-0.0)')",
                "maxout(k=1e-400)            | Invalid activation parameter k=1e-400: must be an"
                        + " integer >= 2 (in activation spec 'maxout(k=1e-400)')",
                "maxout(k=1e400)             | Invalid activation parameter k=1e400: must be an"
                        + " integer from 2 to 2147483647 (in activation spec 'maxout(k=1e400)')",
                "maxout(k=-1e400)            | Invalid activation parameter k=-1e400: must be an"
                        + " integer >= 2 (in activation spec 'maxout(k=-1e400)')",
            })
    void rejectsBadSpecsNamingTheParameterTheValueAndWhatIsAllowed(String spec, String message) {
        assertThatThrownBy(() -> Activations.parseVector(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    /**
     * Characters that do not show as themselves: a no-break space looks like the spaces that are
     * read around names and values, and a zero width space like nothing, so a refusal echoing them
     * as they are ("threshold='1 ': must be a number") would point at nothing wrong. The expected
     * messages write them as the escapes they hold.
     */
    @Test
    void showsTheCharactersOfASpecThatDoNotShowAsThemselves() {
        assertRefused(
                "relu(threshold=1\u00a0)",
                "Invalid activation parameter threshold='1\\u00a0': must be a number (in"
                        + " activation spec 'relu(threshold=1\\u00a0)'); \\u00a0 is a no-break"
                        + " space (U+00A0)");
        assertRefused(
                "relu\u00a0",
                "Malformed activation spec 'relu\\u00a0': expected name or name(parameter=number,"
                        + " ...), e.g. relu or leaky_relu(alpha=0.01); \\u00a0 is a no-break"
                        + " space (U+00A0)");
        assertRefused(
                "swish(beta=\u202f1)",
                "Unknown activation 'swish' in spec 'swish(beta=\\u202f1)'; allowed: relu,"
                        + " leaky_relu, relu6, clipped_relu, thresholded_relu, maxout; \\u202f is"
                        + " a narrow no-break space (U+202F)");
        assertRefused(
                "maxout(k=2\u200b)",
                "Invalid activation parameter k='2\\u200b': must be a number (in activation spec"
                        + " 'maxout(k=2\\u200b)'); \\u200b is a zero width space (U+200B)");
        // Each character named once, in the order of their first appearance.
        assertRefused(
                "\ufeffrelu(threshold=1\u00a0, max_value=\u00a06)",
                "Malformed activation spec '\\ufeffrelu(threshold=1\\u00a0,"
                        + " max_value=\\u00a06)': expected name or name(parameter=number, ...),"
                        + " e.g. relu or leaky_relu(alpha=0.01); \\ufeff is a zero width no-break"
                        + " space (U+FEFF), \\u00a0 a no-break space (U+00A0)");
        // White space inside a value is no number either, and a tab in a message is hard to see.
        assertRefused(
                "leaky_relu(alpha=0.1\t2)",
                "Invalid activation parameter alpha='0.1\\u00092': must be a number (in"
                        + " activation spec 'leaky_relu(alpha=0.1\\u00092)'); \\u0009 is a"
                        + " character tabulation (U+0009)");
        // Read, as white space around a spec is, and then refused as not element-wise.
        assertThatThrownBy(() -> Activations.parse("maxout(k=2)\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Activation spec 'maxout(k=2)\\u000a' is not element-wise: maxout"
                                + " changes the vector length; read it with"
                                + " Activations.parseVector; \\u000a is a line feed (U+000A)");
    }

    /**
     * A combining mark shows on the character before it, which in a refusal may be the opening
     * quote (an acute accent, U+0301, before relu shows as an accented quote and relu), so it is
     * escaped as the invisible characters are; a character that shows as itself, such as an emoji
     * written with two UTF-16 units, is echoed as it is, while one unit of such a pair alone is
     * escaped.
     */
    @Test
    void escapesCombiningMarksAndLoneSurrogatesButNotWhatShowsAsItself() {
        assertRefused(
                "\u0301relu",
                "Malformed activation spec '\\u0301relu': expected name or"
                        + " name(parameter=number, ...), e.g. relu or leaky_relu(alpha=0.01);"
                        + " \\u0301 is a combining acute accent (U+0301)");
        assertRefused(
                "relu(threshold=1\u20dd)",
                "Invalid activation parameter threshold='1\\u20dd': must be a number (in"
                        + " activation spec 'relu(threshold=1\\u20dd)'); \\u20dd is a combining"
                        + " enclosing circle (U+20DD)");
        assertRefused(
                "relu\ud83d\ude00",
                "Malformed activation spec 'relu\ud83d\ude00': expected name or"
                        + " name(parameter=number, ...), e.g. relu or leaky_relu(alpha=0.01)");
        assertRefused(
                "relu\ud83d",
                "Malformed activation spec 'relu\\ud83d': expected name or"
                        + " name(parameter=number, ...), e.g. relu or leaky_relu(alpha=0.01);"
                        + " \\ud83d is a lone surrogate (U+D83D)");
        assertRefused(
                "relu\u200f",
                "Malformed activation spec 'relu\\u200f': expected name or"
                        + " name(parameter=number, ...), e.g. relu or leaky_relu(alpha=0.01);"
                        + " \\u200f is a right-to-left mark (U+200F)");
    }

    /**
     * Names are for finding a few characters that do not show: a spec of thousands of distinct ones
     * would make the refusal some fifty times its length, so five are named and the rest counted.
     */
    @Test
    void namesAtMostFiveOfTheCharactersItEscapes() {
        StringBuilder value = new StringBuilder();
        StringBuilder escaped = new StringBuilder();
        for (int c = 0xe000; c < 0xe000 + 5000; c++) {
            value.append((char) c);
            escaped.append(String.format("\\u%04x", c));
        }
        assertRefused(
                "relu(threshold=" + value + ")",
                "Invalid activation parameter threshold='"
                        + escaped
                        + "': must be a number (in activation spec 'relu(threshold="
                        + escaped
                        + ")'); \\ue000 is a private use character (U+E000), \\ue001 a private"
                        + " use character (U+E001), \\ue002 a private use character (U+E002),"
                        + " \\ue003 a private use character (U+E003), \\ue004 a private use"
                        + " character (U+E004), and 4995 other characters written as escapes");
        // Five are all named.
        assertRefused(
                "relu(threshold=\ue000\ue001\ue002\ue003\ue004)",
                "Invalid activation parameter threshold='\\ue000\\ue001\\ue002\\ue003\\ue004':"
                        + " must be a number (in activation spec"
                        + " 'relu(threshold=\\ue000\\ue001\\ue002\\ue003\\ue004)'); \\ue000 is a"
                        + " private use character (U+E000), \\ue001 a private use character"
                        + " (U+E001), \\ue002 a private use character (U+E002), \\ue003 a"
                        + " private use character (U+E003), \\ue004 a private use character"
                        + " (U+E004)");
    }

    private static void assertRefused(String spec, String message) {
        assertThatThrownBy(() -> Activations.parseVector(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsAMalformedNumberOfAMillionDigits() {
        // A million digits and a stray letter: the number pattern used to try every split of the
        // digits between two loops, about 10^12 steps before it gave up.
        String digits = "1".repeat(1_000_000);
        String spec = "leaky_relu(alpha=" + digits + "x)";
        assertThatThrownBy(() -> Activations.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid activation parameter alpha='"
                                + digits
                                + "x': must be a number (in activation spec '"
                                + spec
                                + "')");
    }

    @Test
    void readsAMaxoutOfAMillionZerosInLinearTime() {
        // Whether k is an integer as written was asked of BigDecimal.stripTrailingZeros, which
        // divides by ten once per zero: minutes for these, which an ACTIVATION call in a query
        // would spend at planning. No timeout here (tests assert no speed): were it quadratic
        // again, this test alone would hold the build for minutes.
        String zeros = "0".repeat(1_000_000);
        assertThat(Activations.parseVector("maxout(k=2." + zeros + ")"))
                .isEqualTo(Activations.maxout(2));
        assertThat(Activations.parseVector("maxout(k=3" + zeros + "e-1000000)"))
                .isEqualTo(Activations.maxout(3));
        String tooLarge = "maxout(k=1" + zeros + ")";
        assertThatThrownBy(() -> Activations.parseVector(tooLarge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid activation parameter k=1"
                                + zeros
                                + ": must be an integer from 2 to 2147483647 (in activation spec '"
                                + tooLarge
                                + "')");
        String fraction = "maxout(k=2." + zeros + "1)";
        assertThatThrownBy(() -> Activations.parseVector(fraction))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid activation parameter k=2."
                                + zeros
                                + "1: must be an integer >= 2 (in activation spec '"
                                + fraction
                                + "')");
    }

    @Test
    void rejectsAnEmptySpec() {
        String message =
                "Activation spec is empty; allowed: relu, leaky_relu, relu6, clipped_relu,"
                        + " thresholded_relu, maxout, e.g. relu";
        assertThatThrownBy(() -> Activations.parse("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> Activations.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void factoriesRejectBadParametersWithTheSameMessages() {
        assertThatThrownBy(() -> Activations.leakyRelu(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid activation parameter alpha=NaN: must be a finite number >= 0");
        assertThatThrownBy(() -> Activations.clippedRelu(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid activation parameter max=inf: must be a finite number > 0");
        assertThatThrownBy(() -> Activations.thresholdedRelu(Double.NEGATIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid activation parameter theta=-inf: must be a finite number");
        assertThatThrownBy(() -> Activations.rectifier().maxValue(1).threshold(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid activation parameter max_value=1: must be greater than threshold"
                                + " (2), or inf for no cap");
        assertThatThrownBy(() -> Activations.rectifier().maxValue(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid activation parameter max_value=NaN: must be a number greater than"
                                + " threshold (0), or inf for no cap (NaN is not allowed)");
        assertThatThrownBy(() -> Activations.clippedRelu(-0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid activation parameter max=-0.0: must be a finite number > 0");
        assertThatThrownBy(() -> Activations.rectifier().negativeSlope(-0.5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid activation parameter negative_slope=-0.5: must be a finite number"
                                + " >= 0");
    }

    @Test
    void batchFormsRejectMismatchedLengths() {
        assertThatThrownBy(() -> Activations.relu().apply(new double[3], new double[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Output array has length 2 but the input has length 3; they must be equal");
        assertThatThrownBy(() -> Activations.relu6().derivative(new float[1], new float[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Derivative array has length 2 but the input has length 1; they must be"
                                + " equal");
        assertThatThrownBy(
                        () ->
                                Activations.relu()
                                        .applyWithDerivative(
                                                new double[4], new double[4], new double[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Derivative array has length 3 but the input has length 4; they must be"
                                + " equal");
        assertThatThrownBy(
                        () ->
                                Activations.maxout(2)
                                        .applyWithDerivative(
                                                new double[4], new double[2], new double[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Derivative array has length 2 but the input has length 4; they must be"
                                + " equal");
    }
}
