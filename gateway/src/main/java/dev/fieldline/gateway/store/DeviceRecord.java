package dev.fieldline.gateway.store;

import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.protocol.Status;
import java.time.Instant;
import java.util.Optional;

/**
 * What the store knows of a device: first and last time heard, over which transport, how much it
 * sent, and its latest status message (if it sent one).
 *
 * @param messages telemetry, event and command-result messages stored (duplicates not counted)
 * @param readings readings stored
 */
public record DeviceRecord(
        String id, Instant firstSeen, Instant lastSeen, Transport transport, long messages, long readings,
        Optional<Status> status) {
}
