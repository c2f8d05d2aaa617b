package dev.fieldline.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.security.GatewayCa;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fieldline gateway mosquitto-config}: the files it writes from a registry (the broker itself: MosquittoConfigInteropTest). */
class MosquittoConfigCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesListenerAclAndACrlOfTheDisabledDevicesCertificates() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        X509Certificate certA;
        X509Certificate certB;
        try (DeviceRegistry registry = DeviceRegistry.open(data, Clock.systemUTC())) {
            GatewayCa ca = GatewayCa.loadOrCreate(data, Clock.systemUTC());
            certA = ca.deviceCertificate("dev-a", enroll(registry, "dev-a"));
            certB = ca.deviceCertificate("dev-b", enroll(registry, "dev-b"));
            registry.disable("dev-a");
        }
        Path out = dir.resolve("broker");

        CliTest.Run r = CliTest.run("gateway", "mosquitto-config", "--data-dir", data.toString(), "--out", out.toString(),
                "--listener-port", "18883", "--bind", "127.0.0.1", "--name", "broker.example");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("2 device(s)", "1 certificate(s) revoked (dev-a)", "kill -HUP");

        String conf = Files.readString(out.resolve("mosquitto.conf"));
        assertThat(conf).contains("listener 18883 127.0.0.1", "require_certificate true", "use_identity_as_username true",
                "allow_anonymous false", "crlfile " + out.toAbsolutePath().resolve("crl.pem"),
                "keyfile " + out.toAbsolutePath().resolve("broker.key"));
        assertThat(Files.readString(out.resolve("acl"))).contains("user gateway@fieldline", "topic read fl/v1/+/telemetry",
                "topic write fl/v1/+/cmd", "topic write fl/v1/+/ack", "pattern write fl/v1/%u/telemetry",
                "pattern write fl/v1/%u/cmd/result", "pattern read fl/v1/%u/cmd", "pattern read fl/v1/%u/ack")
                .doesNotContain("pattern read fl/v1/%u/telemetry", "pattern write fl/v1/%u/cmd\n");
        assertThat(Files.getPosixFilePermissions(out.resolve("broker.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509CRL crl = (X509CRL) cf.generateCRL(new ByteArrayInputStream(Files.readAllBytes(out.resolve("crl.pem"))));
        X509Certificate ca = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(
                Files.readAllBytes(out.resolve("ca.pem"))));
        crl.verify(ca.getPublicKey());
        assertThat(crl.isRevoked(certA)).isTrue();
        assertThat(crl.isRevoked(certB)).isFalse();
        X509Certificate broker = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(
                Files.readAllBytes(out.resolve("broker.pem"))));
        broker.verify(ca.getPublicKey());
        assertThat(broker.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1)))).contains("broker.example", "127.0.0.1");

        // a second run keeps the broker's key and lifts the revocation of a re-enabled device
        String brokerPub = Files.readString(out.resolve("broker.pub"));
        try (DeviceRegistry registry = DeviceRegistry.open(data, Clock.systemUTC())) {
            registry.enable("dev-a");
        }
        CliTest.Run again = CliTest.run("gateway", "mosquitto-config", "--data-dir", data.toString(), "--out", out.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).contains("0 certificate(s) revoked");
        assertThat(Files.readString(out.resolve("broker.pub"))).isEqualTo(brokerPub);
        X509CRL empty = (X509CRL) cf.generateCRL(new ByteArrayInputStream(Files.readAllBytes(out.resolve("crl.pem"))));
        assertThat(empty.isRevoked(certA)).isFalse();
    }

    private static java.security.PublicKey enroll(DeviceRegistry registry, String device) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = g.generateKeyPair();
        String token = registry.issueEnrollmentToken(Optional.of(device), Duration.ofHours(1), "test").token();
        registry.enroll(device, token, key.getPublic().getEncoded());
        return key.getPublic();
    }
}
