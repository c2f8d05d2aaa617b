package dev.fieldline.agent.hal.ble;

import static org.awaitility.Awaitility.await;

import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.freedesktop.dbus.bin.EmbeddedDBusDaemon;

/**
 * Test fixture: a private D-Bus bus on a Unix socket in a test directory. Debian's
 * {@code dbus-daemon} (package {@code dbus-daemon}) when installed, and always under CI=true;
 * elsewhere, when it is missing, dbus-java's {@link EmbeddedDBusDaemon}, with a printed note.
 * Closing stops the daemon (its process, or the embedded one's threads).
 */
final class DbusDaemon implements AutoCloseable {
    private final PeerProcess process;
    private final EmbeddedDBusDaemon embedded;
    private final String address;

    private DbusDaemon(PeerProcess process, EmbeddedDBusDaemon embedded, String address) {
        this.process = process;
        this.embedded = embedded;
        this.address = address;
    }

    static DbusDaemon start(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path socket = dir.resolve("bus");
        String address = "unix:path=" + socket;
        if (Peers.find("dbus-daemon").isPresent() || Peers.inCi()) {
            Path binary = Peers.require("dbus-daemon", "dbus-daemon");
            PeerProcess p = PeerProcess.start("dbus-daemon", List.of(binary.toString(), "--session", "--nofork", "--nopidfile",
                    "--address=" + address, "--print-address=1"), dir);
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket) || !p.isAlive());
                if (!p.isAlive()) {
                    throw new IllegalStateException("dbus-daemon exited:\n" + p.output());
                }
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
            return new DbusDaemon(p, null, address);
        }
        System.out.println("NOTE: dbus-daemon not found (Debian package 'dbus-daemon'); using dbus-java's EmbeddedDBusDaemon");
        EmbeddedDBusDaemon d = new EmbeddedDBusDaemon(address + ",listen=true");
        d.startInBackgroundAndWait(10_000);
        return new DbusDaemon(null, d, address);
    }

    /** The address clients connect to, {@code unix:path=…}. */
    String address() {
        return address;
    }

    /** Whether this is Debian's dbus-daemon (not the embedded one). */
    boolean real() {
        return process != null;
    }

    /** The daemon's process, to check that closing ends it. */
    ProcessHandle processHandle() {
        return process.process().toHandle();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
