package dev.fieldline.gateway.mqtt;

import java.util.Objects;

/**
 * Configuration of the gateway's own MQTT endpoint.
 *
 * @param bindHost address to listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port TCP port; 0 picks a free one (see {@link MqttEndpoint#start()})
 * @param maxPayloadBytes largest PUBLISH payload accepted, in bytes; a larger payload that still fits
 *     the decoder's packet limit is refused as {@code too_large}, a packet beyond the limit closes the
 *     connection
 */
public record MqttEndpointConfig(String bindHost, int port, int maxPayloadBytes) {

    /** Largest payload MQTT can carry (remaining length 268,435,455 minus header room). */
    public static final int MAX_PAYLOAD_LIMIT = 256 * 1024 * 1024;

    public MqttEndpointConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        if (bindHost.isBlank()) {
            throw new IllegalArgumentException("bindHost must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (maxPayloadBytes <= 0 || maxPayloadBytes > MAX_PAYLOAD_LIMIT) {
            throw new IllegalArgumentException("maxPayloadBytes must be 1.." + MAX_PAYLOAD_LIMIT + ", was " + maxPayloadBytes);
        }
    }
}
