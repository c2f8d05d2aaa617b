package dev.fieldline.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.PortInUseException;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Scripted MQTT 3.1.1 byte exchanges with the endpoint: exact PUBACK bytes and their order, wills, keep-alive. */
@Tag("loopback")
class MqttEndpointWireTest {
    private static final String STATUS_OFFLINE = "{\"dev\":\"dev-w\",\"bid\":3,\"t\":1700000000,\"state\":\"offline\"}";
    private static final byte[] SENML = "[{\"bn\":\"urn:dev:fl:dev-1:\",\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5}]"
            .getBytes(StandardCharsets.UTF_8);

    private final FakeIngest ingest = new FakeIngest();
    private final FakeDownlink downlink = new FakeDownlink();
    private final Metrics metrics = new Metrics();
    private MqttEndpoint endpoint;
    private InetSocketAddress address;

    @BeforeEach
    void start() {
        endpoint = new MqttEndpoint(new MqttEndpointConfig("127.0.0.1", 0, 1024), ingest, downlink, metrics);
        address = endpoint.start();
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void pubacksLeaveInPublishOrderWhenIngestCompletesOutOfOrder() throws Exception {
        ingest.hold();
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            for (int id = 1; id <= 3; id++) {
                c.publish("fl/v1/dev-1/telemetry", 1, id, SENML);
            }
            await().until(() -> ingest.held().size() == 3);

            ingest.held().get(2).store();
            ingest.held().get(1).store();
            assertThat(c.silentFor(300)).as("no PUBACK before the first PUBLISH is committed").isTrue();

            ingest.held().get(0).store();
            c.expect(0x40, 0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02, 0x40, 0x02, 0x00, 0x03);
        }
    }

