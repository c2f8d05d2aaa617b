package dev.fieldline.agent.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.hal.sim.SimParameters;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.CommandResult;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Value;
import dev.fieldline.testsupport.Peers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's CoAP uplink against a Californium server on loopback. */
@Tag("loopback")
class CoapAgentLoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final SenmlCodec senml = new SenmlCodec();
    private final MessageCodec codec = new MessageCodec();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T t) {
        toClose.add(t);
        return t;
    }

    private Agent start(String id, CoapGatewayStub gw) {
        return closing(Agent.start(AgentConfig.builder(id).uplink("coap://127.0.0.1:" + gw.port())
                .dataDir(dir.resolve("data")).samplingInterval(Duration.ofMillis(100))
                .coapAckTimeout(Duration.ofMillis(200)).coapMaxRetransmit(1)
                .reconnect(new ReconnectPolicy(Duration.ofMillis(300), Duration.ofMillis(600), 0.1))
                .sim(SimParameters.DEFAULTS.withSeed(3)).build()));
    }

    private List<Long> seqs(CoapGatewayStub gw, String id) {
        List<Long> out = new ArrayList<>();
        for (CoapGatewayStub.Post p : gw.posts("telemetry")) {
            Telemetry t = senml.decodeTelemetry(id, p.payload(), PayloadFormat.CBOR);
            out.add(t.sequence().orElseThrow().seq());
        }
        return out;
    }

    @Test
    void postsTelemetryAndReceivesCommandsByObserve() {
        String id = "dev-c1";
        CoapGatewayStub gw = closing(new CoapGatewayStub(0, id));
        Agent agent = start(id, gw);

        await().atMost(WAIT).until(() -> gw.posts("telemetry").size() >= 3);
        CoapGatewayStub.Post first = gw.posts("telemetry").get(0);
        assertThat(first.contentFormat()).isEqualTo(112);
        Telemetry t = senml.decodeTelemetry(id, first.payload(), PayloadFormat.CBOR);
        assertThat(t.sequence().orElseThrow().bootId()).isEqualTo(agent.bootId());
        assertThat(seqs(gw, id).subList(0, 3)).containsExactly(1L, 2L, 3L);
        assertThat(t.readings().get(0).unit()).isEqualTo("Cel");

        await().atMost(WAIT).until(() -> !gw.posts("status").isEmpty());
        CoapGatewayStub.Post status = gw.posts("status").get(0);
        assertThat(status.contentFormat()).isEqualTo(60);
        assertThat(codec.decodeStatus(id, status.payload(), PayloadFormat.CBOR).state()).isEqualTo(DeviceState.ONLINE);

        await().atMost(WAIT).until(() -> gw.observers() == 1);
        Command on = new Command("k-1", "led", Map.of("on", Value.of(true)), Instant.now());
        gw.pushCommand(codec.encode(on, PayloadFormat.CBOR), 60);
        await().atMost(WAIT).until(() -> agent.ledOn().orElse(false));
        await().atMost(WAIT).until(() -> !gw.posts("cmd/result").isEmpty());
        CoapGatewayStub.Post res = gw.posts("cmd/result").get(0);
        assertThat(res.contentFormat()).isEqualTo(60);
        CommandResult r = codec.decodeCommandResult(id, res.payload(), PayloadFormat.CBOR);
        assertThat(r.commandId()).isEqualTo("k-1");
        assertThat(r.ok()).isTrue();

        Command json = new Command("k-2", "interval", Map.of("seconds", Value.of(0.5)), Instant.now());
        gw.pushCommand(codec.encode(json, PayloadFormat.JSON), 50);
        await().atMost(WAIT).until(() -> agent.samplingInterval().equals(Duration.ofMillis(500)));
        assertThat(agent.stats().commands()).isEqualTo(2);

        agent.close();
        assertThat(agent.ledOn()).contains(false);
        await().atMost(WAIT).until(() -> gw.posts("status").stream().anyMatch(
                p -> codec.decodeStatus(id, p.payload(), PayloadFormat.CBOR).state() == DeviceState.OFFLINE));
        await().atMost(WAIT).untilAsserted(() -> assertThat(Threads.mentioning(id)).isEmpty());
    }

    @Test
    void aClientErrorIsCountedAsRejectedAndNotRetried() {
        String id = "dev-c2";
        CoapGatewayStub gw = closing(new CoapGatewayStub(0, id));
        gw.telemetryAnswer = ResponseCode.BAD_REQUEST;
        Agent agent = start(id, gw);

        await().atMost(WAIT).until(() -> agent.stats().rejected() >= 5);
        List<Long> seen = seqs(gw, id);
        assertThat(new TreeSet<>(seen)).hasSize(seen.size());
        assertThat(agent.stats().failed()).isZero();

        gw.telemetryAnswer = ResponseCode.CHANGED;
        long rejected = agent.stats().rejected();
        await().atMost(WAIT).until(() -> agent.stats().acked() >= 5);
        assertThat(agent.stats().rejected()).isBetween(rejected, rejected + 1);
        List<Long> all = seqs(gw, id);
        assertThat(new TreeSet<>(all)).hasSize(all.size());
    }

    @Test
    void backlogIsDeliveredInOrderAfterTheServerComesBack() {
        String id = "dev-c3";
        CoapGatewayStub gw1 = new CoapGatewayStub(0, id);
        int port = gw1.port();
        Agent agent = start(id, gw1);
        await().atMost(WAIT).until(() -> gw1.posts("telemetry").size() >= 3);

        gw1.close();
        await().atMost(WAIT).until(() -> !agent.stats().connected());
        await().atMost(WAIT).until(() -> agent.stats().queued() >= 10);

        CoapGatewayStub gw2 = closing(new CoapGatewayStub(port, id));
        await().atMost(WAIT).until(() -> agent.stats().connected());
        long taken = agent.stats().samples();
        await().atMost(WAIT).until(() -> seqs(gw2, id).stream().anyMatch(s -> s > taken));

        List<Long> second = seqs(gw2, id);
        for (int i = 1; i < second.size(); i++) {
            assertThat(second.get(i)).as("in order at %d: %s", i, second).isGreaterThanOrEqualTo(second.get(i - 1));
        }
        TreeSet<Long> union = new TreeSet<>(seqs(gw1, id));
        union.addAll(second);
        assertThat(union.first()).isEqualTo(1);
        assertThat(union).hasSize((int) (long) union.last());
        assertThat(agent.stats().reconnects()).isGreaterThanOrEqualTo(1);
        assertThat(agent.stats().dropped()).isZero();
    }

    @Test
    void aBacklogLeftByAnEarlierBootIsDeliveredFirstAfterARestart() {
        String id = "dev-c4";
        int port = Peers.freeUdpPort(); // nobody answers there until the second boot
        Agent first = Agent.start(AgentConfig.builder(id).uplink("coap://127.0.0.1:" + port)
                .dataDir(dir.resolve("data")).samplingInterval(Duration.ofMillis(100))
                .coapAckTimeout(Duration.ofMillis(200)).coapMaxRetransmit(1)
                .reconnect(new ReconnectPolicy(Duration.ofMillis(300), Duration.ofMillis(600), 0.1)).build());
        long firstBoot = first.bootId();
        try {
            await().atMost(WAIT).until(() -> first.stats().queued() >= 10);
        } finally {
            first.close();
        }
        long backlog = first.stats().queued();
        assertThat(first.stats().samples()).isEqualTo(backlog);

        CoapGatewayStub gw = closing(new CoapGatewayStub(port, id));
        Agent second = start(id, gw);
        assertThat(second.bootId()).isEqualTo(firstBoot + 1);
        await().atMost(WAIT).until(() -> sequences(gw, id).stream().anyMatch(q -> q.bootId() == second.bootId()));

        List<Sequence> seen = sequences(gw, id);
        List<Sequence> expected = new ArrayList<>();
        for (long s = 1; s <= backlog; s++) {
            expected.add(new Sequence(firstBoot, s));
        }
        assertThat(seen.subList(0, (int) backlog)).containsExactlyElementsOf(expected);
        assertThat(seen.subList((int) backlog, seen.size())).allMatch(q -> q.bootId() == second.bootId())
                .isSorted();
        assertThat(second.stats().replayed()).isGreaterThanOrEqualTo(backlog);
        await().atMost(WAIT).until(() -> second.stats().queued() <= 1);
    }

    private List<Sequence> sequences(CoapGatewayStub gw, String id) {
        List<Sequence> out = new ArrayList<>();
        for (CoapGatewayStub.Post p : gw.posts("telemetry")) {
            out.add(senml.decodeTelemetry(id, p.payload(), PayloadFormat.CBOR).sequence().orElseThrow());
        }
        // a resend after a lost response arrives twice; order is that of first arrival
        return out.stream().distinct().toList();
    }
}
