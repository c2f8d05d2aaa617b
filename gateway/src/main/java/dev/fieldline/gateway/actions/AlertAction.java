package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.RuleFiring;
import dev.fieldline.gateway.store.TelemetryStore;
import dev.fieldline.protocol.Severity;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code alert {severity?, resolve?: auto|manual, message?}}: raises an alert deduplicated by the
 * firing's {@link RuleFiring#dedupKey()}. While that key's alert is open or acknowledged a new firing
 * only bumps its count and last-seen time; with {@code resolve: auto} (the default) the rule's
 * condition clearing resolves it (by {@code rule}), with {@code manual} only an operator does.
 *
 * <p>The alert's rule is the rule's id, its threshold the firing's {@code details.threshold} when
 * the rule gives one (else 0), its reading time the firing's event time. Counts
 * {@code alerts_raised_total{rule,severity}} for a new alert, {@code alerts_repeated_total{rule}}
 * for a bump and {@code alerts_resolved_total{rule}} for an automatic resolve.
 */
final class AlertAction implements Action {
    static final String TYPE = "alert";
    /** Who resolves an alert when its rule's condition clears. */
    static final String RULE_RESOLVER = "rule";
    private static final Logger log = LoggerFactory.getLogger(AlertAction.class);
    private static final Set<String> KNOWN = Set.of("severity", "resolve", "message");
    private static final List<String> SEVERITIES = Arrays.stream(Severity.values()).map(Severity::code).toList();

    private record Settings(Severity severity, boolean autoResolve, MessageTemplate message) {
    }

    private final TelemetryStore store;
    private final Metrics metrics;

    AlertAction(TelemetryStore store, Metrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public String type() {
        return TYPE;
    }

    private static Settings parse(ActionSettings s, Severity ruleSeverity) {
        String severity = s.choice("severity", SEVERITIES, ruleSeverity.code());
        boolean auto = s.choice("resolve", List.of("auto", "manual"), "auto").equals("auto");
        MessageTemplate message = MessageTemplate.DEFAULT;
        var text = s.text("message", MessageTemplate.MAX_LENGTH);
        if (text.isPresent()) {
            List<String> problems = MessageTemplate.problems(text.get());
            problems.forEach(p -> s.problem("message", p));
            if (problems.isEmpty()) {
                message = MessageTemplate.of(text.get());
            }
        }
        return new Settings(Severity.fromCode(severity).orElse(ruleSeverity), auto, message);
    }

    @Override
    public List<String> validate(Map<String, Object> settings) {
        return ActionSettings.check(TYPE, KNOWN, settings, s -> parse(s, Severity.WARNING));
    }

    @Override
    public CompletableFuture<?> fired(Map<String, Object> settings, RuleFiring f) {
        Settings a = ActionSettings.read(TYPE, KNOWN, settings, s -> parse(s, f.severity()));
        Object threshold = f.details().get("threshold");
        Alert alert = new Alert(f.deviceId(), f.ruleId(), f.metric(), f.value(),
                threshold instanceof Number n ? n.doubleValue() : 0, a.severity(), a.message().render(f), f.eventTime(), f.firedAt());
        return store.raise(alert, f.dedupKey()).thenAccept(stored -> {
            if (stored.count() == 1) {
                metrics.increment("alerts_raised_total", "rule", f.ruleId(), "severity", a.severity().code());
                log.debug("alert {} on {}: {}", stored.id(), f.deviceId(), alert.message());
            } else {
                metrics.increment("alerts_repeated_total", "rule", f.ruleId());
                log.debug("alert {} on {} repeated ({} firings)", stored.id(), f.deviceId(), stored.count());
            }
        });
    }

    @Override
    public CompletableFuture<?> cleared(Map<String, Object> settings, RuleFiring f) {
        if (!ActionSettings.read(TYPE, KNOWN, settings, s -> parse(s, f.severity())).autoResolve()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.resolveUnresolved(f.dedupKey(), f.firedAt(), RULE_RESOLVER).thenAccept(resolved -> resolved.ifPresent(r -> {
            metrics.increment("alerts_resolved_total", "rule", f.ruleId());
            log.debug("alert {} on {} resolved: the condition cleared", r.id(), f.deviceId());
        }));
    }
}
