package io.relustream.jobs.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL script with {@code ${name}} variables, split into the statements {@code
 * TableEnvironment.executeSql} takes one at a time.
 *
 * <pre>{@code
 * List<String> statements =
 *         SqlScript.statements(
 *                 SqlScript.substitute(SqlScript.resource("/sql/zero-fraction.sql"), values));
 * }</pre>
 *
 * <p>A variable's name is lower-case letters and {@code _} ({@code ${input_topic}}); any other
 * {@code ${...}} is text of the script, left as it is. Statements end at a {@code ;} outside quotes
 * ({@code '...'}, {@code `...`}, {@code "..."}); {@code --} comments are dropped.
 */
public final class SqlScript {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-z_]+)}");

    private SqlScript() {}

    /** The text of a classpath resource, UTF-8. */
    public static String resource(String name) {
        try (InputStream in = SqlScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("No SQL script " + name + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces every {@code ${name}} with its value, as it is (quote values that go into string
     * literals before).
     *
     * @throws IllegalArgumentException naming the variables the script has and {@code values} not
     */
    public static String substitute(String script, Map<String, String> values) {
        Matcher matcher = VARIABLE.matcher(script);
        StringBuilder out = new StringBuilder();
        TreeSet<String> missing = new TreeSet<>();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                missing.add(matcher.group(1));
                value = matcher.group();
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(
                    "The SQL script uses variables without a value: " + missing);
        }
        return out.toString();
    }

    /**
     * A SQL string literal of {@code value}, e.g. {@code 'it''s'}: a quote is doubled and nothing
     * else changes (SQL has no backslash escapes), so any text, JAAS configurations with their
     * quotes, {@code =} and {@code ;} included, reads back as it is.
     */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** The statements of {@code script}, without their {@code ;}, comments or empty ones. */
    public static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            if (quote != 0) {
                current.append(c);
                // A doubled quote inside a literal ('it''s') closes and reopens it: same result.
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '`' || c == '"') {
                quote = c;
                current.append(c);
            } else if (c == '-' && i + 1 < script.length() && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                i = end < 0 ? script.length() : end - 1;
            } else if (c == ';') {
                add(statements, current);
            } else {
                current.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException(
                    "The SQL script ends inside a quoted text (" + quote + ")");
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder current) {
        String statement = current.toString().strip();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }
}
