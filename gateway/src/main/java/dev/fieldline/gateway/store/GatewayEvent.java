package dev.fieldline.gateway.store;

import dev.fieldline.protocol.Severity;
import java.time.Instant;
import java.util.Map;

/**
 * An event the gateway raised itself, such as a stream insight (type {@code insight}).
 *
 * @param id the store's id (0 before it is stored)
 * @param deviceId the device it is about
 * @param type what kind of event, e.g. {@code insight}
 * @param name what it is about, e.g. the metric
 * @param message one line, e.g. an insight's summary
 * @param body the rest, JSON-serialisable (numbers, strings, booleans, lists, maps)
 * @param time the event time it refers to
 * @param createdAt when the gateway made it
 */
public record GatewayEvent(long id, String deviceId, String type, String name, Severity severity, String message,
        Map<String, Object> body, Instant time, Instant createdAt) {
    public GatewayEvent {
        if (deviceId == null || type == null || type.isEmpty() || name == null || severity == null || message == null
                || time == null || createdAt == null) {
            throw new IllegalArgumentException("deviceId, type, name, severity, message, time and createdAt are required");
        }
        body = Map.copyOf(body);
    }

    GatewayEvent withId(long storedId) {
        return new GatewayEvent(storedId, deviceId, type, name, severity, message, body, time, createdAt);
    }
}
