package io.relustream.jobs;

import io.relustream.jobs.generator.GeneratorCommand;
import io.relustream.jobs.local.LocalRun;
import io.relustream.jobs.options.JobOptions;
import io.relustream.jobs.report.PlotCommand;
import io.relustream.jobs.report.ReportCommand;
import io.relustream.jobs.sql.SqlZeroFractionJob;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every main takes {@code -h} for {@code --help}, as the SQL job always did, and words it alike.
 */
class HelpOptionTest {

    /** What one run of a main printed and returned. */
    private record Run(int status, String out, String err) {}

    private interface Main {
        Run run(String... args);
    }

    static Stream<Arguments> mains() {
        return Stream.of(
                Arguments.of("job", (Main) HelpOptionTest::job, "--window"),
                Arguments.of("local run", (Main) HelpOptionTest::localRun, "--duration"),
                Arguments.of(
                        "generator",
                        (Main) args -> picocli(GeneratorCommand::commandLine, args),
                        "--topic"),
                Arguments.of(
                        "report",
                        (Main) args -> picocli(ReportCommand::commandLine, args),
                        "--topic"),
                Arguments.of(
                        "plot", (Main) args -> picocli(PlotCommand::commandLine, args), "--width"),
                Arguments.of(
                        "SQL job",
                        (Main) args -> picocli(SqlZeroFractionJob::commandLine, args),
                        "--window"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mains")
    void shortHelpPrintsWhatLongHelpPrints(String name, Main main, String option) {
        Run longHelp = main.run("--help");
        Run shortHelp = main.run("-h");

        assertThat(longHelp.status()).isZero();
        assertThat(longHelp.err()).isEmpty();
        assertThat(shortHelp).isEqualTo(longHelp);
        assertThat(longHelp.out()).contains("-h, --help", "Print this help and exit.");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mains")
    void shortHelpIsNeverTakenAsTheValueOfAnOption(String name, Main main, String option) {
        // "-h" after an option that wants a value is a mistake, not a value nor a help request.
        Run run = main.run(option, "-h");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .startsWith("Expected parameter for option '" + option + "' but found '-h'");
    }

    private static Run job(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                JobOptions.run(
                        args,
                        options -> {
                            throw new AssertionError("the job must not start for help");
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run localRun(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                LocalRun.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run picocli(Supplier<CommandLine> commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = commandLine.get();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int status = command.execute(args);
        return new Run(status, out.toString(), err.toString());
    }
}
