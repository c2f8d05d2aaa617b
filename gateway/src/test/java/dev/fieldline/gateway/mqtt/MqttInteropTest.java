package dev.fieldline.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.testsupport.Mosquitto;
import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MQTT transports against real peers: Mosquitto's command-line clients and the Mosquitto broker. */
@Tag("interop")
class MqttInteropTest {
    private static final String SENML = "[{\"bn\":\"urn:dev:fl:dev-1:\",\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5}]";

    @TempDir
    Path dir;

    private final FakeIngest ingest = new FakeIngest();
    private final FakeDownlink downlink = new FakeDownlink();
    private final Metrics metrics = new Metrics();
    private final TestResources resources = new TestResources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    // ------------------------------------------------------------------ mosquitto_pub -> MqttEndpoint

    @Test
    void mosquittoPubV311AndV5ReachTheIngestThroughTheEndpoint() {
        Path pub = Peers.require("mosquitto-clients", "mosquitto_pub");
        MqttEndpoint endpoint = resources.add(new MqttEndpoint(new MqttEndpointConfig("127.0.0.1", 0, 65536), ingest, downlink, metrics));
        int port = endpoint.start().getPort();

        for (String version : List.of("mqttv311", "mqttv5")) {
            List<String> cmd = new ArrayList<>(List.of(pub.toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
                    "-V", version, "-q", "1", "-i", "dev-1", "-t", "fl/v1/dev-1/telemetry", "-m", SENML));
            if (version.equals("mqttv5")) {
                cmd.addAll(List.of("-D", "publish", "content-type", "application/senml+json"));
            }
            PeerProcess p = resources.add(PeerProcess.start("mosquitto_pub-" + version, cmd, dir));
            assertThat(p.awaitExit(Duration.ofSeconds(10))).as(p.output()).isZero();
        }
        await().until(() -> ingest.uplinks().size() == 2);
        assertThat(ingest.uplinks()).allSatisfy(u -> {
            assertThat(u.transport()).isEqualTo(Transport.MQTT);
            assertThat(u.deviceId()).isEqualTo("dev-1");
            assertThat(u.kind()).isEqualTo(MessageKind.TELEMETRY);
            assertThat(u.format()).isEqualTo(PayloadFormat.JSON);
        });
        assertThat(ingest.texts()).containsOnly(SENML);
    }

    @Test
    void mosquittoSubReceivesACommandFromTheEndpoint() {
        Path sub = Peers.require("mosquitto-clients", "mosquitto_sub");
        MqttEndpoint endpoint = resources.add(new MqttEndpoint(new MqttEndpointConfig("127.0.0.1", 0, 65536), ingest, downlink, metrics));
        int port = endpoint.start().getPort();
        PeerProcess p = resources.add(PeerProcess.start("mosquitto_sub", List.of(sub.toString(), "-h", "127.0.0.1",
                "-p", String.valueOf(port), "-V", "mqttv5", "-q", "1", "-i", "dev-1", "-t", "fl/v1/dev-1/cmd",
                "-C", "1", "-F", "%x"), dir));
        await().until(() -> endpoint.reaches("dev-1"));
        Command cmd = new Command("c-42", "led", Map.of(), Instant.parse("2025-03-01T12:00:00Z"));
        downlink.enqueue("dev-1", cmd);

        assertThat(p.awaitExit(Duration.ofSeconds(10))).isZero();
        byte[] payload = java.util.HexFormat.of().parseHex(p.output().trim());
        assertThat(new MessageCodec().decodeCommand(payload, PayloadFormat.CBOR).id()).isEqualTo("c-42");
        await().until(() -> downlink.delivered().size() == 1);
    }

    // ------------------------------------------------------------------ Mosquitto broker -> BrokerIngest

    private Mosquitto broker() {
        return resources.add(Mosquitto.start(dir.resolve("mosquitto")));
    }

    private BrokerIngest brokerIngest(Mosquitto broker, String clientId, FakeIngest target) {
        BrokerIngest b = resources.add(new BrokerIngest(
                new BrokerIngestConfig(URI.create(broker.url()), clientId, "gw"), target, downlink, metrics));
        b.start();
        return b;
    }

