package dev.fieldline.agent.hal.esp32;

import static org.awaitility.Awaitility.await;

import dev.fieldline.testsupport.Peers;
import dev.fieldline.testsupport.PtyPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A simulated ESP32 at the end of a real pty pair: {@code socat} makes the pair, and the bridge
 * program's own protocol logic runs under {@code python3} with the fake {@code machine} module on
 * the far end ({@code esp32_sim.py}, taken from the board-profiles jar as it ships). The agent opens
 * {@link #hostPort()}. The simulator is steered through its control channel (JSON lines; the
 * commands are listed at the top of {@code esp32_sim.py}). Public for other packages' tests (the
 * agent on an ESP32 profile).
 */
public final class SimulatedEsp32 implements AutoCloseable {
    private static final List<String> FILES = List.of("fieldline_bridge.py", "sim/esp32_sim.py", "sim/machine.py");

    private final Path dir;
    private final Path python;
    private final String chip;
    private PtyPair pty;
    private Process sim;
    private Writer toSim;
    private BlockingQueue<String> fromSim;
    private long bootId;
    private int plugs;

    private SimulatedEsp32(Path dir, Path python, String chip) {
        this.dir = dir;
        this.python = python;
        this.chip = chip;
    }

    /** Skips the test (fails it under CI=true) when socat or python3 is missing. */
    public static SimulatedEsp32 start(Path dir, String chip) {
        Peers.require("socat", "socat");
        Path python = Peers.require("python3", "python3");
        extractBridge(dir.resolve("bridge"));
        SimulatedEsp32 s = new SimulatedEsp32(dir, python, chip);
        s.plug();
        return s;
    }

    private static void extractBridge(Path to) {
        try {
            for (String f : FILES) {
                try (InputStream in = SimulatedEsp32.class.getResourceAsStream("/esp32-bridge/" + f)) {
                    if (in == null) {
                        throw new IllegalStateException("/esp32-bridge/" + f + " is not on the classpath (board-profiles)");
                    }
                    Path target = to.resolve(f);
                    Files.createDirectories(target.getParent());
                    Files.write(target, in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pty the agent opens. */
    public Path hostPort() {
        return dir.resolve("host");
    }

    /** The boot id the simulated ESP32 runs under now. */
    public long bootId() {
        return bootId;
    }

    /** Makes a pty pair and starts a freshly booted simulated ESP32 on it. */
    public void plug() {
        plugs++;
        Path host = hostPort();
        Path esp = dir.resolve("esp32");
        try {
            pty = PtyPair.start(host, esp, dir.resolve("socat-" + plugs + ".log"));
            ProcessBuilder pb = new ProcessBuilder(python.toString(), dir.resolve("bridge/sim/esp32_sim.py").toString(),
                    esp.toString(), "--chip", chip)
                    .redirectError(dir.resolve("sim-" + plugs + ".log").toFile());
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            sim = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        toSim = new OutputStreamWriter(sim.getOutputStream(), StandardCharsets.UTF_8);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        fromSim = lines;
        BufferedReader r = new BufferedReader(new InputStreamReader(sim.getInputStream(), StandardCharsets.UTF_8));
        Thread t = new Thread(() -> {
            try {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the simulator went away
            }
        }, "esp32-sim-stdout");
        t.setDaemon(true);
        t.start();
        Map<String, Object> ready = next();
        if (!Boolean.TRUE.equals(ready.get("ready"))) {
            throw new IllegalStateException("simulator did not start: " + ready + log());
        }
        bootId = (Long) ready.get("boot_id");
    }

    /** Sends a control command and returns its answer; fails when the answer is not ok. */
    public Map<String, Object> command(String json) {
        try {
            toSim.write(json + "\n");
            toSim.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("simulator gone" + log(), e);
        }
        Map<String, Object> answer = next();
        if (!Boolean.TRUE.equals(answer.get("ok"))) {
            throw new IllegalStateException("simulator refused " + json + ": " + answer);
        }
        if (answer.get("boot_id") instanceof Long id && json.contains("\"reset\"")) {
            bootId = id;
        }
        return answer;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> state() {
        return command("{\"cmd\": \"state\"}");
    }

    /** The simulated ESP32's pin table entry for {@code pin} (mode, pull, value), or null. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> pin(int pin) {
        return ((Map<String, Map<String, Object>>) state().get("pins")).get(String.valueOf(pin));
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> pwm(int pin) {
        return ((Map<String, Map<String, Object>>) state().get("pwm")).get(String.valueOf(pin));
    }

    private Map<String, Object> next() {
        try {
            String line = fromSim.poll(10, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("no answer from the simulator in 10 s" + log());
            }
            return Json.object(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Pulls the cable: the pty pair goes away, and with it the simulated ESP32. */
    public void unplug() {
        pty.cut();
        try {
            if (!sim.waitFor(5, TimeUnit.SECONDS)) {
                sim.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        await("pty links removed").atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(hostPort()));
    }

    private String log() {
        try {
            Path p = dir.resolve("sim-" + plugs + ".log");
            return Files.exists(p) ? "\nsimulator log:\n" + Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (pty != null) {
            pty.close();
        }
        for (Process p : new Process[] {sim}) {
            if (p != null) {
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroyForcibly();
                }
            }
        }
    }
}
