package dev.fieldline.gateway.store;

import dev.fieldline.protocol.Command;
import java.time.Instant;
import java.util.Optional;

/** A command as stored: what was asked, of which device, and how far it got. */
public record CommandRecord(
        String deviceId, Command command, CommandState state, Instant createdAt, Instant updatedAt,
        Optional<String> resultMessage) {
}
