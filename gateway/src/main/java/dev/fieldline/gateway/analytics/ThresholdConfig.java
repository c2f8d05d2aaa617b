package dev.fieldline.gateway.analytics;

import dev.fieldline.protocol.Severity;
import java.util.Set;

/**
 * The threshold rule's settings.
 *
 * @param threshold a numeric reading strictly above this raises an alert
 * @param metrics metric names the rule watches; empty means every metric
 * @param severity severity of the alerts raised
 */
public record ThresholdConfig(double threshold, Set<String> metrics, Severity severity) {
    /** The seed's rule: any metric above 75 raises a warning. */
    public static final ThresholdConfig DEFAULT = new ThresholdConfig(75, Set.of(), Severity.WARNING);

    public ThresholdConfig {
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite, was " + threshold);
        }
        metrics = Set.copyOf(metrics);
        if (severity == null) {
            throw new IllegalArgumentException("severity must not be null");
        }
    }

    public boolean watches(String metric) {
        return metrics.isEmpty() || metrics.contains(metric);
    }

    public ThresholdConfig withThreshold(double value) {
        return new ThresholdConfig(value, metrics, severity);
    }

    public ThresholdConfig withMetrics(Set<String> names) {
        return new ThresholdConfig(threshold, names, severity);
    }
}
