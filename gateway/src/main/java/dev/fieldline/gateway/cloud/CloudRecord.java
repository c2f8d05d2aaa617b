package dev.fieldline.gateway.cloud;

import java.time.Instant;
import java.util.Map;

/**
 * One item selected for the cloud.
 *
 * @param kind {@code reading}, {@code anomaly}, {@code aggregate}, {@code alert} or {@code insight}
 * @param id stable identity of the item, so a receiver can drop a copy it already has (e.g.
 *     {@code reading/dev-1/3f2a.../17/temperature}); the same item offered twice has the same id
 * @param deviceId the device it is about
 * @param time its event time
 * @param body the item's fields, JSON-serialisable (numbers, strings, booleans, lists, maps)
 */
public record CloudRecord(String kind, String id, String deviceId, Instant time, Map<String, Object> body) {
    public CloudRecord {
        if (kind == null || kind.isEmpty() || id == null || id.isEmpty() || deviceId == null || time == null) {
            throw new IllegalArgumentException("kind, id, deviceId and time are required");
        }
        body = Map.copyOf(body);
    }
}
