package io.relustream.jobs.sql;

import io.relustream.jobs.RestoredSplitBounds;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicSource;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.connector.source.abilities.SupportsWatermarkPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.module.Module;
import org.apache.flink.table.types.DataType;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Makes the script's Kafka table source ({@code 'connector' = 'kafka'}) with {@link
 * RestoredSplitBounds} around Flink's Kafka source, as the activation job reads its input: a run
 * restored with another {@code --input-topic} drops the restored partitions of the old topic, which
 * Flink's source would read on beside the new one for ever, and reads the new one from its earliest
 * offsets; {@code --bounded} or not holds for restored partitions too. A table source offers no
 * hook for its source, but a module may make the sources of every table (Flink asks the table's
 * catalog first, then the loaded modules, then the connectors; the in-memory catalog of the
 * script's tables makes none): this one has Flink's factory of the table's connector make the
 * source, and wraps the Kafka source that it builds. The script stays the same, and so do the job's
 * operators and their state: a savepoint of a run before keeps its offsets.
 *
 * <pre>{@code
 * tableEnv.loadModule(RestoredKafkaSourceModule.NAME,
 *         new RestoredKafkaSourceModule("features", consumerProperties));
 * }</pre>
 */
final class RestoredKafkaSourceModule implements Module {

    /** The name the SQL job loads it under. */
    static final String NAME = "relu-stream-kafka-source";

    private final String topic;
    private final Properties consumerProperties;

    /**
     * @param topic the one topic the job's Kafka table reads, {@code --input-topic}
     * @param consumerProperties as {@link RestoredSplitBounds} takes them
     */
    RestoredKafkaSourceModule(String topic, Properties consumerProperties) {
        this.topic = topic;
        this.consumerProperties = consumerProperties;
    }

    @Override
    public Optional<DynamicTableSourceFactory> getTableSourceFactory() {
        return Optional.of(new Factory(topic, consumerProperties));
    }

    /** The connector's own factory, its Kafka source wrapped. */
    private static final class Factory implements DynamicTableSourceFactory {
        private final String topic;
        private final Properties consumerProperties;

        Factory(String topic, Properties consumerProperties) {
            this.topic = topic;
            this.consumerProperties = consumerProperties;
        }

        @Override
        public DynamicTableSource createDynamicTableSource(Context context) {
            Map<String, String> options = context.getCatalogTable().getOptions();
            String connector = options.get(FactoryUtil.CONNECTOR.key());
            if (connector == null) {
                // What Flink says when it looks for a connector itself.
                throw new ValidationException(
                        "Table options do not contain an option key 'connector' for table "
                                + context.getObjectIdentifier().asSummaryString());
            }
            DynamicTableSource source =
                    FactoryUtil.discoverFactory(
                                    context.getClassLoader(),
                                    DynamicTableSourceFactory.class,
                                    connector)
                            .createDynamicTableSource(context);
            if (!(source instanceof KafkaDynamicSource)) {
                return source;
            }
            // RestoredSplitBounds keeps the partitions of its one topic only: given a table of
            // another, the job would read nothing of it.
            if (!topic.equals(options.get("topic"))) {
                throw new IllegalStateException(
                        "The Kafka table "
                                + context.getObjectIdentifier().asSummaryString()
                                + " reads 'topic' = '"
                                + options.get("topic")
                                + "', not --input-topic '"
                                + topic
                                + "', the one topic the job's Kafka source reads");
            }
            return new Source((KafkaDynamicSource) source, topic, consumerProperties);
        }

        @Override
        public String factoryIdentifier() {
            return NAME;
        }

        @Override
        public Set<ConfigOption<?>> requiredOptions() {
            return Set.of();
        }

        @Override
        public Set<ConfigOption<?>> optionalOptions() {
            return Set.of();
        }
    }

    /**
     * Flink's Kafka table source, whose Kafka source reads through {@link RestoredSplitBounds}. It
     * has the abilities of Flink's, no more: the planner pushes the same metadata and watermarks
     * into it.
     */
    private static final class Source
            implements ScanTableSource, SupportsReadingMetadata, SupportsWatermarkPushDown {
        private final KafkaDynamicSource source;
        private final String topic;
        private final Properties consumerProperties;

        Source(KafkaDynamicSource source, String topic, Properties consumerProperties) {
            this.source = source;
            this.topic = topic;
            this.consumerProperties = consumerProperties;
        }

        @Override
        public ChangelogMode getChangelogMode() {
            return source.getChangelogMode();
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
            ScanRuntimeProvider provider = source.getScanRuntimeProvider(context);
            if (!(provider instanceof DataStreamScanProvider)) {
                throw new IllegalStateException(
                        "Flink's Kafka table source gave a "
                                + provider.getClass().getName()
                                + ", not the DataStreamScanProvider of its Kafka source");
            }
            return new Provider((DataStreamScanProvider) provider, topic, consumerProperties);
        }

        @Override
        public Map<String, DataType> listReadableMetadata() {
            return source.listReadableMetadata();
        }

        @Override
        public void applyReadableMetadata(List<String> metadataKeys, DataType producedDataType) {
            source.applyReadableMetadata(metadataKeys, producedDataType);
        }

        @Override
        public boolean supportsMetadataProjection() {
            return source.supportsMetadataProjection();
        }

        @Override
        public void applyWatermark(WatermarkStrategy<RowData> watermarkStrategy) {
            source.applyWatermark(watermarkStrategy);
        }

        @Override
        public DynamicTableSource copy() {
            return new Source((KafkaDynamicSource) source.copy(), topic, consumerProperties);
        }

        @Override
        public String asSummaryString() {
            return source.asSummaryString();
        }

        // The planner reads one table once for both INSERTs when its scans are equal.
        @Override
        public boolean equals(Object other) {
            return other instanceof Source
                    && source.equals(((Source) other).source)
                    && topic.equals(((Source) other).topic)
                    && consumerProperties.equals(((Source) other).consumerProperties);
        }

        @Override
        public int hashCode() {
            return Objects.hash(source, topic, consumerProperties);
        }
    }

    /**
     * Flink's provider, whose Kafka source is read through {@link RestoredSplitBounds} under the
     * same name and uid, with the same watermarks.
     */
    private static final class Provider implements DataStreamScanProvider {
        private final DataStreamScanProvider provider;
        private final String topic;
        private final Properties consumerProperties;

        Provider(DataStreamScanProvider provider, String topic, Properties consumerProperties) {
            this.provider = provider;
            this.topic = topic;
            this.consumerProperties = consumerProperties;
        }

        @Override
        @SuppressWarnings("unchecked")
        public DataStream<RowData> produceDataStream(
                ProviderContext providerContext, StreamExecutionEnvironment execEnv) {
            // Flink's stream, which is not in the job until the planner takes it: only its source
            // is read, not run.
            Transformation<RowData> flinks =
                    provider.produceDataStream(providerContext, execEnv).getTransformation();
            if (!(flinks instanceof SourceTransformation
                    && ((SourceTransformation<?, ?, ?>) flinks).getSource()
                            instanceof KafkaSource)) {
                throw new IllegalStateException(
                        "Flink's Kafka table source gave a "
                                + flinks.getClass().getName()
                                + ", not the source transformation of a KafkaSource");
            }
            SourceTransformation<RowData, ?, ?> kafka =
                    (SourceTransformation<RowData, ?, ?>) flinks;
            DataStreamSource<RowData> stream =
                    execEnv.fromSource(
                            new RestoredSplitBounds<>(
                                    (KafkaSource<RowData>) kafka.getSource(),
                                    topic,
                                    consumerProperties),
                            kafka.getWatermarkStrategy(),
                            kafka.getName());
            if (kafka.getUid() != null) {
                stream.uid(kafka.getUid());
            }
            return stream;
        }

        @Override
        public boolean isBounded() {
            return provider.isBounded();
        }

        @Override
        public Optional<Integer> getParallelism() {
            return provider.getParallelism();
        }
    }
}
