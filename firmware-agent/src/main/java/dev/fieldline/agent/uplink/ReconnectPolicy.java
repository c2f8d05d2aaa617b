package dev.fieldline.agent.uplink;

import dev.fieldline.config.Backoff;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter between connection attempts: the project's {@link Backoff} rule
 * (attempt n waits {@code min(max, initial·2^(n-1))}, scaled by a random factor in
 * {@code [1 − jitter, 1 + jitter]} and capped at {@code max}).
 *
 * @param initial delay before the first retry
 * @param max longest delay
 * @param jitter relative spread, 0..1
 */
public record ReconnectPolicy(Duration initial, Duration max, double jitter) {

    public static final ReconnectPolicy DEFAULTS = new ReconnectPolicy(Duration.ofMillis(500), Duration.ofSeconds(30), 0.2);

    public ReconnectPolicy {
        new Backoff(initial, max, jitter); // refuses bad settings, naming them
    }

    /** This policy as the shared rule. */
    public Backoff backoff() {
        return new Backoff(initial, max, jitter);
    }

    /** Delay before retry number {@code attempt} (1-based); {@code random} gives values in [0, 1). */
    public Duration delay(int attempt, DoubleSupplier random) {
        return backoff().delay(attempt, random);
    }
}
