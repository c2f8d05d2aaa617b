package dev.fieldline.gateway.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.registry.DeviceCredentials;
import dev.fieldline.gateway.registry.TestKeys;
import dev.fieldline.gateway.security.GatewayIdentity;
import dev.fieldline.protocol.DevicePsk;
import dev.fieldline.gateway.testing.SignedTelemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secure gateway's CoAPS endpoint with Californium DTLS clients: PSK and raw public keys bound to the device. */
@Tag("loopback")
class CoapsGatewayTest {
    @TempDir
    Path dir;

    private Gateway gateway;
    private final List<CoapEndpoint> endpoints = new ArrayList<>();
    private final List<CoapClient> clients = new ArrayList<>();
    /** Each device's signing key (the enrolled key; a stranger's key for devices never enrolled). */
    private final java.util.Map<String, KeyPair> keys = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        gateway = Gateway.start(GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(-1).withMqttPort(-1)
                .withMqttsPort(-1).withCoapPort(0).withCoapsPort(0).withSecure(true));
    }

    @AfterEach
    void stop() {
        clients.forEach(CoapClient::shutdown);
        endpoints.forEach(CoapEndpoint::destroy);
        if (gateway != null) {
            gateway.close();
        }
    }

    static byte[] signedTelemetry(String device, KeyPair signer) {
        return SignedTelemetry.of(device, signer);
    }

    private DeviceCredentials enroll(String device, KeyPair key) {
        keys.put(device, key);
        return enroll(gateway, device, key);
    }

    static DeviceCredentials enroll(Gateway gateway, String device, KeyPair key) {
        String token = gateway.registry().issueEnrollmentToken(Optional.of(device), Duration.ofHours(1), "test").token();
        return gateway.registry().enroll(device, token, key.getPublic().getEncoded());
    }

    private CoapClient client(CoapEndpoint endpoint, String device) {
        endpoints.add(endpoint);
        CoapClient c = DtlsClients.client(endpoint, "coaps://127.0.0.1:" + gateway.coapsAddress().orElseThrow().getPort()
                + "/v1/d/" + device + "/telemetry");
        clients.add(c);
        return c;
    }

    /** The response, or null when there is none because the DTLS handshake failed or was not answered. */
    private CoapResponse post(CoapClient c, String device) throws Exception {
        try {
            return c.post(signedTelemetry(device, keys.computeIfAbsent(device, d -> TestKeys.p256())), SignedTelemetry.COSE_SIGN1);
        } catch (java.io.IOException handshakeFailed) {
            return null;
        }
    }

    private long stored() {
        return gateway.metrics().get("ingest_stored_total", "transport", "coap");
    }

    @Test
    void pskIsTheDeviceIdAndTheRegistryKeyAndBindsTheRequestToTheDevice() throws Exception {
        DeviceCredentials a = enroll("dev-a", TestKeys.p256());
        enroll("dev-b", TestKeys.p256());

        CoapClient own = client(DtlsClients.psk("dev-a", DevicePsk.derive(a.token())), "dev-a");
        CoapResponse r = post(own, "dev-a");
        assertThat(r).isNotNull();
        assertThat(r.getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);
        assertThat(stored()).isEqualTo(1);

        CoapClient other = client(DtlsClients.psk("dev-a", DevicePsk.derive(a.token())), "dev-b");
        CoapResponse impersonating = post(other, "dev-b");
        assertThat(impersonating.getCode()).isEqualTo(CoAP.ResponseCode.FORBIDDEN);
        assertThat(impersonating.getResponseText()).startsWith("identity_mismatch");
        assertThat(gateway.metrics().get("coap_uplink_refused_total", "reason", "identity_mismatch")).isEqualTo(1);

        CoapClient wrongKey = client(DtlsClients.psk("dev-a", DevicePsk.derive("not-the-token")), "dev-a");
        assertThat(post(wrongKey, "dev-a")).as("the handshake fails: no response").isNull();
        CoapClient unknown = client(DtlsClients.psk("dev-z", DevicePsk.derive(a.token())), "dev-z");
        assertThat(post(unknown, "dev-z")).isNull();
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void rawPublicKeyMustBeTheEnrolledKeyOfTheDevice() throws Exception {
        KeyPair key = TestKeys.p256();
        enroll("dev-r", key);
        var gatewayKey = GatewayIdentity.loadOrCreate(dir).publicKey();

        CoapResponse ok = post(client(DtlsClients.rawPublicKey(key, gatewayKey), "dev-r"), "dev-r");
        assertThat(ok).isNotNull();
        assertThat(ok.getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);

        CoapResponse mismatch = post(client(DtlsClients.rawPublicKey(key, gatewayKey), "dev-q"), "dev-q");
        assertThat(mismatch.getCode()).isEqualTo(CoAP.ResponseCode.FORBIDDEN);

        CoapResponse stranger = post(client(DtlsClients.rawPublicKey(TestKeys.p256(), gatewayKey), "dev-r"), "dev-r");
        assertThat(stranger).as("an unenrolled key fails the handshake").isNull();
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void disablingADeviceEndsItsDtlsSessionsAndRefusesNewHandshakes() throws Exception {
        DeviceCredentials a = enroll("dev-d", TestKeys.p256());
        KeyPair rpk = TestKeys.p256();
        enroll("dev-e", rpk);
        CoapClient psk = client(DtlsClients.psk("dev-d", DevicePsk.derive(a.token())), "dev-d");
        CoapClient raw = client(DtlsClients.rawPublicKey(rpk, GatewayIdentity.loadOrCreate(dir).publicKey()), "dev-e");
        assertThat(post(psk, "dev-d").getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);
        assertThat(post(raw, "dev-e").getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);

        gateway.registry().disable("dev-d");
        gateway.registry().disable("dev-e");
        // the server forgot the sessions: the clients' next records are not answered (or re-handshake and fail)
        assertThat(post(psk, "dev-d")).isNull();
        assertThat(post(raw, "dev-e")).isNull();

        gateway.registry().enable("dev-d");
        CoapClient again = client(DtlsClients.psk("dev-d", DevicePsk.derive(a.token())), "dev-d");
        assertThat(post(again, "dev-d").getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);
        assertThat(stored()).isEqualTo(3);
    }

    @Test
    void plainCoapStaysRefusedInSecureModeAndTheGatewayKeyIsPrivate() throws Exception {
        CoapClient plain = new CoapClient("coap://127.0.0.1:" + gateway.coapAddress().orElseThrow().getPort()
                + "/v1/d/dev-p/telemetry");
        clients.add(plain);
        assertThat(post(plain, "dev-p").getCode()).isEqualTo(CoAP.ResponseCode.UNAUTHORIZED);
        Path key = dir.resolve(GatewayIdentity.DIRECTORY).resolve("gateway.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(gateway.listeners()).containsKey("coaps");
        await().until(() -> gateway.metrics().get("coap_uplink_refused_total", "reason", "unauthenticated") == 1);
    }
}
