package io.relustream.jobs.generator;

import io.relustream.jobs.options.Durations;

import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The generator's knobs, shared by {@link GeneratorCommand} and the local run as a picocli mixin:
 * {@code @Mixin GeneratorOptions generator;}.
 */
public final class GeneratorOptions {

    @Option(
            names = "--rate",
            defaultValue = "200",
            description = "Records per second. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(
            names = "--groups",
            defaultValue = "3",
            description = "Groups, named layer-0, layer-1, ... Default: ${DEFAULT-VALUE}.")
    int groups;

    @Option(
            names = "--dimensions",
            defaultValue = "16",
            description = "Values per record. Default: ${DEFAULT-VALUE}.")
    int dimensions;

    @Option(
            names = "--dead-share",
            defaultValue = "0.25",
            description =
                    "Share of each group's features that are dead. Default: ${DEFAULT-VALUE}.")
    double deadShare;

    @Option(
            names = "--recover-after",
            converter = Durations.Converter.class,
            defaultValue = "40s",
            description =
                    "When the even-numbered dead features recover. Default: ${DEFAULT-VALUE}.")
    Duration recoverAfter;

    @Option(
            names = "--nan-share",
            defaultValue = "0.002",
            description = "Share of records holding one NaN. Default: ${DEFAULT-VALUE}.")
    double nanShare;

    @Option(
            names = "--out-of-order",
            converter = Durations.Converter.class,
            defaultValue = "2s",
            description = "Event times lag the clock by up to this. Default: ${DEFAULT-VALUE}.")
    Duration outOfOrder;

    @Option(
            names = "--late-share",
            defaultValue = "0.002",
            description = "Share of records that arrive late. Default: ${DEFAULT-VALUE}.")
    double lateShare;

    @Option(
            names = "--late-by",
            converter = Durations.Converter.class,
            defaultValue = "2m",
            description = "How late the late records are. Default: ${DEFAULT-VALUE}.")
    Duration lateBy;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    /** Records per second. */
    public int rate() {
        return rate;
    }

    /** A one-line description for banners. */
    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "%d records/s, %d groups x %d features, %.0f%% dead",
                rate,
                groups,
                dimensions,
                100 * deadShare);
    }

    /**
     * The generator's settings.
     *
     * @throws IllegalArgumentException naming a value out of range
     */
    public FeatureGenerator.Settings settings() {
        if (rate < 1) {
            throw new IllegalArgumentException(
                    "Invalid value for option '--rate': " + rate + " must be >= 1");
        }
        return new FeatureGenerator.Settings(
                groups,
                dimensions,
                deadShare,
                recoverAfter,
                nanShare,
                outOfOrder,
                lateShare,
                lateBy,
                seed);
    }
}
