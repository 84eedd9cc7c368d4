package io.relustream.jobs.report;

import io.relustream.activation.Activation;
import io.relustream.activation.Activations;
import io.relustream.activation.VectorActivation;
import io.relustream.jobs.options.CommandLines;
import io.relustream.jobs.options.OptionConverters;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Draws an activation and its derivative over a range of inputs, as a PNG: the picture of the ReLU
 * article (ReLU and its derivative), for every spec {@code Activations.parse} reads.
 *
 * <pre>{@code
 * java -cp relu-stream-jobs.jar io.relustream.jobs.report.PlotCommand \
 *     --activation 'relu(negative_slope=0.1, max_value=6, threshold=0.5)' --output relu.png
 * }</pre>
 *
 * <p>See {@link ActivationPlot} for what the picture shows. Exit status: 0 when the image was
 * written; 2 for invalid options (maxout among them: it is not element-wise, so it has no curve) or
 * when neither curve has a finite value in the range; 1 when the file cannot be written, or the
 * image is more than the Java heap can hold.
 */
@Command(
        name = "plot",
        sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "Draws an activation f (solid) and its derivative f' (dashed) over a range of inputs,"
                    + " with its threshold and max value marked.",
            ""
        })
public final class PlotCommand implements Callable<Integer> {

    /** The narrowest range drawn, absolute and relative to the range's largest magnitude. */
    static final double MIN_RANGE = 1e-300;

    static final double MIN_RELATIVE_RANGE = 1e-9;

    @Option(
            names = "--activation",
            defaultValue = "relu",
            paramLabel = "<spec>",
            description =
                    "The activation: relu, leaky_relu(alpha=0.01), relu6, clipped_relu(max=4),"
                            + " thresholded_relu(theta=1), relu(negative_slope=.., max_value=..,"
                            + " threshold=.., grad_at_threshold=..); not maxout(k=..), which is not"
                            + " element-wise and has no curve. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(
            names = "--from",
            defaultValue = "-6",
            paramLabel = "<z>",
            converter = ReportConverters.FiniteNumber.class,
            description = "Smallest input. Default: ${DEFAULT-VALUE}.")
    double from;

    @Option(
            names = "--to",
            defaultValue = "6",
            paramLabel = "<z>",
            converter = ReportConverters.FiniteNumber.class,
            description = "Largest input; greater than --from. Default: ${DEFAULT-VALUE}.")
    double to;

    @Option(
            names = "--samples",
            defaultValue = "1201",
            paramLabel = "<count>",
            converter = ReportConverters.Samples.class,
            description =
                    "Evenly spaced inputs to evaluate, 2 to 1000000 (the threshold and max value"
                            + " are added). Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(
            names = "--output",
            converter = OptionConverters.FilePath.class,
            defaultValue = "activation.png",
            paramLabel = "<file>",
            description =
                    "The PNG file to write, under any name but one of another image format"
                            + " (.jpg, .svg, ...). Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(
            names = "--width",
            defaultValue = "1200",
            paramLabel = "<pixels>",
            converter = ReportConverters.ImageSize.class,
            description = "Width of the image, 400 to 8000. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(
            names = "--height",
            defaultValue = "700",
            paramLabel = "<pixels>",
            converter = ReportConverters.ImageSize.class,
            description = "Height of the image, 400 to 8000. Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print this help and exit.")
    boolean help;

    @Spec CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line of the plot, with the project's handling of invalid options. */
    public static CommandLine commandLine() {
        PlotCommand plot = new PlotCommand();
        return CommandLines.of(plot, CommandLines.USE_HELP, plot::checkOptions);
    }

    private ParameterException invalidRange(String why) {
        return new ParameterException(
                spec.commandLine(),
                "Invalid range: --from "
                        + typed("--from", from)
                        + " to --to "
                        + typed("--to", to)
                        + " "
                        + why);
    }

    @Override
    public Integer call() {
        Charts.headless();
        Activation function = checkOptions();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<BufferedImage> image;
        try {
            image = ActivationPlot.draw(function, from, to, samples, width, height);
        } catch (Charts.TooLargeException e) {
            err.println("Cannot draw " + output + ": " + e.getMessage());
            return 1;
        }
        if (image.isEmpty()) {
            err.println(
                    "Nothing to plot: "
                            + function.spec()
                            + " has no finite value from "
                            + typed("--from", from)
                            + " to "
                            + typed("--to", to)
                            + "; "
                            + output
                            + " not written.");
            return 2;
        }
        try {
            Charts.writePng(image.get(), output);
        } catch (UncheckedIOException e) {
            err.println(e.getMessage());
            return 1;
        }
        out.println(
                "Wrote " + output + " (" + width + "x" + height + "): " + function.spec() + ".");
        return 0;
    }

    /**
     * Checks the options against each other and the activation, as {@code --help} does too.
     *
     * @return the activation to draw
     * @throws ParameterException naming the option and the value
     */
    private Activation checkOptions() {
        Activation function = elementWise();
        if (!(from < to)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--to': '"
                            + typed("--to", to)
                            + "' must be greater than --from ("
                            + typed("--from", from)
                            + ")");
        }
        if (!Double.isFinite(to - from)) {
            throw invalidRange("is wider than the largest double; narrow it");
        }
        // Narrower, and the range holds too few distinct doubles for samples and tick labels.
        double magnitude = Math.max(Math.abs(from), Math.abs(to));
        if (to - from < Math.max(MIN_RANGE, magnitude * MIN_RELATIVE_RANGE)) {
            throw invalidRange(
                    "is too narrow to draw; it must span at least 1e-9 of its largest magnitude,"
                            + " and at least 1e-300");
        }
        if (output.toString().isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--output': '' names no file; give a .png file");
        }
        if (Files.isDirectory(output)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--output': '"
                            + output
                            + "' is a folder, not a file");
        }
        OutputPaths.checkPngName(spec.commandLine(), "--output", output);
        OutputPaths.checkCreatable(spec.commandLine(), "--output", output);
        return function;
    }

    private Activation elementWise() {
        VectorActivation parsed;
        try {
            parsed = Activations.parseVector(activation);
        } catch (IllegalArgumentException e) {
            // The parser's messages quote the spec and say what is allowed.
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--activation': " + e.getMessage());
        }
        if (!(parsed instanceof Activation)) {
            throw new ParameterException(
                    spec.commandLine(),
                    Activations.naming(
                            "Invalid value for option '--activation': "
                                    + Activations.quoted(activation)
                                    + " is not element-wise: maxout takes the largest of each"
                                    + " group of k inputs, so it has no curve f(z) to draw; plot"
                                    + " an element-wise activation such as relu",
                            activation));
        }
        return (Activation) parsed;
    }

    /** The value as the user typed it, or the default's text. */
    private String typed(String option, double value) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption(option)) {
            return parsed.matchedOption(option).originalStringValues().get(0);
        }
        return ActivationPlot.number(value);
    }
}
