package io.relustream.jobs;

import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The committed savepoints under {@code savepoints/} of the test resources, one folder each, and
 * the writing of a new one: what the activation job's fixture ({@link SavepointFixture}) and the
 * SQL job's ({@code SqlSavepointFixture}) and their ITCases do alike, the folders of each job told
 * apart by the prefix of their names.
 *
 * <pre>{@code
 * static Stream<Arguments> restores() throws Exception {
 *     return CommittedSavepoints.restores(SavepointFixture.PREFIX);
 * }
 * }</pre>
 */
public final class CommittedSavepoints {

    private static final String FOLDER = "/savepoints";

    private CommittedSavepoints() {}

    /** The names of the committed fixtures whose names begin with {@code prefix}, sorted. */
    public static Stream<String> named(String prefix) throws Exception {
        Path folder = Paths.get(CommittedSavepoints.class.getResource(FOLDER).toURI());
        try (Stream<Path> savepoints = Files.list(folder)) {
            return savepoints
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith(prefix))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    /** Every fixture of {@code prefix}, restored as it was taken (one subtask) and two wide. */
    public static Stream<Arguments> restores(String prefix) throws Exception {
        return named(prefix).flatMap(name -> Stream.of(arguments(name, 1), arguments(name, 2)));
    }

    /** The folder of the committed fixture {@code name}. */
    public static Path folder(String name) throws Exception {
        return Paths.get(CommittedSavepoints.class.getResource(FOLDER + "/" + name).toURI());
    }

    /**
     * Flink writes state chunks below {@code execution.checkpointing.data-inline-threshold} (20 KB
     * by default) into the savepoint's {@code _metadata} itself, and names larger state files
     * relative to it: a savepoint holds no path of the machine that took it, and restores from
     * wherever it is copied to. A fixture is one file, small enough to commit.
     */
    public static void assertOneRelocatableFile(String name) throws Exception {
        Path folder = folder(name);
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("_metadata");
        }
        String text =
                new String(
                        Files.readAllBytes(folder.resolve("_metadata")),
                        StandardCharsets.ISO_8859_1);
        // The fixture was written under the temporary folder of the machine that wrote it.
        assertThat(text)
                .doesNotContain("file:")
                .doesNotContain(Paths.get(System.getProperty("java.io.tmpdir")).toString());
        assertThat(Files.size(folder.resolve("_metadata"))).isLessThan(64 * 1024);
    }

    /**
     * A run that takes a savepoint under a folder given to it, and returns the savepoint's path.
     */
    @FunctionalInterface
    public interface SavepointRun {
        String savepointUnder(Path folder) throws Exception;
    }

    /**
     * Writes the savepoint {@code run} takes into the folder {@code args[0]} (default: the fixture
     * {@code name} of this build, relative to the project folder), replacing what it held.
     */
    public static void write(String[] args, String name, SavepointRun run) throws Exception {
        Path target =
                Paths.get(args.length > 0 ? args[0] : "jobs/src/test/resources/savepoints/" + name);
        Path savepoints = Files.createTempDirectory("savepoint-fixture");
        try {
            String savepoint = run.savepointUnder(savepoints);
            replace(target, Paths.get(URI.create(savepoint)));
            System.out.println("Wrote the savepoint " + savepoint + " to " + target);
        } finally {
            deleteRecursively(savepoints);
        }
    }

    private static void replace(Path target, Path savepoint) throws IOException {
        deleteRecursively(target);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(savepoint)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(
                        file,
                        target.resolve(file.getFileName().toString()),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
