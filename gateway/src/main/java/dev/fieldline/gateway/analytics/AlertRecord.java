package dev.fieldline.gateway.analytics;

/** An alert as stored, with its id and state. */
public record AlertRecord(long id, Alert alert, AlertState state) {
}
