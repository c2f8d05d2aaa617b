package dev.fieldline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.rules.RecordingActionRunner;
import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: telemetry into a running gateway, through the stream engine and the rules, to the action runner. */
@Tag("loopback")
class GatewayStreamRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    private final RecordingActionRunner runner = new RecordingActionRunner();

    private GatewayConfig loopback() {
        return GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(0).withCoapPort(-1)
                .withCoapsPort(-1).withMqttsPort(-1);
    }

    private HttpResponse<String> post(Gateway g, String device, long seq, Instant t, double celsius) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base(g) + "/api/v1/data?device=" + device))
                .header("Content-Type", "application/senml+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Uplinks.telemetryBytes(device, Optional.of(new Sequence(1, seq)),
                        PayloadFormat.JSON, Reading.of("temperature", "Cel", celsius, t)))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String base(Gateway g) {
        return "http://127.0.0.1:" + g.httpAddress().getPort();
    }

    private JsonNode get(Gateway g, String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base(g) + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void aRuleWithADurationFiresOnHttpTelemetryAndClears() throws Exception {
        Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - id: greenhouse-hot
                    metric: temperature
                    when: value > 75
                    for: 30s
                    severity: critical
                    actions: [{alert: {}}, {command: {name: led, args: {on: true}}}]
                """);
        try (Gateway g = Gateway.start(loopback(), runner)) {
            Instant t0 = Uplinks.T0;
            assertThat(post(g, "gh-1", 1, t0, 80).statusCode()).isEqualTo(201);
            assertThat(post(g, "gh-1", 2, t0.plusSeconds(20), 81).statusCode()).isEqualTo(201);
            assertThat(post(g, "gh-2", 1, t0.plusSeconds(40), 90).statusCode()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> g.metrics().get("rule_evaluations_total", "rule", "greenhouse-hot") == 3);
            assertThat(runner.calls).as("20 s of 30 s held on gh-1, a first sample on gh-2").isEmpty();

            post(g, "gh-1", 3, t0.plusSeconds(30), 82);
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.calls.size() == 1);
            var fired = runner.calls.get(0);
            assertThat(fired.what()).isEqualTo("fired");
            assertThat(fired.firing().deviceId()).isEqualTo("gh-1");
            assertThat(fired.firing().value()).isEqualTo(82);
            assertThat(fired.firing().condition()).isEqualTo("value > 75 for 30s");
            assertThat(fired.firing().eventTime()).isEqualTo(t0.plusSeconds(30));
            assertThat(fired.firing().details()).containsEntry("count", 3L);
            assertThat(fired.actions()).extracting(a -> a.type()).containsExactly("alert", "command");

            post(g, "gh-1", 4, t0.plusSeconds(31), 70);
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.calls.size() == 2);
            assertThat(runner.summary()).containsExactly("fired greenhouse-hot gh-1/temperature 82.0",
                    "cleared greenhouse-hot gh-1/temperature 70.0");
            assertThat(g.metrics().get("rule_fired_total", "rule", "greenhouse-hot")).isEqualTo(1);
            assertThat(g.metrics().get("analytics_samples_total")).isEqualTo(5);
            assertThat(g.metrics().get("analytics_keys")).isEqualTo(2);

            JsonNode streams = get(g, "/api/v1/streams");
            assertThat(streams).hasSize(2);
            assertThat(streams.get(0).get("device").asText()).isEqualTo("gh-1");
            assertThat(streams.get(0).get("count").asLong()).isEqualTo(4);
            assertThat(streams.get(0).get("last").asDouble()).isEqualTo(70);
            assertThat(streams.get(0).get("max").asDouble()).isEqualTo(82);
            assertThat(get(g, "/api/v1/streams?device=gh-2")).hasSize(1);
            JsonNode one = get(g, "/api/v1/streams/gh-1/temperature");
            assertThat(one.get("mean").asDouble()).isEqualTo((80 + 81 + 82 + 70) / 4.0);
            assertThat(one.get("trend").get("direction").asText()).isIn("increasing", "decreasing", "stable");
            assertThat(one.get("detectors")).isNotEmpty();
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base(g) + "/api/v1/streams/gh-9/temperature")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

            JsonNode rule = get(g, "/api/v1/rules/greenhouse-hot");
            assertThat(rule.get("state").get("evaluations").asLong()).isEqualTo(5);
            assertThat(rule.get("state").get("fired").asLong()).isEqualTo(1);
            assertThat(rule.get("streams")).hasSize(2);
        }
    }

    @Test
    void mqttTelemetryReachesTheRules() throws Exception {
        Files.writeString(dir.resolve("rules.yaml"), "rules: [{id: any-hot, when: value > 75, actions: [{alert: {}}]}]\n");
        try (Gateway g = Gateway.start(loopback(), runner)) {
            MqttClient paho = new MqttClient("tcp://127.0.0.1:" + g.mqttAddress().orElseThrow().getPort(), "dev-m",
                    new MemoryPersistence());
            try {
                paho.connect(new MqttConnectOptions());
                paho.publish(Topics.topic("dev-m", MessageKind.TELEMETRY), Uplinks.telemetryBytes("dev-m",
                        Optional.of(new Sequence(1, 1)), PayloadFormat.CBOR, Reading.of("humidity", "%RH", 99, Uplinks.T0)), 1, false);
                paho.disconnect();
            } finally {
                paho.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.calls.size() == 1);
            assertThat(runner.summary()).containsExactly("fired any-hot dev-m/humidity 99.0");
        }
    }
}
