package io.relustream.sql;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.ValidationException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.apache.flink.table.api.Expressions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad calls fail while the query is planned ({@code explainSql}: nothing runs), with a message that
 * names the function, the argument and, for specs, the parser's own words.
 */
class SqlPlanningErrorsTest {

    private TableEnvironment tableEnv;

    @BeforeEach
    void createTable() {
        tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        SqlFunctions.registerAll(tableEnv);
        tableEnv.executeSql(
                "CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES"
                        + " ('relu', CAST(-1.5 AS DOUBLE), ARRAY[CAST(0 AS DOUBLE), 2], 1),"
                        + " ('relu6', CAST(2 AS DOUBLE), ARRAY[CAST(3 AS DOUBLE), -1], 2))"
                        + " AS v(s, x, arr, k)");
    }

    private void assertPlanningFails(String query, String message) {
        assertThatThrownBy(() -> tableEnv.explainSql(query))
                .isInstanceOf(ValidationException.class)
                .hasRootCauseInstanceOf(ValidationException.class)
                .hasRootCauseMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            textBlock =
                    """
                    foo | Unknown activation 'foo' in spec 'foo'; allowed: relu, leaky_relu, relu6, clipped_relu, thresholded_relu, maxout
                    leaky_relu(alpha=-1) | Invalid activation parameter alpha=-1: must be a finite number >= 0 (in activation spec 'leaky_relu(alpha=-1)')
                    relu(slope=1) | Unknown parameter 'slope' for relu in spec 'relu(slope=1)'; allowed: grad_at_threshold, max_value, negative_slope, threshold
                    relu(max_value=0) | Invalid activation parameter max_value=0: must be greater than threshold (0), or inf for no cap (in activation spec 'relu(max_value=0)')
                    clipped_relu | Parameter 'max' is required by clipped_relu, e.g. clipped_relu(max=2) (in activation spec 'clipped_relu')
                    maxout(k=1) | Invalid activation parameter k=1: must be an integer >= 2 (in activation spec 'maxout(k=1)')
                    relu( | Malformed activation spec 'relu(': expected name or name(parameter=number, ...), e.g. relu or leaky_relu(alpha=0.01)
                    """)
    void badSpecFailsAtPlanningWithTheSpecAndTheParsersMessage(String spec, String parserMessage) {
        assertPlanningFails(
                "SELECT ACTIVATION('" + spec + "', arr) FROM t",
                "ACTIVATION: invalid activation spec '" + spec + "': " + parserMessage);
        assertPlanningFails(
                "SELECT ACTIVATION_GRAD('" + spec + "', arr) FROM t",
                "ACTIVATION_GRAD: invalid activation spec '" + spec + "': " + parserMessage);
        assertPlanningFails(
                "SELECT ACTIVATION_STATS('" + spec + "', arr) FROM t",
                "ACTIVATION_STATS: invalid activation spec '" + spec + "': " + parserMessage);
    }

