package dev.fieldline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.internal.SenderTest.FakeUplink;
import dev.fieldline.agent.journal.JournalConfig;
import dev.fieldline.agent.journal.TelemetryJournal;
import dev.fieldline.agent.outbox.OutboxEntry;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.protocol.Ack;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ack-message mode: the broker's acknowledgement frees a slot, only the gateway's ack removes. */
class SenderAckTest {
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
        uplink.answer = b -> CompletableFuture.completedFuture(null);
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.close();
        }
        outbox.close();
    }

    private void add(long boot, int... seqs) {
        for (int seq : seqs) {
            outbox.add(MessageKind.TELEMETRY, new Sequence(boot, seq), new byte[] {(byte) seq});
        }
    }

    private static int[] seqs(int from, int to) {
        return IntStream.rangeClosed(from, to).toArray();
    }

    private void startSender(Duration timeout, int window) {
        sender = Sender.awaitingAcks("dev-1", outbox, uplink, FAST, 1_000_000, counters, timeout, window);
        sender.start();
    }

    /** Sequence numbers still in the journal, oldest first. */
    private List<Long> held() {
        List<Long> out = new ArrayList<>();
        long p = 0;
        Optional<OutboxEntry> e;
        while ((e = outbox.after(p)).isPresent()) {
            out.add(e.get().sequence().seq());
            p = e.get().position();
        }
        return out;
    }

    private static Ack ack(long boot, long watermark, long... ranges) {
        List<Ack.Range> r = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            r.add(new Ack.Range(ranges[i], ranges[i + 1]));
        }
        return new Ack("dev-1", boot, watermark, r);
    }

    @Test
    void theTransportAcknowledgementRemovesNothingOnlyTheGatewaysAckDoes() {
        add(1, seqs(1, 10));
        startSender(Duration.ofSeconds(30), 100);
        await().until(() -> uplink.seen().size() == 10 && sender.inFlight() == 0);
        assertThat(outbox.size()).isEqualTo(10);
        assertThat(sender.awaitingAck()).isEqualTo(10);

        sender.acked(ack(1, 4, 6, 7));

        assertThat(held()).containsExactly(5L, 8L, 9L, 10L);
        assertThat(sender.awaitingAck()).isEqualTo(4);
        assertThat(counters.acked.get()).isEqualTo(6);
        assertThat(counters.acksReceived.get()).isEqualTo(1);
        sender.acked(ack(2, 10));
        assertThat(held()).as("an ack for another boot covers nothing here").hasSize(4);
        sender.acked(ack(1, 4, 6, 7));
        assertThat(counters.acked.get()).as("a repeated ack removes nothing twice").isEqualTo(6);
        sender.acked(ack(1, 10));
        assertThat(outbox.size()).isZero();
        assertThat(uplink.seen()).containsExactlyElementsOf(IntStream.rangeClosed(1, 10).boxed().toList());
        assertThat(counters.resent.get()).isZero();
    }

    @Test
    void aPermanentGapDoesNotHoldBackWhatFollowsIt() {
        add(3, 1, 2, 3, 6, 7, 8); // 4 and 5 were dropped by the overflow policy and never sent
        startSender(Duration.ofSeconds(30), 100);
        await().until(() -> uplink.seen().size() == 6 && sender.inFlight() == 0);

        sender.acked(ack(3, 3, 6, 8));

        assertThat(outbox.size()).isZero();
        assertThat(sender.awaitingAck()).isZero();
    }

    @Test
    void theUnackedWindowIsBoundedAndAnAckOpensIt() {
        add(1, seqs(1, 20));
        startSender(Duration.ofSeconds(30), 5);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> uplink.seen().size() == 5 && sender.awaitingAck() == 5);
        assertThat(uplink.seen()).containsExactly(1, 2, 3, 4, 5);

        sender.acked(ack(1, 3));

        await().until(() -> uplink.seen().size() == 8);
        assertThat(uplink.seen()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(outbox.size()).isEqualTo(17);
    }

    @Test
    void anEntryNotAckedWithinTheTimeoutIsSentAgainInOrderUntilAnAckCoversIt() {
        add(1, seqs(1, 5));
        startSender(Duration.ofMillis(200), 100);
        await().atMost(Duration.ofSeconds(5)).until(() -> uplink.seen().size() >= 10);
        assertThat(uplink.seen().subList(0, 10)).containsExactly(1, 2, 3, 4, 5, 1, 2, 3, 4, 5);
        assertThat(counters.resent.get()).isGreaterThanOrEqualTo(5);
        assertThat(counters.ackTimeouts.get()).isGreaterThanOrEqualTo(1);
        assertThat(outbox.size()).isEqualTo(5);

        sender.acked(ack(1, 5));

        assertThat(outbox.size()).isZero();
        int sends = uplink.seen().size();
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> uplink.seen().size() == sends);
    }

    @Test
    void anAckThatOvertakesTheBrokersAcknowledgementStillCounts() {
        List<CompletableFuture<Void>> pubacks = new CopyOnWriteArrayList<>();
        uplink.answer = b -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            pubacks.add(f);
            return f;
        };
        add(1, seqs(1, 3));
        startSender(Duration.ofSeconds(30), 100);
        await().until(() -> pubacks.size() == 3);

        sender.acked(ack(1, 3));
        assertThat(outbox.size()).isZero();
        pubacks.forEach(f -> f.complete(null));

        await().until(() -> sender.inFlight() == 0);
        assertThat(counters.acked.get()).isEqualTo(3);
        assertThat(sender.awaitingAck()).isZero();
    }

    @Test
    void badArgumentsAreRefusedByName() {
        assertThatThrownBy(() -> Sender.awaitingAcks("dev-1", outbox, uplink, FAST, 1, counters, Duration.ZERO, 1))
                .hasMessageContaining("ackTimeout");
        assertThatThrownBy(() -> Sender.awaitingAcks("dev-1", outbox, uplink, FAST, 1, counters, Duration.ofSeconds(1), 0))
                .hasMessageContaining("ackWindow");
    }
}
