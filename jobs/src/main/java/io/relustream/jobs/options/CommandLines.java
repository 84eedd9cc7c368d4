package io.relustream.jobs.options;

import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UnmatchedArgsBinding;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * The command lines of the mains beside the job (generator, local run, report, plot, SQL job):
 * picocli, with options handled as {@link JobOptions#run} handles the job's. An invalid option
 * prints one line naming the option, the value and what is allowed, then a pointer to {@code
 * --help}, and exits with status 2, instead of picocli's whole usage; with {@code --help}, an
 * unknown option, a stray argument or an invalid option is refused the same way, so only a valid
 * command line prints the help (status 0). A boolean option is never read as false from an empty
 * value ({@code --bounded=}), {@code --help=false} is refused, and an argument that starts with
 * {@code --} is never the separate value of the option before it.
 *
 * <pre>{@code
 * MyCommand command = new MyCommand(); // a picocli @Command that checks its options in a method
 * int status =
 *         CommandLines.of(command, CommandLines.USE_HELP, command::checkOptions).execute(args);
 * }</pre>
 */
public final class CommandLines {

    /**
     * The end of options as picocli is told to read it: no argument the user can give, so that
     * picocli sees it only where "--" stands alone.
     */
    private static final String END_OF_OPTIONS = "--\u0000";

    /** The pointer printed after an invalid option. */
    public static final String USE_HELP = "Use --help to see every option.";

    /** The message of a missing {@code --bootstrap-servers}, where a main requires it. */
    static final String MISSING_BOOTSTRAP_SERVERS =
            "Missing required option '--bootstrap-servers': give the Kafka brokers as a"
                    + " comma-separated list of host:port, e.g. kafka-1:9092,kafka-2:9092";

    private CommandLines() {}

    /**
     * A command line of {@code command}. {@code checkOptions} runs before the help is printed and
     * throws a {@link ParameterException} for what the command checks itself (options against each
     * other, and the arguments it takes as {@code @Unmatched}); the command runs it again when it
     * is called.
     */
    public static CommandLine of(Object command, String useHelp, Runnable checkOptions) {
        CommandLine commandLine = refuseOptionsAsValues(readBooleans(new CommandLine(command)));
        // Arguments such as "@prod" are values here, never files of arguments.
        commandLine.setExpandAtFiles(false);
        commandLine.setParameterExceptionHandler(
                (e, args) -> {
                    PrintWriter err = e.getCommandLine().getErr();
                    err.println(message(e, List.of(args)));
                    err.println(useHelp);
                    err.flush();
                    return CommandLine.ExitCode.USAGE;
                });
        commandLine.setExecutionStrategy(
                parsed -> {
                    String afterEnd = afterEndOfOptions(parsed.originalArgs());
                    if (afterEnd != null) {
                        throw new ParameterException(commandLine, afterEnd);
                    }
                    String invalidBoolean =
                            invalidBooleanValue(
                                    commandLine.getCommandSpec(), parsed.originalArgs());
                    if (invalidBoolean != null) {
                        throw new ParameterException(commandLine, invalidBoolean);
                    }
                    if (parsed.isUsageHelpRequested()) {
                        // With --help, picocli lets unknown options and stray arguments pass, and
                        // the command checks nothing: they are as wrong as an invalid value, which
                        // picocli still refuses.
                        List<UnmatchedArgsBinding> leftTo =
                                commandLine.getCommandSpec().unmatchedArgsBindings();
                        if (leftTo.isEmpty() && !parsed.unmatched().isEmpty()) {
                            throw new ParameterException(
                                    commandLine, unmatchedMessage(parsed.unmatched()));
                        }
                        // Nor does it hand them to a command that takes them, for it to check.
                        leftTo.forEach(binding -> bind(binding, parsed.unmatched()));
                        checkOptions.run();
                    }
                    return new CommandLine.RunLast().execute(parsed);
                });
        return commandLine;
    }

    /**
     * {@code commandLine}, its options never taking an argument that starts with {@code --} as
     * their separate value ({@code --name=--value} still gives one), as {@code --kafka.} options
     * never do: picocli takes any argument it does not know as the value of an option before it, so
     * {@code --topic --kafka.sasl.jaas.config=...} would put the JAAS configuration, password and
     * all, into the message about the topic name. The message names the option and the other
     * argument up to its {@code '='}.
     */
    static CommandLine refuseOptionsAsValues(CommandLine commandLine) {
        CommandSpec spec = commandLine.getCommandSpec();
        // Picocli reads "--" as the end of options also where it is the value after '='
        // (--job-name=--), which it then calls missing; it reads this one instead, put below for
        // the "--" that stands alone.
        commandLine.setEndOfOptionsDelimiter(END_OF_OPTIONS);
        spec.preprocessor(
                (stack, command, argSpec, info) -> {
                    // The stack holds the arguments last to first.
                    List<String> args = new ArrayList<>(stack);
                    Collections.reverse(args);
                    for (int i = 0; i < args.size(); i++) {
                        String arg = args.get(i);
                        if (arg.equals("--")) {
                            stack.set(args.size() - 1 - i, END_OF_OPTIONS);
                            break;
                        }
                        OptionSpec option = arg.startsWith("--") ? spec.findOption(arg) : null;
                        if (option == null || option.arity().min() < 1) {
                            continue;
                        }
                        String next = i + 1 < args.size() ? args.get(i + 1) : null;
                        if (next != null && next.startsWith("--")) {
                            int equals = next.indexOf('=');
                            throw new ParameterException(
                                    commandLine,
                                    "Expected parameter for option '"
                                            + arg
                                            + "' but found '"
                                            + (equals < 0 ? next : next.substring(0, equals))
                                            + "'");
                        }
                        i++;
                    }
                    return false;
                });
        return commandLine;
    }

    /** {@code commandLine}, its boolean options refusing a value but true or false by saying so. */
    static CommandLine readBooleans(CommandLine commandLine) {
        OptionConverters.BooleanValue booleans = new OptionConverters.BooleanValue();
        commandLine.registerConverter(Boolean.class, booleans);
        commandLine.registerConverter(Boolean.TYPE, booleans);
        return commandLine;
    }

    /**
     * The message of an unknown option or stray argument, as the job words it: picocli lists the
     * value after an unknown option as unknown too, and quotes {@code --name=value} whole (a Kafka
     * property's value may be a secret).
     */
    public static String unmatchedMessage(List<String> unmatched) {
        String first = unmatched.get(0);
        if (first.startsWith("-")) {
            int equals = first.indexOf('=');
            return "Unknown option: '" + (equals < 0 ? first : first.substring(0, equals)) + "'";
        }
        return unexpectedArgument(first);
    }

    /**
     * The message of the first argument after {@code --} in {@code args}, or null when there is
     * none. No command takes positional arguments, as the job refuses them ({@link
     * KafkaProperties#extract}); picocli would call an option there unknown ("--rate"), or hand it
     * to a command that takes the arguments it does not know (the local run's job).
     */
    public static String afterEndOfOptions(List<String> args) {
        int end = args.indexOf("--");
        return end >= 0 && end + 1 < args.size() ? unexpectedArgument(args.get(end + 1)) : null;
    }

    /**
     * The message of the first argument after {@code --} in {@code args} where picocli refused them
     * for it, with {@code e}, or null: it calls an option there unknown ("--rate"), and reports a
     * missing required option first. Picocli's other refusals, of the arguments before, stand.
     */
    public static String afterEndOfOptions(ParameterException e, List<String> args) {
        boolean forThem =
                e instanceof UnmatchedArgumentException
                        || e instanceof MissingParameterException
                                && e.getMessage().startsWith("Missing required option");
        return forThem ? afterEndOfOptions(args) : null;
    }

    /** The message of an argument that is neither an option nor an option's value. */
    public static String unexpectedArgument(String argument) {
        return "Unexpected argument: '"
                + argument
                + "'; every argument is an option or an option's value";
    }

    /**
     * The message for a boolean option given a value picocli would misread, or null when there is
     * none: picocli reads {@code --bounded=} and {@code --bounded=' '} as {@code --bounded=false},
     * so an empty value (an unset shell variable, say) would silently turn the option off; and it
     * takes {@code --help=false} as a help request (printing the help, or letting the job start
     * without its required options). Every other option refuses an empty value, and help is asked
     * for with {@code --help} alone (or {@code --help=true}).
     */
    public static String invalidBooleanValue(CommandSpec spec, List<String> args) {
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (!arg.startsWith("-") || equals < 0) {
                continue;
            }
            String name = arg.substring(0, equals);
            String value = arg.substring(equals + 1);
            OptionSpec option =
                    spec.findOption(name) != null
                            ? spec.findOption(name)
                            : spec.negatedOptionsMap().get(name);
            if (option == null || !option.typeInfo().isBoolean()) {
                continue;
            }
            if (value.isBlank()) {
                return "Invalid value for option '"
                        + name
                        + "': '"
                        + value
                        + "' is not a boolean; use true or false, or give the option without"
                        + " a value";
            }
            if (option.usageHelp() && !value.equalsIgnoreCase("true")) {
                return "Invalid value for option '"
                        + name
                        + "': '"
                        + value
                        + "' asks for no help; give "
                        + name
                        + " alone, or leave it out";
            }
        }
        return null;
    }

    /** Adds {@code unmatched} to an {@code @Unmatched} list or array, as picocli would. */
    private static void bind(UnmatchedArgsBinding binding, List<String> unmatched) {
        try {
            if (binding.getter() != null) {
                Collection<String> list = binding.getter().get();
                list.addAll(unmatched);
            } else {
                binding.setter().set(unmatched.toArray(new String[0]));
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot keep the arguments " + unmatched, e);
        }
    }

    /**
     * The message of the first argument of {@code args} that is neither an option of {@code spec},
     * a {@code --kafka.} option, nor the value of an option before it, or null when there is none.
     * Picocli reports a missing required option before an unknown one: {@code --version} alone
     * would be answered "Missing required option '--bootstrap-servers'".
     */
    public static String unknownArgument(CommandSpec spec, List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                return null;
            }
            int equals = arg.indexOf('=');
            if (arg.startsWith(KafkaProperties.PREFIX)) {
                i += equals < 0 ? 1 : 0;
                continue;
            }
            String name = equals < 0 ? arg : arg.substring(0, equals);
            OptionSpec option =
                    !arg.startsWith("-")
                            ? null
                            : spec.findOption(name) != null
                                    ? spec.findOption(name)
                                    : spec.negatedOptionsMap().get(name);
            if (option == null) {
                return unmatchedMessage(List.of(arg));
            }
            if (equals < 0 && option.arity().min() >= 1) {
                i++;
            }
        }
        return null;
    }

    /**
     * The message of {@code e}, which picocli threw for {@code args}: for an option given twice
     * with values, picocli's message followed by both values ({@code option '--window' (<duration>)
     * should be specified only once, got '10s' and '20s'}), so that the line says which value was
     * given twice and with what; else picocli's message.
     */
    public static String parameterMessage(ParameterException e, List<String> args) {
        if (!(e instanceof OverwrittenOptionException)
                || !(((OverwrittenOptionException) e).getOverwritten() instanceof OptionSpec)) {
            return e.getMessage();
        }
        OptionSpec option = (OptionSpec) ((OverwrittenOptionException) e).getOverwritten();
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        // The value of each of its first two occurrences, null for one without a value (a flag,
        // or a negated name such as --no-derivatives): picocli refuses the second.
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size() && values.size() < 2; i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                break;
            }
            if (!arg.startsWith("-")) {
                continue;
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            OptionSpec given = spec.findOption(name);
            // A --kafka. option's separate value never starts with "--", as KafkaProperties
            // reads it: "--kafka.acks --rate=1" gives --rate, not the value of --kafka.acks.
            boolean separateValue =
                    equals < 0
                            && i + 1 < args.size()
                            && (given != null
                                    ? given.arity().min() >= 1
                                    : arg.startsWith(KafkaProperties.PREFIX)
                                            && !args.get(i + 1).startsWith("--"));
            if (given == option) {
                values.add(
                        equals >= 0
                                ? arg.substring(equals + 1)
                                : separateValue ? args.get(i + 1) : null);
            } else if (given == null && spec.negatedOptionsMap().get(name) == option) {
                values.add(null);
            }
            i += separateValue ? 1 : 0;
        }
        return values.size() < 2 || values.contains(null)
                ? e.getMessage()
                : e.getMessage() + ", got '" + values.get(0) + "' and '" + values.get(1) + "'";
    }

    private static String message(ParameterException e, List<String> args) {
        String afterEnd = afterEndOfOptions(e, args);
        if (afterEnd != null) {
            return afterEnd;
        }
        if (e instanceof MissingParameterException
                && e.getMessage().startsWith("Missing required option")) {
            String unknown = unknownArgument(e.getCommandLine().getCommandSpec(), args);
            if (unknown != null) {
                return unknown;
            }
        }
        // Picocli names a missing option by its parameter label ("<bootstrapServers>"), and
        // reports a value missing after an option with the same exception: that one is fine.
        if (e instanceof MissingParameterException
                && e.getMessage().startsWith("Missing required option")
                && ((MissingParameterException) e)
                        .getMissing().stream()
                                .anyMatch(
                                        arg ->
                                                arg instanceof OptionSpec
                                                        && ((OptionSpec) arg)
                                                                .longestName()
                                                                .equals("--bootstrap-servers"))) {
            return MISSING_BOOTSTRAP_SERVERS;
        }
        if (e instanceof UnmatchedArgumentException
                && !((UnmatchedArgumentException) e).getUnmatched().isEmpty()) {
            return unmatchedMessage(((UnmatchedArgumentException) e).getUnmatched());
        }
        return parameterMessage(e, args);
    }
}
