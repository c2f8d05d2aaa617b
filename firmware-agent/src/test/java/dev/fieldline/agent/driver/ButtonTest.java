package dev.fieldline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.agent.hal.DigitalInput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ButtonTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final FakeInput line = new FakeInput();

    private void at(long millis, boolean level) {
        now = Instant.parse("2026-01-01T00:00:00Z").plusMillis(millis);
        line.set(level, now);
    }

    @Test
    void bounceCountsAsOnePressAndSettlesToTheFinalLevel() {
        Button b = new Button(line, false, Duration.ofMillis(20), () -> now);
        at(100, true);   // accepted press
        at(102, false);  // bounce, ignored
        at(104, true);   // bounce, ignored
        at(106, false);  // bounce ends released
        assertThat(b.presses()).isEqualTo(1);
        assertThat(b.isPressed()).isTrue();
        now = now.plusMillis(30);
        assertThat(b.poll()).isTrue();      // latched press since the last poll
        assertThat(b.isPressed()).isFalse(); // settled to the quiet level
        assertThat(b.poll()).isFalse();
    }

    @Test
    void activeLowInvertsAndShortPressesAreLatched() {
        line.level = true;
        Button b = new Button(line, true, Duration.ofMillis(20), () -> now);
        assertThat(b.isPressed()).isFalse();
        at(100, false);
        at(150, true);
        assertThat(b.isPressed()).isFalse();
        assertThat(b.poll()).isTrue();
        assertThat(b.poll()).isFalse();
        assertThat(b.presses()).isEqualTo(1);
        b.close();
        assertThat(line.listeners).isEmpty();
    }

    static final class FakeInput implements DigitalInput {
        boolean level;
        final List<Listener> listeners = new ArrayList<>();

        void set(boolean l, Instant at) {
            level = l;
            listeners.forEach(x -> x.changed(l, at));
        }

        @Override
        public boolean read() {
            return level;
        }

        @Override
        public void addListener(Listener listener) {
            listeners.add(listener);
        }

        @Override
        public void removeListener(Listener listener) {
            listeners.remove(listener);
        }
    }
}
