package dev.fieldline.gateway.registry;

/**
 * What enrollment returns to the device, once: the device id, the key id of the registered key,
 * and the device token (MQTT password; the DTLS PSK is derived from it). {@link #toString()} hides
 * the token.
 */
public record DeviceCredentials(String deviceId, String kid, String token) {
    @Override
    public String toString() {
        return "DeviceCredentials[deviceId=" + deviceId + ", kid=" + kid + ", token=(hidden)]";
    }
}
