package dev.fieldline.protocol;

import java.util.List;
import java.util.Optional;

/**
 * A telemetry message: a SenML pack from one device. Fieldline agents always send a
 * {@link Sequence}; third-party SenML producers may not, and their packs are stored at most once.
 */
public record Telemetry(String deviceId, Optional<Sequence> sequence, List<Reading> readings) {

    public Telemetry {
        DeviceIds.require(deviceId, "deviceId");
        readings = List.copyOf(readings);
        if (readings.isEmpty()) {
            throw new IllegalArgumentException("a telemetry message needs at least one reading");
        }
    }

    public Telemetry(String deviceId, Sequence sequence, List<Reading> readings) {
        this(deviceId, Optional.of(sequence), readings);
    }
}
