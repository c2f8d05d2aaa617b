package dev.fieldline.gateway.store;

import dev.fieldline.protocol.Event;
import java.time.Instant;

/**
 * A device event as stored.
 *
 * @param id the store's id
 * @param event the event as the device sent it
 * @param receivedAt when the gateway received it
 */
public record StoredEvent(long id, Event event, Instant receivedAt) {}
