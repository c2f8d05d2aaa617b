package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.journal.JournalConfig;
import dev.fieldline.testsupport.FaultProxy;
import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults in the middle of a stream of more than 100,000 readings (34,000 samples of the sim board's
 * three sensors, plus the first regular sample), and the store afterwards holds every reading
 * exactly once: the gateway killed with SIGKILL and restarted, the agent killed with SIGKILL
 * mid-burst and restarted, the network cut and restored; and when the journal's space runs out
 * (its size limit, or a real full disk) the overflow policy applies and every dropped message is
 * counted.
 */
@Tag("loopback")
class FaultInjectionTest {
    private static final int BURST = 34_000;
    private static final int READINGS_PER_SAMPLE = 3;
    private static final Duration LONG = Duration.ofMinutes(3);
    /** Backlog pace after a reconnect; the default (200/s) protects a gateway from a fleet, but would make these tests slow. */
    private static final int REPLAY_RATE = 20_000;

    @TempDir
    Path dir;

    private AgentConfig.Builder agent(String id, URI uplink) {
        return AgentConfig.builder(id)
                .uplink(uplink)
                .samplingInterval(Duration.ofHours(1)) // one regular sample at start, then only the burst
                .heartbeatInterval(Duration.ofSeconds(1))
                .replayRate(REPLAY_RATE)
                .inference(false) // telemetry only: messages = samples (inference events are sequenced messages too)
                .dataDir(dir.resolve("agent-" + id));
    }

    /** Every reading of the device is stored once, and no sequence number of any boot is missing. */
    private static void assertExactlyOnce(StoreProbe store, String device, long expectedMessages) {
        StoreProbe.Counts c = store.counts(device);
        assertThat(c.messages()).as("messages stored").isEqualTo(expectedMessages);
        assertThat(c.rows()).as("readings stored").isEqualTo(expectedMessages * READINGS_PER_SAMPLE);
        assertThat(c.distinct()).as("no reading stored twice").isEqualTo(c.rows());
        assertThat(store.missing(device)).as("sequence gaps").isZero();
        System.out.printf("%s: %d messages, %d readings, each stored once%n", device, c.messages(), c.rows());
    }

    @Test
    void gatewayKilledWithSigkillAndRestartedLosesAndDuplicatesNothing() throws Exception {
        Path data = dir.resolve("gw-data");
        int http = Peers.freeTcpPort();
        int mqtt = Peers.freeTcpPort();
        String[] args = {"gateway", "--data-dir", data.toString(), "--bind", "127.0.0.1", "--http-port", String.valueOf(http),
            "--mqtt-port", String.valueOf(mqtt), "--coap-port", "-1", "--coaps-port", "-1", "--mqtts-port", "-1"};
        PeerProcess gateway = ChildProcesses.fieldline("gateway-1", dir.resolve("run-1"), args);
        try {
            gateway.awaitTcp(mqtt, Duration.ofSeconds(60));
            StoreProbe store = new StoreProbe(data);
            try (Agent agent = Agent.start(agent("kill-gw", URI.create("tcp://127.0.0.1:" + mqtt)).build())) {
                assertThat(agent.burst(BURST).get()).isEqualTo(BURST);
                Instant start = Instant.now();
                await().atMost(LONG).until(() -> store.counts("kill-gw").messages() >= 8_000);
                ChildProcesses.kill(gateway);
                long before = store.counts("kill-gw").messages();
                gateway = ChildProcesses.fieldline("gateway-2", dir.resolve("run-2"), args);
                gateway.awaitTcp(mqtt, Duration.ofSeconds(60));
                long expected = agent.stats().samples();
                await().atMost(LONG).until(() -> store.counts("kill-gw").messages() >= expected && agent.stats().queued() == 0);
                System.out.printf("gateway SIGKILL after %d of %d messages; all stored %d s after the burst%n",
                        before, expected, Duration.between(start, Instant.now()).toSeconds());
                assertExactlyOnce(store, "kill-gw", expected);
                assertThat(agent.stats().reconnects()).isPositive();
            }
        } finally {
            gateway.close();
        }
    }

