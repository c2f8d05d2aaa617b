package dev.fieldline.gateway.actions;

import dev.fieldline.config.Backoff;
import java.time.Duration;

/**
 * How webhook actions deliver.
 *
 * @param maxInFlight deliveries under way or waiting for a retry at once; beyond it a firing's
 *     webhook fails at once (counted in {@code webhook_dropped_total{rule}}) instead of queueing
 * @param defaultTimeout a request's timeout (connect to response headers) when the action sets none
 * @param defaultRetries retries after the first attempt when the action sets none
 * @param maxRetries the most retries an action may ask for
 * @param backoff the waits between attempts (the project's one backoff rule: capped doubling with jitter)
 * @param maxRetryAfter the longest {@code Retry-After} honoured; a receiver asking for more is given up on
 */
public record WebhookConfig(int maxInFlight, Duration defaultTimeout, int defaultRetries, int maxRetries, Backoff backoff,
        Duration maxRetryAfter) {
    /** The jitter of the backoff: each wait is scaled by a random factor in [0.5, 1.5] (and capped). */
    public static final double JITTER = 0.5;
    /** 1,000 in flight, 10 s timeout, 3 retries (at most 10), backoff 500 ms doubling to 30 s, Retry-After up to 5 min. */
    public static final WebhookConfig DEFAULTS = new WebhookConfig(1_000, Duration.ofSeconds(10), 3, 10,
            new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), JITTER), Duration.ofMinutes(5));

    public WebhookConfig {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        }
        if (maxRetries < 0 || defaultRetries < 0 || defaultRetries > maxRetries) {
            throw new IllegalArgumentException("retries must be 0 <= defaultRetries (" + defaultRetries + ") <= maxRetries ("
                    + maxRetries + ")");
        }
        if (backoff == null) {
            throw new IllegalArgumentException("backoff must not be null");
        }
        for (Duration d : new Duration[] {defaultTimeout, maxRetryAfter}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("defaultTimeout and maxRetryAfter must be positive, was " + d);
            }
        }
    }

    /** The backoff from {@code initial} doubling to {@code max}, with the default jitter. */
    public WebhookConfig withBackoff(Duration initial, Duration max) {
        return new WebhookConfig(maxInFlight, defaultTimeout, defaultRetries, maxRetries, new Backoff(initial, max, JITTER),
                maxRetryAfter);
    }

    public WebhookConfig withMaxInFlight(int n) {
        return new WebhookConfig(n, defaultTimeout, defaultRetries, maxRetries, backoff, maxRetryAfter);
    }

    public WebhookConfig withMaxRetryAfter(Duration d) {
        return new WebhookConfig(maxInFlight, defaultTimeout, defaultRetries, maxRetries, backoff, d);
    }
}
