package dev.fieldline.gateway.http;

import dev.fieldline.protocol.DecodeLimits;

/**
 * Configuration of the web API.
 *
 * @param bindHost address to listen on
 * @param port TCP port; 0 picks a free one
 * @param limits request bodies larger than {@code limits.maxPayloadBytes()} are refused with 413
 */
public record HttpApiConfig(String bindHost, int port, DecodeLimits limits) {
    public HttpApiConfig {
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("bindHost must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
    }
}
