package io.relustream.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class of the test class path run in a JVM of its own, for what a JVM reads once at start
 * (system properties, the modules it was started with).
 */
public final class ChildJvm {

    /** The exit code and the output, standard error merged into standard output. */
    public final int exitCode;

    public final String output;

    private ChildJvm(int exitCode, String output) {
        this.exitCode = exitCode;
        this.output = output;
    }

    /** Runs {@code mainClass} with only {@code jvmOptions} and waits up to a minute for it. */
    public static ChildJvm run(List<String> jvmOptions, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(mainClass.getName() + " did not end within 60 s");
        }
        return new ChildJvm(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
