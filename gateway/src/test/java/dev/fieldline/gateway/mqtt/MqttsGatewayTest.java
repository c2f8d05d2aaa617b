package dev.fieldline.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.registry.DeviceCredentials;
import dev.fieldline.gateway.registry.TestKeys;
import dev.fieldline.gateway.security.Pem;
import dev.fieldline.gateway.testing.SignedTelemetry;
import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT over TLS on a secure gateway: client certificates from the gateway CA, or user name + token; per-device topics. */
@Tag("interop")
class MqttsGatewayTest {
    @TempDir
    Path dir;

    private Gateway gateway;
    private final List<MqttAsyncClient> clients = new ArrayList<>();
    private final List<PeerProcess> peers = new ArrayList<>();

    @BeforeEach
    void start() {
        gateway = Gateway.start(GatewayConfig.defaults(dir.resolve("gw")).withBindHost("127.0.0.1").withHttpPort(-1)
                .withMqttPort(-1).withMqttsPort(0).withCoapPort(-1).withCoapsPort(-1).withSecure(true));
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttAsyncClient c : clients) {
            if (c.isConnected()) {
                c.disconnectForcibly(1000, 1000, false);
            }
            c.close(true);
        }
        peers.forEach(PeerProcess::close);
        gateway.close();
    }

    private DeviceCredentials enroll(String device, KeyPair key) {
        String token = gateway.registry().issueEnrollmentToken(Optional.of(device), Duration.ofHours(1), "test").token();
        return gateway.registry().enroll(device, token, key.getPublic().getEncoded());
    }

    private String url() {
        return "ssl://127.0.0.1:" + gateway.mqttsAddress().orElseThrow().getPort();
    }

    /** TLS trusting only the gateway CA, presenting {@code key} + its certificate when given. */
    private SSLContext tls(KeyPair key, X509Certificate cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", gateway.certificateAuthority().certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (key != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("device", key.getPrivate(), new char[0], new Certificate[] {cert});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private MqttAsyncClient connect(String clientId, SSLContext tls, String user, String password) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(url(), clientId, new MemoryPersistence());
        clients.add(c);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(tls.getSocketFactory());
        o.setHttpsHostnameVerificationEnabled(true);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    private long stored() {
        return gateway.metrics().get("ingest_stored_total", "transport", "mqtt");
    }

    private static int publish(MqttAsyncClient c, String topic, byte[] payload) throws Exception {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        IMqttToken t = c.publish(topic, m);
        t.waitForCompletion(10_000);
        return t.getReasonCodes()[0];
    }

    @Test
    void aClientCertificateFromTheGatewayCaAuthenticatesTheDeviceForItsOwnTopicsOnly() throws Exception {
        KeyPair a = TestKeys.p256();
        KeyPair b = TestKeys.p256();
        enroll("dev-a", a);
        enroll("dev-b", b);
        X509Certificate certA = gateway.deviceCertificate("dev-a");
        assertThat(certA.getSubjectX500Principal().getName()).isEqualTo("CN=dev-a");

        MqttAsyncClient c = connect("dev-a", tls(a, certA), null, null);
        assertThat(publish(c, "fl/v1/dev-a/telemetry", SignedTelemetry.of("dev-a", a))).isZero();
        assertThat(stored()).isEqualTo(1);
        assertThat(publish(c, "fl/v1/dev-b/telemetry", SignedTelemetry.of("dev-b", a))).isEqualTo(0x87);
        IMqttToken sub = c.subscribe("fl/v1/dev-b/cmd", 1);
        sub.waitForCompletion(10_000);
        assertThat(sub.getReasonCodes()[0]).isEqualTo(0x87);
        IMqttToken own = c.subscribe("fl/v1/dev-a/cmd", 1);
        own.waitForCompletion(10_000);
        assertThat(own.getReasonCodes()[0]).isEqualTo(1);

        assertThatThrownBy(() -> connect("dev-b", tls(a, certA), null, null))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(gateway.metrics().get("mqtt_connect_refused_total", "reason", "certificate_mismatch")).isEqualTo(1);
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void withoutACertificateTheTokenIsNeededOverTls() throws Exception {
        KeyPair a = TestKeys.p256();
        DeviceCredentials creds = enroll("dev-t", a);
        assertThatThrownBy(() -> connect("dev-t", tls(null, null), null, null))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        MqttAsyncClient c = connect("dev-t", tls(null, null), "dev-t", creds.token());
        assertThat(publish(c, "fl/v1/dev-t/telemetry", SignedTelemetry.of("dev-t", a))).isZero();
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void mosquittoPubWithTheIssuedCertificateIsStoredAndWithoutCredentialsIsRefused() throws Exception {
        Path pub = Peers.require("mosquitto-clients", "mosquitto_pub");
        KeyPair a = TestKeys.p256();
        enroll("dev-m", a);
        Path ca = Files.writeString(dir.resolve("ca.pem"), Pem.certificate(gateway.certificateAuthority().certificate()));
        Path cert = Files.writeString(dir.resolve("dev.pem"), Pem.certificate(gateway.deviceCertificate("dev-m")));
        Path key = Files.writeString(dir.resolve("dev.key"), Pem.encode("PRIVATE KEY", a.getPrivate().getEncoded()));
        Path payload = Files.write(dir.resolve("payload.cbor"), SignedTelemetry.of("dev-m", a));
        String port = String.valueOf(gateway.mqttsAddress().orElseThrow().getPort());

        PeerProcess ok = PeerProcess.start("mosquitto_pub", List.of(pub.toString(), "-h", "localhost", "-p", port, "-V", "mqttv5",
                "--cafile", ca.toString(), "--cert", cert.toString(), "--key", key.toString(), "-i", "dev-m", "-q", "1",
                "-t", "fl/v1/dev-m/telemetry", "-f", payload.toString()), dir);
        peers.add(ok);
        assertThat(ok.awaitExit(Duration.ofSeconds(20))).as(ok.output()).isZero();
        await().until(() -> stored() == 1);

        PeerProcess anonymous = PeerProcess.start("mosquitto_pub-anon", List.of(pub.toString(), "-h", "localhost", "-p", port,
                "-V", "mqttv5", "--cafile", ca.toString(), "-i", "dev-m", "-q", "1", "-t", "fl/v1/dev-m/telemetry",
                "-f", payload.toString()), dir);
        peers.add(anonymous);
        assertThat(anonymous.awaitExit(Duration.ofSeconds(20))).as(anonymous.output()).isNotZero();
        assertThat(stored()).isEqualTo(1);
    }
}