    @Test
    void pubackOnlyAfterCommit() throws Exception {
        ingest.hold();
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.publish("fl/v1/dev-1/telemetry", 1, 7, SENML);
            await().until(() -> ingest.held().size() == 1);
            assertThat(c.silentFor(300)).isTrue();
            ingest.held().get(0).store();
            c.expect(0x40, 0x02, 0x00, 0x07);
        }
        assertThat(ingest.uplinks().get(0).format()).isEqualTo(PayloadFormat.JSON);
        assertThat(ingest.uplinks().get(0).kind()).isEqualTo(MessageKind.TELEMETRY);
    }

    @Test
    void rejectedPayloadIsAcknowledgedOnMqtt311AndCountedOnlyByTheIngest() throws Exception {
        ingest.answer(u -> new IngestResult.Rejected(dev.fieldline.protocol.DecodeError.MALFORMED, "not SenML"));
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.publish("fl/v1/dev-1/telemetry", 1, 1, "[1,2".getBytes(StandardCharsets.UTF_8));
            c.expect(0x40, 0x02, 0x00, 0x01);
        }
        // IngestPipeline counts the rejections it makes; the transport must not count them a second time.
        assertThat(metrics.get("ingest_rejected_total", "transport", "mqtt", "reason", "malformed")).isZero();
    }

    @Test
    void unavailableGetsNoPubackAndTheConnectionIsClosed() throws Exception {
        ingest.answer(u -> new IngestResult.Unavailable("queue full"));
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.publish("fl/v1/dev-1/telemetry", 1, 1, SENML);
            assertThat(c.closedByPeer()).as("closed without PUBACK").isTrue();
        }
        assertThat(metrics.get("mqtt_disconnects_total", "reason", "ingest_unavailable")).isEqualTo(1);
    }

    @Test
    void unknownFormatIsRefusedBeforeIngest() throws Exception {
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.publish("fl/v1/dev-1/telemetry", 1, 1, "temp=21.5".getBytes(StandardCharsets.UTF_8));
            c.expect(0x40, 0x02, 0x00, 0x01);
        }
        assertThat(ingest.uplinks()).isEmpty();
        assertThat(metrics.get("ingest_rejected_total", "transport", "mqtt", "reason", "unsupported_format")).isEqualTo(1);
    }

    @Test
    void publishesOutsideTheDevicesOwnUplinkTopicsAreDroppedAndCounted() throws Exception {
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.publish("fl/v1/dev-2/telemetry", 1, 1, SENML);
            c.publish("fl/v1/dev-1/cmd", 1, 2, SENML);
            c.publish("some/other/topic", 1, 3, SENML);
            c.expect(0x40, 0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02, 0x40, 0x02, 0x00, 0x03);
        }
        assertThat(ingest.uplinks()).isEmpty();
        assertThat(metrics.get("mqtt_dropped_total", "reason", "not_authorized")).isEqualTo(2);
        assertThat(metrics.get("mqtt_dropped_total", "reason", "topic_invalid")).isEqualTo(1);
    }

    @Test
    void qos0IsSubmittedWithoutAck() throws Exception {
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.publish("fl/v1/dev-1/event", 0, 0, "{\"x\":1}".getBytes(StandardCharsets.UTF_8));
            await().until(() -> ingest.uplinks().size() == 1);
            assertThat(c.silentFor(200)).isTrue();
        }
        assertThat(ingest.uplinks().get(0).kind()).isEqualTo(MessageKind.EVENT);
    }

    @Test
    void qos2IsRefusedByClosingTheConnection() throws Exception {
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.publish("fl/v1/dev-1/telemetry", 2, 1, SENML);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(ingest.uplinks()).isEmpty();
        assertThat(metrics.get("mqtt_dropped_total", "reason", "qos_not_supported")).isEqualTo(1);
    }

    @Test
    void willIsSubmittedWhenTheSocketDiesWithoutDisconnect() throws Exception {
        MqttWire c = new MqttWire(address).connectWithWill("dev-w", 60, "fl/v1/dev-w/status", STATUS_OFFLINE);
        c.close();
        await().until(() -> ingest.uplinks().size() == 1);
        assertThat(ingest.uplinks().get(0).kind()).isEqualTo(MessageKind.STATUS);
        assertThat(ingest.uplinks().get(0).deviceId()).isEqualTo("dev-w");
        assertThat(ingest.texts()).containsExactly(STATUS_OFFLINE);
    }

    @Test
    void willIsNotSubmittedAfterACleanDisconnect() throws Exception {
        try (MqttWire c = new MqttWire(address).connectWithWill("dev-w", 60, "fl/v1/dev-w/status", STATUS_OFFLINE)) {
            c.disconnect();
            assertThat(c.closedByPeer()).isTrue();
        }
        // A marker publish on a fresh connection: once it is seen, a will would have been seen before it.
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.publish("fl/v1/dev-1/telemetry", 1, 1, SENML);
            c.expect(0x40, 0x02, 0x00, 0x01);
        }
        assertThat(ingest.uplinks()).extracting(u -> u.deviceId()).containsExactly("dev-1");
    }

    @Test
    void keepAliveTimeoutClosesTheConnectionAndSubmitsTheWill() throws Exception {
        try (MqttWire c = new MqttWire(address).connectWithWill("dev-w", 1, "fl/v1/dev-w/status", STATUS_OFFLINE)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ingest.uplinks().size() == 1);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(metrics.get("mqtt_disconnects_total", "reason", "keep_alive_timeout")).isEqualTo(1);
    }

    @Test
    void pingIsAnswered() throws Exception {
        try (MqttWire c = new MqttWire(address).connect("dev-1", 60)) {
            c.send(new byte[] {(byte) 0xc0, 0x00});
            c.expect(0xd0, 0x00);
        }
    }

    @Test
    void invalidClientIdIsRejected() throws Exception {
        try (MqttWire c = new MqttWire(address)) {
            c.send(io.netty.handler.codec.mqtt.MqttMessageBuilders.connect().clientId("no/slashes")
                    .protocolVersion(io.netty.handler.codec.mqtt.MqttVersion.MQTT_3_1_1).cleanSession(true).build());
            c.expect(0x20, 0x02, 0x00, 0x02); // CONNACK, identifier rejected
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(metrics.get("mqtt_connect_refused_total", "reason", "identifier_rejected")).isEqualTo(1);
    }

    @Test
    void secondConnectionWithTheSameClientIdTakesOver() throws Exception {
        try (MqttWire first = new MqttWire(address).connectWithWill("dev-w", 60, "fl/v1/dev-w/status", STATUS_OFFLINE);
                MqttWire second = new MqttWire(address).connect("dev-w", 60)) {
            assertThat(first.closedByPeer()).isTrue();
            second.publish("fl/v1/dev-w/telemetry", 1, 1, SENML);
            second.expect(0x40, 0x02, 0x00, 0x01);
        }
        // the taken-over connection's will is not published: the device is evidently alive
        assertThat(ingest.uplinks()).extracting(u -> u.kind()).containsExactly(MessageKind.TELEMETRY);
        assertThat(metrics.get("mqtt_connections_total")).isEqualTo(2);
    }

    @Test
    void bindFailureNamesThePort() {
        int port = address.getPort();
        MqttEndpoint second = new MqttEndpoint(new MqttEndpointConfig("127.0.0.1", port, 1024), ingest, downlink, metrics);
        assertThatThrownBy(second::start).isInstanceOf(PortInUseException.class).hasMessageContaining(String.valueOf(port));
        second.close();
    }
}
