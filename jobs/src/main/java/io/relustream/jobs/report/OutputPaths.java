package io.relustream.jobs.report;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Start-up checks of the files and folders {@link ReportCommand} and {@link PlotCommand} write, so
 * that a path that can never be written is refused with status 2 before anything is read or drawn.
 */
final class OutputPaths {

    private OutputPaths() {}

    /**
     * Refuses a path under a regular file: no folder can be created there.
     *
     * @throws ParameterException naming the option, the path and the file in the way
     */
    static void checkCreatable(CommandLine commandLine, String option, Path path) {
        for (Path parent = path.toAbsolutePath().getParent();
                parent != null;
                parent = parent.getParent()) {
            if (Files.exists(parent)) {
                if (!Files.isDirectory(parent)) {
                    throw new ParameterException(
                            commandLine,
                            "Invalid value for option '"
                                    + option
                                    + "': '"
                                    + path
                                    + "' cannot be created: '"
                                    + parent
                                    + "' is a file, not a folder");
                }
                return;
            }
        }
    }
}
