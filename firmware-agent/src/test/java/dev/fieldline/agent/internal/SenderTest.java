package dev.fieldline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.journal.JournalConfig;
import dev.fieldline.agent.journal.TelemetryJournal;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.agent.uplink.Uplink;
import dev.fieldline.agent.uplink.UplinkException;
import dev.fieldline.agent.uplink.UplinkListener;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SenderTest {
    private static final ReconnectPolicy FAST = new ReconnectPolicy(Duration.ofMillis(10), Duration.ofMillis(20), 0);
    @TempDir
    Path dir;
    private TelemetryJournal outbox;
    private final Counters counters = new Counters();
    private final FakeUplink uplink = new FakeUplink();
    private Sender sender;

    @BeforeEach
    void open() {
        outbox = TelemetryJournal.open(dir, JournalConfig.DEFAULTS);
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.close();
        }
        outbox.close();
    }

    private void add(int from, int to) {
        for (int i = from; i <= to; i++) {
            outbox.add(MessageKind.TELEMETRY, new Sequence(1, i), new byte[] {(byte) i});
        }
    }

    private void startSender() {
        startSender(1_000_000);
    }

    private void startSender(int replayRate) {
        sender = new Sender("dev-1", outbox, uplink, FAST, replayRate, counters);
        sender.start();
    }

    @Test
    void theBacklogIsReplayedAtThePacedRateAndFreshEntriesFollowIt() {
        uplink.connected = false;
        uplink.answer = b -> CompletableFuture.completedFuture(null);
        add(1, 10);
        startSender(20);
        uplink.connected = true;
        long t0 = System.nanoTime();
        sender.connected();
        add(11, 12);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            double elapsed = (System.nanoTime() - t0) / 1e9;
            // one message per 50 ms at most (plus the first at once); checked on every poll
            assertThat(uplink.seen().stream().filter(i -> i <= 10).count()).isLessThanOrEqualTo(2 + (long) (elapsed * 20));
            return outbox.size() == 0;
        });
        assertThat(uplink.seen()).containsExactlyElementsOf(range(1, 12));
        assertThat(counters.replayed.get()).isEqualTo(10);
    }

    @Test
    void sendsInOrderAndEmptiesTheOutboxOnAcknowledgement() {
        uplink.answer = b -> CompletableFuture.completedFuture(null);
        add(1, 50);
        startSender();
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
        assertThat(uplink.seen()).containsExactlyElementsOf(range(1, 50));
        assertThat(counters.acked.get()).isEqualTo(50);
    }

    @Test
    void waitsWhileDisconnectedAndKeepsEverything() {
        uplink.connected = false;
        uplink.answer = b -> CompletableFuture.completedFuture(null);
        startSender();
        add(1, 5);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> outbox.size() == 5);
        assertThat(uplink.seen()).isEmpty();
        uplink.connected = true;
        sender.connected();
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
        assertThat(uplink.seen()).containsExactlyElementsOf(range(1, 5));
    }

    @Test
    void afterAFailureResendsFromTheOldestUnacknowledged() {
        List<Integer> failOnce = new CopyOnWriteArrayList<>(List.of(3));
        uplink.answer = b -> failOnce.remove((Integer) (int) b[0])
                ? CompletableFuture.failedFuture(new UplinkException(UplinkException.Failure.UNAVAILABLE, "timeout"))
                : CompletableFuture.completedFuture(null);
        add(1, 6);
        startSender();
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
        List<Integer> seen = uplink.seen();
        assertThat(seen.subList(0, 3)).containsExactly(1, 2, 3);
        assertThat(seen.subList(seen.lastIndexOf(3), seen.size())).containsExactly(3, 4, 5, 6);
        assertThat(counters.failed.get()).isEqualTo(1);
    }

    @Test
    void aRejectedMessageIsCountedAndNotRetried() {
        uplink.answer = b -> b[0] == 2
                ? CompletableFuture.failedFuture(new UplinkException(UplinkException.Failure.REJECTED, "4.00"))
                : CompletableFuture.completedFuture(null);
        add(1, 4);
        startSender();
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
        assertThat(uplink.seen()).containsExactly(1, 2, 3, 4);
        assertThat(counters.rejected.get()).isEqualTo(1);
        assertThat(counters.acked.get()).isEqualTo(3);
    }

    @Test
    void neverMoreInFlightThanTheUplinkAllows() {
        List<CompletableFuture<Void>> open = new CopyOnWriteArrayList<>();
        uplink.window = 3;
        uplink.answer = b -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            open.add(f);
            return f;
        };
        add(1, 10);
        startSender();
        await().atMost(Duration.ofSeconds(2)).until(() -> open.size() == 3);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> open.size() == 3);
        open.get(0).complete(null);
        await().atMost(Duration.ofSeconds(2)).until(() -> open.size() == 4);
        assertThat(uplink.seen()).containsExactly(1, 2, 3, 4);
        open.forEach(f -> f.complete(null));
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            l.add(i);
        }
        return l;
    }

    static final class FakeUplink implements Uplink {
        volatile boolean connected = true;
        volatile int window = 4;
        volatile Function<byte[], CompletableFuture<Void>> answer;
        private final List<Integer> seen = new CopyOnWriteArrayList<>();

        List<Integer> seen() {
            return new ArrayList<>(seen);
        }

        @Override
        public void start(UplinkListener listener) {
        }

        @Override
        public CompletableFuture<Void> send(MessageKind kind, byte[] payload) {
            seen.add((int) payload[0]);
            return answer.apply(payload);
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public int maxInFlight() {
            return window;
        }

        @Override
        public long reconnects() {
            return 0;
        }

        @Override
        public String describe() {
            return "fake";
        }

        @Override
        public void close() {
        }
    }
}
