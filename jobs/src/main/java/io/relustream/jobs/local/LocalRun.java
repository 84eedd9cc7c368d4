package io.relustream.jobs.local;

import io.relustream.activation.Maxout;
import io.relustream.activation.VectorActivation;
import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;
import io.relustream.formats.AvroRecordDecoder;
import io.relustream.formats.UndecodableRecordException;
import io.relustream.formats.WireFormat;
import io.relustream.jobs.ActivationStatsJob;
import io.relustream.jobs.ActivationStatsPipeline;
import io.relustream.jobs.generator.FeatureGenerator;
import io.relustream.jobs.generator.GeneratorCommand;
import io.relustream.jobs.generator.GeneratorOptions;
import io.relustream.jobs.options.CommandLines;
import io.relustream.jobs.options.DeliveryGuarantee;
import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs everything on this machine with nothing installed: an in-process Kafka broker, the feature
 * generator, and the activation statistics job on a local Flink; prints each window's statistics as
 * windows close, until stopped, for {@code --duration}, or until the job ends by itself (a job that
 * fails prints its reason, and the run exits with status 1).
 *
 * <p>Options it does not know go to the job, e.g. {@code --window 5s --activation relu6}.
 *
 * <pre>{@code
 * mvn -B -q -DskipTests package exec:exec@local -Dlocal.args="--duration 60s --window 5s"
 * }</pre>
 */
@Command(
        name = "relu-stream-local",
        usageHelpWidth = 100,
        description = {
            "Runs an in-process Kafka broker, the feature generator and the activation statistics"
                    + " job, and prints each window's statistics.",
            "Any other option is passed to the job: its options follow the local run's own."
        })
public final class LocalRun implements Callable<Integer> {

    private static final String USE_HELP =
            "Use --help to see the options of the local run and the job.";

    /**
     * How long a Ctrl-C waits for the generator, the job and the broker to stop: longer than their
     * own bounds (10 s for the generator, 30 s to cancel the job, 10 s for the printer) plus the
     * broker's shutdown.
     */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    /** The help section of the job's options. */
    private static final String JOB_OPTIONS = "jobOptions";

    @Option(
            names = "--duration",
            paramLabel = "<duration>",
            defaultValue = "0s",
            converter = Durations.Converter.class,
            description =
                    "Stop after this long; 0s runs until stopped (Ctrl-C). Default:"
                            + " ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--prometheus-port",
            paramLabel = "<port>",
            defaultValue = "9249",
            converter = PrometheusPort.class,
            description =
                    "Port of the Prometheus metrics endpoint (/metrics); 0 turns it off. Default:"
                            + " ${DEFAULT-VALUE}.")
    int prometheusPort;

    @Mixin GeneratorOptions generator;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print this help and exit.")
    boolean help;

    @Unmatched List<String> jobArgs = new ArrayList<>();

