package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.federated.ParticipantConfig;
import dev.fieldline.agent.uplink.MqttUplink;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.agent.uplink.UplinkListener;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.gateway.federated.FederatedConfig;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlMessage;
import dev.fieldline.testsupport.Peers;
import dev.fieldline.training.data.FashionMnist;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Federated learning end to end: a real gateway and real agents (simulated boards), two over MQTT and
 * two over CoAP, each training the MLP on its own 1,500 Fashion-MNIST images; a straggler whose
 * training outlasts the deadline; a rogue client whose upload declares a size no update of the model
 * can have. Three rounds; the gateway scores each new global model on 2,000 held-out test images.
 */
class FederatedEndToEndTest {
    private static final int ROUNDS = 3;
    /** The bar the global model must clear after the last round (held-out accuracy). */
    private static final double BAR = 0.70;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void agentsTrainTogetherThroughTheGatewayOverMqttAndCoap() throws Exception {
        Path data = FashionMnist.DEBIAN_DIR;
        Peers.requireData(data, FashionMnist.present(data), "Fashion-MNIST", "dataset-fashion-mnist");
        FederatedConfig fl = FederatedConfig.defaults()
                .withClients(1.0, 6, 3)
                .withTiming(DEADLINE, Duration.ofMillis(500), Duration.ofSeconds(60))
                .withPlan(new TrainingPlan(1, 32, 0.05f, 0.9f, 0, 7))
                .withRounds(ROUNDS)
                .withEvaluation(data, 2000);
        Instant started = Instant.now();
        try (GatewayFixture gw = GatewayFixture.start(dir.resolve("gw"), c -> c.withFederated(fl))) {
            List<Agent> agents = new ArrayList<>();
            try (Rogue rogue = new Rogue(URI.create(gw.mqttUrl()))) {
                String[][] honest = {{"fl-mqtt-1", gw.mqttUrl()}, {"fl-mqtt-2", gw.mqttUrl()},
                        {"fl-coap-1", gw.coapUrl()}, {"fl-coap-2", gw.coapUrl()}};
                for (int i = 0; i < honest.length; i++) {
                    agents.add(agent(honest[i][0], honest[i][1], i, Duration.ZERO));
                }
                Agent straggler = agent("fl-slow", gw.coapUrl(), 4, DEADLINE.plusSeconds(5));
                agents.add(straggler);

                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    JsonNode rounds = gw.get("/api/v1/fl/rounds");
                    return rounds.size() >= ROUNDS && !rounds.get(0).get("outcome").asText().equals("open");
                });
                Duration took = Duration.between(started, Instant.now());

                JsonNode rounds = gw.get("/api/v1/fl/rounds");
                List<Double> accuracy = new ArrayList<>();
                for (int i = rounds.size() - 1; i >= 0; i--) {
                    JsonNode r = rounds.get(i);
                    System.out.printf("round %d: %s, version %s, %.1f s, contributors %s, rejected %s, metrics %s%n",
                            r.get("round").asInt(), r.get("outcome").asText(), r.get("version"),
                            Duration.between(Instant.parse(r.get("started").asText()),
                                    Instant.parse(r.get("closed").asText())).toMillis() / 1000.0,
                            r.get("contributors"), r.get("rejected"), r.get("metrics"));
                    assertThat(r.get("outcome").asText()).isEqualTo("aggregated");
                    assertThat(r.get("selected")).hasSize(6);
                    List<String> contributors = new ArrayList<>();
                    r.get("contributors").forEach(c -> contributors.add(c.asText()));
                    assertThat(contributors).containsExactlyInAnyOrder("fl-mqtt-1", "fl-mqtt-2", "fl-coap-1", "fl-coap-2");
                    accuracy.add(r.get("metrics").get("global_accuracy").asDouble());
                }
                System.out.printf("federated e2e: %d rounds in %.1f s, held-out accuracy per round %s%n", rounds.size(),
                        took.toMillis() / 1000.0, accuracy);
                // the rogue's oversized upload was refused, counted, and round 1 went on
                assertThat(rounds.get(rounds.size() - 1).get("rejected").get("fl-rogue").asText()).isEqualTo("malformed");
                assertThat(rogue.receipts).anySatisfy(r -> {
                    assertThat(r.status()).isEqualTo("rejected");
                    assertThat(r.reason()).startsWith("too_large");
                });
                assertThat(gw.gateway().metrics().get("fl_updates_rejected_total", "reason", "too_large")).isEqualTo(1);
                // the straggler trained but missed every deadline
                await().atMost(Duration.ofSeconds(30)).until(() -> straggler.federatedStats().orElseThrow().lastStatus().equals("late"));
                assertThat(straggler.federatedStats().orElseThrow().accepted()).isZero();
                // the model learned: above the bar, and better than after the first round
                assertThat(accuracy.get(accuracy.size() - 1)).isGreaterThan(BAR).isGreaterThan(accuracy.get(0));
                JsonNode status = gw.get("/api/v1/fl/status");
                assertThat(status.get("version").asInt()).isEqualTo(ROUNDS);
                assertThat(status.get("model").asText()).isEqualTo("mlp");
                // every global model became a signed model version, ready to roll out (docs/federated.md#model-delivery)
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> gw.gateway().models().versions("fl-mlp").size() == ROUNDS);
                assertThat(gw.get("/api/v1/models").get("models").get(0).get("versions").get(ROUNDS - 1).get("source")
                        .get("fl_version").asInt()).isEqualTo(ROUNDS);
                // sampling went on while the agents trained
                assertThat(gw.readingCount("fl-mqtt-1")).isPositive();
                assertThat(gw.readingCount("fl-coap-1")).isPositive();
            } finally {
                agents.forEach(Agent::close);
            }
        }
    }

    private Agent agent(String id, String uplink, int shard, Duration slowdown) {
        ParticipantConfig p = ParticipantConfig.of("mlp", FashionMnist.DEBIAN_DIR, shard, 5, 1500)
                .withTiming(Duration.ofSeconds(1), Duration.ofSeconds(5), slowdown);
        return Agent.start(AgentConfig.builder(id).uplink(URI.create(uplink)).dataDir(dir.resolve(id))
                .samplingInterval(Duration.ofSeconds(1)).inference(false).federated(p).build());
    }

    /**
     * A client that joins like a device, then answers its task with an upload declaring 100 MB: the
     * gateway must refuse it at the first chunk.
     */
    private static final class Rogue implements AutoCloseable {
        final List<FlMessage.Receipt> receipts = new CopyOnWriteArrayList<>();
        private final MqttUplink uplink;
        private final java.util.concurrent.ScheduledExecutorService joins =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        private volatile boolean uploaded;

        Rogue(URI server) {
            uplink = new MqttUplink(server, "fl-rogue", PayloadFormat.CBOR, ReconnectPolicy.DEFAULTS, 10, new byte[] {(byte) 0xa0});
            uplink.useFederated();
            uplink.start(new UplinkListener() {
                @Override
                public void connected() {
                }

                @Override
                public void disconnected(String cause) {
                }

                @Override
                public void command(Command command) {
                }

                @Override
                public void federated(FlMessage m) {
                    if (m instanceof FlMessage.Task t && !uploaded) {
                        uploaded = true;
                        byte[] junk = new byte[1000];
                        uplink.sendFederated(new FlMessage.UpdateChunk("fl-rogue", t.round(), 0, 1000, 100_000_000,
                                FlCodec.sha256(junk), junk));
                    } else if (m instanceof FlMessage.Receipt r) {
                        receipts.add(r);
                    }
                }
            });
            joins.scheduleWithFixedDelay(() -> {
                if (uplink.isConnected()) {
                    uplink.sendFederated(new FlMessage.Join("fl-rogue", "mlp", 199_210, Instant.now()));
                }
            }, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            joins.shutdownNow();
            uplink.close();
        }
    }
}
