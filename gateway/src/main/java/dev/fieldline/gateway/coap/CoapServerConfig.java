package dev.fieldline.gateway.coap;

import java.util.Objects;

/**
 * Configuration of the CoAP server.
 *
 * @param bindHost address the UDP endpoint binds, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 *     (bound explicitly; Californium would otherwise take the wildcard address)
 * @param port UDP port of the plain endpoint; 0 picks a free one (see {@link CoapIngestServer#start()}),
 *     negative means no plain endpoint (then the server needs a {@link CoapsConfig})
 * @param maxPayloadBytes largest request body accepted, in bytes, whole or assembled from block-wise
 *     transfers (Californium's {@code MAX_RESOURCE_BODY_SIZE}); larger gets 4.13 with Size1
 */
public record CoapServerConfig(String bindHost, int port, int maxPayloadBytes) {

    public CoapServerConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        if (bindHost.isBlank()) {
            throw new IllegalArgumentException("bindHost must not be blank");
        }
        if (port > 65_535) {
            throw new IllegalArgumentException("port must be at most 65535 (negative: no plain endpoint), was " + port);
        }
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + maxPayloadBytes);
        }
    }

    public boolean plainEnabled() {
        return port >= 0;
    }
}
