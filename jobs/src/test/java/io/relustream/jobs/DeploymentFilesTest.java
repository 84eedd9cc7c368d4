package io.relustream.jobs;

import io.relustream.jobs.generator.GeneratorCommand;
import io.relustream.jobs.options.InvalidOptionsException;
import io.relustream.jobs.options.JobOptions;

import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.metrics.prometheus.PrometheusPushGatewayReporterOptions;
import org.apache.flink.runtime.util.EnvironmentInformation;

import org.apache.kafka.common.utils.AppInfoParser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The deployment under {@code docker/} as files: every image pinned to the versions this build
 * uses, every file the compose file, the Dockerfile and the Prometheus and Grafana configuration
 * refer to present, Flink's configuration one Flink 2.2 reads, the Kubernetes manifest in step with
 * it, and the job's and the generator's arguments ones they accept. That the compose file is one
 * Docker Compose accepts is checked by {@code docker-compose config} in {@code .ci/run}.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final Path COMPOSE = DOCKER.resolve("docker-compose.yml");
    private static final Path DOCKERFILE = DOCKER.resolve("Dockerfile");
    private static final Path FLINK_CONFIG = DOCKER.resolve("flink/config.yaml");
    private static final Path K8S = DOCKER.resolve("k8s/flink-deployment.yaml");
    private static final Path PROMETHEUS = DOCKER.resolve("prometheus/prometheus.yml");
    private static final Path ALERTS = DOCKER.resolve("prometheus/alerts.yml");
    private static final Path ALERT_TESTS = DOCKER.resolve("prometheus/alerts.test.yml");
    private static final Path DATASOURCES =
            DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml");
    private static final Path DASHBOARD_PROVIDERS =
            DOCKER.resolve("grafana/provisioning/dashboards/relu-stream.yml");
    private static final Path DASHBOARD = DOCKER.resolve("grafana/dashboards/relu-stream.json");

    /** Flink option classes whose keys a cluster configuration may hold. */
    private static final List<Class<?>> OPTION_CLASSES =
            List.of(
                    CoreOptions.class,
                    JobManagerOptions.class,
                    TaskManagerOptions.class,
                    RestOptions.class,
                    WebOptions.class,
                    BlobServerOptions.class,
                    HighAvailabilityOptions.class,
                    CheckpointingOptions.class,
                    StateBackendOptions.class,
                    RestartStrategyOptions.class,
                    MetricOptions.class);

    private static final Pattern REPORTER_KEY =
            Pattern.compile(
                    "metrics\\.reporter\\.([a-z0-9_]+)\\."
                            + "(factory\\.class|port|interval|filterLabelValueCharacters)");

    private static final ConfigOption<Integer> REPORTER_PORT =
            ConfigOptions.key("metrics.reporter.prom.port").intType().noDefaultValue();

    /** Settings of docker-compose's cluster that are about that cluster's processes only. */
    private static final Set<String> COMPOSE_ONLY_KEYS =
            Set.of(
                    "jobmanager.rpc.address",
                    "jobmanager.bind-host",
                    "jobmanager.memory.process.size",
                    "jobmanager.execution.failover-strategy",
                    "taskmanager.bind-host",
                    "taskmanager.memory.process.size",
                    "taskmanager.numberOfTaskSlots",
                    "rest.address",
                    "rest.bind-address",
                    "env.java.default-opts.all");

    // ---------------------------------------------------------------- images

    @Test
    void everyImageIsPinnedToTheVersionsThisBuildUses() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, String> images = new TreeMap<>();
        services.forEach((name, service) -> images.put(name, (String) service.get("image")));
        images.put("Dockerfile FROM", dockerfileFrom());
        images.put("k8s FlinkDeployment", (String) flinkDeployment().spec().get("image"));
        images.forEach(
                (where, image) -> {
                    assertThat(image).as(where + ": image").isNotBlank();
                    assertThat(tagOf(image))
                            .as(where + ": " + image + " has a tag, not latest")
                            .isNotEmpty()
                            .get()
                            .isNotEqualTo("latest");
                });

        // Kafka as kafka-clients, Flink as the Flink this build compiles against, on Java 17.
        String kafkaVersion = AppInfoParser.getVersion();
        assertThat(services.get("kafka").get("image")).isEqualTo("apache/kafka:" + kafkaVersion);
        assertThat(services.get("kafka-init").get("image"))
                .isEqualTo("apache/kafka:" + kafkaVersion);
        String flinkVersion = EnvironmentInformation.getVersion();
        assertThat(dockerfileFrom()).isEqualTo("flink:" + flinkVersion + "-scala_2.12-java17");

        // The job's image: built from the Dockerfile, tagged with the project's version.
        String version = System.getProperty("project.version");
        assertThat(version).as("the build passes project.version").isNotBlank();
        for (String name : List.of("jobmanager", "taskmanager", "generator")) {
            Map<String, Object> service = services.get(name);
            assertThat(service.get("image")).as(name).isEqualTo("relu-stream:" + version);
            Map<String, Object> build = map(service.get("build"));
            assertThat(DOCKER.resolve((String) build.get("context")).normalize()).isEqualTo(ROOT);
            assertThat(ROOT.resolve((String) build.get("dockerfile"))).isEqualTo(DOCKERFILE);
        }
        assertThat(flinkDeployment().spec().get("image")).isEqualTo("relu-stream:" + version);
    }

    // ---------------------------------------------------------------- compose

    @Test
    void everyFileTheComposeFileMountsExistsAndEveryVolumeIsDeclared() throws IOException {
        Map<String, Object> compose = yaml(COMPOSE);
        Set<String> declared = map(compose.get("volumes")).keySet();
        Set<String> used = new HashSet<>();
        int bindMounts = 0;
        for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
            for (String volume : strings(service.getValue().get("volumes"))) {
                String source = volume.split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    assertThat(DOCKER.resolve(source).normalize())
                            .as(service.getKey() + ": " + volume)
                            .exists();
                    bindMounts++;
                } else {
                    used.add(source);
                }
            }
        }
        assertThat(bindMounts).isGreaterThanOrEqualTo(5);
        assertThat(declared).as("named volumes").containsExactlyInAnyOrderElementsOf(used);
    }

    @Test
    void dependenciesStartKafkaTopicsAndTheClusterInOrder() throws IOException {
        Map<String, Map<String, Object>> services = services();
        assertThat(condition(services, "kafka-init", "kafka")).isEqualTo("service_healthy");
        assertThat(condition(services, "jobmanager", "kafka-init"))
                .isEqualTo("service_completed_successfully");
        assertThat(condition(services, "generator", "kafka-init"))
                .isEqualTo("service_completed_successfully");
        assertThat(condition(services, "taskmanager", "jobmanager")).isEqualTo("service_healthy");
        for (String name : List.of("kafka", "jobmanager", "prometheus")) {
            assertThat(map(services.get(name).get("healthcheck"))).as(name).containsKey("test");
        }
        // The JobManager is healthy when its REST endpoint answers, on the port Flink serves it
        // at and the compose file publishes for the Flink UI.
        int rest = flinkConfiguration().get(RestOptions.PORT);
        assertThat(strings(services.get("jobmanager").get("ports"))).contains(rest + ":" + rest);
        assertThat(strings(map(services.get("jobmanager").get("healthcheck")).get("test")))
                .anySatisfy(test -> assertThat(test).contains("http://localhost:" + rest + "/"));
    }

    @Test
    void everyServiceReachesKafkaAtAnAddressItAdvertisesAndItsDataIsOnItsVolume()
            throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, Object> kafka = services.get("kafka");
        Map<String, Object> environment = map(kafka.get("environment"));
        Map<String, String> listeners = listeners((String) environment.get("KAFKA_LISTENERS"));
        Map<String, String> advertised =
                listeners((String) environment.get("KAFKA_ADVERTISED_LISTENERS"));
        // An advertised listener is one the broker listens on, on the same port.
        advertised.forEach(
                (name, address) ->
                        assertThat(portOf(address))
                                .as(name + " advertised as " + address)
                                .isEqualTo(portOf(listeners.get(name))));
        String internal =
                advertised.get((String) environment.get("KAFKA_INTER_BROKER_LISTENER_NAME"));
        assertThat(internal.split(":")[0]).isEqualTo(kafka.get("hostname"));

        // Every container connects at the address the broker advertises to the containers (the
        // host's localhost:29092 would be the container itself), the healthcheck included.
        Map<String, String> connects = new TreeMap<>();
        connects.put(
                "jobmanager",
                JobOptions.parse(jobArgs().toArray(new String[0])).bootstrapServers());
        List<String> generatorArgs = strings(services.get("generator").get("command"));
        connects.put(
                "generator", generatorArgs.get(generatorArgs.indexOf("--bootstrap-servers") + 1));
        Pattern bootstrapServer = Pattern.compile("--bootstrap-server\\s+(\\S+)");
        for (String service : List.of("kafka-init", "kafka")) {
            Object commands =
                    service.equals("kafka")
                            ? map(kafka.get("healthcheck")).get("test")
                            : services.get(service).get("command");
            int found = 0;
            for (String command : strings(commands)) {
                Matcher matcher = bootstrapServer.matcher(command);
                while (matcher.find()) {
                    connects.put(service + " #" + ++found, matcher.group(1));
                }
            }
            assertThat(found).as(service + ": --bootstrap-server").isPositive();
        }
        connects.forEach((service, address) -> assertThat(address).as(service).isEqualTo(internal));

        // Tools on the host: the advertised host port is the one published.
        String external = advertised.get("EXTERNAL");
        assertThat(external.split(":")[0]).isEqualTo("localhost");
        String port = portOf(external);
        assertThat(strings(kafka.get("ports"))).contains(port + ":" + port);

        // KRaft: this node is the one voter, at its controller listener.
        String voter =
                environment.get("KAFKA_NODE_ID")
                        + "@"
                        + kafka.get("hostname")
                        + ":"
                        + portOf(
                                listeners.get(
                                        (String)
                                                environment.get(
                                                        "KAFKA_CONTROLLER_LISTENER_NAMES")));
        assertThat(environment.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo(voter);

        // The log directory is the named volume, so topics and committed offsets (where the job
        // resumes with --starting-offsets committed) outlive the container.
        assertThat(strings(kafka.get("volumes")))
                .anySatisfy(
                        volume -> {
                            String[] parts = volume.split(":");
                            assertThat(map(yaml(COMPOSE).get("volumes"))).containsKey(parts[0]);
                            assertThat(parts[1]).isEqualTo(environment.get("KAFKA_LOG_DIRS"));
                        });
    }

    @Test
    void jobAndGeneratorArgumentsAreOnesTheyAcceptAndTheTopicsExist() throws IOException {
        Map<String, Map<String, Object>> services = services();
        List<String> command = strings(services.get("jobmanager").get("command"));
        assertThat(command.subList(0, 3))
                .containsExactly(
                        "standalone-job", "--job-classname", ActivationStatsJob.class.getName());
        JobOptions options = JobOptions.parse(jobArgs().toArray(new String[0]));
        assertThat(options.bootstrapServers()).isEqualTo("kafka:9092");

        Map<String, Integer> topics = topicsKafkaInitCreates();
        assertThat(topics.keySet())
                .containsExactlyInAnyOrder(
                        options.inputTopic(),
                        options.outputTopic(),
                        options.statsTopic(),
                        options.alertsTopic(),
                        options.dlqTopic(),
                        options.lateTopic());
        // One input partition per subtask of the job.
        assertThat(topics.get(options.inputTopic()))
                .isEqualTo(flinkConfiguration().get(CoreOptions.DEFAULT_PARALLELISM));

        Map<String, Object> generator = services.get("generator");
        List<String> entrypoint = strings(generator.get("entrypoint"));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint.get(entrypoint.size() - 1))
                .isEqualTo(GeneratorCommand.class.getName());
        String classpath = entrypoint.get(entrypoint.indexOf("-cp") + 1);
        assertThat(classpath.split(":")).contains(jarInImage(), "/opt/flink/lib/*");
        List<String> generatorArgs = strings(generator.get("command"));
        CommandLine.ParseResult parsed =
                GeneratorCommand.commandLine().parseArgs(generatorArgs.toArray(new String[0]));
        assertThat(parsed.matchedOptionValue("--bootstrap-servers", "")).isEqualTo("kafka:9092");
        assertThat(parsed.matchedOptionValue("--topic", "features"))
                .isEqualTo(options.inputTopic());
        // Parsing alone leaves out what the generator checks as it starts (its options against
        // each other, e.g. --late-by longer than --out-of-order): with --help it checks them all
        // and prints the help only when they pass, without reaching for Kafka.
        List<String> withHelp = new ArrayList<>(generatorArgs);
        withHelp.add("--help");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = GeneratorCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        assertThat(commandLine.execute(withHelp.toArray(new String[0])))
                .as("the generator's exit status on %s: %s", generatorArgs, err)
                .isZero();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void readmeRestoresTheComposeJobWithFromSavepointBeforeTheJobsOptions() throws IOException {
        // Flink's standalone-job entry point reads its own options up to the first one it does
        // not know and hands the rest to the job: appended after the job's options,
        // --fromSavepoint reaches the job, which refuses it, and the cluster never starts it.
        List<String> appended = new ArrayList<>(jobArgs());
        appended.addAll(List.of("--fromSavepoint", "/flink-data/checkpoints/0/chk-1"));
        assertThatThrownBy(() -> JobOptions.parse(appended.toArray(new String[0])))
                .isInstanceOf(InvalidOptionsException.class)
                .hasMessage("Unknown option: '--fromSavepoint'");
        assertThat(Files.readString(ROOT.resolve("README.md")))
                .contains(
                        "add `--fromSavepoint /flink-data/checkpoints/<job id>/chk-<n>` to the"
                                + " `jobmanager` command right after `"
                                + ActivationStatsJob.class.getName()
                                + "`, before the job's options");
    }

    // ---------------------------------------------------------------- Dockerfile

    @Test
    void dockerfileCopiesTheJobJarAndTheConfigurationThatTheContextKeeps() throws IOException {
        Map<String, String> copies = dockerfileCopies();
        assertThat(copies)
                .containsEntry(ROOT.relativize(jobJar()).toString(), jarInImage())
                .containsEntry(
                        ROOT.relativize(FLINK_CONFIG).toString(), "/opt/flink/conf/config.yaml");
        assertThat(ROOT.resolve(ROOT.relativize(FLINK_CONFIG))).exists();
        // The job jar exists after packaging; ShadedJarTest checks it then.

        List<String> ignore =
                Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                        .map(String::trim)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                        .collect(Collectors.toList());
        assertThat(ignore.get(0)).as("everything else stays out of the context").isEqualTo("*");
        for (String source : copies.keySet()) {
            assertThat(ignore)
                    .as(source + " is kept in the build context")
                    .anyMatch(
                            line ->
                                    line.startsWith("!")
                                            && FileSystems.getDefault()
                                                    .getPathMatcher("glob:" + line.substring(1))
                                                    .matches(Path.of(source)));
        }
    }

    // ---------------------------------------------------------------- Flink configuration

    @Test
    void flinkConfigurationIsOneFlinkReadsWithTheJobsSettings() throws IOException {
        Map<String, Object> raw = yaml(FLINK_CONFIG);
        assertKnownFlinkKeys(raw.keySet(), flinkConfiguration(), FLINK_CONFIG.toString());

        Configuration configuration = flinkConfiguration();
        assertThat(configuration.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("file:///flink-data/checkpoints");
        assertThat(configuration.get(CheckpointingOptions.SAVEPOINT_DIRECTORY))
                .isEqualTo("file:///flink-data/savepoints");
        assertThat(configuration.get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
        assertThat(
                        configuration.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(configuration.get(CoreOptions.DEFAULT_PARALLELISM))
                .isEqualTo(configuration.get(TaskManagerOptions.NUM_TASK_SLOTS));
        // The checkpoints' volume is mounted where they go, on every Flink process.
        for (String name : List.of("jobmanager", "taskmanager")) {
            assertThat(strings(services().get(name).get("volumes")))
                    .as(name)
                    .contains("flink-data:/flink-data");
        }

        // Avro's trusted packages: the same list the build gives its own Flink JVMs; the Vector
        // API module the build's JVMs run with too.
        String trusted = System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES");
        assertThat(trusted).contains("io.relustream");
        assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
        String jvmOptions =
                "--add-modules=jdk.incubator.vector -Dorg.apache.avro.SERIALIZABLE_PACKAGES="
                        + trusted;
        assertThat(configuration.get(CoreOptions.FLINK_JVM_OPTIONS)).isEqualTo(jvmOptions);
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains(jvmOptions);

        // The Prometheus reporter: a factory Flink ships, on the port Prometheus scrapes.
        assertThat(raw.get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(classExists((String) raw.get("metrics.reporter.prom.factory.class"))).isTrue();
        // Label values as they are: filtered, groups "g-1" and "g.1" would share one series. The
        // option is the Prometheus reporters' own (declared with the push gateway's options).
        String filter =
                "metrics.reporter.prom."
                        + PrometheusPushGatewayReporterOptions.FILTER_LABEL_VALUE_CHARACTER.key();
        assertThat(raw.get(filter)).isEqualTo(false);
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains(filter + ": false");
    }

    @Test
    void checkpointAndSavepointDirectoriesAreMadeForTheFlinkUserOnAPersistentVolume()
            throws IOException {
        Configuration configuration = flinkConfiguration();
        List<String> directories = new ArrayList<>();
        for (ConfigOption<String> option :
                List.of(
                        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                        CheckpointingOptions.SAVEPOINT_DIRECTORY)) {
            URI uri = URI.create(configuration.get(option));
            assertThat(uri.getScheme()).as(option.key()).isEqualTo("file");
            directories.add(uri.getPath());
        }
        // The image makes them for the flink user that its processes run as: a new named volume
        // copies them with their owner, and Flink then writes into them.
        String run =
                String.join("\n", Files.readAllLines(DOCKERFILE))
                        .replace("\\\n", " ")
                        .lines()
                        .filter(line -> line.startsWith("RUN "))
                        .collect(Collectors.joining("\n"));
        for (String directory : directories) {
            assertThat(run).as("Dockerfile RUN").contains("mkdir -p", " " + directory);
        }
        assertThat(run).contains("chown -R flink:flink " + mountOf(directories));

        // Every Flink process has that folder on one named volume, or the same claim on
        // Kubernetes: checkpoints outlive the containers and every process reads them.
        String root = mountOf(directories);
        for (String name : List.of("jobmanager", "taskmanager")) {
            assertThat(strings(services().get(name).get("volumes")))
                    .as(name)
                    .anySatisfy(
                            volume -> {
                                String[] parts = volume.split(":");
                                assertThat(map(yaml(COMPOSE).get("volumes"))).containsKey(parts[0]);
                                assertThat(parts[1]).isEqualTo(root);
                            });
        }
        Map<String, Object> podSpec =
                map(map(flinkDeployment().spec().get("podTemplate")).get("spec"));
        Map<String, Object> container = maps(podSpec.get("containers")).get(0);
        String mounted =
                (String)
                        maps(container.get("volumeMounts")).stream()
                                .filter(mount -> root.equals(mount.get("mountPath")))
                                .findFirst()
                                .orElseThrow()
                                .get("name");
        assertThat(maps(podSpec.get("volumes")))
                .anySatisfy(
                        volume -> {
                            assertThat(volume.get("name")).isEqualTo(mounted);
                            assertThat(volume).containsKey("persistentVolumeClaim");
                        });
    }

    @Test
    void kubernetesManifestRunsTheSameJarJobAndSettings() throws IOException {
        FlinkDeploymentDoc deployment = flinkDeployment();
        assertThat(deployment.document.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        Map<String, Object> spec = deployment.spec();
        String[] flinkVersion = EnvironmentInformation.getVersion().split("\\.");
        assertThat(spec.get("flinkVersion"))
                .isEqualTo("v" + flinkVersion[0] + "_" + flinkVersion[1]);

        Map<String, Object> job = map(spec.get("job"));
        assertThat(job.get("jarURI")).isEqualTo("local://" + jarInImage());
        assertThat(job.get("entryClass")).isEqualTo(ActivationStatsJob.class.getName());
        assertThat(strings(job.get("args"))).isEqualTo(jobArgs());
        JobOptions.parse(strings(job.get("args")).toArray(new String[0]));

        // The operator's configuration map holds strings; each key is one Flink knows.
        Map<String, Object> flinkConfiguration = map(spec.get("flinkConfiguration"));
        flinkConfiguration.forEach(
                (key, value) -> assertThat(value).as(key).isInstanceOf(String.class));
        Map<String, String> values = new TreeMap<>();
        flinkConfiguration.forEach((key, value) -> values.put(key, String.valueOf(value)));
        assertKnownFlinkKeys(
                flinkConfiguration.keySet(), Configuration.fromMap(values), K8S.toString());
        // Everything but the compose cluster's own process settings, with the same values.
        Map<String, String> shared = new TreeMap<>();
        yaml(FLINK_CONFIG)
                .forEach(
                        (key, value) -> {
                            if (!COMPOSE_ONLY_KEYS.contains(key)) {
                                shared.put(key, String.valueOf(value));
                            }
                        });
        Map<String, String> manifest = new TreeMap<>();
        flinkConfiguration.forEach((key, value) -> manifest.put(key, String.valueOf(value)));
        assertThat(manifest).containsAllEntriesOf(shared);
        assertThat(Integer.valueOf(manifest.get("parallelism.default")))
                .isEqualTo(job.get("parallelism"))
                .isEqualTo(topicsKafkaInitCreates().get("features"));

        // The checkpoint volume: a claim this file declares, mounted where the checkpoints go.
        Map<String, Object> podSpec = map(map(spec.get("podTemplate")).get("spec"));
        Map<String, Object> container = maps(podSpec.get("containers")).get(0);
        assertThat(container.get("name")).isEqualTo("flink-main-container");
        // Every pod exposes the reporter's port, under the name a PodMonitor scrapes.
        assertThat(maps(container.get("ports")))
                .anySatisfy(
                        port -> {
                            assertThat(port.get("name")).isEqualTo("metrics");
                            assertThat(String.valueOf(port.get("containerPort")))
                                    .isEqualTo(manifest.get(REPORTER_PORT.key()))
                                    .isEqualTo(
                                            String.valueOf(
                                                    flinkConfiguration().get(REPORTER_PORT)));
                        });
        assertThat(maps(container.get("volumeMounts")))
                .anySatisfy(
                        mount -> {
                            assertThat(mount.get("mountPath")).isEqualTo("/flink-data");
                            assertThat(mount.get("name")).isEqualTo("flink-data");
                        });
        String claim =
                (String)
                        map(maps(podSpec.get("volumes")).get(0).get("persistentVolumeClaim"))
                                .get("claimName");
        assertThat(deployment.others)
                .anySatisfy(
                        doc -> {
                            assertThat(doc.get("kind")).isEqualTo("PersistentVolumeClaim");
                            assertThat(map(doc.get("metadata")).get("name")).isEqualTo(claim);
                        });
    }

    /**
     * The README's settings for an existing cluster, whose shape it does not know: a JobManager and
     * a TaskManager on one host (Flink's own start-cluster.sh, or a TaskManager beside the
     * JobManager) each start the Prometheus reporter from them. With one fixed port the second
     * could not bind it and would expose nothing: the TaskManager, which has every metric of the
     * job's operators.
     */
    @Test
    void readmesReporterSettingsForAnExistingClusterServeTwoFlinkProcessesOnOneHost()
            throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("### On an existing Flink cluster");
        assertThat(section).isPositive();
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        Map<String, Object> settings =
                map(newYaml().load(readme.substring(start, readme.indexOf("```", start))));
        String prefix = "metrics.reporter.prom.";
        org.apache.flink.metrics.MetricConfig reporter =
                new org.apache.flink.metrics.MetricConfig();
        settings.forEach(
                (key, value) -> {
                    if (key.startsWith(prefix)) {
                        reporter.setProperty(key.substring(prefix.length()), String.valueOf(value));
                    }
                });
        org.apache.flink.metrics.reporter.MetricReporterFactory factory =
                (org.apache.flink.metrics.reporter.MetricReporterFactory)
                        Class.forName(reporter.getProperty("factory.class"))
                                .getDeclaredConstructor()
                                .newInstance();
        List<org.apache.flink.metrics.reporter.MetricReporter> started = new ArrayList<>();
        try {
            for (String process : List.of("jobmanager", "taskmanager")) {
                assertThatCode(() -> started.add(factory.createMetricReporter(reporter)))
                        .as("the %s's reporter on a host it shares, with %s", process, reporter)
                        .doesNotThrowAnyException();
            }
        } finally {
            started.forEach(org.apache.flink.metrics.reporter.MetricReporter::close);
        }
    }

    // ---------------------------------------------------------------- Prometheus

    @Test
    void prometheusScrapesEveryFlinkProcessOnTheReporterPortAndLoadsTheRules() throws IOException {
        Map<String, Object> prometheus = yaml(PROMETHEUS);
        Map<String, Map<String, Object>> services = services();
        int port = flinkConfiguration().get(REPORTER_PORT);
        Set<String> scraped = new HashSet<>();
        for (Map<String, Object> job : maps(prometheus.get("scrape_configs"))) {
            for (Map<String, Object> config : maps(job.get("static_configs"))) {
                for (String target : strings(config.get("targets"))) {
                    String[] hostPort = target.split(":");
                    assertThat(services).as(target).containsKey(hostPort[0]);
                    assertThat(Integer.valueOf(hostPort[1])).as(target).isEqualTo(port);
                    scraped.add(hostPort[0]);
                }
            }
            for (Map<String, Object> config : maps(job.get("dns_sd_configs"))) {
                assertThat(config.get("port")).isEqualTo(port);
                for (String name : strings(config.get("names"))) {
                    assertThat(services).as(name).containsKey(name);
                    scraped.add(name);
                }
            }
        }
        assertThat(scraped).containsExactlyInAnyOrder("jobmanager", "taskmanager");

        // Prometheus (and promtool) read a relative rule file from the configuration file's
        // folder: the same name then finds the rules in the container, where the compose file
        // mounts both files into /etc/prometheus, and beside prometheus.yml in the repository,
        // where `promtool check config docker/prometheus/prometheus.yml` reads them. An absolute
        // container path is found only in the container.
        String configInContainer = "/etc/prometheus/prometheus.yml";
        assertThat(hostPathOf("prometheus", configInContainer)).contains(PROMETHEUS);
        List<String> ruleFiles = strings(prometheus.get("rule_files"));
        assertThat(ruleFiles).isNotEmpty();
        for (String file : ruleFiles) {
            assertThat(PROMETHEUS.getParent().resolve(file).normalize())
                    .as(file + " beside " + PROMETHEUS)
                    .isEqualTo(ALERTS);
            String inContainer =
                    Path.of(configInContainer).getParent().resolve(file).normalize().toString();
            assertThat(hostPathOf("prometheus", inContainer)).as(inContainer).contains(ALERTS);
        }
    }

    @Test
    void alertRulesAreComplete() throws IOException {
        List<Map<String, Object>> groups = maps(yaml(ALERTS).get("groups"));
        assertThat(groups).isNotEmpty();
        Set<String> names = new HashSet<>();
        Map<String, String> expressions = new TreeMap<>();
        for (Map<String, Object> group : groups) {
            List<Map<String, Object>> rules = maps(group.get("rules"));
            assertThat(rules).isNotEmpty();
            for (Map<String, Object> rule : rules) {
                String name = (String) rule.get("alert");
                assertThat(name).isNotBlank();
                assertThat(names.add(name)).as("unique alert name " + name).isTrue();
                String expr = (String) rule.get("expr");
                expressions.put(name, expr);
                assertThat(expr).as(name).contains("flink_");
                assertThat(expr.chars().filter(c -> c == '(').count())
                        .as(name + ": balanced parentheses")
                        .isEqualTo(expr.chars().filter(c -> c == ')').count());
                assertThat(String.valueOf(rule.get("for"))).as(name).matches("[0-9]+[smh]");
                assertThat(map(rule.get("labels"))).as(name).containsKey("severity");
                assertThat(map(rule.get("annotations"))).as(name).containsKey("summary");
                // Two jobs may share a name, and groups of one name be in two jobs: a
                // notification that names neither the job nor its id cannot be told apart.
                assertThat((String) map(rule.get("annotations")).get("summary"))
                        .as(name + ": summary")
                        .contains("$labels.job_name", "$labels.job_id");
            }
        }
        assertThat(names)
                .contains(
                        "ReluStreamDeadFeatures",
                        "ReluStreamMostlyZero",
                        "ReluStreamDeadLetters",
                        "ReluStreamNoThroughput");
        // Activated records: activationRecords counts the rejected ones too; per job, so that
        // one job going on does not hide another that stopped, by its id too, as jobs of one
        // activation share a name; and with no job left there is no series at all.
        assertThat(expressions.get("ReluStreamNoThroughput"))
                .contains(
                        "activationRecords",
                        "rejectedRecords",
                        "sum by (job_name, job_id)",
                        "or (absent(flink_taskmanager_job_task_operator_activationRecords)");
        // The window alerts hold while the group's windows close, counted by the dead-feature
        // detector, which names the same groups as their gauges; the activation operator's
        // per-group counters may name others.
        for (String alert : List.of("ReluStreamDeadFeatures", "ReluStreamMostlyZero")) {
            assertThat(expressions.get(alert))
                    .as(alert)
                    .contains("group_closedWindows")
                    .doesNotContain("activationRecords");
        }
        // Dead letters are rare: humanize prints one in the 5 minutes of the rate as "3.333m"
        // (milli) dead letters/s, which reads as millions or minutes.
        Map<String, Object> deadLetters =
                maps(groups.get(0).get("rules")).stream()
                        .filter(rule -> "ReluStreamDeadLetters".equals(rule.get("alert")))
                        .findFirst()
                        .orElseThrow();
        assertThat((String) map(deadLetters.get("annotations")).get("summary"))
                .contains("{{ printf \"%.3g\" $value }} dead letters/s")
                .doesNotContain("humanize");
        // That every flink_* name in the rules exists: PrometheusMetricsITCase, on a real run.
    }

    @Test
    void everyAlertRuleHasPromtoolTestsThatFireIt() throws IOException {
        Set<String> rules = new TreeSet<>();
        for (Map<String, Object> group : maps(yaml(ALERTS).get("groups"))) {
            for (Map<String, Object> rule : maps(group.get("rules"))) {
                rules.add((String) rule.get("alert"));
            }
        }
        Map<String, Object> tests = yaml(ALERT_TESTS);
        // Read from the test file's folder, as promtool reads it.
        assertThat(strings(tests.get("rule_files")))
                .map(file -> ALERT_TESTS.getParent().resolve(file).normalize())
                .containsExactly(ALERTS);
        Set<String> tested = new TreeSet<>();
        Set<String> fired = new TreeSet<>();
        for (Map<String, Object> test : maps(tests.get("tests"))) {
            for (Map<String, Object> check : maps(test.get("alert_rule_test"))) {
                String name = (String) check.get("alertname");
                tested.add(name);
                if (!maps(check.get("exp_alerts")).isEmpty()) {
                    fired.add(name);
                }
            }
        }
        assertThat(tested).as("alerts the tests name").isEqualTo(rules);
        assertThat(fired).as("alerts the tests expect to fire").isEqualTo(rules);
    }

    // ---------------------------------------------------------------- Grafana

    @Test
    void everyRangeTheDashboardAndTheRulesQuerySpansSeveralScrapes() throws IOException {
        Duration scrape =
                prometheusDuration(
                        (String) map(yaml(PROMETHEUS).get("global")).get("scrape_interval"));
        // Grafana steps its queries no finer than the data source's interval: the scrape's.
        Map<String, Object> datasource = maps(yaml(DATASOURCES).get("datasources")).get(0);
        assertThat(datasource.get("uid")).isEqualTo("prometheus");
        assertThat(prometheusDuration((String) map(datasource.get("jsonData")).get("timeInterval")))
                .isEqualTo(scrape);
        // rate() and increase() see nothing with fewer than two samples in their range; four
        // scrapes, as Prometheus advises, so that one missed scrape leaves no gap in a panel.
        Pattern range = Pattern.compile("\\[([0-9]+[a-z]+)]");
        int ranges = 0;
        for (Path file : List.of(DASHBOARD, ALERTS)) {
            Matcher matcher = range.matcher(Files.readString(file));
            while (matcher.find()) {
                ranges++;
                assertThat(prometheusDuration(matcher.group(1)))
                        .as(file.getFileName() + ": [" + matcher.group(1) + "]")
                        .isGreaterThanOrEqualTo(scrape.multipliedBy(4));
            }
        }
        assertThat(ranges).isGreaterThanOrEqualTo(10);
    }

    @Test
    void grafanaGetsThePrometheusDataSourceAndTheDashboard() throws IOException {
        Map<String, Map<String, Object>> services = services();
        List<Map<String, Object>> datasources = maps(yaml(DATASOURCES).get("datasources"));
        Set<String> uids = new HashSet<>();
        for (Map<String, Object> datasource : datasources) {
            uids.add((String) datasource.get("uid"));
        }
        Map<String, Object> prometheus =
                datasources.stream()
                        .filter(d -> "prometheus".equals(d.get("uid")))
                        .findFirst()
                        .orElseThrow();
        assertThat(prometheus.get("type")).isEqualTo("prometheus");
        assertThat(prometheus.get("url")).isEqualTo("http://prometheus:9090");
        assertThat(strings(services.get("prometheus").get("ports"))).contains("9090:9090");

        for (Map<String, Object> provider : maps(yaml(DASHBOARD_PROVIDERS).get("providers"))) {
            String path = (String) map(provider.get("options")).get("path");
            Optional<Path> folder = hostPathOf("grafana", path);
            assertThat(folder).as(path).contains(DASHBOARD.getParent());
        }
        for (Path file : List.of(DATASOURCES, DASHBOARD_PROVIDERS)) {
            assertThat(
                            hostPathOf(
                                    "grafana",
                                    "/etc/grafana/provisioning/"
                                            + file.getParent().getFileName()
                                            + "/"
                                            + file.getFileName()))
                    .as(file.toString())
                    .contains(file);
        }
        String home =
                (String)
                        map(services.get("grafana").get("environment"))
                                .get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        assertThat(hostPathOf("grafana", home)).contains(DASHBOARD);

        // The dashboard: JSON, and every data source it names is the provisioned one.
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        List<String> referenced = new ArrayList<>();
        dashboard.findValues("datasource").forEach(ds -> referenced.add(ds.path("uid").asText()));
        assertThat(referenced).isNotEmpty();
        assertThat(uids).containsAll(referenced);
    }

    // ---------------------------------------------------------------- helpers

    private static Path jobJar() {
        return Path.of(System.getProperty("job.jar", "target/relu-stream-jobs.jar"))
                .toAbsolutePath()
                .normalize();
    }

    private static Configuration flinkConfiguration() {
        return GlobalConfiguration.loadConfiguration(FLINK_CONFIG.getParent().toString());
    }

    /**
     * Every key is one of Flink's options, none a deprecated name, or a reporter setting; every
     * option's value in {@code configuration} is one Flink reads as that option's type (a misspelt
     * enum constant or duration would stop the cluster at start).
     */
    private static void assertKnownFlinkKeys(
            Set<String> keys, Configuration configuration, String where) {
        Map<String, ConfigOption<?>> options = new HashMap<>();
        Set<String> known = new HashSet<>();
        Set<String> deprecated = new HashSet<>();
        for (Class<?> type : OPTION_CLASSES) {
            for (Field field : type.getFields()) {
                if (!Modifier.isStatic(field.getModifiers())
                        || !ConfigOption.class.isAssignableFrom(field.getType())) {
                    continue;
                }
                ConfigOption<?> option;
                try {
                    option = (ConfigOption<?>) field.get(null);
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
                if (field.isAnnotationPresent(Deprecated.class)) {
                    deprecated.add(option.key());
                } else {
                    known.add(option.key());
                    options.put(option.key(), option);
                }
                for (FallbackKey fallback : option.fallbackKeys()) {
                    if (fallback.isDeprecated()) {
                        deprecated.add(fallback.getKey());
                    }
                }
            }
        }
        for (String key : keys) {
            assertThat(deprecated).as(where + ": " + key + " is deprecated").doesNotContain(key);
            assertThat(known.contains(key) || REPORTER_KEY.matcher(key).matches())
                    .as(
                            where
                                    + ": "
                                    + key
                                    + " is a Flink "
                                    + EnvironmentInformation.getVersion()
                                    + " option")
                    .isTrue();
            ConfigOption<?> option = options.get(key);
            if (option != null) {
                assertThatCode(() -> configuration.get(option))
                        .as(where + ": the value of " + key)
                        .doesNotThrowAnyException();
            }
        }
    }

    private static boolean classExists(String name) {
        try {
            Class.forName(name, false, DeploymentFilesTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The one top-level folder {@code directories} are all in, e.g. {@code /flink-data}. */
    private static String mountOf(List<String> directories) {
        Set<String> roots = new TreeSet<>();
        for (String directory : directories) {
            roots.add("/" + Path.of(directory).getName(0));
        }
        assertThat(roots).as("the folder of " + directories).hasSize(1);
        return roots.iterator().next();
    }

    /** A Prometheus duration of one unit: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
    private static Duration prometheusDuration(String text) {
        Matcher matcher = Pattern.compile("([0-9]+)(ms|s|m|h|d)").matcher(text);
        assertThat(matcher.matches()).as(text).isTrue();
        long amount = Long.parseLong(matcher.group(1));
        switch (matcher.group(2)) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                return Duration.ofDays(amount);
        }
    }

    /** The port of a {@code host:port} address (the host may be empty). */
    private static String portOf(String address) {
        assertThat(address).as("host:port").contains(":");
        return address.substring(address.lastIndexOf(':') + 1);
    }

    /** A Kafka listener list, {@code NAME://host:port,...}: name to {@code host:port}. */
    private static Map<String, String> listeners(String list) {
        Map<String, String> listeners = new TreeMap<>();
        for (String listener : list.split(",")) {
            String[] parts = listener.split("://");
            assertThat(parts).as(listener).hasSize(2);
            listeners.put(parts[0], parts[1]);
        }
        return listeners;
    }

    /** The job's own options in the JobManager's command, after the entry point's. */
    private static List<String> jobArgs() throws IOException {
        List<String> command = strings(services().get("jobmanager").get("command"));
        return command.subList(3, command.size());
    }

    private static Map<String, Integer> topicsKafkaInitCreates() throws IOException {
        String topics = (String) map(services().get("kafka-init").get("environment")).get("TOPICS");
        Map<String, Integer> partitions = new LinkedHashMap<>();
        for (String spec : topics.trim().split("\\s+")) {
            String[] parts = spec.split(":");
            partitions.put(parts[0], Integer.valueOf(parts[1]));
        }
        assertThat(strings(services().get("kafka-init").get("command")).get(0))
                .contains("$$TOPICS", "--create", "--partitions");
        return partitions;
    }

    /** Where the Dockerfile puts the job jar. */
    private static String jarInImage() throws IOException {
        return dockerfileCopies().get(ROOT.relativize(jobJar()).toString());
    }

    /** The COPY instructions of the Dockerfile: source (in the context) to destination. */
    private static Map<String, String> dockerfileCopies() throws IOException {
        Map<String, String> copies = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (line.startsWith("COPY ")) {
                List<String> words =
                        List.of(line.trim().split("\\s+")).stream()
                                .filter(word -> !word.startsWith("--"))
                                .collect(Collectors.toList());
                assertThat(words).as(line).hasSize(3);
                copies.put(words.get(1), words.get(2));
            }
        }
        return copies;
    }

    private static String dockerfileFrom() throws IOException {
        List<String> from =
                Files.readAllLines(DOCKERFILE).stream()
                        .filter(line -> line.startsWith("FROM "))
                        .map(line -> line.substring(5).trim())
                        .collect(Collectors.toList());
        assertThat(from).hasSize(1);
        return from.get(0);
    }

    /** The tag of an image reference, if it has one ({@code host:port/name:tag@digest} aware). */
    private static Optional<String> tagOf(String image) {
        String name = image.split("@")[0];
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        return colon > slash ? Optional.of(name.substring(colon + 1)) : Optional.empty();
    }

    /** The host file behind a path inside a service's container, through its bind mounts. */
    private static Optional<Path> hostPathOf(String service, String containerPath)
            throws IOException {
        Path inside = Path.of(containerPath);
        for (String volume : strings(services().get(service).get("volumes"))) {
            String[] parts = volume.split(":");
            if (!parts[0].startsWith(".")) {
                continue;
            }
            Path target = Path.of(parts[1]);
            if (inside.startsWith(target)) {
                Path host = DOCKER.resolve(parts[0]).resolve(target.relativize(inside)).normalize();
                assertThat(host).as(service + ": " + containerPath).exists();
                return Optional.of(host);
            }
        }
        return Optional.empty();
    }

    private static String condition(
            Map<String, Map<String, Object>> services, String service, String dependency) {
        return (String)
                map(map(services.get(service).get("depends_on")).get(dependency)).get("condition");
    }

    private static Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Map<String, Object>> services = new TreeMap<>();
        map(yaml(COMPOSE).get("services"))
                .forEach((name, service) -> services.put(name, map(service)));
        return services;
    }

    /** The FlinkDeployment of the manifest and the other documents beside it. */
    private static final class FlinkDeploymentDoc {
        final Map<String, Object> document;
        final List<Map<String, Object>> others;

        FlinkDeploymentDoc(Map<String, Object> document, List<Map<String, Object>> others) {
            this.document = document;
            this.others = others;
        }

        Map<String, Object> spec() {
            return map(document.get("spec"));
        }
    }

    private static FlinkDeploymentDoc flinkDeployment() throws IOException {
        Map<String, Object> deployment = null;
        List<Map<String, Object>> others = new ArrayList<>();
        for (Object document : newYaml().loadAll(Files.readString(K8S))) {
            Map<String, Object> doc = map(document);
            if ("FlinkDeployment".equals(doc.get("kind"))) {
                assertThat(deployment).as("one FlinkDeployment").isNull();
                deployment = doc;
            } else {
                others.add(doc);
            }
        }
        assertThat(deployment).as("a FlinkDeployment in " + K8S).isNotNull();
        return new FlinkDeploymentDoc(deployment, others);
    }

    private static Yaml newYaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        Object document = newYaml().load(Files.readString(file));
        assertThat(document).as(file.toString()).isInstanceOf(Map.class);
        return map(document);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<Map<String, Object>> maps(Object value) {
        if (value == null) {
            return List.of();
        }
        assertThat(value).isInstanceOf(List.class);
        return ((List<?>) value)
                .stream().map(DeploymentFilesTest::map).collect(Collectors.toList());
    }

    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String) {
            return List.of((String) value);
        }
        assertThat(value).isInstanceOf(List.class);
        return ((List<?>) value).stream().map(String::valueOf).collect(Collectors.toList());
    }
}
