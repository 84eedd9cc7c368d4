package io.relustream.jobs;

import io.relustream.activation.VectorActivation;
import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.avro.ActivationVector;
import io.relustream.avro.DeadLetter;
import io.relustream.formats.SourcedFeatureVector;
import io.relustream.jobs.options.JobOptions;
import io.relustream.stats.ActivationSample;
import io.relustream.stats.ActivationStatsAggregate;
import io.relustream.stats.ActivationStatsWindowFunction;
import io.relustream.stats.DeadFeatureDetector;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * The activation statistics pipeline, built from an injected source and injected sinks so that
 * tests run exactly the pipeline that {@link ActivationStatsJob#main} wires to Kafka.
 *
 * <pre>
 * features -&gt; decode (bad bytes -&gt; dead letters) -&gt; event time + watermarks per partition
 *   -&gt; activate (invalid records -&gt; dead letters)          -&gt; activations
 *   -&gt; keyBy(group) -&gt; watermark restored from a checkpoint
 *        -&gt; event-time window -&gt; aggregate                 -&gt; stats
 *        records late for any of their windows               -&gt; late
 *   stats -&gt; keyBy(group) -&gt; dead-feature detector           -&gt; alerts
 * </pre>
 *
 * <pre>{@code
 * ActivationStatsPipeline.build(env, options, kafkaSource, outputs);
 * env.execute("relu-stream activation statistics");
 * }</pre>
 */
public final class ActivationStatsPipeline {

    private static final OutputTag<ActivationSample> LATE =
            new OutputTag<>("late-samples", TypeInformation.of(ActivationSample.class));

    private ActivationStatsPipeline() {}

    /** Where the pipeline's five outputs go. */
    public static final class Outputs {
        final Sink<ActivationVector> activations;
        final Sink<ActivationStats> stats;
        final Sink<ActivationAlert> alerts;
        final Sink<DeadLetter> deadLetters;
        final Sink<ActivationVector> late;

        /**
         * @param activations every activated record
         * @param stats one record per group and window
         * @param alerts dead-feature, recovered and sparsity alerts
         * @param deadLetters every input that could not be decoded or activated
         * @param late activations of records that arrived after one of their windows closed for
         *     good (beyond the allowed lateness)
         */
        public Outputs(
                Sink<ActivationVector> activations,
                Sink<ActivationStats> stats,
                Sink<ActivationAlert> alerts,
                Sink<DeadLetter> deadLetters,
                Sink<ActivationVector> late) {
            this.activations = Objects.requireNonNull(activations, "activations");
            this.stats = Objects.requireNonNull(stats, "stats");
            this.alerts = Objects.requireNonNull(alerts, "alerts");
            this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
            this.late = Objects.requireNonNull(late, "late");
        }
    }

    /**
     * Functions applied to the streams between stages: identity in the job; tests use them to
     * inject failures at known points, users to observe or enrich a stage.
     */
    public static final class StageTaps implements Serializable {
        private static final long serialVersionUID = 1L;

        final SerializableFunction<
                        DataStream<SourcedFeatureVector>, DataStream<SourcedFeatureVector>>
                afterSource;
        final SerializableFunction<DataStream<ActivationStats>, DataStream<ActivationStats>>
                afterStatistics;

        /**
         * @param afterSource applied to the decoded records before activation
         * @param afterStatistics applied to the window statistics before they are written
         */
        public StageTaps(
                SerializableFunction<
                                DataStream<SourcedFeatureVector>, DataStream<SourcedFeatureVector>>
                        afterSource,
                SerializableFunction<DataStream<ActivationStats>, DataStream<ActivationStats>>
                        afterStatistics) {
            this.afterSource = Objects.requireNonNull(afterSource, "afterSource");
            this.afterStatistics = Objects.requireNonNull(afterStatistics, "afterStatistics");
        }

        /** No taps. */
        public static StageTaps none() {
            return new StageTaps(stream -> stream, stream -> stream);
        }
    }

    /** Adds the pipeline to {@code env}, reading {@code source} and writing {@code outputs}. */
    public static void build(
            StreamExecutionEnvironment env,
            JobOptions options,
            Source<SourcedFeatureVector, ?, ?> source,
            Outputs outputs) {
        build(env, options, source, outputs, StageTaps.none());
    }

    /** {@link #build(StreamExecutionEnvironment, JobOptions, Source, Outputs)} with taps. */
    public static void build(
            StreamExecutionEnvironment env,
            JobOptions options,
            Source<SourcedFeatureVector, ?, ?> source,
            Outputs outputs,
            StageTaps taps) {
        VectorActivation activation = options.activation();
        String spec = activation.spec();

        // Timestamps and watermarks per Kafka partition, inside the source. Records that did not
        // decode have no event time: they neither move the watermark nor keep a partition that
        // carries nothing else from becoming idle.
        Duration outOfOrderness = options.outOfOrderness();
        WatermarkStrategy<SourcedFeatureVector> bounded =
                options.watermarkInterval().isZero()
                        ? WatermarkStrategy.forGenerator(
                                context -> new EveryRecordWatermarks<>(outOfOrderness))
                        : WatermarkStrategy.forBoundedOutOfOrderness(outOfOrderness);
        WatermarkStrategy<SourcedFeatureVector> idleAware =
                bounded.withIdleness(options.idleness());
        WatermarkStrategy<SourcedFeatureVector> watermarks =
                WatermarkStrategy.<SourcedFeatureVector>forGenerator(
                                context ->
                                        new DecodedRecordsOnly(
                                                idleAware.createWatermarkGenerator(context)))
                        .withTimestampAssigner(
                                (record, kafkaTimestamp) ->
                                        record.vector == null
                                                ? Long.MIN_VALUE
                                                : record.vector.getEventTime().toEpochMilli());
        DataStream<SourcedFeatureVector> features =
                taps.afterSource.apply(
                        env.fromSource(source, watermarks, "features").uid("features-source"));

        SingleOutputStreamOperator<ActivationVector> activations =
                features.process(
                                new SourcedActivationFunction(
                                        activation,
                                        options.invalidValues(),
                                        options.derivatives(),
                                        options.groupMetricsLimit(),
                                        options.maxRequestSize()))
                        .name("activate " + spec)
                        .uid("activate");
        activations.sinkTo(outputs.activations).name("activations").uid("activations-sink");
        activations
                .getSideOutput(SourcedActivationFunction.DEAD_LETTERS)
                .sinkTo(outputs.deadLetters)
                .name("dead letters")
                .uid("dead-letters-sink");

        WindowAssigner<Object, TimeWindow> assigner =
                windowAssigner(options.window(), options.slide().orElse(null));
        KeyedStream<ActivationSample, String> keyedSamples =
                activations
                        .getSideOutput(SourcedActivationFunction.SAMPLES)
                        .keyBy(sample -> sample.group, Types.STRING);
        // Chained to the window: after a restore, event time starts where the checkpoint left it,
        // not at the beginning of time (records already too late stay late).
        KeyedStream<ActivationSample, String> samples =
                DataStreamUtils.reinterpretAsKeyedStream(
                        keyedSamples
                                .transform(
                                        "restored watermark",
                                        TypeInformation.of(ActivationSample.class),
                                        new RestoredWatermark<ActivationSample>())
                                .uid("restored-watermark"),
                        sample -> sample.group,
                        Types.STRING);
        // The window operator sends a record to its late output only when all of its windows are
        // late. A sliding window record may miss some: they go to the late path from a stage
        // chained before the window (same keys, same watermarks, no second shuffle). A tumbling
        // window record has one window, late or not, so tumbling windows need no such stage.
        SingleOutputStreamOperator<ActivationSample> partlyLate = null;
        if (options.slide().isPresent()) {
            partlyLate =
                    samples.process(
                                    new PartlyLateSampleFunction(
                                            assigner, options.allowedLateness()),
                                    TypeInformation.of(ActivationSample.class))
                            .name("partly late records")
                            .uid("partly-late-records");
            samples =
                    DataStreamUtils.reinterpretAsKeyedStream(
                            partlyLate, sample -> sample.group, Types.STRING);
        }
        WindowedStream<ActivationSample, String, TimeWindow> windows =
                samples.window(assigner)
                        .allowedLateness(options.allowedLateness())
                        .sideOutputLateData(LATE);
        SingleOutputStreamOperator<ActivationStats> stats =
                windows.aggregate(
                                new ActivationStatsAggregate(),
                                new ActivationStatsWindowFunction(spec, options.deadThreshold()))
                        .name("window statistics")
                        .uid(
                                windowStatisticsUid(
                                        options.window(), options.slide().orElse(null), spec));
        DataStream<ActivationStats> tappedStats = taps.afterStatistics.apply(stats);
        tappedStats.sinkTo(outputs.stats).name("statistics").uid("statistics-sink");

        DataStream<ActivationSample> late = stats.getSideOutput(LATE);
        if (partlyLate != null) {
            late = late.union(partlyLate.getSideOutput(PartlyLateSampleFunction.PARTLY_LATE));
        }
        late.process(new LateSampleFunction(spec, options.groupMetricsLimit()))
                .name("late records")
                .uid("late-records")
                .sinkTo(outputs.late)
                .name("late")
                .uid("late-sink");

        tappedStats
                .keyBy(ActivationStats::getGroup, Types.STRING)
                .process(
                        new DeadFeatureDetector(
                                options.deadWindows(),
                                options.deadThreshold(),
                                options.sparsityLimit().orElse(null),
                                spec,
                                options.groupMetricsLimit(),
                                options.slide().orElse(options.window()).toMillis(),
                                options.allowedLateness().toMillis()))
                .name("dead-feature detector")
                .uid("dead-feature-detector")
                .sinkTo(outputs.alerts)
                .name("alerts")
                .uid("alerts-sink");
    }

    /**
     * The uid of the window operator, naming its windows and the activation they accumulate. Its
     * state holds the open windows with their timers: restored into other windows, they would close
     * beside the new ones (two windows of a group ending at once, one of them partly filled);
     * restored under another activation, a window would mix the outputs of both and be reported as
     * the new one. With another uid, Flink refuses such a savepoint at start, unless told to drop
     * state it cannot map (then the open windows of the old definition are dropped, nothing else).
     * Durations in milliseconds, which do not change with the way a duration is written; the
     * activation by its canonical spec.
     */
    static String windowStatisticsUid(Duration window, Duration slide, String activationSpec) {
        String windows =
                slide == null
                        ? "tumbling-" + window.toMillis() + "ms"
                        : "sliding-" + window.toMillis() + "ms-" + slide.toMillis() + "ms";
        return "window-statistics-" + windows + "-" + activationSpec;
    }

    /** Tumbling windows, or sliding ones when a slide is given; aligned to the epoch. */
    static WindowAssigner<Object, TimeWindow> windowAssigner(Duration window, Duration slide) {
        return slide == null
                ? TumblingEventTimeWindows.of(window)
                : SlidingEventTimeWindows.of(window, slide);
    }
}
