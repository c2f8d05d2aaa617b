package dev.fieldline.protocol;

import java.util.Locale;
import java.util.Optional;

/** What a status message says about the device's connection. */
public enum DeviceState {
    ONLINE, OFFLINE;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DeviceState> fromCode(String code) {
        for (DeviceState s : values()) {
            if (s.code().equals(code)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
