package dev.fieldline.agent.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.hal.sim.Anomaly;
import dev.fieldline.agent.hal.sim.SimParameters;
import dev.fieldline.agent.inference.InferenceStats;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.protocol.Event;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Severity;
import dev.fieldline.protocol.Status;
import dev.fieldline.protocol.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock sim board with its sensor-anomaly model, end to end: readings go through the inference
 * stage, and injected anomalies come out as inference events at a (stub) gateway, through the
 * journal like every other message.
 */
@Tag("loopback")
class AgentInferenceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final MessageCodec codec = new MessageCodec();

    @TempDir
    Path dir;

    private List<Event> events(CoapGatewayStub gw, String id) {
        return gw.posts("event").stream().map(p -> codec.decodeEvent(id, p.payload(), PayloadFormat.CBOR)).toList();
    }

    private static String label(Event e) {
        return ((Value.Text) e.attributes().get("label")).value();
    }

    @Test
    void injectedSpikeAndDriftBecomeInferenceEventsUpstream() {
        String id = "dev-infer";
        try (CoapGatewayStub gw = new CoapGatewayStub(0, id);
                Agent agent = Agent.start(AgentConfig.builder(id).uplink("coap://127.0.0.1:" + gw.port())
                        .dataDir(dir.resolve("data")).samplingInterval(Duration.ofMillis(100))
                        .heartbeatInterval(Duration.ofMillis(500))
                        .reconnect(new ReconnectPolicy(Duration.ofMillis(300), Duration.ofMillis(600), 0.1))
                        .sim(SimParameters.DEFAULTS.withSeed(11).withSpikes(0, 0)).build())) {
            assertThat(agent.inferenceStats()).extracting(InferenceStats::model).containsExactly("sensor-anomaly");

            // a full window of quiet readings: the first confident result is "normal"
            await().atMost(WAIT).until(() -> events(gw, id).stream().anyMatch(e -> label(e).equals("normal")));
            Event normal = events(gw, id).get(0);
            assertThat(normal.type()).isEqualTo("inference");
            assertThat(normal.name()).isEqualTo("sensor-anomaly");
            assertThat(normal.severity()).isEqualTo(Severity.INFO);
            assertThat(normal.attributes()).containsKeys("confidence", "class", "engine", "latency_us", "input");
            assertThat(normal.attributes().get("engine")).isEqualTo(new Value.Text("micro"));
            assertThat(normal.attributes().get("input")).isEqualTo(new Value.Text("temperature[32]"));

            agent.simBoard().orElseThrow().analogInput(0).inject(new Anomaly.Spike(9));
            await().atMost(WAIT).until(() -> events(gw, id).stream().anyMatch(e -> label(e).equals("spike")));
            Event spike = events(gw, id).stream().filter(e -> label(e).equals("spike")).findFirst().orElseThrow();
            assertThat(spike.severity()).isEqualTo(Severity.WARNING); // the profile's severity for spike
            assertThat(spike.attributes().get("previous")).isEqualTo(new Value.Text("normal"));
            assertThat(((Value.Num) spike.attributes().get("confidence")).value()).isGreaterThanOrEqualTo(0.8);

            // once the spike has left the window: normal again, then a drifting sensor (0.2 Cel per sample)
            await().atMost(WAIT).until(() -> {
                List<Event> es = events(gw, id);
                return label(es.get(es.size() - 1)).equals("normal") && es.size() >= 3;
            });
            agent.simBoard().orElseThrow().analogInput(0).inject(new Anomaly.Drift(2.0, Duration.ofSeconds(20)));
            await().atMost(WAIT).until(() -> events(gw, id).stream().anyMatch(e -> label(e).equals("drift")));

            InferenceStats stats = agent.inferenceStats().get(0);
            assertThat(stats.invocations()).isGreaterThan(30);
            assertThat(stats.errors()).isZero();
            assertThat(stats.meanLatency()).isPositive().isLessThan(Duration.ofMillis(50));
            assertThat(stats.events()).isGreaterThanOrEqualTo(4);
            // the cost shows in the heartbeat
            await().atMost(WAIT).until(() -> gw.posts("status").stream()
                    .map(p -> codec.decodeStatus(id, p.payload(), PayloadFormat.CBOR))
                    .anyMatch(s -> s.counters().getOrDefault("inference_invocations", 0L) > 30));
            Status last = gw.posts("status").stream().map(p -> codec.decodeStatus(id, p.payload(), PayloadFormat.CBOR))
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(last.counters()).containsKeys("inference_latency_last_us", "inference_latency_mean_us",
                    "inference_skipped", "inference_errors", "inference_events");
            // events are sequenced messages of the journal like telemetry
            assertThat(events(gw, id)).allSatisfy(e -> assertThat(e.sequence().bootId()).isEqualTo(agent.bootId()));
        }
    }
}
