package dev.fieldline.gateway.registry;

import java.util.Locale;

/** Whether a device may connect and send. A disabled device is refused on every transport. */
public enum KeyState {
    ENABLED,
    DISABLED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    static KeyState fromCode(String code) {
        return KeyState.valueOf(code.toUpperCase(Locale.ROOT));
    }
}
