package dev.fieldline.gateway.rules;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.protocol.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One declarative rule, as {@link RuleParser} reads it from the rules file or the REST API.
 *
 * @param id stable id, {@code [a-z0-9-]{1,64}}
 * @param name a human name ("" when not given)
 * @param enabled whether it is evaluated
 * @param devices device ids in scope; empty means every device
 * @param labels device labels that must all match ({@link DeviceLabels}); empty means no constraint
 * @param metrics metrics in scope; empty means every metric
 * @param when the condition
 * @param holdFor how long (event time) the condition must hold before the rule fires; zero fires at once
 * @param severity the severity its alerts get
 * @param actions what to do when it fires, in order
 */
public record Rule(
        String id,
        String name,
        boolean enabled,
        Set<String> devices,
        Map<String, String> labels,
        Set<String> metrics,
        Condition when,
        Duration holdFor,
        Severity severity,
        List<ActionSpec> actions) {

    public static final Pattern ID = Pattern.compile("[a-z0-9-]{1,64}");

    public Rule {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id must be 1-64 of a-z 0-9 -, was '" + id + "'");
        }
        devices = Set.copyOf(devices);
        labels = Map.copyOf(labels);
        metrics = Set.copyOf(metrics);
        actions = List.copyOf(actions);
        if (when == null || holdFor == null || severity == null || name == null) {
            throw new IllegalArgumentException("name, when, holdFor and severity are required");
        }
        if (holdFor.isNegative()) {
            throw new IllegalArgumentException("holdFor must not be negative, was " + holdFor);
        }
    }

    /** The same rule, enabled or not. */
    public Rule withEnabled(boolean on) {
        return new Rule(id, name, on, devices, labels, metrics, when, holdFor, severity, actions);
    }

    /** True if the stream is in the rule's scope (labels looked up only when the rule has any). */
    public boolean covers(StreamKey key, DeviceLabels deviceLabels) {
        if (!devices.isEmpty() && !devices.contains(key.deviceId())) {
            return false;
        }
        if (!metrics.isEmpty() && !metrics.contains(key.metric())) {
            return false;
        }
        if (labels.isEmpty()) {
            return true;
        }
        Map<String, String> has = deviceLabels.of(key.deviceId());
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!e.getValue().equals(has.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The condition as text, with its duration: {@code value > 75 for 30s}. */
    public String conditionText() {
        return when.text() + (holdFor.isZero() ? "" : " for " + dev.fieldline.config.ConfigNode.text(holdFor));
    }
}
