package dev.fieldline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Mosquitto broker on a free loopback port, with queue limits raised so that bursts are not
 * dropped (see shared/INTEROP-NOTES.md). Skips or fails the test when mosquitto is not installed.
 */
public final class Mosquitto extends PeerProcess {
    private final int port;

    private Mosquitto(List<String> command, Path dir, int port) {
        super("mosquitto", command, dir);
        this.port = port;
    }

    /** Starts a broker on a free port with anonymous access, writing its files under {@code dir}. */
    public static Mosquitto start(Path dir) {
        return start(dir, Peers.freeTcpPort());
    }

    /** Starts (or restarts) a broker on the given port. */
    public static Mosquitto start(Path dir, int port) {
        return start(dir, port, false);
    }

    /**
     * Starts (or restarts) a broker on the given port. With {@code persistent}, it saves its sessions
     * and queued messages in {@code dir} when stopped (SIGTERM) and restores them when started again
     * on the same directory, as a production broker is configured.
     */
    public static Mosquitto start(Path dir, int port, boolean persistent) {
        Path binary = Peers.require("mosquitto", "mosquitto");
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve("mosquitto-" + port + ".conf");
            Files.writeString(conf, String.join("\n",
                    "listener " + port + " 127.0.0.1",
                    "allow_anonymous true",
                    persistent ? "persistence true" : "persistence false",
                    "persistence_location " + dir.toAbsolutePath() + "/",
                    "autosave_interval 0",
                    "max_queued_messages 1000000",
                    "max_inflight_messages 1000",
                    "max_packet_size 1048576",
                    "log_dest stdout",
                    "log_type error",
                    "log_type warning",
                    ""));
            Mosquitto m = new Mosquitto(List.of(binary.toString(), "-c", conf.toString()), dir, port);
            m.awaitTcp(port, Duration.ofSeconds(10));
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }
}
