package dev.fieldline.protocol;

import java.util.Locale;
import java.util.Optional;

/** Severity of an event or alert. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Severity> fromCode(String code) {
        for (Severity s : values()) {
            if (s.code().equals(code)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
