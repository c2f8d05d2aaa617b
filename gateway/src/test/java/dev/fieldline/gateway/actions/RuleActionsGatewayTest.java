package dev.fieldline.gateway.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry posted to a running gateway reaches a rule created through the API, scoped by a device
 * label, which runs the gateway's own actions: an alert that the API shows and that resolves when the
 * condition clears, and a webhook to a real HTTP server.
 */
@Tag("loopback")
class RuleActionsGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final HttpClient client = HttpClient.newHttpClient();

    /** Telemetry as a device posts it: stored, then through the stream engine to the rules. */
    private void post(Gateway g, String device, long seq, int second, double celsius) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.httpAddress().getPort()
                + "/api/v1/data?device=" + device)).header("Content-Type", "application/senml+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Uplinks.telemetryBytes(device, Optional.of(new Sequence(1, seq)),
                        PayloadFormat.JSON, Reading.of("temperature", "Cel", celsius, Uplinks.T0.plusSeconds(second))))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private HttpResponse<String> call(Gateway g, String method, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.httpAddress().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLabelScopedRuleRaisesResolvesAndCallsItsWebhook() throws Exception {
        List<JsonNode> hooks = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/hook", x -> {
            try (x) {
                hooks.add(JSON.readTree(x.getRequestBody().readAllBytes()));
                x.sendResponseHeaders(204, -1);
            }
        });
        server.start();
        GatewayConfig config = GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(-1)
                .withCoapPort(-1).withCoapsPort(-1).withMqttsPort(-1).withAlertThreshold(1e9); // only the rule's alerts
        try (Gateway g = Gateway.start(config)) {
            assertThat(call(g, "PUT", "/api/v1/devices/gh-1/labels", "{\"site\":\"north\"}").statusCode()).isEqualTo(200);
            String hook = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
            HttpResponse<String> created = call(g, "POST", "/api/v1/rules", """
                    {"id": "gh-hot", "name": "Greenhouse too hot", "labels": {"site": "north"}, "metric": "temperature",
                     "when": "value > 75", "actions": [{"alert": {"message": "{rule}: {value} on {device}"}},
                     {"webhook": {"url": "%s", "retries": 1}}]}""".formatted(hook));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            HttpResponse<String> refused = call(g, "POST", "/api/v1/rules",
                    "{\"id\": \"up\", \"when\": \"value > 1\", \"actions\": [{\"forward\": {}}, {\"webhook\": {\"url\": \"ftp://x\"}}]}");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).get("message").asText())
                    .contains("no cloud uplink configured (see --cloud)");

            post(g, "gh-2", 1, 0, 90); // not labelled site=north: out of scope
            post(g, "gh-1", 1, 0, 80);
            post(g, "gh-1", 2, 1, 82); // still true: the rule fired once
            await().atMost(Duration.ofSeconds(5)).until(() -> hooks.size() == 1
                    && JSON.readTree(call(g, "GET", "/api/v1/alerts", null).body()).size() == 1);
            JsonNode alert = JSON.readTree(call(g, "GET", "/api/v1/alerts", null).body()).get(0);
            assertThat(alert.get("device").asText()).isEqualTo("gh-1");
            assertThat(alert.get("rule").asText()).isEqualTo("gh-hot");
            assertThat(alert.get("message").asText()).isEqualTo("Greenhouse too hot: 80 on gh-1");
            assertThat(alert.get("state").asText()).isEqualTo("open");
            assertThat(hooks.get(0).get("device").asText()).isEqualTo("gh-1");
            assertThat(hooks.get(0).get("ruleId").asText()).isEqualTo("gh-hot");

            post(g, "gh-1", 3, 2, 70); // cleared: the alert resolves itself
            await().atMost(Duration.ofSeconds(5)).until(() -> JSON.readTree(call(g, "GET", "/api/v1/alerts?state=resolved", null)
                    .body()).size() == 1);
            JsonNode resolved = JSON.readTree(call(g, "GET", "/api/v1/alerts/" + alert.get("id").asLong(), null).body());
            assertThat(resolved.get("resolvedBy").asText()).isEqualTo("rule");
            assertThat(g.metrics().get("rule_failed_total", "rule", "gh-hot")).isZero();
            assertThat(g.metrics().get("webhook_sent_total")).isEqualTo(1);
            assertThat(g.metrics().get("rule_evaluations_total", "rule", "gh-hot")).as("gh-2 is out of scope").isEqualTo(3);
        } finally {
            server.stop(0);
        }
    }
}