    @Spec CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    LocalRun(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs with {@code args}, printing to {@code out}; returns the exit status. */
    public static int run(String[] args, PrintStream out) {
        return run(args, out, System.err);
    }

    /** Runs with {@code args}, printing to {@code out} and problems to {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        LocalRun localRun = new LocalRun(out, err);
        // Problems as the job reports them: the problem and where to look, not the whole help
        // (which the job's options make long); with --help too.
        CommandLine commandLine =
                CommandLines.of(localRun, USE_HELP, localRun::checkOptions)
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true));
        // Every other option goes to the job: --help lists the job's options too.
        commandLine
                .getHelpSectionMap()
                .put(
                        JOB_OPTIONS,
                        help ->
                                String.format(
                                                "%nOptions of the job (ActivationStatsJob), all but"
                                                        + " --bootstrap-servers, --bounded and%n"
                                                        + "--connect-timeout, with"
                                                        + " --kafka.security.protocol PLAINTEXT"
                                                        + " only:%n%n")
                                        + JobOptions.optionsUsage(
                                                "--bootstrap-servers",
                                                "--bounded",
                                                "--connect-timeout",
                                                "--help"));
        List<String> sections = new ArrayList<>(commandLine.getHelpSectionKeys());
        sections.add(JOB_OPTIONS);
        commandLine.setHelpSectionKeys(sections);
        return commandLine.execute(args);
    }

    /** {@code --prometheus-port}: a port, or 0 for none; quoted as typed when it is not one. */
    static final class PrometheusPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String stripped = value.strip();
            if (!stripped.matches("[0-9]{1,5}") || Integer.parseInt(stripped) > 65535) {
                throw new TypeConversionException(
                        "'" + value + "' must be a port from 1 to 65535, or 0 for none");
            }
            return Integer.parseInt(stripped);
        }
    }

    /**
     * Refuses a Prometheus port that something already listens on: Flink's reporter that cannot
     * bind it only logs an error, and the run would go on without metrics while saying where they
     * are.
     */
    private static void checkPortIsFree(int port) {
        // Bound as the reporter binds it, on every address, and let go at once.
        try (ServerSocket free = new ServerSocket(port)) {
            // Free: closed again, for the reporter.
        } catch (IOException e) {
            throw new IllegalArgumentException(portProblem(port, e));
        }
    }

    /**
     * The message for a Prometheus port that cannot be bound: mostly one in use, but a port below
     * 1024 is refused to a user who is not root ("Permission denied"), which is said as it is.
     */
    static String portProblem(int port, IOException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        return "Invalid value for option '--prometheus-port': "
                + port
                + (why.contains("in use") ? " is in use" : " cannot be listened on (" + why + ")")
                + "; choose a free port, or 0 for none";
    }

    /**
     * Checks every option of the local run, the generator and the job, as {@code --help} does too.
     *
     * @return the generator's settings
     * @throws ParameterException naming the option and the value
     */
    private FeatureGenerator.Settings checkOptions() {
        try {
            FeatureGenerator.Settings generatorSettings = generator.settings();
            for (String arg : jobArgs) {
                // The job would point --kafka.bootstrap.servers at --bootstrap-servers, which the
                // local run refuses too; it refuses the property in any case.
                String brokers =
                        JobOptions.KAFKA_PREFIX + AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG;
                String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                if (name.equals("--bootstrap-servers") || name.equalsIgnoreCase(brokers)) {
                    throw new IllegalArgumentException(
                            "Invalid option '"
                                    + name
                                    + "': the local run starts its own Kafka broker and gives"
                                    + " the job its address; leave the option out");
                }
                // The job would wait up to it for Kafka to confirm its topics; the local run
                // does not run those checks, and would ignore it.
                if (name.equals("--connect-timeout")) {
                    throw new IllegalArgumentException(
                            "Invalid option '--connect-timeout': the local run starts its own Kafka"
                                    + " broker and creates the job's topics before the job starts,"
                                    + " so there is nothing to wait for; leave the option out");
                }
            }
            JobOptions options = jobOptions("localhost:9092");
            checkMaxoutSplitsTheGeneratedVectors(
                    options.activation(), generatorSettings.dimensions());
            if (options.bounded()) {
                throw new IllegalArgumentException(
                        "Invalid option '--bounded': the local run's job reads what its generator"
                                + " writes while both run, and a bounded job would stop at the"
                                + " end of the topic as it was at the start (empty); leave it"
                                + " out, and use --duration to end the run");
            }
            String protocol =
                    options.kafkaProperties().get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
            if (protocol != null && !protocol.trim().equalsIgnoreCase("PLAINTEXT")) {
                throw new IllegalArgumentException(
                        "Invalid option '"
                                + JobOptions.KAFKA_PREFIX
                                + CommonClientConfigs.SECURITY_PROTOCOL_CONFIG
                                + "': '"
                                + protocol
                                + "'; the local run's in-process broker speaks PLAINTEXT only;"
                                + " leave the option out");
            }
            checkTransactionTimeout(options);
            checkMaxRequestSize(options);
            return generatorSettings;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * The in-process broker refuses every transaction that asks for more than its {@code
     * transaction.max.timeout.ms}: an exactly-once job's producers would fail as they start, and
     * the job restart into that failure, printing nothing, for as long as the run lasts. The job
     * asks a cluster for its cap; the local run knows its broker's.
     */
    private static void checkTransactionTimeout(JobOptions options) {
        long timeout = options.transactionTimeout().toMillis();
        if (options.deliveryGuarantee() != DeliveryGuarantee.EXACTLY_ONCE
                || timeout <= EmbeddedKafka.MAX_TRANSACTION_TIMEOUT_MS) {
            return;
        }
        throw new IllegalArgumentException(
                "Invalid value for option '"
                        + JobOptions.KAFKA_PREFIX
                        + JobOptions.TRANSACTION_TIMEOUT
                        + "': '"
                        + options.kafkaProperties().get(JobOptions.TRANSACTION_TIMEOUT)
                        + "' is above the transaction.max.timeout.ms ("
                        + EmbeddedKafka.MAX_TRANSACTION_TIMEOUT_MS
                        + ") of the local run's in-process broker, which refuses every transaction"
                        + " of such a producer; lower it to at most "
                        + EmbeddedKafka.MAX_TRANSACTION_TIMEOUT_MS);
    }

    /**
     * The in-process broker refuses a record above its {@code message.max.bytes}: the job's sink
     * would fail on the first one its producers are allowed to send, and the job restart into it
     * for as long as the run lasts. The job asks a cluster for its topics' limits; the local run
     * knows its broker's.
     */
    private static void checkMaxRequestSize(JobOptions options) {
        if (options.maxRequestSize() <= EmbeddedKafka.MAX_RECORD_BYTES) {
            return;
        }
        throw new IllegalArgumentException(
                "Invalid value for option '"
                        + JobOptions.KAFKA_PREFIX
                        + ProducerConfig.MAX_REQUEST_SIZE_CONFIG
                        + "': '"
                        + options.kafkaProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)
                        + "' is more than the "
                        + EmbeddedKafka.MAX_RECORD_BYTES
                        + " bytes the local run's in-process broker takes in one record (its"
                        + " message.max.bytes); give at most "
                        + EmbeddedKafka.MAX_RECORD_BYTES
                        + ", or leave the option out");
    }

    /**
     * Maxout takes vectors whose length is a multiple of its k; every other record is a dead
     * letter. The generator writes vectors of one length, so a k that does not divide it would
     * dead-letter the whole run and print no statistics at all.
     */
    private static void checkMaxoutSplitsTheGeneratedVectors(
            VectorActivation activation, int dimensions) {
        if (!(activation instanceof Maxout maxout) || dimensions % maxout.groupSize() == 0) {
            return;
        }
        int k = maxout.groupSize();
        int below = dimensions - dimensions % k;
        int above = below + k;
        List<String> lengths = new ArrayList<>();
        if (below > 0) {
            lengths.add(String.valueOf(below));
        }
        if (above <= GeneratorOptions.MAX_DIMENSIONS) {
            lengths.add(String.valueOf(above));
        }
        throw new IllegalArgumentException(
                "Invalid value for option '--activation': '"
                        + activation.spec()
                        + "' takes vectors whose length is a multiple of "
                        + k
                        + ", and the generator's --dimensions is "
                        + dimensions
                        + ": every record would be dead-lettered; choose --dimensions "
                        + String.join(" or ", lengths)
                        + ", or a k that divides "
                        + dimensions);
    }

    @Override
    public Integer call() throws Exception {
        Duration runFor = duration;
        // Check every option before anything starts; the broker's address comes later.
        FeatureGenerator.Settings generatorSettings = checkOptions();
        // Last: whether the port is free depends on the machine, not on the command line, and
        // must not hide a mistake in it (nor decide which one is reported).
        if (prometheusPort > 0) {
            try {
                checkPortIsFree(prometheusPort);
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                err.println(USE_HELP);
                return 2;
            }
        }
        // Ctrl-C (SIGINT) or SIGTERM: the JVM ends as soon as its shutdown hooks return, so the
        // hook lets the main thread stop the generator, the job and the broker, and waits (for a
        // bounded time) until it has.
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Thread shutdownHook =
                new Thread(
                        () -> {
                            stopped.countDown();
                            try {
                                cleanedUp.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "relu-stream-local-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        int status;
        try {
            try {
                status = run(runFor, generatorSettings, stopped);
            } catch (Exception e) {
                if (stopped.getCount() > 0) {
                    throw e;
                }
                // Stopped by a signal: the JVM runs Flink's and Kafka's own shutdown hooks at the
                // same time, which close their parts under the orderly stop. What fails then is
                // said, and does not turn the stop into a failure.
                err.println("While stopping: " + e);
                err.flush();
                status = 0;
            }
            if (status == 0) {
                out.println("Stopped.");
                out.flush();
            }
        } finally {
            cleanedUp.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is already on its way out, and the hook is waiting for us.
            }
        }
        return status;
    }

    /**
     * Starts the broker, the generator and the job; once {@code stopped} opens, {@code runFor} has
     * passed (zero: never) or the job has ended by itself, stops the generator, then the job, then
     * the broker.
     *
     * @return 0, or 1 when the job failed (its reason printed to {@code err})
     */
    private int run(
            Duration runFor, FeatureGenerator.Settings generatorSettings, CountDownLatch stopped)
            throws Exception {
        out.println("Starting an in-process Kafka broker...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            JobOptions options = jobOptions(kafka.bootstrapServers());
            Configuration configuration = new Configuration();
            if (prometheusPort > 0) {
                ActivationStatsJob.withPrometheus(configuration, prometheusPort);
            }
            StreamExecutionEnvironment env = ActivationStatsJob.environment(options, configuration);
            // A partition for every source subtask (--parallelism, or one per core by default): a
            // subtask without one holds event time back for --idleness, and the first windows
            // would close that late, all at once.
            kafka.createTopics(Math.max(2, env.getParallelism()), options.inputTopic());
            kafka.createTopics(
                    1,
                    options.outputTopic(),
                    options.statsTopic(),
                    options.alertsTopic(),
                    options.dlqTopic(),
                    options.lateTopic());
            out.printf(
                    "Kafka at %s; job: %s, window %s%s; generator: %s%n",
                    kafka.bootstrapServers(),
                    options.activation().spec(),
                    Durations.format(options.window()),
                    options.slide().map(s -> " sliding every " + Durations.format(s)).orElse(""),
                    generator.describe());

            AtomicBoolean running = new AtomicBoolean(true);

            FeatureGenerator features = new FeatureGenerator(generatorSettings);
            Thread producer =
                    daemon(
                            "feature-generator",
                            () -> {
                                try {
                                    GeneratorCommand.produce(
                                            kafka.bootstrapServers(),
                                            options.inputTopic(),
                                            options.format(),
                                            features,
                                            generator.rate(),
                                            0,
                                            running,
                                            Map.of(),
                                            err::println);
                                } catch (KafkaException e) {
                                    // How many were refused, once it stops; the first refusal
                                    // was printed when it came.
                                    err.println(e.getMessage());
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            Thread printer = daemon("stats-printer", () -> print(kafka, options, running));

            if (prometheusPort > 0) {
                out.println(
                        "Prometheus metrics at http://localhost:" + prometheusPort + "/metrics");
            }
            ActivationStatsPipeline.build(
                    env,
                    options,
                    ActivationStatsJob.kafkaSource(options),
                    ActivationStatsJob.kafkaOutputs(options));
            JobClient job = env.executeAsync(options.jobName());
            producer.start();
            printer.start();
            out.println("Job " + job.getJobID() + " running; statistics appear as windows close.");
            // The job may end by itself (a failure, such as --invalid-values fail on a NaN): the
            // run ends with it, instead of printing nothing until it is stopped and then failing
            // to cancel a job whose cluster is gone.
            CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
            awaitStopOrEnd(runFor, stopped, result);
            boolean ended = result.isDone();
            running.set(false);
            producer.join(10_000);
            if (!ended) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            printer.join(10_000);
            if (ended) {
                try {
                    result.get();
                    out.println("The job finished.");
                } catch (ExecutionException e) {
                    err.println("The job failed: " + rootCause(e));
                    err.flush();
                    return 1;
                }
            }
            return 0;
        }
    }

    /**
     * Waits until {@code stopped} opens, {@code runFor} has passed (zero: never) or the job ends.
     */
    private static void awaitStopOrEnd(
            Duration runFor, CountDownLatch stopped, CompletableFuture<?> result)
            throws InterruptedException {
        long deadline = runFor.isZero() ? Long.MAX_VALUE : Durations.deadlineNanos(runFor);
        long poll = TimeUnit.MILLISECONDS.toNanos(100);
        while (!result.isDone()) {
            long left = runFor.isZero() ? poll : deadline - System.nanoTime();
            if (left <= 0 || stopped.await(Math.min(left, poll), TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }

    /**
     * The innermost cause of a job's failure: Flink wraps it in "Job execution failed." and more.
     */
    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    private JobOptions jobOptions(String bootstrapServers) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrapServers));
        args.addAll(jobArgs);
        // The job's producers may send records as large as the in-process broker takes, unless
        // told otherwise: the generator's widest vectors have outputs above Kafka's 1 MiB default.
        return JobOptions.parse(
                Map.of(
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        String.valueOf(EmbeddedKafka.MAX_RECORD_BYTES)),
                "the local run sets for its in-process broker",
                args.toArray(new String[0]));
    }

    private void print(EmbeddedKafka kafka, JobOptions options, AtomicBoolean running) {
        WireFormat format = options.format();
        AvroRecordDecoder<ActivationStats> stats =
                AvroRecordDecoder.of(ActivationStats.class, format);
        AvroRecordDecoder<ActivationAlert> alerts =
                AvroRecordDecoder.of(ActivationAlert.class, format);
        Map<String, Object> config =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "relu-stream-local-printer",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        // Under exactly-once, rows of aborted transactions are not the job's.
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(options.statsTopic(), options.alertsTopic()));
            int rows = 0;
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    try {
                        if (record.topic().equals(options.statsTopic())) {
                            ActivationStats window = stats.decode(record.value());
                            if (rows++ % 20 == 0) {
                                out.println(StatsTable.header(window));
                            }
                            out.println(StatsTable.row(window));
                        } else {
                            out.println(StatsTable.alert(alerts.decode(record.value())));
                        }
                    } catch (UndecodableRecordException e) {
                        out.println("Cannot read " + record.topic() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
