package io.relustream.jobs;

import io.relustream.jobs.options.JobOptions;

import java.util.Set;

/**
 * The {@code Main-Class} of the job jar, for {@code java -jar}: with Flink on the class path it is
 * {@link ActivationStatsJob#main}; the jar alone (Flink and slf4j are left to the cluster) still
 * prints the job's help, and says how to run the job instead of failing on a missing Flink class.
 * {@code flink run} starts {@link ActivationStatsJob} itself (the jar's {@code program-class}).
 *
 * <pre>{@code
 * java -jar relu-stream-jobs.jar --help
 * }</pre>
 */
public final class JobJarMain {

    /** A class every Flink distribution has and the jar does not. */
    private static final String FLINK_CLASS =
            "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment";

    private static final Set<String> HELP = Set.of("--help", "-h");

    private JobJarMain() {}

    public static void main(String[] args) throws Exception {
        if (flinkIsOnTheClassPath()) {
            ActivationStatsJob.main(args);
            return;
        }
        if (args.length == 1 && HELP.contains(args[0])) {
            System.out.print(JobOptions.usage());
            System.out.flush();
            return;
        }
        System.err.println(
                "relu-stream-jobs.jar is a Flink job and Flink is not on the class path: submit"
                        + " it with `flink run relu-stream-jobs.jar --bootstrap-servers"
                        + " <host:port> ...` (--help lists the options)");
        System.exit(1);
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
