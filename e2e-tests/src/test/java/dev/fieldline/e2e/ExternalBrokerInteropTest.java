package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.testsupport.Mosquitto;
import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External-broker mode with a real Mosquitto between agent and gateway: the agent publishes to
 * Mosquitto, {@code mosquitto_sub} sees its telemetry, the gateway (subscribed with a shared
 * subscription) stores it, and a command from the API reaches the agent through the broker.
 */
@Tag("interop")
class ExternalBrokerInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** mosquitto_sub block-buffers its output into a file; stdbuf makes it show SUBACK at once. */
    private static String lineBuffered() {
        return Peers.require("coreutils", "stdbuf").toString();
    }

    @Test
    void agentThroughMosquittoToGatewayAndBack() {
        Path sub = Peers.require("mosquitto-clients", "mosquitto_sub");
        try (Mosquitto broker = Mosquitto.start(dir.resolve("mosquitto"));
                GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"),
                        c -> c.withMqttPort(-1).withExternalBroker(URI.create(broker.url())))) {
            await().atMost(WAIT).until(() -> gw.gateway().metrics().total("broker_subscribed_total") > 0);
            try (PeerProcess watcher = PeerProcess.start("mosquitto_sub", List.of(lineBuffered(), "-oL", sub.toString(), "-h", "127.0.0.1",
                    "-p", String.valueOf(broker.port()), "-t", "fl/v1/via-broker/telemetry", "-C", "3", "-v", "-d"),
                    dir.resolve("sub"))) {
                await().atMost(WAIT).until(() -> watcher.output().contains("SUBACK"));
                AgentConfig config = AgentConfig.builder("via-broker")
                        .uplink(URI.create(broker.url()))
                        .samplingInterval(Duration.ofMillis(200))
                        .dataDir(dir.resolve("agent"))
                        .build();
                try (Agent agent = Agent.start(config)) {
                    assertThat(watcher.awaitExit(WAIT)).isZero();
                    assertThat(watcher.output()).contains("fl/v1/via-broker/telemetry");
                    assertThat(watcher.output()).contains("urn:dev:fl:via-broker:").contains("temperature");

                    await().atMost(WAIT).until(() -> gw.readingCount("via-broker") >= 9);

                    HttpResponse<String> r = gw.post("/api/v1/devices/via-broker/commands", "application/json",
                            "{\"name\":\"led\",\"args\":{\"on\":true}}".getBytes(StandardCharsets.UTF_8));
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    String id = GatewayFixture.parse(r.body()).get("id").asText();
                    await().atMost(WAIT).until(() -> agent.ledOn().orElse(false));
                    await().atMost(WAIT).untilAsserted(() -> assertThat(
                            gw.get("/api/v1/devices/via-broker/commands").findValuesAsText("state")).contains("succeeded"));
                    assertThat(id).isNotBlank();
                }
            }
        }
    }
}
