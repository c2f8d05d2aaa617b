package dev.fieldline.gateway.store;

import java.util.Locale;
import java.util.Optional;

/** Life of a command: pending until a transport hands it over, then settled by the device's result. */
public enum CommandState {
    PENDING, DELIVERED, SUCCEEDED, FAILED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean settled() {
        return this == SUCCEEDED || this == FAILED;
    }

    public static Optional<CommandState> fromCode(String code) {
        for (CommandState s : values()) {
            if (s.code().equals(code)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
