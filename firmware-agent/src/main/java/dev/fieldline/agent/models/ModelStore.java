package dev.fieldline.agent.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Delivered model versions on the device, in {@code {dataDir}/models/{name}/}: {@code {version}.tflite}
 * and {@code {version}.cose} (the signed release manifest) per version, and two pointers,
 * {@code active} and {@code previous} (a version number as text). Every file is written to a
 * temporary file, synced and renamed over the old one, and the directory synced, so a power cut
 * leaves either the old or the new state. A version becomes active only by {@link #activate}, after
 * it passed its checks: until then, and after a restart in between, the previous one stays active.
 * Only the active and the previous version are kept. Not thread-safe: the delivery thread owns it.
 */
public final class ModelStore {
    public static final String DIRECTORY = "models";
    static final String ACTIVE = "active";
    static final String PREVIOUS = "previous";
    private static final String TMP = ".tmp";

    /** A stored version: its file and signed manifest. */
    public record Stored(String name, long version, Path file, Path signedManifest) {
        public byte[] fileBytes() throws IOException {
            return Files.readAllBytes(file);
        }

        public byte[] signedManifestBytes() throws IOException {
            return Files.readAllBytes(signedManifest);
        }
    }

    private final Path root;

    public ModelStore(Path dataDir) {
        this.root = Objects.requireNonNull(dataDir, "dataDir").resolve(DIRECTORY);
    }

    public Path root() {
        return root;
    }

    /** Names of the models that have an active delivered version. */
    public List<String> names() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p.resolve(ACTIVE))) {
                    out.add(p.getFileName().toString());
                }
            }
        }
        out.sort(null);
        return out;
    }

    public OptionalLong activeVersion(String name) throws IOException {
        return pointer(name, ACTIVE);
    }

    public OptionalLong previousVersion(String name) throws IOException {
        return pointer(name, PREVIOUS);
    }

    private OptionalLong pointer(String name, String which) throws IOException {
        Path p = root.resolve(name).resolve(which);
        if (!Files.isRegularFile(p)) {
            return OptionalLong.empty();
        }
        String text = Files.readString(p, StandardCharsets.US_ASCII).strip();
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IOException(p + " does not hold a version number: '" + text + "'");
        }
    }

    /** The version's files, if both are stored. */
    public Optional<Stored> stored(String name, long version) {
        Path dir = root.resolve(name);
        Path file = dir.resolve(version + ".tflite");
        Path cose = dir.resolve(version + ".cose");
        return Files.isRegularFile(file) && Files.isRegularFile(cose) ? Optional.of(new Stored(name, version, file, cose))
                : Optional.empty();
    }

    /** The active version's files. */
    public Optional<Stored> active(String name) throws IOException {
        OptionalLong v = activeVersion(name);
        return v.isPresent() ? stored(name, v.getAsLong()) : Optional.empty();
    }

    /** Writes a version's files (not active yet). */
    public Stored stage(String name, long version, byte[] file, byte[] signedManifest) throws IOException {
        Path dir = root.resolve(name);
        Files.createDirectories(dir);
        Path f = dir.resolve(version + ".tflite");
        Path c = dir.resolve(version + ".cose");
        write(f, file);
        write(c, signedManifest);
        syncDirectory(dir);
        return new Stored(name, version, f, c);
    }

    /**
     * Makes {@code version} the active one and the one active so far the previous; removes every
     * other version's files.
     */
    public void activate(String name, long version) throws IOException {
        Path dir = root.resolve(name);
        OptionalLong current = activeVersion(name);
        if (current.isPresent() && current.getAsLong() != version) {
            write(dir.resolve(PREVIOUS), Long.toString(current.getAsLong()).getBytes(StandardCharsets.US_ASCII));
        }
        write(dir.resolve(ACTIVE), Long.toString(version).getBytes(StandardCharsets.US_ASCII));
        syncDirectory(dir);
        prune(name);
    }

    /** Deletes a version's files unless it is the active or the previous one. */
    public void discard(String name, long version) throws IOException {
        if (activeVersion(name).equals(OptionalLong.of(version)) || previousVersion(name).equals(OptionalLong.of(version))) {
            return;
        }
        Path dir = root.resolve(name);
        Files.deleteIfExists(dir.resolve(version + ".tflite"));
        Files.deleteIfExists(dir.resolve(version + ".cose"));
    }

    /** Removes temporary files and versions that are neither active nor previous (left by a crash mid-install). */
    public void prune(String name) throws IOException {
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            return;
        }
        OptionalLong active = activeVersion(name);
        OptionalLong previous = previousVersion(name);
        List<Path> doomed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.endsWith(TMP)) {
                    doomed.add(p);
                    continue;
                }
                int dot = f.lastIndexOf('.');
                if (dot <= 0 || !(f.endsWith(".tflite") || f.endsWith(".cose"))) {
                    continue;
                }
                long v;
                try {
                    v = Long.parseLong(f.substring(0, dot));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!active.equals(OptionalLong.of(v)) && !previous.equals(OptionalLong.of(v))) {
                    doomed.add(p);
                }
            }
        }
        for (Path p : doomed) {
            Files.deleteIfExists(p);
        }
    }

    /** Writes {@code bytes} to a temporary file beside {@code target}, syncs it and renames it over {@code target}. */
    static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TMP);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Syncs a directory's entries (the renames), where the platform allows opening a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not possible on every platform (Windows); the renames are still atomic
        }
    }
}
