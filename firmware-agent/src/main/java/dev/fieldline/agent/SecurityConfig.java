package dev.fieldline.agent;

import java.net.URI;
import java.util.Optional;

/**
 * How the agent proves itself: whether it signs its uplinks (COSE_Sign1 with its device key), and
 * where and with which one-time token it enrolls if it has no credentials yet.
 *
 * @param sign sign telemetry, events and command results (requires payload-format cbor)
 * @param enrollUrl the gateway's web API, e.g. {@code http://gateway:8080}, for enrollment
 * @param enrollToken the one-time enrollment token; a secret, never printed
 */
public record SecurityConfig(boolean sign, Optional<URI> enrollUrl, Optional<String> enrollToken) {
    public static final SecurityConfig NONE = new SecurityConfig(false, Optional.empty(), Optional.empty());

    public SecurityConfig {
        if (enrollUrl == null || enrollToken == null) {
            throw new IllegalArgumentException("enrollUrl and enrollToken must not be null (use Optional.empty())");
        }
        enrollUrl.ifPresent(u -> {
            String scheme = u.getScheme() == null ? "" : u.getScheme();
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("security.enroll-url '" + u + "' must be http://host:port or https://host:port");
            }
        });
        if (enrollToken.isPresent() && enrollUrl.isEmpty()) {
            throw new IllegalArgumentException("security.enroll-token needs security.enroll-url");
        }
    }

    @Override
    public String toString() {
        return "SecurityConfig[sign=" + sign + ", enrollUrl=" + enrollUrl.map(URI::toString).orElse("-")
                + ", enrollToken=" + (enrollToken.isPresent() ? "(set)" : "-") + "]";
    }
}
