package dev.fieldline.gateway.coap;

import java.security.KeyPair;
import java.util.Objects;

/**
 * The CoAP-over-DTLS 1.2 endpoint ({@code coaps}), served by the same server and resources as the
 * plain endpoint.
 *
 * @param port UDP port; 0 picks a free one
 * @param serverKeys the gateway's own EC P-256 key pair, offered as its raw public key (RFC 7250)
 * @param devices PSK store and raw-public-key verifier for devices
 */
public record CoapsConfig(int port, KeyPair serverKeys, DeviceDtlsCredentials devices) {

    public CoapsConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        Objects.requireNonNull(serverKeys, "serverKeys");
        Objects.requireNonNull(devices, "devices");
    }

    @Override
    public String toString() {
        return "CoapsConfig[port=" + port + "]";
    }
}
