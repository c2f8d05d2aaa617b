package dev.fieldline.agent.inference;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Image frames from a file or a directory: the directory's images in name order, round and round
 * (files added later are picked up on the next round). Reads PGM (P5 and P2, 8-bit) itself and PNG,
 * BMP, JPEG and GIF through {@link ImageIO}; colour images stay RGB, grey ones grey. Not
 * thread-safe.
 */
public final class FrameSource {
    /** File name endings read as images. */
    public static final List<String> EXTENSIONS = List.of(".pgm", ".png", ".bmp", ".jpg", ".jpeg", ".gif");
    private static final long MAX_FILE_BYTES = 64L << 20;

    private final Path path;
    private List<Path> round = List.of();
    private int next;

    public FrameSource(Path path) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        this.path = path;
    }

    /** The next frame's file (without reading it). */
    public Path nextFile() throws IOException {
        if (!Files.isDirectory(path)) {
            return path;
        }
        if (next >= round.size()) {
            try (Stream<Path> files = Files.list(path)) {
                round = files.filter(FrameSource::isImage).sorted().toList();
            }
            next = 0;
            if (round.isEmpty()) {
                throw new IOException("no image files (" + String.join(" ", EXTENSIONS) + ") in " + path);
            }
        }
        return round.get(next++);
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /** Reads an image file. */
    public static Frame read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pgm")) {
            try (InputStream in = Files.newInputStream(file)) {
                return readPgm(in.readAllBytes(), file.toString());
            }
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException(file + ": not an image format this JVM reads");
        }
        boolean grey = img.getColorModel().getNumColorComponents() == 1;
        int w = img.getWidth();
        int h = img.getHeight();
        int ch = grey ? 1 : 3;
        byte[] px = new byte[w * h * ch];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * ch;
                if (grey) {
                    px[o] = (byte) img.getRaster().getSample(x, y, 0);
                } else {
                    int rgb = img.getRGB(x, y);
                    px[o] = (byte) (rgb >> 16);
                    px[o + 1] = (byte) (rgb >> 8);
                    px[o + 2] = (byte) rgb;
                }
            }
        }
        return new Frame(w, h, ch, px);
    }

    /** A PGM image (P5 binary or P2 text, maxval ≤ 255). */
    static Frame readPgm(byte[] b, String name) throws IOException {
        int[] pos = {0};
        String magic = token(b, pos);
        if (!magic.equals("P5") && !magic.equals("P2")) {
            throw new IOException(name + ": not a PGM file (magic '" + magic + "')");
        }
        int w = number(b, pos, name);
        int h = number(b, pos, name);
        int max = number(b, pos, name);
        if (w < 1 || h < 1 || (long) w * h > 1 << 26 || max < 1 || max > 255) {
            throw new IOException(name + ": unsupported PGM " + w + "x" + h + " maxval " + max);
        }
        byte[] px = new byte[w * h];
        if (magic.equals("P5")) {
            int start = pos[0] + 1; // one whitespace byte after maxval
            if (start + px.length > b.length) {
                throw new IOException(name + ": truncated PGM (" + (b.length - start) + " of " + px.length + " bytes)");
            }
            System.arraycopy(b, start, px, 0, px.length);
        } else {
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) number(b, pos, name);
            }
        }
        if (max != 255) {
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) Math.round((px[i] & 0xff) * 255.0 / max);
            }
        }
        return new Frame(w, h, 1, px);
    }

    private static String token(byte[] b, int[] pos) {
        int i = pos[0];
        while (i < b.length) {
            if (b[i] == '#') {
                while (i < b.length && b[i] != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(b[i])) {
                i++;
            } else {
                break;
            }
        }
        int start = i;
        while (i < b.length && !Character.isWhitespace(b[i]) && b[i] != '#') {
            i++;
        }
        pos[0] = i;
        return new String(b, start, i - start, StandardCharsets.US_ASCII);
    }

    private static int number(byte[] b, int[] pos, String name) throws IOException {
        String t = token(b, pos);
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IOException(name + ": bad PGM header field '" + t + "'");
        }
    }

    /** Writes an 8-bit grey frame as binary PGM (P5). */
    public static byte[] toPgm(Frame f) {
        if (f.channels() != 1) {
            throw new IllegalArgumentException("PGM holds grey frames, this one has " + f.channels() + " channels");
        }
        byte[] head = ("P5\n" + f.width() + " " + f.height() + "\n255\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + f.pixels().length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(f.pixels(), 0, out, head.length, f.pixels().length);
        return out;
    }

    @Override
    public String toString() {
        return "frames from " + path;
    }
}
