package io.relustream.jobs;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.SplitAndAssignmentStatus;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Kafka source with {@code --bounded} applied to a restored run too. A reader restored from a
 * checkpoint or savepoint gets its partitions as that run left them, with that run's end: restored
 * from an unbounded run, a {@code --bounded} job would read on for ever and never close its last
 * windows; restored from a bounded run, an unbounded job would stop at the old end. So a partition
 * without an end gets the latest offset when {@code --bounded}, and a partition with one loses it
 * without {@code --bounded}. The latest offset is asked for when the reader takes the partition, at
 * the start of the run, and written into the split as a number, as Kafka's enumerator does for the
 * partitions of a bounded run it starts: the run's checkpoints keep that end, so a failover after
 * one stops where the run would have, not at the offsets that are the latest by then (a failover
 * before the first checkpoint starts the run over, Kafka's own bounded runs alike). An end a
 * bounded run gave its partitions itself is kept. A start beyond the end is reset as Kafka's
 * consumer resets an offset out of range (see {@link #resetOutOfRange}). A partition a reader has
 * read to its end stays in its checkpoints, starting at that end (Kafka's reader drops it, and a
 * run restored without {@code --bounded} would never read it again; see {@link #withEnded}). And a
 * restored bounded enumerator tells its readers that no more partitions come, which Kafka's does
 * not (see {@link BoundedEnumerator}). A restored partition of a topic the run does not read (the
 * savepoint's run read another {@code --input-topic}) is dropped: Kafka's reader never gives one
 * up, and would go on reading the old topic beside the new one (see {@link #ofTopic}); its
 * watermark output is released, so that it holds no window back.
 *
 * <pre>{@code
 * Source<T, KafkaPartitionSplit, KafkaSourceEnumState> source =
 *         new RestoredSplitBounds<>(kafkaSource, "features", consumerProperties);
 * }</pre>
 */
public final class RestoredSplitBounds<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>,
                ResultTypeQueryable<T>,
                LineageVertexProvider {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(RestoredSplitBounds.class);

    private final KafkaSource<T> source;
    private final String topic;
    private final Properties consumerProperties;

    /**
     * @param topic the one topic {@code source} reads
     * @param consumerProperties what a consumer of the source's partitions needs (bootstrap
     *     servers, security, group id), to ask for their latest and committed offsets; and the
     *     {@code auto.offset.reset} of the source's consumer, to reset a start beyond the end as it
     *     would
     */
    public RestoredSplitBounds(KafkaSource<T> source, String topic, Properties consumerProperties) {
        this.source = source;
        this.topic = topic;
        this.consumerProperties = consumerProperties;
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return source.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState restored)
            throws Exception {
        KafkaSourceEnumState state = ofTopic(restored, topic);
        if (source.getBoundedness() != Boundedness.BOUNDED) {
            return source.restoreEnumerator(context, state);
        }
        DiscoveryWatch watch = new DiscoveryWatch(context);
        return new BoundedEnumerator(source.restoreEnumerator(watch, state), watch);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context)
            throws Exception {
        return new Reader<>(
                source.createReader(context),
                topic,
                source.getBoundedness() == Boundedness.BOUNDED,
                this::latestOffsets,
                this::committedOffsets,
                !"latest"
                        .equalsIgnoreCase(
                                consumerProperties.getProperty(
                                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)));
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return source.getProducedType();
    }

    @Override
    public LineageVertex getLineageVertex() {
        return source.getLineageVertex();
    }

    /** The offsets the consumer group has committed, of the partitions that have one. */
    private Map<TopicPartition, Long> committedOffsets(Collection<TopicPartition> partitions) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        consumerProperties,
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            consumer.committed(Set.copyOf(partitions))
                    .forEach(
                            (partition, offset) -> {
                                if (offset != null) {
                                    offsets.put(partition, offset.offset());
                                }
                            });
            return offsets;
        }
    }

    /**
     * The offsets after the last record of each partition now, records of open transactions
     * included, as Kafka's enumerator ends a bounded run it starts: a {@code read_committed}
     * consumer's end would stop before a transaction open now, and miss its records once it
     * commits.
     */
    private Map<TopicPartition, Long> latestOffsets(Collection<TopicPartition> partitions) {
        Properties properties = new Properties();
        properties.putAll(consumerProperties);
        properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return consumer.endOffsets(partitions);
        }
    }

    /**
     * {@code splits} with the ends this run's bound says; an end "the latest offset" as the number
     * {@code latestOffsets} gives, which a checkpoint keeps.
     */
    static List<KafkaPartitionSplit> bounded(
            List<KafkaPartitionSplit> splits,
            boolean bounded,
            Function<Collection<TopicPartition>, Map<TopicPartition, Long>> latestOffsets) {
        List<KafkaPartitionSplit> withBounds =
                splits.stream().map(split -> bounded(split, bounded)).collect(Collectors.toList());
        List<TopicPartition> toLatest =
                withBounds.stream()
                        .filter(RestoredSplitBounds::endsAtTheLatestOffset)
                        .map(KafkaPartitionSplit::getTopicPartition)
                        .collect(Collectors.toList());
        if (toLatest.isEmpty()) {
            return withBounds;
        }
        Map<TopicPartition, Long> latest = latestOffsets.apply(toLatest);
        return withBounds.stream()
                .map(
                        split ->
                                endsAtTheLatestOffset(split)
                                        ? new KafkaPartitionSplit(
                                                split.getTopicPartition(),
                                                split.getStartingOffset(),
                                                latest.get(split.getTopicPartition()))
                                        : split)
                .collect(Collectors.toList());
    }

    private static boolean endsAtTheLatestOffset(KafkaPartitionSplit split) {
        return split.getStoppingOffset().orElse(KafkaPartitionSplit.NO_STOPPING_OFFSET)
                == KafkaPartitionSplit.LATEST_OFFSET;
    }

    /** With the end of {@code split} as this run's bound says. */
    static KafkaPartitionSplit bounded(KafkaPartitionSplit split, boolean bounded) {
        boolean hasEnd = split.getStoppingOffset().isPresent();
        if (bounded == hasEnd) {
            return split;
        }
        return new KafkaPartitionSplit(
                split.getTopicPartition(),
                split.getStartingOffset(),
                bounded
                        ? KafkaPartitionSplit.LATEST_OFFSET
                        : KafkaPartitionSplit.NO_STOPPING_OFFSET);
    }

    /**
     * A restored bounded enumerator that tells its readers when there are no more partitions.
     * Kafka's enumerator does so only after a discovery that found partitions it had not assigned
     * (FLINK-33466, FLINK-31006): restored, it has them all, and its readers would wait for ever at
     * their end. Once its one discovery has ended without assigning anything, this one says it.
     */
    private static final class BoundedEnumerator
            implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
        private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator;
        private final DiscoveryWatch watch;

        BoundedEnumerator(
                SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator,
                DiscoveryWatch watch) {
            this.enumerator = enumerator;
            this.watch = watch;
        }

        @Override
        public void start() {
            enumerator.start();
        }

        @Override
        public void addReader(int subtaskId) {
            // After the splits the enumerator still holds for it: no more splits comes last.
            enumerator.addReader(subtaskId);
            if (watch.discoveryEnded) {
                watch.signalNoMoreSplits(subtaskId);
            }
        }

        @Override
        public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
            enumerator.handleSplitRequest(subtaskId, requesterHostname);
        }

        @Override
        public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
            enumerator.addSplitsBack(splits, subtaskId);
        }

        @Override
        public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
            return enumerator.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            enumerator.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
            enumerator.handleSourceEvent(subtaskId, sourceEvent);
        }

        @Override
        public void close() throws IOException {
            enumerator.close();
        }
    }

    /**
     * The enumerator's context, watching its one-time discovery: the discovery ends in a callback
     * that starts no further asynchronous call (a discovery that found new partitions starts one to
     * make their splits, and Kafka's enumerator then says no more splits itself). Everything runs
     * in the coordinator thread.
     */
    private static final class DiscoveryWatch
            implements SplitEnumeratorContext<KafkaPartitionSplit> {
        private final SplitEnumeratorContext<KafkaPartitionSplit> context;
        private long asyncCalls;
        boolean discoveryEnded;

        DiscoveryWatch(SplitEnumeratorContext<KafkaPartitionSplit> context) {
            this.context = context;
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            asyncCalls++;
            context.callAsync(
                    callable,
                    (result, error) -> {
                        long before = asyncCalls;
                        handler.accept(result, error);
                        if (asyncCalls == before && !discoveryEnded) {
                            discoveryEnded = true;
                            context.registeredReaders().keySet().forEach(this::signalNoMoreSplits);
                        }
                    });
        }

        @Override
        public <T> void callAsync(
                Callable<T> callable,
                BiConsumer<T, Throwable> handler,
                long initialDelayMillis,
                long periodMillis) {
            // Periodic discovery: new partitions may come at any time, the source never ends.
            context.callAsync(callable, handler, initialDelayMillis, periodMillis);
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return context.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, event);
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, attemptNumber, event);
        }

        @Override
        public int currentParallelism() {
            return context.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return context.registeredReaders();
        }

        @Override
        public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
            return context.registeredReadersOfAttempts();
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> newSplitAssignments) {
            context.assignSplits(newSplitAssignments);
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            context.runInCoordinatorThread(runnable);
        }

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            context.setIsProcessingBacklog(isProcessingBacklog);
        }
    }

    /**
     * {@code splits}, each that starts beyond its end starting at the earliest offset instead when
     * {@code toEarliest}. Such a start is out of range: beyond the end the partition had when the
     * run started (a committed offset of a topic deleted and created again, say). Kafka's reader
     * would take it as the partition's end, and read nothing, where an unbounded run's consumer
     * resets it ({@code auto.offset.reset}, earliest unless the run starts at the latest offsets).
     *
     * @param committedOffsets the group's offsets of the partitions that start at them (none for a
     *     partition without one)
     */
    static List<KafkaPartitionSplit> resetOutOfRange(
            List<KafkaPartitionSplit> splits,
            boolean toEarliest,
            Function<Collection<TopicPartition>, Map<TopicPartition, Long>> committedOffsets) {
        if (!toEarliest) {
            // Reset to the latest offset, the partition has nothing to read up to its end.
            return splits;
        }
        List<TopicPartition> atCommitted =
                splits.stream()
                        .filter(split -> split.getStoppingOffset().orElse(-1L) >= 0)
                        .filter(
                                split ->
                                        split.getStartingOffset()
                                                == KafkaPartitionSplit.COMMITTED_OFFSET)
                        .map(KafkaPartitionSplit::getTopicPartition)
                        .collect(Collectors.toList());
        Map<TopicPartition, Long> committed =
                atCommitted.isEmpty() ? Map.of() : committedOffsets.apply(atCommitted);
        return splits.stream()
                .map(
                        split -> {
                            long end = split.getStoppingOffset().orElse(-1L);
                            long start =
                                    split.getStartingOffset()
                                                    == KafkaPartitionSplit.COMMITTED_OFFSET
                                            ? committed.getOrDefault(split.getTopicPartition(), -1L)
                                            : split.getStartingOffset();
                            return end >= 0 && start > end
                                    ? new KafkaPartitionSplit(
                                            split.getTopicPartition(),
                                            KafkaPartitionSplit.EARLIEST_OFFSET,
                                            end)
                                    : split;
                        })
                .collect(Collectors.toList());
    }

    /**
     * {@code reported}, the splits a reader still has, and each of {@code ended} it no longer has,
     * as a split that starts at its end: the reader has read it to its end. Kafka's reader drops a
     * split it has finished from its checkpoints, and its enumerator never hands that partition out
     * again; kept, the partition reads on from its end when the run is restored without {@code
     * --bounded}, and stays finished when restored with it.
     */
    static List<KafkaPartitionSplit> withEnded(
            List<KafkaPartitionSplit> reported, Collection<KafkaPartitionSplit> ended) {
        Set<String> still =
                reported.stream().map(KafkaPartitionSplit::splitId).collect(Collectors.toSet());
        List<KafkaPartitionSplit> splits = new ArrayList<>(reported);
        for (KafkaPartitionSplit split : ended) {
            if (!still.contains(split.splitId())) {
                long end = split.getStoppingOffset().orElseThrow();
                splits.add(new KafkaPartitionSplit(split.getTopicPartition(), end, end));
            }
        }
        return splits;
    }

    /**
     * The splits of {@code splits} that are of {@code topic}. A checkpoint or savepoint hands a
     * reader back every partition it had, also of a topic the restored run no longer reads: Kafka's
     * reader would read it for ever beside the run's own (its enumerator only logs "Discovered
     * removed partitions"), and a job told to read one topic would activate and count the records
     * of two. The offsets of the other topic are not kept: a run restored with it again reads it
     * from its earliest offsets, as a topic new to the run (see {@link
     * #ofTopic(KafkaSourceEnumState, String)}).
     */
    static List<KafkaPartitionSplit> ofTopic(List<KafkaPartitionSplit> splits, String topic) {
        List<KafkaPartitionSplit> kept = new ArrayList<>(splits.size());
        for (KafkaPartitionSplit split : splits) {
            if (split.getTopic().equals(topic)) {
                kept.add(split);
            } else {
                LOG.warn(
                        "Not reading partition {} restored from a checkpoint or savepoint: the job"
                                + " reads --input-topic '{}' (it was restored from a run of"
                                + " another input topic)",
                        split.getTopicPartition(),
                        topic);
            }
        }
        return kept;
    }

    /**
     * {@code state} without the partitions of topics other than {@code topic}. Kafka's enumerator
     * keeps every partition it once assigned as assigned, also of a topic it no longer reads, and
     * never assigns one again: a run restored with the old topic once more (from a savepoint of a
     * run of the new one) would never read it. Forgotten here, such a partition is found again as a
     * new one, and read from its earliest offset.
     */
    static KafkaSourceEnumState ofTopic(KafkaSourceEnumState state, String topic) {
        Set<SplitAndAssignmentStatus> kept =
                state.splits().stream()
                        .filter(split -> split.split().getTopic().equals(topic))
                        .collect(Collectors.toSet());
        if (kept.size() == state.splits().size()) {
            return state;
        }
        return new KafkaSourceEnumState(kept, state.initialDiscoveryFinished());
    }

    /** The Kafka reader, given every split of its topic with this run's bound. */
    private static final class Reader<T> implements SourceReader<T, KafkaPartitionSplit> {
        private final SourceReader<T, KafkaPartitionSplit> reader;
        private final String topic;
        private final boolean bounded;
        private final Function<Collection<TopicPartition>, Map<TopicPartition, Long>> latestOffsets;
        private final Function<Collection<TopicPartition>, Map<TopicPartition, Long>>
                committedOffsets;
        private final boolean resetToEarliest;

        /** The splits given to the reader with an offset to end at, by split id. */
        private final Map<String, KafkaPartitionSplit> withEnds = new LinkedHashMap<>();

        /** The ids of the splits of other topics dropped since the last poll. */
        private final List<String> dropped = new ArrayList<>();

        Reader(
                SourceReader<T, KafkaPartitionSplit> reader,
                String topic,
                boolean bounded,
                Function<Collection<TopicPartition>, Map<TopicPartition, Long>> latestOffsets,
                Function<Collection<TopicPartition>, Map<TopicPartition, Long>> committedOffsets,
                boolean resetToEarliest) {
            this.reader = reader;
            this.topic = topic;
            this.bounded = bounded;
            this.latestOffsets = latestOffsets;
            this.committedOffsets = committedOffsets;
            this.resetToEarliest = resetToEarliest;
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            splits.stream()
                    .filter(split -> !split.getTopic().equals(topic))
                    .forEach(split -> dropped.add(split.splitId()));
            List<KafkaPartitionSplit> withBounds =
                    resetOutOfRange(
                            bounded(ofTopic(splits, topic), bounded, latestOffsets),
                            resetToEarliest,
                            committedOffsets);
            for (KafkaPartitionSplit split : withBounds) {
                if (split.getStoppingOffset().orElse(-1L) >= 0) {
                    withEnds.put(split.splitId(), split);
                }
            }
            reader.addSplits(withBounds);
        }

        @Override
        public void start() {
            reader.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            // Flink's source operator gives every split it hands a reader a watermark output of
            // its own, also a restored one the reader drops: never released, that output would
            // hold every window back until it is idle (--idleness).
            for (String splitId : dropped) {
                output.releaseOutputForSplit(splitId);
            }
            dropped.clear();
            return reader.pollNext(output);
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return withEnded(reader.snapshotState(checkpointId), withEnds.values());
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return reader.isAvailable();
        }

        @Override
        public void notifyNoMoreSplits() {
            reader.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent sourceEvent) {
            reader.handleSourceEvents(sourceEvent);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            reader.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            reader.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(
                Collection<String> splitsToPause, Collection<String> splitsToResume) {
            reader.pauseOrResumeSplits(splitsToPause, splitsToResume);
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }
}
