package io.relustream.jobs.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The local run's command line, which never gets as far as starting the broker here. */
class LocalRunTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LocalRun.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheOptionsOfTheLocalRunTheGeneratorAndTheJob() {
        assertThat(run("--help")).isZero();

        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help)
                .contains("--duration=<duration>", "Default: 0s.")
                .contains("--prometheus-port=<port>", "Default: 9249.")
                .contains("--rate=<count>", "Default: 200.")
                .contains(
                        String.format(
                                "Options of the job (ActivationStatsJob), all but"
                                        + " --bootstrap-servers, --bounded and%n"
                                        + "--connect-timeout, with --kafka.security.protocol"
                                        + " PLAINTEXT only:"))
                .contains("--window=<duration>    Length of the statistics windows")
                .contains("--allowed-lateness=<duration>")
                .contains("--job-name=<name>      Flink job name, the job_name label of its")
                .contains("--kafka.<property>=<value>");
        // The job's list starts under the local run's heading, not under a second "Options:".
        assertThat(help).doesNotContain("Options:");
        // As the heading says: the local run gives the job its broker's address, and creates the
        // topics before the job starts.
        assertThat(help).doesNotContain("--bootstrap-servers=", "--connect-timeout=");
        // Nor --bounded, which it refuses; and its one -h, --help is the local run's.
        assertThat(help.lines().filter(line -> line.strip().startsWith("--bounded"))).isEmpty();
        assertThat(help.lines().filter(line -> line.strip().startsWith("-h, --help")))
                .containsExactly("  -h, --help                 Print this help and exit.");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--help --windw 10s | Unknown option: '--windw'",
                "--windw 10s --help | Unknown option: '--windw'",
                "--help 10s | Unexpected argument: '10s'; every argument is an option or an"
                        + " option's value",
                "--help --window soon | Invalid value for option '--window': 'soon' is not a"
                        + " duration; use a whole number and a unit: 500ms, 10s, 5m, 2h",
                "--help --late-share 1 | Invalid value for option '--late-share': '1' must be"
                        + " below 1: when every record is late by the same time, none is late",
                "--help --prometheus-port 70000 | Invalid value for option '--prometheus-port':"
                        + " '70000' must be a port from 1 to 65535, or 0 for none",
                // Quoted as typed, as the job quotes its values.
                "--help --prometheus-port -1 | Invalid value for option '--prometheus-port': '-1'"
                        + " must be a port from 1 to 65535, or 0 for none",
                "--help --duration --kafka.sasl.jaas.config=password=secret | Expected parameter"
                        + " for option '--duration' but found '--kafka.sasl.jaas.config'",
                "--help --prometheus-port 99999999999 | Invalid value for option"
                    + " '--prometheus-port': '99999999999' must be a port from 1 to 65535, or 0 for"
                    + " none",
            })
    void helpLetsNoInvalidOptionPass(String args, String message) {
        assertThat(run(args.split(" "))).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        message
                                + "\nUse --help to see the options of the local run and the"
                                + " job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anInvalidOptionOfTheLocalRunIsReportedLikeTheJobsWithoutTheWholeHelp() {
        assertThat(run("--prometheus-port", "abc")).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--prometheus-port': 'abc' must be a port from 1"
                                + " to 65535, or 0 for none\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aPrometheusPortInUseIsRefusedBeforeAnythingStarts() throws IOException {
        // Flink's reporter would only log that it cannot bind the port, and the run would go on
        // without metrics after printing where they are.
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThat(run("--prometheus-port", String.valueOf(port))).isEqualTo(2);

            assertThat(err.toString(StandardCharsets.UTF_8))
                    .isEqualToNormalizingNewlines(
                            "Invalid value for option '--prometheus-port': "
                                    + port
                                    + " is in use; choose a free port, or 0 for none\n"
                                    + "Use --help to see the options of the local run and the"
                                    + " job.\n");
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }

    @Test
    void aPortThatCannotBeListenedOnForAnotherReasonSaysWhy() {
        // What a port below 1024 gives a user who is not root: the port is not in use.
        assertThat(LocalRun.portProblem(80, new BindException("Permission denied")))
                .isEqualTo(
                        "Invalid value for option '--prometheus-port': 80 cannot be listened on"
                                + " (Permission denied); choose a free port, or 0 for none");
        assertThat(LocalRun.portProblem(9249, new BindException("Address already in use")))
                .isEqualTo(
                        "Invalid value for option '--prometheus-port': 9249 is in use; choose a"
                                + " free port, or 0 for none");
    }

    @Test
    void theBrokerAddressIsRefusedAsAKafkaPropertyToo() {
        // The job would say "use --bootstrap-servers instead", which the local run refuses.
        assertThat(run("--kafka.bootstrap.servers=kafka:9092")).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid option '--kafka.bootstrap.servers': the local run starts its own"
                                + " Kafka broker and gives the job its address; leave the option"
                                + " out\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"--connect-timeout,5s", "--connect-timeout=0s,", "--connect-timeout=2m,--help"})
    void aConnectTimeoutIsRefusedAsTheLocalRunWouldNotUseIt(String option, String more) {
        // The job waits up to --connect-timeout for Kafka to confirm its topics; the local run
        // starts the broker and creates the topics itself before the job starts, and would ignore
        // the option. --duration: were the check missing, the run would start, and end.
        String[] args =
                more == null
                        ? new String[] {option, "--duration", "1s"}
                        : new String[] {option, more, "--duration", "1s"};
        assertThat(run(args)).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid option '--connect-timeout': the local run starts its own Kafka"
                                + " broker and creates the job's topics before the job starts,"
                                + " so there is nothing to wait for; leave the option out\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void theBrokerAddressIsRefusedAsAKafkaPropertyInAnyCase() {
        // The job refuses the property in any case, saying "use --bootstrap-servers instead".
        assertThat(run("--help", "--kafka.Bootstrap.Servers", "kafka:9092")).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid option '--kafka.Bootstrap.Servers': the local run starts its own"
                                + " Kafka broker and gives the job its address; leave the option"
                                + " out\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anInvalidOptionIsReportedEvenWhenThePrometheusPortIsInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThat(
                            run(
                                    "--prometheus-port",
                                    String.valueOf(taken.getLocalPort()),
                                    "--window",
                                    "soon"))
                    .isEqualTo(2);

            assertThat(err.toString(StandardCharsets.UTF_8))
                    .isEqualToNormalizingNewlines(
                            "Invalid value for option '--window': 'soon' is not a duration; use a"
                                    + " whole number and a unit: 500ms, 10s, 5m, 2h\n"
                                    + "Use --help to see the options of the local run and the"
                                    + " job.\n");
        }
    }

    @Test
    void maxoutWhoseGroupsDoNotSplitTheGeneratedVectorsIsRefused() {
        // 16 values a record (the default --dimensions) make no whole groups of 3: maxout would
        // dead-letter every record, and no window would ever have statistics.
        // --duration: were the check missing, the run would start, and end, instead of hanging.
        assertThat(run("--activation", "maxout(k=3)", "--duration", "1s")).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--activation': 'maxout(k=3)' takes vectors"
                                + " whose length is a multiple of 3, and the generator's"
                                + " --dimensions is 16: every record would be dead-lettered;"
                                + " choose --dimensions 15 or 18, or a k that divides 16\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void maxoutWiderThanTheGeneratedVectorsIsRefusedWithTheOneLengthThatFits() {
        // 3 values make no group of 5; the only multiple of 5 near 3 is 5 itself (0 is no length).
        assertThat(run("--activation", "maxout(k=5)", "--dimensions", "3", "--duration", "1s"))
                .isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--activation': 'maxout(k=5)' takes vectors"
                                + " whose length is a multiple of 5, and the generator's"
                                + " --dimensions is 3: every record would be dead-lettered;"
                                + " choose --dimensions 5, or a k that divides 3\n"
                                + "Use --help to see the options of the local run and the job.\n");
    }

    @Test
    void maxoutWhoseGroupsSplitTheGeneratedVectorsIsTaken() {
        // 12 = 3 groups of 4; checked as every option is, without starting anything.
        assertThat(run("--help", "--activation", "maxout(k=4)", "--dimensions", "12")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anExactlyOnceTransactionTimeoutAboveTheBrokersCapIsRefusedBeforeAnythingStarts() {
        // The in-process broker's transaction.max.timeout.ms is Kafka's default, 15 minutes.
        assertThat(
                        run(
                                "--help",
                                "--delivery-guarantee",
                                "exactly-once",
                                "--kafka.transaction.timeout.ms",
                                "900001"))
                .isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--kafka.transaction.timeout.ms': '900001' is"
                                + " above the transaction.max.timeout.ms (900000) of the local"
                                + " run's in-process broker, which refuses every transaction of"
                                + " such a producer; lower it to at most 900000\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aTransactionTimeoutUpToTheBrokersCapOrWithoutTransactionsIsTaken() {
        assertThat(
                        run(
                                "--help",
                                "--delivery-guarantee=exactly-once",
                                "--kafka.transaction.timeout.ms=900000"))
                .isZero();
        // At least once, the producers start no transaction: the broker never sees the timeout.
        assertThat(run("--help", "--kafka.transaction.timeout.ms=900001")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aMaxRequestSizeAboveTheLargestRecordOfTheBrokerIsRefusedBeforeAnythingStarts() {
        // The in-process broker takes records of up to 8 MiB; the job's producers would send
        // larger ones, which it refuses, and the sink restart the job into them for ever.
        assertThat(run("--help", "--kafka.max.request.size=8388609")).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--kafka.max.request.size': '8388609' is more"
                                + " than the 8388608 bytes the local run's in-process broker"
                                + " takes in one record (its message.max.bytes); give at most"
                                + " 8388608, or leave the option out\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aMaxRequestSizeUpToTheLargestRecordOfTheBrokerIsTaken() {
        assertThat(run("--help", "--kafka.max.request.size=8388608")).isZero();
        assertThat(run("--help", "--kafka.max.request.size", "65536")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aBufferMemoryBelowTheMaxRequestSizeTheLocalRunSetsSaysWhereThatComesFrom() {
        // The local run gives the job's producers a max.request.size of 8 MiB, which the user
        // did not type: the refusal says where the 8388608 comes from, and how to lower it.
        assertThat(run("--help", "--kafka.buffer.memory=1048576")).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--kafka.buffer.memory': '1048576' must be at"
                                + " least 8388608 bytes, what the producer takes from it at once:"
                                + " batch.size (262144), or a record of up to max.request.size"
                                + " (8388608, which the local run sets for its in-process broker"
                                + " unless --kafka.max.request.size is given) when larger\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aBufferMemoryBelowAMaxRequestSizeGivenIsRefusedAsTheJobRefusesIt() {
        assertThat(
                        run(
                                "--help",
                                "--kafka.max.request.size",
                                "1048576",
                                "--kafka.buffer.memory=1048575"))
                .isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--kafka.buffer.memory': '1048575' must be at"
                                + " least 1048576 bytes, what the producer takes from it at once:"
                                + " batch.size (262144), or a record of up to max.request.size"
                                + " (1048576) when larger\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(
                        run(
                                "--help",
                                "--kafka.max.request.size=1048576",
                                "--kafka.buffer.memory=1048576"))
                .isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // Picocli hands what follows "--" on as the job's options: this --help was the
                // job's, which the local run did not look at, and it started the whole run.
                "--duration 1s --prometheus-port 0 -- --help | --help",
                "--duration 1s --prometheus-port 0 -- --window 5s | --window",
                "--prometheus-port 0 --duration 1s -- 5s | 5s",
            })
    void anArgumentAfterTheEndOfTheOptionsIsRefusedAsTheJobRefusesIt(String args, String first) {
        assertThat(run(args.split(" "))).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Unexpected argument: '"
                                + first
                                + "'; every argument is an option or an option's value\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anInvalidOptionOfTheJobIsReportedTheSameWay() {
        assertThat(run("--window", "soon")).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualToNormalizingNewlines(
                        "Invalid value for option '--window': 'soon' is not a duration; use a"
                                + " whole number and a unit: 500ms, 10s, 5m, 2h\n"
                                + "Use --help to see the options of the local run and the job.\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
