package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.RuleFiring;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.Value;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code command {name, args?}}: sends a command to the firing's device through the command hub
 * ({@link DefaultDownlink}: stored, delivered over MQTT or CoAP when the device is reachable, settled by
 * the device's result), e.g. {@code {name: led, args: {on: true}}}. Arguments are numbers, booleans or
 * text. At most once per firing: the same firing handed over again (same rule, stream and event time)
 * sends nothing (counted in {@code actions_skipped_total{type}}); a command that could not be stored
 * is not retried.
 */
final class CommandAction implements Action {
    static final String TYPE = "command";
    /** Firings remembered for the once-per-firing check (oldest forgotten first). */
    static final int REMEMBERED_FIRINGS = 10_000;
    private static final Set<String> KNOWN = Set.of("name", "args");

    private record Settings(String name, Map<String, Value> args) {
    }

    private final DefaultDownlink downlink;
    private final Metrics metrics;
    private final Set<String> sent = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_FIRINGS;
        }
    }));

    CommandAction(DefaultDownlink downlink, Metrics metrics) {
        this.downlink = downlink;
        this.metrics = metrics;
    }

    @Override
    public String type() {
        return TYPE;
    }

    private static Settings parse(ActionSettings s) {
        String name = s.requiredText("name", 64).orElse("");
        Map<String, Value> args = new LinkedHashMap<>();
        s.map("args").forEach((k, v) -> {
            if (v instanceof Boolean b) {
                args.put(k, new Value.Bool(b));
            } else if (v instanceof Number n) {
                args.put(k, new Value.Num(n.doubleValue()));
            } else if (v instanceof String t) {
                args.put(k, new Value.Text(t));
            } else {
                s.problem("args." + k, "must be a number, a boolean or text, was " + ActionSettings.describe(v));
            }
        });
        if (!name.isEmpty()) {
            try {
                new Command("check", name, args, Instant.EPOCH); // the protocol's own rules for names and arguments
            } catch (IllegalArgumentException e) {
                s.problem("name", "is refused by the protocol: " + e.getMessage());
            }
        }
        return new Settings(name, args);
    }

    @Override
    public List<String> validate(Map<String, Object> settings) {
        return ActionSettings.check(TYPE, KNOWN, settings, CommandAction::parse);
    }

    @Override
    public CompletableFuture<?> fired(Map<String, Object> settings, RuleFiring firing) {
        Settings c = ActionSettings.read(TYPE, KNOWN, settings, CommandAction::parse);
        if (!sent.add(FiringView.id(firing) + "#" + c.name() + c.args())) {
            metrics.increment("actions_skipped_total", "type", TYPE);
            return CompletableFuture.completedFuture(null);
        }
        return downlink.submit(firing.deviceId(), c.name(), c.args());
    }
}
