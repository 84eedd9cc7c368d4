package io.relustream.jobs;

import io.relustream.jobs.local.EmbeddedKafka;

import java.util.List;

/** The six topics of one job run in a test, named after the test, and the options naming them. */
final class JobTopics {

    final String features;
    final String activations;
    final String stats;
    final String alerts;
    final String dlq;
    final String late;

    private JobTopics(String prefix) {
        features = prefix + "-features";
        activations = prefix + "-activations";
        stats = prefix + "-stats";
        alerts = prefix + "-alerts";
        dlq = prefix + "-dlq";
        late = prefix + "-late";
    }

    /** Creates the topics; the input topic with {@code partitions} partitions. */
    static JobTopics create(EmbeddedKafka kafka, String prefix, int partitions) throws Exception {
        JobTopics topics = new JobTopics(prefix);
        kafka.createTopics(partitions, topics.features);
        kafka.createTopics(
                1, topics.activations, topics.stats, topics.alerts, topics.dlq, topics.late);
        return topics;
    }

    /** The options that point the job at these topics. */
    List<String> args() {
        return List.of(
                "--input-topic", features,
                "--output-topic", activations,
                "--stats-topic", stats,
                "--alerts-topic", alerts,
                "--dlq-topic", dlq,
                "--late-topic", late);
    }
}