    @Test
    void agentKilledWithSigkillMidBurstResendsItsJournalAfterRestart() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"))) {
            StoreProbe store = new StoreProbe(dir.resolve("gw"));
            Path config = dir.resolve("kill-agent.yaml");
            java.nio.file.Files.writeString(config, String.join("\n",
                    "device-id: kill-agent",
                    "inference: false",
                    "uplink: " + gw.mqttUrl(),
                    "data-dir: " + dir.resolve("agent-kill-agent"),
                    "sampling-interval: 1h",
                    "heartbeat-interval: 1s",
                    "journal:",
                    "  replay-rate: " + REPLAY_RATE,
                    ""));
            String[] args = {"agent", "--config", config.toString()};
            PeerProcess agent = ChildProcesses.fieldline("agent-1", dir.resolve("agent-run-1"),
                    concat(args, "--burst", String.valueOf(BURST)));
            try {
                await().atMost(LONG).untilAsserted(() ->
                        assertThat(agent.output()).contains("burst: " + BURST + " samples journaled"));
                await().atMost(LONG).until(() -> store.counts("kill-agent").messages() >= 5_000);
                ChildProcesses.kill(agent);
            } finally {
                agent.close();
            }
            long atKill = store.counts("kill-agent").messages();
            assertThat(atKill).as("killed mid-stream").isLessThan(BURST);
            try (PeerProcess restarted = ChildProcesses.fieldline("agent-2", dir.resolve("agent-run-2"), args)) {
                // boot 1: the first regular sample and the burst, all from the journal; boot 2: its first sample
                await().atMost(LONG).until(() -> store.counts("kill-agent").messages() >= BURST + 2);
                System.out.printf("agent SIGKILL after %d stored; the restarted agent sent the rest of its journal%n", atKill);
                assertThat(store.maxSeq("kill-agent", 1)).isEqualTo(BURST + 1);
                assertExactlyOnce(store, "kill-agent", BURST + 2);
            }
        }
    }

    @Test
    void networkCutAndRestoredLosesAndDuplicatesNothing() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"));
                FaultProxy proxy = FaultProxy.tcp(gw.mqttPort())) {
            StoreProbe store = new StoreProbe(dir.resolve("gw"));
            try (Agent agent = Agent.start(agent("cut", URI.create("tcp://127.0.0.1:" + proxy.port())).build())) {
                assertThat(agent.burst(BURST).get()).isEqualTo(BURST);
                await().atMost(LONG).until(() -> store.counts("cut").messages() >= 5_000);
                proxy.cut();
                await().atMost(LONG).until(() -> !agent.stats().connected());
                long during = store.counts("cut").messages();
                await().atMost(LONG).until(() -> agent.stats().reconnects() >= 1 || proxy.dropped() >= 2);
                proxy.restore();
                long expected = agent.stats().samples();
                await().atMost(LONG).until(() -> store.counts("cut").messages() >= expected && agent.stats().queued() == 0);
                System.out.printf("network cut at %d of %d messages (%d connection attempts refused while cut)%n",
                        during, expected, proxy.dropped());
                assertExactlyOnce(store, "cut", expected);
            }
        }
    }

    @Test
    void aFullJournalDropsTheOldestAndCountsEveryDroppedMessageExactly() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"));
                FaultProxy proxy = FaultProxy.tcp(gw.mqttPort())) {
            StoreProbe store = new StoreProbe(dir.resolve("gw"));
            proxy.cut(); // the gateway is unreachable while the burst fills the journal
            JournalConfig small = JournalConfig.DEFAULTS.withSegmentSize(64 * 1024).withMaxSize(1024 * 1024)
                    .withOverflow(JournalConfig.OverflowPolicy.DROP_OLDEST);
            try (Agent agent = Agent.start(agent("full", URI.create("tcp://127.0.0.1:" + proxy.port())).journal(small).build())) {
                assertThat(agent.burst(BURST).get()).isEqualTo(BURST);
                long dropped = agent.stats().droppedOldest();
                assertThat(dropped).as("a 1 MiB journal cannot hold 34,000 messages").isPositive();
                proxy.restore();
                long samples = agent.stats().samples();
                await().atMost(LONG).until(() -> agent.stats().queued() == 0
                        && store.counts("full").messages() == samples - dropped);
                StoreProbe.Counts c = store.counts("full");
                System.out.printf("journal full: %d samples, %d dropped (oldest first), %d stored%n", samples, dropped, c.messages());
                assertThat(c.messages() + dropped).as("stored + dropped = taken").isEqualTo(samples);
                assertThat(c.distinct()).isEqualTo(c.rows());
                assertThat(store.missing("full")).as("exactly the dropped ones are missing").isEqualTo(dropped);
                assertThat(store.maxSeq("full", agent.bootId())).isEqualTo(samples);
            }
        }
    }

    @Test
    void theJournalsDiskFillingUpAppliesTheOverflowPolicyCountedExactly() throws Exception {
        // A real full disk: the agent runs in its own mount namespace with its data directory on a
        // 1 MiB tmpfs, far smaller than its journal limit, while the gateway is unreachable.
        Path unshare = Peers.require("util-linux", "unshare");
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"));
                FaultProxy proxy = FaultProxy.tcp(gw.mqttPort())) {
            StoreProbe store = new StoreProbe(dir.resolve("gw"));
            proxy.cut();
            Path disk = java.nio.file.Files.createDirectories(dir.resolve("small-disk"));
            Path config = dir.resolve("disk-full.yaml");
            java.nio.file.Files.writeString(config, String.join("\n",
                    "device-id: disk-full",
                    "inference: false",
                    "uplink: tcp://127.0.0.1:" + proxy.port(),
                    "data-dir: " + disk.resolve("agent"),
                    "sampling-interval: 1h",
                    "heartbeat-interval: 1s",
                    "journal:",
                    "  segment-size: 64KiB",
                    "  overflow: drop-oldest",
                    "  replay-rate: " + REPLAY_RATE,
                    ""));
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(unshare.toString()));
            if (!"root".equals(System.getProperty("user.name"))) {
                command.add("-r"); // an unprivileged user namespace, where mounting a tmpfs is allowed
            }
            command.addAll(java.util.List.of("-m", "--propagation", "private", "sh", "-c",
                    "mount -t tmpfs -o size=1m fieldline-journal \"$0\" || exit 97; exec \"$@\"", disk.toString(),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), "dev.fieldline.tools.Fieldline", "agent", "--config", config.toString(),
                    "--burst", String.valueOf(BURST)));
            try (PeerProcess agent = PeerProcess.start("disk-full-agent", command, dir.resolve("disk-run"))) {
                await().atMost(LONG).until(() -> !agent.isAlive() || agent.output().contains("samples journaled"));
                if (!agent.isAlive() && agent.process().exitValue() == 97) {
                    String reason = "cannot mount a tmpfs in a private mount namespace here: " + agent.output().trim();
                    if (Peers.inCi()) {
                        org.junit.jupiter.api.Assertions.fail(reason);
                    }
                    org.junit.jupiter.api.Assumptions.abort(reason);
                }
                assertThat(agent.output()).contains("burst: " + BURST + " samples journaled");
                proxy.restore();
                long samples = BURST + 1;
                await().atMost(LONG).untilAsserted(() -> {
                    java.util.Map<String, Long> c = store.statusCounters("disk-full");
                    assertThat(c.get("samples")).isEqualTo(samples);
                    assertThat(c.get("queued")).isZero();
                    assertThat(store.counts("disk-full").messages() + c.get("journal_dropped_oldest")).isEqualTo(samples);
                });
                java.util.Map<String, Long> c = store.statusCounters("disk-full");
                StoreProbe.Counts stored = store.counts("disk-full");
                System.out.printf("disk full: %d samples, %d write failures (ENOSPC), %d dropped (oldest first), %d stored%n",
                        samples, c.get("journal_write_failures"), c.get("journal_dropped_oldest"), stored.messages());
                assertThat(c.get("journal_write_failures")).as("the disk really filled up").isPositive();
                assertThat(c.get("journal_dropped_oldest")).isPositive();
                assertThat(stored.distinct()).isEqualTo(stored.rows());
                assertThat(store.missing("disk-full")).isEqualTo(c.get("journal_dropped_oldest"));
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
