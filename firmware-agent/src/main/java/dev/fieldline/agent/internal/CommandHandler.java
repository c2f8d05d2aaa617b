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
 * Executes downlink commands: {@code led {on: bool}} (the board's first LED),
 * {@code output {name: text, on: bool}} (any LED or relay of the board profile) and
 * {@code interval {seconds: 0.1..3600}}.
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

    /**
     * An output a command may switch.
     *
     * @param driver {@code led} or {@code relay}
     */
    public record Switch(String driver, java.util.function.Supplier<Boolean> isOn, Consumer<Boolean> set) {
    }

    private final Map<String, Switch> outputs;
    private final Consumer<Duration> setInterval;
    private final Map<String, Boolean> recent = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };

    /** A board with at most one LED and no other outputs. */
    public CommandHandler(Optional<Led> led, Consumer<Duration> setInterval) {
        this(led.map(l -> Map.of("led", new Switch("led", l::isOn, l::set))).orElse(Map.of()), setInterval);
    }

    /** The board's outputs by name, in profile order. */
    public CommandHandler(Map<String, Switch> outputs, Consumer<Duration> setInterval) {
        this.outputs = new LinkedHashMap<>(outputs);
        this.setInterval = setInterval;
    }

    /** Executes a command; empty if its id was seen recently (already executed and answered). */
    public Optional<Outcome> handle(Command c) {
        if (!firstTime(c)) {
            return Optional.empty();
        }
        return Optional.of(execute(c));
    }

    /**
     * True the first time a command id is seen (recently), and remembers it: for commands the agent
     * runs elsewhere and answers later ({@code model}).
     */
    public boolean firstTime(Command c) {
        if (recent.containsKey(c.id())) {
            return false;
        }
        recent.put(c.id(), Boolean.TRUE);
        return true;
    }

    private Outcome execute(Command c) {
        return switch (c.name()) {
            case "led" -> led(c.args());
            case "output" -> output(c.args());
            case "interval" -> interval(c.args());
            default -> new Outcome(false, "unknown command '" + c.name() + "'; known commands: interval, led, model, output");
        };
    }

    private Outcome led(Map<String, Value> args) {
        Optional<Switch> led = outputs.values().stream().filter(o -> o.driver().equals("led")).findFirst();
        if (led.isEmpty()) {
            return new Outcome(false, "this board has no LED");
        }
        if (!(args.get("on") instanceof Value.Bool on) || args.size() != 1) {
            return new Outcome(false, "led needs exactly one argument: on (boolean)");
        }
        return set(led.get(), "led", "led", on.value());
    }

    private Outcome output(Map<String, Value> args) {
        if (!(args.get("name") instanceof Value.Text name) || !(args.get("on") instanceof Value.Bool on) || args.size() != 2) {
            return new Outcome(false, "output needs exactly two arguments: name (text) and on (boolean)");
        }
        Switch s = outputs.get(name.value());
        if (s == null) {
            return new Outcome(false, "no output '" + name.value() + "' on this board; outputs: "
                    + (outputs.isEmpty() ? "none" : String.join(", ", outputs.keySet())));
        }
        return set(s, name.value(), s.driver() + " " + name.value(), on.value());
    }

    private static Outcome set(Switch s, String name, String label, boolean on) {
        try {
            s.set().accept(on);
        } catch (dev.fieldline.agent.hal.HalException e) {
            return new Outcome(false, s.driver() + " " + name + " could not be switched (" + e.reason().name().toLowerCase(
                    java.util.Locale.ROOT) + "): " + e.getMessage());
        }
        return new Outcome(true, label + " " + (on ? "on" : "off"));
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
