package dev.fieldline.config;

import dev.fieldline.config.ConfigException.Reason;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of a YAML document (a map, a list or a scalar), with where it came from: the source
 * name, its 1-based line and its dotted key path. Typed accessors refuse bad values with a
 * {@link ConfigException} that names all three. Immutable.
 */
public final class ConfigNode {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|min|h|d)");

    /** What a node holds. */
    public enum Kind { MAP, LIST, SCALAR, NULL }

    private final String source;
    private final int line;
    private final String path;
    private final Kind kind;
    private final String scalar;
    private final Map<String, ConfigNode> map;
    private final List<ConfigNode> list;
    /** The line of each key of a map (a block map's value starts on the line after its key). */
    private final Map<String, Integer> keyLines;

    private ConfigNode(String source, int line, String path, Kind kind, String scalar,
                       Map<String, ConfigNode> map, List<ConfigNode> list) {
        this(source, line, path, kind, scalar, map, list, Map.of());
    }

    private ConfigNode(String source, int line, String path, Kind kind, String scalar,
                       Map<String, ConfigNode> map, List<ConfigNode> list, Map<String, Integer> keyLines) {
        this.source = source;
        this.line = line;
        this.path = path;
        this.kind = kind;
        this.scalar = scalar;
        this.map = map;
        this.list = list;
        this.keyLines = keyLines;
    }

    static ConfigNode scalar(String source, int line, String path, String value) {
        return new ConfigNode(source, line, path, Kind.SCALAR, value, Map.of(), List.of());
    }

    static ConfigNode nullNode(String source, int line, String path) {
        return new ConfigNode(source, line, path, Kind.NULL, null, Map.of(), List.of());
    }

    static ConfigNode map(String source, int line, String path, LinkedHashMap<String, ConfigNode> entries) {
        return new ConfigNode(source, line, path, Kind.MAP, null, Collections.unmodifiableMap(entries), List.of());
    }

    static ConfigNode map(String source, int line, String path, LinkedHashMap<String, ConfigNode> entries,
                          Map<String, Integer> keyLines) {
        return new ConfigNode(source, line, path, Kind.MAP, null, Collections.unmodifiableMap(entries), List.of(),
                Map.copyOf(keyLines));
    }

    static ConfigNode list(String source, int line, String path, List<ConfigNode> items) {
        return new ConfigNode(source, line, path, Kind.LIST, null, Map.of(), List.copyOf(items));
    }

    public String source() {
        return source;
    }

    /** 1-based line of the node in its source, 0 when unknown. */
    public int line() {
        return line;
    }

    /** Dotted key path ({@code a.b[2].c}); "" for the document root. */
    public String path() {
        return path;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    /** An exception located at this node. */
    public ConfigException error(Reason reason, String problem) {
        return new ConfigException(reason, source, line, path, problem);
    }

    // ---------------------------------------------------------------- maps

    /** The keys of this map, in document order. */
    public Set<String> keys() {
        requireKind(Kind.MAP, "a map");
        return map.keySet();
    }

    /** The child under {@code key}, absent if the key is missing or its value is empty (null). */
    public Optional<ConfigNode> get(String key) {
        requireKind(Kind.MAP, "a map");
        ConfigNode child = map.get(key);
        return child == null || child.isNull() ? Optional.empty() : Optional.of(child);
    }

    /** The child under {@code key}; refuses a missing or empty key. */
    public ConfigNode require(String key) {
        return get(key).orElseThrow(() -> error(Reason.MISSING_KEY, "required key '" + key + "' is missing"));
    }

    /** Refuses any key of this map not in {@code known}, naming the keys that are allowed. */
    public ConfigNode allowOnly(Collection<String> known) {
        requireKind(Kind.MAP, "a map");
        for (Map.Entry<String, ConfigNode> e : map.entrySet()) {
            if (!known.contains(e.getKey())) {
                ConfigNode v = e.getValue();
                throw new ConfigException(Reason.UNKNOWN_KEY, v.source, keyLines.getOrDefault(e.getKey(), v.line), v.path,
                        "unknown key '" + e.getKey() + "'; known keys here: " + String.join(", ", new TreeSet<>(known)));
            }
        }
        return this;
    }

    public String string(String key, String otherwise) {
        return get(key).map(ConfigNode::asString).orElse(otherwise);
    }

    public int integer(String key, int otherwise, int min, int max) {
        return get(key).map(n -> n.asInt(min, max)).orElse(otherwise);
    }

    public long longValue(String key, long otherwise, long min, long max) {
        return get(key).map(n -> n.asLong(min, max)).orElse(otherwise);
    }

    public double number(String key, double otherwise, double min, double max) {
        return get(key).map(n -> n.asDouble(min, max)).orElse(otherwise);
    }

    public boolean bool(String key, boolean otherwise) {
        return get(key).map(ConfigNode::asBoolean).orElse(otherwise);
    }

    public Duration duration(String key, Duration otherwise, Duration min, Duration max) {
        return get(key).map(n -> n.asDuration(min, max)).orElse(otherwise);
    }

    /**
     * {@code overlay} laid over {@code base}, as a profile that {@code extends} another is: maps are
     * merged key by key (recursively, keys of the base first, then new ones in the overlay's order),
     * anything else in the overlay replaces what the base has, and an empty value in the overlay
     * ({@code key:} or {@code key: null}) removes the key. Every node keeps the source and line it
     * came from, so errors point at the file that wrote the value.
     */
    public static ConfigNode merge(ConfigNode base, ConfigNode overlay) {
        if (base.kind != Kind.MAP || overlay.kind != Kind.MAP) {
            return overlay;
        }
        LinkedHashMap<String, ConfigNode> merged = new LinkedHashMap<>(base.map);
        Map<String, Integer> lines = new HashMap<>(base.keyLines);
        for (Map.Entry<String, ConfigNode> e : overlay.map.entrySet()) {
            ConfigNode below = merged.get(e.getKey());
            if (e.getValue().isNull()) {
                merged.remove(e.getKey());
                lines.remove(e.getKey());
                continue;
            }
            merged.put(e.getKey(), below != null ? merge(below, e.getValue()) : e.getValue());
            Integer keyLine = overlay.keyLines.get(e.getKey());
            if (keyLine != null) {
                lines.put(e.getKey(), keyLine);
            }
        }
        return new ConfigNode(overlay.source, overlay.line, overlay.path, Kind.MAP, null,
                Collections.unmodifiableMap(merged), List.of(), Map.copyOf(lines));
    }

    /** This map without {@code key} (for a key that has been consumed, such as {@code extends}). */
    public ConfigNode without(String key) {
        requireKind(Kind.MAP, "a map");
        LinkedHashMap<String, ConfigNode> rest = new LinkedHashMap<>(map);
        rest.remove(key);
        Map<String, Integer> lines = new HashMap<>(keyLines);
        lines.remove(key);
        return new ConfigNode(source, line, path, Kind.MAP, null, Collections.unmodifiableMap(rest), List.of(),
                Map.copyOf(lines));
    }

    /** A scalar converted by {@code parser}; an IllegalArgumentException from it becomes a located error. */
    public <T> Optional<T> parsed(String key, Function<String, T> parser) {
        return get(key).map(n -> n.parse(parser));
    }

    // ---------------------------------------------------------------- lists

    public List<ConfigNode> asList() {
        requireKind(Kind.LIST, "a list");
        return list;
    }

    /** The entries of this map as (key, node) pairs in document order. */
    public List<Map.Entry<String, ConfigNode>> entries() {
        requireKind(Kind.MAP, "a map");
        return new ArrayList<>(map.entrySet());
    }

    // ---------------------------------------------------------------- scalars

    public String asString() {
        requireKind(Kind.SCALAR, "a text value");
        return scalar;
    }

    public int asInt(int min, int max) {
        return (int) asLong(min, max);
    }

    public long asLong(long min, long max) {
        String s = asString().replace("_", "");
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(Reason.WRONG_TYPE, "expected an integer, got '" + scalar + "'");
        }
        if (v < min || v > max) {
            throw error(Reason.INVALID_VALUE, "must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    public double asDouble(double min, double max) {
        double v;
        try {
            v = new BigDecimal(asString().replace("_", "")).doubleValue();
        } catch (NumberFormatException e) {
            throw error(Reason.WRONG_TYPE, "expected a number, got '" + scalar + "'");
        }
        if (!(v >= min && v <= max)) {
            throw error(Reason.INVALID_VALUE, "must be between " + min + " and " + max + ", was " + scalar);
        }
        return v;
    }

    /** A size in bytes such as {@code 65536}, {@code 512KiB}, {@code 64MiB} or {@code 1GiB}, within min..max. */
    public long asSize(long min, long max) {
        long v = parseSize(asString()).orElseThrow(() -> error(Reason.WRONG_TYPE,
                "expected a size such as 65536, 512KiB, 64MiB or 1GiB, got '" + scalar + "'"));
        if (v < min || v > max) {
            throw error(Reason.INVALID_VALUE, "must be between " + sizeText(min) + " and " + sizeText(max) + ", was " + scalar);
        }
        return v;
    }

    /** Parses a size: a byte count, optionally with {@code KiB}, {@code MiB} or {@code GiB}; empty if it is not one. */
    public static OptionalLong parseSize(String text) {
        String s = text.strip();
        long unit = 1;
        for (String[] u : new String[][] {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"}}) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            long n = Long.parseLong(s.replace("_", ""));
            return n < 0 ? OptionalLong.empty() : OptionalLong.of(Math.multiplyExact(n, unit));
        } catch (NumberFormatException | ArithmeticException e) {
            return OptionalLong.empty();
        }
    }

    /** A size as {@link #parseSize} reads it, in the largest unit that divides it. */
    public static String sizeText(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes > 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return (bytes >> 10) + "KiB";
        }
        return Long.toString(bytes);
    }

    public boolean asBoolean() {
        return switch (asString().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(Reason.WRONG_TYPE, "expected true or false, got '" + scalar + "'");
        };
    }

    /** A duration such as {@code 500ms}, {@code 1.5s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 {@code PT1S}. */
    public Duration asDuration(Duration min, Duration max) {
        Duration d = parseDuration(asString()).orElseThrow(() -> error(Reason.WRONG_TYPE,
                "expected a duration such as 500ms, 1s, 5m, 2h or PT1S, got '" + scalar + "'"));
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw error(Reason.INVALID_VALUE, "must be between " + text(min) + " and " + text(max) + ", was " + scalar);
        }
        return d;
    }

    /** Parses a scalar with {@code parser}; its IllegalArgumentException message becomes a located error. */
    public <T> T parse(Function<String, T> parser) {
        String s = asString();
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            throw error(Reason.INVALID_VALUE, e.getMessage() == null ? "invalid value '" + s + "'" : e.getMessage());
        }
    }

    /** Parses {@code 500ms}, {@code 1.5s}, {@code 10m}/{@code 10min}, {@code 2h}, {@code 1d}, {@code 250us}, {@code 10ns} or ISO-8601. */
    public static Optional<Duration> parseDuration(String text) {
        String s = text.trim();
        if (s.regionMatches(true, 0, "P", 0, 1)) {
            try {
                return Optional.of(Duration.parse(s.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        long nanosPerUnit = switch (m.group(2)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m", "min" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
        try {
            return Optional.of(Duration.ofNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact()));
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** A duration written the way {@link #parseDuration} reads it, e.g. {@code 500ms}, {@code 30s}, {@code 1h}. */
    public static String text(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 86_400_000_000_000L == 0 && nanos != 0) {
            return nanos / 86_400_000_000_000L + "d";
        }
        if (nanos % 3_600_000_000_000L == 0 && nanos != 0) {
            return nanos / 3_600_000_000_000L + "h";
        }
        if (nanos % 60_000_000_000L == 0 && nanos != 0) {
            return nanos / 60_000_000_000L + "m";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        return nanos + "ns";
    }

    private void requireKind(Kind expected, String what) {
        if (kind != expected) {
            throw error(Reason.WRONG_TYPE, "expected " + what + ", got " + describe());
        }
    }

    private String describe() {
        return switch (kind) {
            case MAP -> "a map";
            case LIST -> "a list";
            case NULL -> "nothing";
            case SCALAR -> "'" + scalar + "'";
        };
    }

    @Override
    public String toString() {
        return source + ":" + line + ": " + (path.isEmpty() ? "(root)" : path) + " = " + describe();
    }
}
