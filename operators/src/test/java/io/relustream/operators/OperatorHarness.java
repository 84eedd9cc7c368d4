package io.relustream.operators;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Flink's operator test harness around a process function, with its counters readable. */
final class OperatorHarness<IN, OUT> implements AutoCloseable {

    private final List<String> addedGroups = new ArrayList<>();
    private final InterceptingOperatorMetricGroup metrics =
            new InterceptingOperatorMetricGroup() {
                @Override
                public MetricGroup addGroup(String key, String value) {
                    addedGroups.add(key + "=" + value);
                    return super.addGroup(key, value);
                }
            };
    final OneInputStreamOperatorTestHarness<IN, OUT> harness;

    /** Opens the harness; the function declares its output type, so no Kryo is involved. */
    <F extends ProcessFunction<IN, OUT> & ResultTypeQueryable<OUT>> OperatorHarness(
            F function, TypeSerializer<IN> inputSerializer) throws Exception {
        MockEnvironment environment =
                new MockEnvironmentBuilder()
                        .setMetricGroup(
                                new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                                    @Override
                                    public InternalOperatorMetricGroup getOrAddOperator(
                                            OperatorID operatorId,
                                            String name,
                                            Map<String, String> additionalVariables) {
                                        return metrics;
                                    }
                                })
                        .build();
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(function), inputSerializer, environment);
        harness.setup(function.getProducedType().createSerializer(new SerializerConfigImpl()));
        harness.open();
    }

    long counter(String name) {
        Counter counter = (Counter) metrics.get(name);
        if (counter == null) {
            throw new AssertionError("No counter named " + name);
        }
        return counter.getCount();
    }

    /** The key-value metric groups the operator added to its own, as {@code key=value}. */
    List<String> addedGroups() {
        return addedGroups;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