    @Test
    void activationStatsTakesAnArrayAfterItsSpecAndAtMostThreeArguments() {
        assertPlanningFails(
                "SELECT ACTIVATION_STATS('relu', x) FROM t",
                "ACTIVATION_STATS takes an ARRAY of DOUBLE or FLOAT as argument 2, not DOUBLE NOT"
                        + " NULL");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS(arr, 0.5, 0.5) FROM t",
                "ACTIVATION_STATS takes (x [, dead_threshold]) or (spec, x [, dead_threshold]),"
                        + " not 3 arguments starting with ARRAY<DOUBLE NOT NULL> NOT NULL");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS('relu') FROM t",
                "ACTIVATION_STATS takes (x [, dead_threshold]) or (spec, x [, dead_threshold]),"
                        + " not 1 argument starting with CHAR(4) NOT NULL");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS('relu', arr, 2) FROM t",
                "ACTIVATION_STATS: the dead threshold must be in (0, 1], not 2.0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            textBlock =
                    """
                    RELU()                            | RELU takes (x), not 0 arguments
                    RELU(x, x)                        | RELU takes (x), not 2 arguments
                    RELU_GRAD(x, 1)                   | RELU_GRAD takes (x), not 2 arguments
                    LEAKY_RELU(x)                     | LEAKY_RELU takes (x, alpha), not 1 argument
                    LEAKY_RELU(x, 0.1, 0.2)           | LEAKY_RELU takes (x, alpha), not 3 arguments
                    ACTIVATION('relu')                | ACTIVATION takes (spec, x), not 1 argument
                    ACTIVATION_GRAD('relu', x, 1)     | ACTIVATION_GRAD takes (spec, x), not 3 arguments
                    ZERO_FRACTION()                   | ZERO_FRACTION takes (x), not 0 arguments
                    ZERO_FRACTION(arr, 1.0)           | ZERO_FRACTION takes (x), not 2 arguments
                    DEAD_FEATURES(arr)                | DEAD_FEATURES takes (x, threshold), not 1 argument
                    DEAD_FEATURES(arr, 1.0, 1.0)      | DEAD_FEATURES takes (x, threshold), not 3 arguments
                    ACTIVATION_STATS()                | ACTIVATION_STATS takes (x [, dead_threshold]) or (spec, x [, dead_threshold]), not 0 arguments
                    ACTIVATION_STATS('relu', arr, 1, 1) | ACTIVATION_STATS takes (x [, dead_threshold]) or (spec, x [, dead_threshold]), not 4 arguments starting with CHAR(4) NOT NULL
                    """)
    void aWrongNumberOfArgumentsFailsAtPlanningNamingWhatTheFunctionTakes(
            String call, String message) {
        // Calcite's own refusal, "No match found for function signature RELU(<NUMERIC>,
        // <NUMERIC>)", says neither how many arguments there should be nor which.
        assertPlanningFails("SELECT " + call + " FROM t", message);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "RELU(x => x)",
                "LEAKY_RELU(x => x, alpha => 0.1)",
                "ACTIVATION(spec => 'relu', x => arr)",
                "ZERO_FRACTION(x => arr)",
                "DEAD_FEATURES(arr, threshold => 1.0)",
                "ACTIVATION_STATS(x => arr)"
            })
    void namedArgumentsFailAtPlanningAsFlinkRefusesThem(String call) {
        // Flink 2.2 names the arguments only of a function that declares one type for each (its
        // static arguments); these take DOUBLE, FLOAT or an ARRAY of either in one place, and
        // ACTIVATION_STATS two forms. Flink refuses before the function is asked, naming neither.
        assertPlanningFails(
                "SELECT " + call + " FROM t",
                "Unsupported function signature. Function must not be overloaded or use varargs.");
    }

    @Test
    void specFromAColumnFailsAtPlanning() {
        assertPlanningFails(
                "SELECT ACTIVATION(s, x) FROM t",
                "ACTIVATION: the activation spec must be a string literal, e.g."
                        + " 'leaky_relu(alpha=0.1)'; argument 1 is an expression of type"
                        + " VARCHAR(5) NOT NULL");
        assertPlanningFails(
                "SELECT ACTIVATION_GRAD(UPPER('relu'), x) FROM t",
                "ACTIVATION_GRAD: the activation spec must be a string literal, e.g."
                        + " 'leaky_relu(alpha=0.1)'; argument 1 is an expression of type CHAR(4)"
                        + " NOT NULL");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS(s, arr) FROM t",
                "ACTIVATION_STATS: the activation spec must be a string literal, e.g."
                        + " 'leaky_relu(alpha=0.1)'; argument 1 is an expression of type"
                        + " VARCHAR(5) NOT NULL");
    }

    @Test
    void nullSpecFailsAtPlanning() {
        assertPlanningFails(
                "SELECT ACTIVATION(CAST(NULL AS STRING), x) FROM t",
                "ACTIVATION: the activation spec must be a string literal, e.g."
                        + " 'leaky_relu(alpha=0.1)'; argument 1 is an expression of type STRING");
    }

    @Test
    void untypedNullLiteralsFailAtPlanningNamingTheFunctionAndTheArgument() {
        // These stopped at Calcite's "Illegal use of 'NULL'", naming neither.
        assertPlanningFails(
                "SELECT ACTIVATION(NULL, x) FROM t",
                "ACTIVATION: the activation spec must be a string literal, e.g."
                        + " 'leaky_relu(alpha=0.1)'; argument 1 is NULL");
        assertPlanningFails(
                "SELECT LEAKY_RELU(x, NULL) FROM t",
                "LEAKY_RELU: alpha must be a numeric literal, e.g. 0.01; argument 2 is NULL");
        assertPlanningFails(
                "SELECT DEAD_FEATURES(arr, NULL) FROM t",
                "DEAD_FEATURES: the dead threshold must be a numeric literal, e.g. 1.0; argument 2"
                        + " is NULL");
        // An array after it makes the NULL a spec, as three arguments do.
        for (String call :
                List.of(
                        "ACTIVATION_STATS(NULL, arr)",
                        "ACTIVATION_STATS(NULL, arr, 0.5)",
                        "ACTIVATION_STATS(NULL, NULL, 0.5)")) {
            assertPlanningFails(
                    "SELECT " + call + " FROM t",
                    "ACTIVATION_STATS: the activation spec must be a string literal, e.g."
                            + " 'leaky_relu(alpha=0.1)'; argument 1 is NULL");
        }
        assertPlanningFails(
                "SELECT ACTIVATION_STATS(arr, NULL) FROM t",
                "ACTIVATION_STATS: the dead threshold must be a numeric literal, e.g. 1.0;"
                        + " argument 2 is NULL");
    }

    @Test
    void specOfAnotherTypeFailsAtPlanning() {
        assertPlanningFails(
                "SELECT ACTIVATION(1, x) FROM t",
                "ACTIVATION: the activation spec must be a string literal, e.g."
                        + " 'leaky_relu(alpha=0.1)'; argument 1 is a literal of type INT NOT NULL");
    }

    @Test
    void maxoutOfAScalarFailsAtPlanning() {
        assertPlanningFails(
                "SELECT ACTIVATION('maxout(k=2)', x) FROM t",
                "ACTIVATION: activation spec 'maxout(k=2)' works on groups of features and needs"
                        + " an ARRAY, not DOUBLE NOT NULL");
    }

    /**
     * A spec with characters that do not show as themselves is echoed as the parser echoes it,
     * escaped, also where the function's own words name it: a raw no-break space or tab beside the
     * escaped one would show the reader two different specs.
     */
    @Test
    void specWithCharactersThatDoNotShowAsThemselvesIsEchoedEscaped() {
        assertPlanningFails(
                "SELECT ACTIVATION('relu(threshold=1\u00a0)', arr) FROM t",
                "ACTIVATION: invalid activation spec 'relu(threshold=1\\u00a0)': Invalid"
                        + " activation parameter threshold='1\\u00a0': must be a number (in"
                        + " activation spec 'relu(threshold=1\\u00a0)'); \\u00a0 is a no-break"
                        + " space (U+00A0)");
        // White space after a spec is read, so this is maxout, refused for a scalar.
        assertPlanningFails(
                "SELECT ACTIVATION('maxout(k=2)\t', x) FROM t",
                "ACTIVATION: activation spec 'maxout(k=2)\\u0009' works on groups of features and"
                        + " needs an ARRAY, not DOUBLE NOT NULL; \\u0009 is a character"
                        + " tabulation (U+0009)");
    }

    @Test
    void negativeAlphaFailsAtPlanning() {
        assertPlanningFails(
                "SELECT LEAKY_RELU(x, -0.1) FROM t",
                "LEAKY_RELU: Invalid activation parameter alpha=-0.1: must be a finite number >="
                        + " 0");
    }

    @Test
    void alphaLiteralsNoDoubleStandsForFailAtPlanningAsInASpec() {
        // 1e-400 is below the smallest double (4.9E-324) and 1e400 beyond the largest: as doubles
        // they read as 0 (LEAKY_RELU would be plain relu) and inf, neither of which was written.
        // ACTIVATION('leaky_relu(alpha=1e-400)', x) refuses the same number with these words.
        assertPlanningFails(
                "SELECT LEAKY_RELU(x, 1e-400) FROM t",
                "LEAKY_RELU: Invalid activation parameter alpha=1E-400: must be a finite number >="
                        + " 0; a number other than 0 must be at least 4.9E-324 in magnitude, the"
                        + " smallest double (it would read as 0) (in activation spec"
                        + " 'leaky_relu(alpha=1E-400)')");
        assertPlanningFails(
                "SELECT LEAKY_RELU(x, 1e400) FROM t",
                "LEAKY_RELU: Invalid activation parameter alpha=1E+400: must be a finite number >="
                        + " 0; a number must be at most 1.7976931348623157E308 in magnitude, the"
                        + " largest double (in activation spec 'leaky_relu(alpha=1E+400)')");
        // 0 written as 0 is plain relu, as leaky_relu(alpha=0) is.
        assertThat(tableEnv.explainSql("SELECT LEAKY_RELU(x, 0e0), LEAKY_RELU(x, 0.0) FROM t"))
                .contains("LEAKY_RELU");
    }

    @Test
    void floatAlphaFromTheTableApiFailsNamingTheFloatWritten() {
        // -0.1f widens to the double -0.10000000149011612, which nobody wrote.
        assertThatThrownBy(
                        () ->
                                tableEnv.from("t")
                                        .select(call("LEAKY_RELU", $("x"), lit(-0.1f)))
                                        .explain())
                .isInstanceOf(ValidationException.class)
                .hasRootCauseMessage(
                        "LEAKY_RELU: Invalid activation parameter alpha=-0.1: must be a finite"
                                + " number >= 0 (in activation spec 'leaky_relu(alpha=-0.1)')");
    }

    @Test
    void nanAlphaFailsAtPlanning() {
        // SQL has no NaN literal; the Table API has.
        assertThatThrownBy(
                        () ->
                                tableEnv.from("t")
                                        .select(call("LEAKY_RELU", $("x"), lit(Double.NaN)))
                                        .explain())
                .isInstanceOf(ValidationException.class)
                .hasRootCauseMessage(
                        "LEAKY_RELU: Invalid activation parameter alpha=NaN: must be a finite"
                                + " number >= 0");
    }

    @Test
    void alphaFromAColumnFailsAtPlanning() {
        assertPlanningFails(
                "SELECT LEAKY_RELU(x, x) FROM t",
                "LEAKY_RELU: alpha must be a numeric literal, e.g. 0.01; argument 2 is an"
                        + " expression of type DOUBLE NOT NULL");
    }

    @Test
    void valuesThatAreNotNumbersFailAtPlanning() {
        assertPlanningFails(
                "SELECT RELU(s) FROM t",
                "RELU takes DOUBLE, FLOAT (other numbers are cast to DOUBLE) or an ARRAY of DOUBLE"
                        + " or FLOAT as argument 1, not VARCHAR(5) NOT NULL");
        assertPlanningFails(
                "SELECT ZERO_FRACTION(ARRAY[s]) FROM t",
                "ZERO_FRACTION takes DOUBLE, FLOAT (other numbers are cast to DOUBLE) or an ARRAY"
                        + " of DOUBLE or FLOAT as argument 1, not ARRAY<VARCHAR(5) NOT NULL> NOT"
                        + " NULL; cast other arrays, e.g. CAST(x AS ARRAY<DOUBLE>)");
        assertPlanningFails(
                "SELECT DEAD_FEATURES(x, 1.0) FROM t",
                "DEAD_FEATURES takes an ARRAY of DOUBLE or FLOAT as argument 1, not DOUBLE NOT"
                        + " NULL");
    }

    @Test
    void arraysOfOtherNumbersMustBeCastExplicitly() {
        assertPlanningFails(
                "SELECT RELU(ARRAY[k, 2]) FROM t",
                "RELU takes DOUBLE, FLOAT (other numbers are cast to DOUBLE) or an ARRAY of DOUBLE"
                        + " or FLOAT as argument 1, not ARRAY<INT NOT NULL> NOT NULL; cast other"
                        + " arrays, e.g. CAST(x AS ARRAY<DOUBLE>)");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS(ARRAY[k]) FROM t",
                "ACTIVATION_STATS takes an ARRAY of DOUBLE or FLOAT as argument 1, not ARRAY<INT"
                        + " NOT NULL> NOT NULL; cast other arrays, e.g. CAST(x AS ARRAY<DOUBLE>)");
    }

    @Test
    void deadThresholdOutsideZeroToOneFailsAtPlanning() {
        assertPlanningFails(
                "SELECT DEAD_FEATURES(arr, 0) FROM t",
                "DEAD_FEATURES: the dead threshold must be in (0, 1], not 0.0");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS(arr, 1.5) FROM t",
                "ACTIVATION_STATS: the dead threshold must be in (0, 1], not 1.5");
    }

    @Test
    void deadThresholdLiteralsNoDoubleStandsForFailAtPlanningNamingTheNumberWritten() {
        // 1e-400 is below the smallest double (4.9E-324) and reads as 0, 1e400 reads as inf:
        // neither is in (0, 1], and neither is what was written.
        assertPlanningFails(
                "SELECT DEAD_FEATURES(arr, 1e-400) FROM t",
                "DEAD_FEATURES: the dead threshold must be in (0, 1], not 1E-400");
        assertPlanningFails(
                "SELECT DEAD_FEATURES(arr, 1e400) FROM t",
                "DEAD_FEATURES: the dead threshold must be in (0, 1], not 1E+400");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS(arr, 1e-400) FROM t",
                "ACTIVATION_STATS: the dead threshold must be in (0, 1], not 1E-400");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS('relu', arr, -1e400) FROM t",
                "ACTIVATION_STATS: the dead threshold must be in (0, 1], not -1E+400");
        // 1 + 1e-20 is above 1 as written, though the nearest double is 1.0: no share reaches it.
        assertPlanningFails(
                "SELECT DEAD_FEATURES(arr, 1.00000000000000000001) FROM t",
                "DEAD_FEATURES: the dead threshold must be in (0, 1], not 1.00000000000000000001");
        assertPlanningFails(
                "SELECT ACTIVATION_STATS(arr, 1.00000000000000000001) FROM t",
                "ACTIVATION_STATS: the dead threshold must be in (0, 1], not"
                        + " 1.00000000000000000001");
        // Numbers in (0, 1] however written, and 1 with trailing zeros, still plan.
        assertThat(
                        tableEnv.explainSql(
                                "SELECT DEAD_FEATURES(arr, 1e-300), DEAD_FEATURES(arr, 1.000),"
                                        + " ACTIVATION_STATS(arr, 0.99999999999999999),"
                                        + " ACTIVATION_STATS('relu', arr, 1E0) FROM t"))
                .contains("DEAD_FEATURES");
    }

    @Test
    void tableApiDeadThresholdsNoDecimalHoldsFailAtPlanningNamingThem() {
        // NaN and the infinities are doubles written as such: the refusal names them as they are.
        for (double threshold :
                new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(
                            () ->
                                    tableEnv.from("t")
                                            .select(call("DEAD_FEATURES", $("arr"), lit(threshold)))
                                            .explain())
                    .isInstanceOf(ValidationException.class)
                    .hasRootCauseMessage(
                            "DEAD_FEATURES: the dead threshold must be in (0, 1], not "
                                    + threshold);
        }
        // A FLOAT just above 1 is refused as it was written, not as the double it widens to.
        assertThatThrownBy(
                        () ->
                                tableEnv.from("t")
                                        .select(call("ACTIVATION_STATS", $("arr"), lit(1.0000001f)))
                                        .explain())
                .isInstanceOf(ValidationException.class)
                .hasRootCauseMessage(
                        "ACTIVATION_STATS: the dead threshold must be in (0, 1], not 1.0000001");
        assertThat(
                        tableEnv.from("t")
                                .select(
                                        call("DEAD_FEATURES", $("arr"), lit(0.5f)),
                                        call("ACTIVATION_STATS", $("arr"), lit(1.0)))
                                .explain())
                .contains("DEAD_FEATURES");
    }

    @Test
    void deadThresholdFromAColumnFailsAtPlanning() {
        assertPlanningFails(
                "SELECT DEAD_FEATURES(arr, x) FROM t",
                "DEAD_FEATURES: the dead threshold must be a numeric literal, e.g. 1.0; argument 2"
                        + " is an expression of type DOUBLE NOT NULL");
    }

    @Test
    void activationStatsOverAnUpdatingTableFailsBeforeItRunsForWantOfRetract() {
        String updating = "(SELECT k, LAST_VALUE(arr) AS arr FROM t GROUP BY k)";
        assertThatThrownBy(
                        () -> tableEnv.executeSql("SELECT ACTIVATION_STATS(arr) FROM " + updating))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Could not find an implementation method 'retract' in class"
                            + " 'io.relustream.sql.ActivationStatsFunction' for function"
                            + " 'ACTIVATION_STATS' that matches the following signature:\n"
                            + "void retract(io.relustream.sql.ActivationStatsFunction.Accumulator,"
                            + " java.lang.Double[])");
        // The functions that can retract take the same updating input.
        assertThat(
                        tableEnv.explainSql(
                                "SELECT ZERO_FRACTION(arr), DEAD_FEATURES(arr, 1.0) FROM "
                                        + updating,
                                ExplainDetail.CHANGELOG_MODE))
                .contains(
                        "GroupAggregate(select=[ZERO_FRACTION_RETRACT(arr) AS EXPR$0,"
                                + " DEAD_FEATURES_RETRACT(arr, $f1) AS EXPR$1],"
                                + " changelogMode=[I,UA,D])\n"
                                + "+- Exchange(distribution=[single], changelogMode=[I,UB,UA])");
    }

    @Test
    void activationStatsInABoundedOverWindowFailsBeforeItRunsForWantOfRetract() {
        tableEnv.executeSql(
                "CREATE TEMPORARY TABLE t2 (arr ARRAY<DOUBLE>, ts TIMESTAMP(3),"
                        + " WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')");
        // Insert-only input, but the rows that leave a bounded window are retracted.
        for (String frame :
                List.of(
                        "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW",
                        "RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW")) {
            assertThatThrownBy(
                            () ->
                                    tableEnv.executeSql(
                                            "SELECT ACTIVATION_STATS(arr) OVER (ORDER BY ts "
                                                    + frame
                                                    + ") FROM t2"))
                    .as(frame)
                    .isInstanceOf(ValidationException.class)
                    .hasMessage(
                            "Could not find an implementation method 'retract' in class"
                                    + " 'io.relustream.sql.ActivationStatsFunction' for function"
                                    + " 'ACTIVATION_STATS' that matches the following signature:\n"
                                    + "void retract(io.relustream.sql.ActivationStatsFunction"
                                    + ".Accumulator, java.lang.Double[])");
        }
        // From the first row on, nothing leaves the window: it plans.
        assertThat(
                        tableEnv.explainSql(
                                "SELECT ACTIVATION_STATS(arr) OVER (ORDER BY ts ROWS BETWEEN"
                                        + " UNBOUNDED PRECEDING AND CURRENT ROW) FROM t2"))
                .contains("ACTIVATION_STATS");
        // A batch query computes each bounded window afresh: it plans too.
        TableEnvironment batch = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        SqlFunctions.registerAll(batch);
        assertThat(
                        batch.explainSql(
                                "SELECT ACTIVATION_STATS(arr) OVER (PARTITION BY s ORDER BY k ROWS"
                                        + " BETWEEN 2 PRECEDING AND CURRENT ROW) FROM (VALUES"
                                        + " ('a', 1, ARRAY[CAST(0 AS DOUBLE)])) AS v(s, k, arr)"))
                .contains("ACTIVATION_STATS");
    }
}
