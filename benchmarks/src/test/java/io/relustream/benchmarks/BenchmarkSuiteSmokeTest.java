package io.relustream.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every benchmark runs once with a tiny count, so none of them rots. No timing is asserted: the
 * numbers of a smoke run mean nothing.
 */
class BenchmarkSuiteSmokeTest {

    @Test
    void everyBenchmarkRunsOnceAndFillsItsRowOfTheTable() throws Exception {
        List<String> table = new BenchmarkSuite(true).run();

        assertThat(table.get(0)).contains("SMOKE RUN");
        assertThat(table)
                .anyMatch(line -> line.startsWith("| 64 |"))
                .anyMatch(line -> line.startsWith("### relu + derivative into new arrays"))
                .anyMatch(line -> line.startsWith("## 2. Operator in Flink"))
                .anyMatch(line -> line.startsWith("## 3. End to end"))
                .anyMatch(line -> line.startsWith("## 4. Memory"));
        assertThat(table).noneMatch(line -> line.contains("NaN") || line.contains("null"));
    }
}
