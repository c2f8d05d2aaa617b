package dev.fieldline.agent.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryOutboxTest {

    @Test
    void dropsTheOldestWhenFullAndCountsIt() {
        InMemoryOutbox o = new InMemoryOutbox(3);
        AtomicInteger adds = new AtomicInteger();
        o.onAdd(adds::incrementAndGet);
        for (int i = 1; i <= 5; i++) {
            o.add(MessageKind.TELEMETRY, new Sequence(1, i), new byte[] {(byte) i});
        }
        assertThat(o.size()).isEqualTo(3);
        assertThat(o.dropped()).isEqualTo(2);
        assertThat(adds).hasValue(5);
        OutboxEntry head = o.after(0).orElseThrow();
        assertThat(head.sequence().seq()).isEqualTo(3);
        assertThat(o.after(head.position()).orElseThrow().sequence().seq()).isEqualTo(4);
    }

    @Test
    void removesByPositionAnywhereAndOnlyOnce() {
        InMemoryOutbox o = new InMemoryOutbox(10);
        OutboxEntry a = o.add(MessageKind.TELEMETRY, new Sequence(1, 1), new byte[0]);
        OutboxEntry b = o.add(MessageKind.TELEMETRY, new Sequence(1, 2), new byte[0]);
        OutboxEntry c = o.add(MessageKind.COMMAND_RESULT, new Sequence(1, 3), new byte[0]);
        assertThat(o.remove(b)).isTrue();
        assertThat(o.remove(b)).isFalse();
        assertThat(o.after(a.position())).contains(c);
        assertThat(o.remove(a)).isTrue();
        assertThat(o.after(0)).contains(c);
        assertThat(o.size()).isEqualTo(1);
    }
}
