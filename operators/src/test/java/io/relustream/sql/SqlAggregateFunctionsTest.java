package io.relustream.sql;

import io.relustream.stats.ActivationStatsAccumulatorSerializer;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.table.runtime.typeutils.InternalSerializers;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RawType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The aggregate functions' accumulators without Flink around them: retract undoes accumulate, merge
 * equals accumulating everything in one place, and the accumulator types are ones Flink serializes
 * without Kryo.
 */
class SqlAggregateFunctionsTest {

    private static final double NAN = Double.NaN;

    @Test
    void zeroFractionCountsZerosOfBothSignsAmongNonNullNonNaNValues() {
        ZeroFractionFunction function = new ZeroFractionFunction();
        ZeroFractionFunction.Accumulator acc = function.createAccumulator();
        function.accumulate(acc, 0.0);
        function.accumulate(acc, -0.0);
        function.accumulate(acc, (Double) null);
        function.accumulate(acc, NAN);
        function.accumulate(acc, Double.POSITIVE_INFINITY);
        function.accumulate(acc, new Float[] {0.0f, null, Float.NaN, 2.0f});
        function.accumulate(acc, (Double[]) null);

        // Values: 0, -0, +inf, 0f, 2f; zeros: three of them.
        assertThat(acc.values).isEqualTo(5);
        assertThat(acc.zeros).isEqualTo(3);
        assertThat(function.getValue(acc)).isEqualTo(0.6);
    }

    @Test
    void zeroFractionIsNullWithoutValuesAndAfterEverythingIsRetracted() {
        ZeroFractionFunction function = new ZeroFractionFunction();
        ZeroFractionFunction.Accumulator acc = function.createAccumulator();
        function.accumulate(acc, NAN);
        function.accumulate(acc, new Double[] {null});
        assertThat(function.getValue(acc)).isNull();

        function.accumulate(acc, new Double[] {0.0, 1.0});
        function.retract(acc, new Double[] {0.0, 1.0});
        assertThat(function.getValue(acc)).isNull();
        assertThat(acc.values).isZero();
        assertThat(acc.zeros).isZero();
    }

    @Test
    void zeroFractionMergeEqualsAccumulatingEverythingInOnePlace() {
        ZeroFractionFunction function = new ZeroFractionFunction();
        ZeroFractionFunction.Accumulator all = function.createAccumulator();
        ZeroFractionFunction.Accumulator left = function.createAccumulator();
        ZeroFractionFunction.Accumulator right = function.createAccumulator();
        Double[][] rows = {{0.0, 1.0}, {0.0, 0.0, NAN}, {3.0}, {-0.0}};
        for (int i = 0; i < rows.length; i++) {
            function.accumulate(all, rows[i]);
            function.accumulate(i % 2 == 0 ? left : right, rows[i]);
        }
        function.merge(left, List.of(right));

        assertThat(left.values).isEqualTo(all.values).isEqualTo(6);
        assertThat(left.zeros).isEqualTo(all.zeros).isEqualTo(4);
        assertThat(function.getValue(left)).isEqualTo(4.0 / 6.0);
    }

    @Test
    void deadFeaturesRetractLeavesIndexesWithoutRowsAlive() {
        DeadFeaturesFunction function = new DeadFeaturesFunction();
        DeadFeaturesFunction.Accumulator acc = function.createAccumulator();
        function.accumulate(acc, new Double[] {0.0, 1.0, 0.0}, 1.0);
        function.accumulate(acc, new Double[] {0.0, 0.0}, 1.0);
        assertThat(function.getValue(acc)).containsExactly(0, 2);

        function.retract(acc, new Double[] {0.0, 1.0, 0.0}, 1.0);
        // Index 2 has no rows left: no fraction, not dead. Index 1 is now 1/1 zero.
        assertThat(acc.records).containsExactly(1, 1, 0);
        assertThat(function.getValue(acc)).containsExactly(0, 1);
    }

    @Test
    void deadFeaturesCountsNaNAndNullElementsAsRowsThatWereNotZero() {
        DeadFeaturesFunction function = new DeadFeaturesFunction();
        DeadFeaturesFunction.Accumulator acc = function.createAccumulator();
        function.accumulate(acc, new Double[] {0.0, 0.0, 0.0}, 0.5);
        function.accumulate(acc, new Double[] {NAN, null, 0.0}, 0.5);
        function.accumulate(acc, new Float[] {Float.NaN, 0.0f}, 0.5);

        assertThat(acc.records).containsExactly(3, 3, 2);
        assertThat(acc.zeros).containsExactly(1, 2, 2);
        assertThat(function.getValue(acc)).containsExactly(1, 2);
    }

