package io.relustream.jobs.local;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
    void printsTheStatisticsOfEveryGroupAsWindowsClose() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

        int status =
                LocalRun.run(
                        new String[] {
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
    void rejectsBadJobOptionsBeforeStarting() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int status =
                LocalRun.run(
                        new String[] {"--window", "soon"},
                        new PrintStream(buffer, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
    }
}
