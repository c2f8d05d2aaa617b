package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.testsupport.Mosquitto;
import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Third-party clients we did not write, talking to a whole gateway: Mosquitto's command-line
 * clients and libcoap's coap-client publish plain RFC 8428 SenML (no Fieldline sequence) and
 * observe the command resource.
 */
@Tag("interop")
class ThirdPartyPeersInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** mosquitto_sub block-buffers its output into a file; stdbuf makes it show SUBACK at once. */
    private static String lineBuffered() {
        return Peers.require("coreutils", "stdbuf").toString();
    }

    @Test
    void mosquittoPubOverMqtt311AndMqtt5IsStoredByTheGatewaysOwnEndpoint() {
        Path pub = Peers.require("mosquitto-clients", "mosquitto_pub");
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"))) {
            run(pub.toString(), "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()), "-V", "mqttv311", "-q", "1",
                    "-i", "tp-311", "-t", "fl/v1/tp-311/telemetry",
                    "-m", "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21.5}]");
            run(pub.toString(), "-h", "127.0.0.1", "-p", String.valueOf(gw.mqttPort()), "-V", "mqttv5", "-q", "1",
                    "-i", "tp-5", "-t", "fl/v1/tp-5/telemetry", "-D", "publish", "content-type", "application/senml+json",
                    "-m", "[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"n\":\"humidity\",\"u\":\"%RH\",\"v\":40}]");

            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode a = gw.get("/api/v1/data?device=tp-311");
                assertThat(a).hasSize(1);
                assertThat(a.get(0).get("metric").asText()).isEqualTo("temperature");
                assertThat(a.get(0).get("value").asDouble()).isEqualTo(21.5);
                JsonNode b = gw.get("/api/v1/data?device=tp-5");
                assertThat(b).hasSize(1);
                assertThat(b.get(0).get("metric").asText()).isEqualTo("urn:dev:ow:10e2073a01080063:humidity");
                assertThat(b.get(0).get("value").asDouble()).isEqualTo(40.0);
            });
        }
    }

    @Test
    void mosquittoPubThroughAnExternalMosquittoIsStoredAndMosquittoSubSeesIt() {
        Path pub = Peers.require("mosquitto-clients", "mosquitto_pub");
        Path sub = Peers.require("mosquitto-clients", "mosquitto_sub");
        try (Mosquitto broker = Mosquitto.start(dir.resolve("mosquitto"));
                GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"),
                        c -> c.withMqttPort(-1).withExternalBroker(URI.create(broker.url())))) {
            await().atMost(WAIT).until(() -> brokerSubscribed(gw));
            try (PeerProcess watcher = PeerProcess.start("mosquitto_sub", List.of(lineBuffered(), "-oL", sub.toString(), "-h", "127.0.0.1",
                    "-p", String.valueOf(broker.port()), "-V", "mqttv5", "-t", "fl/v1/+/telemetry", "-C", "1", "-v", "-d"),
                    dir.resolve("sub"))) {
                await().atMost(WAIT).until(() -> watcher.output().contains("SUBACK"));
                run(pub.toString(), "-h", "127.0.0.1", "-p", String.valueOf(broker.port()), "-V", "mqttv5", "-q", "1",
                        "-t", "fl/v1/ext-1/telemetry", "-m", "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":30.25}]");
                assertThat(watcher.awaitExit(WAIT)).isZero();
                assertThat(watcher.output()).contains("fl/v1/ext-1/telemetry").contains("30.25");
            }
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode a = gw.get("/api/v1/data?device=ext-1");
                assertThat(a).hasSize(1);
                assertThat(a.get(0).get("value").asDouble()).isEqualTo(30.25);
            });
        }
    }

    @Test
    void coapClientPostsSenmlJsonAndObservesTheCommandResource() {
        Path coap = Peers.require("libcoap3-bin", "coap-client-notls", "coap-client-openssl", "coap-client-gnutls", "coap-client");
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"))) {
            String base = gw.coapUrl() + "/v1/d/coap-tp";
            String out = run(coap.toString(), "-m", "post", "-t", "110",
                    "-e", "[{\"n\":\"temperature\",\"u\":\"Cel\",\"v\":19.75}]", base + "/telemetry");
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode a = gw.get("/api/v1/data?device=coap-tp");
                assertThat(a).as("coap-client said: %s", out).hasSize(1);
                assertThat(a.get(0).get("value").asDouble()).isEqualTo(19.75);
            });

            try (PeerProcess observer = PeerProcess.start("coap-observe",
                    List.of(coap.toString(), "-s", "15", "-A", "50", base + "/cmd"), dir.resolve("observe"))) {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    if (!observer.output().contains("\"led\"")) {
                        gw.post("/api/v1/devices/coap-tp/commands", "application/json",
                                "{\"name\":\"led\",\"args\":{\"on\":true}}".getBytes());
                    }
                    assertThat(observer.output()).contains("\"name\":\"led\"").contains("\"on\":true");
                });
            }
        }
    }

    /** The gateway counts its subscriptions on the external broker; publishing before them would be lost. */
    private static boolean brokerSubscribed(GatewayFixture gw) {
        return gw.gateway().metrics().total("broker_subscribed_total") > 0;
    }

    /** Runs a short-lived peer command to completion and returns what it printed. */
    private String run(String... command) {
        List<String> cmd = new ArrayList<>(List.of(command));
        try (PeerProcess p = PeerProcess.start(Path.of(command[0]).getFileName().toString(), cmd, dir.resolve("run"))) {
            int code = p.awaitExit(WAIT);
            assertThat(code).as("%s exited with %d: %s", cmd, code, p.output()).isZero();
            return p.output();
        }
    }
}
