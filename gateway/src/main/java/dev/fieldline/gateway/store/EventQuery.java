package dev.fieldline.gateway.store;

import java.util.Optional;

/**
 * Which device events to return, newest first.
 *
 * @param deviceId only this device's
 * @param type only events of this type (e.g. {@code inference})
 * @param name only events about this (e.g. a model's name)
 * @param limit at most this many
 */
public record EventQuery(Optional<String> deviceId, Optional<String> type, Optional<String> name, int limit) {
    public EventQuery {
        if (limit < 1 || limit > ReadingQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1-" + ReadingQuery.MAX_LIMIT + ", was " + limit);
        }
    }
}
