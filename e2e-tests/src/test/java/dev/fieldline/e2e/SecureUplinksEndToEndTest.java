package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.AgentConfig.CoapDtls;
import dev.fieldline.agent.AgentException;
import dev.fieldline.agent.SecurityConfig;
import dev.fieldline.agent.identity.DeviceIdentity;
import dev.fieldline.agent.identity.Enrollment;
import dev.fieldline.agent.identity.GatewayTrust;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.Value;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The agent's secure uplinks against a real secure gateway: enrolled with a one-time token, it sends
 * signed telemetry and receives commands over MQTT over TLS (client certificate) and CoAP over DTLS
 * (PSK or raw public keys); credentials from another gateway, a wrong PSK, an untrusted server
 * certificate or an unpinned server key never get a connection, and an unenrolled agent is told what
 * it lacks.
 */
@Tag("loopback")
class SecureUplinksEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ReconnectPolicy FAST = new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(500), 0.2);

    @TempDir
    Path dir;

    private static GatewayFixture secureGateway(Path dataDir) {
        return GatewayFixture.start(dataDir, c -> c.withSecure(true).withCoapsPort(0).withMqttsPort(0));
    }

    private static URI uplink(GatewayFixture gw, String scheme) {
        return switch (scheme) {
            // by name: the server certificate's SANs are checked against it
            case "ssl" -> URI.create("ssl://localhost:" + gw.gateway().mqttsAddress().orElseThrow().getPort());
            case "coaps" -> URI.create("coaps://127.0.0.1:" + gw.gateway().coapsAddress().orElseThrow().getPort());
            default -> throw new IllegalArgumentException(scheme);
        };
    }

    private static URI api(GatewayFixture gw) {
        return URI.create("http://127.0.0.1:" + gw.gateway().httpAddress().getPort());
    }

    private static String oneTimeToken(GatewayFixture gw, String device) {
        return gw.gateway().registry().issueEnrollmentToken(Optional.of(device), Duration.ofMinutes(5), "test").token();
    }

    private static AgentConfig.Builder agent(String id, Path dataDir, URI uplink, CoapDtls dtls, SecurityConfig security) {
        return AgentConfig.builder(id).uplink(uplink).coapDtls(dtls).samplingInterval(Duration.ofMillis(100))
                .reconnect(FAST).dataDir(dataDir).security(security);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ssl, PSK", "coaps, PSK", "coaps, RPK"})
    void anEnrolledAgentSendsSignedTelemetryAndReceivesCommands(String scheme, CoapDtls dtls) throws Exception {
        try (GatewayFixture gw = secureGateway(dir.resolve("gw"))) {
            String id = "secure-" + scheme + "-" + dtls.name().toLowerCase(java.util.Locale.ROOT);
            StoreProbe store = new StoreProbe(dir.resolve("gw"));
            SecurityConfig security = new SecurityConfig(true, Optional.of(api(gw)), Optional.of(oneTimeToken(gw, id)));
            try (Agent agent = Agent.start(agent(id, dir.resolve(id), uplink(gw, scheme), dtls, security).build())) {
                Path identity = dir.resolve(id).resolve(DeviceIdentity.DIRECTORY);
                assertThat(identity.resolve(GatewayTrust.DEVICE_CERTIFICATE_FILE)).exists();
                assertThat(identity.resolve(GatewayTrust.CA_CERTIFICATE_FILE)).exists();
                assertThat(identity.resolve(GatewayTrust.GATEWAY_KEY_FILE)).exists();

                await().atMost(WAIT).until(() -> store.counts(id).rows() >= 10);
                StoreProbe.Counts c = store.counts(id);
                assertThat(c.rows()).isEqualTo(c.distinct());
                assertThat(gw.gateway().metrics().total("ingest_rejected_total")).as("every message signed and accepted")
                        .isZero();

                gw.gateway().downlink().enqueue(id, new Command("led-1", "led", Map.of("on", new Value.Bool(true)),
                        Instant.now()));
                await().atMost(WAIT).until(() -> agent.ledOn().orElse(false));
            }
        }
    }

    @Test
    void anAgentWithoutEnrollmentIsToldWhatTheSecureUplinkNeeds() throws Exception {
        try (GatewayFixture gw = secureGateway(dir.resolve("gw"))) {
            SecurityConfig none = new SecurityConfig(false, Optional.empty(), Optional.empty());
            assertThatThrownBy(() -> Agent.start(agent("new-1", dir.resolve("new-1"), uplink(gw, "ssl"), CoapDtls.PSK, none)
                    .build()))
                    .isInstanceOf(AgentException.class)
                    .hasMessageContaining("needs its client certificate from enrollment")
                    .hasMessageContaining("security.enroll-url");
            assertThatThrownBy(() -> Agent.start(agent("new-2", dir.resolve("new-2"), uplink(gw, "coaps"), CoapDtls.PSK, none)
                    .build()))
                    .isInstanceOf(AgentException.class)
                    .hasMessageContaining("needs its DTLS pre-shared key from enrollment");
            assertThatThrownBy(() -> Agent.start(agent("new-3", dir.resolve("new-3"), uplink(gw, "coaps"), CoapDtls.RPK, none)
                    .build()))
                    .isInstanceOf(AgentException.class)
                    .hasMessageContaining("needs the gateway's DTLS public key from enrollment");
        }
    }

    /**
     * Device "twin" is enrolled at gateway 1 (key A) and at gateway 2 (key B). Its gateway-2 identity
     * (wrong certificate, wrong PSK, unknown key) cannot reach gateway 1; its gateway-1 identity with
     * gateway 2's CA or DTLS key pinned refuses gateway 1 as server.
     */
    @Test
    void wrongCredentialsOrAnUnauthenticatedServerNeverConnect() throws Exception {
        try (GatewayFixture gw1 = secureGateway(dir.resolve("gw1")); GatewayFixture gw2 = secureGateway(dir.resolve("gw2"))) {
            Path a = enroll(gw1, "twin", dir.resolve("a"));
            Path b = enroll(gw2, "twin", dir.resolve("b"));
            SecurityConfig stored = new SecurityConfig(true, Optional.empty(), Optional.empty());
            StoreProbe store = new StoreProbe(dir.resolve("gw1"));

            // the gateway-1 identity works on every secure uplink: the refusals below are about credentials
            for (String scheme : List.of("ssl", "coaps")) {
                try (Agent ok = Agent.start(agent("twin", copy(a, dir.resolve("ok-" + scheme)), uplink(gw1, scheme),
                        CoapDtls.PSK, stored).build())) {
                    await().atMost(WAIT).until(() -> ok.stats().connected());
                }
            }
            long storedBefore = store.counts("twin").rows();

            // gateway 1's CA and DTLS key replaced by gateway 2's: the agent must not accept gateway 1
            Path pinnedElsewhere = copy(a, dir.resolve("pinned-elsewhere"));
            for (String f : List.of(GatewayTrust.CA_CERTIFICATE_FILE, GatewayTrust.GATEWAY_KEY_FILE)) {
                Files.copy(b.resolve(DeviceIdentity.DIRECTORY).resolve(f), pinnedElsewhere.resolve(DeviceIdentity.DIRECTORY)
                        .resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }

            List<Agent> refused = new ArrayList<>();
            try {
                refused.add(Agent.start(agent("twin", copy(b, dir.resolve("b-ssl")), uplink(gw1, "ssl"), CoapDtls.PSK, stored)
                        .build()));
                refused.add(Agent.start(agent("twin", copy(b, dir.resolve("b-psk")), uplink(gw1, "coaps"), CoapDtls.PSK, stored)
                        .build()));
                refused.add(Agent.start(agent("twin", copy(b, dir.resolve("b-rpk")), uplink(gw1, "coaps"), CoapDtls.RPK, stored)
                        .build()));
                refused.add(Agent.start(agent("twin", copy(pinnedElsewhere, dir.resolve("p-ssl")), uplink(gw1, "ssl"),
                        CoapDtls.PSK, stored).build()));
                refused.add(Agent.start(agent("twin", copy(pinnedElsewhere, dir.resolve("p-rpk")), uplink(gw1, "coaps"),
                        CoapDtls.RPK, stored).build()));
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> refused.stream().noneMatch(r -> r.stats().connected()));
                assertThat(store.counts("twin").rows()).isEqualTo(storedBefore);
            } finally {
                for (Agent r : refused) {
                    r.close();
                }
            }
        }
    }

    /** Enrolls a fresh identity in {@code dataDir} at the gateway, as the agent does at start. */
    private static Path enroll(GatewayFixture gw, String id, Path dataDir) {
        DeviceIdentity identity = DeviceIdentity.loadOrCreate(dataDir);
        new Enrollment(api(gw), Duration.ofSeconds(10)).ensureEnrolled(dataDir, id, identity,
                Optional.of(oneTimeToken(gw, id)));
        return dataDir;
    }

    /** A new data directory holding a copy of {@code from}'s identity (permissions kept). */
    private static Path copy(Path from, Path to) throws IOException {
        Path src = from.resolve(DeviceIdentity.DIRECTORY);
        Path dst = to.resolve(DeviceIdentity.DIRECTORY);
        Files.createDirectories(to);
        Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return to;
    }
}
