package io.relustream.jobs.sql;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.catalog.ObjectIdentifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SQL job's options, its script with the options filled in, and the columns it reads. */
class SqlZeroFractionJobTest {

    /**
     * Every type of the job has a Flink serializer: a Kryo fallback would be a bug, as in the job.
     */
    @Test
    void theJobRunsWithoutFlinksGenericTypeFallback() {
        EnvironmentSettings settings =
                SqlZeroFractionJob.parse("--bootstrap-servers", "kafka:9092").settings();

        assertThat(settings.getConfiguration().get(PipelineOptions.GENERIC_TYPES)).isFalse();
    }

    @Test
    void theJobNameIsTheOptionsAndFlinksJobNameAndIsNotBlank() {
        assertThat(
                        SqlZeroFractionJob.parse("--bootstrap-servers", "kafka:9092")
                                .settings()
                                .getConfiguration()
                                .get(PipelineOptions.NAME))
                .isEqualTo("relu-stream SQL zero fraction");
        assertThat(
                        SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--job-name",
                                        "sql (eu)")
                                .settings()
                                .getConfiguration()
                                .get(PipelineOptions.NAME))
                .isEqualTo("sql (eu)");
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers", "kafka:9092", "--job-name", " "))
                .hasMessage("Invalid value for option '--job-name': ' ' must not be blank");
    }

    @Test
    void theOptionsReachFlinkAndAFailureThatComesBackFailsTheJobAfterThreeRestarts() {
        Configuration config =
                SqlZeroFractionJob.parse(
                                "--bootstrap-servers",
                                "kafka:9092",
                                "--checkpoint-interval",
                                "10ms",
                                "--parallelism",
                                "3")
                        .settings()
                        .getConfiguration();

        assertThat(config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofMillis(10));
        assertThat(config.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(3);
        // The README: three restarts 2 s apart, and a partition idle after 30 s.
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS))
                .isEqualTo(3);
        assertThat(config.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(config.get(ExecutionConfigOptions.TABLE_EXEC_SOURCE_IDLE_TIMEOUT))
                .isEqualTo(Duration.ofSeconds(30));
        Configuration defaults =
                SqlZeroFractionJob.parse("--bootstrap-servers", "kafka:9092")
                        .settings()
                        .getConfiguration();
        assertThat(defaults.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(30));
        // Not given: the cluster's.
        assertThat(defaults.contains(CoreOptions.DEFAULT_PARALLELISM)).isFalse();
    }

    @Test
    void brokersThatDoNotAnswerExitWithStatusOneNamingTheBootstrapServers() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream before = System.err;
        int status;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            status =
                    SqlZeroFractionJob.commandLine()
                            .execute(
                                    "--bootstrap-servers",
                                    "localhost:" + port,
                                    "--connect-timeout",
                                    "1s");
        } finally {
            System.setErr(before);
        }

        assertThat(status).isEqualTo(1);
        assertThat(stderr.toString(StandardCharsets.UTF_8))
                .startsWith(
                        "Could not reach Kafka at --bootstrap-servers 'localhost:"
                                + port
                                + "' within 1s to find --input-topic 'features' (")
                .endsWith(
                        "); check the option and that the brokers are up, or raise"
                                + " --connect-timeout (0s leaves the check to the cluster)"
                                + System.lineSeparator())
                .doesNotContain("\tat ");
    }

    @Test
    void theMaxEventTimeSkewIsFiveMinutesUnlessGivenAndAtMostAnHour() {
        assertThat(SqlZeroFractionJob.parse("--bootstrap-servers", "kafka:9092").maxEventTimeSkew)
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(
                        SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--max-event-time-skew",
                                        "1h")
                                .maxEventTimeSkew)
                .isEqualTo(Duration.ofHours(1));
        assertThat(
                        SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--max-event-time-skew=1ms")
                                .maxEventTimeSkew)
                .isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void statementsCarryEveryOptionAndNoVariableIsLeft() {
        List<String> statements =
                SqlZeroFractionJob.parse(
                                "--bootstrap-servers",
                                "kafka-1:9092, kafka-2:9092",
                                "--input-topic",
                                "in",
                                "--output-topic",
                                "out",
                                "--window",
                                "1500ms",
                                "--out-of-orderness",
                                "0",
                                "--dlq-topic",
                                "dead")
                        .statements();

        assertThat(statements).hasSize(6);
        assertThat(statements).noneMatch(s -> s.contains("${") || s.contains("--"));
        assertThat(statements.get(0))
                .startsWith("CREATE TEMPORARY TABLE features (")
                .contains(
                        "WATERMARK FOR event_time AS event_time - INTERVAL '0 00:00:00.000' DAY(3)"
                                + " TO SECOND(3)",
                        "'topic' = 'in'",
                        "'properties.bootstrap.servers' = 'kafka-1:9092,kafka-2:9092'",
                        "'properties.group.id' = 'relu-stream-sql'",
                        "'scan.bounded.mode' = 'unbounded'",
                        "payload BYTES",
                        "event_time AS FEATURE_EVENT_TIME(payload)",
                        "'value.format' = 'raw'");
        assertThat(statements.get(1))
                .startsWith("CREATE TEMPORARY TABLE zero_fraction (")
                .contains("'topic' = 'out'", "'value.format' = 'json'");
        assertThat(statements.get(2))
                .startsWith("CREATE TEMPORARY TABLE dead_letters (")
                .contains(
                        "'topic' = 'dead'",
                        "'properties.bootstrap.servers' = 'kafka-1:9092,kafka-2:9092'",
                        "'value.format' = 'raw'");
        assertThat(statements.get(3))
                .startsWith("CREATE TEMPORARY VIEW feature_vectors AS")
                .contains("FEATURE_VECTOR(payload)");
        assertThat(statements.get(4))
                .startsWith("INSERT INTO zero_fraction")
                .contains(
                        "ZERO_FRACTION(RELU(`values`))",
                        "TUMBLE(TABLE feature_vectors, DESCRIPTOR(event_time), INTERVAL '0"
                                + " 00:00:01.500' DAY(3) TO SECOND(3))");
        assertThat(statements.get(5))
                .startsWith("INSERT INTO dead_letters")
                .contains("DEAD_LETTER(payload,", "WHERE UNDECODABLE_REASON(payload) IS NOT NULL");
    }

    @Test
    void kafkaPropertiesReachEveryTableAsTheyWereTyped() {
        // A JAAS configuration holds spaces, '=', double quotes and ends with ';'; this password
        // also holds single quotes and "--", which would end the literal or start a comment.
        String jaas =
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"relu\" password=\"it's -- 'secret'; x=y\";";
        // Any text: a quote in the name, a backslash (no escape in SQL), a line break, a tab,
        // a non-Latin-1 letter and what looks like a variable of the script.
        String odd = "C:\\certs\\n ${input_topic}\n\tline two \u03bb";
        SqlZeroFractionJob job =
                SqlZeroFractionJob.parse(
                        "--bootstrap-servers",
                        "kafka:9092",
                        "--kafka.security.protocol=SASL_SSL",
                        "--kafka.sasl.mechanism",
                        "PLAIN",
                        "--kafka.sasl.jaas.config=" + jaas,
                        "--kafka.relu.o'note=" + odd);

        assertThat(job.statements().get(0))
                .contains(
                        "'properties.sasl.jaas.config' ="
                                + " 'org.apache.kafka.common.security.plain.PlainLoginModule"
                                + " required username=\"relu\" password=\"it''s -- ''secret'';"
                                + " x=y\";',",
                        "'properties.relu.o''note' = '",
                        "'properties.isolation.level' = 'read_committed'");

        // Read back by Flink's own SQL parser: each table holds every property, unchanged.
        TableEnvironment tableEnv = TableEnvironment.create(job.settings());
        FeatureVectorFunctions.registerAll(tableEnv);
        List<String> statements = job.statements();
        tableEnv.executeSql(statements.get(0));
        tableEnv.executeSql(statements.get(1));
        tableEnv.executeSql(statements.get(2));
        Map<String, String> expected =
                Map.of(
                        "properties.security.protocol",
                        "SASL_SSL",
                        "properties.sasl.mechanism",
                        "PLAIN",
                        "properties.sasl.jaas.config",
                        jaas,
                        "properties.relu.o'note",
                        odd);
        for (String table : List.of("features", "zero_fraction", "dead_letters")) {
            Map<String, String> options =
                    ((TableEnvironmentInternal) tableEnv)
                            .getCatalogManager()
                            .getTable(
                                    ObjectIdentifier.of(
                                            "default_catalog", "default_database", table))
                            .orElseThrow()
                            .getResolvedTable()
                            .getOptions();
            assertThat(options).as(table).containsAllEntriesOf(expected);
            assertThat(options.get("properties.bootstrap.servers")).isEqualTo("kafka:9092");
        }
    }

    @Test
    void isolationLevelIsReadCommittedUnlessGiven() {
        assertThat(
                        SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--kafka.isolation.level",
                                        "read_uncommitted")
                                .statements()
                                .get(0))
                .contains("'properties.isolation.level' = 'read_uncommitted'")
                .doesNotContain("read_committed");
    }

    @Test
    void helpListsTheKafkaProperties() {
        StringWriter out = new StringWriter();
        CommandLine help = SqlZeroFractionJob.commandLine();
        help.setOut(new PrintWriter(out));

        assertThat(help.execute("--help", "--kafka.security.protocol=SASL_SSL")).isZero();
        assertThat(out.toString())
                .contains("--kafka.<property>=<value>", "--kafka.security.protocol=SASL_SSL");
    }

    @Test
    void helpListsNoVersionOptionSinceThereIsNoVersionToPrint() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine help = SqlZeroFractionJob.commandLine();
        help.setOut(new PrintWriter(out));
        help.setErr(new PrintWriter(err));

        assertThat(help.execute("--help")).isZero();
        assertThat(out.toString()).contains("--help", "--bootstrap-servers").doesNotContain("-V");
        // --version printed nothing and exited 0; now it is an unknown option.
        assertThat(help.execute("--bootstrap-servers", "kafka:9092", "--version")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--version'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // One line naming the option, not picocli's whole usage after it.
                "--bootstrap-servers kafka:9092 --window 0s | Invalid value for option"
                        + " '--window': '0s' must be > 0",
                "--bootstrap-servers kafka:9092 --windw 5s | Unknown option: '--windw'",
                "--bootstrap-servers kafka:9092 5s | Unexpected argument: '5s'; every argument is"
                        + " an option or an option's value",
                "--bootstrap-servers kafka:9092 -- --window 5s | Unexpected argument: '--window';"
                        + " every argument is an option or an option's value",
                "-- --bootstrap-servers kafka:9092 | Unexpected argument: '--bootstrap-servers';"
                        + " every argument is an option or an option's value",
                // --help lets none of them pass.
                "--help --windw 5s | Unknown option: '--windw'",
                "-h 5s | Unexpected argument: '5s'; every argument is an option or an option's"
                        + " value",
                "--help --window 0s | Invalid value for option '--window': '0s' must be > 0",
                // The activation job's --max-event-time-skew, with its messages.
                "--bootstrap-servers kafka:9092 --max-event-time-skew 0s | Invalid value for"
                        + " option '--max-event-time-skew': '0s' must be > 0",
                "--bootstrap-servers kafka:9092 --max-event-time-skew 61m | Invalid value for"
                        + " option '--max-event-time-skew': '61m' must be at most 1h: activations"
                        + " carry their record's event time, and Kafka brokers refuse records"
                        + " stamped more than message.timestamp.after.max.ms (1h by default)"
                        + " ahead",
                // Not --bounded=false: an empty value (an unset shell variable) is refused.
                "--bootstrap-servers kafka:9092 --bounded= | Invalid value for option"
                        + " '--bounded': '' is not a boolean; use true or false, or give the option"
                        + " without a value",
                "--help --bounded= | Invalid value for option '--bounded': '' is not a boolean;"
                        + " use true or false, or give the option without a value",
                "-h=false | Invalid value for option '-h': 'false' asks for no help; give -h"
                        + " alone, or leave it out",
                "--bootstrap-servers kafka:9092 --connect-timeout 5 | Invalid value for option"
                        + " '--connect-timeout': '5' is not a duration; use a whole number and a"
                        + " unit: 500ms, 10s, 5m, 2h",
                "--bootstrap-servers kafka:9092 --bounded=maybe | Invalid value for option"
                        + " '--bounded': 'maybe' is not a boolean; use true or false",
                "--window 5s | Missing required option '--bootstrap-servers': give the Kafka"
                        + " brokers as a comma-separated list of host:port, e.g."
                        + " kafka-1:9092,kafka-2:9092",
                "--help --input-topic a --output-topic a | Invalid value for option"
                        + " '--output-topic': 'a' is the input topic; the results need a topic of"
                        + " their own",
                "--help --input-topic a --dlq-topic a | Invalid value for option"
                        + " '--dlq-topic': 'a' is the input topic; the dead letters need a topic"
                        + " of their own",
                "--bootstrap-servers kafka:9092 --output-topic x.y --dlq-topic x_y | Invalid value"
                        + " for option '--dlq-topic': 'x_y' is the output topic as Kafka names"
                        + " topics ('x.y'); the dead letters need a topic of their own",
                // The default dead-letter topic is a topic name like any other.
                "--bootstrap-servers kafka:9092 --output-topic zero-fraction-dead-letters | Invalid"
                        + " value for option '--dlq-topic': 'zero-fraction-dead-letters' is the"
                        + " output topic; the dead letters need a topic of their own",
                // Kafka properties are checked as the clients would check them, before anything
                // starts; the ones the job sets itself are refused.
                "--bootstrap-servers kafka:9092 --kafka.security.protocol=SASL | Invalid value"
                        + " for option '--kafka.security.protocol': Invalid value SASL for"
                        + " configuration security.protocol: String must be one of (case"
                        + " insensitive): SASL_SSL, PLAINTEXT, SSL, SASL_PLAINTEXT",
                "--help --kafka.isolation.level=dirty | Invalid value for option"
                        + " '--kafka.isolation.level': Invalid value dirty for configuration"
                        + " isolation.level: String must be one of: read_committed,"
                        + " read_uncommitted",
                "--bootstrap-servers kafka:9092 --kafka.group.id=g | Invalid option"
                        + " '--kafka.group.id': use --group-id instead",
                "--bootstrap-servers kafka:9092 --kafka.bootstrap.servers=kafka:9093 | Invalid"
                        + " option '--kafka.bootstrap.servers': use --bootstrap-servers instead",
                "--bootstrap-servers kafka:9092 --kafka.value.deserializer=x | Invalid option"
                        + " '--kafka.value.deserializer': the SQL job's tables read bytes and write"
                        + " JSON and bytes through Flink's formats",
                "--bootstrap-servers kafka:9092 --kafka.transactional.id=t | Invalid option"
                        + " '--kafka.transactional.id': the SQL job writes at least once, without"
                        + " transactions",
                // Flink's Kafka source sets it from the table's scan.startup.mode, over this.
                "--bootstrap-servers kafka:9092 --kafka.auto.offset.reset=latest | Invalid option"
                        + " '--kafka.auto.offset.reset': the SQL job reads its input from the"
                        + " earliest offset, whatever this property says",
                "--help --kafka.auto.offset.reset none | Invalid option"
                        + " '--kafka.auto.offset.reset': the SQL job reads its input from the"
                        + " earliest offset, whatever this property says",
                "--bootstrap-servers kafka:9092 --kafka.acks=1 --kafka.enable.idempotence=true |"
                    + " Invalid --kafka. options for the SQL job's Kafka producer: Must set acks to"
                    + " all in order to use the idempotent producer. Otherwise we cannot guarantee"
                    + " idempotence.",
                "--bootstrap-servers kafka:9092 --kafka.acks | Missing value for option"
                        + " '--kafka.acks'; use --kafka.acks=<value> or --kafka.acks <value>",
            })
    void anInvalidCommandLineIsOneLineAndStatusTwoWithHelpToo(String args, String message) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = SqlZeroFractionJob.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));

        assertThat(command.execute(args.split(" "))).isEqualTo(2);

        assertThat(err.toString())
                .isEqualToNormalizingNewlines(message + "\nUse --help to see every option.\n");
        assertThat(out.toString()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // A bad option before "--" is refused first, as main refuses it.
                "--bootstrap-servers kafka:9092 --window soon -- x | Invalid value for option"
                        + " '--window': 'soon' is not a duration; use a whole number and a unit:"
                        + " 500ms, 10s, 5m, 2h",
                "--bootstrap-servers kafka:9092 --job-name -- x | Expected parameter for option"
                        + " '--job-name' but found '--'",
                "--bootstrap-servers kafka:9092 --bounded= -- x | Unexpected argument: 'x'; every"
                        + " argument is an option or an option's value",
                "--bootstrap-servers kafka:9092 -- --window 5s | Unexpected argument: '--window';"
                        + " every argument is an option or an option's value",
                "-- --bootstrap-servers kafka:9092 | Unexpected argument: '--bootstrap-servers';"
                        + " every argument is an option or an option's value",
            })
    void parseRefusesACommandLineWithArgumentsAfterTheEndOfTheOptionsAsMainDoes(
            String args, String message) {
        StringWriter err = new StringWriter();
        CommandLine command = SqlZeroFractionJob.commandLine();
        command.setOut(new PrintWriter(new StringWriter(), true));
        command.setErr(new PrintWriter(err, true));

        assertThat(command.execute(args.split(" "))).isEqualTo(2);
        assertThat(err.toString())
                .isEqualToNormalizingNewlines(message + "\nUse --help to see every option.\n");
        assertThatThrownBy(() -> SqlZeroFractionJob.parse(args.split(" ")))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(message);
    }

    @Test
    void boundedReadsUpToTheLatestOffsets() {
        assertThat(
                        SqlZeroFractionJob.parse(
                                        "--bootstrap-servers", "localhost:9092", "--bounded")
                                .statements()
                                .get(0))
                .contains("'scan.bounded.mode' = 'latest-offset'", "'topic' = 'features'");
    }

    @Test
    void boundedHelpSaysWhereARunRestoredFromABoundedOneStops() {
        // Restored from a savepoint of a bounded run, a partition keeps that run's end
        // (RestoredSplitBoundsTest.aBoundedRunKeepsTheEndItsPartitionAlreadyHas), not the latest
        // offset when the restored run starts.
        assertThat(
                        SqlZeroFractionJob.commandLine()
                                .getCommandSpec()
                                .findOption("--bounded")
                                .description())
                .containsExactly(
                        "Stop at the offsets that were the latest when the job started"
                                + " ('scan.bounded.mode' = 'latest-offset'), also in a run"
                                + " restored from a savepoint or checkpoint; restored from a"
                                + " bounded run, at that run's end. Default: false.");
    }

    @Test
    void readsTheFeaturesTopicByDefault() {
        // The SQL example reads "the features topic" unless told otherwise.
        String input = SqlZeroFractionJob.parse("--bootstrap-servers", "kafka:9092").inputTopic;

        assertThat(input).isEqualTo("features");
    }

    @Test
    void intervalsAreWrittenToTheMillisecond() {
        assertThat(SqlZeroFractionJob.interval(Duration.ofSeconds(10)))
                .isEqualTo("INTERVAL '0 00:00:10.000' DAY(3) TO SECOND(3)");
        assertThat(SqlZeroFractionJob.interval(Duration.ofMillis(90_061_001)))
                .isEqualTo("INTERVAL '1 01:01:01.001' DAY(3) TO SECOND(3)");
        assertThat(SqlZeroFractionJob.interval(SqlZeroFractionJob.MAX_INTERVAL))
                .isEqualTo("INTERVAL '999 23:59:59.999' DAY(3) TO SECOND(3)");
    }

    /**
     * As the activation job, the SQL job refuses a buffer.memory its producer could not take a
     * batch or a record from; its producer batches Kafka's default 16384 bytes.
     */
    @Test
    void bufferMemoryMustHoldABatchAndTheLargestRecord() {
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "localhost:9092",
                                        "--kafka.buffer.memory=1048575"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.buffer.memory': '1048575' must be at"
                                + " least 1048576 bytes, what the producer takes from it at"
                                + " once: batch.size (16384), or a record of up to"
                                + " max.request.size (1048576) when larger");
        SqlZeroFractionJob.parse(
                "--bootstrap-servers",
                "localhost:9092",
                "--kafka.max.request.size=65536",
                "--kafka.buffer.memory=65536");
        // Left out, the buffer is Kafka's default: the size given is the option at fault.
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "localhost:9092",
                                        "--kafka.max.request.size=33554433"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.max.request.size': '33554433' is more"
                                + " than --kafka.buffer.memory, which is not given: Kafka's"
                                + " default, 33554432; a producer refuses a record larger than its"
                                + " buffer.memory; give --kafka.buffer.memory=33554433 or more, or"
                                + " a --kafka.max.request.size of at most 33554432");
    }

    /**
     * The SQL job writes dead letters as the activation job does, and needs as much room for them:
     * it takes the same smallest max.request.size, with the same message, and reads the value
     * itself, so no config provider may stand for it.
     */
    @Test
    void maxRequestSizeHasTheActivationJobsFloor() {
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "localhost:9092",
                                        "--kafka.max.request.size=100"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.max.request.size': '100' must be at"
                                + " least 65536 bytes, so that every dead letter fits in one"
                                + " record");
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "localhost:9092",
                                        "--kafka.max.request.size=65535"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.max.request.size': '65535' must be at"
                                + " least 65536 bytes, so that every dead letter fits in one"
                                + " record");
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "localhost:9092",
                                        "--kafka.config.providers=file",
                                        "--kafka.config.providers.file.class="
                                                + "org.apache.kafka.common.config.provider"
                                                + ".FileConfigProvider",
                                        "--kafka.max.request.size=${file:/no/such/file:size}"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--kafka.max.request.size': Invalid value"
                                + " ${file:/no/such/file:size} for configuration"
                                + " max.request.size: Not a number of type INT");
        assertThat(
                        SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "localhost:9092",
                                        "--kafka.max.request.size=65536")
                                .maxRequestSize())
                .isEqualTo(65536);
    }

    @Test
    void badOptionsAreRejectedNamingTheOptionAndTheValue() {
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers", "localhost:9092", "--window", "0s"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("Invalid value for option '--window': '0s' must be > 0");
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "localhost:9092",
                                        "--input-topic",
                                        "x' OR 'y"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--input-topic': 'x' OR 'y' is not a Kafka topic"
                                + " name; use 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_'"
                                + " and '-', other than '.' or '..'");
        // A blank value would read as false, as an empty one would.
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers", "localhost:9092", "--bounded= "))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--bounded': ' ' is not a boolean; use true or"
                                + " false, or give the option without a value");
        // Never the value of the option before it, to be quoted whole.
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "localhost:9092",
                                        "--group-id",
                                        "--kafka.sasl.jaas.config=password=secret"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Expected parameter for option '--group-id' but found"
                                + " '--kafka.sasl.jaas.config'");
        assertThatThrownBy(() -> SqlZeroFractionJob.parse("--bootstrap-servers", "kafka"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--bootstrap-servers': 'kafka' has 'kafka'"
                                + " without a port; use a comma-separated list of host:port with"
                                + " ports 1 to 65535, e.g. kafka-1:9092,kafka-2:9092");
        assertThatThrownBy(() -> SqlZeroFractionJob.parse("--bootstrap-servers", "kafka:99999"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--bootstrap-servers': 'kafka:99999' has"
                                + " 'kafka:99999' with port '99999'; use a comma-separated list of"
                                + " host:port with ports 1 to 65535, e.g."
                                + " kafka-1:9092,kafka-2:9092");
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers", "kafka:9092", "--parallelism", "0"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--parallelism': '0' must be an integer >= 1");
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--checkpoint-interval",
                                        "9ms"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--checkpoint-interval': '9ms' must be at least"
                                + " 10ms, Flink's shortest checkpoint interval");
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--checkpoint-interval",
                                        "9223372036854775807ms"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--checkpoint-interval': '9223372036854775807ms'"
                                + " must be from 10ms to 9223372036854775806ms; Flink takes"
                                + " 9223372036854775807ms for no checkpoints at all");
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--input-topic",
                                        "a.b",
                                        "--output-topic",
                                        "a_b"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--output-topic': 'a_b' is the input topic as"
                                + " Kafka names topics ('a.b'); the results need a topic of their"
                                + " own");
        // Too long, with only allowed characters: the message must say how long it may be.
        String tooLong = "g".repeat(256);
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers", "kafka:9092", "--group-id", tooLong))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--group-id': '"
                                + tooLong
                                + "' is not a group id; use 1 to 255 of the characters a-z, A-Z,"
                                + " 0-9, '.', '_' and '-'");
        assertThatThrownBy(() -> SqlZeroFractionJob.parse("--window", "10s"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Missing required option:"
                                + " '--bootstrap-servers=<host:port>[,<host:port>...]'");
    }

    @Test
    void parseReadsTheOptionsAsMainDoes() {
        // Read as --bounded=false before, where main refuses it.
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers", "kafka:9092", "--bounded="))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--bounded': '' is not a boolean; use true or"
                                + " false, or give the option without a value");
        // A value, never a file of arguments: "@/etc/hostname" was read as the file's text.
        assertThatThrownBy(
                        () ->
                                SqlZeroFractionJob.parse(
                                        "--bootstrap-servers",
                                        "kafka:9092",
                                        "--group-id",
                                        "@" + Path.of("pom.xml").toAbsolutePath()))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage(
                        "Invalid value for option '--group-id': '@"
                                + Path.of("pom.xml").toAbsolutePath()
                                + "' is not a group id; use 1 to 255 of the characters a-z, A-Z,"
                                + " 0-9, '.', '_' and '-'");
    }

    @Test
    void featureVectorsViewHasTheFieldsOfFeatureVectorWithEventTimeAsRowtime() {
        // The tables and the view as the script declares them, planned but not run.
        SqlZeroFractionJob job = SqlZeroFractionJob.parse("--bootstrap-servers", "localhost:9092");
        TableEnvironment tableEnv = TableEnvironment.create(job.settings());
        FeatureVectorFunctions.registerAll(tableEnv);
        List<String> statements = job.statements();
        for (String statement : statements.subList(0, 4)) {
            tableEnv.executeSql(statement);
        }

        assertThat(tableEnv.from("feature_vectors").getResolvedSchema().getColumns())
                .extracting(column -> column.getName() + " " + column.getDataType())
                // Nullable where FEATURE_VECTOR is NULL, which the view filters out.
                .containsExactly(
                        "id STRING",
                        "event_time TIMESTAMP(3) NOT NULL *ROWTIME*",
                        "group STRING",
                        "values ARRAY<DOUBLE NOT NULL>");
        // The rowtime of the raw records, which the watermark reads, is never NULL either.
        assertThat(
                        tableEnv.from("features")
                                .getResolvedSchema()
                                .getColumn("event_time")
                                .orElseThrow()
                                .getDataType()
                                .toString())
                .isEqualTo("TIMESTAMP(3) NOT NULL *ROWTIME*");
    }
}
