package dev.fieldline.agent.uplink;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Objects;

/**
 * How the agent authenticates a {@code coaps://} uplink (DTLS 1.2) and how it knows it reached its
 * gateway. {@link #toString()} never shows a key.
 */
public sealed interface DtlsCredentials {

    /**
     * Pre-shared key: identity = device id, key = the device PSK from enrollment. Only a peer that
     * knows the same key can finish the handshake, so the gateway is authenticated too.
     */
    record Psk(String identity, byte[] key) implements DtlsCredentials {
        public Psk {
            if (identity == null || identity.isEmpty()) {
                throw new IllegalArgumentException("identity must not be empty");
            }
            if (key == null || key.length < 16) {
                throw new IllegalArgumentException("key must have at least 16 bytes");
            }
            key = key.clone();
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public String toString() {
            return "Psk[identity=" + identity + ", key=(hidden)]";
        }
    }

    /**
     * Raw public keys (RFC 7250): the device presents its enrolled key pair and accepts only the
     * gateway key it pinned at enrollment.
     */
    record RawPublicKey(PrivateKey privateKey, PublicKey publicKey, PublicKey gatewayKey) implements DtlsCredentials {
        public RawPublicKey {
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(gatewayKey, "gatewayKey");
        }

        @Override
        public String toString() {
            return "RawPublicKey[gatewayKey pinned]";
        }
    }
}
