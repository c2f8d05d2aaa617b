package dev.fieldline.config;

import java.util.List;

/**
 * Documentation of one configuration key: its dotted name, type, default, unit and a one-line
 * description. A configuration lists its keys so that it can print itself documented and so that
 * readers can refuse keys it does not define.
 *
 * @param name dotted key path, e.g. {@code reconnect.initial}
 * @param type value type as written in the file, e.g. {@code duration}, {@code number}, {@code uri}
 * @param defaultValue the default as it would be written in the file, or "(required)"
 * @param unit unit of the value, or "" when it has none
 * @param description one line
 */
public record ConfigKey(String name, String type, String defaultValue, String unit, String description) {

    public ConfigKey {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        if (type == null || defaultValue == null || unit == null || description == null) {
            throw new IllegalArgumentException("type, defaultValue, unit and description must not be null");
        }
    }

    /** A plain-text table of the keys: name, type, default, unit, description. */
    public static String describe(List<ConfigKey> keys) {
        int nameWidth = "key".length();
        int typeWidth = "type".length();
        int defaultWidth = "default".length();
        int unitWidth = "unit".length();
        for (ConfigKey k : keys) {
            nameWidth = Math.max(nameWidth, k.name.length());
            typeWidth = Math.max(typeWidth, k.type.length());
            defaultWidth = Math.max(defaultWidth, k.defaultValue.length());
            unitWidth = Math.max(unitWidth, k.unit.length());
        }
        String row = "%-" + nameWidth + "s  %-" + typeWidth + "s  %-" + defaultWidth + "s  %-" + unitWidth + "s  %s%n";
        StringBuilder b = new StringBuilder();
        b.append(String.format(row, "key", "type", "default", "unit", "description"));
        for (ConfigKey k : keys) {
            b.append(String.format(row, k.name, k.type, k.defaultValue, k.unit, k.description));
        }
        return b.toString();
    }
}
