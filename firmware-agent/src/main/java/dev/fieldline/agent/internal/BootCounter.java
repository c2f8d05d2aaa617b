package dev.fieldline.agent.internal;

import dev.fieldline.agent.AgentException;
import dev.fieldline.agent.AgentException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The persisted boot counter: file {@code boot-id} in the data directory holds the last boot id as
 * decimal text. {@link #next} reads it (0 if absent), adds one, writes a temporary file, forces it
 * to disk and renames it over the old one, so a crash leaves either the old or the new value.
 */
public final class BootCounter {
    public static final String FILE = "boot-id";

    private BootCounter() {
    }

    /** Increments and persists the counter; returns the new boot id (1 on the first start). */
    public static long next(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            long last = 0;
            if (Files.exists(file)) {
                String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
                try {
                    last = Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new AgentException(Reason.STORAGE, file + " does not hold a boot id (found '"
                            + text.substring(0, Math.min(20, text.length())) + "'); remove it to start from 1");
                }
                if (last < 0) {
                    throw new AgentException(Reason.STORAGE, file + " holds a negative boot id " + last);
                }
            }
            long next = last + 1;
            Path tmp = dataDir.resolve(FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap((next + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return next;
        } catch (IOException e) {
            throw new AgentException(Reason.STORAGE, "cannot update boot counter " + file + ": " + e, e);
        }
    }
}
