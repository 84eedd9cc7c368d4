package io.relustream.jobs.generator;

import io.relustream.jobs.options.Durations;
import io.relustream.jobs.options.OptionConverters;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.math.BigInteger;
import java.time.Duration;

/**
 * The generator's knobs, shared by {@link GeneratorCommand} and the local run as a picocli mixin:
 * {@code @Mixin GeneratorOptions generator;}.
 *
 * <pre>{@code
 * FeatureGenerator features = new FeatureGenerator(generator.settings()); // checks the options
 * int perSecond = generator.rate();
 * }</pre>
 */
public final class GeneratorOptions {

    @Option(
            names = "--rate",
            paramLabel = "<count>",
            defaultValue = "200",
            converter = OptionConverters.AtLeastOne.class,
            description = "Records per second, at least 1. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(
            names = "--groups",
            paramLabel = "<count>",
            defaultValue = "3",
            converter = OptionConverters.AtLeastOne.class,
            description =
                    "Groups, at least 1, named layer-0, layer-1, ... Default: ${DEFAULT-VALUE}.")
    int groups;

    @Option(
            names = "--dimensions",
            paramLabel = "<count>",
            defaultValue = "16",
            converter = Dimensions.class,
            description = "Values per record, 1 to 100000. Default: ${DEFAULT-VALUE}.")
    int dimensions;

    @Option(
            names = "--dead-share",
            paramLabel = "<share>",
            defaultValue = "0.25",
            converter = OptionConverters.Share.class,
            description =
                    "Share of each group's features that are dead, in [0, 1], rounded to a"
                            + " whole number of features, at least one above 0 (0.01 of 16 makes"
                            + " one). Default: ${DEFAULT-VALUE}.")
    double deadShare;

    @Option(
            names = "--recover-after",
            paramLabel = "<duration>",
            converter = Durations.Converter.class,
            defaultValue = "40s",
            description =
                    "When the even-numbered dead features recover. Default: ${DEFAULT-VALUE}.")
    Duration recoverAfter;

    @Option(
            names = "--nan-share",
            paramLabel = "<share>",
            defaultValue = "0.002",
            converter = OptionConverters.Share.class,
            description = "Share of records holding one NaN, in [0, 1]. Default: ${DEFAULT-VALUE}.")
    double nanShare;

    @Option(
            names = "--out-of-order",
            paramLabel = "<duration>",
            converter = Durations.Converter.class,
            defaultValue = "2s",
            description = "Event times lag the clock by up to this. Default: ${DEFAULT-VALUE}.")
    Duration outOfOrder;

    @Option(
            names = "--late-share",
            paramLabel = "<share>",
            defaultValue = "0.002",
            converter = OptionConverters.Share.class,
            description =
                    "Share of records that arrive late, in [0, 1). Default: ${DEFAULT-VALUE}.")
    double lateShare;

    @Option(
            names = "--late-by",
            paramLabel = "<duration>",
            converter = Durations.Converter.class,
            defaultValue = "2m",
            description =
                    "How late the late records are; longer than --out-of-order. Default:"
                            + " ${DEFAULT-VALUE}.")
    Duration lateBy;

    @Option(
            names = "--seed",
            paramLabel = "<seed>",
            defaultValue = "42",
            converter = Seed.class,
            description =
                    "Seed of the random features, any 64-bit integer. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The command this is part of, whose parse result holds the values as they were typed. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The most values per record: 100,000 doubles make an 800 KB record, under Kafka's 1 MB. */
    public static final int MAX_DIMENSIONS = 100_000;

    /** {@code --dimensions}: 1 to {@link #MAX_DIMENSIONS}. */
    static final class Dimensions implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return OptionConverters.intInRange(
                    value,
                    1,
                    MAX_DIMENSIONS,
                    "at most "
                            + MAX_DIMENSIONS
                            + " values per record, so that a record fits Kafka's default 1 MB"
                            + " message size");
        }
    }

    /**
     * {@code --seed}: any long, read as the other options read numbers, with a message that says
     * what is allowed (picocli's own says only "is not a long").
     */
    static final class Seed implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String stripped = value.strip();
            if (!stripped.matches("[+-]?[0-9]+")
                    || new BigInteger(stripped).bitLength() > Long.SIZE - 1) {
                throw new TypeConversionException(
                        "'"
                                + value
                                + "' must be an integer from "
                                + Long.MIN_VALUE
                                + " to "
                                + Long.MAX_VALUE);
            }
            return new BigInteger(stripped).longValueExact();
        }
    }

    /** Records per second. */
    public int rate() {
        return rate;
    }

    /** A one-line description for banners. */
    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "%s/s, %s x %s, %d dead in each group",
                counted(rate, "record"),
                counted(groups, "group"),
                counted(dimensions, "feature"),
                FeatureGenerator.deadFeatures(deadShare, dimensions));
    }

    /** {@code count} and its noun, in the singular for one: "1 group x 1 feature". */
    private static String counted(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /** The value of {@code option} as typed, or {@code otherwise} when it was not given. */
    private String typed(String option, String otherwise) {
        CommandLine.ParseResult parsed =
                command == null ? null : command.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option)
                ? parsed.matchedOption(option).originalStringValues().get(0)
                : otherwise;
    }

    /**
     * The generator's settings.
     *
     * @throws IllegalArgumentException naming a value out of range
     */
    public FeatureGenerator.Settings settings() {
        // A late record is one that comes after records of later event times: late by no more
        // than the usual disorder, or all late alike, nothing stands out as late.
        if (lateShare > 0 && lateBy.compareTo(outOfOrder) <= 0) {
            throw new IllegalArgumentException(
                    "Invalid value for option '--late-by': '"
                            + typed("--late-by", Durations.format(lateBy))
                            + "' must be longer than --out-of-order ("
                            + typed("--out-of-order", Durations.format(outOfOrder))
                            + "), or the late records are not late");
        }
        if (lateShare >= 1) {
            throw new IllegalArgumentException(
                    "Invalid value for option '--late-share': '"
                            + typed("--late-share", String.valueOf(lateShare))
                            + "' must be below 1: when every record is late by the same time,"
                            + " none is late");
        }
        // Event times are the clock less a lag, and Kafka takes no record timestamp before 1970:
        // a longer lag would stop the generator at its first such record.
        String longestLagOption = lateShare > 0 ? "--late-by" : "--out-of-order";
        Duration longestLag = lateShare > 0 ? lateBy : outOfOrder;
        if (longestLag.toMillis() > System.currentTimeMillis()) {
            throw new IllegalArgumentException(
                    "Invalid value for option '"
                            + longestLagOption
                            + "': '"
                            + typed(longestLagOption, Durations.format(longestLag))
                            + "' reaches back before 1970-01-01, and Kafka takes no record"
                            + " timestamps before it");
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
