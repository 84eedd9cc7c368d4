package io.relustream.jobs;

import io.relustream.avro.ActivationVector;
import io.relustream.operators.GroupMetrics;
import io.relustream.stats.ActivationSample;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Records that arrived after at least one of their windows closed (beyond the allowed lateness):
 * counted in the {@code lateRecords} metric and written out as their activations, once each, so
 * they are never silently dropped. With tumbling windows that is the record's only window; with
 * sliding windows the record may still count in its later windows that are open (see {@link
 * PartlyLateSampleFunction}), and only the closed ones miss it. Their activations already went to
 * the activations topic. Without derivatives: the samples the windows get carry no inputs to
 * compute them from, and the activations topic has them.
 */
final class LateSampleFunction extends ProcessFunction<ActivationSample, ActivationVector>
        implements ResultTypeQueryable<ActivationVector> {

    private static final long serialVersionUID = 1L;

    private final String activationSpec;
    private final int groupMetricsLimit;
    private transient Counter lateRecords;
    private transient GroupMetrics<Counter> lateRecordsOfGroup;

    LateSampleFunction(String activationSpec, int groupMetricsLimit) {
        this.activationSpec = activationSpec;
        this.groupMetricsLimit = groupMetricsLimit;
    }

    @Override
    public void open(OpenContext openContext) {
        lateRecords = getRuntimeContext().getMetricGroup().counter("lateRecords");
        lateRecordsOfGroup =
                new GroupMetrics<>(
                        getRuntimeContext().getMetricGroup(),
                        groupMetricsLimit,
                        group -> group.counter("lateRecords"));
    }

    @Override
    public void processElement(
            ActivationSample sample, Context context, Collector<ActivationVector> out) {
        lateRecords.inc();
        lateRecordsOfGroup.of(sample.group).inc();
        out.collect(
                ActivationVector.newBuilder()
                        .setId(sample.id)
                        .setEventTime(Instant.ofEpochMilli(sample.eventTime))
                        .setGroup(sample.group)
                        .setActivation(activationSpec)
                        .setActivations(
                                Arrays.stream(sample.activations)
                                        .boxed()
                                        .collect(Collectors.toList()))
                        .setDerivatives(null)
                        .build());
    }

    @Override
    public TypeInformation<ActivationVector> getProducedType() {
        return new AvroTypeInfo<>(ActivationVector.class);
    }
}
