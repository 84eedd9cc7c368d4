package io.relustream.jobs.report;

import io.relustream.avro.ActivationStats;

import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statistics the report tests draw, and what the tests need to look at the images: written by
 * hand, with Avro's own file classes, so that nothing here depends on the code under test.
 *
 * <p>Three groups, six 10-second windows from 2025-03-01T10:00:00Z:
 *
 * <ul>
 *   <li>{@code layer-0}: zero fraction 0.1, 0.2, ..., 0.6; four features, [0, 1, 0.5, 0.25]:
 *       feature 1 is dead.
 *   <li>{@code layer-1}: zero fraction 0.8; four features, [1, 1, 0.75, 0]: features 0 and 1 are
 *       dead. Window 2 fires twice: first with zero fraction 0.3 and no zeros per feature, then
 *       with the values above, which win.
 *   <li>{@code layer-2}: zero fraction 0.45 (0.25 in the last window); eight features, feature i at
 *       i/8, except feature 7 in the last window, which is dead (1).
 * </ul>
 */
final class ReportFixtures {

    static final Instant START = Instant.parse("2025-03-01T10:00:00Z");
    static final Duration WINDOW = Duration.ofSeconds(10);
    static final int WINDOWS = 6;

    static final Color WHITE = new Color(255, 255, 255);
    static final Color BLUE = new Color(31, 119, 180);
    static final Color ORANGE = new Color(255, 127, 14);
    static final Color GREEN = new Color(44, 160, 44);
    static final Color DEAD = new Color(220, 20, 60);
    static final Color NO_DATA = new Color(238, 238, 238);
    static final Color FRAME = new Color(160, 160, 160);

    /** Viridis at 0, 0.5, 0.875 and 1: anchors of the scale, so exact. */
    static final Color VIRIDIS_0 = new Color(68, 1, 84);

    static final Color VIRIDIS_HALF = new Color(33, 144, 141);
    static final Color VIRIDIS_7_8 = new Color(170, 220, 50);
    static final Color VIRIDIS_1 = new Color(253, 231, 37);

    private ReportFixtures() {}

    /** The three groups, in the order a job could emit them, the re-fired window included. */
    static List<ActivationStats> threeGroups() {
        List<ActivationStats> records = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            records.add(stats("layer-0", w, layer0ZeroFraction(w), 0.0, 1.0, 0.5, 0.25));
            if (w == 2) {
                records.add(stats("layer-1", w, 0.3, 0.0, 0.0, 0.0, 0.0));
            }
            records.add(stats("layer-1", w, 0.8, 1.0, 1.0, 0.75, 0.0));
            double[] layer2 = new double[8];
            for (int f = 0; f < 8; f++) {
                layer2[f] = f / 8.0;
            }
            if (w == WINDOWS - 1) {
                layer2[7] = 1.0;
            }
            records.add(stats("layer-2", w, w == WINDOWS - 1 ? 0.25 : 0.45, layer2));
        }
        return records;
    }

    static double layer0ZeroFraction(int window) {
        return (window + 1) / 10.0;
    }

    /** The statistics of {@code group} in window {@code w} (0 is the first). */
    static ActivationStats stats(String group, int w, Double zeroFraction, double... perFeature) {
        Instant start = START.plus(WINDOW.multipliedBy(w));
        List<Double> features = new ArrayList<>();
        List<Integer> dead = new ArrayList<>();
        for (int f = 0; f < perFeature.length; f++) {
            features.add(perFeature[f]);
            if (perFeature[f] >= 1.0) {
                dead.add(f);
            }
        }
        return ActivationStats.newBuilder()
                .setGroup(group)
                .setWindowStart(start)
                .setWindowEnd(start.plus(WINDOW))
                .setActivation("relu")
                .setRecordCount(100)
                .setValueCount(100L * perFeature.length)
                .setZeroCount(
                        zeroFraction == null
                                ? 0
                                : Math.round(zeroFraction * 100 * perFeature.length))
                .setZeroFraction(zeroFraction)
                .setNanCount(0)
                .setPosInfCount(0)
                .setNegInfCount(0)
                .setPerFeatureZeroFraction(features)
                .setDeadFeatures(dead)
                .build();
    }

    /** Writes an Avro object container file of the records. */
    static Path writeFile(List<ActivationStats> records, Path file) throws IOException {
        try (DataFileWriter<ActivationStats> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(ActivationStats.class))) {
            writer.create(ActivationStats.getClassSchema(), file.toFile());
            for (ActivationStats record : records) {
                writer.append(record);
            }
        }
        return file;
    }

    /** Reads an Avro object container file of ActivationStats. */
    static List<ActivationStats> readFile(Path file) throws IOException {
        List<ActivationStats> records = new ArrayList<>();
        try (DataFileReader<ActivationStats> reader =
                new DataFileReader<>(
                        file.toFile(), new SpecificDatumReader<>(ActivationStats.class))) {
            reader.forEach(records::add);
        }
        return records;
    }

    /** Reads a PNG file, checking that it is one. */
    static BufferedImage png(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(Arrays.copyOf(bytes, 8))
                .as("PNG signature of %s", file)
                .containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("image of %s", file).isNotNull();
        return image;
    }

    /** The colour of a pixel, given by its column and row. */
    static Color pixel(BufferedImage image, double x, double y) {
        return new Color(image.getRGB((int) Math.floor(x), (int) Math.floor(y)));
    }

    /** The rows of a column whose pixels have exactly {@code color}. */
    static List<Integer> rowsOf(BufferedImage image, int column, Color color, int from, int to) {
        List<Integer> rows = new ArrayList<>();
        for (int y = from; y < to; y++) {
            if (image.getRGB(column, y) == color.getRGB()) {
                rows.add(y);
            }
        }
        return rows;
    }

    /** What a command printed and returned. */
    static final class Run {
        final int status;
        final String out;
        final String err;

        Run(int status, String out, String err) {
            this.status = status;
            this.out = out;
            this.err = err;
        }
    }

    /** Runs a command line, capturing what it prints. */
    static Run run(picocli.CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int status = commandLine.execute(args);
        return new Run(status, out.toString(), err.toString());
    }
}
