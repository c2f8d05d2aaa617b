package dev.fieldline.gateway.store;

import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import java.util.Optional;

/** A reading as stored, with the device and the message it came in. */
public record StoredReading(String deviceId, Reading reading, Optional<Sequence> sequence) {
}
