package dev.fieldline.agent.outbox;

import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;

/**
 * One encoded uplink message waiting for acknowledgement.
 *
 * @param position the outbox's own order (strictly increasing), used to resume sending after it
 * @param kind message kind (telemetry, event, command result)
 * @param sequence the message's (bootId, seq)
 * @param payload encoded bytes, not copied: do not modify
 */
public record OutboxEntry(long position, MessageKind kind, Sequence sequence, byte[] payload) {
}
