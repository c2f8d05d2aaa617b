package dev.fieldline.gateway.analytics;

import java.time.Instant;
import java.util.Optional;

/**
 * An alert as stored, with its id, state and lifecycle.
 *
 * @param dedupKey the deduplication identity of an alert raised by a rule's alert action (one
 *     unresolved alert per key); empty for alerts raised without one (the threshold and sensor rules)
 * @param count how many firings this alert stands for (1 when raised; each repeat while it is
 *     unresolved adds one)
 * @param lastSeen when the latest of those firings was recorded
 * @param acknowledged when and by whom it was acknowledged
 * @param resolved when and by whom it was resolved ({@code rule} when its condition cleared); empty
 *     for alerts closed before the lifecycle existed (schema V5), whose time was not recorded
 * @param note the note given with the latest acknowledge or resolve
 */
public record AlertRecord(long id, Alert alert, AlertState state, Optional<String> dedupKey, long count, Instant lastSeen,
        Optional<Change> acknowledged, Optional<Change> resolved, Optional<String> note) {

    /** A lifecycle step: when, and who ({@code token:NAME}, {@code anonymous}, {@code rule}). */
    public record Change(Instant at, String by) {
    }

    public AlertRecord {
        if (alert == null || state == null || dedupKey == null || lastSeen == null || acknowledged == null
                || resolved == null || note == null) {
            throw new IllegalArgumentException("alert, state, dedupKey, lastSeen, acknowledged, resolved and note are required");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
    }

    /** A newly raised alert without a deduplication key. */
    public AlertRecord(long id, Alert alert, AlertState state) {
        this(id, alert, state, Optional.empty(), 1, alert.createdAt(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
