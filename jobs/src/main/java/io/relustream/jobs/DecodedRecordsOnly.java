package io.relustream.jobs;

import io.relustream.formats.SourcedFeatureVector;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Shows the watermark generator of a Kafka partition only the records that decoded. A dead letter
 * has no event time, and if it counted as activity, a partition that carries nothing but bad bytes
 * (or impossible event times) would never become idle: its watermark would stay at the start of
 * time and hold back every window of the job.
 */
final class DecodedRecordsOnly implements WatermarkGenerator<SourcedFeatureVector> {

    private final WatermarkGenerator<SourcedFeatureVector> generator;

    DecodedRecordsOnly(WatermarkGenerator<SourcedFeatureVector> generator) {
        this.generator = generator;
    }

    @Override
    public void onEvent(SourcedFeatureVector record, long eventTimestamp, WatermarkOutput output) {
        if (record.vector != null) {
            generator.onEvent(record, eventTimestamp, output);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        generator.onPeriodicEmit(output);
    }
}
