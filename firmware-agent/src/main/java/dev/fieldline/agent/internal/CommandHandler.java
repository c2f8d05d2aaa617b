package dev.fieldline.agent.internal;

import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.driver.Led;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.Value;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Executes downlink commands: {@code led {on: bool}} and {@code interval {seconds: 0.1..3600}}.
 * Unknown commands and bad arguments give a failed outcome with a message. Commands are
 * idempotent by id: a repeated id (MQTT redelivery, a repeated Observe notification) is not
 * executed again. Not thread-safe: run it on the agent's core thread.
 */
public final class CommandHandler {
    /** How many recent command ids are remembered for de-duplication. */
    public static final int REMEMBERED_IDS = 128;

    /** What a command did: success and a message for the result. */
    public record Outcome(boolean ok, String message) {
    }

    private final Optional<Led> led;
    private final Consumer<Duration> setInterval;
    private final Map<String, Boolean> recent = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };

    public CommandHandler(Optional<Led> led, Consumer<Duration> setInterval) {
        this.led = led;
        this.setInterval = setInterval;
    }

    /** Executes a command; empty if its id was seen recently (already executed and answered). */
    public Optional<Outcome> handle(Command c) {
        if (recent.containsKey(c.id())) {
            return Optional.empty();
        }
        recent.put(c.id(), Boolean.TRUE);
        return Optional.of(execute(c));
    }

    private Outcome execute(Command c) {
        return switch (c.name()) {
            case "led" -> led(c.args());
            case "interval" -> interval(c.args());
            default -> new Outcome(false, "unknown command '" + c.name() + "'; known commands: interval, led");
        };
    }

    private Outcome led(Map<String, Value> args) {
        if (led.isEmpty()) {
            return new Outcome(false, "this board has no LED");
        }
        if (!(args.get("on") instanceof Value.Bool on) || args.size() != 1) {
            return new Outcome(false, "led needs exactly one argument: on (boolean)");
        }
        led.get().set(on.value());
        return new Outcome(true, "led " + (on.value() ? "on" : "off"));
    }

    private Outcome interval(Map<String, Value> args) {
        if (!(args.get("seconds") instanceof Value.Num n) || args.size() != 1) {
            return new Outcome(false, "interval needs exactly one argument: seconds (number, 0.1..3600)");
        }
        double s = n.value();
        if (!(s >= 0.1 && s <= 3600)) {
            return new Outcome(false, "seconds must be between 0.1 and 3600, was " + s);
        }
        Duration d = AgentConfig.checkSamplingInterval(Duration.ofNanos(Math.round(s * 1e9)));
        setInterval.accept(d);
        return new Outcome(true, "sampling interval " + s + " s");
    }
}
