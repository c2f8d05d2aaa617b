package dev.fieldline.gateway.registry;

/** The outcome of authenticating a device by id and token; {@link #code()} is the counted reason. */
public enum DeviceAuth {
    OK("ok"),
    /** The registry does not know the device. */
    UNKNOWN_DEVICE("unknown_device"),
    /** The device is known (disabled beforehand) but never enrolled. */
    NOT_ENROLLED("not_enrolled"),
    /** No token or a wrong one. */
    BAD_TOKEN("bad_credentials"),
    /** The device is disabled. */
    DISABLED("disabled");

    private final String code;

    DeviceAuth(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
