package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole slice in one JVM: a simulated agent reports through the gateway's own MQTT endpoint or
 * its CoAP server, the gateway stores every message once, serves it over the API, and commands
 * travel back down to the agent and their results up again.
 */
@Tag("loopback")
class AgentEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mqtt", "coap"})
    void agentTelemetryIsStoredInOrderAndCommandsRoundTrip(String transport) {
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"))) {
            String id = "e2e-" + transport;
            URI uplink = URI.create(transport.equals("mqtt") ? gw.mqttUrl() : gw.coapUrl());
            AgentConfig config = AgentConfig.builder(id)
                    .uplink(uplink)
                    .samplingInterval(Duration.ofMillis(100))
                    .dataDir(dir.resolve("agent"))
                    .inference(false) // telemetry only: every seq is a sample (inference events are sequenced too)
                    .build();
            try (Agent agent = Agent.start(config)) {
                // telemetry: every sequence number from 1 upwards, each with the board's three readings
                await().atMost(WAIT).until(() -> gw.readingCount(id) >= 30);
                JsonNode data = gw.get("/api/v1/data?device=" + id + "&limit=10000");
                Map<Long, Integer> perSeq = new TreeMap<>();
                for (JsonNode r : data) {
                    assertThat(r.get("bootId").asLong()).isEqualTo(agent.bootId());
                    perSeq.merge(r.get("seq").asLong(), 1, Integer::sum);
                }
                long maxSeq = perSeq.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
                assertThat(perSeq.keySet()).as("contiguous sequence").hasSize((int) maxSeq);
                assertThat(perSeq.values()).allMatch(n -> n == 3);
                assertThat(data.findValuesAsText("metric")).contains("temperature", "led", "button");
                for (JsonNode r : data) {
                    if (r.get("metric").asText().equals("temperature")) {
                        assertThat(r.get("unit").asText()).isEqualTo("Cel");
                        assertThat(r.get("value").asDouble()).isBetween(-10.0, 60.0);
                    }
                }

                // status from heartbeats
                await().atMost(WAIT).untilAsserted(() -> {
                    JsonNode device = gw.get("/api/v1/devices/" + id);
                    assertThat(device.get("state").asText()).isEqualTo("online");
                    assertThat(device.get("transport").asText()).isEqualTo(transport);
                });

                // LED on through the API, down to the agent, and the result back up
                String commandId = command(gw, id, "{\"name\":\"led\",\"args\":{\"on\":true}}");
                await().atMost(WAIT).until(() -> agent.ledOn().orElse(false));
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(commandState(gw, id, commandId)).isEqualTo("succeeded"));

                // a new sampling interval takes effect on the device
                String interval = command(gw, id, "{\"name\":\"interval\",\"args\":{\"seconds\":0.5}}");
                await().atMost(WAIT).until(() -> agent.samplingInterval().equals(Duration.ofMillis(500)));
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(commandState(gw, id, interval)).isEqualTo("succeeded"));

                // a command the device does not know fails with the device's reason
                String unknown = command(gw, id, "{\"name\":\"self-destruct\",\"args\":{}}");
                await().atMost(WAIT).untilAsserted(() ->
                        assertThat(commandState(gw, id, unknown)).isEqualTo("failed"));
            }
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(gw.get("/api/v1/devices/" + id).get("state").asText()).isEqualTo("offline"));
        }
    }

    private static String command(GatewayFixture gw, String device, String json) {
        HttpResponse<String> r = gw.post("/api/v1/devices/" + device + "/commands", "application/json",
                json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return GatewayFixture.parse(r.body()).get("id").asText();
    }

    private static String commandState(GatewayFixture gw, String device, String commandId) {
        for (JsonNode c : gw.get("/api/v1/devices/" + device + "/commands")) {
            if (c.get("id").asText().equals(commandId)) {
                return c.get("state").asText();
            }
        }
        return "missing";
    }
}
