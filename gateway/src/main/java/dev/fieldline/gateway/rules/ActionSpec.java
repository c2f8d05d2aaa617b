package dev.fieldline.gateway.rules;

import java.util.Map;

/**
 * One action of a rule as written: its type ({@code alert}, {@code command}, {@code webhook},
 * {@code forward}) and its settings, e.g. {@code {name: led, args: {on: true}}} for a command.
 */
public record ActionSpec(String type, Map<String, Object> settings) {
    public ActionSpec {
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException("action type must not be empty");
        }
        settings = Map.copyOf(settings);
    }
}
