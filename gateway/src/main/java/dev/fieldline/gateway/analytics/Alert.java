package dev.fieldline.gateway.analytics;

import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.Severity;
import java.time.Instant;

/**
 * An alert a rule raised about one reading.
 *
 * @param rule which rule raised it, e.g. {@code threshold}
 * @param metric the reading's name
 * @param value the reading's value
 * @param threshold the limit it crossed
 * @param readingTime when the device took the reading
 * @param createdAt when the gateway raised the alert
 */
public record Alert(
        String deviceId,
        String rule,
        String metric,
        double value,
        double threshold,
        Severity severity,
        String message,
        Instant readingTime,
        Instant createdAt) {

    public Alert {
        DeviceIds.require(deviceId, "deviceId");
        if (rule == null || rule.isEmpty()) {
            throw new IllegalArgumentException("rule must not be empty");
        }
        if (metric == null || metric.isEmpty()) {
            throw new IllegalArgumentException("metric must not be empty");
        }
        if (severity == null || message == null || readingTime == null || createdAt == null) {
            throw new IllegalArgumentException("severity, message, readingTime and createdAt are required");
        }
    }
}
