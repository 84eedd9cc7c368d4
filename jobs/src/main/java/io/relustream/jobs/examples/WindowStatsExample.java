package io.relustream.jobs.examples;

import io.relustream.activation.Activation;
import io.relustream.activation.Activations;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.FeatureVector;
import io.relustream.operators.FeatureActivationFunction;
import io.relustream.stats.ActivationSample;
import io.relustream.stats.ActivationStatsAggregate;
import io.relustream.stats.ActivationStatsWindowFunction;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Activation statistics per group and event-time window, as the job computes them: the activation
 * operator gives an {@link ActivationSample} of each record it activates, and those, keyed by group
 * in a tumbling window, go to {@link ActivationStatsAggregate} with {@link
 * ActivationStatsWindowFunction}, which give one {@code ActivationStats} record per group and
 * window (zero fraction, per-feature zero fractions, dead features, ...).
 *
 * <p>Runs on a local Flink started in-process, on built-in records: run {@code main} from the IDE
 * (with {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.relustream,java.lang,java.util,java.math,
 * java.time}, for the Avro records), or through {@code ExamplesTest}.
 */
public final class WindowStatsExample {

    private static final Activation RELU = Activations.relu();

    private WindowStatsExample() {}

    public static void main(String[] args) throws Exception {
        // Generic types off: the samples and the window's accumulator have serializers of their
        // own, and the statistics are Avro records; nothing here needs Kryo.
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(1);

        DataStream<FeatureVector> features =
                env.fromData(
                                feature("layer-1", 1_000, -1.0, 2.0, 0.0),
                                feature("layer-2", 3_000, 1.0, -1.0),
                                feature("layer-1", 4_000, -3.0, 5.0, 1.0),
                                feature("layer-1", 12_000, -2.0, -1.0, 4.0))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<FeatureVector>forMonotonousTimestamps()
                                        .withTimestampAssigner(
                                                (feature, previous) ->
                                                        feature.getEventTime().toEpochMilli()));

        // The statistics need each record's outputs and the counts of its inputs (NaN, infinities,
        // inputs below the threshold): the operator gives them as ActivationSamples, on the
        // records' timestamps, next to the ActivationVectors a job would write.
        SingleOutputStreamOperator<ActivationVector> activated =
                features.process(
                        FeatureActivationFunction.builder().activation(RELU).samples(true).build());
        DataStream<ActivationSample> samples =
                activated.getSideOutput(FeatureActivationFunction.SAMPLES);
        DataStream<ActivationStats> stats =
                samples.keyBy(sample -> sample.group)
                        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                        // Incremental: the window holds one accumulator, never the records.
                        .aggregate(
                                new ActivationStatsAggregate(),
                                new ActivationStatsWindowFunction(RELU.spec(), 1.0));

        // Windows of different groups close in no fixed order: sort them for the printout.
        List<ActivationStats> windows = new ArrayList<>(stats.executeAndCollect(100));
        windows.sort(
                Comparator.comparing(ActivationStats::getWindowStart)
                        .thenComparing(ActivationStats::getGroup));
        for (ActivationStats window : windows) {
            System.out.println(
                    window.getGroup()
                            + " ["
                            + window.getWindowStart()
                            + ", "
                            + window.getWindowEnd()
                            + ") "
                            + window.getActivation()
                            + ": records "
                            + window.getRecordCount()
                            + ", zero_fraction "
                            + window.getZeroFraction()
                            + ", negative_input_fraction "
                            + window.getNegativeInputFraction()
                            + ", mean "
                            + window.getMean()
                            + ", per_feature_zero_fraction "
                            + window.getPerFeatureZeroFraction()
                            + ", dead_features "
                            + window.getDeadFeatures());
        }
    }

    private static FeatureVector feature(String group, long eventTimeMillis, double... values) {
        List<Double> list = new ArrayList<>();
        for (double value : values) {
            list.add(value);
        }
        return FeatureVector.newBuilder()
                .setId(group + "@" + eventTimeMillis)
                .setEventTime(Instant.ofEpochMilli(eventTimeMillis))
                .setGroup(group)
                .setValues(list)
                .build();
    }
}
