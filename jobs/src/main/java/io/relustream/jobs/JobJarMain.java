package io.relustream.jobs;

import io.relustream.jobs.options.JobOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code Main-Class} of the job jar, for {@code java -jar}: with Flink on the class path it is
 * {@link ActivationStatsJob#main}; the jar alone (Flink and slf4j are left to the cluster) still
 * reads the job's options as the job does (its help for {@code --help}, status 2 and one line for a
 * bad option), and for a valid command line says how to run the job instead of failing on a missing
 * Flink class. The values of {@code --kafka.} options and the files of {@code --writer-schemas} are
 * left to {@code flink run}: Kafka's client classes and Avro, which check them, need slf4j (with
 * {@code --help} the help is printed all the same). {@code flink run} starts {@link
 * ActivationStatsJob} itself (the jar's {@code program-class}).
 *
 * <pre>{@code
 * java -jar relu-stream-jobs.jar --help
 * }</pre>
 */
public final class JobJarMain {

    /** A class every Flink distribution has and the jar does not. */
    private static final String FLINK_CLASS =
            "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment";

    /** The option whose files Avro reads, which needs slf4j. */
    private static final String WRITER_SCHEMAS = "--writer-schemas";

    private JobJarMain() {}

    public static void main(String[] args) throws Exception {
        if (flinkIsOnTheClassPath()) {
            ActivationStatsJob.main(args);
            return;
        }
        int status;
        String[] checkable = args;
        try {
            try {
                status = JobOptions.run(checkable, options -> 1, System.out, System.err);
            } catch (NoClassDefFoundError avroWithoutSlf4j) {
                // --writer-schemas: Avro reads the schemas, and needs slf4j. Its check is left to
                // flink run; every other option is checked as before, the options after it too.
                checkable = withoutOption(args, WRITER_SCHEMAS);
                if (checkable.length == args.length) {
                    throw avroWithoutSlf4j;
                }
                status = JobOptions.run(checkable, options -> 1, System.out, System.err);
            }
        } catch (NoClassDefFoundError kafkaWithoutSlf4j) {
            // --kafka. options: Kafka's clients would check their values, and need slf4j. Every
            // other check came before them and passed (the transaction timeout's among them,
            // with its --kafka. value): only the help is left to print, where asked for.
            if (JobOptions.asksForHelp(checkable)) {
                System.out.print(JobOptions.usage());
                System.out.flush();
                status = 0;
            } else {
                status = 1;
            }
        }
        if (status == 1) {
            System.err.println(
                    "relu-stream-jobs.jar is a Flink job and Flink is not on the class path:"
                            + " submit it with `flink run relu-stream-jobs.jar --bootstrap-servers"
                            + " <host:port> ...` (--help lists the options)");
        }
        System.err.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * {@code args} without {@code option} and its values ({@code --name value} or {@code
     * --name=value}), up to a {@code --} that ends the options.
     */
    private static String[] withoutOption(String[] args, String option) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                rest.addAll(Arrays.asList(args).subList(i, args.length));
                break;
            }
            if (args[i].equals(option)) {
                i++;
            } else if (!args[i].startsWith(option + "=")) {
                rest.add(args[i]);
            }
        }
        return rest.toArray(new String[0]);
    }

    private static boolean flinkIsOnTheClassPath() {
        try {
            Class.forName(FLINK_CLASS, false, JobJarMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
