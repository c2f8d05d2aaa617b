package dev.fieldline.gateway.coap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.registry.DeviceCredentials;
import dev.fieldline.gateway.registry.TestKeys;
import dev.fieldline.protocol.DevicePsk;
import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.fieldline.gateway.security.Pem;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libcoap 4.3.1's real clients against a secure gateway's CoAPS endpoint: {@code coap-client-openssl}
 * with DTLS-PSK and {@code coap-client-gnutls} with a raw public key (RFC 7250). coap-client exits 0
 * even when the exchange failed, so the tests look at its output and at the store.
 */
@Tag("interop")
class CoapsInteropTest {
    @TempDir
    Path dir;

    private Gateway gateway;
    private Path openssl;
    private Path gnutls;
    private final List<PeerProcess> peers = new ArrayList<>();

    @BeforeEach
    void start() {
        openssl = Peers.require("libcoap3-bin", "coap-client-openssl");
        gnutls = Peers.require("libcoap3-bin", "coap-client-gnutls");
        gateway = Gateway.start(GatewayConfig.defaults(dir.resolve("gw")).withBindHost("127.0.0.1").withHttpPort(-1)
                .withMqttPort(-1).withMqttsPort(-1).withCoapPort(-1).withCoapsPort(0).withSecure(true));
    }

    @AfterEach
    void stop() {
        peers.forEach(PeerProcess::close);
        if (gateway != null) {
            gateway.close();
        }
    }

    private String uri(String device) {
        return "coaps://127.0.0.1:" + gateway.coapsAddress().orElseThrow().getPort() + "/v1/d/" + device + "/telemetry";
    }

    private String run(String name, List<String> command) {
        PeerProcess p = PeerProcess.start(name, command, dir);
        peers.add(p);
        p.awaitExit(Duration.ofSeconds(30));
        return p.output();
    }

    private long stored() {
        return gateway.metrics().get("ingest_stored_total", "transport", "coap");
    }

    /**
     * coap-client takes the PSK as an argument (no hex form in 4.3.1); the PSK is 32 binary bytes, so
     * the test hands it over through a file and the shell, and enrolls until the PSK has no NUL byte
     * and no trailing newline (which a C string or {@code $(...)} would cut).
     */
    private record PskDevice(String id, byte[] psk, KeyPair key) {
    }

    private PskDevice enrollPskDevice() {
        for (int i = 0; ; i++) {
            KeyPair key = TestKeys.p256();
            DeviceCredentials c = CoapsGatewayTest.enroll(gateway, "psk-" + i, key);
            byte[] psk = DevicePsk.derive(c.token());
            boolean usable = psk[psk.length - 1] != '\n';
            for (byte b : psk) {
                usable &= b != 0;
            }
            if (usable) {
                return new PskDevice(c.deviceId(), psk, key);
            }
        }
    }

    private String postWithPsk(String identity, byte[] psk, String device, KeyPair signer) throws Exception {
        Path keyFile = dir.resolve("psk-" + System.nanoTime());
        Files.write(keyFile, psk);
        return run("openssl-psk", List.of("/bin/sh", "-c", "exec \"$0\" -B 5 -m post -t 18 -u \"$1\" -k \"$(cat \"$2\")\" -f \"$3\" \"$4\"",
                openssl.toString(), identity, keyFile.toString(), payload(device, signer).toString(), uri(device)));
    }

    /** A signed telemetry message in a file, for coap-client's {@code -f}. */
    private Path payload(String device, KeyPair signer) throws Exception {
        Path f = dir.resolve("payload-" + System.nanoTime());
        Files.write(f, CoapsGatewayTest.signedTelemetry(device, signer));
        return f;
    }

    @Test
    void opensslClientWithTheDevicePskIsStoredAndAWrongKeyIsNot() throws Exception {
        PskDevice d = enrollPskDevice();
        String out = postWithPsk(d.id(), d.psk(), d.id(), d.key());
        assertThat(out).doesNotContain("4.0", "5.0", "rror");
        assertThat(stored()).as("coap-client-openssl output: %s", out).isEqualTo(1);

        byte[] wrong = d.psk().clone();
        wrong[0] = (byte) (wrong[0] == 1 ? 2 : 1);
        postWithPsk(d.id(), wrong, d.id(), d.key());
        String other = postWithPsk(d.id(), d.psk(), "someone-else", d.key());
        assertThat(other).contains("4.03");
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void gnutlsClientWithTheEnrolledRawPublicKeyIsStoredAndAnotherKeyIsNot() throws Exception {
        KeyPair key = TestKeys.p256();
        CoapsGatewayTest.enroll(gateway, "rpk-1", key);
        Path enrolled = writeRpk("enrolled.pem", key);
        String out = run("gnutls-rpk", List.of(gnutls.toString(), "-B", "5", "-m", "post", "-t", "18", "-M", enrolled.toString(), "-n",
                "-f", payload("rpk-1", key).toString(), uri("rpk-1")));
        assertThat(out).doesNotContain("4.0", "5.0");
        assertThat(stored()).as("coap-client-gnutls output: %s", out).isEqualTo(1);

        Path stranger = writeRpk("stranger.pem", TestKeys.p256());
        run("gnutls-stranger", List.of(gnutls.toString(), "-B", "5", "-m", "post", "-t", "18", "-M", stranger.toString(), "-n",
                "-f", payload("rpk-1", key).toString(), uri("rpk-1")));
        assertThat(stored()).isEqualTo(1);
    }

    /**
     * The key as GnuTLS reads an RPK file (-M): SEC 1 {@code EC PRIVATE KEY} PEM with the curve and the
     * public key inside (the JDK's PKCS#8 leaves the public key out, and GnuTLS then fails to parse it).
     */
    private Path writeRpk(String name, KeyPair key) throws Exception {
        Path f = dir.resolve(name);
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded());
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((ECPrivateKey) key.getPrivate()).getS(),
                new DERBitString(spki.getPublicKeyData().getBytes()), spki.getAlgorithm().getParameters());
        Files.writeString(f, Pem.encode("EC PRIVATE KEY", sec1.getEncoded()));
        return f;
    }
}
