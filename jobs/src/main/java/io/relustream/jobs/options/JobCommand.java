package io.relustream.jobs.options;

import io.relustream.activation.VectorActivation;
import io.relustream.formats.WireFormat;
import io.relustream.operators.InvalidValuePolicy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The picocli model of the job's command line: one field per option, filled by {@code
 * CommandLine.parseArgs}; {@link JobOptions} copies it into its immutable form.
 *
 * <pre>{@code
 * JobCommand command = new JobCommand();
 * new CommandLine(command).parseArgs("--bootstrap-servers", "kafka:9092");
 * }</pre>
 *
 * <p>The defaults live here, in the annotations, so that the help shows exactly what the job uses.
 * {@code --kafka.<property>} options are not picocli options (picocli has no prefix options):
 * {@link JobOptions} takes them out of the arguments first.
 */
@Command(
        name = "activation-stats",
        customSynopsis = {
            "flink run relu-stream-jobs.jar --bootstrap-servers=<host:port>[,<host:port>...]",
            "           [OPTION...] [--kafka.<property>=<value>...]"
        },
        description = {
            "",
            "Reads FeatureVector records from Kafka, applies a ReLU-family activation and writes"
                    + " the activations, per-window activation statistics, dead-feature alerts,"
                    + " dead letters and late records back to Kafka.",
            ""
        },
        optionListHeading = "Options:%n",
        footerHeading = "%nKafka client properties:%n",
        // Laid out by hand like an option entry: picocli does not wrap footers with an indent.
        footer = {
            "      --kafka.<property>=<value>, --kafka.<property> <value>",
            "                             Passed to every Kafka client of the job, e.g.",
            "                               --kafka.security.protocol=SASL_SSL. Repeatable; each"
                    + " property",
            "                               at most once. The output producers default to"
                    + " batch.size=262144,",
            "                               and with exactly-once to transaction.timeout.ms=900000"
                    + " (15m).",
        },
        sortOptions = false,
        usageHelpAutoWidth = false,
        usageHelpWidth = 100)
