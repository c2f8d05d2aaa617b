package dev.fieldline.gateway.registry;

import dev.fieldline.protocol.KeyIds;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Optional;

/**
 * What the registry knows of a device: its enrolled key (if any) and whether it is enabled. Holds no
 * secret.
 *
 * @param deviceId the device
 * @param kid key id ({@link KeyIds}), empty before enrollment
 * @param publicKey the enrolled EC P-256 key, empty before enrollment
 * @param state enabled or disabled
 * @param createdAt when the registry first recorded the device
 * @param enrolledAt first enrollment
 * @param rekeyedAt latest re-key
 */
public record DeviceKey(String deviceId, Optional<byte[]> kid, Optional<PublicKey> publicKey, KeyState state,
        Instant createdAt, Optional<Instant> enrolledAt, Optional<Instant> rekeyedAt) {

    public DeviceKey {
        kid = kid.map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> kid() {
        return kid.map(byte[]::clone);
    }

    /** Key id as lower-case hex. */
    public Optional<String> kidHex() {
        return kid.map(KeyIds::hex);
    }

    public boolean enrolled() {
        return publicKey.isPresent();
    }

    public boolean enabled() {
        return state == KeyState.ENABLED;
    }
}
