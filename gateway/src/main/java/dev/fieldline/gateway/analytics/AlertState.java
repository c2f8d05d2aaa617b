package dev.fieldline.gateway.analytics;

import java.util.Locale;
import java.util.Optional;

/**
 * Life of an alert: rules raise alerts {@link #OPEN}; an operator acknowledges them; an operator,
 * or the rule when its condition clears, resolves them. Resolved is final; a later firing raises a
 * new alert. Stored by {@link #code()} ({@code open}, {@code acknowledged}, {@code resolved}).
 */
public enum AlertState {
    OPEN, ACKNOWLEDGED, RESOLVED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True if an alert in this state may move to {@code next}: open → acknowledged → resolved, or open → resolved. */
    public boolean canBecome(AlertState next) {
        return switch (this) {
            case OPEN -> next == ACKNOWLEDGED || next == RESOLVED;
            case ACKNOWLEDGED -> next == RESOLVED;
            case RESOLVED -> false;
        };
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
