package dev.fieldline.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Device status and heartbeat. Status is current state, not part of the sequenced stream: it carries
 * the boot id but no sequence number, and the gateway keeps the latest one per device. The same
 * message with {@code state = offline} is the MQTT last will.
 *
 * @param heapUsedBytes JVM heap in use on the device
 * @param samples readings taken since boot
 * @param counters other counters (messages sent, send failures, reconnects, ...)
 */
public record Status(
        String deviceId,
        long bootId,
        Instant time,
        DeviceState state,
        Duration uptime,
        long heapUsedBytes,
        long samples,
        Map<String, Long> counters) {

    public Status {
        DeviceIds.require(deviceId, "deviceId");
        counters = Map.copyOf(counters);
    }
}
