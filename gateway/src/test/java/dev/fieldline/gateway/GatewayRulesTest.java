package dev.fieldline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.rules.RecordingActionRunner;
import dev.fieldline.gateway.rules.Rule;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules API through a running gateway, and the rules file behind it. */
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
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.httpAddress().getPort() + path))
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
}