    private MqttAsyncClient device(Mosquitto broker, String clientId) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(broker.url(), clientId, new MemoryPersistence());
        resources.add(() -> {
            if (c.isConnected()) {
                c.disconnect().waitForCompletion(5000);
            }
            c.close(true);
        });
        c.connect(new MqttConnectionOptions()).waitForCompletion(5000);
        return c;
    }

    private static MqttMessage qos1(String text) {
        MqttMessage m = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        return m;
    }

    /** Waits until the broker holds the gateway's subscriptions (a probe message comes through). */
    private static void awaitSubscribed(MqttAsyncClient device, FakeIngest... targets) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            device.publish("fl/v1/probe/event", qos1("{\"probe\":1}")).waitForCompletion(5000);
            for (FakeIngest t : targets) {
                if (t.uplinks().stream().noneMatch(u -> u.deviceId().equals("probe"))) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void messagesPublishedToMosquittoReachTheIngestThroughTheSharedSubscription() throws Exception {
        Mosquitto broker = broker();
        BrokerIngest gateway = brokerIngest(broker, "gw-1", ingest);
        assertThat(gateway.topicFilters()).contains("$share/gw/fl/v1/+/telemetry", "$share/gw/fl/v1/+/cmd/result");
        MqttAsyncClient device = device(broker, "dev-1");
        awaitSubscribed(device, ingest);

        device.publish("fl/v1/dev-1/telemetry", qos1(SENML)).waitForCompletion(5000);
        MqttMessage cbor = new MqttMessage(new byte[] {(byte) 0xa1, 0x61, 0x78, 0x01});
        MqttProperties props = new MqttProperties();
        props.setContentType("application/cbor");
        cbor.setProperties(props);
        cbor.setQos(1);
        device.publish("fl/v1/dev-1/cmd/result", cbor).waitForCompletion(5000);

        await().until(() -> ingest.uplinks().stream().filter(u -> u.deviceId().equals("dev-1")).count() == 2);
        List<Uplink> fromDevice = ingest.uplinks().stream().filter(u -> u.deviceId().equals("dev-1")).toList();
        assertThat(fromDevice).extracting(Uplink::kind).containsExactly(MessageKind.TELEMETRY, MessageKind.COMMAND_RESULT);
        assertThat(fromDevice).extracting(Uplink::format).containsExactly(PayloadFormat.JSON, PayloadFormat.CBOR);
        assertThat(fromDevice).extracting(Uplink::transport).containsOnly(Transport.BROKER);
    }

    @Test
    void mosquittoSubSeesCommandsTheGatewayPublishesToTheBroker() throws Exception {
        Path sub = Peers.require("mosquitto-clients", "mosquitto_sub");
        Mosquitto broker = broker();
        BrokerIngest gateway = brokerIngest(broker, "gw-1", ingest);
        PeerProcess p = resources.add(PeerProcess.start("mosquitto_sub", List.of(sub.toString(), "-h", "127.0.0.1",
                "-p", String.valueOf(broker.port()), "-V", "mqttv5", "-q", "1", "-t", "fl/v1/dev-7/cmd",
                "-C", "1", "-F", "%x"), dir));
        Command cmd = new Command("c-7", "reboot", Map.of(), Instant.parse("2025-03-01T12:00:00Z"));
        // mosquitto_sub subscribes asynchronously: resend until it has seen one (it exits after one message)
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            gateway.send("dev-7", cmd);
            return !p.isAlive();
        });
        byte[] payload = java.util.HexFormat.of().parseHex(p.output().trim());
        assertThat(new MessageCodec().decodeCommand(payload, PayloadFormat.CBOR).id()).isEqualTo("c-7");
        await().until(() -> downlink.delivered().contains(new FakeDownlink.Delivery("dev-7", "c-7")));
    }

    @Test
    void twoGatewaysInOneShareGroupSplitTheMessagesWithNoneLostAndNoneTwice() throws Exception {
        Mosquitto broker = broker();
        FakeIngest second = new FakeIngest();
        brokerIngest(broker, "gw-1", ingest);
        brokerIngest(broker, "gw-2", second);
        MqttAsyncClient device = device(broker, "dev-1");
        awaitSubscribed(device, ingest, second);

        int n = 400;
        for (int i = 1; i <= n; i++) {
            device.publish("fl/v1/dev-1/telemetry", qos1("[{\"n\":\"x\",\"v\":" + i + "}]")).waitForCompletion(5000);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> fromDevice(ingest).size() + fromDevice(second).size() >= n);

        List<String> a = fromDevice(ingest);
        List<String> b = fromDevice(second);
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        assertThat(a.size() + b.size()).as("none twice").isEqualTo(n);
        assertThat(union).as("none lost").hasSize(n);
        assertThat(a).as("gateway 1 got a share").isNotEmpty();
        assertThat(b).as("gateway 2 got a share").isNotEmpty();
    }

    private static List<String> fromDevice(FakeIngest target) {
        return target.uplinks().stream().filter(u -> u.deviceId().equals("dev-1"))
                .map(u -> new String(u.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void whatTheIngestDidNotCommitIsRedeliveredToTheNextGatewayInstance() throws Exception {
        Mosquitto broker = broker();
        FakeIngest stuck = new FakeIngest();
        BrokerIngest first = brokerIngest(broker, "gw-1", stuck);
        MqttAsyncClient device = device(broker, "dev-1");
        awaitSubscribed(device, stuck);

        stuck.hold(); // the ingest never completes: no ack to the broker
        device.publish("fl/v1/dev-1/telemetry", qos1(SENML)).waitForCompletion(5000);
        await().until(() -> fromDevice(stuck).size() == 1);
        first.close(); // like a crash: the message was never acknowledged

        BrokerIngest restarted = brokerIngest(broker, "gw-1", ingest); // same client id: same broker session
        await().atMost(Duration.ofSeconds(10)).until(() -> fromDevice(ingest).contains(SENML));
        assertThat(restarted.connected()).isTrue();
    }

    @Test
    void unavailableIsRetriedWhileTheMessageStaysUnacknowledged() throws Exception {
        Mosquitto broker = broker();
        BrokerIngest gateway = brokerIngest(broker, "gw-1", ingest);
        MqttAsyncClient device = device(broker, "dev-1");
        awaitSubscribed(device, ingest);

        List<Uplink> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
        ingest.answer(u -> {
            attempts.add(u);
            return attempts.size() < 3 ? new IngestResult.Unavailable("store busy") : FakeIngest.stored();
        });
        device.publish("fl/v1/dev-1/telemetry", qos1(SENML)).waitForCompletion(5000);
        await().atMost(Duration.ofSeconds(10)).until(() -> attempts.size() == 3);
        assertThat(attempts).extracting(Uplink::deviceId).containsOnly("dev-1");
        assertThat(gateway.connected()).isTrue();
    }
}
