package dev.fieldline.gateway.analytics;

import java.util.Locale;
import java.util.Optional;

/** Life of an alert. Rules raise alerts {@link #OPEN}; acknowledging and closing come with the rule engine. */
public enum AlertState {
    OPEN, ACKNOWLEDGED, CLOSED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AlertState> fromCode(String code) {
        for (AlertState s : values()) {
            if (s.code().equals(code)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
