package dev.fieldline.gateway.downlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.ingest.IngestPipeline;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.CommandRecord;
import dev.fieldline.gateway.store.CommandState;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.Value;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultDownlinkTest {
    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private SqliteStore store;
    private IngestPipeline pipeline;
    private DefaultDownlink hub;

    /** A transport that reaches the devices in {@link #connected} and records what it sent. */
    private static final class FakeTransport implements DownlinkTransport {
        final Set<String> connected = ConcurrentHashMap.newKeySet();
        final List<Command> sent = new CopyOnWriteArrayList<>();

        @Override
        public boolean send(String deviceId, Command command) {
            if (!connected.contains(deviceId)) {
                return false;
            }
            sent.add(command);
            return true;
        }

        @Override
        public boolean reaches(String deviceId) {
            return connected.contains(deviceId);
        }
    }

    @BeforeEach
    void open() {
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
        pipeline = new IngestPipeline(store, metrics, DecodeLimits.DEFAULT);
        hub = new DefaultDownlink(store, metrics, DecodeLimits.DEFAULT, Clock.systemUTC());
        pipeline.addListener(hub);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private CommandState state(String id) {
        return store.command(id).orElseThrow().state();
    }

    @Test
    void aCommandGoesFromPendingToDeliveredToSucceeded() throws Exception {
        FakeTransport mqtt = new FakeTransport();
        hub.register(mqtt);

        CommandRecord created = hub.submit("dev-1", "led", Map.of("on", new Value.Bool(true))).get();

        assertThat(created.state()).isEqualTo(CommandState.PENDING);
        String id = created.command().id();
        assertThat(state(id)).isEqualTo(CommandState.PENDING);
        assertThat(hub.pending("dev-1")).extracting(Command::id).containsExactly(id);

        // The device connects; the transport flushes what is pending and reports the hand-over.
        mqtt.connected.add("dev-1");
        for (Command c : hub.pending("dev-1")) {
            assertThat(mqtt.send("dev-1", c)).isTrue();
            hub.delivered("dev-1", c.id());
        }
        assertThat(hub.pending("dev-1")).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> state(id) == CommandState.DELIVERED);

        IngestResult r = pipeline.submit(Uplinks.commandResult("dev-1", 1, 1, id, true, "led on")).get();

        assertThat(r).isInstanceOf(IngestResult.Stored.class);
        CommandRecord settled = store.command(id).orElseThrow();
        assertThat(settled.state()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(settled.resultMessage()).contains("led on");
        assertThat(settled.command().args()).containsEntry("on", new Value.Bool(true));
        assertThat(metrics.get("commands_settled_total", "state", "succeeded")).isEqualTo(1);
    }

    @Test
    void aReachableDeviceGetsTheCommandAtOnceFromTheFirstTransportThatTakesIt() throws Exception {
        FakeTransport coap = new FakeTransport();
        FakeTransport mqtt = new FakeTransport();
        hub.register(coap);
        hub.register(mqtt);
        mqtt.connected.add("dev-1");

        CommandRecord created = hub.submit("dev-1", "interval", Map.of("seconds", new Value.Num(5))).get();

        assertThat(created.state()).isEqualTo(CommandState.DELIVERED);
        assertThat(mqtt.sent).extracting(Command::id).containsExactly(created.command().id());
        assertThat(coap.sent).isEmpty();
        assertThat(hub.pending("dev-1")).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> state(created.command().id()) == CommandState.DELIVERED);
    }

    @Test
    void aFailedResultSettlesTheCommandAsFailedEvenBeforeDeliveryWasRecorded() throws Exception {
        String id = hub.submit("dev-1", "reboot", Map.of()).get().command().id();
        pipeline.submit(Uplinks.commandResult("dev-1", 1, 1, id, false, "not allowed")).get();
        assertThat(state(id)).isEqualTo(CommandState.FAILED);
        assertThat(hub.pending("dev-1")).isEmpty();
        hub.delivered("dev-1", id); // late report changes nothing
        assertThat(state(id)).isEqualTo(CommandState.FAILED);
    }

    @Test
    void pendingCommandsSurviveARestart() throws Exception {
        String id = hub.submit("dev-1", "led", Map.of("on", new Value.Bool(false))).get().command().id();
        store.close();
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
        DefaultDownlink restarted = new DefaultDownlink(store, metrics, DecodeLimits.DEFAULT, Clock.systemUTC());
        assertThat(restarted.pending("dev-1")).extracting(Command::id).containsExactly(id);
    }

    @Test
    void commandsADeviceCouldNotDecodeAreRefusedBeforeTheyAreStored() {
        assertThatThrownBy(() -> hub.submit("dev-1", "bad name with spaces", Map.of()))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> hub.submit("not/valid", "led", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deviceId");
        assertThat(store.commands("dev-1", 10)).isEmpty();
    }
}
