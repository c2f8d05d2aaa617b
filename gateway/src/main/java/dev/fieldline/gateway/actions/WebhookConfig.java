package dev.fieldline.gateway.actions;

import java.time.Duration;

/**
 * How webhook actions deliver.
 *
 * @param maxInFlight deliveries under way or waiting for a retry at once; beyond it a firing's
 *     webhook fails at once (counted in {@code webhook_dropped_total{rule}}) instead of queueing
 * @param defaultTimeout a request's timeout (connect to response headers) when the action sets none
 * @param defaultRetries retries after the first attempt when the action sets none
 * @param maxRetries the most retries an action may ask for
 * @param initialBackoff the wait before the first retry; doubled for each further one, with jitter
 *     (a random half of it), up to {@code maxBackoff}
 * @param maxBackoff the longest wait between attempts from the backoff
 * @param maxRetryAfter the longest {@code Retry-After} honoured; a receiver asking for more is given up on
 */
public record WebhookConfig(int maxInFlight, Duration defaultTimeout, int defaultRetries, int maxRetries, Duration initialBackoff,
        Duration maxBackoff, Duration maxRetryAfter) {
    /** 1,000 in flight, 10 s timeout, 3 retries (at most 10), backoff 500 ms doubling to 30 s, Retry-After up to 5 min. */
    public static final WebhookConfig DEFAULTS = new WebhookConfig(1_000, Duration.ofSeconds(10), 3, 10, Duration.ofMillis(500),
            Duration.ofSeconds(30), Duration.ofMinutes(5));

    public WebhookConfig {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        }
        if (maxRetries < 0 || defaultRetries < 0 || defaultRetries > maxRetries) {
            throw new IllegalArgumentException("retries must be 0 <= defaultRetries (" + defaultRetries + ") <= maxRetries ("
                    + maxRetries + ")");
        }
        for (Duration d : new Duration[] {defaultTimeout, initialBackoff, maxBackoff, maxRetryAfter}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts and backoffs must be positive, was " + d);
            }
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be >= initialBackoff");
        }
    }

    public WebhookConfig withBackoff(Duration initial, Duration max) {
        return new WebhookConfig(maxInFlight, defaultTimeout, defaultRetries, maxRetries, initial, max, maxRetryAfter);
    }

    public WebhookConfig withMaxInFlight(int n) {
        return new WebhookConfig(n, defaultTimeout, defaultRetries, maxRetries, initialBackoff, maxBackoff, maxRetryAfter);
    }

    public WebhookConfig withMaxRetryAfter(Duration d) {
        return new WebhookConfig(maxInFlight, defaultTimeout, defaultRetries, maxRetries, initialBackoff, maxBackoff, d);
    }
}
