package dev.fieldline.gateway.downlink;

import dev.fieldline.protocol.Command;

/**
 * A way to reach devices with commands (the MQTT endpoint, an external broker, CoAP Observe).
 * Transports register with the {@link Downlink} hub.
 */
public interface DownlinkTransport {
    /**
     * Tries to deliver now. Returns true if the command was handed to a connected device (or its
     * broker); false if this transport cannot reach the device at the moment.
     */
    boolean send(String deviceId, Command command);

    /** True if this transport currently has a live path to the device. */
    boolean reaches(String deviceId);
}
