package dev.fieldline.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Device status and heartbeat. Status is current state, not part of the sequenced stream: it carries
 * the boot id but no sequence number, and the gateway keeps the latest one per device. The same
 * message with {@code state = offline} is the MQTT last will.
 *
 * @param heapUsedBytes JVM heap in use on the device
 * @param samples readings taken since boot
 * @param counters other counters (messages sent, send failures, reconnects, ...)
 * @param sensors how each sensor is doing (ok, or faulted with reason, since and retries); may be empty
 */
public record Status(
        String deviceId,
        long bootId,
        Instant time,
        DeviceState state,
        Duration uptime,
        long heapUsedBytes,
        long samples,
        Map<String, Long> counters,
        List<SensorHealth> sensors) {

    public Status {
        DeviceIds.require(deviceId, "deviceId");
        counters = Map.copyOf(counters);
        sensors = List.copyOf(sensors);
        if (sensors.size() > SensorHealth.MAX_PER_STATUS) {
            throw new IllegalArgumentException("at most " + SensorHealth.MAX_PER_STATUS + " sensors per status, was "
                    + sensors.size());
        }
    }

    /** A status without sensor health. */
    public Status(String deviceId, long bootId, Instant time, DeviceState state, Duration uptime, long heapUsedBytes,
            long samples, Map<String, Long> counters) {
        this(deviceId, bootId, time, state, uptime, heapUsedBytes, samples, counters, List.of());
    }
}
