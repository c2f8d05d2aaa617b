package dev.fieldline.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.metrics.Metrics;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * External-broker mode never waits for ever: a CONNACK or a SUBACK that does not come within its
 * time limit makes the gateway drop the connection and connect again, counted in
 * {@code broker_connect_timeouts_total} / {@code broker_subscribe_timeouts_total}. A scripted broker
 * stays silent on chosen connections.
 */
@Tag("loopback")
class BrokerIngestWatchdogTest {
    private static final BrokerIngest.Timing FAST = new BrokerIngest.Timing(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofMillis(100), Duration.ofMillis(500));

    private final Metrics metrics = new Metrics();
    private final FakeIngest ingest = new FakeIngest();
    private final TestResources resources = new TestResources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private BrokerIngest gateway(ScriptedBroker broker) {
        BrokerIngest b = resources.add(new BrokerIngest(new BrokerIngestConfig(URI.create(broker.url()), "gw-1", "gw"),
                ingest, new FakeDownlink(), metrics, FAST));
        b.start();
        return b;
    }

    @Test
    void aSubscribeWithoutSubAckIsGivenUpAndTheGatewayConnectsAgain() throws Exception {
        ScriptedBroker broker = resources.add(new ScriptedBroker().withoutSubAck(i -> i == 0));
        BrokerIngest gateway = gateway(broker);

        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.total("broker_subscribed_total") == 1);
        assertThat(metrics.total("broker_subscribe_timeouts_total")).isEqualTo(1);
        List<ScriptedBroker.Connection> seen = broker.connections();
        assertThat(seen.get(0).received).contains(MqttMessageType.CONNECT, MqttMessageType.SUBSCRIBE);
        await().until(() -> seen.get(0).closed); // the gateway dropped the silent connection
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).received).contains(MqttMessageType.SUBSCRIBE);
        assertThat(gateway.connected()).isTrue();
        assertThat(metrics.total("broker_disconnects_total")).as("a timeout is not counted as a lost connection").isZero();
    }

    @Test
    void aConnectWithoutConnAckIsGivenUpAndTheGatewayConnectsAgain() throws Exception {
        // the first connection works; after the broker drops it, the next one gets no CONNACK
        ScriptedBroker broker = resources.add(new ScriptedBroker().withoutConnAck(i -> i == 1));
        BrokerIngest gateway = gateway(broker);
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.total("broker_subscribed_total") == 1);

        broker.drop(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.total("broker_subscribed_total") == 2);
        assertThat(metrics.total("broker_connect_timeouts_total")).isEqualTo(1);
        assertThat(metrics.total("broker_disconnects_total")).isEqualTo(1);
        List<ScriptedBroker.Connection> seen = broker.connections();
        assertThat(seen).hasSize(3);
        assertThat(seen.get(1).received).containsExactly(MqttMessageType.CONNECT);
        await().until(() -> seen.get(1).closed);
        assertThat(gateway.connected()).isTrue();
    }

    @Test
    void withoutAnyAnswerTheGatewayKeepsTryingAndCountsEveryTimeout() throws Exception {
        ScriptedBroker broker = resources.add(new ScriptedBroker().withoutSubAck(i -> i < 3));
        gateway(broker);

        await().atMost(Duration.ofSeconds(20)).until(() -> metrics.total("broker_subscribed_total") == 1);
        assertThat(metrics.total("broker_subscribe_timeouts_total")).isEqualTo(3);
        assertThat(broker.connections()).hasSize(4);
        await().until(() -> broker.connections().subList(0, 3).stream().allMatch(c -> c.closed));
        // the clients of the abandoned connections are closed: only the live one's Paho threads remain
        // (receiver, sender, callback, pinger)
        await().atMost(Duration.ofSeconds(10)).until(() -> pahoThreads("gw-1") <= 4);
    }

    private static long pahoThreads(String clientId) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("MQTT") && t.getName().endsWith(": " + clientId))
                .count();
    }
}
