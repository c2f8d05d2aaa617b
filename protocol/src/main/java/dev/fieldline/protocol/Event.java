package dev.fieldline.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A discrete occurrence on the device: an alert raised by an edge rule, an inference result, a
 * notice. Wire form: see docs/protocol.md ("event").
 *
 * @param type what kind of event, e.g. {@code alert}, {@code inference}, {@code notice}
 *     (a SenML-style name: letters, digits, {@code - : . / _})
 * @param name what it is about, e.g. the metric or model name
 * @param attributes small map of extra values (label, confidence, threshold, ...)
 */
public record Event(
        String deviceId,
        Sequence sequence,
        Instant time,
        String type,
        Severity severity,
        String name,
        String message,
        Map<String, Value> attributes) {

    public Event {
        DeviceIds.require(deviceId, "deviceId");
        if (type == null || name == null || message == null || severity == null || time == null || sequence == null) {
            throw new IllegalArgumentException("type, severity, name, message, time and sequence are required (message may be \"\")");
        }
        attributes = Map.copyOf(attributes);
    }
}
