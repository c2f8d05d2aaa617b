package dev.fieldline.gateway.registry;

import java.time.Instant;
import java.util.Optional;

/**
 * A freshly issued one-time enrollment token: the only time its value exists outside the device
 * that uses it. {@link #toString()} hides it.
 *
 * @param token the secret
 * @param expiresAt when it stops working
 * @param deviceId the device it is bound to, if any (re-key tokens always are)
 */
public record EnrollmentToken(String token, Instant expiresAt, Optional<String> deviceId) {
    @Override
    public String toString() {
        return "EnrollmentToken[token=(hidden), expiresAt=" + expiresAt + ", deviceId=" + deviceId + "]";
    }
}
