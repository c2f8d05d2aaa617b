package dev.fieldline.protocol;

import java.time.Instant;

/** The device's answer to a {@link Command}. */
public record CommandResult(
        String deviceId, Sequence sequence, Instant time, String commandId, boolean ok, String message) {

    public CommandResult {
        DeviceIds.require(deviceId, "deviceId");
    }
}
