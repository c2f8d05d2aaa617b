package dev.fieldline.gateway.http;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client key (the client's IP address): {@code burst} requests at once, then one
 * more every {@code refill}. Bounded: beyond {@code maxClients} keys, buckets that have refilled
 * completely are forgotten (a full bucket is the same as no bucket), and if none has, the newcomer is
 * refused rather than the map grown.
 */
final class RateLimiter {
    /** The default: 5 a minute, bursts of 10. */
    static final RateLimiter.Limit DEFAULT = new Limit(10, Duration.ofSeconds(12));

    /** @param burst bucket size; @param refill time for one token to come back */
    record Limit(int burst, Duration refill) {
        Limit {
            if (burst < 1) {
                throw new IllegalArgumentException("burst must be >= 1, was " + burst);
            }
            if (refill == null || refill.isNegative() || refill.isZero()) {
                throw new IllegalArgumentException("refill must be positive, was " + refill);
            }
        }
    }

    private static final int MAX_CLIENTS = 10_000;

    private final Limit limit;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        private double tokens;
        private long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }

    RateLimiter(Limit limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /** Takes one token for the key; empty if allowed, else how long until one is back (Retry-After). */
    Optional<Duration> take(String key) {
        return consume(key, true);
    }

    /** Empty if the key has a token left (without taking it), else how long until one is back. */
    Optional<Duration> check(String key) {
        return consume(key, false);
    }

    private Optional<Duration> consume(String key, boolean take) {
        long now = nanos();
        if (buckets.size() >= MAX_CLIENTS && !buckets.containsKey(key)) {
            buckets.entrySet().removeIf(e -> refilled(e.getValue(), now) >= limit.burst());
            if (buckets.size() >= MAX_CLIENTS) {
                return Optional.of(limit.refill());
            }
        }
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(limit.burst(), now));
        synchronized (b) {
            b.tokens = refilled(b, now);
            b.updatedNanos = now;
            if (b.tokens >= 1) {
                if (take) {
                    b.tokens -= 1;
                }
                return Optional.empty();
            }
            double missing = 1 - b.tokens;
            return Optional.of(Duration.ofNanos((long) Math.ceil(missing * limit.refill().toNanos())));
        }
    }

    private double refilled(Bucket b, long now) {
        synchronized (b) {
            double gained = (double) (now - b.updatedNanos) / limit.refill().toNanos();
            return Math.min(limit.burst(), b.tokens + gained);
        }
    }

    private long nanos() {
        Duration d = Duration.between(java.time.Instant.EPOCH, clock.instant());
        return d.toNanos();
    }
}
