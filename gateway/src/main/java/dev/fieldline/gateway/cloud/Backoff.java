package dev.fieldline.gateway.cloud;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped doubling with jitter between retries: retry n waits {@code min(max, initial·2^(n-1))},
 * scaled by a random factor in {@code [1 − jitter, 1 + jitter]} and capped at {@code max}. The same
 * rule as the agent's {@code ReconnectPolicy} (the gateway does not depend on the agent).
 *
 * @param initial delay before the first retry
 * @param max longest delay
 * @param jitter relative spread, 0..1
 */
public record Backoff(Duration initial, Duration max, double jitter) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0.2);

    public Backoff {
        if (initial == null || initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial must be positive, was " + initial);
        }
        if (max == null || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max must be >= initial (" + initial + "), was " + max);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be in 0..1, was " + jitter);
        }
    }

    /** Delay before retry number {@code attempt} (1-based); {@code random} gives values in [0, 1). */
    public Duration delay(int attempt, DoubleSupplier random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        double base = initial.toNanos() * Math.pow(2, Math.min(attempt - 1, 40));
        double capped = Math.min(base, max.toNanos());
        double jittered = capped * (1 + jitter * (2 * random.getAsDouble() - 1));
        return Duration.ofNanos((long) Math.max(0, Math.min(jittered, max.toNanos())));
    }
}
