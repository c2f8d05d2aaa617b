package dev.fieldline.gateway.rules;

import dev.fieldline.config.ConfigException;
import dev.fieldline.config.ConfigException.Reason;
import dev.fieldline.config.ConfigNode;
import dev.fieldline.config.YamlDocuments;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Reads and writes rules: the rules file ({@code rules: [...]}) and single rules of the REST API,
 * which are the same shape in JSON (JSON is YAML, so one reader, {@link YamlDocuments}, serves
 * both and they fail with the same messages). Strict: an unknown key, a bad duration or condition,
 * an unknown action type or a setting the {@link ActionRunner} refuses is a {@link RuleException}
 * naming the rule, the field and what would be valid. See {@code docs/analytics.md#rules}.
 */
public final class RuleParser {
    /** Largest rules document, in characters. */
    public static final int MAX_CHARS = 256 * 1024;
    /** Most rules in one file. */
    public static final int MAX_RULES = 1_000;
    /** Longest {@code for}. */
    public static final Duration MAX_HOLD = Duration.ofDays(7);
    static final int MAX_LIST = 1_000;

    static final Set<String> RULE_KEYS = Set.of("id", "name", "enabled", "devices", "labels", "metric", "metrics", "when", "for",
            "severity", "actions");

    private final ActionRunner runner;
    private final List<String> detectors;

    /**
     * @param runner validates the actions (their types and settings)
     * @param detectors the stream engine's detector names, which {@code score.<detector>} may name
     */
    public RuleParser(ActionRunner runner, List<String> detectors) {
        this.runner = runner;
        this.detectors = List.copyOf(detectors);
    }

    /** Reads a rules document ({@code rules: [...]}; an empty document has no rules). */
    public List<Rule> parseDocument(String source, String text) {
        ConfigNode root = read(source, text);
        try {
            if (root.kind() != ConfigNode.Kind.MAP) {
                throw root.error(Reason.WRONG_TYPE, "expected a map with the key 'rules'");
            }
            root.allowOnly(Set.of("rules"));
            if (root.get("rules").isEmpty()) {
                return List.of();
            }
            ConfigNode list = root.require("rules");
            if (list.kind() != ConfigNode.Kind.LIST) {
                throw list.error(Reason.WRONG_TYPE, "expected a list of rules");
            }
            List<ConfigNode> items = list.asList();
            if (items.size() > MAX_RULES) {
                throw list.error(Reason.INVALID_VALUE, items.size() + " rules; at most " + MAX_RULES + " are allowed");
            }
            List<Rule> rules = new ArrayList<>();
            Map<String, Integer> lines = new LinkedHashMap<>();
            for (ConfigNode item : items) {
                Rule r = rule(item);
                Integer first = lines.putIfAbsent(r.id(), item.line());
                if (first != null) {
                    throw new RuleException(RuleException.INVALID, "rule '" + r.id() + "': " + item.error(Reason.DUPLICATE_KEY,
                            "id '" + r.id() + "' is used twice (first at line " + first + ")").getMessage());
                }
                rules.add(r);
            }
            return List.copyOf(rules);
        } catch (ConfigException e) {
            throw new RuleException(RuleException.INVALID, e.getMessage(), e);
        }
    }

    /** Reads one rule (a REST body, JSON or YAML). */
    public Rule parseRule(String source, String text) {
        return rule(read(source, text));
    }

    private static ConfigNode read(String source, String text) {
        if (text.length() > MAX_CHARS) {
            throw new RuleException(RuleException.INVALID, source + ": " + text.length() + " characters; at most " + MAX_CHARS
                    + " are allowed");
        }
        try {
            return YamlDocuments.parse(source, text);
        } catch (ConfigException e) {
            throw new RuleException(RuleException.INVALID, e.getMessage(), e);
        }
    }

    private Rule rule(ConfigNode n) {
        String id = "?";
        try {
            if (n.kind() != ConfigNode.Kind.MAP) {
                throw n.error(Reason.WRONG_TYPE, "expected a rule (a map with id, when, ...)");
            }
            if (n.get("id").isPresent() && n.require("id").kind() == ConfigNode.Kind.SCALAR) {
                id = n.require("id").asString();
            }
            ConfigNode idNode = n.require("id");
            id = idNode.parse(s -> {
                if (!Rule.ID.matcher(s).matches()) {
                    throw new IllegalArgumentException("'" + s + "' is not a rule id (1-64 of a-z 0-9 -)");
                }
                return s;
            });
            n.allowOnly(RULE_KEYS);
            if (n.get("metric").isPresent() && n.get("metrics").isPresent()) {
                throw n.require("metrics").error(Reason.INVALID_VALUE, "give either metric or metrics, not both");
            }
            Set<String> metrics = n.get("metric").map(m -> Set.of(name(m))).orElseGet(() ->
                    n.get("metrics").map(m -> names(m, false)).orElse(Set.of()));
            ConfigNode when = n.require("when");
            Condition condition = when.parse(s -> Condition.parse(s, detectors));
            Duration hold = n.get("for").map(f -> f.asDuration(Duration.ZERO, MAX_HOLD)).orElse(Duration.ZERO);
            Severity severity = n.get("severity").map(s -> s.parse(v -> Severity.fromCode(v).orElseThrow(() ->
                    new IllegalArgumentException("unknown severity '" + v + "'; valid: info, warning, critical"))))
                    .orElse(Severity.WARNING);
            return new Rule(id, n.get("name").map(ConfigNode::asString).orElse(""), n.get("enabled").map(ConfigNode::asBoolean)
                    .orElse(true), n.get("devices").map(d -> names(d, true)).orElse(Set.of()),
                    n.get("labels").map(RuleParser::labels).orElse(Map.of()), metrics, condition, hold, severity,
                    n.get("actions").map(this::actions).orElse(List.of()));
        } catch (ConfigException e) {
            throw new RuleException(RuleException.INVALID, "rule '" + id + "': " + e.getMessage(), e);
        }
    }

    private static String name(ConfigNode n) {
        String s = n.asString();
        if (s.isEmpty() || s.length() > 64) {
            throw n.error(Reason.INVALID_VALUE, "a metric name is 1-64 characters, was '" + s + "'");
        }
        return s;
    }

    private static Set<String> names(ConfigNode list, boolean deviceIds) {
        if (list.kind() != ConfigNode.Kind.LIST) {
            throw list.error(Reason.WRONG_TYPE, "expected a list such as [a, b]");
        }
        if (list.asList().size() > MAX_LIST) {
            throw list.error(Reason.INVALID_VALUE, "at most " + MAX_LIST + " entries");
        }
        Set<String> out = new LinkedHashSet<>();
        for (ConfigNode item : list.asList()) {
            if (deviceIds) {
                out.add(item.parse(s -> DeviceIds.require(s, "device id")));
            } else {
                out.add(name(item));
            }
        }
        return out;
    }

    private static Map<String, String> labels(ConfigNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : n.entries()) {
            out.put(e.getKey(), e.getValue().asString());
        }
        return out;
    }

    private List<ActionSpec> actions(ConfigNode list) {
        if (list.kind() != ConfigNode.Kind.LIST) {
            throw list.error(Reason.WRONG_TYPE, "expected a list of actions such as [{alert: {}}, {webhook: {url: ...}}]");
        }
        List<ActionSpec> out = new ArrayList<>();
        for (ConfigNode item : list.asList()) {
            if (item.kind() != ConfigNode.Kind.MAP || item.keys().size() != 1) {
                throw item.error(Reason.WRONG_TYPE, "an action is a map with one key, its type, e.g. {alert: {}}");
            }
            String type = item.keys().iterator().next();
            if (!runner.types().contains(type)) {
                throw item.error(Reason.UNKNOWN_KEY, "unknown action type '" + type + "'; known: "
                        + (runner.types().isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(runner.types()))));
            }
            Map<String, Object> settings = item.get(type).map(s -> {
                if (s.kind() != ConfigNode.Kind.MAP) {
                    throw s.error(Reason.WRONG_TYPE, "expected the action's settings as a map, e.g. {}");
                }
                return RuleParser.<Map<String, Object>>settings(s);
            }).orElse(Map.of());
            ActionSpec spec = new ActionSpec(type, settings);
            List<String> problems = runner.validate(spec);
            if (!problems.isEmpty()) {
                ConfigNode at = item.get(type).orElse(item);
                throw at.error(Reason.INVALID_VALUE, String.join("; ", problems));
            }
            out.add(spec);
        }
        return out;
    }

    /** Settings as plain values: maps, lists, booleans, whole numbers (Long), decimals (Double) and text. */
    @SuppressWarnings("unchecked")
    private static <T> T settings(ConfigNode n) {
        return (T) switch (n.kind()) {
            case MAP -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (Map.Entry<String, ConfigNode> e : n.entries()) {
                    if (e.getValue().isNull()) {
                        throw e.getValue().error(Reason.INVALID_VALUE, "empty value; give a value or leave the key out");
                    }
                    m.put(e.getKey(), settings(e.getValue()));
                }
                yield m;
            }
            case LIST -> {
                List<Object> l = new ArrayList<>();
                for (ConfigNode item : n.asList()) {
                    if (item.isNull()) {
                        throw item.error(Reason.INVALID_VALUE, "empty list entry");
                    }
                    l.add(settings(item));
                }
                yield l;
            }
            case SCALAR -> scalar(n.asString());
            case NULL -> throw n.error(Reason.INVALID_VALUE, "empty value");
        };
    }

    private static Object scalar(String s) {
        if (s.equals("true") || s.equals("false")) {
            return Boolean.valueOf(s);
        }
        if (s.matches("-?(0|[1-9][0-9]{0,17})")) {
            return Long.valueOf(s);
        }
        if (s.matches("-?[0-9]+\\.[0-9]+([eE][-+]?[0-9]+)?")) {
            return Double.valueOf(s);
        }
        return s;
    }

    // ------------------------------------------------------------------ writing

    /** A rule in the file's shape, keys in the documented order (also the REST API's view of it). */
    public static Map<String, Object> describe(Rule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        if (!r.name().isEmpty()) {
            m.put("name", r.name());
        }
        m.put("enabled", r.enabled());
        if (!r.devices().isEmpty()) {
            m.put("devices", new ArrayList<>(new TreeSet<>(r.devices())));
        }
        if (!r.labels().isEmpty()) {
            m.put("labels", new LinkedHashMap<>(new java.util.TreeMap<>(r.labels())));
        }
        if (r.metrics().size() == 1) {
            m.put("metric", r.metrics().iterator().next());
        } else if (!r.metrics().isEmpty()) {
            m.put("metrics", new ArrayList<>(new TreeSet<>(r.metrics())));
        }
        m.put("when", r.when().text());
        if (!r.holdFor().isZero()) {
            m.put("for", ConfigNode.text(r.holdFor()));
        }
        m.put("severity", r.severity().code());
        List<Object> actions = new ArrayList<>();
        for (ActionSpec a : r.actions()) {
            actions.add(Map.of(a.type(), a.settings()));
        }
        m.put("actions", actions);
        return m;
    }

    /** The rules file for these rules; {@link #parseDocument} reads it back to equal rules. */
    public static String toYaml(List<Rule> rules) {
        List<Object> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Rule r : rules) {
            if (!seen.add(r.id())) {
                throw new IllegalArgumentException("rule id '" + r.id() + "' twice");
            }
            list.add(describe(r));
        }
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
                .setIndicatorIndent(2).setIndentWithIndicator(true).setWidth(120).build();
        String header = "# Fieldline gateway rules (docs/analytics.md#rules). Edits here are applied within a second;\n"
                + "# the REST API (/api/v1/rules) rewrites this file.\n";
        if (list.isEmpty()) {
            return header + "rules: []\n";
        }
        return header + new Dump(settings).dumpToString(Map.of("rules", list));
    }
}
