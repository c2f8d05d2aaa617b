package dev.fieldline.gateway.store;

import java.time.Instant;

/**
 * What arrived from one boot of a device: the highest sequence number and how many distinct
 * messages. Sequence numbers start at 1, so {@link #missing()} messages are in gaps (or still in
 * the device's journal).
 */
public record BootSequence(String deviceId, long bootId, long highestSeq, long received, Instant firstSeen, Instant lastSeen) {
    public long missing() {
        return Math.max(0, highestSeq - received);
    }
}
