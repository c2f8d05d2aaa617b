package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.rules.RuleFiring;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An alert message with placeholders filled from the firing: {@code {rule}} (name), {@code {ruleId}},
 * {@code {device}}, {@code {metric}}, {@code {value}}, {@code {condition}}, {@code {severity}},
 * {@code {time}} (event time) and {@code {details.NAME}} (a detail the rule gave, empty if absent).
 * Braces are only for placeholders.
 */
final class MessageTemplate {
    static final int MAX_LENGTH = 500;
    static final MessageTemplate DEFAULT = new MessageTemplate("{rule}: {condition} ({metric} = {value} on {device})");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final Set<String> NAMES = Set.of("rule", "ruleId", "device", "metric", "value", "condition", "severity", "time");

    private final String text;

    private MessageTemplate(String text) {
        this.text = text;
    }

    /** Problems with the template (unknown placeholders, stray braces); empty when valid. */
    static List<String> problems(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder rest = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            if (!NAMES.contains(name) && !(name.startsWith("details.") && name.length() > "details.".length())) {
                out.add("has an unknown placeholder {" + name + "} (known: {rule}, {ruleId}, {device}, {metric}, {value}, "
                        + "{condition}, {severity}, {time}, {details.NAME})");
            }
            m.appendReplacement(rest, "");
        }
        m.appendTail(rest);
        if (rest.indexOf("{") >= 0 || rest.indexOf("}") >= 0) {
            out.add("has a brace outside a placeholder");
        }
        return out;
    }

    static MessageTemplate of(String text) {
        List<String> p = problems(text);
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("message " + p.get(0));
        }
        return new MessageTemplate(text);
    }

    String render(RuleFiring f) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = switch (name) {
                case "rule" -> f.ruleName();
                case "ruleId" -> f.ruleId();
                case "device" -> f.deviceId();
                case "metric" -> f.metric();
                case "value" -> number(f.value());
                case "condition" -> f.condition();
                case "severity" -> f.severity().code();
                case "time" -> f.eventTime().toString();
                default -> detail(f.details().get(name.substring("details.".length())));
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String detail(Object v) {
        return v instanceof Double d ? number(d) : v == null ? "" : String.valueOf(v);
    }

    /** Six significant digits, no exponent or trailing zeros: {@code 80}, {@code 0.912345}. */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
