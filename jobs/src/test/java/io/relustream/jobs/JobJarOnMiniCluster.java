package io.relustream.jobs;

import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;

import java.io.File;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the job jar's main class as a Flink cluster does: in a JVM whose class path has Flink but
 * not what the jar bundles (the Kafka connector and client, Avro, the project's classes), through
 * {@link PackagedProgram}, whose user-code class loader reads the jar child-first, on a MiniCluster
 * whose tasks load it from the job's jar again. {@code ShadedJarTest} starts it in a JVM of its
 * own.
 *
 * <p>Arguments: the jar, then the job's arguments. Exit status: the job's main's, or 1 when it
 * threw.
 */
public final class JobJarOnMiniCluster {

    private JobJarOnMiniCluster() {}

    public static void main(String[] args) throws Exception {
        File jar = new File(args[0]);
        String[] jobArgs = Arrays.copyOfRange(args, 1, args.length);
        Configuration configuration = new Configuration();
        MiniClusterConfiguration cluster =
                new MiniClusterConfiguration.Builder()
                        .setConfiguration(configuration)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(1)
                        .build();
        try (MiniCluster miniCluster = new MiniCluster(cluster)) {
            miniCluster.start();
            TestStreamEnvironment.setAsContext(
                    miniCluster, 1, List.of(new Path(jar.toURI())), List.of());
            PackagedProgram program =
                    PackagedProgram.newBuilder()
                            .setJarFile(jar)
                            .setConfiguration(configuration)
                            .setArguments(jobArgs)
                            .build();
            // What Flink's client does around a program's main: Kafka's clients load their
            // configured classes through the context class loader.
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(program.getUserCodeClassLoader());
            try {
                System.out.println("Main class: " + program.getMainClassName());
                program.invokeInteractiveModeForExecution();
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
                TestStreamEnvironment.unsetAsContext();
                program.close();
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
