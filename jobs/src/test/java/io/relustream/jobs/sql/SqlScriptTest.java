package io.relustream.jobs.sql;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlScriptTest {

    @Test
    void splitsAtSemicolonsOutsideQuotesAndDropsComments() {
        String script =
                "-- a comment; with a semicolon\n"
                        + "CREATE TABLE t (`a;b` STRING) WITH ('x' = 'it''s; fine');\n"
                        + "\n"
                        + "SELECT \"c;d\", '--not a comment' FROM t -- trailing; comment\n"
                        + "  WHERE 1 = 1;\n"
                        + ";  \n"
                        + "INSERT INTO u SELECT 1";

        assertThat(SqlScript.statements(script))
                .containsExactly(
                        "CREATE TABLE t (`a;b` STRING) WITH ('x' = 'it''s; fine')",
                        "SELECT \"c;d\", '--not a comment' FROM t \n  WHERE 1 = 1",
                        "INSERT INTO u SELECT 1");
    }

    @Test
    void unclosedQuoteIsAnError() {
        assertThatThrownBy(() -> SqlScript.statements("SELECT 'abc; SELECT 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The SQL script ends inside a quoted text (')");
    }

    @Test
    void substitutesEveryVariableAndNamesTheMissingOnes() {
        assertThat(
                        SqlScript.substitute(
                                "a ${x_y} b ${z} ${x_y} $1 ${...}", Map.of("x_y", "1", "z", "$2")))
                .isEqualTo("a 1 b $2 1 $1 ${...}");
        assertThatThrownBy(() -> SqlScript.substitute("${b} ${a} ${c}", Map.of("c", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The SQL script uses variables without a value: [a, b]");
    }

    @Test
    void literalsDoubleQuotesAndKeepEverythingElse() {
        assertThat(SqlScript.literal("it's")).isEqualTo("'it''s'");
        assertThat(SqlScript.literal("")).isEqualTo("''");
        assertThat(SqlScript.literal("''")).isEqualTo("''''''");
        assertThat(SqlScript.literal("a\\b \"c\"; d=e")).isEqualTo("'a\\b \"c\"; d=e'");
        // A literal holding ';' and "--" stays one statement, its text unchanged.
        assertThat(SqlScript.statements("SELECT " + SqlScript.literal("x'; -- y") + ";"))
                .containsExactly("SELECT 'x''; -- y'");
    }

    @Test
    void readsTheBundledScript() {
        assertThat(SqlScript.resource(SqlZeroFractionJob.SCRIPT)).contains("ZERO_FRACTION(RELU(");
        assertThatThrownBy(() -> SqlScript.resource("/sql/missing.sql"))
                .hasMessage("No SQL script /sql/missing.sql on the classpath");
    }
}
