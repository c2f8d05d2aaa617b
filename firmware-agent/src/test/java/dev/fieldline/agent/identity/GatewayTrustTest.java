package dev.fieldline.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.agent.testing.TestCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayTrustTest {
    @TempDir
    Path dir;

    private final TestCa ca = new TestCa("gateway CA");
    private final KeyPair gateway = TestCa.p256();

    private static String pem(X509Certificate c) throws Exception {
        return new String(DeviceIdentity.pem("CERTIFICATE", c.getEncoded()), StandardCharsets.US_ASCII);
    }

    @Test
    void anEnrollmentAnswerIsCheckedStoredAndLoaded() throws Exception {
        DeviceIdentity id = DeviceIdentity.loadOrCreate(dir);
        X509Certificate cert = ca.issue("dev-1", id.publicKey(), List.of());
        GatewayTrust t = GatewayTrust.fromEnrollment(pem(cert), pem(ca.certificate()), gateway.getPublic().getEncoded(),
                "dev-1", id.publicKey());
        assertThat(GatewayTrust.load(dir)).isEmpty();
        t.save(dir);

        Path identity = dir.resolve(DeviceIdentity.DIRECTORY);
        assertThat(Files.getPosixFilePermissions(identity)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.readString(identity.resolve(GatewayTrust.DEVICE_CERTIFICATE_FILE))).startsWith("-----BEGIN CERTIFICATE-----");
        GatewayTrust loaded = GatewayTrust.load(dir).orElseThrow();
        assertThat(loaded.deviceCertificate()).isEqualTo(cert);
        assertThat(loaded.caCertificate()).isEqualTo(ca.certificate());
        assertThat(loaded.gatewayPublicKey()).isEqualTo(gateway.getPublic());

        GatewayTrust.forget(dir);
        assertThat(GatewayTrust.load(dir)).isEmpty();
        assertThat(identity.resolve(GatewayTrust.CA_CERTIFICATE_FILE)).doesNotExist();
    }

    @Test
    void aCertificateFromAnotherCaForAnotherDeviceOrKeyIsRefused() throws Exception {
        DeviceIdentity id = DeviceIdentity.loadOrCreate(dir);
        byte[] gw = gateway.getPublic().getEncoded();
        X509Certificate foreign = new TestCa("other CA").issue("dev-1", id.publicKey(), List.of());
        assertThatThrownBy(() -> GatewayTrust.fromEnrollment(pem(foreign), pem(ca.certificate()), gw, "dev-1", id.publicKey()))
                .hasMessageContaining("not signed by caCertificate");
        X509Certificate otherDevice = ca.issue("dev-2", id.publicKey(), List.of());
        assertThatThrownBy(() -> GatewayTrust.fromEnrollment(pem(otherDevice), pem(ca.certificate()), gw, "dev-1", id.publicKey()))
                .hasMessageContaining("not CN=dev-1");
        X509Certificate otherKey = ca.issue("dev-1", TestCa.p256().getPublic(), List.of());
        assertThatThrownBy(() -> GatewayTrust.fromEnrollment(pem(otherKey), pem(ca.certificate()), gw, "dev-1", id.publicKey()))
                .hasMessageContaining("does not certify the device key");
        X509Certificate good = ca.issue("dev-1", id.publicKey(), List.of());
        assertThatThrownBy(() -> GatewayTrust.fromEnrollment(pem(good), null, gw, "dev-1", id.publicKey()))
                .hasMessageContaining("caCertificate is missing");
        assertThatThrownBy(() -> GatewayTrust.fromEnrollment(pem(good), pem(ca.certificate()), new byte[] {1, 2},
                "dev-1", id.publicKey())).hasMessageContaining("gatewayPublicKey");
    }
}
