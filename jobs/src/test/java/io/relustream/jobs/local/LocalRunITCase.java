package io.relustream.jobs.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's run command, shortened: broker, generator and job for a few windows. */
class LocalRunITCase {

    private static final Pattern ROW =
            Pattern.compile(
                    "\\d\\d:\\d\\d:\\d\\d-\\d\\d:\\d\\d:\\d\\d  (layer-\\d)\\s+(\\d+)\\s+(\\d+)\\s+"
                            + "(\\d+\\.\\d)\\s.*  (\\[[0-9, ]+\\]|none)");

    @Test
    void printsTheStatisticsOfEveryGroupAsWindowsClose() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        // Not the default 9249: another process on this machine may hold it, and the run would
        // refuse to start.
        int prometheusPort;
        try (ServerSocket free = new ServerSocket(0)) {
            prometheusPort = free.getLocalPort();
        }

        int status =
                LocalRun.run(
                        new String[] {
                            "--prometheus-port", String.valueOf(prometheusPort),
                            "--duration", "20s",
                            "--rate", "150",
                            "--groups", "2",
                            "--dimensions", "8",
                            "--dead-share", "0.25",
                            "--window", "2s",
                            "--out-of-orderness", "500ms",
                            "--dead-windows", "2"
                        },
                        out);

        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isZero();
        List<String> lines = Arrays.asList(printed.split("\\R"));
        // The start line the README's "Seeing it" takes the broker's address from (the report's
        // --bootstrap-servers), and the dead features --dead-share makes: a quarter of 8.
        assertThat(lines)
                .anyMatch(
                        line ->
                                line.matches(
                                        "Kafka at localhost:[0-9]+; job: relu, window 2s;"
                                                + " generator: 150 records/s, 2 groups x 8"
                                                + " features, 2 dead in each group"));
        assertThat(lines)
                .contains("Prometheus metrics at http://localhost:" + prometheusPort + "/metrics");
        assertThat(lines)
                .anyMatch(
                        line -> line.startsWith("window (UTC)") && line.contains("dead features"));
        List<String> rows =
                lines.stream()
                        .filter(line -> ROW.matcher(line).find())
                        .collect(Collectors.toList());
        // 2 groups, 2-second windows, about 20 seconds: several closed windows each.
        assertThat(rows.stream().filter(row -> row.contains("layer-0")).count())
                .as(printed)
                .isGreaterThanOrEqualTo(3);
        assertThat(rows.stream().filter(row -> row.contains("layer-1")).count())
                .as(printed)
                .isGreaterThanOrEqualTo(3);
        // A quarter of 8 features are dead from the start: features 0 and 1.
        assertThat(rows).anyMatch(row -> row.endsWith("[0, 1]"));
        assertThat(lines)
                .anyMatch(line -> line.startsWith("ALERT dead_feature Feature 0 of group layer-"));
        assertThat(lines).contains("Stopped.");
    }

    /**
     * Wider than the input topic would be with a fixed partition count: a source subtask without a
     * partition holds event time back for {@code --idleness}, here longer than the run, so no
     * window would close. The run gives the input a partition for every subtask.
     */
    @Test
    void aRunWiderThanTwoSubtasksStillPrintsWindowsAsTheyClose() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        int status =
                LocalRun.run(
                        new String[] {
                            "--prometheus-port", "0",
                            "--duration", "20s",
                            "--rate", "100",
                            "--groups", "1",
                            "--dimensions", "4",
                            "--window", "1s",
                            "--out-of-orderness", "0s",
                            "--parallelism", "4",
                            "--idleness", "10m"
                        },
                        out);

        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isZero();
        // 1-second windows over about 20 seconds; one is enough to show that windows close.
        assertThat(Arrays.asList(printed.split("\\R")))
                .as(printed)
                .anyMatch(line -> ROW.matcher(line).find());
    }

    /**
     * Ctrl-C, or SIGTERM as here ({@link Process#destroy()}): the JVM ends when its shutdown hooks
     * return, so the run must stop the generator, the job and the broker before that, and say so.
     */
    @Test
    void aSignalStopsEverythingAndSaysSo(@TempDir Path dir) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx1g",
                                "--add-modules=jdk.incubator.vector",
                                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES="
                                        + System.getProperty(
                                                "org.apache.avro.SERIALIZABLE_PACKAGES"),
                                // As the README's command runs it: the log on standard error.
                                "-Dlog4j2.configurationFile=log4j2-local.properties"));
        for (String open : List.of("java.util", "java.lang", "java.nio", "java.time")) {
            command.add("--add-opens=java.base/" + open + "=ALL-UNNAMED");
        }
        command.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        LocalRun.class.getName(),
                        "--prometheus-port",
                        "0",
                        "--rate",
                        "50",
                        "--groups",
                        "1",
                        "--dimensions",
                        "4",
                        "--window",
                        "1s",
                        "--out-of-orderness",
                        "0s"));
        Path err = dir.resolve("err.txt");
        Process run = new ProcessBuilder(command).redirectError(err.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader out =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    run.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                out.lines().forEach(lines::add);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
        reader.start();
        List<String> printed = new ArrayList<>();
        try {
            // Bounds for a broken run only, generous for a loaded machine.
            String line;
            do {
                line = lines.poll(5, TimeUnit.MINUTES);
                assertThat(line).as("a statistics row; so far %s", printed).isNotNull();
                printed.add(line);
            } while (!ROW.matcher(line).find());

            // SIGTERM, through the handle: Process.destroy() would also close our end of its
            // output before it is read.
            assertThat(run.toHandle().destroy()).isTrue();
            assertThat(run.waitFor(5, TimeUnit.MINUTES)).as("ended").isTrue();
            reader.join();
        } finally {
            if (run.isAlive()) {
                run.destroyForcibly();
            }
        }
        lines.drainTo(printed);
        String problems = Files.readString(err);
        // 128 + 15: the JVM's status after SIGTERM.
        assertThat(run.exitValue()).as(problems).isEqualTo(143);
        assertThat(printed).as(problems).last().isEqualTo("Stopped.");
    }

    @Test
    void aJobThatFailsEndsTheRunWithItsReason() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // Every record holds a NaN, and the job is told to fail on the first one. Without its
        // end, the run would wait out --duration and then fail to cancel a job that is gone.
        int status =
                LocalRun.run(
                        new String[] {
                            "--prometheus-port", "0",
                            "--duration", "60s",
                            "--nan-share", "1",
                            "--invalid-values", "fail"
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8);
        String problems = err.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed + problems).isOne();
        assertThat(problems)
                .as(printed)
                .startsWith("The job failed: ")
                .contains("NaN")
                .doesNotContain("\tat ")
                .hasLineCount(1);
        assertThat(printed).doesNotContain("Stopped.");
    }

    @Test
    void rejectsBootstrapServersSinceItStartsItsOwnBroker() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                LocalRun.run(
                        new String[] {"--bootstrap-servers", "localhost:1"},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith(
                        "Invalid option '--bootstrap-servers': the local run starts its own Kafka"
                                + " broker and gives the job its address; leave the option out");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void rejectsBoundedSinceTheGeneratorWritesWhileTheJobRuns() {
        // Before: the job read the topic, empty when it started, to its end and finished at once,
        // while the generator went on writing records no one read.
        assertThat(runRefused("--bounded"))
                .isEqualTo(
                        "Invalid option '--bounded': the local run's job reads what its generator"
                                + " writes while both run, and a bounded job would stop at the"
                                + " end of the topic as it was at the start (empty); leave it"
                                + " out, and use --duration to end the run");
        assertThat(runRefused("--bounded=true")).startsWith("Invalid option '--bounded': ");
    }

    @Test
    void rejectsASecurityProtocolTheInProcessBrokerDoesNotSpeak() {
        // Before: the job's clients spoke SASL to a plain-text broker and never connected.
        assertThat(runRefused("--kafka.security.protocol=SASL_SSL"))
                .isEqualTo(
                        "Invalid option '--kafka.security.protocol': 'SASL_SSL'; the local run's"
                                + " in-process broker speaks PLAINTEXT only; leave the option"
                                + " out");
    }

    @Test
    void rejectsATransactionTimeoutAboveTheInProcessBrokersCap() {
        // Before: the broker refused every transaction of the job's exactly-once producers, the
        // job restarted into that failure without a word, and the run printed no window at all
        // until --duration was up, then exited with status 0.
        assertThat(
                        runRefused(
                                "--duration",
                                "20s",
                                "--prometheus-port",
                                "0",
                                "--window",
                                "2s",
                                "--checkpoint-interval",
                                "1s",
                                "--delivery-guarantee",
                                "exactly-once",
                                "--kafka.transaction.timeout.ms=900001"))
                .isEqualTo(
                        "Invalid value for option '--kafka.transaction.timeout.ms': '900001' is"
                                + " above the transaction.max.timeout.ms (900000) of the local"
                                + " run's in-process broker, which refuses every transaction of"
                                + " such a producer; lower it to at most 900000");
    }

    /** The one line of a local run refused before it starts anything, or of what it printed. */
    private static String runRefused(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                LocalRun.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        return err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("");
    }

    @Test
    void rejectsBadJobOptionsBeforeStarting() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int status =
                LocalRun.run(
                        new String[] {"--window", "soon"},
                        new PrintStream(buffer, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
    }
}
