package dev.fieldline.protocol;

import java.util.regex.Pattern;

/**
 * Device identifiers: 1 to 64 characters of {@code A-Z a-z 0-9 . _ -}, starting with a letter or
 * digit. They appear unescaped in MQTT topics, CoAP paths and SenML base names
 * ({@code urn:dev:fl:{deviceId}:}), so none of {@code / + # :} may occur.
 */
public final class DeviceIds {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private DeviceIds() {
    }

    public static boolean isValid(String deviceId) {
        return deviceId != null && VALID.matcher(deviceId).matches();
    }

    /** Returns the id, or throws naming the parameter and the rule. */
    public static String require(String deviceId, String parameter) {
        if (!isValid(deviceId)) {
            throw new IllegalArgumentException(parameter + " '" + deviceId
                    + "' is not a valid device id: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");
        }
        return deviceId;
    }

    /** The SenML base name for a device's records. */
    public static String baseName(String deviceId) {
        return "urn:dev:fl:" + deviceId + ":";
    }
}
