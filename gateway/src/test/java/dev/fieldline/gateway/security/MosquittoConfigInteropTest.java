package dev.fieldline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.mqtt.MqttCallbackAdapter;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.TestKeys;
import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Topics;
import dev.fieldline.testsupport.Mosquitto;
import dev.fieldline.testsupport.Peers;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Mosquitto configured by {@link MosquittoConfig}: devices A and B with client certificates
 * from the gateway CA, the gateway's certificate as a subscriber; per-device topics, refused
 * strangers, a disabled device shut out after regeneration and SIGHUP, and the gateway's
 * {@code BrokerIngest} over {@code ssl://} storing A's telemetry.
 */
@Tag("interop")
class MosquittoConfigInteropTest {
    private static final String A = "dev-a";
    private static final String B = "dev-b";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path data;
    private DeviceRegistry registry;
    private GatewayCa ca;
    private Mosquitto broker;
    private int port;
    private MosquittoConfig.Options options;
    private final KeyPair keyA = TestKeys.p256();
    private final KeyPair keyB = TestKeys.p256();
    private final List<MqttAsyncClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Peers.require("mosquitto", "mosquitto");
        // Mosquitto started as root drops to the user 'mosquitto' before reading its files
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = dir.resolve("data");
        registry = DeviceRegistry.open(data, Clock.systemUTC());
        ca = GatewayCa.loadOrCreate(data, Clock.systemUTC());
        enroll(A, keyA);
        enroll(B, keyB);
        port = Peers.freeTcpPort();
        options = MosquittoConfig.Options.of(dir.resolve("broker")).withListener("127.0.0.1", port);
        if ("root".equals(System.getProperty("user.name"))) {
            options = options.withKeyOwner("mosquitto");
        }
        MosquittoConfig.Written written = MosquittoConfig.write(registry, ca, options);
        assertThat(written.revoked()).isEmpty();
        broker = Mosquitto.start(dir.resolve("run"), written.config(), port);
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttAsyncClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(0, 1000, false);
                }
                c.close(true);
            } catch (MqttException e) {
                // closing anyway
            }
        }
        if (broker != null) {
            broker.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private void enroll(String device, KeyPair key) {
        String token = registry.issueEnrollmentToken(Optional.of(device), Duration.ofHours(1), "test").token();
        registry.enroll(device, token, key.getPublic().getEncoded());
    }

    private SSLSocketFactory tls(KeyPair key, X509Certificate cert, GatewayCa issuer) {
        return ClientTls.socketFactory(key.getPrivate(), List.of(cert, issuer.certificate()), ca.certificate(), false);
    }

    private SSLSocketFactory device(String id, KeyPair key) {
        return tls(key, ca.deviceCertificate(id, key.getPublic()), ca);
    }

    private MqttAsyncClient connect(String clientId, SSLSocketFactory factory) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("ssl://127.0.0.1:" + port, clientId, new MemoryPersistence());
        clients.add(c);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(factory);
        o.setCleanStart(true);
        o.setConnectionTimeout(5);
        c.connect(o).waitForCompletion(WAIT.toMillis());
        return c;
    }

    /** The gateway's user on the broker, subscribed to every device's telemetry; collects payloads as text. */
    private ConcurrentLinkedQueue<String> gatewaySubscriber() throws MqttException {
        KeyPair key = TestKeys.p256();
        MqttAsyncClient gw = connect("gateway-sub", tls(key, ca.brokerClientCertificate(key.getPublic()), ca));
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        assertThat(subscribe(gw, Topics.allDevices(MessageKind.TELEMETRY), received)).isEqualTo(1);
        return received;
    }

    /** The PUBACK reason code of a QoS 1 publish (Paho reports an error code as an exception). */
    private static int publish(MqttAsyncClient c, String topic, String text) throws MqttException {
        MqttMessage m = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        try {
            IMqttToken t = c.publish(topic, m);
            t.waitForCompletion(WAIT.toMillis());
            return t.getReasonCodes() == null || t.getReasonCodes().length == 0 ? 0 : t.getReasonCodes()[0];
        } catch (MqttException e) {
            return e.getReasonCode();
        }
    }

    private static int subscribe(MqttAsyncClient c, String filter) throws MqttException {
        return subscribe(c, filter, new ConcurrentLinkedQueue<>());
    }

    /**
     * The SUBACK reason code; every message the client receives is added to {@code into} as
     * "topic payload" (a client callback: Paho 1.2.5's per-subscription listeners fail without a
     * subscription identifier).
     */
    private static int subscribe(MqttAsyncClient c, String filter, ConcurrentLinkedQueue<String> into) throws MqttException {
        c.setCallback(new Collector(into));
        try {
            IMqttToken t = c.subscribe(new MqttSubscription(filter, 1));
            t.waitForCompletion(WAIT.toMillis());
            return t.getReasonCodes()[0];
        } catch (MqttException e) {
            return e.getReasonCode();
        }
    }

    /** Collects every message as "topic payload". */
    private static final class Collector extends MqttCallbackAdapter {
        private final ConcurrentLinkedQueue<String> into;

        Collector(ConcurrentLinkedQueue<String> into) {
            this.into = into;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            into.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aDevicePublishesOnlyUnderItsOwnTopicsAndTheGatewayReadsThem() throws Exception {
        ConcurrentLinkedQueue<String> received = gatewaySubscriber();
        MqttAsyncClient a = connect(A, device(A, keyA));

        assertThat(publish(a, Topics.topic(B, MessageKind.TELEMETRY), "forged")).as("PUBACK not authorized").isEqualTo(0x87);
        assertThat(publish(a, Topics.topic(A, MessageKind.TELEMETRY), "control")).isZero();
        await().atMost(WAIT).until(() -> received.contains(Topics.topic(A, MessageKind.TELEMETRY) + " control"));
        assertThat(received).as("the forged message never reached the gateway").containsExactly(
                Topics.topic(A, MessageKind.TELEMETRY) + " control");

        // a device cannot publish downlinks (commands, acks) even to itself
        assertThat(publish(a, Topics.topic(A, MessageKind.COMMAND), "self-command")).isEqualTo(0x87);
    }

    @Test
    void aDeviceReceivesOnlyItsOwnDownlinks() throws Exception {
        // Mosquitto 2.0's acl_file does not check SUBSCRIBE (SUBACK grants it); it checks read
        // access on every message it would deliver, so A's subscriptions to B's topics stay empty.
        MqttAsyncClient a = connect(A, device(A, keyA));
        MqttAsyncClient b = connect(B, device(B, keyB));
        ConcurrentLinkedQueue<String> toA = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> toB = new ConcurrentLinkedQueue<>();
        for (String filter : List.of(Topics.topic(B, MessageKind.COMMAND), Topics.topic(B, MessageKind.ACK), "fl/v1/#")) {
            subscribe(a, filter, toA);
        }
        assertThat(subscribe(a, Topics.topic(A, MessageKind.COMMAND), toA)).isEqualTo(1);
        assertThat(subscribe(a, Topics.topic(A, MessageKind.ACK), toA)).isEqualTo(1);
        assertThat(subscribe(b, Topics.topic(B, MessageKind.COMMAND), toB)).isEqualTo(1);
        assertThat(subscribe(b, Topics.topic(B, MessageKind.ACK), toB)).isEqualTo(1);

        // the gateway's user writes commands and acks; B's go to B only, then A's own (the control)
        KeyPair key = TestKeys.p256();
        MqttAsyncClient gw = connect("gateway-pub", tls(key, ca.brokerClientCertificate(key.getPublic()), ca));
        assertThat(publish(gw, Topics.topic(B, MessageKind.COMMAND), "cmd-b")).isZero();
        assertThat(publish(gw, Topics.topic(B, MessageKind.ACK), "ack-b")).isZero();
        assertThat(publish(b, Topics.topic(B, MessageKind.TELEMETRY), "telemetry-b")).isZero();
        await().atMost(WAIT).until(() -> toB.containsAll(List.of(Topics.topic(B, MessageKind.COMMAND) + " cmd-b",
                Topics.topic(B, MessageKind.ACK) + " ack-b")));
        assertThat(publish(gw, Topics.topic(A, MessageKind.COMMAND), "cmd-a")).isZero();
        assertThat(publish(gw, Topics.topic(A, MessageKind.ACK), "ack-a")).isZero();
        await().atMost(WAIT).until(() -> toA.contains(Topics.topic(A, MessageKind.ACK) + " ack-a"));
        // overlapping subscriptions (fl/v1/# too) deliver A's own messages more than once
        assertThat(new java.util.HashSet<>(toA)).as("A got its own downlinks and nothing of B's").containsExactlyInAnyOrder(
                Topics.topic(A, MessageKind.COMMAND) + " cmd-a", Topics.topic(A, MessageKind.ACK) + " ack-a");
    }

    @Test
    void clientsWithoutACertificateFromTheGatewayCaCannotConnect() throws Exception {
        SSLSocketFactory noCertificate = ClientTls.socketFactory(keyA.getPrivate(), List.of(ca.deviceCertificate(A,
                keyA.getPublic())), ca.certificate(), false);
        assertThat(connect(A, noCertificate).isConnected()).as("control: the chain without the CA is enough").isTrue();

        javax.net.ssl.SSLContext trustOnly = javax.net.ssl.SSLContext.getInstance("TLS");
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        trustOnly.init(null, tmf.getTrustManagers(), null);
        assertThatThrownBy(() -> connect("dev-x", trustOnly.getSocketFactory())).isInstanceOf(MqttException.class);

        GatewayCa stranger = GatewayCa.loadOrCreate(dir.resolve("other"), Clock.systemUTC());
        KeyPair key = TestKeys.p256();
        SSLSocketFactory foreign = tls(key, stranger.deviceCertificate(A, key.getPublic()), stranger);
        assertThatThrownBy(() -> connect(A, foreign)).isInstanceOf(MqttException.class);
    }

    @Test
    void aDisabledDeviceCannotConnectAfterTheConfigurationIsRegeneratedAndTheBrokerReloaded() throws Exception {
        SSLSocketFactory a = device(A, keyA);
        SSLSocketFactory b = device(B, keyB);
        connect(A, a).disconnect().waitForCompletion(WAIT.toMillis());
        MqttAsyncClient before = connect(A, a);

        registry.disable(A);
        MosquittoConfig.Written written = MosquittoConfig.write(registry, ca, options);
        assertThat(written.revoked()).containsValue(A).doesNotContainValue(B);
        broker.reload();
        await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(() -> connect(A, a)).isInstanceOf(MqttException.class));
        assertThat(connect(B, b).isConnected()).as("B is unaffected").isTrue();
        // documented limit: Mosquitto does not re-check connections established before the reload
        assertThat(publish(before, Topics.topic(A, MessageKind.TELEMETRY), "still connected")).as("PUBACK success (0x10:"
                + " no subscribers)").isLessThan(0x80);

        registry.enable(A);
        assertThat(MosquittoConfig.write(registry, ca, options).revoked()).isEmpty();
        broker.reload();
        await().atMost(WAIT).ignoreExceptions().until(() -> connect(A, a).isConnected());
    }

    @Test
    void theGatewayTakesTelemetryFromTheBrokerOverTlsWithItsCertificate() throws Exception {
        GatewayConfig config = GatewayConfig.defaults(data).withBindHost("127.0.0.1").withHttpPort(-1).withMqttPort(-1)
                .withMqttsPort(-1).withCoapPort(-1).withCoapsPort(-1)
                .withExternalBroker(URI.create("ssl://127.0.0.1:" + port)).withBrokerClientId("gw-1");
        try (Gateway gateway = Gateway.start(config)) {
            MqttAsyncClient a = connect(A, device(A, keyA));
            MqttMessage m = new MqttMessage(Uplinks.telemetryBytes(A, Optional.of(new Sequence(1, 1)), PayloadFormat.CBOR,
                    Reading.of("temperature", "Cel", 21.5, Uplinks.T0)));
            m.setQos(1);
            a.publish(Topics.topic(A, MessageKind.TELEMETRY), m).waitForCompletion(WAIT.toMillis());
            await().atMost(WAIT).until(() -> gateway.store().device(A).isPresent());
            assertThat(gateway.store().device(A).orElseThrow().transport().code()).isEqualTo("broker");
            assertThat(gateway.metrics().total("ingest_stored_total")).isEqualTo(1);
        }
    }
}
