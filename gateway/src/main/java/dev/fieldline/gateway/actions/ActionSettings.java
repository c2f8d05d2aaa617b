package dev.fieldline.gateway.actions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads one action's settings as written (YAML or JSON: strings, numbers, booleans, maps), collecting
 * a problem per bad setting, each naming the action type and the setting, instead of stopping at the
 * first. {@link #check} returns the problems; {@link #read} turns them into one refusal.
 */
final class ActionSettings {
    private final String type;
    private final Map<String, Object> raw;
    private final List<String> problems = new ArrayList<>();

    /** The problems {@code parser} finds in {@code settings} (validation when a rule is loaded). */
    static List<String> check(String type, Set<String> known, Map<String, Object> settings, Function<ActionSettings, ?> parser) {
        ActionSettings s = new ActionSettings(type, settings, known);
        parser.apply(s);
        return s.problems();
    }

    /** The settings as {@code parser} reads them; an {@link IllegalArgumentException} listing every problem. */
    static <T> T read(String type, Set<String> known, Map<String, Object> settings, Function<ActionSettings, T> parser) {
        ActionSettings s = new ActionSettings(type, settings, known);
        return s.orThrow(parser.apply(s));
    }

    private ActionSettings(String type, Map<String, Object> raw, Set<String> known) {
        this.type = type;
        this.raw = raw;
        Set<String> unknown = new TreeSet<>(raw.keySet());
        unknown.removeAll(known);
        for (String k : unknown) {
            problem(k, "is not a setting of " + type + " actions (known: " + String.join(", ", new TreeSet<>(known)) + ")");
        }
    }

    /** A problem with one setting, or with the action as a whole when {@code setting} is empty. */
    void problem(String setting, String what) {
        problems.add(type + (setting.isEmpty() ? ": " : "." + setting + " ") + what);
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    private <T> T orThrow(T parsed) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return parsed;
    }

    Optional<String> text(String key, int maxLength) {
        Object v = raw.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            problem(key, "must be text, was " + describe(v));
            return Optional.empty();
        }
        if (s.length() > maxLength) {
            problem(key, "is " + s.length() + " characters long; the limit is " + maxLength);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    Optional<String> requiredText(String key, int maxLength) {
        if (!raw.containsKey(key)) {
            problem(key, "is required");
        }
        return text(key, maxLength);
    }

    /** One of {@code choices}, or {@code otherwise} when absent. */
    String choice(String key, List<String> choices, String otherwise) {
        Optional<String> v = text(key, 64);
        if (v.isPresent() && !choices.contains(v.get())) {
            problem(key, "must be one of " + String.join(", ", choices) + ", was '" + v.get() + "'");
            return otherwise;
        }
        return v.orElse(otherwise);
    }

    Optional<Long> integer(String key, long min, long max) {
        Object v = raw.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            problem(key, "must be a whole number, was " + describe(v));
            return Optional.empty();
        }
        long l = n.longValue();
        if (l < min || l > max) {
            problem(key, "must be from " + min + " to " + max + ", was " + l);
            return Optional.empty();
        }
        return Optional.of(l);
    }

    /** A map with text keys; empty when absent. */
    Map<String, Object> map(String key) {
        Object v = raw.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            problem(key, "must be a map, was " + describe(v));
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, val) -> {
            if (k instanceof String s) {
                out.put(s, val);
            } else {
                problem(key, "has a key that is not text: " + k);
            }
        });
        return out;
    }

    Object get(String key) {
        return raw.get(key);
    }

    static String describe(Object v) {
        if (v instanceof Map<?, ?>) {
            return "a map";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return v instanceof String s ? "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'" : String.valueOf(v);
    }
}
