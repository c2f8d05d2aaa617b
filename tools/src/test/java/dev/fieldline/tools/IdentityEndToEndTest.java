package dev.fieldline.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.agent.identity.DeviceCredentials;
import dev.fieldline.agent.identity.DeviceIdentity;
import dev.fieldline.agent.identity.Enrollment;
import dev.fieldline.agent.identity.IdentityException;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.registry.DeviceAuth;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.Role;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's identity and enrollment client against a real gateway, and the token CLI. */
@Tag("loopback")
class IdentityEndToEndTest {
    @TempDir
    Path gatewayDir;
    @TempDir
    Path agentDir;

    private static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    @Test
    void anAgentEnrollsWithACliTokenAndStoresOwnerOnlyCredentials() throws Exception {
        CliTest.Run issued = run("token", "enroll", "--data-dir", gatewayDir.toString(), "--device", "dev-1", "--ttl", "1h");
        assertThat(issued.code()).as(issued.err()).isZero();
        String oneTime = issued.out().strip();

        try (Gateway gateway = Gateway.start(GatewayConfig.defaults(gatewayDir).withBindHost("127.0.0.1").withHttpPort(0)
                .withMqttPort(-1).withCoapPort(-1).withCoapsPort(-1).withMqttsPort(-1).withSecure(true))) {
            URI api = URI.create("http://127.0.0.1:" + gateway.httpAddress().getPort());
            DeviceIdentity identity = DeviceIdentity.loadOrCreate(agentDir);
            Enrollment enrollment = new Enrollment(api, Duration.ofSeconds(5));

            DeviceCredentials c = enrollment.ensureEnrolled(agentDir, "dev-1", identity, Optional.of(oneTime));

            assertThat(c.kid()).isEqualTo(identity.kidHex());
            assertThat(Files.getPosixFilePermissions(agentDir.resolve("identity/device.key")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(agentDir.resolve("identity/credentials.json")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            DeviceRegistry registry = gateway.registry();
            assertThat(registry.authenticate("dev-1", c.mqttPassword())).isEqualTo(DeviceAuth.OK);
            assertThat(registry.keyByKid(identity.kid()).orElseThrow().publicKey()).contains(identity.publicKey());
            assertThat(registry.dtlsPsk("dev-1")).get().isEqualTo(c.dtlsPsk());

            // a restart finds the stored credentials and needs no token
            DeviceIdentity reloaded = DeviceIdentity.loadOrCreate(agentDir);
            assertThat(enrollment.ensureEnrolled(agentDir, "dev-1", reloaded, Optional.empty())).isEqualTo(c);

            // the one-time token is spent
            assertThatThrownBy(() -> enrollment.enroll("dev-1", oneTime, reloaded))
                    .isInstanceOfSatisfying(IdentityException.class,
                            e -> assertThat(e.problem()).isEqualTo(IdentityException.Problem.ENROLLMENT_REFUSED))
                    .hasMessageContaining("token_used").hasMessageNotContaining(oneTime);
        }
    }

    @Test
    void tokenCreateWritesAnApiTokenTheGatewayAccepts() throws Exception {
        Files.createDirectories(gatewayDir);
        CliTest.Run created = run("token", "create", "--data-dir", gatewayDir.toString(), "--role", "operator", "--name", "ci");
        assertThat(created.code()).as(created.err()).isZero();
        String token = created.out().strip();
        assertThat(token).hasSize(43);
        try (DeviceRegistry registry = DeviceRegistry.open(gatewayDir, Clock.systemUTC())) {
            assertThat(registry.authenticateApiToken(token)).hasValueSatisfying(t -> {
                assertThat(t.role()).isEqualTo(Role.OPERATOR);
                assertThat(t.name()).isEqualTo("ci");
            });
        }
        assertThat(run("token", "create", "--data-dir", gatewayDir.resolve("missing").toString(), "--role", "admin",
                "--name", "x").code()).isNotZero();
    }
}
