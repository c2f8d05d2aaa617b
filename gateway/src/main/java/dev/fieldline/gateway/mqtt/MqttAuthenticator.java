package dev.fieldline.gateway.mqtt;

import java.util.Optional;

/**
 * Decides whether an MQTT CONNECT may proceed, and for which device. Called on a Netty event loop:
 * implementations must not block (look up a cache, not a remote service).
 */
@FunctionalInterface
public interface MqttAuthenticator {

    /**
     * The device the connection acts for, or empty to refuse it (CONNACK "bad user name or
     * password"). The client id has already been checked to be a valid device id.
     */
    Optional<String> authenticate(String clientId, Optional<String> username, Optional<byte[]> password);

    /** Plain mode: every connection acts for the device named by its client id. */
    static MqttAuthenticator acceptAll() {
        return (clientId, username, password) -> Optional.of(clientId);
    }
}
