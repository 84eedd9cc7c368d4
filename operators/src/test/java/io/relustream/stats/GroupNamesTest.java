package io.relustream.stats;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GroupNamesTest {

    /** Cases as Java source text: {@code \\uXXXX} below is unescaped by the test, not by javac. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "layer-0                      | layer-0",
                "ü😀                          | ü😀",
                // A family emoji: joined by U+200D, which stays as it is.
                "\\ud83d\\udc68\\u200d\\ud83d\\udc67 | \\ud83d\\udc68\\u200d\\ud83d\\udc67",
                "''                           | \"\"",
                "' a'                         | \" a\"",
                "a,b                          | \"a,b\"",
                "a\\nb                        | \"a\\\\nb\"",
                "a\\u0001b                    | \"a\\\\u0001b\"",
                // Line and paragraph separators end a line in many viewers too.
                "a\\u2028b                    | \"a\\\\u2028b\"",
                "a\\u2029b                    | \"a\\\\u2029b\"",
                // Bidirectional overrides and isolates reorder what follows them on the line.
                "a\\u202eb                    | \"a\\\\u202eb\"",
                "a\\u2066b                    | \"a\\\\u2066b\"",
            })
    void showsAGroupAsWrittenOrQuotedWithEscapes(String group, String shown) {
        assertThat(GroupNames.shown(unescape(group))).isEqualTo(unescape(shown));
    }

    /** Java's {@code \n}, {@code \\} and {@code \\uXXXX} escapes. */
    private static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
            } else if (text.charAt(i + 1) == 'u') {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                out.append(text.charAt(i + 1) == 'n' ? '\n' : text.charAt(i + 1));
                i++;
            }
        }
        return out.toString();
    }
}
