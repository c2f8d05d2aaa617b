package dev.fieldline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A real pseudo-terminal pair made by {@code socat} ({@code pty,raw,echo=0} on both ends), with a
 * symbolic link for each end: serial tests open one end as the agent's port and put a peer on the
 * other. Closing (or {@link #cut()}) ends socat, which removes both ends as an unplugged USB serial
 * adapter would. Skips the test (fails it under CI=true) when socat is missing.
 */
public final class PtyPair implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(10);

    private final Process socat;
    private final Path a;
    private final Path b;

    private PtyPair(Process socat, Path a, Path b) {
        this.socat = socat;
        this.a = a;
        this.b = b;
    }

    /**
     * Starts socat with the ends linked at {@code a} and {@code b}, logging to {@code log}, and waits
     * until both links exist.
     */
    public static PtyPair start(Path a, Path b, Path log) {
        Path socat = Peers.require("socat", "socat");
        Process p;
        try {
            p = new ProcessBuilder(socat.toString(), "-d", "-d", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start socat", e);
        }
        PtyPair pair = new PtyPair(p, a, b);
        Instant deadline = Instant.now().plus(START);
        while (!(Files.exists(a) && Files.exists(b))) {
            if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                pair.close();
                throw new IllegalStateException("socat made no pty pair within " + START + " (log: " + log + ")");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        return pair;
    }

    /** The first end (a path to open as a serial port). */
    public Path a() {
        return a;
    }

    /** The second end. */
    public Path b() {
        return b;
    }

    public boolean isAlive() {
        return socat.isAlive();
    }

    /** Ends socat: both ends disappear, as when a USB serial adapter is unplugged. */
    public void cut() {
        close();
    }

    @Override
    public void close() {
        socat.destroy();
        try {
            if (!socat.waitFor(5, TimeUnit.SECONDS)) {
                socat.destroyForcibly();
                socat.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socat.destroyForcibly();
        }
    }
}
