package dev.fieldline.gateway.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Which readings to return, newest first.
 *
 * @param from inclusive lower bound on the reading time
 * @param to exclusive upper bound on the reading time
 * @param limit most rows returned, 1 to {@link #MAX_LIMIT}
 */
public record ReadingQuery(
        Optional<String> deviceId, Optional<String> metric, Optional<Instant> from, Optional<Instant> to, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 10_000;

    public ReadingQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT + ", was " + limit);
        }
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw new IllegalArgumentException("from must be before to");
        }
    }

    public static ReadingQuery latest(int limit) {
        return new ReadingQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), limit);
    }

    public ReadingQuery withDevice(String id) {
        return new ReadingQuery(Optional.of(id), metric, from, to, limit);
    }

    public ReadingQuery withMetric(String name) {
        return new ReadingQuery(deviceId, Optional.of(name), from, to, limit);
    }

    public ReadingQuery between(Instant fromInclusive, Instant toExclusive) {
        return new ReadingQuery(deviceId, metric, Optional.of(fromInclusive), Optional.of(toExclusive), limit);
    }
}
