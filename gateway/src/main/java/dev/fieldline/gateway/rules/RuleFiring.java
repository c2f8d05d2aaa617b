package dev.fieldline.gateway.rules;

import dev.fieldline.protocol.Severity;
import java.time.Instant;
import java.util.Map;

/**
 * A rule's condition became true (or, for {@link ActionRunner#cleared}, stopped being true) on one
 * stream. Actions receive it.
 *
 * @param ruleId the rule's stable id
 * @param ruleName the rule's name as written
 * @param deviceId the device the stream belongs to
 * @param metric the stream's metric
 * @param value the reading that completed the condition (the quantity the condition tested, e.g. an
 *     anomaly score, is {@code details.subject}; a numeric comparison's limit {@code details.threshold})
 * @param condition the condition as text, e.g. {@code temperature > 75 for 30s}
 * @param severity severity the rule gives its alerts
 * @param eventTime the event time of the sample that completed the condition
 * @param firedAt when the gateway decided
 * @param details what else the rule saw (anomaly score, trend, statistics), for messages and payloads
 */
public record RuleFiring(
        String ruleId,
        String ruleName,
        String deviceId,
        String metric,
        double value,
        String condition,
        Severity severity,
        Instant eventTime,
        Instant firedAt,
        Map<String, Object> details) {
    public RuleFiring {
        details = Map.copyOf(details);
    }

    /** The deduplication identity: one open alert per rule and stream. */
    public String dedupKey() {
        return ruleId + "/" + deviceId + "/" + metric;
    }
}
