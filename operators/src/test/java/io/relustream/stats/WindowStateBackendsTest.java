package io.relustream.stats;

import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window aggregate's state on the heap and in RocksDB (incremental), restored from a canonical
 * savepoint taken on one backend into the other, with object reuse on and off: a session window
 * whose vectors change length and whose sessions merge after the restore reports the same, exact,
 * statistics every way.
 */
class WindowStateBackendsTest {

    private static ActivationSample outputs(long time, double... values) {
        return ActivationSample.of("r" + time, time, "g", values, values, 0.0);
    }

    private static StateBackend backend(String name) {
        return name.equals("rocksdb")
                ? new EmbeddedRocksDBStateBackend(true)
                : new HashMapStateBackend();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ActivationSample, ActivationStats>
            harness(String backend, boolean objectReuse) throws Exception {
        return harness(backend, objectReuse, TypeInformation.of(ActivationStatsAccumulator.class));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ActivationSample, ActivationStats>
            harness(
                    String backend,
                    boolean objectReuse,
                    TypeInformation<ActivationStatsAccumulator> accumulatorType)
                    throws Exception {
        ExecutionConfig config = new ExecutionConfig();
        if (objectReuse) {
            config.enableObjectReuse();
        }
        TypeInformation<ActivationSample> sampleType = TypeInformation.of(ActivationSample.class);
        WindowOperatorBuilder<ActivationSample, String, TimeWindow> builder =
                new WindowOperatorBuilder<>(
                        EventTimeSessionWindows.withGap(Duration.ofMillis(10)),
                        EventTimeTrigger.create(),
                        config,
                        sampleType,
                        sample -> sample.group,
                        Types.STRING);
        OneInputStreamOperator<ActivationSample, ActivationStats> operator =
                builder.aggregate(
                        new ActivationStatsAggregate(),
                        new ActivationStatsWindowFunction("relu", 0.8),
                        accumulatorType);
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator, sample -> sample.group, Types.STRING);
        if (objectReuse) {
            harness.getExecutionConfig().enableObjectReuse();
        }
        harness.setStateBackend(backend(backend));
        return harness;
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, ActivationSample, ActivationStats>
                    harness,
            ActivationSample sample)
            throws Exception {
        harness.processElement(new StreamRecord<>(sample, sample.eventTime));
    }

    @ParameterizedTest(name = "{0} -> {1}, object reuse {2}")
    @CsvSource({"hashmap, rocksdb, false", "rocksdb, hashmap, true", "rocksdb, rocksdb, true"})
    void sessionRestoredIntoTheOtherBackendMergesAndReportsExactly(
            String before, String after, boolean objectReuse) throws Exception {
        OperatorSubtaskState savepoint = firstRecords(harness(before, objectReuse));
        lastRecordsReportExactly(harness(after, objectReuse), savepoint);
    }

    /**
     * State that the serializer of the layout with the mean (snapshot version 3) wrote into a
     * savepoint: Flink reads it with that serializer and migrates it. The first two records' seven
     * values have the mean 1, which the old layout keeps exactly.
     */
    @ParameterizedTest(name = "into {0}")
    @CsvSource({"hashmap", "rocksdb"})
    void stateOfTheLayoutWithTheMeanRestoresAndMigrates(String after) throws Exception {
        TypeInformation<ActivationStatsAccumulator> meanLayout =
                new SerializerTypeInfo<>(
                        ActivationStatsAccumulator.class,
                        ActivationStatsAccumulatorSerializer.MeanLayout.INSTANCE) {};
        OperatorSubtaskState savepoint = firstRecords(harness("hashmap", false, meanLayout));
        lastRecordsReportExactly(harness(after, false), savepoint);
    }

    /** Two records into a session, then a canonical savepoint. */
    private static OperatorSubtaskState firstRecords(
            KeyedOneInputStreamOperatorTestHarness<String, ActivationSample, ActivationStats>
                    harness)
            throws Exception {
        OperatorSubtaskState savepoint;
        try (var first = harness) {
            first.open();
            // Sessions [0, 10) and [5, 15) merge into [0, 15); the second vector is longer.
            feed(first, outputs(0, 0.0, 2.0));
            feed(first, outputs(5, 0.0, 0.0, 0.0, 4.0, 1.0));
            first.processWatermark(1);
            savepoint =
                    first.snapshotWithLocalState(
                                    1L, 1L, SavepointType.savepoint(SavepointFormatType.CANONICAL))
                            .getJobManagerOwnedState();
            assertThat(first.extractOutputValues()).isEmpty();
        }
        return savepoint;
    }

    /** Three more records after the restore merge all into one session, reported exactly. */
    private static void lastRecordsReportExactly(
            KeyedOneInputStreamOperatorTestHarness<String, ActivationSample, ActivationStats>
                    harness,
            OperatorSubtaskState savepoint)
            throws Exception {
        try (var second = harness) {
            second.initializeState(savepoint);
            second.open();
            // [30, 40) alone, then [12, 22) joins [0, 15), and [20, 30) joins both: one session.
            feed(second, outputs(30, 3.0));
            feed(second, outputs(12, 0.0));
            feed(second, outputs(20, 0.0, 1.0, 6.0));
            second.processWatermark(100);

            List<ActivationStats> out = second.extractOutputValues();
            assertThat(out).hasSize(1);
            ActivationStats stats = out.get(0);
            assertThat(stats.getWindowStart()).isEqualTo(Instant.ofEpochMilli(0));
            assertThat(stats.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(40));
            // Values 0, 2 | 0, 0, 0, 4, 1 | 3 | 0 | 0, 1, 6: 12 of them, 6 zeros, sum 17.
            assertThat(stats.getRecordCount()).isEqualTo(5L);
            assertThat(stats.getValueCount()).isEqualTo(12L);
            assertThat(stats.getZeroCount()).isEqualTo(6L);
            assertThat(stats.getZeroFraction()).isEqualTo(0.5);
            assertThat(stats.getMin()).isEqualTo(0.0);
            assertThat(stats.getMax()).isEqualTo(6.0);
            assertThat(stats.getMean()).isEqualTo(17.0 / 12);
            // Sum of squares 67: variance 67/12 - (17/12)^2 = 515/144; its square root,
            // 1.89113428631836953665..., correctly rounded.
            assertThat(stats.getStddev()).isEqualTo(1.8911342863183696);
            // Sorted: six zeros, 1, 1, 2, 3, 4, 6; ranks 6, 11 and 12.
            assertThat(stats.getP50()).isEqualTo(0.0);
            assertThat(stats.getP90()).isEqualTo(4.0);
            assertThat(stats.getP99()).isEqualTo(6.0);
            // Feature 0 in all 5 records (4 zeros), 1 in 3 (1 zero), 2 in 2 (1), 3 and 4 in 1.
            assertThat(stats.getPerFeatureZeroFraction())
                    .containsExactly(0.8, 1.0 / 3, 0.5, 0.0, 0.0);
            assertThat(stats.getDeadFeatures()).containsExactly(0);
            assertThat(stats.getNegativeInputFraction()).isEqualTo(0.0);
        }
    }
}
