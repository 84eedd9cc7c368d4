package io.relustream.jobs.report;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * The command lines of the report and the plot: picocli, with invalid options handled as the job
 * handles them (the problem and a pointer to {@code --help}, exit status 2).
 *
 * <pre>{@code
 * int status = Commands.commandLine(new PlotCommand()).execute("--activation", "relu6");
 * }</pre>
 */
final class Commands {

    private Commands() {}

    /** A command line of {@code command}, printing only the problem for invalid options. */
    static CommandLine commandLine(Object command) {
        CommandLine commandLine = new CommandLine(command);
        // Arguments such as "@prod" are values here, never files of arguments.
        commandLine.setExpandAtFiles(false);
        commandLine.setParameterExceptionHandler(
                (e, args) -> {
                    PrintWriter err = e.getCommandLine().getErr();
                    err.println(e.getMessage());
                    err.println("Use --help to see every option.");
                    err.flush();
                    return CommandLine.ExitCode.USAGE;
                });
        return commandLine;
    }
}
