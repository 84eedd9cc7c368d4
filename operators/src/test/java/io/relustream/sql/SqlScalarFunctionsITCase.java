package io.relustream.sql;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.types.DataType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.call;
import static org.apache.flink.table.api.Expressions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scalar functions on a MiniCluster: every function on DOUBLE, FLOAT, ARRAY&lt;DOUBLE&gt; and
 * ARRAY&lt;FLOAT&gt; columns, over the values where the rectifiers bend (thresholds, caps, zeros of
 * both signs, the smallest subnormals, infinities, NaN, NULL), each held against {@link Reference}.
 */
class SqlScalarFunctionsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Double[] DOUBLES = {
        Double.NEGATIVE_INFINITY,
        -2.5,
        -1.0,
        -Double.MIN_VALUE,
        -0.0,
        0.0,
        Double.MIN_VALUE,
        0.5,
        1.0,
        3.0,
        4.0,
        6.0,
        7.5,
        Double.MAX_VALUE,
        Double.POSITIVE_INFINITY,
        Double.NaN,
        null
    };

    private static final Float[] FLOATS = {
        Float.NEGATIVE_INFINITY,
        -2.5f,
        -1.0f,
        -Float.MIN_VALUE,
        -0.0f,
        0.0f,
        Float.MIN_VALUE,
        0.5f,
        1.0f,
        3.0f,
        4.0f,
        6.0f,
        7.5f,
        Float.MAX_VALUE,
        Float.POSITIVE_INFINITY,
        Float.NaN,
        null
    };

    /** id, one value per type, and the arrays: all values, NULL (id 1) or empty (id 2). */
    private static final DataType ROW =
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.INT().notNull()),
                    DataTypes.FIELD("d", DataTypes.DOUBLE()),
                    DataTypes.FIELD("f", DataTypes.FLOAT()),
                    DataTypes.FIELD("ad", DataTypes.ARRAY(DataTypes.DOUBLE())),
                    DataTypes.FIELD("af", DataTypes.ARRAY(DataTypes.FLOAT())));

    private SqlTables sql;

    @BeforeEach
    void createTable() {
        sql = new SqlTables(1);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < DOUBLES.length; i++) {
            rows.add(Row.of(i, DOUBLES[i], FLOATS[i], array(i, DOUBLES), array(i, FLOATS)));
        }
        sql.tableEnv.createTemporaryView("t", sql.table(ROW, rows));
    }

    private static <T> T[] array(int id, T[] all) {
        return id == 1 ? null : id == 2 ? Arrays.copyOf(all, 0) : all.clone();
    }

    /** The specs under test and the rectifier each names. */
    static Stream<Arguments> specs() {
        double inf = Double.POSITIVE_INFINITY;
        return Stream.of(
                Arguments.of("relu", new Reference(0, inf, 0, 0)),
                Arguments.of("leaky_relu(alpha=0.1)", new Reference(0.1, inf, 0, 0.1)),
                Arguments.of("relu6", new Reference(0, 6, 0, 0)),
                Arguments.of("clipped_relu(max=4)", new Reference(0, 4, 0, 0)),
                Arguments.of("thresholded_relu(theta=1)", new Reference(0, inf, 1, 0)),
                Arguments.of(
                        "relu(negative_slope=0.1, max_value=6, threshold=0.5)",
                        new Reference(0.1, 6, 0.5, 0.1)),
                Arguments.of(
                        "relu(negative_slope=0.25, threshold=3, grad_at_threshold=1)",
                        new Reference(0.25, inf, 3, 1)));
    }

    @Test
    void reluOfEveryTypeIsMaxWithZeroElementWise() {
        assertElementWise("RELU(%s)", Reference.RELU, false);
    }

    @Test
    void reluGradOfEveryTypeIsOneAboveZeroAndZeroAtOrBelow() {
        assertElementWise("RELU_GRAD(%s)", Reference.RELU, true);
    }

    @Test
    void leakyReluOfEveryTypeScalesTheNegativeSide() {
        assertElementWise("LEAKY_RELU(%s, 0.1)", Reference.leaky(0.1), false);
    }

    @Test
    void leakyReluTakesAnApproximateNumericLiteralAsAlpha() {
        assertElementWise("LEAKY_RELU(%s, 2.5E-1)", Reference.leaky(0.25), false);
    }

    @Test
    void leakyReluTakesAFloatIntegerOrDecimalLiteralAsAlphaFromTheTableApi() {
        Table minusTwo = sql.tableEnv.sqlQuery("SELECT CAST(-2 AS DOUBLE) AS x");
        List<Row> rows =
                SqlTables.collect(
                        minusTwo.select(
                                        call("LEAKY_RELU", $("x"), lit(0.25f)),
                                        call("LEAKY_RELU", $("x"), lit(3L)),
                                        call("LEAKY_RELU", $("x"), lit(new BigDecimal("0.5"))),
                                        call("LEAKY_RELU", $("x"), lit(0.125)))
                                .execute());
        // -2 times 0.25, 3, 0.5 and 0.125: all exact in binary.
        assertThat(rows).containsExactly(Row.of(-0.5, -6.0, -1.0, -0.25));
    }

    @Test
    void untypedNullGivesNullWhateverTheOtherArgumentsLiteralType() {
        List<Row> rows =
                sql.query(
                        "SELECT RELU(NULL), RELU_GRAD(NULL), LEAKY_RELU(NULL, 0.1),"
                                + " LEAKY_RELU(NULL, 1), LEAKY_RELU(NULL, 1E-1),"
                                + " ACTIVATION('relu6', NULL), ACTIVATION_GRAD('relu6', NULL)");
        assertThat(rows).containsExactly(Row.of(null, null, null, null, null, null, null));
    }

    @Test
    void untypedNullGivesNullForMaxoutToo() {
        // Maxout takes arrays only: the untyped NULL is a NULL ARRAY<DOUBLE>, as for the
        // aggregates. It stopped at Calcite's "Illegal use of 'NULL'", naming neither the
        // function nor the argument.
        Table table =
                sql.tableEnv.sqlQuery(
                        "SELECT ACTIVATION('maxout(k=2)', NULL),"
                                + " ACTIVATION_GRAD('maxout(k=2)', NULL)");
        assertThat(
                        table.getResolvedSchema().getColumns().stream()
                                .map(Column::getDataType)
                                .map(DataType::toString))
                .containsExactly("ARRAY<DOUBLE>", "ARRAY<DOUBLE>");
        assertThat(SqlTables.collect(table.execute())).containsExactly(Row.of(null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void activationOfEveryTypeComputesTheNamedRectifier(String spec, Reference reference) {
        assertElementWise("ACTIVATION('" + spec + "', %s)", reference, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void activationGradOfEveryTypeComputesTheNamedRectifiersDerivative(
            String spec, Reference reference) {
        assertElementWise("ACTIVATION_GRAD('" + spec + "', %s)", reference, true);
    }

    @Test
    void resultTypesAreTheArgumentTypesAndOtherNumbersBecomeDouble() {
        Table table =
                sql.tableEnv.sqlQuery(
                        "SELECT id, RELU(d), RELU(f), RELU(ad), RELU(af), RELU(id), RELU(CAST(id AS"
                                + " DECIMAL(5, 2))), RELU(CAST(ARRAY[id, 2] AS ARRAY<DOUBLE>)),"
                                + " LEAKY_RELU(f, 0.1), ACTIVATION_GRAD('relu6', af),"
                                + " ACTIVATION('maxout(k=2)', af) FROM t");
        assertThat(
                        table.getResolvedSchema().getColumns().stream()
                                .map(Column::getDataType)
                                .map(DataType::toString))
                .containsExactly(
                        "INT NOT NULL",
                        "DOUBLE",
                        "FLOAT",
                        "ARRAY<DOUBLE>",
                        "ARRAY<FLOAT>",
                        "DOUBLE NOT NULL",
                        "DOUBLE NOT NULL",
                        "ARRAY<DOUBLE> NOT NULL",
                        "FLOAT",
                        "ARRAY<FLOAT>",
                        "ARRAY<FLOAT>");
        List<Row> rows = sorted(SqlTables.collect(table.execute()));
        assertThat(rows.get(3).getField(5)).isEqualTo(3.0);
        assertThat(rows.get(0).getField(6)).isEqualTo(0.0);
        assertThat((Double[]) rows.get(0).getField(7)).containsExactly(0.0, 2.0);
        // 17 values are no whole number of maxout groups of 2: NULL, not a failed job.
        assertThat(FLOATS.length % 2).isOne();
        assertThat(rows.get(0).getField(10)).isNull();
        assertThat((Float[]) rows.get(2).getField(10)).isEmpty();
    }

    @Test
    void integerAndDecimalValuesAreComputedAsTheDoublesTheyAre() {
        DataType type =
                DataTypes.ROW(
                        DataTypes.FIELD("id", DataTypes.INT().notNull()),
                        DataTypes.FIELD("i", DataTypes.INT()),
                        DataTypes.FIELD("b", DataTypes.BIGINT()),
                        DataTypes.FIELD("dc", DataTypes.DECIMAL(10, 3)),
                        DataTypes.FIELD("ti", DataTypes.TINYINT()));
        sql.tableEnv.createTemporaryView(
                "numbers",
                sql.table(
                        type,
                        List.of(
                                Row.of(0, 0, 0L, new BigDecimal("0.000"), (byte) 0),
                                Row.of(
                                        1,
                                        -3,
                                        Long.MAX_VALUE,
                                        new BigDecimal("-1.500"),
                                        Byte.MIN_VALUE),
                                Row.of(2, null, null, null, null),
                                Row.of(3, 5, -7L, new BigDecimal("2.250"), Byte.MAX_VALUE))));
        List<Row> rows =
                sorted(
                        sql.query(
                                "SELECT id, RELU(i), RELU(b), RELU(dc), RELU_GRAD(ti),"
                                        + " LEAKY_RELU(dc, 0.5), ACTIVATION('relu6', b),"
                                        + " ACTIVATION_GRAD('leaky_relu(alpha=0.5)', i) FROM"
                                        + " numbers"));
        // 2^63 - 1 is no double: it is 2^63 = 9223372036854775808 as one, which relu6 caps at 6.
        assertThat(rows)
                .containsExactly(
                        Row.of(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5),
                        Row.of(1, 0.0, 9.223372036854775808E18, 0.0, 0.0, -0.75, 6.0, 0.5),
                        Row.of(2, null, null, null, null, null, null, null),
                        Row.of(3, 5.0, 0.0, 2.25, 1.0, 2.25, 0.0, 1.0));
        // Zeros are +0.0, also from negative integers and decimals.
        assertThat(1 / (Double) rows.get(1).getField(1)).isPositive();
        assertThat(1 / (Double) rows.get(1).getField(3)).isPositive();
    }

    @Test
    void maxoutTakesGroupMaximaOfDoubleArrays() {
        List<Double[]> inputs =
                List.of(
                        new Double[] {1.0, 3.0, -2.0, -5.0},
                        new Double[] {2.0, 2.0, -0.0, -0.0},
                        new Double[] {-0.0, 0.0, Double.NEGATIVE_INFINITY, -7.0},
                        new Double[] {Double.NaN, 1.0, 4.0, null},
                        new Double[] {Double.POSITIVE_INFINITY, 1.0, -1.0, Double.MIN_VALUE},
                        new Double[] {1.0, 2.0, 3.0},
                        new Double[0]);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            rows.add(Row.of(i, inputs.get(i), Reference.toFloats(inputs.get(i))));
        }
        rows.add(Row.of(inputs.size(), null, null));
        DataType type =
                DataTypes.ROW(
                        DataTypes.FIELD("id", DataTypes.INT().notNull()),
                        DataTypes.FIELD("ad", DataTypes.ARRAY(DataTypes.DOUBLE())),
                        DataTypes.FIELD("af", DataTypes.ARRAY(DataTypes.FLOAT())));
        sql.tableEnv.createTemporaryView("m", sql.table(type, rows));

        List<Row> result =
                sorted(
                        sql.query(
                                "SELECT id, ACTIVATION('maxout(k=2)', ad),"
                                        + " ACTIVATION_GRAD('maxout(k=2)', ad),"
                                        + " ACTIVATION('maxout(k=2)', af),"
                                        + " ACTIVATION_GRAD('maxout(k=2)', af),"
                                        + " ACTIVATION('maxout(k=4)', ad) FROM m"));

        assertThat(result).hasSize(rows.size());
        for (Row row : result) {
            int id = (Integer) row.getField(0);
            Double[] in = id < inputs.size() ? inputs.get(id) : null;
            Float[] floats = Reference.toFloats(in);
            String as = "row " + id + ": " + Arrays.toString(in);
            assertThat((Double[]) row.getField(1)).as(as).isEqualTo(Reference.maxout(in, 2));
            assertThat((Double[]) row.getField(2)).as(as).isEqualTo(Reference.maxoutGrad(in, 2));
            assertThat((Float[]) row.getField(3)).as(as).isEqualTo(Reference.maxout(floats, 2));
            assertThat((Float[]) row.getField(4)).as(as).isEqualTo(Reference.maxoutGrad(floats, 2));
            assertThat((Double[]) row.getField(5)).as(as).isEqualTo(Reference.maxout(in, 4));
        }
        // The cases spelled out, so that the reference itself is checked too.
        assertThat((Double[]) result.get(0).getField(1)).containsExactly(3.0, -2.0);
        assertThat((Double[]) result.get(0).getField(2)).containsExactly(0.0, 1.0, 1.0, 0.0);
        assertThat((Double[]) result.get(1).getField(2)).containsExactly(1.0, 0.0, 1.0, 0.0);
        assertThat((Double[]) result.get(2).getField(1)).containsExactly(0.0, -7.0);
        assertThat((Double[]) result.get(3).getField(1)).containsExactly(Double.NaN, null);
        assertThat((Double[]) result.get(3).getField(2))
                .containsExactly(Double.NaN, Double.NaN, null, null);
        assertThat(result.get(5).getField(1)).isNull();
        assertThat((Double[]) result.get(6).getField(1)).isEmpty();
        assertThat(result.get(7).getField(1)).isNull();
    }

    @Test
    void arraysBuiltByFlinksArrayFunctionsAreTakenAsAnyOther() {
        // Flink's array functions give arrays it passes on as Object[]: these calls failed the
        // job with a ClassCastException while a Double[] or Float[] parameter took them.
        DataType type =
                DataTypes.ROW(
                        DataTypes.FIELD("ad", DataTypes.ARRAY(DataTypes.DOUBLE())),
                        DataTypes.FIELD("af", DataTypes.ARRAY(DataTypes.FLOAT())));
        sql.tableEnv.createTemporaryView(
                "built",
                sql.table(type, List.of(Row.of(new Double[] {-3.0, 2.0}, new Float[] {-3f, 7f}))));

        List<Row> rows =
                sql.query(
                        "SELECT RELU(ARRAY_CONCAT(ad, ad)), RELU_GRAD(ARRAY_REMOVE(ad, 2.0)),"
                                + " LEAKY_RELU(ARRAY_SLICE(ad, 1, 1), 0.5),"
                                + " ACTIVATION('relu6', ARRAY_REVERSE(af)),"
                                + " ACTIVATION_GRAD('maxout(k=2)', ARRAY_CONCAT(af, af)),"
                                + " ACTIVATION('maxout(k=2)', ARRAY_DISTINCT(ARRAY_CONCAT(ad, ad)))"
                                + " FROM built");

        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        // relu of [-3, 2, -3, 2]; relu' of [-3] (2 removed); 0.5 * -3 (the first element);
        // relu6 of [7, -3]; the arg-max masks of [-3, 7] twice; the max of [-3, 2] (distinct).
        assertThat((Double[]) row.getField(0)).containsExactly(0.0, 2.0, 0.0, 2.0);
        assertThat((Double[]) row.getField(1)).containsExactly(0.0);
        assertThat((Double[]) row.getField(2)).containsExactly(-1.5);
        assertThat((Float[]) row.getField(3)).containsExactly(6f, 0f);
        assertThat((Float[]) row.getField(4)).containsExactly(0f, 1f, 0f, 1f);
        assertThat((Double[]) row.getField(5)).containsExactly(2.0);
    }

    /**
     * Runs {@code call} on d, f, ad and af and holds every result against the reference: NULL in,
     * NULL out; -0.0 in, +0.0 out where the math gives zero; NaN in, NaN out.
     */
    private void assertElementWise(String call, Reference reference, boolean derivative) {
        List<Row> rows =
                sorted(
                        sql.query(
                                "SELECT id, "
                                        + Stream.of("d", "f", "ad", "af")
                                                .map(column -> String.format(call, column))
                                                .collect(Collectors.joining(", "))
                                        + " FROM t"));
        assertThat(rows).hasSize(DOUBLES.length);
        for (Row row : rows) {
            int id = (Integer) row.getField(0);
            String as = call + " at " + DOUBLES[id];
            Double d = DOUBLES[id];
            Float f = FLOATS[id];
            Double[] ad = array(id, DOUBLES);
            Float[] af = array(id, FLOATS);
            assertThat(row.getField(1))
                    .as(as)
                    .isEqualTo(derivative ? reference.df(d) : reference.f(d));
            assertThat(row.getField(2))
                    .as(as)
                    .isEqualTo(derivative ? reference.df(f) : reference.f(f));
            assertThat((Double[]) row.getField(3))
                    .as(as)
                    .isEqualTo(derivative ? reference.df(ad) : reference.f(ad));
            assertThat((Float[]) row.getField(4))
                    .as(as)
                    .isEqualTo(derivative ? reference.df(af) : reference.f(af));
        }
        // Spot checks of the reference where the contract is easiest to get wrong.
        Row negativeZero = rows.get(4);
        if (!derivative && reference.t == 0) {
            // Bit patterns: +0.0 is all zeros, -0.0 is not.
            assertThat(Double.doubleToRawLongBits((Double) negativeZero.getField(1))).isZero();
            assertThat(Float.floatToRawIntBits((Float) negativeZero.getField(2))).isZero();
        }
        assertThat((Double) rows.get(15).getField(1)).isNaN();
        assertThat(rows.get(16).getField(1)).isNull();
        assertThat(rows.get(16).getField(2)).isNull();
        assertThat(rows.get(1).getField(3)).isNull();
        assertThat((Double[]) rows.get(2).getField(3)).isEmpty();
        assertThat(((Double[]) rows.get(0).getField(3))[16]).isNull();
    }

    private static List<Row> sorted(List<Row> rows) {
        return rows.stream()
                .sorted(Comparator.comparingInt(row -> (Integer) row.getField(0)))
                .collect(Collectors.toList());
    }
}
