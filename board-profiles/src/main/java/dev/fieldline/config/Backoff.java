package dev.fieldline.config;

import dev.fieldline.config.ConfigException.Reason;
import java.time.Duration;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * Capped doubling with jitter between retries, the one backoff rule of the project (the agent's
 * reconnections, the gateway's cloud sync): retry n waits {@code min(max, initial·2^(n-1))}, scaled
 * by a random factor in {@code [1 − jitter, 1 + jitter]} and capped at {@code max}. In YAML a map
 * {@code {initial: 1s, max: 5m, jitter: 0.2}} read by {@link #read}.
 *
 * @param initial delay before the first retry
 * @param max longest delay
 * @param jitter relative spread, 0..1
 */
public record Backoff(Duration initial, Duration max, double jitter) {

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

    /**
     * Reads a map {@code {initial, max, jitter}}, each key optional (the default's value): initial
     * 1 ms..1 h, max 1 ms..1 d and at least initial, jitter 0..1. Errors name the node's path.
     */
    public static Backoff read(ConfigNode n, Backoff defaults) {
        n.allowOnly(Set.of("initial", "max", "jitter"));
        Duration initial = n.duration("initial", defaults.initial(), Duration.ofMillis(1), Duration.ofHours(1));
        Duration max = n.duration("max", defaults.max(), Duration.ofMillis(1), Duration.ofDays(1));
        if (max.compareTo(initial) < 0) {
            throw n.require("max").error(Reason.INVALID_VALUE,
                    "must be >= " + n.path() + ".initial (" + ConfigNode.text(initial) + ")");
        }
        return new Backoff(initial, max, n.number("jitter", defaults.jitter(), 0, 1));
    }
}
