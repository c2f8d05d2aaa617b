package dev.fieldline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Topics;
import dev.fieldline.testsupport.Peers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("loopback")
class GatewayTest {
    @TempDir
    Path dir;

    private GatewayConfig loopback() {
        return GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(0).withCoapPort(0)
                .withCoapsPort(-1).withMqttsPort(-1);
    }

    @Test
    void startsEveryListenerAndStoresWhatArrivesOverHttpAndMqtt() throws Exception {
        try (Gateway g = Gateway.start(loopback())) {
            assertThat(g.httpAddress().getPort()).isPositive();
            assertThat(g.mqttAddress()).isPresent();
            assertThat(g.coapAddress()).isPresent();
            assertThat(g.listeners()).containsKeys("http", "mqtt", "coap");

            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + g.httpAddress().getPort();
            HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/data?device=dev-h"))
                    .header("Content-Type", "application/senml+json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Uplinks.telemetryBytes("dev-h", Optional.of(new Sequence(1, 1)),
                            PayloadFormat.JSON, Reading.of("temperature", "Cel", 80, Uplinks.T0)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"mqtt\":\"127.0.0.1:" + g.mqttAddress().get().getPort() + "\"");

            MqttClient paho = new MqttClient("tcp://127.0.0.1:" + g.mqttAddress().get().getPort(), "dev-m", new MemoryPersistence());
            try {
                MqttConnectOptions o = new MqttConnectOptions();
                o.setCleanSession(true);
                paho.connect(o);
                paho.publish(Topics.topic("dev-m", MessageKind.TELEMETRY), Uplinks.telemetryBytes("dev-m",
                        Optional.of(new Sequence(1, 1)), PayloadFormat.CBOR, Reading.of("temperature", "Cel", 20, Uplinks.T0)), 1, false);
                paho.disconnect();
            } finally {
                paho.close();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> g.store().device("dev-m").isPresent());
            assertThat(g.store().device("dev-m").orElseThrow().transport().code()).isEqualTo("mqtt");
            await().atMost(Duration.ofSeconds(5)).until(() -> g.metrics().total("alerts_raised_total") == 1);
        }
    }

    @Test
    void ruleAlertsAreDeduplicatedAndGoThroughTheirLifecycleOverTheWebApi() throws Exception {
        try (Gateway g = Gateway.start(loopback().withMqttPort(-1).withCoapPort(-1))) {
            assertThat(g.actions().types()).contains("alert");
            java.util.List<dev.fieldline.gateway.rules.ActionSpec> alert =
                    java.util.List.of(new dev.fieldline.gateway.rules.ActionSpec("alert", java.util.Map.of("resolve", "manual")));
            for (int i = 0; i < 3; i++) {
                g.actions().fired(alert, new dev.fieldline.gateway.rules.RuleFiring("hot", "Too hot", "dev-r", "temperature",
                        80 + i, "temperature > 75", dev.fieldline.protocol.Severity.WARNING, Uplinks.T0.plusSeconds(i),
                        Uplinks.T0.plusSeconds(i), java.util.Map.of()));
            }
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + g.httpAddress().getPort() + "/api/v1/alerts";
            await().atMost(Duration.ofSeconds(5)).until(() -> client.send(HttpRequest.newBuilder(URI.create(base + "?device=dev-r"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"count\":3"));
            long id = g.store().alerts(new dev.fieldline.gateway.store.AlertQuery(Optional.of("dev-r"), Optional.empty(), 10))
                    .get(0).id();
            HttpResponse<String> ack = client.send(HttpRequest.newBuilder(URI.create(base + "/" + id + "/acknowledge"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
            assertThat(ack.body()).contains("\"state\":\"acknowledged\"");
            HttpResponse<String> ackAgain = client.send(HttpRequest.newBuilder(URI.create(base + "/" + id + "/acknowledge"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ackAgain.statusCode()).isEqualTo(409);
            HttpResponse<String> resolve = client.send(HttpRequest.newBuilder(URI.create(base + "/" + id + "/resolve"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"fan fixed\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resolve.statusCode()).as(resolve.body()).isEqualTo(200);
            assertThat(resolve.body()).contains("\"state\":\"resolved\"", "\"note\":\"fan fixed\"", "\"count\":3");
            assertThat(g.metrics().get("alerts_raised_total", "rule", "hot", "severity", "warning")).isEqualTo(1);
            assertThat(g.metrics().prometheus()).contains("alerts_repeated_total{rule=\"hot\"} 2");
        }
    }

    @Test
    void aTakenHttpPortFailsStartNamingThePortAndTheOption() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> Gateway.start(loopback().withHttpPort(port)))
                    .isInstanceOfSatisfying(PortInUseException.class, e -> {
                        assertThat(e.port()).isEqualTo(port);
                        assertThat(e.protocol()).isEqualTo("HTTP");
                        assertThat(e.code()).isEqualTo("port_in_use");
                    })
                    .hasMessageContaining("HTTP port " + port)
                    .hasMessageContaining("--http-port")
                    .hasMessageContaining("0 picks a free one");
        }
    }

    @Test
    void aTakenMqttPortFailsStartAndReleasesWhatHadStarted() throws Exception {
        int httpPort = Peers.freeTcpPort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> Gateway.start(loopback().withHttpPort(httpPort).withMqttPort(taken.getLocalPort())))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("MQTT port " + taken.getLocalPort())
                    .hasMessageContaining("--mqtt-port");
        }
        assertThat(canBind(httpPort)).as("the web API started before MQTT was closed again").isTrue();
        try (Gateway again = Gateway.start(loopback())) {
            assertThat(again.store().healthy()).as("the store was closed and can be reopened").isTrue();
        }
    }

    private static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void negativePortsDisableListeners() {
        try (Gateway g = Gateway.start(loopback().withMqttPort(-1).withCoapPort(-1).withHttpPort(-1))) {
            assertThat(g.mqttAddress()).isEmpty();
            assertThat(g.coapAddress()).isEmpty();
            assertThat(g.listeners()).isEmpty();
            assertThatThrownBy(g::httpAddress).isInstanceOf(IllegalStateException.class).hasMessageContaining("disabled");
            assertThat(g.store().healthy()).isTrue();
        }
    }

    @Test
    void configurationRejectsBadValuesNamingThemAndDescribesItself() {
        GatewayConfig c = GatewayConfig.defaults(dir);
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.mqttPort()).isEqualTo(1883);
        assertThat(c.coapPort()).isEqualTo(5683);
        assertThat(c.bindHost()).isEqualTo("0.0.0.0");
        assertThat(c.alertThreshold()).isEqualTo(75);
        assertThat(c.externalBroker()).isEmpty();
        assertThatThrownBy(() -> c.withHttpPort(70_000)).hasMessageContaining("httpPort");
        assertThatThrownBy(() -> c.withAlertThreshold(Double.NaN)).hasMessageContaining("alertThreshold");
        assertThatThrownBy(() -> c.withBrokerShareGroup("a/b")).hasMessageContaining("brokerShareGroup");
        assertThat(c.withExternalBroker(URI.create("tcp://broker:1883")).describe())
                .contains("httpPort", "mqttPort", "coapPort", "externalBroker", "tcp://broker:1883", "alertThreshold",
                        "maxPayloadBytes", "ingestQueueCapacity");
    }
}
