package dev.fieldline.gateway.federated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.gateway.testing.ManualClock;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlKind;
import dev.fieldline.protocol.federated.FlMessage;
import dev.fieldline.protocol.federated.UpdateBody;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The round service over its real SQLite store, driven by a manual clock (no sockets). */
class FederatedServiceTest {
    private static final FlCodec CODEC = new FlCodec();
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Metrics metrics = new Metrics();
    private SqliteStore db;
    private FederatedService service;
    private final FederatedConfig config = FederatedConfig.defaults().withClients(1.0, 2, 1)
            .withTiming(Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(60));

    @BeforeEach
    void open() {
        db = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
        service = FederatedService.open(config, db.file(), metrics, clock);
    }

    @AfterEach
    void close() {
        service.close();
        db.close();
    }

    private Optional<FlMessage> send(String device, FlMessage m) {
        return service.receive(device, m.kind(), CODEC.encode(m, PayloadFormat.CBOR), PayloadFormat.CBOR);
    }

    private FlMessage.Task join(String device) {
        return (FlMessage.Task) send(device, new FlMessage.Join(device, "mlp", service.layout().size(), clock.instant()))
                .orElse(null);
    }

    private float[] fetch(String device, FlMessage.Task task) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < task.chunks(); i++) {
            FlMessage.Chunk c = (FlMessage.Chunk) send(device, new FlMessage.Fetch(task.version(), i)).orElseThrow();
            all.writeBytes(c.data());
        }
        byte[] bytes = all.toByteArray();
        assertThat(FlCodec.sha256(bytes)).isEqualTo(task.digest());
        return FlCodec.bytesToFloats(bytes);
    }

    /** Uploads a body in chunks of at most 30,000 bytes (each ceil(size / n) but the last); returns the last answer. */
    private Optional<FlMessage> upload(String device, int round, byte[] body, int declaredSize) {
        int n = (body.length + 29_999) / 30_000;
        int len = (body.length + n - 1) / n;
        Optional<FlMessage> last = Optional.empty();
        for (int i = 0; i < n; i++) {
            byte[] part = Arrays.copyOfRange(body, i * len, Math.min(body.length, (i + 1) * len));
            last = send(device, new FlMessage.UpdateChunk(device, round, i, n, declaredSize, FlCodec.sha256(body), part));
            if (i < n - 1 && last.isPresent()) {
                return last;
            }
        }
        return last;
    }

    private byte[] body(int round, float value) {
        float[] delta = new float[service.layout().size()];
        Arrays.fill(delta, value);
        return CODEC.encodeBody(new UpdateBody(round, 100, Map.of("loss", 1.0), delta), PayloadFormat.CBOR);
    }

    @Test
    void roundsRunRefuseBadUpdatesAndResumeAfterARestart() {
        assertThat(join("a")).isNull();
        service.tick();
        assertThat(service.openRound()).isEmpty(); // one device: below min-clients
        assertThat(join("b")).isNull();
        service.tick();
        FlMessage.Task task = join("a");
        assertThat(task.round()).isEqualTo(1);
        float[] global = fetch("a", task);
        assertThat(global).isEqualTo(service.global());

        byte[] good = body(1, 0.001f);
        assertThat(upload("a", 1, good, good.length)).contains(new FlMessage.Receipt(1, "accepted", ""));
        // b declares more than a model's update can be: refused at the first chunk, nothing buffered
        FlMessage.Receipt refused = (FlMessage.Receipt) upload("b", 1, body(1, 0f), 50_000_000).orElseThrow();
        assertThat(refused.status()).isEqualTo("rejected");
        assertThat(refused.reason()).startsWith("too_large");
        assertThat(metrics.get("fl_updates_rejected_total", "reason", "too_large")).isEqualTo(1);

        service.tick(); // all answered: closes
        RoundRecord r1 = service.rounds().round(1).orElseThrow();
        assertThat(r1.outcome()).isEqualTo("aggregated");
        assertThat(r1.contributors()).containsExactly("a");
        assertThat(r1.rejected()).containsEntry("b", "malformed");
        assertThat(service.version()).isEqualTo(1);
        assertThat(service.global()[0]).isEqualTo(global[0] + 0.001f);

        // round 2: a uploads, then the gateway restarts mid-round
        service.tick();
        FlMessage.Task task2 = join("b");
        assertThat(task2.round()).isEqualTo(2);
        assertThat(task2.version()).isEqualTo(1);
        byte[] good2 = body(2, 0.002f);
        assertThat(upload("a", 2, good2, good2.length)).contains(new FlMessage.Receipt(2, "accepted", ""));
        service.close();
        service = FederatedService.open(config, db.file(), metrics, clock);
        assertThat(service.openRound()).map(p -> p.round()).contains(2);
        assertThat(join("a")).isNull(); // answered before the restart
        assertThat(join("b")).isEqualTo(task2);
        // a NaN in b's update: rejected by the validator, the round still aggregates a's
        byte[] nan = body(2, Float.NaN);
        FlMessage.Receipt bad = (FlMessage.Receipt) upload("b", 2, nan, nan.length).orElseThrow();
        assertThat(bad.status()).isEqualTo("rejected");
        assertThat(bad.reason()).startsWith("non_finite");
        service.tick();
        RoundRecord r2 = service.rounds().round(2).orElseThrow();
        assertThat(r2.outcome()).isEqualTo("aggregated");
        assertThat(r2.contributors()).containsExactly("a");
        assertThat(r2.rejected()).containsEntry("b", "non_finite");
        assertThat(service.version()).isEqualTo(2);
        assertThat(service.rounds().rounds(10)).extracting(RoundRecord::round).containsExactly(2, 1);
    }

    @Test
    void aRoundWithoutEnoughUpdatesIsAbandonedAtTheDeadline() {
        join("a");
        join("b");
        service.tick();
        assertThat(service.openRound()).isPresent();
        clock.advance(Duration.ofSeconds(31));
        byte[] late = body(1, 0.1f);
        assertThat(upload("a", 1, late, late.length)).contains(new FlMessage.Receipt(1, "late",
                "the deadline 2026-01-01T00:00:30Z has passed"));
        service.tick();
        RoundRecord r = service.rounds().round(1).orElseThrow();
        assertThat(r.outcome()).isEqualTo("abandoned");
        assertThat(service.version()).isZero();
        assertThat(metrics.get("fl_rounds_total", "outcome", "abandoned")).isEqualTo(1);
    }

    @Test
    void aChunkOfTheWrongLengthRejectsTheUpload() {
        join("a");
        join("b");
        service.tick();
        byte[] good = body(1, 0.001f);
        FlMessage.UpdateChunk c = new FlMessage.UpdateChunk("a", 1, 0, 3, good.length, FlCodec.sha256(good),
                new byte[10]);
        FlMessage.Receipt r = (FlMessage.Receipt) send("a", c).orElseThrow();
        assertThat(r.status()).isEqualTo("rejected");
        assertThat(metrics.get("fl_updates_rejected_total", "reason", "malformed")).isEqualTo(1);
        assertThat(service.handle("a", new FlMessage.Fetch(7, 0))).isEmpty();
        assertThat(FlKind.FETCH.isUplink()).isTrue();
    }
}
