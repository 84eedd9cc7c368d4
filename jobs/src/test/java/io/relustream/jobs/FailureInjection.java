package io.relustream.jobs;

import io.relustream.avro.ActivationStats;
import io.relustream.formats.SourcedFeatureVector;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Task failures at chosen points of a job run, through the pipeline's stage taps. Which failure
 * comes next is kept in static counters, so it survives the restarts it causes (the MiniCluster
 * runs in this JVM). One run at a time.
 */
final class FailureInjection {

    /** Failures thrown so far in this run. */
    static final AtomicInteger FAILURES = new AtomicInteger();

    /** Records that passed the source tap, all attempts together. */
    static final AtomicLong RECORDS_SEEN = new AtomicLong();

    private static volatile int failAtRecord;
    private static volatile long slowdownMicros;

    private FailureInjection() {}

    /**
     * Resets the counters for a run that fails three times: at record {@code failAtRecord} of the
     * first attempt (between checkpoints), at the first record after the next completed checkpoint
     * (right after a checkpoint), and at the third window result after that (during a window
     * firing).
     */
    static void plan(int failAtRecord, long slowdownMicros) {
        FAILURES.set(0);
        RECORDS_SEEN.set(0);
        FailureInjection.failAtRecord = failAtRecord;
        FailureInjection.slowdownMicros = slowdownMicros;
    }

    /** No failures; only the slowdown. */
    static void slowOnly(long slowdownMicros) {
        plan(Integer.MAX_VALUE, slowdownMicros);
        FAILURES.set(3);
    }

    static ActivationStatsPipeline.StageTaps taps() {
        return new ActivationStatsPipeline.StageTaps(
                stream ->
                        stream.map(new AfterSource())
                                .returns(TypeInformation.of(SourcedFeatureVector.class))
                                .name("failure injection (records)"),
                stream ->
                        stream.map(new AfterStatistics())
                                .returns(new AvroTypeInfo<>(ActivationStats.class))
                                .name("failure injection (window results)"));
    }

    /** Failures 1 and 2, and a slowdown so that checkpoints fall between records. */
    static final class AfterSource
            extends RichMapFunction<SourcedFeatureVector, SourcedFeatureVector>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;

        private transient long recordsInAttempt;
        private transient boolean checkpointCompleted;

        @Override
        public SourcedFeatureVector map(SourcedFeatureVector record) throws Exception {
            recordsInAttempt++;
            RECORDS_SEEN.incrementAndGet();
            if (slowdownMicros > 0) {
                Thread.sleep(slowdownMicros / 1000, (int) (slowdownMicros % 1000) * 1000);
            }
            if (FAILURES.get() == 0 && recordsInAttempt == failAtRecord) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("Injected failure 1: between checkpoints");
            }
            if (FAILURES.get() == 1 && checkpointCompleted) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("Injected failure 2: right after a checkpoint");
            }
            return record;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointCompleted = true;
        }
    }

    /** Failure 3, while windows fire. */
    static final class AfterStatistics extends RichMapFunction<ActivationStats, ActivationStats> {
        private static final long serialVersionUID = 1L;

        private transient int resultsInAttempt;

        @Override
        public ActivationStats map(ActivationStats stats) {
            resultsInAttempt++;
            if (FAILURES.get() == 2 && resultsInAttempt == 3) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("Injected failure 3: during a window firing");
            }
            return stats;
        }
    }
}
