package io.relustream.jobs.report;

import javax.imageio.ImageIO;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What the charts of the report share: canvas, fonts, colours of the frame, text and PNG files.
 *
 * <pre>{@code
 * BufferedImage image = Charts.canvas(1200, 700);
 * Graphics2D g = Charts.graphics(image);
 * Charts.title(g, 1200, "Share of zero activations", "relu");
 * Charts.writePng(image, Path.of("chart.png"));
 * }</pre>
 *
 * <p>Everything is drawn with Java2D on an off-screen image, so no display is needed: {@link
 * #headless()} makes sure AWT never looks for one.
 */
final class Charts {

    static final Color BACKGROUND = Color.WHITE;
    static final Color TEXT = new Color(33, 33, 33);
    static final Color MUTED_TEXT = new Color(90, 90, 90);
    static final Color GRID = new Color(228, 228, 228);
    static final Color FRAME = new Color(160, 160, 160);
    static final Color AXIS = new Color(40, 40, 40);

    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 20);
    static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    /** Baseline of the title and of the subtitle below it. */
    static final int TITLE_BASELINE = 30;

    static final int SUBTITLE_BASELINE = 52;

    /** Length of the tick marks outside the frame. */
    static final int TICK_LENGTH = 5;

    private Charts() {}

    /**
     * Makes AWT run without a display, as a server or a container has none. Call before any other
     * AWT use; a JVM started with {@code -Djava.awt.headless=true} is left as it is.
     */
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    /** The Java heap cannot hold an image of the size asked for. */
    static final class TooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A white RGB image of the given size.
     *
     * @throws TooLargeException when the heap has no room for its pixels
     */
    static BufferedImage canvas(int width, int height) {
        BufferedImage image;
        try {
            image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        } catch (OutOfMemoryError e) {
            // The pixels are one array, allocated at once: failing leaves nothing half made.
            throw new TooLargeException(
                    String.format(
                            "%dx%d pixels need %d MiB of Java heap, more than is free (at most"
                                    + " %d MiB); lower --width or --height, or give Java more"
                                    + " with -Xmx",
                            width,
                            height,
                            4L * width * height >> 20,
                            Runtime.getRuntime().maxMemory() >> 20),
                    e);
        }
        Graphics2D g = image.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /**
     * Graphics with anti-aliasing and exact geometry: with {@code STROKE_PURE} a line is drawn
     * where its coordinates say, not moved to the nearest pixel, so the tests can find it there.
     */
    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(
                RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        return g;
    }

    /** The title, centred at the top, and a smaller subtitle under it (none when empty). */
    static void title(Graphics2D g, int width, String title, String subtitle) {
        title(g, width, title, subtitle, "");
    }

    /**
     * The title, centred at the top, and a smaller subtitle under it (none when empty) that ends
     * with {@code kept}.
     */
    static void title(Graphics2D g, int width, String title, String subtitle, String kept) {
        g.setColor(TEXT);
        g.setFont(TITLE_FONT);
        centred(g, fit(g, title, width - 40), width / 2.0, TITLE_BASELINE);
        if (!subtitle.isEmpty() || !kept.isEmpty()) {
            g.setColor(MUTED_TEXT);
            centred(g, subtitle(g, width, subtitle, kept), width / 2.0, SUBTITLE_BASELINE);
        }
    }

    /**
     * The subtitle as an image {@code width} pixels wide shows it, in the subtitle font: where it
     * is too wide, {@code subtitle} is cut with an ellipsis before {@code kept}, which is cut only
     * where it alone is too wide.
     */
    static String subtitle(Graphics2D g, int width, String subtitle, String kept) {
        g.setFont(SUBTITLE_FONT);
        double room = width - 40;
        if (textWidth(g, subtitle + kept) <= room) {
            return subtitle + kept;
        }
        double rest = room - textWidth(g, kept);
        if (rest < textWidth(g, "\u2026")) {
            return fit(g, kept, room);
        }
        return fit(g, subtitle, rest) + kept;
    }

    /** Draws text with its horizontal centre at {@code x}. */
    static void centred(Graphics2D g, String text, double x, double baseline) {
        double width = g.getFontMetrics().getStringBounds(text, g).getWidth();
        g.drawString(text, (float) (x - width / 2), (float) baseline);
    }

    /**
     * Draws text centred at {@code x} as far as the image allows: moved inwards at its edges, and
     * cut with an ellipsis when it is wider than the image.
     */
    static void centredInside(Graphics2D g, String text, double x, double baseline, int width) {
        String fitted = fit(g, text, width - 8);
        double half = textWidth(g, fitted) / 2;
        centred(g, fitted, Math.max(4 + half, Math.min(width - 4 - half, x)), baseline);
    }

    /** Draws text ending at {@code x}. */
    static void rightAligned(Graphics2D g, String text, double x, double baseline) {
        double width = g.getFontMetrics().getStringBounds(text, g).getWidth();
        g.drawString(text, (float) (x - width), (float) baseline);
    }

    /** Draws text vertically, reading upwards, centred on {@code (x, y)}: a y-axis label. */
    static void vertical(Graphics2D g, String text, double x, double y) {
        AffineTransform saved = g.getTransform();
        FontMetrics metrics = g.getFontMetrics();
        double width = metrics.getStringBounds(text, g).getWidth();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        g.drawString(text, (float) (-width / 2), (float) (metrics.getAscent() / 2.0));
        g.setTransform(saved);
    }

    /** The text, cut with an ellipsis so that it is at most {@code maxWidth} pixels wide. */
    static String fit(Graphics2D g, String text, double maxWidth) {
        FontMetrics metrics = g.getFontMetrics();
        if (metrics.getStringBounds(text, g).getWidth() <= maxWidth) {
            return text;
        }
        // The longest prefix that fits, found by halving: measuring every length from the end
        // takes minutes for a heading that lists thousands of dead features.
        int fits = 0;
        int tooLong = text.length();
        while (tooLong - fits > 1) {
            int length = (fits + tooLong) >>> 1;
            String cut = text.substring(0, length) + "\u2026";
            if (metrics.getStringBounds(cut, g).getWidth() <= maxWidth) {
                fits = length;
            } else {
                tooLong = length;
            }
        }
        // Never half of a character written as two chars (an emoji).
        if (fits > 0 && Character.isHighSurrogate(text.charAt(fits - 1))) {
            fits--;
        }
        return text.substring(0, fits) + "\u2026";
    }

    /** Width of the text in the current font. */
    static double textWidth(Graphics2D g, String text) {
        return g.getFontMetrics().getStringBounds(text, g).getWidth();
    }

    /**
     * The middle of the pixel that holds {@code position}: a one-pixel line drawn there fills that
     * pixel column (or row) exactly instead of smearing over two.
     */
    static double crisp(double position) {
        return Math.floor(position) + 0.5;
    }

    /** A one-pixel rectangle outline on the pixels that hold its corners. */
    static java.awt.geom.Rectangle2D frame(double x0, double y0, double x1, double y1) {
        return new java.awt.geom.Rectangle2D.Double(
                crisp(x0), crisp(y0), crisp(x1) - crisp(x0), crisp(y1) - crisp(y0));
    }

    /** A solid stroke with round ends. */
    static BasicStroke stroke(float width) {
        return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }

    /**
     * Writes the image as a PNG file, creating the folders above it. The image goes to a file
     * beside it first and is moved in place, so a reader never sees half an image.
     */
    static void writePng(BufferedImage image, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path partial = Files.createTempFile(parent, file.getFileName().toString(), ".part");
            try {
                if (!ImageIO.write(image, "png", partial.toFile())) {
                    throw new IOException("no PNG writer in this JVM");
                }
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + why(e), e);
        }
    }

    /**
     * Why a file operation failed, in words: the file-system exceptions of {@code java.nio} say
     * only which path they were about (here often a temporary file), not what went wrong.
     */
    static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder (" + e.getMessage() + ")";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way (" + e.getMessage() + ")";
        }
        if (e instanceof FileSystemException) {
            FileSystemException failure = (FileSystemException) e;
            String reason = failure.getReason();
            return (reason == null ? e.getClass().getSimpleName() : reason)
                    + " ("
                    + failure.getFile()
                    + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
