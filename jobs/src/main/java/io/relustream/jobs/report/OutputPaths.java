package io.relustream.jobs.report;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Start-up checks of the files and folders {@link ReportCommand} and {@link PlotCommand} write, so
 * that a path that can never be written is refused with status 2 before anything is read or drawn.
 */
final class OutputPaths {

    /**
     * Extensions of image formats other than PNG, lower-case: a PNG under such a name tells its
     * readers a format it is not in, and is what the user asked for only in name.
     */
    private static final Set<String> OTHER_IMAGE_EXTENSIONS =
            Set.of(
                    "jpg", "jpeg", "jpe", "jfif", "gif", "bmp", "dib", "svg", "svgz", "pdf", "eps",
                    "ps", "webp", "tif", "tiff", "ico", "heic", "heif", "avif", "jxl", "jp2");

    private OutputPaths() {}

    /**
     * Refuses a plot's file name ending in the extension of another image format ({@code
     * chart.jpg}, {@code chart.SVG}): the image is PNG whatever the name. A {@code .png} name in
     * any case, and names without an image extension ({@code chart}, {@code /dev/stdout}), pass.
     *
     * @throws ParameterException naming the option, the path and a {@code .png} name for it
     */
    static void checkPngName(CommandLine commandLine, String option, Path path) {
        Path name = path.getFileName();
        String text = name == null ? "" : name.toString();
        int dot = text.lastIndexOf('.');
        String extension = dot < 0 ? "" : text.substring(dot + 1);
        if (!OTHER_IMAGE_EXTENSIONS.contains(extension.toLowerCase(Locale.ROOT))) {
            return;
        }
        String written = typed(commandLine, option, path);
        // The name to write without the slashes after it, which name no other file.
        String file = written.replaceFirst("/+$", "");
        if (!file.endsWith(extension)) {
            file = path.toString();
        }
        throw new ParameterException(
                commandLine,
                "Invalid value for option '"
                        + option
                        + "': '"
                        + written
                        + "' ends in ."
                        + extension
                        + ", but the plot writes PNG; name the file .png ("
                        + file.substring(0, file.length() - extension.length())
                        + "png), or give a name without an extension");
    }

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
                                    + typed(commandLine, option, path)
                                    + "' cannot be created: '"
                                    + parent
                                    + "' is a file, not a folder");
                }
                return;
            }
        }
    }

    /**
     * The option's value as the user typed it, for a refusal to echo: {@link Path#toString} drops a
     * trailing '/' and doubled ones, so {@code chart.jpg/} would be echoed as {@code chart.jpg}.
     */
    private static String typed(CommandLine commandLine, String option, Path path) {
        CommandLine.ParseResult parsed = commandLine.getParseResult();
        if (parsed == null || !parsed.hasMatchedOption(option)) {
            return path.toString();
        }
        List<String> values = parsed.matchedOption(option).originalStringValues();
        return values.isEmpty() ? path.toString() : values.get(values.size() - 1);
    }
}
