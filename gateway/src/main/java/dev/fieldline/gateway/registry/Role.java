package dev.fieldline.gateway.registry;

import java.util.Locale;
import java.util.Optional;

/** What a web API bearer token may do; each role includes the ones before it. */
public enum Role {
    /** Reads: data, status, devices, commands, alerts. */
    VIEWER,
    /** Reads, data and status posts, commands, alert acknowledgements. */
    OPERATOR,
    /** Everything: API tokens, enrollment tokens, disabling, enabling and re-keying devices. */
    ADMIN;

    /** True if this role may do what {@code needed} may. */
    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromCode(String code) {
        for (Role r : values()) {
            if (r.code().equals(code)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
