package dev.fieldline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.agent.driver.Led;
import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CommandHandlerTest {
    private final boolean[] line = new boolean[1];
    private final Led led = new Led(new DigitalOutput() {
        @Override
        public void write(boolean high) {
            line[0] = high;
        }

        @Override
        public boolean state() {
            return line[0];
        }
    });
    private final AtomicReference<Duration> interval = new AtomicReference<>();
    private final CommandHandler handler = new CommandHandler(Optional.of(led), interval::set);

    private static Command cmd(String id, String name, Map<String, Value> args) {
        return new Command(id, name, args, Instant.EPOCH);
    }

    @Test
    void ledSwitchesTheOutput() {
        assertThat(handler.handle(cmd("c1", "led", Map.of("on", Value.of(true)))))
                .contains(new CommandHandler.Outcome(true, "led on"));
        assertThat(line[0]).isTrue();
        assertThat(handler.handle(cmd("c2", "led", Map.of("on", Value.of(false))))).get()
                .extracting(CommandHandler.Outcome::ok).isEqualTo(true);
        assertThat(line[0]).isFalse();
    }

    @Test
    void intervalChangesTheSamplingInterval() {
        assertThat(handler.handle(cmd("c1", "interval", Map.of("seconds", Value.of(2.5))))).get()
                .extracting(CommandHandler.Outcome::ok).isEqualTo(true);
        assertThat(interval.get()).isEqualTo(Duration.ofMillis(2500));
        assertThat(handler.handle(cmd("c2", "interval", Map.of("seconds", Value.of(0.1))))).get()
                .extracting(CommandHandler.Outcome::ok).isEqualTo(true);
        assertThat(interval.get()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void badArgumentsAndUnknownCommandsFailWithAMessageAndChangeNothing() {
        line[0] = false;
        assertThat(handler.handle(cmd("a", "led", Map.of("on", Value.of("yes"))))).get()
                .satisfies(o -> {
                    assertThat(o.ok()).isFalse();
                    assertThat(o.message()).contains("on (boolean)");
                });
        assertThat(handler.handle(cmd("b", "led", Map.of()))).get().extracting(CommandHandler.Outcome::ok).isEqualTo(false);
        assertThat(handler.handle(cmd("c", "interval", Map.of("seconds", Value.of(0.05))))).get()
                .satisfies(o -> {
                    assertThat(o.ok()).isFalse();
                    assertThat(o.message()).contains("between 0.1 and 3600");
                });
        assertThat(handler.handle(cmd("d", "interval", Map.of("seconds", Value.of(3601))))).get()
                .extracting(CommandHandler.Outcome::ok).isEqualTo(false);
        assertThat(handler.handle(cmd("e", "reboot", Map.of()))).get()
                .satisfies(o -> {
                    assertThat(o.ok()).isFalse();
                    assertThat(o.message()).isEqualTo("unknown command 'reboot'; known commands: interval, led, model, output");
                });
        assertThat(line[0]).isFalse();
        assertThat(interval.get()).isNull();
    }

    @Test
    void aRepeatedCommandIdIsNotExecutedTwice() {
        assertThat(handler.handle(cmd("same", "led", Map.of("on", Value.of(true))))).isPresent();
        line[0] = false;
        assertThat(handler.handle(cmd("same", "led", Map.of("on", Value.of(true))))).isEmpty();
        assertThat(line[0]).isFalse();
    }

    @Test
    void aBoardWithoutLedSaysSo() {
        CommandHandler noLed = new CommandHandler(Optional.empty(), interval::set);
        assertThat(noLed.handle(cmd("x", "led", Map.of("on", Value.of(true))))).get()
                .isEqualTo(new CommandHandler.Outcome(false, "this board has no LED"));
    }
}