final class JobCommand {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "<host:port>[,<host:port>...]",
            converter = OptionConverters.BootstrapServers.class,
            description = "Kafka brokers to connect to. Required.")
    String bootstrapServers;

    @Option(
            names = "--connect-timeout",
            defaultValue = "30s",
            paramLabel = "<duration>",
            converter = OptionConverters.NonNegativeDuration.class,
            description =
                    "How long to wait at start for Kafka to confirm that --input-topic exists,"
                            + " and the topics the job writes unless the brokers create topics on"
                            + " first use (a missing topic is looked for again until then), and"
                            + " for the brokers' transaction.max.timeout.ms with exactly-once; 0s"
                            + " leaves the checks to the cluster (for a machine that cannot reach"
                            + " Kafka). Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(
            names = "--input-topic",
            defaultValue = "features",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description = "Topic of the FeatureVector records. Default: ${DEFAULT-VALUE}.")
    String inputTopic;

    @Option(
            names = "--output-topic",
            defaultValue = "activations",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description = "Topic for the ActivationVector records. Default: ${DEFAULT-VALUE}.")
    String outputTopic;

    @Option(
            names = "--stats-topic",
            defaultValue = "activation-stats",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description = "Topic for the per-window ActivationStats. Default: ${DEFAULT-VALUE}.")
    String statsTopic;

    @Option(
            names = "--alerts-topic",
            defaultValue = "activation-alerts",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description =
                    "Topic for the dead-feature and sparsity ActivationAlerts. Default:"
                            + " ${DEFAULT-VALUE}.")
    String alertsTopic;

    @Option(
            names = "--dlq-topic",
            defaultValue = "features-dlq",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description =
                    "Topic for the dead letters: records that did not decode or were rejected."
                            + " Default: ${DEFAULT-VALUE}.")
    String dlqTopic;

    @Option(
            names = "--late-topic",
            defaultValue = "activations-late",
            paramLabel = "<topic>",
            converter = OptionConverters.TopicName.class,
            description =
                    "Topic for the records that arrived after one of their windows closed."
                            + " Default: ${DEFAULT-VALUE}.")
    String lateTopic;

    @Option(
            names = "--group-id",
            defaultValue = "relu-stream",
            paramLabel = "<id>",
            converter = OptionConverters.NonBlank.class,
            description = "Kafka consumer group of the input. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(
            names = "--job-name",
            paramLabel = "<name>",
            converter = OptionConverters.NonBlank.class,
            description =
                    "Flink job name, the job_name label of its metrics (give jobs of one"
                            + " activation on one cluster names of their own). Default: the"
                            + " activation's, relu-stream activation statistics (<spec>).")
    String jobName;

    @Option(
            names = "--starting-offsets",
            defaultValue = "earliest",
            paramLabel = "<offsets>",
            converter = OptionConverters.StartingOffsetsValue.class,
            description =
                    "Where to start reading: earliest, latest, or committed (the group's offsets;"
                            + " earliest where it has none). Default: ${DEFAULT-VALUE}.")
    StartingOffsets startingOffsets;

    @Option(
            names = "--bounded",
            description =
                    "Stop at the offsets that were the latest when the job started; records of"
                            + " a transaction still open then are waited for (it reads committed"
                            + " records only). Default: ${DEFAULT-VALUE}.")
    boolean bounded;

    @Option(
            names = "--activation",
            defaultValue = "relu",
            paramLabel = "<spec>",
            converter = OptionConverters.ActivationSpec.class,
            description =
                    "The activation: relu, leaky_relu(alpha=0.01), relu6, clipped_relu(max=4),"
                            + " thresholded_relu(theta=1.0), relu(negative_slope=0.1,"
                            + " max_value=6, threshold=0.5, grad_at_threshold=1) or maxout(k=2)."
                            + " Default: ${DEFAULT-VALUE}.")
    VectorActivation activation;

    @Option(
            names = "--derivatives",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Write each activation's derivatives with its values. Default:"
                            + " ${DEFAULT-VALUE}.")
    boolean derivatives;

    @Option(
            names = "--invalid-values",
            defaultValue = "propagate",
            paramLabel = "<policy>",
            converter = OptionConverters.InvalidValues.class,
            description =
                    "What to do with records holding NaN or an infinity: propagate (the math),"
                            + " zero (NaN results become 0; infinities follow the math), reject"
                            + " (to the dead-letter topic) or fail (the job). Default:"
                            + " ${DEFAULT-VALUE}.")
    InvalidValuePolicy invalidValues;

    @Option(
            names = "--window",
            defaultValue = "10s",
            paramLabel = "<duration>",
            converter = OptionConverters.PositiveDuration.class,
            description =
                    "Length of the statistics windows, more than 0s, e.g. 500ms, 10s, 5m, 2h."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration window;

    @Option(
            names = "--slide",
            paramLabel = "<duration>",
            converter = OptionConverters.PositiveDuration.class,
            description =
                    "Slide of sliding windows, more than 0s: shorter than the window, which must"
                            + " be a multiple of it, at most 10000 times (the windows each record"
                            + " is in). Default: none (tumbling windows).")
    Duration slide;

    @Option(
            names = "--out-of-orderness",
            defaultValue = "5s",
            paramLabel = "<duration>",
            converter = OptionConverters.NonNegativeDuration.class,
            description =
                    "How far behind the newest event time a record may be and still be on time."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration outOfOrderness;

    @Option(
            names = "--idleness",
            defaultValue = "30s",
            paramLabel = "<duration>",
            converter = OptionConverters.PositiveDuration.class,
            description =
                    "After this long without records a partition stops holding back event time;"
                            + " more than 0s. Default: ${DEFAULT-VALUE}.")
    Duration idleness;

    @Option(
            names = "--watermark-interval",
            defaultValue = "200ms",
            paramLabel = "<duration>",
            converter = OptionConverters.NonNegativeDuration.class,
            description =
                    "How often event time moves on; 0s moves it after every record, for exact"
                            + " replays. Default: ${DEFAULT-VALUE}.")
    Duration watermarkInterval;

    @Option(
            names = "--max-event-time-skew",
            defaultValue = OptionConverters.EVENT_TIME_SKEW_DEFAULT,
            paramLabel = "<duration>",
            converter = OptionConverters.EventTimeSkew.class,
            description = OptionConverters.EVENT_TIME_SKEW_HELP)
    Duration maxEventTimeSkew;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "0s",
            paramLabel = "<duration>",
            converter = OptionConverters.NonNegativeDuration.class,
            description =
                    "How long a window still takes late records; later ones go to the late topic."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration allowedLateness;

    @Option(
            names = "--dead-threshold",
            defaultValue = "1.0",
            paramLabel = "<share>",
            converter = OptionConverters.ShareAboveZero.class,
            description =
                    "A feature is dead in a window when at least this share of its activations"
                            + " is zero; in (0, 1]. Default: ${DEFAULT-VALUE}.")
    double deadThreshold;

    @Option(
            names = "--dead-windows",
            defaultValue = "3",
            paramLabel = "<count>",
            converter = OptionConverters.AtLeastOne.class,
            description =
                    "Consecutive windows a feature must be dead in before it is reported, at"
                            + " least 1. Default: ${DEFAULT-VALUE}.")
    int deadWindows;

    @Option(
            names = "--sparsity-limit",
            paramLabel = "<share>",
            converter = OptionConverters.ShareBelowOne.class,
            description =
                    "Alert when a window's share of zero activations passes this; in [0, 1)."
                            + " Default: none (no sparsity alerts).")
    Double sparsityLimit;

    @Option(
            names = "--group-metrics-limit",
            defaultValue = "100",
            paramLabel = "<count>",
            converter = OptionConverters.NonNegativeInt.class,
            description =
                    "How many groups get metrics of their own in each parallel instance of an"
                            + " operator, at least 0; further groups share the group \"_other\"."
                            + " Default: ${DEFAULT-VALUE}.")
    int groupMetricsLimit;

    @Option(
            names = "--delivery-guarantee",
            defaultValue = "at-least-once",
            paramLabel = "<guarantee>",
            converter = OptionConverters.DeliveryGuaranteeValue.class,
            description =
                    "exactly-once (Kafka transactions committed on checkpoints), at-least-once"
                            + " or none (no checkpoints). Default: ${DEFAULT-VALUE}.")
    DeliveryGuarantee deliveryGuarantee;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "30s",
            paramLabel = "<duration>",
            converter = OptionConverters.CheckpointInterval.class,
            description =
                    "Time between Flink checkpoints, at least 10ms; with exactly-once, output"
                            + " becomes visible at this pace, and it must be shorter than"
                            + " --kafka.transaction.timeout.ms (15m unless given); refused with"
                            + " none, which takes no checkpoints. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(
            names = "--transactional-id-prefix",
            paramLabel = "<prefix>",
            converter = OptionConverters.NonBlank.class,
            description =
                    "Prefix of the Kafka transactional ids of exactly-once (refused with the"
                            + " other guarantees); unique per job on a"
                            + " cluster (exactly-once jobs writing one topic under one prefix"
                            + " fence each other). Default: the --group-id.")
    String transactionalIdPrefix;

    @Option(
            names = "--writer-schemas",
            paramLabel = "<path>[,<path>...]",
            converter = OptionConverters.WriterSchemaFiles.class,
            description =
                    "Newer FeatureVector schemas (.avsc files or folders) that producers may write"
                            + " with, of any namespace; each must be readable by the job's"
                            + " schema. Only with --format avro-single-object, whose records name"
                            + " their writer schema. Default: none.")
    WriterSchemas writerSchemas = WriterSchemas.none();

    @Option(
            names = "--format",
            defaultValue = "avro-single-object",
            paramLabel = "<format>",
            converter = OptionConverters.WireFormatValue.class,
            description =
                    "Wire format of every topic: avro-single-object or avro. Default:"
                            + " ${DEFAULT-VALUE}.")
    WireFormat format;

    @Option(
            names = "--parallelism",
            paramLabel = "<count>",
            converter = OptionConverters.Parallelism.class,
            description =
                    "Parallelism of every operator, 1 to 32768. Default: none (the cluster's"
                            + " default).")
    Integer parallelism;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print this help and exit.")
    boolean help;
}
