package dev.fieldline.boards;

import dev.fieldline.protocol.PayloadFormat;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What suits this board's uplink: defaults the agent uses when its own configuration does not set
 * them.
 *
 * @param payloadFormat the payload encoding
 * @param heartbeatInterval time between status heartbeats
 * @param maxInFlight most unacknowledged MQTT publishes at once
 */
public record UplinkSettings(Optional<PayloadFormat> payloadFormat, Optional<Duration> heartbeatInterval,
        OptionalInt maxInFlight) {

    public static final UplinkSettings NONE = new UplinkSettings(Optional.empty(), Optional.empty(), OptionalInt.empty());

    public UplinkSettings {
        if (payloadFormat == null || heartbeatInterval == null || maxInFlight == null) {
            throw new IllegalArgumentException("payloadFormat, heartbeatInterval and maxInFlight must not be null");
        }
    }
}
