package io.relustream.jobs.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every example's {@code main} in this JVM and compares what it prints with the output worked
 * out by hand below, so that the examples never rot; and checks that the README's Java code is
 * theirs. An example class with a {@code main} that this test does not run fails it.
 */
class ExamplesTest {

    /** Every example and what it prints; the arithmetic is in the comments. */
    private static final Map<Class<?>, String> OUTPUTS = new LinkedHashMap<>();

    static {
        // leaky_relu(alpha=0.1): f(z) = 0.1 * z and f'(z) = 0.1 for z <= 0 (f'(0) is the slope,
        // grad_at_threshold's default), z and 1 above: f(-2) = -0.2 (doubling 0.1 is exact).
        // The general rectifier at -1: 0.1 * (-1 - 0.5) = 0.1 * -1.5; the double 0.1 is
        // 3602879701896397 / 2^55, times 3/2 is 5404319552844595.5 / 2^55, a tie, rounded to the
        // even 5404319552844596 / 2^55 = 0.15000000000000002.
        // relu6: 0 below 0 (slope 0, derivative 0, also at 0), z and 1 between, 6 and 0 from 6 on;
        // NaN gives NaN. maxout(k=2) of [1, 3 | 2, 2]: maxima 3 and 2, masks at index 1 and at the
        // lower index of the tie, 2.
        OUTPUTS.put(
                ActivationMathExample.class,
                """
                spec: leaky_relu(alpha=0.1)
                f(-2.0) = -0.2, f'(-2.0) = 0.1
                f(0.0) = 0.0, f'(0.0) = 0.1
                f(3.0) = 3.0, f'(3.0) = 1.0
                relu(0.0) = 0.0, relu'(0.0) = 0.0
                relu(negative_slope=0.1, max_value=6, threshold=0.5) at -1.0 = -0.15000000000000002
                relu6  [0.0, 0.0, 2.5, 6.0, 6.0, NaN]
                relu6' [0.0, 0.0, 1.0, 0.0, 0.0, NaN]
                maxout  [3.0, 2.0]
                maxout' [0.0, 1.0, 1.0, 0.0]
                refused: Unknown activation 'relu7' in spec 'relu7'; allowed: relu, leaky_relu, \
                relu6, clipped_relu, thresholded_relu, maxout
                """);
        // leaky_relu(alpha=0.1) of a = [-2, 0, 3]: [-0.2, 0, 3], derivatives [0.1, 0.1, 1];
        // of c = [0.5, -1]: [0.5, -0.1], derivatives [1, 0.1]. b holds NaN at index 1: the reject
        // policy sends it, whole, to the side output.
        OUTPUTS.put(
                FeatureActivationExample.class,
                """
                activated a leaky_relu(alpha=0.1) [-0.2, 0.0, 3.0] derivatives [0.1, 0.1, 1.0]
                activated c leaky_relu(alpha=0.1) [0.5, -0.1] derivatives [1.0, 0.1]
                sample a [-0.2, 0.0, 3.0] inputs 3, below the threshold 1, NaN 0
                sample c [0.5, -0.1] inputs 2, below the threshold 1, NaN 0
                rejected b [1.0, NaN] topic null error io.relustream.operators.InvalidRecordException
                  reason: values[1] is NaN and the invalid-value policy is reject (NaN and \
                infinities are not accepted)
                """);
        // relu6 of s1: score -0.5 -> 0 (derivative 0), embedding [7, 2.5, -1] -> [6, 2.5, 0]
        // (derivatives [0, 1, 0]: 0 from the cap on); of s2: score 3 -> 3 (1), [0.5] -> [0.5] (1).
        // The new fields follow the input's, per chosen field the activation, then the derivative.
        OUTPUTS.put(
                GenericRecordActivationExample.class,
                """
                fields: sensor, score, embedding, score_relu6, score_grad, embedding_relu6, \
                embedding_grad
                sensor=s1 score=-0.5 embedding=[7.0, 2.5, -1.0] score_relu6=0.0 score_grad=0.0 \
                embedding_relu6=[6.0, 2.5, 0.0] embedding_grad=[0.0, 1.0, 0.0]
                sensor=s2 score=3.0 embedding=[0.5] score_relu6=3.0 score_grad=1.0 \
                embedding_relu6=[0.5] embedding_grad=[1.0]
                """);
        // Features: (1, layer-1, [-1, 2, 7]), (2, layer-1, [3, -4, 0.5]), (3, layer-2, [-2, 0]),
        // (4, layer-2, [-3, 5]). RELU zeroes the negatives and 0; RELU_GRAD is 1 above 0 only
        // (relu'(0) = 0); relu6 caps 7 at 6.
        // layer-1: relu outputs 0, 2, 7, 3, 0, 0.5: 2 zeros of 6 = 1/3; feature 0 and 1 are zero
        // in one row of two, feature 2 in none: none dead at 1.0; inputs below 0: -1, -4, 2 of 6;
        // mean 12.5 / 6 = 25/12, 2.0833333333333335 rounded; sorted 0, 0, 0.5, 2, 3, 7: p50 (the
        // least with 3 of 6 at or below) is 0.5; max 7.
        // layer-2: relu outputs 0, 0, 0, 5: 3 zeros of 4 = 0.75; feature 0 zero in both rows:
        // dead; inputs below 0: -2, -3, 2 of 4 = 0.5; mean 5 / 4 = 1.25; p50 0 (3 of 4 at or
        // below it); max 5.
        OUTPUTS.put(
                SqlFunctionsExample.class,
                """
                +I[1, [0.0, 2.0, 7.0], [0.0, 1.0, 1.0], [0.0, 2.0, 6.0]]
                +I[2, [3.0, 0.0, 0.5], [1.0, 0.0, 1.0], [3.0, 0.0, 0.5]]
                +I[3, [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
                +I[4, [0.0, 5.0], [0.0, 1.0], [0.0, 5.0]]
                +I[layer-1, 0.3333333333333333, [], 2, 2, 0.3333333333333333, 2.0833333333333335, \
                0.5, 7.0]
                +I[layer-2, 0.75, [0], 2, 3, 0.5, 1.25, 0.0, 5.0]
                """);
        // Ten-second windows from the epoch. layer-1 [0, 10s): relu of [-1, 2, 0] and [-3, 5, 1]
        // is [0, 2, 0], [0, 5, 1]: 3 zeros of 6 = 0.5; inputs below 0: -1, -3, 2 of 6; mean 8 / 6
        // = 4/3; feature 0 zero in 2 of 2 (dead), feature 1 in 0, feature 2 in 1 of 2.
        // layer-2 [0, 10s): [1, -1] -> [1, 0]: 1 of 2 zero, 1 of 2 below 0, mean 0.5, feature 1
        // dead. layer-1 [10s, 20s): [-2, -1, 4] -> [0, 0, 4]: 2 of 3 zero and below 0, mean 4 / 3,
        // features 0 and 1 dead.
        OUTPUTS.put(
                WindowStatsExample.class,
                """
                layer-1 [1970-01-01T00:00:00Z, 1970-01-01T00:00:10Z) relu: records 2, \
                zero_fraction 0.5, negative_input_fraction 0.3333333333333333, \
                mean 1.3333333333333333, per_feature_zero_fraction [1.0, 0.0, 0.5], \
                dead_features [0]
                layer-2 [1970-01-01T00:00:00Z, 1970-01-01T00:00:10Z) relu: records 1, \
                zero_fraction 0.5, negative_input_fraction 0.5, mean 0.5, \
                per_feature_zero_fraction [0.0, 1.0], dead_features [1]
                layer-1 [1970-01-01T00:00:10Z, 1970-01-01T00:00:20Z) relu: records 1, \
                zero_fraction 0.6666666666666666, negative_input_fraction 0.6666666666666666, \
                mean 1.3333333333333333, per_feature_zero_fraction [1.0, 1.0, 0.0], \
                dead_features [0, 1]
                """);
    }

