package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.AgentException;
import dev.fieldline.agent.SecurityConfig;
import dev.fieldline.gateway.metrics.Metrics;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure mode end to end: an agent enrolls with a one-time token, logs in with its device token and
 * signs every message with its own key; the gateway verifies and stores it. An enrolled agent that
 * does not sign is refused message by message; an agent that never enrolled cannot connect.
 */
@Tag("loopback")
class SignedTelemetryEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private AgentConfig agent(GatewayFixture gw, String id, boolean sign, Optional<String> token) {
        URI api = URI.create("http://127.0.0.1:" + gw.gateway().httpAddress().getPort());
        return AgentConfig.builder(id)
                .uplink(URI.create(gw.mqttUrl()))
                .samplingInterval(Duration.ofMillis(100))
                .dataDir(dir.resolve(id))
                .security(new SecurityConfig(sign, Optional.of(api), token))
                .build();
    }

    private static String token(GatewayFixture gw, String device) {
        return gw.gateway().registry().issueEnrollmentToken(Optional.of(device), Duration.ofMinutes(5), "test").token();
    }

    @Test
    void enrolledSigningAgentIsStoredAndUnsignedOrUnenrolledOnesAreRefused() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), c -> c.withSecure(true))) {
            Metrics metrics = gw.gateway().metrics();
            StoreProbe store = new StoreProbe(dir.resolve("gw"));

            try (Agent signer = Agent.start(agent(gw, "signer-1", true, Optional.of(token(gw, "signer-1"))))) {
                assertThat(signer.enrolled()).isTrue();
                Path key = dir.resolve("signer-1").resolve("identity").resolve("device.key");
                assertThat(Files.getPosixFilePermissions(key))
                        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
                assertThat(gw.gateway().registry().keyByKid(java.util.HexFormat.of().parseHex(signer.keyId())))
                        .hasValueSatisfying(k -> assertThat(k.deviceId()).isEqualTo("signer-1"));
                await().atMost(WAIT).until(() -> store.counts("signer-1").rows() >= 30);
                StoreProbe.Counts c = store.counts("signer-1");
                assertThat(c.rows()).isEqualTo(c.distinct());
                assertThat(metrics.total("ingest_rejected_total")).isZero();
            }

            try (Agent unsigned = Agent.start(agent(gw, "plain-1", false, Optional.of(token(gw, "plain-1"))))) {
                await().atMost(WAIT).until(() ->
                        metrics.get("ingest_rejected_total", "transport", "mqtt", "reason", "unsigned") >= 5);
                assertThat(store.counts("plain-1").rows()).isZero();
                assertThat(unsigned.stats().rejected()).isPositive();
            }

            Assertions.assertThatThrownBy(() -> Agent.start(agent(gw, "stranger-1", true, Optional.of("not-a-token"))))
                    .isInstanceOf(AgentException.class)
                    .hasMessageContaining("could not enroll");
            assertThat(Set.of(store.counts("stranger-1").rows())).containsExactly(0L);
        }
    }
}
