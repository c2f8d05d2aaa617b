package dev.fieldline.agent.hal.ble;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A decoded BTHome v2 advertisement.
 *
 * @param deviceInfo the device information byte as sent
 * @param encrypted whether the objects were encrypted (and have been decrypted)
 * @param triggerBased whether the device advertises irregularly (on events) rather than at an interval
 * @param packetId the packet id object (0x00), used to drop repeated advertisements
 * @param counter the encryption counter of an encrypted advertisement
 * @param measurements the measurements this receiver interprets, in order
 * @param skippedObjectIds objects of known length that this receiver does not interpret (binary
 *     sensors, events, device information, text…), in order
 * @param unknownObjectId the first object id this receiver does not know; decoding stops there, as
 *     the BTHome format asks, keeping what came before
 */
public record BthomePacket(int deviceInfo, boolean encrypted, boolean triggerBased, OptionalInt packetId,
                           OptionalLong counter, List<BthomeMeasurement> measurements, List<Integer> skippedObjectIds,
                           OptionalInt unknownObjectId) {
    public BthomePacket {
        measurements = List.copyOf(measurements);
        skippedObjectIds = List.copyOf(skippedObjectIds);
    }

    /** The first measurement called {@code name}. */
    public Optional<BthomeMeasurement> first(String name) {
        return measurements.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
