package dev.fieldline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.rules.RecordingActionRunner;
import dev.fieldline.gateway.rules.Rule;
import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Topics;
import java.io.IOException;
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

/**
 * The rules API through a running gateway and the rules file behind it; end to end, telemetry over HTTP and
 * MQTT through the stream engine and the rules to the action runner, and the streams API.
 */
@Tag("loopback")
class GatewayRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    private final RecordingActionRunner runner = new RecordingActionRunner();

    private GatewayConfig loopback() {
        return GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(0).withCoapPort(-1)
                .withCoapsPort(-1).withMqttsPort(-1);
    }

    private HttpResponse<String> call(Gateway g, String method, String path, String body, Optional<String> token)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(g) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(Gateway g, String method, String path, String body) throws IOException, InterruptedException {
        return call(g, method, path, body, Optional.empty());
    }

    @Test
    void crudThroughTheApiKeepsTheFileTheOneSourceOfTruth() throws Exception {
        try (Gateway g = Gateway.start(loopback(), runner)) {
            Path file = dir.resolve("rules.yaml");
            assertThat(file).exists();

            HttpResponse<String> created = call(g, "POST", "/api/v1/rules", """
                    {"id": "greenhouse-hot", "name": "Greenhouse too hot", "metric": "temperature", "when": "value > 75",
                     "for": "30s", "severity": "critical", "actions": [{"alert": {}}, {"command": {"name": "led", "args": {"on": true}}}]}""");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode r = JSON.readTree(created.body());
            assertThat(r.get("condition").asText()).isEqualTo("value > 75 for 30s");
            assertThat(r.get("actions").get(1).get("command").get("args").get("on").asBoolean()).isTrue();
            assertThat(r.get("state").get("evaluations").asLong()).isZero();
            assertThat(Files.readString(file)).contains("id: greenhouse-hot").contains("when: value > 75");

            assertThat(call(g, "POST", "/api/v1/rules", "{\"id\": \"greenhouse-hot\", \"when\": \"value > 1\"}").statusCode())
                    .isEqualTo(409);
            HttpResponse<String> bad = call(g, "POST", "/api/v1/rules", "{\"id\": \"x\", \"when\": \"value > 1\", \"for\": \"soon\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).get("message").asText())
                    .isEqualTo("rule 'x': body:1: for: expected a duration such as 500ms, 1s, 5m, 2h or PT1S, got 'soon'");
            assertThat(JSON.readTree(bad.body()).get("error").asText()).isEqualTo("invalid_rule");

            HttpResponse<String> put = call(g, "PUT", "/api/v1/rules/greenhouse-hot",
                    "{\"id\": \"greenhouse-hot\", \"metric\": \"temperature\", \"when\": \"value > 80\"}");
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(call(g, "PUT", "/api/v1/rules/other", "{\"id\": \"greenhouse-hot\", \"when\": \"value > 80\"}").statusCode())
                    .isEqualTo(400);
            assertThat(call(g, "PUT", "/api/v1/rules/nope", "{\"id\": \"nope\", \"when\": \"value > 80\"}").statusCode())
                    .isEqualTo(404);

            HttpResponse<String> disabled = call(g, "POST", "/api/v1/rules/greenhouse-hot/disable", null);
            assertThat(JSON.readTree(disabled.body()).get("enabled").asBoolean()).isFalse();
            assertThat(g.rules().rules()).extracting(Rule::enabled).containsExactly(false);
            assertThat(call(g, "POST", "/api/v1/rules/greenhouse-hot/enable", null).statusCode()).isEqualTo(200);

            JsonNode one = JSON.readTree(call(g, "GET", "/api/v1/rules/greenhouse-hot", null).body());
            assertThat(one.get("when").asText()).isEqualTo("value > 80");
            assertThat(one.get("enabled").asBoolean()).isTrue();
            assertThat(one.get("streams").isArray()).isTrue();
            assertThat(call(g, "GET", "/api/v1/rules/nope", null).statusCode()).isEqualTo(404);

            // an edit of the file by hand is picked up; a broken one shows in the API and keeps the rules
            Files.writeString(file, "rules:\n  - {id: by-hand, when: value < 0}\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> g.rules().rules().stream().map(Rule::id).toList()
                    .equals(java.util.List.of("by-hand")));
            Files.writeString(file, "rules:\n  - {id: by-hand, when: value < zero}\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> !JSON.readTree(call(g, "GET", "/api/v1/rules", null).body())
                    .get("reloadError").isNull());
            JsonNode list = JSON.readTree(call(g, "GET", "/api/v1/rules", null).body());
            assertThat(list.get("reloadError").asText()).contains("rules[0].when: 'zero' is not a finite number");
            assertThat(list.get("rules")).hasSize(1);
            assertThat(g.metrics().get("rules_reload_failed_total")).isEqualTo(1);

            assertThat(call(g, "DELETE", "/api/v1/rules/by-hand", null).statusCode()).isEqualTo(204);
            assertThat(call(g, "DELETE", "/api/v1/rules/by-hand", null).statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(call(g, "GET", "/api/v1/rules", null).body()).get("rules")).isEmpty();
        }
    }

    @Test
    void viewersReadOperatorsWrite() throws Exception {
        try (Gateway g = Gateway.start(loopback().withSecure(true), runner)) {
            String viewer = g.registry().createApiToken("v", Role.VIEWER).token();
            String operator = g.registry().createApiToken("o", Role.OPERATOR).token();
            String rule = "{\"id\": \"a\", \"when\": \"value > 1\"}";
            assertThat(call(g, "GET", "/api/v1/rules", null).statusCode()).isEqualTo(401);
            assertThat(call(g, "POST", "/api/v1/rules", rule, Optional.of(viewer)).statusCode()).isEqualTo(403);
            assertThat(call(g, "POST", "/api/v1/rules", rule, Optional.of(operator)).statusCode()).isEqualTo(201);
            assertThat(call(g, "GET", "/api/v1/rules/a", null, Optional.of(viewer)).statusCode()).isEqualTo(200);
            assertThat(call(g, "POST", "/api/v1/rules/a/disable", null, Optional.of(viewer)).statusCode()).isEqualTo(403);
            assertThat(call(g, "DELETE", "/api/v1/rules/a", null, Optional.of(viewer)).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void theRulesOptionNamesAnotherFile() throws Exception {
        Path file = dir.resolve("elsewhere/my-rules.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "rules: [{id: mine, when: value > 1}]\n");
        try (Gateway g = Gateway.start(loopback().withAnalytics(loopback().analytics().withRulesFile(file)), runner)) {
            assertThat(g.rules().rules()).extracting(Rule::id).containsExactly("mine");
            assertThat(dir.resolve("rules.yaml")).doesNotExist();
        }
    }

    // ------------------------------------------------------------------ end to end: telemetry -> stream engine -> rules -> actions

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
        HttpResponse<String> r = call(g, "GET", path, null);
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
        GatewayConfig config = loopback().withAnalytics(loopback().analytics().withInsights(2, Duration.ofMinutes(15)));
        try (Gateway g = Gateway.start(config, runner)) {
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

            assertThat(one.get("insight").get("summary").asText()).isNotEmpty();
            assertThat(one.get("insight").get("confidence").asDouble()).isBetween(0.0, 1.0);

            // every second sample of a stream renews its insight: gh-1 had 4
            await().atMost(Duration.ofSeconds(10)).until(() -> g.metrics().get("insights_total") == 2);
            JsonNode insights = get(g, "/api/v1/insights?device=gh-1&metric=temperature");
            assertThat(insights).hasSize(2);
            assertThat(insights.get(0).get("time").asText()).isEqualTo(t0.plusSeconds(31).toString());
            assertThat(insights.get(0).get("summary").asText()).isNotEmpty();
            assertThat(insights.get(0).get("actions").isArray()).isTrue();
            assertThat(get(g, "/api/v1/insights?device=gh-2")).isEmpty();

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
