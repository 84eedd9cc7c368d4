package io.relustream.jobs;

import io.relustream.jobs.local.EmbeddedKafka;
import io.relustream.jobs.options.JobOptions;
import io.relustream.operators.ActivationMetrics;
import io.relustream.stats.WindowGauges;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The job's metrics as Prometheus scrapes them from a MiniCluster run. */
class PrometheusMetricsITCase {

    private static final int PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(
                                    ActivationStatsJob.withPrometheus(new Configuration(), PORT))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T0 = 1_700_000_000_000L;

    // Two groups that the reporter's default label filter would merge into one series, layer_0.
    private static final String DASHED = "layer-0";
    private static final String DOTTED = "layer.0";

    private static EmbeddedKafka kafka;
    private static KafkaTopics topics;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        topics = new KafkaTopics(kafka.bootstrapServers());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    /** All 24 good records counted, and both groups' two closed windows. */
    private static boolean hasSettled(PrometheusText scraped) {
        String operator = "flink_taskmanager_job_task_operator_";
        List<PrometheusText.Sample> records =
                scraped.find(operator + "activationRecords", "operator_name", "activate relu");
        if (records.size() != 1 || records.get(0).value < 24) {
            return false;
        }
        for (String group : List.of(DASHED, DOTTED)) {
            for (String gauge : List.of("lastWindowZeroFraction", "lastWindowDeadFeatures")) {
                if (scraped.find(operator + "group_" + gauge, "group", group).size() != 1) {
                    return false;
                }
            }
            List<PrometheusText.Sample> closed =
                    scraped.find(operator + "group_closedWindows", "group", group);
            if (closed.size() != 1 || closed.get(0).value < 2) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the job on {@code names} with {@code jobArgs} until its stats topic holds {@code
     * statsRecords} records and {@code settled} holds for a scrape, then cancels it; returns that
     * scrape.
     */
    private static PrometheusText runUntil(
            JobTopics names,
            String jobName,
            List<String> jobArgs,
            int statsRecords,
            Predicate<PrometheusText> settled)
            throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--parallelism",
                                "1",
                                "--idleness",
                                "1s"));
        args.addAll(jobArgs);
        args.addAll(names.args());
        JobOptions options = JobOptions.parse(args.toArray(new String[0]));
        StreamExecutionEnvironment env = ActivationStatsJob.environment(options);
        ActivationStatsPipeline.build(
                env,
                options,
                ActivationStatsJob.kafkaSource(options),
                ActivationStatsJob.kafkaOutputs(options));
        JobClient job = env.executeAsync(jobName);
        PrometheusText scraped = new PrometheusText("");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                Thread.sleep(500);
                scraped = new PrometheusText(scrape(PORT));
                if (topics.readAll(names.stats).size() >= statsRecords && settled.test(scraped)) {
                    break;
                }
            }
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
            // Until its tasks are gone, and their metrics with them: another run's scrapes must
            // not see them.
            while (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                Thread.sleep(100);
            }
        }
        return scraped;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Path DASHBOARD = Path.of("../docker/grafana/dashboards/relu-stream.json");
    private static final Path ALERT_RULES = Path.of("../docker/prometheus/alerts.yml");
    private static final Path ALERT_TESTS = Path.of("../docker/prometheus/alerts.test.yml");

    private static final Path README = Path.of("../README.md");

    /**
     * The metric names of the README's "Monitoring" table, written out: {@code ..._x} stands for
     * the prefix the table's note gives, {@code flink_taskmanager_job_task_x}.
     */
    static Set<String> readmeMetricNames() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## Monitoring\n");
        assertThat(start).as("the README's Monitoring section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String monitoring = readme.substring(start, end < 0 ? readme.length() : end);
        Matcher prefix =
                Pattern.compile("\\(`\\.\\.\\.` is `(flink_[a-z_]+)`\\.\\)").matcher(monitoring);
        assertThat(prefix.find()).as("the note that says what ... stands for").isTrue();
        Set<String> names = new TreeSet<>();
        // A name, not a pattern such as ..._operator_group_<same names>{group="..."}.
        Matcher name = Pattern.compile("`\\.\\.\\.(_[A-Za-z0-9_]+)`").matcher(monitoring);
        while (name.find()) {
            names.add(prefix.group(1) + name.group(1));
        }
        assertThat(names).as("metric names in the README").hasSizeGreaterThanOrEqualTo(8);
        return names;
    }

    /** The Flink metric names in the PromQL expressions of a dashboard or rule file. */
    static Set<String> metricNamesIn(Path file) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher matcher = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(Files.readString(file));
        while (matcher.find()) {
            names.add(matcher.group());
        }
        assertThat(names).as("metric names in " + file).isNotEmpty();
        return names;
    }

    /** A PromQL expression of a dashboard panel or alert rule, with the legend it is shown by. */
    record Query(String where, String expr) {}

    /**
     * Every PromQL expression of the dashboard (panel targets with their legends, variable queries)
     * and of the alert rules.
     */
    static List<Query> queries() throws IOException {
        List<Query> queries = new ArrayList<>();
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        for (JsonNode panel : dashboard.findParents("targets")) {
            for (JsonNode query : panel.path("targets")) {
                queries.add(
                        new Query(
                                DASHBOARD
                                        + " \""
                                        + panel.path("title").asText()
                                        + "\" "
                                        + query.path("refId").asText(),
                                query.path("expr").asText()
                                        + " "
                                        + query.path("legendFormat").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            queries.add(
                    new Query(
                            DASHBOARD + " $" + variable.path("name").asText(),
                            variable.path("query").path("query").asText()));
        }
        Map<String, Object> rules = new Yaml().load(Files.readString(ALERT_RULES));
        for (Object group : (List<?>) rules.get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                Map<?, ?> fields = (Map<?, ?>) rule;
                queries.add(
                        new Query(
                                ALERT_RULES + " " + fields.get("alert"),
                                String.valueOf(fields.get("expr"))));
            }
        }
        assertThat(queries).isNotEmpty();
        return queries;
    }

    // Where PromQL names labels: by/without/on/ignoring/group_left/group_right lists, selector
    // matchers, label_values(metric or selector, label), and a legend's {{label}}.
    private static final Pattern LABEL_LIST =
            Pattern.compile(
                    "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("flink_[A-Za-z0-9_]+\\s*\\{([^}]*)}");
    private static final Pattern MATCHER =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern LABEL_VALUES =
            Pattern.compile(
                    "label_values\\(\\s*(?:flink_[A-Za-z0-9_]+\\s*)?(?:\\{[^}]*}\\s*)?,"
                            + "\\s*([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern LEGEND =
            Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    /** The label names an expression (and its legend) refers to. */
    static Set<String> labelNamesIn(String expr) {
        Set<String> labels = new TreeSet<>();
        Matcher lists = LABEL_LIST.matcher(expr);
        while (lists.find()) {
            for (String label : lists.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.strip());
                }
            }
        }
        Matcher selectors = SELECTOR.matcher(expr);
        while (selectors.find()) {
            Matcher matchers = MATCHER.matcher(selectors.group(1));
            while (matchers.find()) {
                labels.add(matchers.group(1));
            }
        }
        for (Pattern pattern : List.of(LABEL_VALUES, LEGEND)) {
            Matcher matcher = pattern.matcher(expr);
            while (matcher.find()) {
                labels.add(matcher.group(1));
            }
        }
        return labels;
    }

    static String scrape(int port) throws IOException {
        try (InputStream in =
                URI.create("http://localhost:" + port + "/metrics").toURL().openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // `on (..., group)`: an expression that matches the series of its metrics group by group.
    private static final Pattern GROUP_JOIN =
            Pattern.compile("\\bon\\s*\\(([^)]*\\bgroup\\b[^)]*)\\)");

    /**
     * Every expression that matches metrics group by group ({@code on (..., group)}) takes them all
     * from one operator, with the same groups under their names in {@code jobName}'s run. Operators
     * name their own first {@code --group-metrics-limit} groups: a group named in one operator's
     * metric and under {@code _other} in another's would never match.
     */
    private static void assertGroupJoinsAreOfOneOperator(PrometheusText scraped, String jobName)
            throws IOException {
        int joins = 0;
        for (Query query : queries()) {
            if (!GROUP_JOIN.matcher(query.expr()).find()) {
                continue;
            }
            joins++;
            Set<String> operators = new TreeSet<>();
            Map<String, Set<String>> groups = new TreeMap<>();
            Matcher metrics = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(query.expr());
            while (metrics.find()) {
                Set<String> named = groups.computeIfAbsent(metrics.group(), m -> new TreeSet<>());
                for (PrometheusText.Sample sample :
                        scraped.find(metrics.group(), "job_name", jobName)) {
                    operators.add(sample.labels.get("operator_name"));
                    named.add(sample.labels.get("group"));
                }
            }
            assertThat(operators).as(query.where() + ": operators of " + groups).hasSize(1);
            assertThat(new HashSet<>(groups.values()))
                    .as(query.where() + ": groups of each metric " + groups)
                    .hasSize(1);
        }
        assertThat(joins).isPositive();
    }

    // rate() and increase() read a series that only grows (and resets to 0); Flink's reporter
    // exports counters and gauges alike as "gauge", so the scrape cannot tell them apart.
    private static final Pattern RATE =
            Pattern.compile("\\b(?:rate|irate|increase)\\s*\\(\\s*(flink_[A-Za-z0-9_]+)");
    private static final Pattern JOB_COUNTER =
            Pattern.compile(
                    "flink_taskmanager_job_task_operator_(?:group_)?(?:"
                            + String.join(
                                    "|",
                                    ActivationMetrics.RECORDS,
                                    ActivationMetrics.VALUES,
                                    ActivationMetrics.ZERO_OUTPUTS,
                                    ActivationMetrics.OUTPUT_VALUES,
                                    ActivationMetrics.NAN_INPUTS,
                                    ActivationMetrics.POS_INF_INPUTS,
                                    ActivationMetrics.NEG_INF_INPUTS,
                                    ActivationMetrics.REJECTED_RECORDS,
                                    "lateRecords",
                                    WindowGauges.CLOSED_WINDOWS)
                            + ")|flink_taskmanager_job_task_operator_deserializer_"
                            + "(?:decodedRecords|undecodableRecords|invalidEventTimes)");

    /**
     * The job picker lists the jobs without an activation operator too: the SQL job has none, and
     * the dashboard shows its dead letters, Kafka lag and event-time lag. It counts its dead
     * letters as the activation job's source does ({@code SqlZeroFractionJobITCase}), so a job is
     * listed when it has either metric; a real run checks that both carry {@code job_name}.
     */
    @Test
    void jobPickerListsJobsWithAnActivationOperatorOrTheDeserializersCounters() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<JsonNode> pickers = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(pickers::add);
        assertThat(pickers)
                .extracting(picker -> picker.path("name").asText())
                .containsExactly("job");
        String query = pickers.get(0).path("query").path("query").asText();
        assertThat(query)
                .isEqualTo(
                        "label_values({__name__=~\"flink_taskmanager_job_task_operator_"
                                + ActivationMetrics.RECORDS
                                + "|flink_taskmanager_job_task_operator_deserializer_"
                                + "undecodableRecords\"}, job_name)");
        assertThat(labelNamesIn(query)).containsExactly("job_name");
        assertThat(pickers.get(0).path("definition").asText()).isEqualTo(query);
    }

    @Test
    void ratesAreTakenOfCountersOnly() throws IOException {
        int rates = 0;
        for (Query query : queries()) {
            Matcher rate = RATE.matcher(query.expr());
            while (rate.find()) {
                rates++;
                assertThat(rate.group(1))
                        .as(query.where() + ": rate() of a counter of the job")
                        .matches(JOB_COUNTER);
            }
        }
        assertThat(rates).isPositive();
    }

    /**
     * Every query that keeps groups apart (grouping or matching by {@code group}, or a legend
     * naming it) keeps jobs apart too, as the alert rules do: a group name is the job's, and two
     * jobs (a canary beside the job, or the job and its successor while one drains) may both have a
     * {@code layer-0}. Merged, one line would show the larger of their last windows, and a group
     * that stopped closing windows in one job would still be drawn because the other's do.
     */
    @Test
    void queriesKeepTheGroupsOfEachJobApart() throws IOException {
        List<String> merged = new ArrayList<>();
        for (Query query : queries()) {
            Matcher lists = LABEL_LIST.matcher(query.expr());
            while (lists.find()) {
                List<String> labels =
                        List.of(lists.group(1).split(",")).stream().map(String::strip).toList();
                if (labels.contains("group") && !labels.contains("job_name")) {
                    merged.add(query.where() + ": " + lists.group());
                }
            }
            Set<String> legend = new TreeSet<>();
            Matcher legends = LEGEND.matcher(query.expr());
            while (legends.find()) {
                legend.add(legends.group(1));
            }
            if (legend.contains("group") && !legend.contains("job_name")) {
                merged.add(query.where() + ": legend " + legend);
            }
        }
        assertThat(merged).isEmpty();
    }

    // An aggregation, with the labels of its `by (...)` if it has one (written before the
    // aggregated expression, as every query here is).
    private static final Pattern AGGREGATION =
            Pattern.compile(
                    "\\b(?:sum|min|max|avg|count|group|stddev|stdvar|topk|bottomk|quantile"
                        + "|count_values|limitk|limit_ratio)\\s*(?:by\\s*\\(([^)]*)\\)\\s*)?\\(");

    // A one-to-one match's label list, `on (...)`.
    private static final Pattern MATCH_ON = Pattern.compile("\\bon\\s*\\(([^)]*)\\)");

    /**
     * Every aggregation keeps jobs apart, and every panel's legend names the job: two relu-stream
     * jobs on one cluster (a canary beside the job) are two lines of throughput, lag and dead
     * letters, not one of their sum, and the alert rules do not let a running job hide a stuck one.
     * The rules' aggregations and matches keep them apart by {@code job_id} too, as two jobs of one
     * activation may share a name.
     */
    @Test
    void queriesKeepTheJobsApart() throws IOException {
        List<String> merged = new ArrayList<>();
        for (Query query : queries()) {
            List<String> jobLabels =
                    query.where().startsWith(ALERT_RULES.toString())
                            ? List.of("job_name", "job_id")
                            : List.of("job_name");
            Matcher aggregations = AGGREGATION.matcher(query.expr());
            while (aggregations.find()) {
                String by = aggregations.group(1) == null ? "" : aggregations.group(1);
                if (!List.of(by.split(",")).stream()
                        .map(String::strip)
                        .toList()
                        .containsAll(jobLabels)) {
                    merged.add(query.where() + ": " + aggregations.group());
                }
            }
            Matcher matches = MATCH_ON.matcher(query.expr());
            while (matches.find()) {
                if (!List.of(matches.group(1).split(",")).stream()
                        .map(String::strip)
                        .toList()
                        .containsAll(jobLabels)) {
                    merged.add(query.where() + ": " + matches.group());
                }
            }
        }
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        int targets = 0;
        for (JsonNode panel : dashboard.findParents("targets")) {
            for (JsonNode target : panel.path("targets")) {
                targets++;
                String legend = target.path("legendFormat").asText();
                if (!legend.contains("{{job_name}}")) {
                    merged.add(panel.path("title").asText() + " legend \"" + legend + "\"");
                }
            }
        }
        assertThat(targets).isGreaterThanOrEqualTo(15);
        assertThat(merged).isEmpty();
    }

    /**
     * A group named {@code ""} has no {@code group} label (Prometheus drops a label whose value is
     * empty), so a legend's {@code {{group}}} would show nothing for it: every per-group query
     * names it {@code ""}, as the alert rules' annotations and the alerts topic do. Outermost, so
     * that joins by group still match its series by their missing label.
     */
    @Test
    void dashboardNamesTheGroupNamedEmptyAsTheAlertsDo() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> perGroup = new ArrayList<>();
        for (JsonNode panel : dashboard.findParents("targets")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.path("legendFormat").asText().contains("{{group}}")) {
                    perGroup.add(target.path("expr").asText());
                }
            }
        }
        assertThat(perGroup)
                .hasSize(6)
                .allSatisfy(
                        expr ->
                                assertThat(expr)
                                        .startsWith("label_replace(")
                                        .endsWith(", \"group\", '\"\"', \"group\", \"\")"));
    }

    @Test
    void exposesTheJobsCountersAndGaugesPerOperatorAndGroup(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int window = 0; window < 3; window++) {
            for (int i = 0; i < 4; i++) {
                long t = T0 + window * 10_000L + i * 1_000L;
                records.add(
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("a" + window + i, t, DASHED, -1.0, i - 1.0)));
                records.add(
                        TestRecords.record(
                                names.features,
                                0,
                                TestRecords.vector("b" + window + i, t, DOTTED, 2.0, Double.NaN)));
            }
        }
        records.add(new ProducerRecord<>(names.features, 0, null, new byte[] {1, 2, 3}));
        topics.produce(records);

        // Poll until the job has read every good record and its detector has reported both
        // groups; the assertions below then check the exact values of that scrape.
        PrometheusText scraped =
                runUntil(
                        names,
                        "metrics",
                        List.of("--out-of-orderness", "0s"),
                        4,
                        PrometheusMetricsITCase::hasSettled);
        // Every metric the Grafana dashboard and the Prometheus alert rules query is one this run
        // really exposes.
        assertThat(scraped.names()).containsAll(metricNamesIn(DASHBOARD));
        assertThat(scraped.names()).containsAll(metricNamesIn(ALERT_RULES));
        assertAlertTestSeriesAreShapedAsTheJobs(scraped);
        // ... and has every label the expression names (grouping, matching, selectors, legend):
        // a misspelt or missing label would match nothing, or group everything into one series,
        // without an error.
        for (Query query : queries()) {
            Set<String> labels = labelNamesIn(query.expr());
            Matcher metrics = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(query.expr());
            while (metrics.find()) {
                assertThat(scraped.labelNames(metrics.group()))
                        .as(query.where() + ": labels of " + metrics.group())
                        .containsAll(labels);
            }
        }
        assertGroupJoinsAreOfOneOperator(scraped, "metrics");
        String operator = "flink_taskmanager_job_task_operator_";
        // Label values as the job names them, spaces and '-' included.
        String[] activate = {"operator_name", "activate relu"};
        // 24 good records: layer-0 = [-1, i - 1], layer.0 = [2, NaN], i = 0..3, in 3 windows.
        assertThat(scraped.value(operator + "activationRecords", activate)).isEqualTo(24.0);
        assertThat(scraped.value(operator + "activationValues", activate)).isEqualTo(48.0);
        assertThat(scraped.value(operator + "zeroOutputs", activate)).isEqualTo(18.0);
        // Non-NaN outputs: both of each layer-0 record, the 2 of each layer.0 record.
        assertThat(scraped.value(operator + "outputValues", activate)).isEqualTo(36.0);
        assertThat(scraped.value(operator + "nanInputs", activate)).isEqualTo(12.0);
        assertThat(scraped.value(operator + "rejectedRecords", activate)).isZero();
        // One series per group, each with its own records: none merged into layer_0.
        assertThat(scraped.find(operator + "group_activationRecords", activate))
                .extracting(sample -> sample.labels.get("group"))
                .containsExactlyInAnyOrder(DASHED, DOTTED);
        assertThat(
                        scraped.value(
                                operator + "group_activationRecords",
                                "group",
                                DASHED,
                                activate[0],
                                activate[1]))
                .isEqualTo(12.0);
        assertThat(
                        scraped.value(
                                operator + "group_activationRecords",
                                "group",
                                DOTTED,
                                activate[0],
                                activate[1]))
                .isEqualTo(12.0);
        assertThat(
                        scraped.value(
                                operator + "group_zeroOutputs",
                                "group",
                                DASHED,
                                activate[0],
                                activate[1]))
                .isEqualTo(18.0);
        assertThat(
                        scraped.value(
                                operator + "group_outputValues",
                                "group",
                                DASHED,
                                activate[0],
                                activate[1]))
                .isEqualTo(24.0);
        assertThat(
                        scraped.value(
                                operator + "group_outputValues",
                                "group",
                                DOTTED,
                                activate[0],
                                activate[1]))
                .isEqualTo(12.0);
        assertThat(
                        scraped.value(
                                operator + "group_nanInputs",
                                "group",
                                DOTTED,
                                activate[0],
                                activate[1]))
                .isEqualTo(12.0);
        assertThat(
                        scraped.value(
                                operator + "group_zeroOutputs",
                                "group",
                                DOTTED,
                                activate[0],
                                activate[1]))
                .isZero();
        assertThat(
                        scraped.samples.stream()
                                .filter(sample -> sample.name.endsWith("undecodableRecords"))
                                .mapToDouble(sample -> sample.value)
                                .sum())
                .isEqualTo(1.0);
        // That record was the last one the source emitted: it has no event time, and Flink gives
        // the emit lag of such a record as -1 ("none"), not a lag. The event-time lag panel
        // leaves it out, or it would draw a lag of -1 ms until the next record decodes; but only
        // -1: any other lag is the clock minus the last event time, below 0 for a record stamped
        // ahead of the TaskManager's clock, which ">= 0" would hide.
        assertThat(
                        scraped.value(
                                operator + "currentEmitEventTimeLag",
                                "operator_name",
                                "Source: features"))
                .isEqualTo(-1.0);
        List<Query> lagQueries =
                queries().stream()
                        .filter(query -> query.expr().contains("currentEmitEventTimeLag"))
                        .toList();
        assertThat(lagQueries).isNotEmpty();
        for (Query query : lagQueries) {
            assertThat(query.expr())
                    .as(query.where())
                    .containsPattern("currentEmitEventTimeLag\\{[^}]*}\\s*!=\\s*-1\\b");
        }
        // The last closed window of each group is the second: layer-0 has 6 zeros in 8 values and
        // feature 0 dead; layer.0 has no zero among its 4 non-NaN values.
        String[] detector = {"operator_name", "dead-feature detector"};
        assertThat(
                        scraped.value(
                                operator + "group_lastWindowZeroFraction",
                                "group",
                                DASHED,
                                detector[0],
                                detector[1]))
                .isEqualTo(0.75);
        assertThat(
                        scraped.value(
                                operator + "group_lastWindowDeadFeatures",
                                "group",
                                DASHED,
                                detector[0],
                                detector[1]))
                .isEqualTo(1.0);
        assertThat(
                        scraped.value(
                                operator + "group_lastWindowZeroFraction",
                                "group",
                                DOTTED,
                                detector[0],
                                detector[1]))
                .isZero();
        assertThat(
                        scraped.value(
                                operator + "group_lastWindowDeadFeatures",
                                "group",
                                DOTTED,
                                detector[0],
                                detector[1]))
                .isZero();
        // Windows [0 s, 10 s) and [10 s, 20 s) closed for each group: the watermark is 22.999 s.
        for (String group : List.of(DASHED, DOTTED)) {
            assertThat(
                            scraped.value(
                                    operator + "group_closedWindows",
                                    "group",
                                    group,
                                    detector[0],
                                    detector[1]))
                    .as(group)
                    .isEqualTo(2.0);
        }
    }

    /**
     * The series the promtool tests of the alert rules feed them have the names of this run's
     * metrics, only labels these have (and {@code job}, which Prometheus adds from its scrape
     * configuration), and operators named as here: tests of made-up series would pass while the
     * rules miss the real ones.
     */
    private static void assertAlertTestSeriesAreShapedAsTheJobs(PrometheusText scraped)
            throws IOException {
        Map<String, Object> tests = new Yaml().load(Files.readString(ALERT_TESTS));
        int series = 0;
        for (Object test : (List<?>) tests.get("tests")) {
            Object inputs = ((Map<?, ?>) test).get("input_series");
            for (Object input : inputs == null ? List.of() : (List<?>) inputs) {
                String selector = String.valueOf(((Map<?, ?>) input).get("series"));
                if (!selector.startsWith("flink_")) {
                    continue;
                }
                series++;
                String name = selector.substring(0, selector.indexOf('{'));
                Map<String, String> labels =
                        new PrometheusText(selector + " 0").samples.get(0).labels;
                Set<String> known = new TreeSet<>(scraped.labelNames(name));
                known.add("job");
                assertThat(known)
                        .as(ALERT_TESTS + ": labels of " + selector)
                        .containsAll(labels.keySet());
                assertThat(scraped.find(name, "operator_name", labels.get("operator_name")))
                        .as(ALERT_TESTS + ": " + name + " of operator " + selector)
                        .isNotEmpty();
            }
        }
        assertThat(series).isPositive();
    }

    /** The dead-letter and late-record test's records read and counted. */
    private static boolean hasSettledWithDeadLetters(PrometheusText scraped) {
        String[] job = {"job_name", "metrics of dead letters"};
        String operator = "flink_taskmanager_job_task_operator_";
        return scraped.find(operator + "activationRecords", job).stream()
                                .mapToDouble(sample -> sample.value)
                                .sum()
                        == 5
                && scraped.find(operator + "lateRecords", job).stream()
                                .mapToDouble(sample -> sample.value)
                                .sum()
                        == 1
                // Counted for the operator first, then for the group: a scrape may fall between.
                && scraped.find(operator + "group_lateRecords", job).stream()
                                .mapToDouble(sample -> sample.value)
                                .sum()
                        == 1
                && scraped.find(operator + "deserializer_invalidEventTimes", job).stream()
                                .mapToDouble(sample -> sample.value)
                                .sum()
                        == 1;
    }

    @Test
    void countsDeadLettersByReasonLateRecordsAndInfinities(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        String group = "inf";
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(
                TestRecords.record(
                        names.features,
                        0,
                        TestRecords.vector(
                                "infinities",
                                T0,
                                group,
                                Double.POSITIVE_INFINITY,
                                Double.NEGATIVE_INFINITY)));
        // No values: rejected under every policy but fail.
        records.add(TestRecords.record(names.features, 0, TestRecords.vector("empty", T0, group)));
        // Before the epoch: an impossible event time.
        records.add(
                TestRecords.record(
                        names.features, 0, TestRecords.vector("before 1970", -1L, group, 1.0)));
        records.add(new ProducerRecord<>(names.features, 0, null, new byte[] {1, 2, 3}));
        // Watermark 14.999 s: [0 s, 10 s) closes, and the record at 2 s is late for good.
        records.add(
                TestRecords.record(
                        names.features, 0, TestRecords.vector("at 15s", T0 + 15_000, group, 1.0)));
        records.add(
                TestRecords.record(
                        names.features, 0, TestRecords.vector("late", T0 + 2_000, group, 1.0)));
        // Watermark 24.999 s: [10 s, 20 s) closes.
        records.add(
                TestRecords.record(
                        names.features, 0, TestRecords.vector("at 25s", T0 + 25_000, group, 1.0)));
        topics.produce(records);

        String jobName = "metrics of dead letters";
        PrometheusText scraped =
                runUntil(
                        names,
                        jobName,
                        List.of("--out-of-orderness", "0s", "--watermark-interval", "0s"),
                        2,
                        PrometheusMetricsITCase::hasSettledWithDeadLetters);

        String operator = "flink_taskmanager_job_task_operator_";
        String[] activate = {"job_name", jobName, "operator_name", "activate relu"};
        // Decoded and activated or rejected: infinities, empty, at 15s, late, at 25s.
        assertThat(scraped.value(operator + "activationRecords", activate)).isEqualTo(5.0);
        assertThat(scraped.value(operator + "rejectedRecords", activate)).isEqualTo(1.0);
        assertThat(scraped.value(operator + "activationValues", activate)).isEqualTo(5.0);
        assertThat(scraped.value(operator + "posInfInputs", activate)).isEqualTo(1.0);
        assertThat(scraped.value(operator + "negInfInputs", activate)).isEqualTo(1.0);
        assertThat(scraped.value(operator + "nanInputs", activate)).isZero();
        // relu(+inf) = +inf, relu(-inf) = 0, and three 1.0: five outputs, one zero.
        assertThat(scraped.value(operator + "outputValues", activate)).isEqualTo(5.0);
        assertThat(scraped.value(operator + "zeroOutputs", activate)).isEqualTo(1.0);
        assertThat(
                        scraped.value(
                                operator + "group_posInfInputs",
                                "group",
                                group,
                                activate[0],
                                activate[1],
                                activate[2],
                                activate[3]))
                .isEqualTo(1.0);
        String[] late = {"job_name", jobName, "operator_name", "late records"};
        assertThat(scraped.value(operator + "lateRecords", late)).isEqualTo(1.0);
        assertThat(
                        scraped.value(
                                operator + "group_lateRecords",
                                "group",
                                group,
                                late[0],
                                late[1],
                                late[2],
                                late[3]))
                .isEqualTo(1.0);
        String[] source = {"job_name", jobName};
        double undecodable = scraped.value(operator + "deserializer_undecodableRecords", source);
        double invalidEventTimes =
                scraped.value(operator + "deserializer_invalidEventTimes", source);
        assertThat(undecodable).isEqualTo(1.0);
        assertThat(invalidEventTimes).isEqualTo(1.0);
        // The three counters ReluStreamDeadLetters and the dashboard add up are every dead letter.
        assertThat(topics.readAtLeast(names.dlq, 3, Duration.ofSeconds(30)))
                .hasSize((int) (undecodable + invalidEventTimes + 1.0));
    }

    /** The late-firing test's four records activated and its detector's three results counted. */
    private static boolean hasSettledWithALateFiring(PrometheusText scraped) {
        String operator = "flink_taskmanager_job_task_operator_";
        String[] job = {"job_name", "metrics of a late firing"};
        // Of both operators: the activation operator's 4 and the detector's 3.
        double overflow =
                scraped.find(operator + "overflowGroupRecords", job).stream()
                        .mapToDouble(sample -> sample.value)
                        .sum();
        return overflow == 4 + 3 && scraped.find(operator + "group_closedWindows", job).size() == 1;
    }

    @Test
    void overflowGroupRecordsOfTheDetectorCountEveryResultClosedWindowsEveryWindow(TestInfo test)
            throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        // --group-metrics-limit 0: every group is _other. [0 s, 10 s) closes at 12 s, fires again
        // with the record at 8 s (within 5 s of lateness), and [10 s, 20 s) closes at 30 s.
        Object[][] input = {
            {1_000L, 1.0}, {12_000L, 1.0}, {8_000L, -1.0}, {30_000L, 1.0},
        };
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < input.length; i++) {
            records.add(
                    TestRecords.record(
                            names.features,
                            0,
                            TestRecords.vector(
                                    "r" + i,
                                    T0 + (long) input[i][0],
                                    "layer-0",
                                    (double) input[i][1])));
        }
        topics.produce(records);

        String jobName = "metrics of a late firing";
        PrometheusText scraped =
                runUntil(
                        names,
                        jobName,
                        List.of(
                                "--out-of-orderness",
                                "0s",
                                "--watermark-interval",
                                "0s",
                                "--allowed-lateness",
                                "5s",
                                "--group-metrics-limit",
                                "0"),
                        3,
                        PrometheusMetricsITCase::hasSettledWithALateFiring);

        String operator = "flink_taskmanager_job_task_operator_";
        String[] activate = {"job_name", jobName, "operator_name", "activate relu"};
        String[] detector = {"job_name", jobName, "operator_name", "dead-feature detector"};
        assertThat(scraped.value(operator + "overflowGroupRecords", activate)).isEqualTo(4.0);
        // Three results of two windows: the first firing of each, and the late firing of the
        // first while it was the latest.
        assertThat(scraped.value(operator + "overflowGroupRecords", detector)).isEqualTo(3.0);
        assertThat(scraped.find(operator + "group_closedWindows", detector))
                .extracting(sample -> sample.labels.get("group") + "=" + sample.value)
                .containsExactly("_other=2.0");
        // [10 s, 20 s) holds the record at 12 s alone: relu(1) = 1, no zero.
        assertThat(scraped.value(operator + "group_lastWindowZeroFraction", detector)).isZero();
        assertThat(scraped.find(operator + "lateRecords", "job_name", jobName))
                .extracting(sample -> sample.value)
                .containsExactly(0.0);
    }

    // With --group-metrics-limit 1: the group of the first record read, and the group of the
    // first window closed.
    private static final String FIRST_READ = "layer-1";
    private static final String FIRST_CLOSED = "layer-2";

    /** The overflow test's records activated, and its detector's windows counted. */
    private static boolean hasSettledPastTheLimit(PrometheusText scraped) {
        String operator = "flink_taskmanager_job_task_operator_";
        String[] job = {"job_name", "metrics past the group limit"};
        List<PrometheusText.Sample> records =
                scraped.find(operator + "activationRecords", job[0], job[1]);
        List<PrometheusText.Sample> closed =
                scraped.find(operator + "group_closedWindows", job[0], job[1]);
        // And the detector's gauges of both its groups: one CI run (two cores, other builds
        // beside it) scraped the counters of both while only one group's gauges were there.
        return records.size() == 1
                && records.get(0).value == 5
                && closed.stream().mapToDouble(sample -> sample.value).sum() == 3
                && scraped.find(operator + "group_lastWindowDeadFeatures", job[0], job[1]).size()
                        == 2
                && scraped.find(operator + "group_lastWindowZeroFraction", job[0], job[1]).size()
                        == 2;
    }

    @Test
    void alertsMatchTheGroupsOfTheDetectorPastTheGroupMetricsLimit(TestInfo test) throws Exception {
        JobTopics names = JobTopics.create(kafka, test.getTestMethod().orElseThrow().getName(), 1);
        // In this order, none late with 20 s of out-of-orderness: the activation operator names
        // layer-1 (read first) and counts layer-2 under _other; the detector names layer-2, whose
        // window [0 s, 10 s) closes first, and counts layer-1's [10 s, 20 s) and [20 s, 30 s)
        // under _other. The record at 55 s moves the watermark to 34.999 s: those three close.
        Object[][] input = {
            {FIRST_READ, 15_000L, -1.0, 2.0},
            {FIRST_CLOSED, 1_000L, -1.0, -2.0},
            {FIRST_CLOSED, 2_000L, -1.0, -2.0},
            {FIRST_READ, 25_000L, -1.0, 2.0},
            {FIRST_READ, 55_000L, -1.0, 2.0},
        };
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < input.length; i++) {
            records.add(
                    TestRecords.record(
                            names.features,
                            0,
                            TestRecords.vector(
                                    "r" + i,
                                    T0 + (long) input[i][1],
                                    (String) input[i][0],
                                    (double) input[i][2],
                                    (double) input[i][3])));
        }
        topics.produce(records);

        String jobName = "metrics past the group limit";
        PrometheusText scraped =
                runUntil(
                        names,
                        jobName,
                        List.of("--out-of-orderness", "20s", "--group-metrics-limit", "1"),
                        3,
                        PrometheusMetricsITCase::hasSettledPastTheLimit);

        String operator = "flink_taskmanager_job_task_operator_";
        String[] activate = {"job_name", jobName, "operator_name", "activate relu"};
        String[] detector = {"job_name", jobName, "operator_name", "dead-feature detector"};
        // The two operators name different groups.
        assertThat(scraped.find(operator + "group_activationRecords", activate))
                .extracting(sample -> sample.labels.get("group") + "=" + sample.value)
                .containsExactlyInAnyOrder(FIRST_READ + "=3.0", "_other=2.0");
        assertThat(scraped.value(operator + "overflowGroupRecords", activate)).isEqualTo(2.0);
        assertThat(scraped.find(operator + "group_lastWindowDeadFeatures", detector))
                .extracting(sample -> sample.labels.get("group") + "=" + sample.value)
                .containsExactlyInAnyOrder(FIRST_CLOSED + "=2.0", "_other=1.0");
        assertThat(scraped.find(operator + "group_lastWindowZeroFraction", detector))
                .extracting(sample -> sample.labels.get("group") + "=" + sample.value)
                .containsExactlyInAnyOrder(FIRST_CLOSED + "=1.0", "_other=0.5");
        // layer-2 had 2 dead features and every activation zero: both window alerts would hold
        // for it, so their "still live" condition must name it too.
        assertGroupJoinsAreOfOneOperator(scraped, jobName);
        // Every metric the README's Monitoring table names is one this run exposes under that
        // name (past the limit, the overflow counters too).
        assertThat(scraped.names()).containsAll(readmeMetricNames());
        assertThat(scraped.find(operator + "group_closedWindows", detector))
                .extracting(sample -> sample.labels.get("group") + "=" + sample.value)
                .containsExactlyInAnyOrder(FIRST_CLOSED + "=1.0", "_other=2.0");
        assertThat(scraped.value(operator + "overflowGroupRecords", detector)).isEqualTo(2.0);
    }
}
