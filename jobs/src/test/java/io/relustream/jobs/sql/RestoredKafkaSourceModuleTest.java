package io.relustream.jobs.sql;

import io.relustream.jobs.RestoredSplitBounds;

import org.apache.flink.api.dag.Transformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL job's Kafka table source, made through {@link RestoredKafkaSourceModule}. */
class RestoredKafkaSourceModuleTest {

    /** An environment holding the script's statements, planned with or without the module. */
    private static StreamExecutionEnvironment planned(boolean withModule) {
        SqlZeroFractionJob job =
                SqlZeroFractionJob.parse(
                        "--bootstrap-servers", "localhost:9092", "--parallelism", "1");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env);
        if (withModule) {
            tableEnv.loadModule(
                    RestoredKafkaSourceModule.NAME,
                    new RestoredKafkaSourceModule("features", job.consumerProperties()));
        }
        ((StreamStatementSet) job.inserts(tableEnv)).attachAsDataStream();
        return env;
    }

    /**
     * The job graph of the script, with or without the module: its vertices and the ids of their
     * operators, which a savepoint maps its state by.
     */
    private static List<String> operators(boolean withModule) {
        StreamExecutionEnvironment env = planned(withModule);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        List<String> operators = new ArrayList<>();
        for (JobVertex vertex : graph.getVerticesSortedTopologicallyFromSources()) {
            // The name without the planner's numbers, which count every plan made in the JVM.
            operators.add(vertex.getName().replaceAll("\\[\\d+]", ""));
            for (OperatorIDPair id : vertex.getOperatorIDs()) {
                operators.add("  " + id.getGeneratedOperatorID());
            }
        }
        return operators;
    }

    /** The classes of the sources the script's statements read, with or without the module. */
    private static List<Class<?>> sources(boolean withModule) {
        StreamExecutionEnvironment env = planned(withModule);
        List<Class<?>> sources = new ArrayList<>();
        Deque<Transformation<?>> toVisit = new ArrayDeque<>(env.getTransformations());
        Set<Transformation<?>> visited = new HashSet<>();
        while (!toVisit.isEmpty()) {
            Transformation<?> transformation = toVisit.pop();
            if (!visited.add(transformation)) {
                continue;
            }
            if (transformation instanceof SourceTransformation) {
                sources.add(
                        ((SourceTransformation<?, ?, ?>) transformation).getSource().getClass());
            }
            toVisit.addAll(transformation.getInputs());
        }
        return sources;
    }

    /** The module is what the job reads through: Flink's Kafka source wrapped, once. */
    @Test
    void theScriptReadsItsInputThroughRestoredSplitBounds() {
        assertThat(sources(true)).containsExactly(RestoredSplitBounds.class);
        assertThat(sources(false)).containsExactly(KafkaSource.class);
    }

    /**
     * Savepoints of the job before it read through the module restore into it, and the other way
     * round: the same operators with the same ids, the input read by one source for both INSERTs.
     */
    @Test
    void theJobHasTheOperatorsOfFlinksKafkaTableSourceAlone() {
        List<String> withModule = operators(true);

        assertThat(withModule).isEqualTo(operators(false));
        assertThat(withModule).filteredOn(line -> line.startsWith("Source:")).hasSize(1);
    }
}
