package io.relustream.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The options of benchmarks/README.md are read before anything runs: a misspelt one must not run
 * the whole seven-minute suite, or nothing, or fail only once the suite is done.
 */
class BenchmarkSuiteArgumentsTest {

    @Test
    void readsTheOptionsOfTheReadme(@TempDir Path dir) {
        Path table = dir.resolve("table.md");
        BenchmarkSuite.Arguments arguments =
                BenchmarkSuite.Arguments.parse(
                        "--smoke", "--only", "kernels,end-to-end", "--output", table.toString());

        assertThat(arguments.smoke).isTrue();
        assertThat(arguments.sections).containsExactly("kernels", "end-to-end");
        assertThat(arguments.output).isEqualTo(table);
    }

    @Test
    void spacesAroundTheCommasOfOnlyAreNotPartOfTheSections() {
        BenchmarkSuite.Arguments arguments =
                BenchmarkSuite.Arguments.parse("--only", "kernels, memory ,end-to-end");

        assertThat(arguments.sections).containsExactly("kernels", "memory", "end-to-end");
    }

    @Test
    void noOptionsRunEverySectionForReal() {
        BenchmarkSuite.Arguments arguments = BenchmarkSuite.Arguments.parse();

        assertThat(arguments.smoke).isFalse();
        assertThat(arguments.sections).isEmpty();
        assertThat(arguments.output).isNull();
    }

    @Test
    void refusesASectionItDoesNotHave() {
        // "kernel" for "kernels" ran no section at all and printed a table of one line.
        assertThatThrownBy(() -> BenchmarkSuite.Arguments.parse("--only", "kernel"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid value for option '--only': 'kernel' is not a section; the"
                                + " sections are kernels, statistics, operators, end-to-end,"
                                + " memory");
        assertThatThrownBy(() -> BenchmarkSuite.Arguments.parse("--only", "memory,"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid value for option '--only': '' is not a section; the sections are"
                                + " kernels, statistics, operators, end-to-end, memory");
    }

    @Test
    void refusesAnOptionItDoesNotKnow() {
        // "--smok" ran the whole suite for real.
        assertThatThrownBy(() -> BenchmarkSuite.Arguments.parse("--smok"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown option: '--smok'");
    }

    @Test
    void refusesAnOptionWithoutItsValue() {
        // A last "--output" failed with ArrayIndexOutOfBoundsException after the whole suite.
        // The option whose value is missing: another option is no value.
        Map<List<String>, String> missing =
                Map.of(
                        List.of("--smoke", "--output"), "--output",
                        List.of("--only"), "--only",
                        List.of("--only", "--smoke"), "--only");
        missing.forEach(
                (args, option) ->
                        assertThatThrownBy(
                                        () ->
                                                BenchmarkSuite.Arguments.parse(
                                                        args.toArray(new String[0])))
                                .as(args.toString())
                                .isInstanceOf(IllegalArgumentException.class)
                                .hasMessage("Missing the value of option '" + option + "'"));
    }

    @Test
    void refusesAnOptionGivenTwiceNamingBothValues(@TempDir Path dir) {
        // The last one won without a word: "--only kernels ... --only memory" ran memory alone.
        assertThatThrownBy(
                        () ->
                                BenchmarkSuite.Arguments.parse(
                                        "--only", "kernels", "--smoke", "--only", "memory"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "option '--only' should be specified only once, got 'kernels' and"
                                + " 'memory'");
        String first = dir.resolve("a.md").toString();
        String second = dir.resolve("b.md").toString();
        assertThatThrownBy(
                        () -> BenchmarkSuite.Arguments.parse("--output", first, "--output", second))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "option '--output' should be specified only once, got '"
                                + first
                                + "' and '"
                                + second
                                + "'");
    }

    @Test
    void refusesAnOutputFileInAFolderThatDoesNotExist(@TempDir Path dir) {
        Path table = dir.resolve("missing").resolve("table.md");

        assertThatThrownBy(() -> BenchmarkSuite.Arguments.parse("--output", table.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid value for option '--output': the folder of '"
                                + table
                                + "' does not exist");
    }

    @Test
    void readsHelpAsEveryMainDoes() {
        // "--help" was an unknown option: exit status 2 and no description of the options.
        assertThat(BenchmarkSuite.Arguments.parse("--help").help).isTrue();
        assertThat(BenchmarkSuite.Arguments.parse("-h").help).isTrue();
        assertThat(BenchmarkSuite.Arguments.parse("--smoke").help).isFalse();
        // Only a valid command line prints the help, as in the job's mains.
        assertThatThrownBy(() -> BenchmarkSuite.Arguments.parse("--help", "--smok"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown option: '--smok'");
    }
}
