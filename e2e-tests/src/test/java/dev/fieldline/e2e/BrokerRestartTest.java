package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.AgentStats;
import dev.fieldline.testsupport.Mosquitto;
import dev.fieldline.testsupport.Peers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection in external-broker mode: a real, persistent Mosquitto between agent and gateway
 * is restarted twice while the agent pushes a burst of 34,000 samples (102,000 readings). With
 * {@code uplink-commit: ack-message} the agent keeps every message until the gateway's ack covers
 * it, so what the broker acknowledged and then lost is sent again, and the store ends up with every
 * reading exactly once.
 */
@Tag("interop")
class BrokerRestartTest {
    private static final int BURST = 34_000;
    private static final int READINGS_PER_SAMPLE = 3;
    private static final Duration LONG = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    @Test
    void mosquittoRestartedTwiceMidStreamLosesAndDuplicatesNothing() throws Exception {
        Path brokerDir = dir.resolve("mosquitto");
        int port = Peers.freeTcpPort();
        Mosquitto broker = Mosquitto.start(brokerDir, port, true);
        Mosquitto[] current = {broker};
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"),
                c -> c.withMqttPort(-1).withExternalBroker(URI.create(broker.url())))) {
            await().atMost(LONG).until(() -> gw.gateway().metrics().total("broker_subscribed_total") > 0);
            StoreProbe store = new StoreProbe(dir.resolve("gw"));
            AgentConfig config = AgentConfig.builder("restart-broker")
                    .inference(false) // telemetry only: messages = samples
                    .uplink(URI.create(broker.url()))
                    .uplinkCommit(AgentConfig.UplinkCommit.ACK_MESSAGE)
                    .ackTimeout(Duration.ofSeconds(5))
                    .replayRate(20_000) // the backlog after each reconnect is most of the burst: do not pace it at 200/s
                    .samplingInterval(Duration.ofHours(1)) // one regular sample at start, then only the burst
                    .heartbeatInterval(Duration.ofSeconds(1))
                    .dataDir(dir.resolve("agent"))
                    .build();
            try (Agent agent = Agent.start(config)) {
                await().atMost(LONG).until(() -> agent.stats().connected());
                Instant start = Instant.now();
                assertThat(agent.burst(BURST).get()).isEqualTo(BURST);
                long[] restartedAt = new long[2];
                for (int i = 0; i < 2; i++) {
                    long threshold = (i + 1) * 9_000L;
                    await().atMost(LONG).until(() -> store.counts("restart-broker").messages() >= threshold);
                    restartedAt[i] = store.counts("restart-broker").messages();
                    current[0].close();
                    current[0] = Mosquitto.start(brokerDir, port, true);
                }
                long expected = agent.stats().samples();
                await().atMost(LONG).until(() -> agent.stats().queued() == 0
                        && store.counts("restart-broker").messages() >= expected);
                Duration took = Duration.between(start, Instant.now());

                StoreProbe.Counts c = store.counts("restart-broker");
                AgentStats s = agent.stats();
                System.out.printf("broker restarted at %d and %d stored messages; %d messages (%d readings) stored in %.1f s; "
                        + "agent: %d sent, %d resent, %d acks received, %d ack timeouts, %d reconnects; gateway: %d acks sent%n",
                        restartedAt[0], restartedAt[1], c.messages(), c.rows(), took.toMillis() / 1000.0, s.sent(), s.resent(),
                        s.acksReceived(), s.ackTimeouts(), s.reconnects(),
                        gw.gateway().metrics().total("broker_acks_sent_total"));
                assertThat(c.messages()).as("messages stored").isEqualTo(expected);
                assertThat(c.rows()).as("readings stored").isEqualTo(expected * READINGS_PER_SAMPLE)
                        .isGreaterThanOrEqualTo(100_000);
                assertThat(c.distinct()).as("no reading stored twice").isEqualTo(c.rows());
                assertThat(store.missing("restart-broker")).as("sequence gaps").isZero();
                assertThat(s.reconnects()).as("the agent lived through both restarts").isGreaterThanOrEqualTo(2);
                assertThat(s.acksReceived()).isPositive();
                assertThat(s.dropped()).isZero();
            }
        } finally {
            current[0].close();
            broker.close();
        }
    }
}
