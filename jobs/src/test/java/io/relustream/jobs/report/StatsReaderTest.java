package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;

import org.apache.avro.file.DataFileWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The report's export file. */
class StatsReaderTest {

    @TempDir Path dir;

    @Test
    void anExportReplacesTheFileAndLeavesNothingElse() throws IOException {
        Path file = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("s.avro"));
        List<ActivationStats> records = List.of(ReportFixtures.stats("a", 0, 0.5, 1.0, 0.0));

        StatsReader.writeFile(records, file);

        assertThat(ReportFixtures.readFile(file)).isEqualTo(records);
        assertThat(filesIn(dir)).containsExactly("s.avro");
    }

    /**
     * {@code --export} may name the {@code --input} file: an export that fails part-way must leave
     * the file as it was, not a part of the new one.
     */
    @Test
    void anExportThatFailsPartWayLeavesTheFileAsItWas() throws IOException {
        Path file = ReportFixtures.writeFile(ReportFixtures.threeGroups(), dir.resolve("s.avro"));
        byte[] before = Files.readAllBytes(file);
        // The second record has no group, which its schema does not allow: writing it fails.
        List<ActivationStats> records =
                List.of(ReportFixtures.stats("a", 0, 0.5, 1.0, 0.0), new ActivationStats());

        assertThatThrownBy(() -> StatsReader.writeFile(records, file))
                .isInstanceOf(DataFileWriter.AppendWriteException.class)
                .hasCauseInstanceOf(NullPointerException.class)
                .hasMessage(
                        "java.lang.NullPointerException: null value for (non-nullable) string at"
                                + " ActivationStats.group");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(filesIn(dir)).containsExactly("s.avro");
    }

    /**
     * An export is a new file like the images the report writes beside it: its permissions are the
     * ones the user's umask gives any new file, not the owner-only ones of a temporary file, so
     * that whoever may read the folder may read the export with {@code --input}.
     */
    @Test
    void anExportHasThePermissionsOfAnyNewFile() throws IOException {
        assertThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
        Set<PosixFilePermission> newFile =
                Files.getPosixFilePermissions(Files.createFile(dir.resolve("new")));
        Path file = dir.resolve("s.avro");

        StatsReader.writeFile(List.of(ReportFixtures.stats("a", 0, 0.5, 1.0, 0.0)), file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(newFile);

        // Replacing an export gives a new file too.
        StatsReader.writeFile(List.of(ReportFixtures.stats("b", 0, 0.5, 1.0, 0.0)), file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(newFile);
    }

    private static List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).toList();
        }
    }
}
