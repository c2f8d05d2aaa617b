package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device jar {@code tools/target/fieldline-agent.jar} as shipped: it must carry everything the
 * agent needs on every platform (a missing library would only show on the device, as a
 * NoClassDefFoundError), and no native inference engine.
 */
@Tag("loopback")
class AgentJarTest {
    private static final Path JAR = Path.of("..", "tools", "target", "fieldline-agent.jar").toAbsolutePath().normalize();
    private static final List<String> STOCK = List.of("sim", "rpi3b", "rpi4b", "rpi5", "rpi-zero-2w", "esp32-devkitc",
            "esp32-s3-devkitc");

    @TempDir
    Path dir;

    private static Path jar() {
        if (!Files.isRegularFile(JAR)) {
            String reason = JAR + " not built (run the whole reactor: mvn -B verify)";
            if (Peers.inCi()) {
                Assertions.fail(reason);
            }
            Assumptions.abort(reason);
        }
        return JAR;
    }

    private PeerProcess agent(String name, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-jar", jar().toString()));
        command.addAll(List.of(args));
        return PeerProcess.start(name, command, dir);
    }

    @Test
    void checksEveryStockProfile() {
        for (String board : STOCK) {
            try (PeerProcess p = agent("check-" + board, "--board", board, "--check")) {
                assertThat(p.awaitExit(Duration.ofSeconds(60))).as(board + ":\n" + p.output()).isZero();
                assertThat(p.output()).contains("board " + board);
            }
        }
    }

    @Test
    void runsTheSimBoardWithItsModelAgainstAGateway() {
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"));
                PeerProcess p = agent("agent-jar", "--board", "sim", "--mqtt", gw.mqttUrl(), "--device-id", "jar-1",
                        "--data-dir", dir.resolve("agent").toString(), "--interval", "200ms")) {
            StoreProbe store = new StoreProbe(dir.resolve("gw"));
            await().atMost(Duration.ofSeconds(60)).until(() -> store.counts("jar-1").messages() >= 5);
            assertThat(p.output()).contains("inference: model sensor-anomaly on micro").doesNotContain("NoClassDefFoundError");
        }
    }

    @Test
    void reachesEachHardwareProviderAndExplainsWhyItCannotStartHere() {
        // This machine is no Raspberry Pi and has no ESP32 attached: each provider must load (its
        // libraries are in the jar) and refuse with its own message, not a NoClassDefFoundError.
        String[][] cases = {
            {"rpi4b", "the pi4j provider could not start"},
            {"esp32-devkitc", "esp32"},
        };
        for (String[] c : cases) {
            try (PeerProcess p = agent("hw-" + c[0], "--board", c[0], "--mqtt", "tcp://127.0.0.1:1", "--device-id", "hw-1",
                    "--data-dir", dir.resolve("hw-" + c[0]).toString())) {
                assertThat(p.awaitExit(Duration.ofSeconds(60))).as(c[0] + ":\n" + p.output()).isNotZero();
                assertThat(p.output()).contains(c[1]).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
            }
        }
    }

    @Test
    void carriesNoNativeInferenceEngine() throws IOException {
        try (JarFile j = new JarFile(jar().toFile())) {
            assertThat(j.stream().map(e -> e.getName())
                    .filter(n -> n.contains("tensorflowlite") || n.startsWith("org/bytedeco/") || n.startsWith("org/tensorflow/")))
                    .isEmpty();
            assertThat(j.getEntry("dev/fieldline/tflite/micro/MicroInterpreter.class")).isNotNull();
        }
    }
}