    /**
     * A FLOAT threshold (the Table API's {@code lit(0.3f)}) is the number written, 0.3, as the
     * planner checks and names it, not the double 0.30000001192092896 the float widens to: a
     * feature zero in 3 of 10 rows is dead at it.
     */
    @Test
    void aFloatThresholdIsTheNumberWritten() {
        // And a FLOAT slope: -1 times 0.01, not times 0.009999999776482582.
        assertThat(new LeakyReluFunction().eval(-1.0, 0.01f)).isEqualTo(-0.01);

        DeadFeaturesFunction deadFeatures = new DeadFeaturesFunction();
        DeadFeaturesFunction.Accumulator dead = deadFeatures.createAccumulator();
        ActivationStatsFunction statsFunction = new ActivationStatsFunction();
        ActivationStatsFunction.Accumulator stats = statsFunction.createAccumulator();
        ActivationStatsFunction.Accumulator fromSpec = statsFunction.createAccumulator();
        for (int row = 0; row < 10; row++) {
            Double[] values = {row < 3 ? 0.0 : 1.0, 1.0};
            deadFeatures.accumulate(dead, values, 0.3f);
            statsFunction.accumulate(stats, values, 0.3f);
            statsFunction.accumulate(fromSpec, "relu", values, 0.3f);
        }

        assertThat(deadFeatures.getValue(dead)).containsExactly(0);
        assertThat((Integer[]) statsFunction.getValue(stats).getField(16)).containsExactly(0);
        assertThat((Integer[]) statsFunction.getValue(fromSpec).getField(16)).containsExactly(0);
    }

