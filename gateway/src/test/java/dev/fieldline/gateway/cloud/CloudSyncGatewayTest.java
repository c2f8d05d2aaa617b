package dev.fieldline.gateway.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.testsupport.Peers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cloud FILE} on a running gateway: readings above the bound on commit, the gateway's alerts,
 * window aggregates from the stream engine and a rule's forward action all reach a real HTTP endpoint;
 * readings below the bound do not.
 */
@Tag("loopback")
class CloudSyncGatewayTest {
    @TempDir
    Path dir;
    private final HttpClient client = HttpClient.newHttpClient();

    private void post(Gateway g, long seq, int second, double celsius) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.httpAddress().getPort()
                + "/api/v1/data?device=gh-1")).header("Content-Type", "application/senml+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Uplinks.telemetryBytes("gh-1", Optional.of(new Sequence(1, seq)),
                        PayloadFormat.JSON, Reading.of("temperature", "Cel", celsius, Uplinks.T0.plusSeconds(second))))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @Test
    void selectedReadingsAlertsAggregatesAndForwardedFiringsReachTheCloud() throws Exception {
        try (CloudReceiver receiver = new CloudReceiver(Peers.freeTcpPort()).start()) {
            Path cloudFile = dir.resolve("cloud.yaml");
            Files.writeString(cloudFile, """
                    target:
                      http:
                        url: %s
                    selection:
                      readings:
                        metrics: [temperature]
                        above: 50
                      aggregates:
                        window: tumbling 1m
                      alerts: true
                    """.formatted(receiver.url()));
            Files.writeString(dir.resolve("rules.yaml"), """
                    rules:
                      - id: very-hot
                        metric: temperature
                        when: value > 90
                        actions: [{forward: {}}]
                    """);
            GatewayConfig config = GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(-1)
                    .withCoapPort(-1).withCoapsPort(-1).withMqttsPort(-1).withAlertThreshold(75);
            config = config.withAnalytics(config.analytics().withCloudFile(cloudFile));
            try (Gateway g = Gateway.start(config)) {
                assertThat(g.cloud()).isPresent();
                post(g, 1, 0, 20);   // below the bound: stays at the edge
                post(g, 2, 30, 80);  // a reading above 50 and a threshold alert
                post(g, 3, 50, 95);  // also fires very-hot's forward action
                post(g, 4, 130, 21); // moves the watermark past the first minute: its aggregate closes

                await().atMost(Duration.ofSeconds(10)).until(() -> kinds(receiver).containsAll(
                        List.of("reading", "alert", "aggregate")) && receiver.records().size() >= 6);
                List<JsonNode> records = receiver.records();
                assertThat(records.stream().filter(r -> r.get("kind").asText().equals("reading"))
                        .map(r -> r.get("body").get("value").asDouble()).toList()).containsExactly(80.0, 95.0);
                assertThat(records.stream().filter(r -> r.get("kind").asText().equals("aggregate")).findFirst().orElseThrow()
                        .get("body").get("count").asLong()).isEqualTo(3);
                // the threshold rule's alerts on 80 and 95, and very-hot's forwarded firing
                assertThat(records.stream().filter(r -> r.get("kind").asText().equals("alert")).count()).isEqualTo(3);
                assertThat(receiver.recordIds()).doesNotHaveDuplicates();
            }
        }
    }

    private static List<String> kinds(CloudReceiver receiver) {
        return receiver.records().stream().map(r -> r.get("kind").asText()).distinct().toList();
    }
}
