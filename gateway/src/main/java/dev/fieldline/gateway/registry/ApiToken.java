package dev.fieldline.gateway.registry;

import java.time.Instant;
import java.util.Optional;

/** A web API token as listed: never its value. */
public record ApiToken(long id, String name, Role role, Instant createdAt, Optional<Instant> lastUsed,
        Optional<Instant> revokedAt) {

    public boolean active() {
        return revokedAt.isEmpty();
    }
}