    @BeforeAll
    static void startLoggingBeforeCapturing() {
        // The console appender keeps the System.out it starts with: started now, the warnings
        // of Flink's local cluster stay out of the examples' captured output.
        LoggerFactory.getLogger(ExamplesTest.class).debug("examples");
    }

    static Stream<Arguments> examples() {
        return OUTPUTS.entrySet().stream()
                .map(e -> Arguments.of(e.getKey().getSimpleName(), e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void examplePrintsTheOutputWorkedOutByHand(String name, Class<?> example, String expected)
            throws Exception {
        assertThat(runMain(example)).isEqualTo(expected);
    }

    @Test
    void everyExampleWithAMainIsRunByThisTest() throws Exception {
        Path classes =
                Path.of(
                        ActivationMathExample.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Path folder = classes.resolve(ExamplesTest.class.getPackageName().replace('.', '/'));
        Set<String> withMain = new TreeSet<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String fileName = file.getFileName().toString();
                if (!fileName.endsWith(".class") || fileName.contains("$")) {
                    continue;
                }
                Class<?> type =
                        Class.forName(
                                ExamplesTest.class.getPackageName()
                                        + "."
                                        + fileName.substring(0, fileName.length() - 6));
                if (hasMain(type)) {
                    withMain.add(type.getName());
                }
            }
        }
        Set<String> run = new TreeSet<>();
        OUTPUTS.keySet().forEach(type -> run.add(type.getName()));

        assertThat(withMain).isNotEmpty().isEqualTo(run);
    }

    @Test
    void everyStatementOfTheReadmeJavaBlocksIsInAnExample() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        StringBuilder examples = new StringBuilder();
        for (Class<?> example : OUTPUTS.keySet()) {
            examples.append(
                    Files.readString(
                            Path.of(
                                    "src/main/java",
                                    example.getName().replace('.', '/') + ".java")));
        }
        String code = withoutCommentsAndBlanks(examples.toString());

        List<String> statements = new ArrayList<>();
        while (block.find()) {
            for (String statement : withoutCommentsAndBlanks(block.group(1)).split(";")) {
                if (!statement.isEmpty()) {
                    statements.add(statement);
                }
            }
        }
        // The "your own job" block has five statements, the "Flink SQL" block one.
        assertThat(statements).hasSize(6);
        assertThat(statements.stream().filter(statement -> !code.contains(statement)))
                .as("statements of the README in no example")
                .isEmpty();
    }

    /** Java code without its line comments and blanks, so that line breaks do not matter. */
    private static String withoutCommentsAndBlanks(String code) {
        return code.replaceAll("//[^\\n]*", "").replaceAll("\\s+", "");
    }

    private static boolean hasMain(Class<?> type) {
        try {
            Method main = type.getMethod("main", String[].class);
            return Modifier.isStatic(main.getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** What {@code main} prints with no arguments, with {@code \n} for line ends. */
    private static String runMain(Class<?> example) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            example.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
