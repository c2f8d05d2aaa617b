package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.ActionRunner;
import dev.fieldline.gateway.rules.ActionSpec;
import dev.fieldline.gateway.rules.RuleFiring;
import dev.fieldline.gateway.store.TelemetryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's rule actions: {@code alert}, {@code command}, {@code webhook} and {@code forward}
 * (see each action class). Runs on the rule engine's thread and never blocks it: stores are
 * asynchronous, webhooks and the cloud have their own threads and bounded queues.
 *
 * <p>Every failed action, whether refused at once or failed later (store refused, device command not
 * stored, webhook out of retries, cloud outbox full), counts {@code rule_failed_total{rule}} (the
 * rule's id) and {@code actions_failed_total{type}}; each run counts {@code actions_run_total{type}}. A rule's
 * failures are logged at WARN at most once a minute, the rest at DEBUG.
 */
public final class GatewayActions implements ActionRunner, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayActions.class);
    /** A rule's action failures are logged at WARN at most once per this interval (a flood of firings must not flood the log). */
    static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

    private final Metrics metrics;
    private final Map<String, Action> actions = new LinkedHashMap<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    /** When each rule last had a failure logged at WARN (System.nanoTime). */
    private final ConcurrentHashMap<String, Long> lastWarning = new ConcurrentHashMap<>();

    private GatewayActions(Metrics metrics, List<Action> available) {
        this.metrics = metrics;
        for (Action a : available) {
            actions.put(a.type(), a);
            if (a instanceof AutoCloseable c) {
                owned.add(c);
            }
        }
    }

    static GatewayActions of(Metrics metrics, List<Action> available) {
        return new GatewayActions(metrics, available);
    }

    /** The actions over the gateway's store (alerts) and command hub (commands), counting in {@code metrics}. */
    public static GatewayActionsBuilder builder(TelemetryStore store, DefaultDownlink downlink, Metrics metrics) {
        return new GatewayActionsBuilder(store, downlink, metrics);
    }

    @Override
    public Set<String> types() {
        return Set.copyOf(actions.keySet());
    }

    @Override
    public List<String> validate(ActionSpec spec) {
        Action a = actions.get(spec.type());
        if (a == null) {
            return List.of("unknown action type '" + spec.type() + "' (known: " + String.join(", ", actions.keySet()) + ")");
        }
        return a.validate(spec.settings());
    }

    @Override
    public void fired(List<ActionSpec> specs, RuleFiring firing) {
        run(specs, firing, "fired", Action::fired);
    }

    @Override
    public void cleared(List<ActionSpec> specs, RuleFiring firing) {
        run(specs, firing, "cleared", Action::cleared);
    }

    private void run(List<ActionSpec> specs, RuleFiring firing, String event,
            TriFunction<Action, Map<String, Object>, RuleFiring, CompletableFuture<?>> step) {
        for (ActionSpec spec : specs) {
            Action a = actions.get(spec.type());
            if (a == null) {
                failed(spec, firing, event, new IllegalArgumentException("unknown action type '" + spec.type() + "'"));
                continue;
            }
            metrics.increment("actions_run_total", "type", spec.type());
            CompletableFuture<?> done;
            try {
                done = step.apply(a, spec.settings(), firing);
            } catch (RuntimeException e) {
                failed(spec, firing, event, e);
                continue;
            }
            done.whenComplete((r, e) -> {
                if (e != null) {
                    failed(spec, firing, event, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                }
            });
        }
    }

    private void failed(ActionSpec spec, RuleFiring firing, String event, Throwable e) {
        metrics.increment("rule_failed_total", "rule", firing.ruleId());
        metrics.increment("actions_failed_total", "type", spec.type());
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        long now = System.nanoTime();
        Long last = lastWarning.get(firing.ruleId());
        if ((last == null || now - last >= WARNING_INTERVAL.toNanos())
                && (last == null ? lastWarning.putIfAbsent(firing.ruleId(), now) == null : lastWarning.replace(firing.ruleId(), last, now))) {
            log.warn("rule {}: {} action on {} {} ({}) failed: {} (further failures of this rule within {} s are only counted"
                    + " and logged at DEBUG)", firing.ruleId(), spec.type(), firing.deviceId(), firing.metric(), event, why,
                    WARNING_INTERVAL.toSeconds());
        } else {
            log.debug("rule {}: {} action on {} {} ({}) failed: {}", firing.ruleId(), spec.type(), firing.deviceId(),
                    firing.metric(), event, why);
        }
    }

    /** Stops the webhook threads; deliveries still waiting fail. */
    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @FunctionalInterface
    private interface TriFunction<A, B, C, R> {
        R apply(A a, B b, C c);
    }
}