    @Test
    void deadFeaturesMergeTakesTheThresholdIntoAnEmptyGlobalAccumulator() {
        DeadFeaturesFunction function = new DeadFeaturesFunction();
        DeadFeaturesFunction.Accumulator partial = function.createAccumulator();
        function.accumulate(partial, new Double[] {0.0, 1.0, 0.0, 0.0}, 0.5);
        DeadFeaturesFunction.Accumulator other = function.createAccumulator();
        function.accumulate(other, new Double[] {1.0, 0.0}, 0.5);

        // A global accumulator of two-phase aggregation only ever sees merges.
        DeadFeaturesFunction.Accumulator global = function.createAccumulator();
        function.merge(global, List.of(partial, other));

        assertThat(global.threshold).isEqualTo(0.5);
        assertThat(global.records).containsExactly(2, 2, 1, 1);
        assertThat(global.zeros).containsExactly(1, 1, 1, 1);
        assertThat(function.getValue(global)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void deadFeaturesLeavesTheCountsOfAnEarlierStateAsTheyWere() {
        DeadFeaturesFunction function = new DeadFeaturesFunction();
        DeadFeaturesFunction.Accumulator acc = function.createAccumulator();
        function.accumulate(acc, new Double[] {0.0, 0.0}, 1.0);
        // What the heap state backend keeps of this state: the arrays themselves.
        long[] records = acc.records;
        long[] zeros = acc.zeros;
        DeadFeaturesFunction.Accumulator other = function.createAccumulator();
        function.accumulate(other, new Double[] {0.0, 1.0}, 1.0);

        function.accumulate(acc, new Double[] {1.0, 0.0}, 1.0);
        function.retract(acc, new Double[] {0.0, 0.0}, 1.0);
        function.merge(acc, List.of(other));

        assertThat(records).containsExactly(1, 1);
        assertThat(zeros).containsExactly(1, 1);
        // [1, 0] and [0, 1] are left.
        assertThat(acc.records).containsExactly(2, 2);
        assertThat(acc.zeros).containsExactly(1, 1);
    }

    @Test
    void activationStatsMergeEqualsAccumulatingEverythingInOnePlace() {
        ActivationStatsFunction function = new ActivationStatsFunction();
        ActivationStatsFunction.Accumulator all = function.createAccumulator();
        ActivationStatsFunction.Accumulator left = function.createAccumulator();
        ActivationStatsFunction.Accumulator right = function.createAccumulator();
        List<Double[]> rows =
                List.of(
                        new Double[] {0.0, 1.0, 2.0},
                        new Double[] {0.0, NAN, null, 4.0},
                        new Double[] {Double.NEGATIVE_INFINITY, 0.0},
                        new Double[] {5.0, 0.0, 0.0});
        for (int i = 0; i < rows.size(); i++) {
            function.accumulate(all, rows.get(i), 0.5);
            function.accumulate(i < 2 ? left : right, rows.get(i), 0.5);
        }
        ActivationStatsFunction.Accumulator global = function.createAccumulator();
        function.merge(global, List.of(left, right));

        Row expected = ExpectedAggregates.activationStats(rows, 0.5);
        for (Row actual : List.of(function.getValue(all), function.getValue(global))) {
            // -inf among the values: the mean is -inf and the stddev NaN, exactly.
            assertThat(Arrays.deepEquals(fields(actual), fields(expected)))
                    .as(actual + " vs " + expected)
                    .isTrue();
        }
        assertThat(function.getValue(global).getField(16)).isEqualTo(new Integer[] {0, 1});
    }

    @Test
    void activationStatsStddevHoldsWhereSquaresOverflowOrUnderflow() {
        ActivationStatsFunction function = new ActivationStatsFunction();
        // Population stddev by hand: of {x, -x} it is x, of {1e200, 3e200} 1e200.
        List<List<Double[]>> windows =
                List.of(
                        List.of(new Double[] {1e155}, new Double[] {-1e155}),
                        List.of(new Double[] {1e200}, new Double[] {3e200}),
                        List.of(new Double[] {1e-170}, new Double[] {-1e-170}));
        double[] stddevs = {1e155, 1e200, 1e-170};
        for (int w = 0; w < windows.size(); w++) {
            List<Double[]> rows = windows.get(w);
            ActivationStatsFunction.Accumulator all = function.createAccumulator();
            ActivationStatsFunction.Accumulator left = function.createAccumulator();
            ActivationStatsFunction.Accumulator right = function.createAccumulator();
            function.accumulate(all, rows.get(0));
            function.accumulate(all, rows.get(1));
            function.accumulate(left, rows.get(0));
            function.accumulate(right, rows.get(1));
            ActivationStatsFunction.Accumulator global = function.createAccumulator();
            function.merge(global, List.of(left, right));

            for (Row row : List.of(function.getValue(all), function.getValue(global))) {
                assertThat((Double) row.getField(11))
                        .isCloseTo(stddevs[w], within(1e-12 * stddevs[w]));
            }
        }
    }

    @Test
    void activationStatsOfNoRowsHasZeroCountsAndNullStatistics() {
        ActivationStatsFunction function = new ActivationStatsFunction();
        Row stats = function.getValue(function.createAccumulator());
        assertThat(
                        Arrays.deepEquals(
                                fields(stats),
                                fields(ExpectedAggregates.activationStats(List.of(), 1.0))))
                .isTrue();
        assertThat(stats.getField(0)).isEqualTo(0L);
        assertThat(stats.getField(3)).isNull();
        assertThat((Double[]) stats.getField(15)).isEmpty();
    }

    @Test
    void accumulatorsAreStructuredTypesAndTheStatsSketchHasItsOwnSerializer() {
        TableEnvironment tableEnv = SqlTables.tableEnvironment(true);
        DataTypeFactory factory =
                ((TableEnvironmentInternal) tableEnv).getCatalogManager().getDataTypeFactory();

        LogicalType zeroFraction = accumulatorType(new ZeroFractionFunction(), factory);
        assertThat(zeroFraction.getTypeRoot()).isEqualTo(LogicalTypeRoot.STRUCTURED_TYPE);
        assertThat(LogicalTypeChecks.getFieldNames(zeroFraction))
                .containsExactlyInAnyOrder("zeros", "values");

        LogicalType deadFeatures = accumulatorType(new DeadFeaturesFunction(), factory);
        assertThat(deadFeatures.getTypeRoot()).isEqualTo(LogicalTypeRoot.STRUCTURED_TYPE);
        assertThat(deadFeatures.asSummaryString()).doesNotContain("RAW");

        LogicalType stats = accumulatorType(new ActivationStatsFunction(), factory);
        assertThat(stats.getTypeRoot()).isEqualTo(LogicalTypeRoot.STRUCTURED_TYPE);
        RawType<?> sketch = (RawType<?>) LogicalTypeChecks.getFieldTypes(stats).get(0);
        assertThat(sketch.getTypeSerializer())
                .isSameAs(ActivationStatsAccumulatorSerializer.INSTANCE);
    }

    @Test
    void accumulatorsKeepEveryCountThroughFlinksStateSerializerBetweenSteps() throws Exception {
        List<Double[]> rows =
                List.of(
                        new Double[] {0.0, -0.0, NAN, null},
                        new Double[] {Double.POSITIVE_INFINITY, 0.1, 0.2},
                        new Double[] {},
                        new Double[] {1e-300, -5.0, 0.0, 0.0, 7.0});
        ZeroFractionFunction zeroFraction = new ZeroFractionFunction();
        DeadFeaturesFunction deadFeatures = new DeadFeaturesFunction();
        ActivationStatsFunction stats = new ActivationStatsFunction();
        // Written and read back before every step, as a state backend that serializes does.
        ZeroFractionFunction.Accumulator z =
                roundTrip(zeroFraction, zeroFraction.createAccumulator());
        DeadFeaturesFunction.Accumulator d =
                roundTrip(deadFeatures, deadFeatures.createAccumulator());
        ActivationStatsFunction.Accumulator a = roundTrip(stats, stats.createAccumulator());
        for (Double[] row : rows) {
            zeroFraction.accumulate(z, row);
            deadFeatures.accumulate(d, row, 0.5);
            stats.accumulate(a, row, 0.5);
            z = roundTrip(zeroFraction, z);
            d = roundTrip(deadFeatures, d);
            a = roundTrip(stats, a);
        }
        // A row in and out again, and a merge into an empty accumulator read from state.
        Double[] gone = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        zeroFraction.accumulate(z, gone);
        deadFeatures.accumulate(d, gone, 0.5);
        z = roundTrip(zeroFraction, z);
        d = roundTrip(deadFeatures, d);
        zeroFraction.retract(z, gone);
        deadFeatures.retract(d, gone, 0.5);
        ActivationStatsFunction.Accumulator merged = roundTrip(stats, stats.createAccumulator());
        stats.merge(merged, List.of(a));
        merged = roundTrip(stats, merged);

        assertThat(zeroFraction.getValue(roundTrip(zeroFraction, z)))
                .isEqualTo(ExpectedAggregates.zeroFractionOfArrays(rows));
        assertThat(deadFeatures.getValue(roundTrip(deadFeatures, d)))
                .isEqualTo(ExpectedAggregates.deadFeatures(rows, 0.5));
        // +inf among the values: the mean is +inf and the stddev NaN, exactly.
        assertThat(
                        Arrays.deepEquals(
                                fields(stats.getValue(merged)),
                                fields(ExpectedAggregates.activationStats(rows, 0.5))))
                .as(stats.getValue(merged).toString())
                .isTrue();
    }

    /**
     * The accumulator through Flink's conversion to its internal form and that form's serializer.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <A> A roundTrip(AggregateFunction<?, A> function, A acc) throws Exception {
        TableEnvironment tableEnv = SqlTables.tableEnvironment(true);
        DataTypeFactory factory =
                ((TableEnvironmentInternal) tableEnv).getCatalogManager().getDataTypeFactory();
        DataType type = accumulatorDataType(function, factory);
        DataStructureConverter converter = DataStructureConverters.getConverter(type);
        converter.open(SqlAggregateFunctionsTest.class.getClassLoader());
        TypeSerializer serializer = InternalSerializers.create(type.getLogicalType());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(converter.toInternalOrNull(acc), out);
        Object internal = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        return (A) converter.toExternalOrNull(internal);
    }

    private static LogicalType accumulatorType(
            AggregateFunction<?, ?> function, DataTypeFactory factory) {
        return accumulatorDataType(function, factory).getLogicalType();
    }

    private static DataType accumulatorDataType(
            AggregateFunction<?, ?> function, DataTypeFactory factory) {
        return function.getTypeInference(factory)
                .getAccumulatorTypeStrategy()
                .orElseThrow()
                .inferType(null)
                .orElseThrow();
    }

    private static Object[] fields(Row row) {
        Object[] fields = new Object[row.getArity()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = row.getField(i);
        }
        return fields;
    }
}
