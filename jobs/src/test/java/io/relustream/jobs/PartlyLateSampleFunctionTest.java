package io.relustream.jobs;

import io.relustream.stats.ActivationSample;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class PartlyLateSampleFunctionTest {

    /** 10s windows sliding by 5s: a record at t is in [t - t % 5s - 5s, +10s) and the next. */
    private static KeyedOneInputStreamOperatorTestHarness<
                    String, ActivationSample, ActivationSample>
            harness(Duration allowedLateness) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new PartlyLateSampleFunction(
                        ActivationStatsPipeline.windowAssigner(
                                Duration.ofSeconds(10), Duration.ofSeconds(5)),
                        allowedLateness),
                sample -> sample.group,
                Types.STRING);
    }

    private static StreamRecord<ActivationSample> sample(String id, long eventTime) {
        return new StreamRecord<>(
                ActivationSample.of(id, eventTime, "g", new double[] {1}, new double[] {1}, 0),
                eventTime);
    }

    private static List<String> ids(List<ActivationSample> samples) {
        return samples.stream().map(sample -> sample.id).collect(Collectors.toList());
    }

    @Test
    void handsOnlyRecordsThatMissSomeButNotAllOfTheirWindowsToTheLatePath() throws Exception {
        try (var harness = harness(Duration.ZERO)) {
            // [5s, 15s) ends at 14999: late from watermark 14999 on; [10s, 20s) from 19999.
            harness.processWatermark(14_999);
            harness.processElement(sample("on-time", 15_000)); // [10s, 20s), [15s, 25s)
            harness.processElement(sample("partly", 12_001)); // [5s, 15s) late, [10s, 20s) not
            harness.processElement(sample("fully", 9_000)); // [0s, 10s), [5s, 15s): both late
            harness.processElement(sample("edge", 10_000)); // [5s, 15s) late, [10s, 20s) not

            // Every sample goes on to the window, which sends the fully late one to its own
            // late output.
            assertThat(ids(harness.extractOutputValues()))
                    .containsExactly("on-time", "partly", "fully", "edge");
            assertThat(harness.getSideOutput(PartlyLateSampleFunction.PARTLY_LATE))
                    .extracting(record -> record.getValue().id)
                    .containsExactly("partly", "edge");
        }
    }

    @Test
    void aWindowWithinTheAllowedLatenessIsNotLate() throws Exception {
        try (var harness = harness(Duration.ofSeconds(5))) {
            // [5s, 15s) takes records until the watermark reaches 14999 + 5000.
            harness.processWatermark(19_998);
            harness.processElement(sample("within", 12_001));
            harness.processWatermark(19_999);
            harness.processElement(sample("partly", 12_002));

            assertThat(ids(harness.extractOutputValues())).containsExactly("within", "partly");
            assertThat(harness.getSideOutput(PartlyLateSampleFunction.PARTLY_LATE))
                    .extracting(record -> record.getValue().id)
                    .containsExactly("partly");
        }
    }
}
