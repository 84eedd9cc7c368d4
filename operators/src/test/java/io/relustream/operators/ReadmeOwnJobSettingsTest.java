package io.relustream.operators;

import io.relustream.testing.ChildJvm;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's own job runs with the JVM options the README's "Use the operators in your own job"
 * gives, and with nothing else: not the build's test options, not the Vector API module (optional,
 * the plain loops run without it).
 */
class ReadmeOwnJobSettingsTest {

    private static final Path README = Path.of("..", "README.md");

    @Test
    void theReadmeExampleRunsWithTheJvmOptionsTheReadmeGives() throws Exception {
        List<String> jvmOptions = new ArrayList<>(readmeJvmOptions());
        jvmOptions.add("-Dlog4j2.configurationFile=log4j2-test.properties");

        ChildJvm job = ChildJvm.run(jvmOptions, ReadmeOwnJobProbe.class);

        assertThat(job.exitCode).as(job.output).isZero();
        // leaky_relu(alpha=0.1): -2 -> -0.2 (f' = 0.1), 0 -> 0 (f'(0) = a = 0.1), 3 -> 3 (f' = 1);
        // "b" holds a NaN and the policy is reject.
        assertThat(job.output)
                .contains("activated a [-0.2, 0.0, 3.0] [0.1, 0.1, 1.0]")
                .contains("rejected b")
                .contains("sample a below the threshold 1");
    }

    @Test
    void theReadmeDependencyIsThisModuleAtItsVersion() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        String version = between(between(pom, "<parent>", "</parent>"), "<version>", "</version>");
        String artifactId = between(pom.substring(pom.indexOf("</parent>")), "<artifactId>", "<");

        String dependency = between(section(), "```xml\n", "```");

        assertThat(dependency)
                .contains("<groupId>io.relustream</groupId>")
                .contains("<artifactId>" + artifactId + "</artifactId>")
                .contains("<version>" + version + "</version>");
    }

    /**
     * The lines of the section's plain code blocks that are JVM options ({@code -D...}), split at
     * blanks.
     */
    private static List<String> readmeJvmOptions() throws Exception {
        List<String> options = new ArrayList<>();
        String blockLanguage = null;
        for (String line : section().split("\n")) {
            if (line.startsWith("```")) {
                blockLanguage = blockLanguage == null ? line.substring(3).trim() : null;
            } else if ("".equals(blockLanguage) && line.startsWith("-D")) {
                options.addAll(Arrays.asList(line.trim().split("\\s+")));
            }
        }
        return options;
    }

    /** The README's "Use the operators in your own job", up to the next section. */
    private static String section() throws Exception {
        String readme = Files.readString(README);
        int start = readme.indexOf("## Use the operators in your own job");
        assertThat(start).as("the README's section").isNotNegative();
        return readme.substring(start, readme.indexOf("\n## ", start + 1));
    }

    private static String between(String text, String from, String to) {
        int start = text.indexOf(from);
        assertThat(start).as(from).isNotNegative();
        start += from.length();
        return text.substring(start, text.indexOf(to, start));
    }
}
