package dev.fieldline.gateway.ingest;

import static dev.fieldline.gateway.testing.Uplinks.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.ReadingQuery;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.gateway.store.StoredReading;
import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Sequence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestPipelineTest {
    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private SqliteStore store;
    private IngestPipeline pipeline;

    private void open(SqliteStoreConfig config) {
        store = SqliteStore.open(config, metrics);
        pipeline = new IngestPipeline(store, metrics, DecodeLimits.DEFAULT);
    }

    private void open() {
        open(SqliteStoreConfig.defaults(dir));
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.file());
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aSequencedMessageSubmittedTwiceIsStoredOnceAndTheRepeatIsADuplicate() throws Exception {
        open();
        Uplink u = telemetry(Transport.MQTT, "dev-1", 4, 1, 21.5);

        IngestResult first = pipeline.submit(u).get(5, TimeUnit.SECONDS);
        IngestResult second = pipeline.submit(u).get(5, TimeUnit.SECONDS);

        assertThat(first).isEqualTo(new IngestResult.Stored(java.util.Optional.of(new Sequence(4, 1)), 1));
        assertThat(second).isEqualTo(new IngestResult.Duplicate(new Sequence(4, 1)));
        assertThat(second.committed()).isTrue();
        assertThat(count("SELECT COUNT(*) FROM messages")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM readings")).isEqualTo(1);
        assertThat(store.device("dev-1").orElseThrow().messages()).isEqualTo(1);
        assertThat(metrics.get("ingest_received_total", "transport", "mqtt")).isEqualTo(2);
        assertThat(metrics.get("ingest_stored_total", "transport", "mqtt")).isEqualTo(1);
        assertThat(metrics.get("ingest_duplicate_total", "transport", "mqtt")).isEqualTo(1);
    }

    @Test
    void theSameSeqInAnotherBootOrFromAnotherDeviceIsANewMessage() throws Exception {
        open();
        assertThat(pipeline.submit(telemetry(Transport.MQTT, "dev-1", 1, 7, 1)).get()).isInstanceOf(IngestResult.Stored.class);
        assertThat(pipeline.submit(telemetry(Transport.MQTT, "dev-1", 2, 7, 1)).get()).isInstanceOf(IngestResult.Stored.class);
        assertThat(pipeline.submit(telemetry(Transport.COAP, "dev-2", 1, 7, 1)).get()).isInstanceOf(IngestResult.Stored.class);
        assertThat(count("SELECT COUNT(*) FROM readings")).isEqualTo(3);
    }

    @Test
    void malformedPayloadsAreRejectedWithTheirReasonAndCountedPerTransport() throws Exception {
        open();
        Uplink garbage = new Uplink(Transport.COAP, "dev-1", MessageKind.TELEMETRY, PayloadFormat.JSON,
                "[{\"n\":".getBytes(StandardCharsets.UTF_8), Instant.now());
        Uplink wrongType = new Uplink(Transport.COAP, "dev-1", MessageKind.TELEMETRY, PayloadFormat.JSON,
                "[{\"n\":\"t\",\"v\":\"hot\"}]".getBytes(StandardCharsets.UTF_8), Instant.now());

        IngestResult r1 = pipeline.submit(garbage).get();
        IngestResult r2 = pipeline.submit(wrongType).get();

        assertThat(r1).isInstanceOfSatisfying(IngestResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(DecodeError.MALFORMED));
        assertThat(r2).isInstanceOfSatisfying(IngestResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(DecodeError.WRONG_TYPE));
        assertThat(r1.committed()).isFalse();
        assertThat(metrics.get("ingest_rejected_total", "transport", "coap", "reason", "malformed")).isEqualTo(1);
        assertThat(metrics.get("ingest_rejected_total", "transport", "coap", "reason", "wrong_type")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM devices")).as("nothing stored for refused messages").isZero();
    }

    @Test
    void unsequencedThirdPartyPacksAreStoredWithoutASequence() throws Exception {
        open();
        byte[] pack = "[{\"bn\":\"urn:dev:fl:probe-9:\",\"n\":\"humidity\",\"u\":\"%RH\",\"v\":40.5,\"t\":1740830400}]"
                .getBytes(StandardCharsets.UTF_8);
        IngestResult r = pipeline.submit(new Uplink(Transport.HTTP, "probe-9", MessageKind.TELEMETRY, PayloadFormat.JSON,
                pack, Instant.now())).get();

        assertThat(r).isEqualTo(new IngestResult.Stored(java.util.Optional.empty(), 1));
        List<StoredReading> rows = store.readings(ReadingQuery.latest(10));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).sequence()).isEmpty();
        assertThat(rows.get(0).reading().name()).isEqualTo("humidity");
        assertThat(rows.get(0).reading().time()).isEqualTo(Instant.parse("2025-03-01T12:00:00Z"));
        assertThat(count("SELECT COUNT(*) FROM messages")).isZero();
    }

    @Test
    void statusReplacesTheDevicesLatestStatusWithoutEnteringTheSequencedStream() throws Exception {
        open();
        assertThat(pipeline.submit(Uplinks.status(Transport.MQTT, "dev-1", DeviceState.ONLINE)).get())
                .isEqualTo(new IngestResult.Stored(java.util.Optional.empty(), 0));
        assertThat(store.device("dev-1").orElseThrow().status().orElseThrow().state()).isEqualTo(DeviceState.ONLINE);

        pipeline.submit(Uplinks.status(Transport.MQTT, "dev-1", DeviceState.OFFLINE)).get();

        var device = store.device("dev-1").orElseThrow();
        assertThat(device.status().orElseThrow().state()).isEqualTo(DeviceState.OFFLINE);
        assertThat(device.status().orElseThrow().uptime()).isEqualTo(Duration.ofSeconds(42));
        assertThat(device.status().orElseThrow().counters()).containsEntry("sent", 5L);
        assertThat(device.messages()).isZero();
        assertThat(count("SELECT COUNT(*) FROM messages")).isZero();
    }

    @Test
    void concurrentSubmittersAreGroupCommittedAndEveryMessageIsStoredExactlyOnce() throws Exception {
        open();
        int threads = 8;
        int perThread = 2_500;
        int resent = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger stored = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String device = "dev-" + t;
                done.add(pool.submit(() -> {
                    Semaphore inFlight = new Semaphore(64); // like a device's in-flight window
                    List<CompletableFuture<IngestResult>> futures = new ArrayList<>();
                    for (int i = 1; i <= perThread + resent; i++) {
                        long seq = i <= perThread ? i : i - perThread; // then resend the first 250
                        inFlight.acquireUninterruptibly();
                        CompletableFuture<IngestResult> f = pipeline.submit(telemetry(Transport.MQTT, device, 1, seq, 20));
                        f.whenComplete((r, e) -> inFlight.release());
                        futures.add(f.whenComplete((r, e) -> {
                            if (r instanceof IngestResult.Stored) {
                                stored.incrementAndGet();
                            } else if (r instanceof IngestResult.Duplicate) {
                                duplicates.incrementAndGet();
                            } else {
                                other.incrementAndGet();
                            }
                        }));
                    }
                    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(other.get()).as("no message refused or lost").isZero();
        assertThat(stored.get()).isEqualTo(threads * perThread);
        assertThat(duplicates.get()).isEqualTo(threads * resent);
        assertThat(count("SELECT COUNT(*) FROM messages")).isEqualTo(threads * perThread);
        assertThat(count("SELECT COUNT(*) FROM readings")).isEqualTo(threads * perThread);
        assertThat(count("SELECT COUNT(DISTINCT device_id || ':' || seq) FROM readings")).isEqualTo(threads * perThread);
        assertThat(metrics.get("store_transactions_total"))
                .as("writes were grouped into far fewer transactions than messages")
                .isLessThan(threads * (perThread + resent) / 4);
        assertThat(store.boots("dev-3").get(0).missing()).isZero();
    }

    @Test
    void aFullWriteQueueMakesSubmissionsUnavailableAndCountsThem() throws Exception {
        open(SqliteStoreConfig.defaults(dir).withQueueCapacity(4).withBusyTimeout(Duration.ofSeconds(30)));
        List<CompletableFuture<IngestResult>> futures = new ArrayList<>();
        // Another connection holds the write lock: the writer thread blocks in its transaction.
        try (Connection locker = DriverManager.getConnection("jdbc:sqlite:" + store.file());
                Statement s = locker.createStatement()) {
            s.execute("BEGIN EXCLUSIVE");
            for (int i = 1; i <= 40; i++) {
                futures.add(pipeline.submit(telemetry(Transport.COAP, "dev-1", 1, i, 20)));
            }
            long unavailable = futures.stream().filter(f -> f.isDone()
                    && f.join() instanceof IngestResult.Unavailable).count();
            assertThat(unavailable).as("at most 4 queued + 1 batch in the writer").isGreaterThanOrEqualTo(40 - 4 - 5);
            assertThat(metrics.get("ingest_unavailable_total", "transport", "coap")).isEqualTo(unavailable);
            assertThat(futures.get(0)).isNotDone();
            s.execute("ROLLBACK");
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        long stored = futures.stream().filter(f -> f.join() instanceof IngestResult.Stored).count();
        assertThat(stored + metrics.get("ingest_unavailable_total", "transport", "coap")).isEqualTo(40);
        assertThat(count("SELECT COUNT(*) FROM messages")).isEqualTo(stored);
        // which submissions found the queue full depends on when the writer drained it; any of them says why
        IngestResult.Unavailable u = futures.stream().map(CompletableFuture::join)
                .filter(IngestResult.Unavailable.class::isInstance).map(IngestResult.Unavailable.class::cast)
                .findFirst().orElseThrow();
        assertThat(u.message()).contains("queue is full");
    }

    @Test
    void afterCloseSubmissionsAreUnavailableNotLost() throws Exception {
        open();
        store.close();
        IngestResult r = pipeline.submit(telemetry(Transport.MQTT, "dev-1", 1, 1, 20)).get(5, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(IngestResult.Unavailable.class);
        assertThat(((IngestResult.Unavailable) r).message()).contains("closed");
    }

    @Test
    void commitListenersHearOfNewMessagesOnlyAfterCommit() throws Exception {
        open();
        List<Decoded> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        pipeline.addListener(m -> {
            assertThat(store.readings(ReadingQuery.latest(10).withDevice(m.deviceId()))).isNotEmpty();
            heard.add(m);
        });
        pipeline.addListener(m -> {
            throw new IllegalStateException("a broken listener does not stop the others or the result");
        });
        Uplink u = telemetry(Transport.MQTT, "dev-1", 1, 1, 20);
        assertThat(pipeline.submit(u).get()).isInstanceOf(IngestResult.Stored.class);
        assertThat(pipeline.submit(u).get()).isInstanceOf(IngestResult.Duplicate.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 1);
        assertThat(heard.get(0)).isInstanceOf(Decoded.TelemetryMessage.class);
        assertThat(metrics.get("ingest_listener_errors_total")).isEqualTo(1);
    }
}
