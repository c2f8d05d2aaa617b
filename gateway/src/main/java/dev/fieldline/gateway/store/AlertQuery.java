package dev.fieldline.gateway.store;

import dev.fieldline.gateway.analytics.AlertState;
import java.util.Optional;

/** Which alerts to return, newest first. */
public record AlertQuery(Optional<String> deviceId, Optional<AlertState> state, int limit) {
    public AlertQuery {
        if (limit < 1 || limit > ReadingQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1-" + ReadingQuery.MAX_LIMIT + ", was " + limit);
        }
    }
}
