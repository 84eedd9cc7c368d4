package io.relustream.jobs.generator;

import io.relustream.jobs.options.CommandLines;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generator's options: a bad value exits 2 naming the option, the value and what is allowed.
 */
class GeneratorCommandTest {

    /** What follows every problem: one line of it, not the whole usage. */
    private static final String USE_HELP = CommandLines.USE_HELP + "\n";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs the generator's command line as its main does, capturing what it prints. */
    private int run(String... args) {
        CommandLine command = GeneratorCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @ParameterizedTest(name = "record {0} at {1}/s is due {2} ns after the first")
    @CsvSource({
        "0, 200, 0",
        "1, 200, 5000000",
        "201, 200, 1005000000",
        "2, 3, 666666666",
        // 1e10 * 1e9 ns is beyond a long: 1e10 records at 1e5/s are due after 1e5 s = 1e14 ns.
        "10000000000, 100000, 100000000000000",
        // 9,223,372,037 records at 1/s: 2^63 ns (292 years) lies just beyond.
        "9223372036, 1, 9223372036000000000"
    })
    void recordsAreDueAtTheRateWithoutOverflowing(long sent, int rate, long nanos) {
        assertThat(GeneratorCommand.dueNanos(sent, rate)).isEqualTo(nanos);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--dead-share | 2 | Invalid value for option '--dead-share': '2' must be in [0, 1]",
                // Above 1 as written, though it reads as the double 1.0.
                "--dead-share | 1.00000000000000000001 | Invalid value for option '--dead-share':"
                        + " '1.00000000000000000001' must be in [0, 1]",
                "--nan-share | -0.1 | Invalid value for option '--nan-share': '-0.1' must be in"
                        + " [0, 1]",
                "--late-share | x | Invalid value for option '--late-share': 'x' must be a number"
                        + " in [0, 1]",
                "--groups | 0 | Invalid value for option '--groups': '0' must be an integer >= 1",
                "--dimensions | 0 | Invalid value for option '--dimensions': '0' must be an"
                        + " integer >= 1",
                "--dimensions | 100001 | Invalid value for option '--dimensions': '100001' is too"
                        + " large; at most 100000 values per record, so that a record fits"
                        + " Kafka's default 1 MB message size",
                // Past an int too: the limit is still 100000, not the largest int.
                "--dimensions | 2147483648 | Invalid value for option '--dimensions': '2147483648'"
                        + " is too large; at most 100000 values per record, so that a record fits"
                        + " Kafka's default 1 MB message size",
                "--rate | 0 | Invalid value for option '--rate': '0' must be an integer >= 1",
                "--count | -1 | Invalid value for option '--count': '-1' must be an integer from 0"
                        + " to 9223372036854775807",
                "--topic | a/b | Invalid value for option '--topic': 'a/b' is not a Kafka topic"
                        + " name; use 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_' and '-',"
                        + " other than '.' or '..'",
                "--format | json | Invalid value for option '--format': 'json' is not one of:"
                        + " avro-single-object, avro",
                "--connect-timeout | 0s | Invalid value for option '--connect-timeout': '0s' must"
                        + " be > 0",
                "--seed | abc | Invalid value for option '--seed': 'abc' must be an integer from"
                        + " -9223372036854775808 to 9223372036854775807",
                // 2^63, one past the largest long.
                "--seed | 9223372036854775808 | Invalid value for option '--seed':"
                        + " '9223372036854775808' must be an integer from -9223372036854775808 to"
                        + " 9223372036854775807",
                "--seed | 1.5 | Invalid value for option '--seed': '1.5' must be an integer from"
                        + " -9223372036854775808 to 9223372036854775807",
            })
    void rejectsABadValueNamingTheOptionTheValueAndWhatIsAllowed(
            String option, String value, String message) {
        StringWriter err = new StringWriter();
        CommandLine command = GeneratorCommand.commandLine();
        command.setErr(new PrintWriter(err, true));

        int status = command.execute("--bootstrap-servers", "localhost:1", option, value);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).isEqualToNormalizingNewlines(message + "\n" + USE_HELP);
    }

    @Test
    void refusesAnOptionGivenTwiceNamingBothValues() {
        StringWriter err = new StringWriter();
        CommandLine command = GeneratorCommand.commandLine();
        command.setErr(new PrintWriter(err, true));

        int status =
                command.execute(
                        "--bootstrap-servers", "localhost:1", "--rate", "100", "--rate=200");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString())
                .isEqualToNormalizingNewlines(
                        "option '--rate' (<count>) should be specified only once, got '100'"
                                + " and '200'\n"
                                + USE_HELP);
    }

    @Test
    void namesBothValuesOfAnOptionGivenTwiceAfterAKafkaOptionWithoutItsValue() {
        // As the --kafka. options are read, "--rate=100" is no value of "--kafka.acks" (which is
        // then missing one): it is the first --rate.
        StringWriter err = new StringWriter();
        CommandLine command = GeneratorCommand.commandLine();
        command.setErr(new PrintWriter(err, true));

        int status =
                command.execute(
                        "--bootstrap-servers",
                        "localhost:1",
                        "--kafka.acks",
                        "--rate=100",
                        "--rate=200",
                        "--rate=300");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString())
                .isEqualToNormalizingNewlines(
                        "option '--rate' (<count>) should be specified only once, got '100'"
                                + " and '200'\n"
                                + USE_HELP);
    }

    @ParameterizedTest(name = "--seed {0}")
    @CsvSource({"-9223372036854775808", "9223372036854775807", "-1", "' 7 '", "+7"})
    void takesAnyLongAsTheSeed(String seed) {
        assertThat(run("--help", "--seed", seed)).isZero();

        assertThat(err.toString()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--late-by 2s --out-of-order 2s | Invalid value for option '--late-by': '2s' must"
                        + " be longer than --out-of-order (2s), or the late records are not late",
                "--late-by 0s | Invalid value for option '--late-by': '0s' must be longer than"
                        + " --out-of-order (2s), or the late records are not late",
                "--late-share 1 | Invalid value for option '--late-share': '1' must be below 1:"
                        + " when every record is late by the same time, none is late",
                // Quoted as typed, not as the generator would write them.
                "--late-by 1000ms --out-of-order 1s | Invalid value for option '--late-by':"
                        + " '1000ms' must be longer than --out-of-order (1s), or the late records"
                        + " are not late",
                "--late-by 120s --out-of-order 7200000ms | Invalid value for option '--late-by':"
                        + " '120s' must be longer than --out-of-order (7200000ms), or the late"
                        + " records are not late",
                // 600,000 h is 68 years: event times before 1970, which Kafka refuses. (One
                // record at most, so that the generator stops if it gets to start.)
                "--count 1 --late-by 600000h | Invalid value for option '--late-by': '600000h'"
                    + " reaches back before 1970-01-01, and Kafka takes no record timestamps before"
                    + " it",
                "--count 1 --late-share 0 --out-of-order 600000h | Invalid value for option"
                        + " '--out-of-order': '600000h' reaches back before 1970-01-01, and Kafka"
                        + " takes no record timestamps before it",
            })
    void rejectsLateRecordsThatWouldNotBeLateOrWouldBeBefore1970(String options, String message) {
        StringWriter err = new StringWriter();
        CommandLine command = GeneratorCommand.commandLine();
        command.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1"));
        args.addAll(List.of(options.split(" ")));

        int status = command.execute(args.toArray(new String[0]));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).isEqualToNormalizingNewlines(message + "\n" + USE_HELP);
    }

    @ParameterizedTest(name = "--dimensions {0} --dead-share {1}")
    @CsvSource({
        // 16 x 0.03125 = 0.5 rounds up to one; 16 x 0.3 = 4.8 to five; 10 x 0.25 = 2.5 to three.
        "16, 0.03125, 1",
        // A share above 0 that rounds to none makes one dead all the same: 16 x 0.01 = 0.16 and
        // 1 x 0.25 (the default) = 0.25, as 16 x 0.001. Refused, --dimensions 1 took no default
        // --dead-share, and no share of the [0, 1] the help gives below 0.03125 was taken.
        "16, 0.01, 1",
        "16, 0.001, 1",
        "1, 0.25, 1",
        "2, 0.25, 1",
        "16, 0.3, 5",
        "16, 0.25, 4",
        "10, 0.25, 3",
        "16, 0, 0",
        "16, 1, 16",
        // Halves of the shares as typed round up too, though in binary 0.29 x 50 is a little
        // below 14.5, 0.58 x 25 below 14.5 and 0.145 x 100 below 14.5.
        "50, 0.29, 15",
        "25, 0.58, 15",
        "100, 0.145, 15",
    })
    void theBannerGivesTheNumberOfDeadFeaturesItGenerates(
            String dimensions, String deadShare, int dead) {
        GeneratorCommand command = new GeneratorCommand();
        new CommandLine(command)
                .parseArgs(
                        "--bootstrap-servers",
                        "localhost:1",
                        "--dimensions",
                        dimensions,
                        "--dead-share",
                        deadShare);

        assertThat(command.generator.describe())
                .isEqualTo(
                        "200 records/s, 3 groups x "
                                + dimensions
                                + (dimensions.equals("1") ? " feature, " : " features, ")
                                + dead
                                + " dead in each group");
        assertThat(new FeatureGenerator(command.generator.settings()).deadFeatures())
                .isEqualTo(dead);
    }

    @ParameterizedTest(name = "--rate {0} --groups {1} --dimensions {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1 | 1 | 1 | 1 record/s, 1 group x 1 feature, 1 dead in each group",
                "1 | 2 | 4 | 1 record/s, 2 groups x 4 features, 1 dead in each group",
                "2 | 1 | 2 | 2 records/s, 1 group x 2 features, 1 dead in each group",
            })
    void theBannerCountsOneInTheSingular(
            String rate, String groups, String dimensions, String banner) {
        GeneratorCommand command = new GeneratorCommand();
        new CommandLine(command)
                .parseArgs(
                        "--bootstrap-servers",
                        "localhost:1",
                        "--rate",
                        rate,
                        "--groups",
                        groups,
                        "--dimensions",
                        dimensions);

        // A quarter (the default --dead-share) of 1, 2 or 4 features makes one dead.
        assertThat(command.generator.describe()).isEqualTo(banner);
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(
            delimiter = '|',
            value = {
                "'' | Invalid value for option '--bootstrap-servers': '' is empty",
                "localhost | Invalid value for option '--bootstrap-servers': 'localhost' has"
                        + " 'localhost' without a port",
            })
    void rejectsBadBootstrapServers(String servers, String message) {
        StringWriter err = new StringWriter();
        CommandLine command = GeneratorCommand.commandLine();
        command.setErr(new PrintWriter(err, true));

        int status = command.execute("--bootstrap-servers", servers);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).startsWith(message).endsWith(USE_HELP).hasLineCount(2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--rte 5 | Unknown option: '--rte'",
                "--rte=5 | Unknown option: '--rte'",
                "5 | Unexpected argument: '5'; every argument is an option or an option's value",
                // After "--" an option is an argument like any other, as the job says.
                "-- --rate 5 | Unexpected argument: '--rate'; every argument is an option or an"
                        + " option's value",
                "--help -- --help | Unexpected argument: '--help'; every argument is an option or"
                        + " an option's value",
            })
    void anUnknownOptionOrAStrayArgumentIsOneLineNamingIt(String args, String message) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1"));
        all.addAll(List.of(args.split(" ")));

        assertThat(run(all.toArray(new String[0]))).isEqualTo(2);

        assertThat(err.toString()).isEqualToNormalizingNewlines(message + "\n" + USE_HELP);
        assertThat(out.toString()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--help --rte 5 | Unknown option: '--rte'",
                "--rte 5 --help | Unknown option: '--rte'",
                "--help 5 | Unexpected argument: '5'; every argument is an option or an option's"
                        + " value",
                // Before the missing --bootstrap-servers, as an unknown option.
                "-- --bootstrap-servers localhost:1 | Unexpected argument: '--bootstrap-servers';"
                        + " every argument is an option or an option's value",
                "--help --rate 0 | Invalid value for option '--rate': '0' must be an integer >= 1",
                "--help --late-share 1 | Invalid value for option '--late-share': '1' must be"
                        + " below 1: when every record is late by the same time, none is late",
                // Picocli would print the help for it.
                "--help=false | Invalid value for option '--help': 'false' asks for no help; give"
                        + " --help alone, or leave it out",
            })
    void helpDoesNotLetAnInvalidCommandLinePass(String args, String message) {
        assertThat(run(args.split(" "))).isEqualTo(2);

        assertThat(err.toString()).isEqualToNormalizingNewlines(message + "\n" + USE_HELP);
        assertThat(out.toString()).isEmpty();
    }

    /**
     * Picocli would take any argument it does not know as the value of the option before it, and
     * quote it whole: a JAAS configuration's password, say.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--topic --kafka.sasl.jaas.config=password=secret | Expected parameter for option"
                        + " '--topic' but found '--kafka.sasl.jaas.config'",
                "--seed --kafka.ssl.key.password secret | Expected parameter for option '--seed'"
                        + " but found '--kafka.ssl.key.password'",
                "--help --topic --secret=secret | Expected parameter for option '--topic' but"
                        + " found '--secret'",
                "--topic --rate 5 | Expected parameter for option '--topic' but found '--rate'",
            })
    void anOptionIsNeverTheValueOfTheOptionBeforeIt(String args, String message) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1"));
        all.addAll(List.of(args.split(" ")));

        assertThat(run(all.toArray(new String[0]))).isEqualTo(2);

        assertThat(err.toString()).isEqualToNormalizingNewlines(message + "\n" + USE_HELP);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aValueThatStartsWithTwoDashesIsGivenAfterAnEqualsSign() {
        // "--x" is a topic name Kafka takes.
        assertThat(run("--help", "--topic=--x")).isZero();
        // "--" alone ends the options; after '=' it is a value as any other.
        assertThat(run("--help", "--topic=--")).isZero();

        assertThat(err.toString()).isEmpty();
    }

    @Test
    void missingBootstrapServersAreNamedAsTheJobNamesThem() {
        assertThat(run("--rate", "5")).isEqualTo(2);

        assertThat(err.toString())
                .isEqualToNormalizingNewlines(
                        "Missing required option '--bootstrap-servers': give the Kafka brokers as"
                                + " a comma-separated list of host:port, e.g."
                                + " kafka-1:9092,kafka-2:9092\n"
                                + USE_HELP);
    }

    @Test
    void helpTrueListsTheOptionsToo() {
        assertThat(run("--help=TRUE")).isZero();

        assertThat(out.toString()).contains("--bootstrap-servers=");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void helpAloneListsTheOptions() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString()).contains("--bootstrap-servers=", "--connect-timeout=");
        assertThat(err.toString()).isEmpty();
    }

    /** The job's messages for the same options: the generator reads and checks them alike. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--kafka.acks=7 | Invalid value for option '--kafka.acks': Invalid value 7 for"
                        + " configuration acks: String must be one of: all, -1, 0, 1",
                "--kafka.security.protocol SASL | Invalid value for option"
                        + " '--kafka.security.protocol': Invalid value SASL for configuration"
                        + " security.protocol: String must be one of (case insensitive): SASL_SSL,"
                        + " PLAINTEXT, SSL, SASL_PLAINTEXT",
                "--kafka.linger.ms=-1 | Invalid value for option '--kafka.linger.ms': Invalid"
                        + " value -1 for configuration linger.ms: Value must be at least 0",
                "--kafka.=x | Invalid option '--kafka.': the Kafka property name is missing; use"
                        + " --kafka.<property>=<value>, e.g. --kafka.security.protocol=SASL_SSL",
                "--kafka.client.id | Missing value for option '--kafka.client.id'; use"
                        + " --kafka.client.id=<value> or --kafka.client.id <value>",
                "--kafka.client.id --rate 5 | Missing value for option '--kafka.client.id'; use"
                        + " --kafka.client.id=<value> or --kafka.client.id <value>",
                "--kafka.acks=1 --kafka.acks=all | Option '--kafka.acks' should be specified only"
                        + " once",
                "--kafka.bootstrap.servers=kafka:9092 | Invalid option"
                        + " '--kafka.bootstrap.servers': use --bootstrap-servers instead",
                "--kafka.value.serializer=x | Invalid option '--kafka.value.serializer': the"
                        + " generator writes Avro bytes itself; --format chooses their wire format",
                "--kafka.transactional.id=t | Invalid option '--kafka.transactional.id': the"
                        + " generator does not produce in transactions",
                // Together, as the producer checks them when it is created.
                "--kafka.enable.idempotence=true --kafka.acks=0 | Invalid --kafka. options for the"
                        + " generator's Kafka producer: Must set acks to all in order to use the"
                        + " idempotent producer. Otherwise we cannot guarantee idempotence.",
                // linger.ms 5 (the generator's) + request.timeout.ms 30000 (Kafka's default).
                "--kafka.delivery.timeout.ms=1000 | Invalid value for option"
                        + " '--kafka.delivery.timeout.ms': '1000' must be at least linger.ms +"
                        + " request.timeout.ms (30005), or Kafka's producer refuses to start",
                // Its largest record of --dimensions 16 (keyed by an id of up to 21 bytes, in a
                // group of 7, framed by Kafka: 287 bytes, see FeatureGeneratorTest): the generator
                // writes no dead letters, so this, not the jobs' 64 KiB, is its floor.
                "--kafka.max.request.size=100 | Invalid value for option"
                        + " '--kafka.max.request.size': '100' must be at least 287 bytes, the"
                        + " largest record of --dimensions 16 and --groups 3 with its key and"
                        + " Kafka's framing",
                "--kafka.max.request.size=286 | Invalid value for option"
                        + " '--kafka.max.request.size': '286' must be at least 287 bytes, the"
                        + " largest record of --dimensions 16 and --groups 3 with its key and"
                        + " Kafka's framing",
                "--dimensions 100000 --kafka.max.request.size=800000 | Invalid value for option"
                        + " '--kafka.max.request.size': '800000' must be at least 800162 bytes,"
                        + " the largest record of --dimensions 100000 and --groups 3 with its key"
                        + " and Kafka's framing",
                // The producer takes a buffer of batch.size (Kafka's default 16384), or of the
                // record when larger, from buffer.memory for every batch.
                "--kafka.buffer.memory=100 | Invalid value for option '--kafka.buffer.memory':"
                        + " '100' must be at least 16384 bytes, what the producer takes from it"
                        + " for a batch: batch.size (16384), or the largest record of --dimensions"
                        + " 16 and --groups 3 with its key and Kafka's framing (287) when larger",
                "--kafka.buffer.memory=16383 | Invalid value for option '--kafka.buffer.memory':"
                        + " '16383' must be at least 16384 bytes, what the producer takes from it"
                        + " for a batch: batch.size (16384), or the largest record of --dimensions"
                        + " 16 and --groups 3 with its key and Kafka's framing (287) when larger",
                "--kafka.batch.size=0 --kafka.buffer.memory=286 | Invalid value for option"
                        + " '--kafka.buffer.memory': '286' must be at least 287 bytes, what the"
                        + " producer takes from it for a batch: batch.size (0), or the largest"
                        + " record of --dimensions 16 and --groups 3 with its key and Kafka's"
                        + " framing (287) when larger",
                "--dimensions 100000 --kafka.buffer.memory=800161 | Invalid value for option"
                        + " '--kafka.buffer.memory': '800161' must be at least 800162 bytes, what"
                        + " the producer takes from it for a batch: batch.size (16384), or the"
                        + " largest record of --dimensions 100000 and --groups 3 with its key and"
                        + " Kafka's framing (800162) when larger",
                // Not given, buffer.memory is Kafka's default, 32 MiB (33554432 bytes).
                "--kafka.batch.size=33554433 | Invalid value for option '--kafka.batch.size':"
                        + " '33554433' is more than --kafka.buffer.memory, which is not given:"
                        + " Kafka's default, 33554432; a producer takes a buffer of batch.size"
                        + " from its buffer.memory for every batch; give"
                        + " --kafka.buffer.memory=33554433 or more, or a --kafka.batch.size of at"
                        + " most 33554432",
                // A batch.size given as a config provider's reference is not known here.
                "--kafka.config.providers=file --kafka.config.providers.file.class="
                        + "org.apache.kafka.common.config.provider.FileConfigProvider"
                        + " --kafka.batch.size=${file:/no/such/secrets.properties:size}"
                        + " --dimensions 100000 --kafka.buffer.memory=800161 | Invalid value for"
                        + " option '--kafka.buffer.memory': '800161' must be at least 800162"
                        + " bytes, what the producer takes from it for a batch: batch.size (a"
                        + " config provider's reference, not known here), or the largest record"
                        + " of --dimensions 100000 and --groups 3 with its key and Kafka's"
                        + " framing (800162) when larger",
                "--kafka.foo=1 --help --kafka.acks=7 | Invalid value for option '--kafka.acks':"
                        + " Invalid value 7 for configuration acks: String must be one of: all, -1,"
                        + " 0, 1",
            })
    void rejectsKafkaPropertiesAsTheJobDoes(String args, String message) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1"));
        all.addAll(List.of(args.split(" ")));

        assertThat(run(all.toArray(new String[0]))).isEqualTo(2);

        assertThat(err.toString()).isEqualToNormalizingNewlines(message + "\n" + USE_HELP);
        assertThat(out.toString()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "--kafka.max.request.size=287",
        // Its records are far smaller: a max.request.size above the default buffer is no need.
        "--kafka.max.request.size=40000000",
        "--kafka.buffer.memory=16384",
        "--kafka.batch.size=0 --kafka.buffer.memory=287",
        "--kafka.batch.size=100 --kafka.buffer.memory=287",
    })
    void takesKafkaSizesItsLargestRecordAndBatchFit(String options) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1"));
        args.addAll(List.of(options.split(" ")));
        args.add("--help");

        assertThat(run(args.toArray(new String[0]))).as(err.toString()).isZero();
    }

    @Test
    void helpListsTheKafkaProperties() {
        assertThat(run("--help", "--kafka.security.protocol=SASL_SSL")).isZero();

        assertThat(out.toString())
                .contains(
                        "--kafka.<property>=<value>, --kafka.<property> <value>",
                        "--kafka.security.protocol=SASL_SSL");
        assertThat(err.toString()).isEmpty();
    }
}
