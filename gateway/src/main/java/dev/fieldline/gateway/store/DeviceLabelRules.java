package dev.fieldline.gateway.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a device's labels may be: at most {@link #MAX_LABELS}; names 1-63 of {@code A-Z a-z 0-9 . _ -}
 * starting with a letter or digit; values up to {@link #MAX_VALUE_LENGTH} printable characters
 * (no control characters). Refusals name the label and say what would be valid.
 */
public final class DeviceLabelRules {
    public static final int MAX_LABELS = 32;
    public static final int MAX_NAME_LENGTH = 63;
    public static final int MAX_VALUE_LENGTH = 128;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_NAME_LENGTH - 1) + "}");

    private DeviceLabelRules() {
    }

    /**
     * The labels, checked, sorted by name.
     *
     * @throws IllegalArgumentException naming the first label that breaks a rule
     */
    public static Map<String, String> check(Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("a device has at most " + MAX_LABELS + " labels, got " + labels.size());
        }
        Map<String, String> out = new TreeMap<>();
        labels.forEach((name, value) -> {
            if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException((name == null || name.length() > MAX_NAME_LENGTH ? "a label name of "
                        + (name == null ? 0 : name.length()) + " characters" : "label name '" + name.replaceAll("[^\\x20-\\x7e]", "?")
                        + "'") + " is not valid: 1-" + MAX_NAME_LENGTH + " of A-Z a-z 0-9 . _ -, starting with a letter or digit");
            }
            if (value == null) {
                throw new IllegalArgumentException("label '" + name + "' has no value (use \"\" for an empty one)");
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw new IllegalArgumentException("label '" + name + "' is " + value.length() + " characters long; the limit is "
                        + MAX_VALUE_LENGTH);
            }
            if (value.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("label '" + name + "' contains a control character");
            }
            out.put(name, value);
        });
        return out;
    }
}
