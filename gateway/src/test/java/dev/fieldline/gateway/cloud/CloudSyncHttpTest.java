package dev.fieldline.gateway.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.config.Backoff;
import dev.fieldline.gateway.cloud.CloudSyncConfig.HttpTarget;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.testsupport.Peers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cloud sync to a real HTTP server (JDK HttpServer) that goes away, refuses and loses answers. */
@Tag("loopback")
class CloudSyncHttpTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2);
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final CloudReceiver receiver = new CloudReceiver(Peers.freeTcpPort());
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        receiver.release();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        receiver.close();
    }

    static CloudRecord record(int i) {
        return new CloudRecord("insight", "insight/dev-1/" + i, "dev-1", T0.plusSeconds(i), Map.of("n", i));
    }

    static List<String> ids(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "insight/dev-1/" + i).toList();
    }

    private CloudSyncConfig config(int batchSize) {
        return CloudSyncConfig.of(HttpTarget.of(receiver.url()).withBatchSize(batchSize).withTimeout(Duration.ofSeconds(5)),
                CloudSelection.NONE).withBackoff(FAST);
    }

    private CloudSync start(CloudSyncConfig config) {
        CloudSync sync = CloudSync.start(config, dir, metrics, Clock.systemUTC());
        open.add(sync);
        return sync;
    }

    private void forward(CloudSync sync, int from, int to) {
        for (int i = from; i <= to; i++) {
            assertThat(sync.forward(record(i))).as("forward %d", i).isTrue();
        }
    }

    /** Records already in the outbox before cloud sync starts, so that the first batch is known. */
    private void prefill(int from, int to) {
        try (CloudOutbox outbox = CloudOutbox.open(dir, 1000, 1 << 20)) {
            outbox.append(IntStream.rangeClosed(from, to).mapToObj(CloudSyncHttpTest::record).toList());
        }
    }

    @Test
    void everyRecordArrivesOnceInOrderAcrossAReceiverRestart() throws Exception {
        // the 3rd request is stored but its answer held; the server is stopped under it, so the
        // gateway never hears back and must send that batch again after the restart
        receiver.behaviour = n -> n == 3 ? CloudReceiver.Answer.HOLD : CloudReceiver.Answer.OK;
        receiver.start();
        CloudSync sync = start(config(5));
        forward(sync, 1, 100);
        receiver.held.await();
        receiver.stop();
        receiver.release();
        forward(sync, 101, 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> metrics.total("cloud_send_failures_total") >= 3);
        assertThat(receiver.recordIds()).hasSizeLessThan(200);
        receiver.start();
        forward(sync, 201, 300);

        await().atMost(Duration.ofSeconds(30)).until(() -> sync.pending() == 0);
        assertThat(receiver.recordIds()).containsExactlyElementsOf(ids(1, 300));
        assertThat(receiver.repeatedKeys()).as("the held batch, sent again with its key").isEqualTo(1);
        assertThat(metrics.get("cloud_forwarded_total", "kind", "insight")).isEqualTo(300);
        assertThat(metrics.get("cloud_enqueued_total", "kind", "insight")).isEqualTo(300);
        assertThat(metrics.total("cloud_dead_letters_total")).isZero();
    }

    @Test
    void aBatchStoredWithoutAnAnswerIsRetriedUnderTheSameIdempotencyKey() {
        prefill(1, 10);
        receiver.behaviour = n -> n == 1 ? CloudReceiver.Answer.STORE_THEN_DROP : CloudReceiver.Answer.OK;
        receiver.start();
        CloudSync sync = start(config(10));

        await().atMost(Duration.ofSeconds(20)).until(() -> sync.pending() == 0);
        List<String> keys = receiver.requestKeys();
        assertThat(keys).hasSize(2);
        assertThat(keys.get(1)).isEqualTo(keys.get(0)).endsWith(":1-10");
        assertThat(receiver.repeatedKeys()).isEqualTo(1);
        assertThat(receiver.recordIds()).containsExactlyElementsOf(ids(1, 10));
        assertThat(metrics.get("cloud_send_failures_total", "reason", "connection")).isEqualTo(1);
    }

    @Test
    void aRefusedBatchBecomesDeadLettersAndTheRestGoesOn() {
        prefill(1, 3);
        receiver.behaviour = n -> n == 1 ? CloudReceiver.Answer.BAD_REQUEST : CloudReceiver.Answer.OK;
        receiver.start();
        CloudSync sync = start(config(3));
        forward(sync, 4, 6);

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.recordIds().size() == 3 && sync.pending() == 0);
        assertThat(receiver.recordIds()).containsExactlyElementsOf(ids(4, 6));
        assertThat(sync.deadLetterCount()).isEqualTo(3);
        assertThat(sync.deadLetters(10)).extracting(CloudOutbox.DeadLetter::recordId)
                .containsExactly("insight/dev-1/3", "insight/dev-1/2", "insight/dev-1/1");
        assertThat(sync.deadLetters(1).get(0).reason()).contains("HTTP 400").contains("no thanks");
        assertThat(metrics.get("cloud_dead_letters_total")).isEqualTo(3);
        assertThat(metrics.total("cloud_send_failures_total")).isZero();
    }

    @Test
    void aServerErrorIsRetriedAndCounted() {
        receiver.behaviour = n -> n <= 2 ? CloudReceiver.Answer.UNAVAILABLE : CloudReceiver.Answer.OK;
        receiver.start();
        CloudSync sync = start(config(10));
        forward(sync, 1, 1);

        await().atMost(Duration.ofSeconds(20)).until(() -> sync.pending() == 0);
        assertThat(receiver.recordIds()).containsExactly("insight/dev-1/1");
        assertThat(metrics.get("cloud_send_failures_total", "reason", "status_503")).isEqualTo(2);
        assertThat(sync.deadLetterCount()).isZero();
    }

    @Test
    void aGatewayRestartDuringAnOutageLosesNothing() {
        CloudSync first = start(config(7));
        forward(first, 1, 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> metrics.get("cloud_send_failures_total", "reason", "connection") >= 2);
        first.close();

        CloudSync second = start(config(7));
        assertThat(second.pending()).isEqualTo(50);
        forward(second, 51, 60);
        receiver.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> second.pending() == 0);
        assertThat(receiver.recordIds()).containsExactlyElementsOf(ids(1, 60));
        assertThat(receiver.requestKeys().get(0)).as("the batch pinned before the restart").matches(".*:1-[1-7]");
        assertThat(receiver.repeatedKeys()).isZero();
    }

    @Test
    void aFullOutboxRefusesNewRecordsAndCountsThem() {
        CloudSync sync = start(config(10).withOutbox(5, CloudSyncConfig.MAX_RECORD_BYTES));
        forward(sync, 1, 5);
        assertThat(sync.forward(record(6))).isFalse();
        assertThat(sync.forward(record(3))).as("already pending: kept once").isTrue();
        assertThat(sync.forwardAsync(record(7)).join()).isFalse();
        assertThat(sync.pending()).isEqualTo(5);
        assertThat(metrics.get("cloud_dropped_total", "reason", "full")).isEqualTo(2);
    }

    @Test
    void selectedReadingsOfCommittedTelemetryGoUpWithTheConfiguredHeaders() {
        receiver.start();
        HttpTarget target = new HttpTarget(receiver.url(), Map.of("X-Site", "greenhouse-3"), Optional.of("t0k"), 100,
                CloudSyncConfig.DEFAULT_BATCH_BYTES, Duration.ofSeconds(5));
        CloudSync sync = start(CloudSyncConfig.of(target,
                CloudSelection.readings(CloudSelection.Readings.above(50, "temperature"))).withBackoff(FAST));
        Telemetry t = new Telemetry("dev-1", new Sequence(7, 1), List.of(
                Reading.of("temperature", "Cel", 40, T0),
                Reading.of("temperature", "Cel", 60.5, T0.plusSeconds(1)),
                Reading.of("humidity", "%RH", 70, T0)));
        sync.committed(new Decoded.TelemetryMessage(t, Transport.MQTT, T0));

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.recordIds().size() == 1);
        assertThat(receiver.recordIds()).containsExactly("reading/dev-1/7/1/temperature#1");
        var r = receiver.records().get(0);
        assertThat(r.path("kind").asText()).isEqualTo("reading");
        assertThat(r.path("deviceId").asText()).isEqualTo("dev-1");
        assertThat(r.path("time").asText()).isEqualTo("2026-11-21T10:00:01Z");
        assertThat(r.path("body").path("value").asDouble()).isEqualTo(60.5);
        assertThat(r.path("body").path("unit").asText()).isEqualTo("Cel");
        assertThat(receiver.lastHeaders()).containsEntry("authorization", "Bearer t0k")
                .containsEntry("x-site", "greenhouse-3").containsEntry("content-type", "application/json");
    }
}
