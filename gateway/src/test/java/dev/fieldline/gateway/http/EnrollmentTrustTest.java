package dev.fieldline.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.registry.EnrollmentToken;
import dev.fieldline.gateway.registry.TestKeys;
import dev.fieldline.gateway.security.GatewayIdentity;
import dev.fieldline.gateway.security.Pem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enrollment answer carries what a device needs for mqtts and coaps, and nothing secret beyond its token. */
@Tag("loopback")
class EnrollmentTrustTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void enrollmentAnswersTheDeviceCertificateTheCaAndTheGatewayDtlsKey() throws Exception {
        gateway = Gateway.start(GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(-1)
                .withCoapPort(-1).withCoapsPort(-1).withMqttsPort(-1).withSecure(true));
        EnrollmentToken once = gateway.registry().issueEnrollmentToken(Optional.of("dev-1"), Duration.ofHours(1), "test");
        KeyPair device = TestKeys.p256();
        String body = "{\"device\":\"dev-1\",\"token\":\"" + once.token() + "\",\"publicKey\":\""
                + Base64.getEncoder().encodeToString(device.getPublic().getEncoded()) + "\"}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.httpAddress().getPort() + "/api/v1/enroll"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode answer = JSON.readTree(r.body());

        X509Certificate ca = Pem.parseCertificate(answer.get("caCertificate").asText());
        assertThat(ca).isEqualTo(gateway.certificateAuthority().certificate());
        X509Certificate cert = Pem.parseCertificate(answer.get("certificate").asText());
        cert.verify(ca.getPublicKey());
        cert.checkValidity();
        assertThat(cert.getSubjectX500Principal()).isEqualTo(new X500Principal("CN=dev-1"));
        assertThat(cert.getPublicKey()).isEqualTo(device.getPublic());
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");

        byte[] dtlsKey = Base64.getDecoder().decode(answer.get("gatewayPublicKey").asText());
        byte[] onDisk = Pem.decode(Files.readString(dir.resolve(GatewayIdentity.DIRECTORY).resolve("gateway.pub")), "PUBLIC KEY");
        assertThat(dtlsKey).isEqualTo(onDisk);
        assertThat(r.body()).doesNotContain("PRIVATE");
    }
}
