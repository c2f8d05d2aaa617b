package dev.fieldline.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Value;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The endpoint against Eclipse Paho's MQTT 5 and MQTT 3.1.1 clients. */
@Tag("loopback")
class MqttEndpointPahoTest {
    private static final byte[] SENML = "[{\"bn\":\"urn:dev:fl:dev-1:\",\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5}]"
            .getBytes(StandardCharsets.UTF_8);
    /** A CBOR array of one map: enough for the sniffer, the fake ingest does not decode. */
    private static final byte[] CBOR = {(byte) 0x81, (byte) 0xa1, 0x61, 0x6e, 0x61, 0x74};
    private static final int MAX_PAYLOAD = 1024;

    private final FakeIngest ingest = new FakeIngest();
    private final FakeDownlink downlink = new FakeDownlink();
    private final Metrics metrics = new Metrics();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private MqttEndpoint endpoint;
    private String url;

    @BeforeEach
    void start() {
        endpoint = new MqttEndpoint(new MqttEndpointConfig("127.0.0.1", 0, MAX_PAYLOAD), ingest, downlink, metrics);
        InetSocketAddress address = endpoint.start();
        url = "tcp://127.0.0.1:" + address.getPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        endpoint.close();
    }

    private MqttAsyncClient v5(String clientId) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        clients.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1000, false);
            }
            c.close(true);
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(5000);
        return c;
    }

    private org.eclipse.paho.client.mqttv3.MqttAsyncClient v3(String clientId) throws Exception {
        var c = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(url, clientId,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        clients.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1000, false);
            }
            c.close(true);
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setMaxInflight(100);
        c.connect(o).waitForCompletion(5000);
        return c;
    }

    private static MqttMessage v5Message(byte[] payload, String contentType) {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        if (contentType != null) {
            MqttProperties p = new MqttProperties();
            p.setContentType(contentType);
            m.setProperties(p);
        }
        return m;
    }

    // ------------------------------------------------------------------ uplink

    @Test
    void v5PubackArrivesOnlyAfterTheIngestCommitted() throws Exception {
        ingest.hold();
        MqttAsyncClient c = v5("dev-1");
        IMqttToken token = c.publish("fl/v1/dev-1/telemetry", v5Message(SENML, "application/senml+json"));
        await().until(() -> ingest.held().size() == 1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !token.isComplete());

        ingest.held().get(0).store();
        token.waitForCompletion(5000);
        assertThat(token.getReasonCodes()).containsExactly(0);
        assertThat(ingest.uplinks().get(0).format()).isEqualTo(PayloadFormat.JSON);
    }

    @Test
    void v3PubackArrivesOnlyAfterTheIngestCommitted() throws Exception {
        ingest.hold();
        var c = v3("dev-1");
        IMqttDeliveryToken token = c.publish("fl/v1/dev-1/telemetry", SENML, 1, false);
        await().until(() -> ingest.held().size() == 1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !token.isComplete());

        ingest.held().get(0).store();
        token.waitForCompletion(5000);
        assertThat(token.isComplete()).isTrue();
    }

    @Test
    void v3PubacksKeepPublishOrderWhenCommitsComeOutOfOrder() throws Exception {
        ingest.hold();
        var c = v3("dev-1");
        List<Integer> completed = new CopyOnWriteArrayList<>();
        List<IMqttDeliveryToken> tokens = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            IMqttDeliveryToken t = c.publish("fl/v1/dev-1/telemetry", SENML, 1, false);
            tokens.add(t);
        }
        await().until(() -> ingest.held().size() == 5);
        for (int i = 4; i >= 1; i--) {
            ingest.held().get(i).store();
        }
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> tokens.stream().noneMatch(IMqttDeliveryToken::isComplete));
        ingest.held().get(0).store();
        for (IMqttDeliveryToken t : tokens) {
            t.waitForCompletion(5000);
            completed.add(t.getMessageId());
        }
        assertThat(completed).hasSize(5);
    }

    @Test
    void contentTypeDecidesTheFormatAndSniffingCoversItsAbsence() throws Exception {
        MqttAsyncClient c = v5("dev-1");
        c.publish("fl/v1/dev-1/telemetry", v5Message(SENML, "application/senml+json")).waitForCompletion(5000);
        c.publish("fl/v1/dev-1/telemetry", v5Message(CBOR, "application/senml+cbor")).waitForCompletion(5000);
        c.publish("fl/v1/dev-1/telemetry", v5Message(CBOR, null)).waitForCompletion(5000);
        var v3 = v3("dev-2");
        v3.publish("fl/v1/dev-2/event", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(5000);

        assertThat(ingest.uplinks()).extracting(u -> u.format())
                .containsExactly(PayloadFormat.JSON, PayloadFormat.CBOR, PayloadFormat.CBOR, PayloadFormat.JSON);
    }

    @Test
    void v5UnknownContentTypeGetsPayloadFormatInvalid() throws Exception {
        MqttAsyncClient c = v5("dev-1");
        IMqttToken t = c.publish("fl/v1/dev-1/telemetry", v5Message(SENML, "text/plain"));
        t.waitForCompletion(5000);
        assertThat(t.getReasonCodes()).containsExactly(0x99);
        assertThat(ingest.uplinks()).isEmpty();
        assertThat(metrics.get("ingest_rejected_total", "transport", "mqtt", "reason", "unsupported_format")).isEqualTo(1);
    }

    @Test
    void aRefusalWhoseReasonHasLineBreaksKeepsTheV5ConnectionUsable() throws Exception {
        // parser messages can span lines; a control character in a reason string makes Paho drop the connection
        ingest.answer(u -> new IngestResult.Rejected(DecodeError.MALFORMED, "unexpected end\n at [Source: (byte[])\r\n line: 1]"));
        MqttAsyncClient c = v5("dev-1");
        IMqttToken first = c.publish("fl/v1/dev-1/telemetry", v5Message("[{]".getBytes(StandardCharsets.UTF_8), null));
        first.waitForCompletion(5000);
        assertThat(first.getReasonCodes()).containsExactly(0x99);
        ingest.answer(u -> FakeIngest.stored());
        IMqttToken second = c.publish("fl/v1/dev-1/telemetry", v5Message("[]".getBytes(StandardCharsets.UTF_8), null));
        second.waitForCompletion(5000);
        assertThat(second.getReasonCodes()).containsExactly(0);
        assertThat(c.isConnected()).isTrue();
        assertThat(MqttConnection.truncate("a\nb\tc\u0085d")).isEqualTo("a b c d");
    }

    @Test
    void v5RejectedPayloadGetsPayloadFormatInvalidAndTooLargeGetsImplementationSpecificError() throws Exception {
        ingest.answer(u -> new IngestResult.Rejected(DecodeError.MALFORMED, "bad"));
        MqttAsyncClient c = v5("dev-1");
        IMqttToken malformed = c.publish("fl/v1/dev-1/telemetry", v5Message("[{]".getBytes(StandardCharsets.UTF_8), null));
        malformed.waitForCompletion(5000);
        // larger than maxPayloadBytes, still within the advertised Maximum Packet Size
        IMqttToken tooLarge = c.publish("fl/v1/dev-1/telemetry", v5Message(new byte[MAX_PAYLOAD + 1], "application/senml+cbor"));
        tooLarge.waitForCompletion(5000);

        assertThat(malformed.getReasonCodes()).containsExactly(0x99);
        assertThat(tooLarge.getReasonCodes()).containsExactly(0x83);
        assertThat(ingest.uplinks()).hasSize(1);
        assertThat(metrics.get("ingest_rejected_total", "transport", "mqtt", "reason", "too_large")).isEqualTo(1);
    }

    @Test
    void v5TopicOfAnotherDeviceIsNotAuthorized() throws Exception {
        MqttAsyncClient c = v5("dev-1");
        IMqttToken other = c.publish("fl/v1/dev-2/telemetry", v5Message(SENML, null));
        IMqttToken invalid = c.publish("random/topic", v5Message(SENML, null));
        other.waitForCompletion(5000);
        invalid.waitForCompletion(5000);
        assertThat(other.getReasonCodes()).containsExactly(0x87);
        assertThat(invalid.getReasonCodes()).containsExactly(0x90);
        assertThat(ingest.uplinks()).isEmpty();
    }

    @Test
    void oversizedPacketClosesThatConnectionOnlyAndIsCounted() throws Exception {
        var big = v3("dev-big");
        var other = v3("dev-1");
        byte[] huge = new byte[MAX_PAYLOAD + MqttEndpoint.HEADER_ROOM + 1000];
        huge[0] = '[';
        big.publish("fl/v1/dev-big/telemetry", huge, 1, false);
        await().until(() -> !big.isConnected());

        other.publish("fl/v1/dev-1/telemetry", SENML, 1, false).waitForCompletion(5000);
        assertThat(ingest.uplinks()).extracting(u -> u.deviceId()).containsExactly("dev-1");
        assertThat(metrics.get("mqtt_dropped_total", "reason", "packet_too_large")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ CONNECT

    @Test
    void invalidClientIdIsRefused() throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(url, "bad id!", new MemoryPersistence());
        clients.add(() -> c.close(true));
        assertThatThrownBy(() -> c.connect(new MqttConnectionOptions()).waitForCompletion(5000))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x85));

        var v3 = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(url, "x".repeat(65),
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        clients.add(() -> v3.close(true));
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // the default retries with 3.1 on refusal
        assertThatThrownBy(() -> v3.connect(o).waitForCompletion(5000))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(
                                org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_INVALID_CLIENT_ID));
        assertThat(metrics.get("mqtt_connect_refused_total", "reason", "identifier_rejected")).isEqualTo(2);
    }

    @Test
    void authenticatorRefusalIsBadCredentials() throws Exception {
        MqttEndpoint guarded = new MqttEndpoint(new MqttEndpointConfig("127.0.0.1", 0, MAX_PAYLOAD), ingest, downlink, metrics,
                (clientId, user, password) -> password.filter(p -> new String(p, StandardCharsets.UTF_8).equals("s3cret"))
                        .map(p -> clientId));
        try {
            String guardedUrl = "tcp://127.0.0.1:" + guarded.start().getPort();
            MqttAsyncClient c = new MqttAsyncClient(guardedUrl, "dev-1", new MemoryPersistence());
            clients.add(() -> c.close(true));
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName("dev-1");
            o.setPassword("wrong".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> c.connect(o).waitForCompletion(5000))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
            o.setPassword("s3cret".getBytes(StandardCharsets.UTF_8));
            c.connect(o).waitForCompletion(5000);
            assertThat(c.isConnected()).isTrue();
            c.disconnect().waitForCompletion(5000);
        } finally {
            guarded.close();
        }
    }

    // ------------------------------------------------------------------ SUBSCRIBE and commands

    @Test
    void subscribingToOwnDownlinkTopicsIsAllowedAndAnythingElseRefused() throws Exception {
        MqttAsyncClient c = v5("dev-1");
        IMqttToken t = c.subscribe(new MqttSubscription[] {
                new MqttSubscription("fl/v1/dev-1/cmd", 1),
                new MqttSubscription("fl/v1/dev-1/ack", 1),
                new MqttSubscription("fl/v1/dev-2/cmd", 1),
                new MqttSubscription("fl/v1/dev-1/status", 1)});
        t.waitForCompletion(5000);
        assertThat(t.getReasonCodes()).containsExactly(1, 1, 0x87, 0x87);
        // CONNACK says wildcard subscriptions are unavailable, so Paho does not even send "fl/v1/+/cmd"

        var v3 = v3("dev-2");
        var t3 = v3.subscribe(new String[] {"fl/v1/dev-2/cmd", "#"}, new int[] {1, 1});
        t3.waitForCompletion(5000);
        assertThat(t3.getGrantedQos()).containsExactly(1, 0x80);
    }

    @Test
    void commandsReachTheSubscribedDeviceAndAreMarkedDeliveredOnPuback() throws Exception {
        Command early = new Command("c-1", "led", Map.of("on", new Value.Bool(true)), Instant.parse("2025-03-01T12:00:00Z"));
        downlink.enqueue("dev-1", early); // queued before the device subscribes: flushed on SUBSCRIBE
        MqttAsyncClient c = v5("dev-1");
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        // (Paho 1.2.5's per-subscription listeners need subscription identifiers, which the endpoint does not offer)
        c.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(message);
            }
        });
        c.subscribe(new MqttSubscription("fl/v1/dev-1/cmd", 1)).waitForCompletion(5000);
        await().until(() -> received.size() == 1);
        assertThat(endpoint.reaches("dev-1")).isTrue();

        Command later = new Command("c-2", "interval", Map.of("seconds", new Value.Num(5)), Instant.parse("2025-03-01T12:01:00Z"));
        downlink.enqueue("dev-1", later);
        await().until(() -> received.size() == 2);

        MessageCodec codec = new MessageCodec();
        assertThat(received).extracting(m -> codec.decodeCommand(m.getPayload(), PayloadFormat.CBOR).id())
                .containsExactly("c-1", "c-2");
        assertThat(received.get(0).getProperties().getContentType()).isEqualTo("application/cbor");
        assertThat(codec.decodeCommand(received.get(1).getPayload(), PayloadFormat.CBOR).args())
                .containsEntry("seconds", new Value.Num(5));
        await().until(() -> downlink.delivered().size() == 2);
        assertThat(downlink.delivered()).extracting(FakeDownlink.Delivery::commandId).containsExactly("c-1", "c-2");
        assertThat(downlink.pending("dev-1")).isEmpty();
    }

    @Test
    void commandsAreNotSentToDevicesThatDidNotSubscribe() throws Exception {
        v5("dev-1");
        Command cmd = new Command("c-1", "led", Map.of(), Instant.EPOCH);
        assertThat(endpoint.reaches("dev-1")).isFalse();
        assertThat(endpoint.send("dev-1", cmd)).isFalse();
        assertThat(endpoint.send("dev-unknown", cmd)).isFalse();
    }

    @Test
    void v3WillIsSubmittedOnAbruptLossButNotAfterDisconnect() throws Exception {
        String offline = "{\"dev\":\"dev-9\",\"bid\":1,\"t\":1700000000,\"state\":\"offline\"}";
        for (boolean graceful : new boolean[] {true, false}) {
            var c = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(url, "dev-9",
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            clients.add(() -> c.close(true));
            MqttConnectOptions o = new MqttConnectOptions();
            o.setWill("fl/v1/dev-9/status", offline.getBytes(StandardCharsets.UTF_8), 1, true);
            c.connect(o).waitForCompletion(5000);
            if (graceful) {
                c.disconnect().waitForCompletion(5000);
            } else {
                c.disconnectForcibly(0, 1000, false); // closes the socket without DISCONNECT
            }
            await().until(() -> endpoint.connectedDevices() == 0);
        }
        await().until(() -> ingest.uplinks().size() == 1);
        assertThat(ingest.texts()).containsExactly(offline);
    }
}
