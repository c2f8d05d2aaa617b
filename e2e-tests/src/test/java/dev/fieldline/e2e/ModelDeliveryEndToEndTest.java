package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.AgentConfig.CoapDtls;
import dev.fieldline.agent.SecurityConfig;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.federated.FlModels;
import dev.fieldline.gateway.models.ModelDeployment;
import dev.fieldline.gateway.models.ModelDeployment.State;
import dev.fieldline.gateway.models.ModelRegistry;
import dev.fieldline.gateway.models.ModelVersion;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.store.EventQuery;
import dev.fieldline.gateway.store.StoredEvent;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.model.ModelRelease;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.TfliteExport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The global model back on the devices: a real secure gateway publishes (exports, self-tests, signs)
 * a model and offers it to two enrolled agents on the sim board, one on CoAP over DTLS and one on MQTT
 * over TLS (which fetches over HTTP with its device token). Both verify it against the gateway key
 * from enrollment, swap it into their running inference stage and report it; a version whose signed
 * self-test does not match its model is rolled back on both, which keep running the first; the web
 * API lists the versions with each device's outcome and which version each device runs.
 */
@Tag("loopback")
class ModelDeliveryEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ReconnectPolicy FAST = new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(500), 0.2);
    private static final String SLOT = "sensor-anomaly";

    @TempDir
    Path dir;

    private static Agent agent(GatewayFixture gw, String id, Path dataDir, URI uplink) {
        String token = gw.gateway().registry().issueEnrollmentToken(Optional.of(id), Duration.ofMinutes(5), "test").token();
        SecurityConfig security = new SecurityConfig(true,
                Optional.of(URI.create("http://127.0.0.1:" + gw.gateway().httpAddress().getPort())), Optional.of(token));
        return Agent.start(AgentConfig.builder(id).uplink(uplink).coapDtls(CoapDtls.PSK).samplingInterval(Duration.ofMillis(100))
                .reconnect(FAST).dataDir(dataDir).security(security).build());
    }

    private static Optional<ModelDeployment> deployment(GatewayFixture gw, String device, String name, long version) {
        return gw.gateway().models().deployments(Optional.of(name)).stream()
                .filter(d -> d.deviceId().equals(device) && d.version() == version).findFirst();
    }

    private static Map<String, Value> modelEvent(GatewayFixture gw, String device, String name, long version) {
        return gw.gateway().store().events(new EventQuery(Optional.of(device), Optional.of("model"), Optional.of(name), 100)).stream()
                .map(StoredEvent::event).filter(e -> e.attributes().get("version") instanceof Value.Num n && n.value() == version)
                .findFirst().orElseThrow().attributes();
    }

    @Test
    void aPublishedModelReachesTheAgentsAndABadOneIsRolledBack() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), c -> c.withSecure(true).withCoapsPort(0).withMqttsPort(0))) {
            ModelRegistry models = gw.gateway().models();
            String coaps = "md-coaps";
            String mqtts = "md-mqtts";
            try (Agent a = agent(gw, coaps, dir.resolve(coaps),
                    URI.create("coaps://127.0.0.1:" + gw.gateway().coapsAddress().orElseThrow().getPort()));
                    Agent b = agent(gw, mqtts, dir.resolve(mqtts),
                            URI.create("ssl://localhost:" + gw.gateway().mqttsAddress().orElseThrow().getPort()))) {
                await().atMost(WAIT).until(() -> a.stats().connected() && b.stats().connected());
                List<String> devices = List.of(coaps, mqtts);

                // v1: a dense 32-16-4 classifier for the sim board's sensor-anomaly slot
                Dataset calibration = ModelRegistry.randomInputs(32, 3, 7);
                long t0 = System.nanoTime();
                ModelVersion v1 = models.publish(SLOT, Sequential.builder(1, 32).dense(16).relu().dense(4).build(), calibration,
                        Map.of("round", 1, "metrics", Map.of("accuracy", 0.91)));
                long publishMs = (System.nanoTime() - t0) / 1_000_000;
                assertThat(v1.version()).isEqualTo(1);
                long t1 = System.nanoTime();
                models.rollout(SLOT, 1, devices, "test").get();
                await().atMost(WAIT).until(() -> devices.stream().allMatch(d ->
                        deployment(gw, d, SLOT, 1).map(x -> x.state() == State.INSTALLED).orElse(false)));
                long deliverMs = (System.nanoTime() - t1) / 1_000_000;
                assertThat(a.deliveredModels()).containsEntry(SLOT, 1L);
                assertThat(b.deliveredModels()).containsEntry(SLOT, 1L);
                assertThat(deployment(gw, coaps, SLOT, 1).orElseThrow().running()).hasValue(1);
                // the new model runs: inference carries on without errors after the swap
                long before = a.inferenceStats().get(0).invocations();
                await().atMost(WAIT).until(() -> a.inferenceStats().get(0).invocations() > before + 5);
                assertThat(a.inferenceStats().get(0).errors()).isZero();

                // v2: another model under v1's self-test vectors, validly signed: the self-test must fail
                byte[] other = TfliteExport.float32(Sequential.builder(2, 32).dense(16).relu().dense(4).build(), SLOT);
                ModelRelease.SelfTest v1Test = models.manifest(SLOT, 1).selfTest();
                ModelVersion v2 = models.publishWithSelfTest(SLOT, other, v1Test, Map.of("round", 2));
                models.rollout(SLOT, v2.version(), devices, "test").get();
                await().atMost(WAIT).until(() -> devices.stream().allMatch(d ->
                        deployment(gw, d, SLOT, 2).map(x -> x.state() == State.ROLLED_BACK).orElse(false)));
                for (String d : devices) {
                    ModelDeployment dep = deployment(gw, d, SLOT, 2).orElseThrow();
                    assertThat(dep.reason()).hasValue("self_test_failed");
                    assertThat(dep.running()).hasValue(1);
                }
                assertThat(a.deliveredModels()).containsEntry(SLOT, 1L);
                assertThat(b.deliveredModels()).containsEntry(SLOT, 1L);
                String offer2 = deployment(gw, coaps, SLOT, 2).orElseThrow().commandId().orElseThrow();
                await().atMost(WAIT).until(() -> gw.gateway().store().command(offer2).orElseThrow().state().code().equals("failed"));

                // the API: versions, hashes, metrics, each device's outcome and what each device runs
                String viewer = gw.gateway().registry().createApiToken("viewer", Role.VIEWER).token();
                HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.api("/api/v1/models"))
                        .header("Authorization", "Bearer " + viewer).GET().build());
                assertThat(r.statusCode()).isEqualTo(200);
                JsonNode list = GatewayFixture.parse(r.body());
                JsonNode model = list.get("models").get(0);
                assertThat(model.get("name").asText()).isEqualTo(SLOT);
                assertThat(model.get("rolledOut").asLong()).isEqualTo(2);
                assertThat(model.get("versions")).hasSize(2);
                assertThat(model.get("versions").get(0).get("sha256").asText()).isEqualTo(v1.sha256());
                assertThat(model.get("versions").get(0).get("source").get("metrics_accuracy").asDouble()).isEqualTo(0.91);
                assertThat(model.get("versions").get(0).get("devices").findValuesAsText("state")).containsOnly("installed");
                assertThat(model.get("versions").get(1).get("devices").findValuesAsText("state")).containsOnly("rolled_back");
                assertThat(list.get("devices").get(coaps).get(SLOT).asLong()).isEqualTo(1);
                assertThat(list.get("devices").get(mqtts).get(SLOT).asLong()).isEqualTo(1);
                HttpResponse<String> manifest = gw.send(HttpRequest.newBuilder(gw.api("/api/v1/models/" + SLOT + "/1"))
                        .header("Authorization", "Bearer " + viewer).GET().build());
                assertThat(GatewayFixture.parse(manifest.body()).get("file").get("sha256").asText()).isEqualTo(v1.sha256());
                // a device's download needs credentials: none is 401
                assertThat(gw.send(HttpRequest.newBuilder(gw.api("/api/v1/models/" + SLOT + "/1/file")).GET().build()).statusCode())
                        .isEqualTo(401);

                // rolling back through the API offers v1 again, which both run already
                String operator = gw.gateway().registry().createApiToken("op", Role.OPERATOR).token();
                HttpResponse<String> back = gw.send(HttpRequest.newBuilder(gw.api("/api/v1/models/" + SLOT + "/rollback"))
                        .header("Authorization", "Bearer " + operator).POST(HttpRequest.BodyPublishers.noBody()).build());
                assertThat(back.statusCode()).as(back.body()).isEqualTo(202);
                assertThat(GatewayFixture.parse(back.body()).get("version").asLong()).isEqualTo(1);
                assertThat(models.rolledOut()).containsEntry(SLOT, 1L);

                // figures: the federated models (dev.fieldline.federated.FlModels), which no slot runs on the sim board
                System.out.printf("model delivery: %s v1 %d bytes published in %d ms, installed on both in %d ms (offer to report)%n",
                        SLOT, v1.bytes(), publishMs, deliverMs);
                for (String fl : List.of("mlp", "cnn")) {
                    String name = "fashion-" + fl;
                    long t2 = System.nanoTime();
                    ModelVersion big = models.publish(name, FlModels.create(fl, 3), ModelRegistry.randomInputs(784, 3, 3),
                            Map.of("round", 1));
                    long publishBigMs = (System.nanoTime() - t2) / 1_000_000;
                    long t3 = System.nanoTime();
                    models.rollout(name, big.version(), devices, "test").get();
                    await().atMost(WAIT).until(() -> devices.stream().allMatch(d ->
                            deployment(gw, d, name, 1).map(x -> x.state() == State.INSTALLED).orElse(false)));
                    long deliverBigMs = (System.nanoTime() - t3) / 1_000_000;
                    System.out.printf("model delivery: %s %d bytes published in %d ms, installed on both in %d ms%n", name, big.bytes(),
                            publishBigMs, deliverBigMs);
                    for (String d : devices) {
                        Map<String, Long> timings = new TreeMap<>();
                        modelEvent(gw, d, name, 1).forEach((k, v) -> {
                            if (k.endsWith("_ms") || k.endsWith("_us")) {
                                timings.put(k, (long) ((Value.Num) v).value());
                            }
                        });
                        System.out.printf("  %s (%s): %s%n", d, d.equals(coaps) ? "CoAP/DTLS block-wise" : "HTTP after an MQTT/TLS offer",
                                timings);
                    }
                }
            }
        }
    }
}
