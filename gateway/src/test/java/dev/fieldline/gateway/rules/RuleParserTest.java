package dev.fieldline.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.analytics.trend.Trend;
import dev.fieldline.protocol.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RuleParserTest {
    private final RuleParser parser = new RuleParser(new RecordingActionRunner(), List.of("zscore", "cusum"));

    @Test
    void readsTheDocumentedShape() {
        String yaml = """
                rules:
                  - id: greenhouse-hot
                    name: Greenhouse too hot
                    enabled: true
                    devices: [gh-1, gh-2]
                    labels: {site: north}
                    metric: temperature
                    when: value > 75
                    for: 30s
                    severity: critical
                    actions:
                      - alert: {}
                      - command: {name: led, args: {on: true, level: 3, ratio: 0.5}}
                      - webhook: {url: "https://example.test/hook"}
                      - forward:
                  - id: drifting
                    metrics: [humidity, pressure]
                    when: trend is increasing
                    for: 10m
                  - id: odd
                    when: score.cusum >= 0.9
                """;
        List<Rule> rules = parser.parseDocument("rules.yaml", yaml);

        assertThat(rules).hasSize(3);
        Rule hot = rules.get(0);
        assertThat(hot.id()).isEqualTo("greenhouse-hot");
        assertThat(hot.name()).isEqualTo("Greenhouse too hot");
        assertThat(hot.devices()).containsExactlyInAnyOrder("gh-1", "gh-2");
        assertThat(hot.labels()).isEqualTo(Map.of("site", "north"));
        assertThat(hot.metrics()).containsExactly("temperature");
        assertThat(hot.when()).isEqualTo(new Condition.Compare(Condition.Quantity.VALUE, "", -1, Condition.Op.GT, 75));
        assertThat(hot.holdFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(hot.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(hot.actions()).containsExactly(new ActionSpec("alert", Map.of()),
                new ActionSpec("command", Map.of("name", "led", "args", Map.of("on", true, "level", 3L, "ratio", 0.5))),
                new ActionSpec("webhook", Map.of("url", "https://example.test/hook")), new ActionSpec("forward", Map.of()));
        assertThat(hot.conditionText()).isEqualTo("value > 75 for 30s");

        Rule drifting = rules.get(1);
        assertThat(drifting.enabled()).isTrue();
        assertThat(drifting.severity()).isEqualTo(Severity.WARNING);
        assertThat(drifting.metrics()).containsExactlyInAnyOrder("humidity", "pressure");
        assertThat(drifting.when()).isEqualTo(new Condition.TrendIs(Trend.Direction.INCREASING));
        assertThat(drifting.holdFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(rules.get(2).when()).isEqualTo(new Condition.Compare(Condition.Quantity.SCORE, "cusum", 1, Condition.Op.GE, 0.9));
        assertThat(rules.get(2).devices()).isEmpty();
        assertThat(rules.get(2).metrics()).isEmpty();
    }

    @Test
    void whatItWritesItReadsBackEqual() {
        List<Rule> rules = parser.parseDocument("a", """
                rules:
                  - {id: a, name: "A: hot", devices: [d-1], labels: {site: north, row: "3"}, metric: t, when: "mean <= -2.5", for: 1500ms,
                     actions: [{command: {name: led, args: {on: false, list: [1, two]}}}]}
                  - {id: b, enabled: false, metrics: [x, y], when: "rate != 0", severity: info}
                  - {id: c, when: trend is stable}
                """);
        String yaml = RuleParser.toYaml(rules);
        assertThat(parser.parseDocument("b", yaml)).isEqualTo(rules);
        assertThat(parser.parseDocument("c", RuleParser.toYaml(List.of()))).isEmpty();
    }

    @Test
    void aJsonBodyIsTheSameShape() {
        Rule r = parser.parseRule("request body", """
                {"id": "j", "metric": "temperature", "when": "anomaly_score > 0.9", "for": "PT5S",
                 "actions": [{"alert": {}}, {"command": {"name": "led", "args": {"on": true}}}]}""");
        assertThat(r.when().text()).isEqualTo("anomaly_score > 0.9");
        assertThat(r.holdFor()).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.actions().get(1).settings()).isEqualTo(Map.of("name", "led", "args", Map.of("on", true)));
    }

    @Test
    void anEmptyFileHasNoRules() {
        assertThat(parser.parseDocument("rules.yaml", "")).isEmpty();
        assertThat(parser.parseDocument("rules.yaml", "rules:\n")).isEmpty();
        assertThat(parser.parseDocument("rules.yaml", "rules: []\n")).isEmpty();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("rules:\n  - {id: a, when: value > 1, colour: red}\n",
                        "rule 'a': rules.yaml:2: rules[0].colour: unknown key 'colour'; known keys here: actions, devices, enabled,"
                                + " for, id, labels, metric, metrics, name, severity, when"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, for: 30 seconds}\n",
                        "rule 'a': rules.yaml:2: rules[0].for: expected a duration such as 500ms, 1s, 5m, 2h or PT1S, got '30 seconds'"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, for: 8d}\n",
                        "rule 'a': rules.yaml:2: rules[0].for: must be between 0s and 7d, was 8d"),
                Arguments.of("rules:\n  - {id: a, when: value >> 1}\n",
                        "rule 'a': rules.yaml:2: rules[0].when: cannot read 'value >> 1'; valid: " + Condition.FORMS),
                Arguments.of("rules:\n  - {id: a, when: temperature > 75}\n",
                        "rule 'a': rules.yaml:2: rules[0].when: unknown quantity 'temperature'; valid: value, mean, stddev, ewma,"
                                + " rate, min, max, anomaly_score, score.<detector> (or 'trend is ...')"),
                Arguments.of("rules:\n  - {id: a, when: value > hot}\n",
                        "rule 'a': rules.yaml:2: rules[0].when: 'hot' is not a finite number (in 'value > hot')"),
                Arguments.of("rules:\n  - {id: a, when: score.lstm > 0.5}\n",
                        "rule 'a': rules.yaml:2: rules[0].when: no detector 'lstm' runs on the streams; known: zscore, cusum"),
                Arguments.of("rules:\n  - {id: a, when: trend is up}\n",
                        "rule 'a': rules.yaml:2: rules[0].when: unknown trend 'up'; valid: increasing, decreasing, stable"),
                Arguments.of("rules:\n  - {id: a}\n", "rule 'a': rules.yaml:2: rules[0]: required key 'when' is missing"),
                Arguments.of("rules:\n  - {when: value > 1}\n", "rule '?': rules.yaml:2: rules[0]: required key 'id' is missing"),
                Arguments.of("rules:\n  - {id: Hot_Rule, when: value > 1}\n",
                        "rule 'Hot_Rule': rules.yaml:2: rules[0].id: 'Hot_Rule' is not a rule id (1-64 of a-z 0-9 -)"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, severity: high}\n",
                        "rule 'a': rules.yaml:2: rules[0].severity: unknown severity 'high'; valid: info, warning, critical"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, enabled: yes}\n",
                        "rule 'a': rules.yaml:2: rules[0].enabled: expected true or false, got 'yes'"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, devices: gh-1}\n",
                        "rule 'a': rules.yaml:2: rules[0].devices: expected a list such as [a, b]"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, devices: [\"-bad\"]}\n",
                        "rule 'a': rules.yaml:2: rules[0].devices[0]: device id '-bad' is not a valid device id: 1-64 of A-Z a-z 0-9 . _ -,"
                                + " starting with a letter or digit"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, metric: t, metrics: [u]}\n",
                        "rule 'a': rules.yaml:2: rules[0].metrics: give either metric or metrics, not both"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, actions: [{sms: {to: 1}}]}\n",
                        "rule 'a': rules.yaml:2: rules[0].actions[0]: unknown action type 'sms'; known: alert, command, forward,"
                                + " webhook"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, actions: [{webhook: {url: ftp://x}}]}\n",
                        "rule 'a': rules.yaml:2: rules[0].actions[0].webhook: url: required, an http:// or https:// URL"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, actions: [{alert: {}, webhook: {}}]}\n",
                        "rule 'a': rules.yaml:2: rules[0].actions[0]: an action is a map with one key, its type, e.g. {alert: {}}"),
                Arguments.of("rules:\n  - {id: a, when: value > 1, actions: [{command: [led]}]}\n",
                        "rule 'a': rules.yaml:2: rules[0].actions[0].command: expected the action's settings as a map, e.g. {}"),
                Arguments.of("rules:\n  - {id: a, when: value > 1}\n  - {id: a, when: value < 1}\n",
                        "rule 'a': rules.yaml:3: rules[1]: id 'a' is used twice (first at line 2)"),
                Arguments.of("rule:\n  - {id: a, when: value > 1}\n", "rules.yaml:1: rule: unknown key 'rule'; known keys here: rules"),
                Arguments.of("rules: {id: a}\n", "rules.yaml:1: rules: expected a list of rules"),
                Arguments.of("rules: [\n", "rules.yaml:2: expected the node content, but found '<stream end>'")
        );
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void refusesNamingTheRuleTheFieldAndTheValidForms(String yaml, String message) {
        assertThatThrownBy(() -> parser.parseDocument("rules.yaml", yaml))
                .isInstanceOf(RuleException.class)
                .hasMessage(message)
                .extracting(e -> ((RuleException) e).code()).isEqualTo(RuleException.INVALID);
    }

    @Test
    void sizeLimits() {
        StringBuilder many = new StringBuilder("rules:\n");
        for (int i = 0; i <= RuleParser.MAX_RULES; i++) {
            many.append("  - {id: r").append(i).append(", when: value > 1}\n");
        }
        assertThatThrownBy(() -> parser.parseDocument("rules.yaml", many.toString()))
                .hasMessage("rules.yaml:2: rules: 1001 rules; at most 1000 are allowed");
        String huge = "rules: []\n#" + "x".repeat(RuleParser.MAX_CHARS);
        assertThatThrownBy(() -> parser.parseDocument("rules.yaml", huge))
                .hasMessage("rules.yaml: " + huge.length() + " characters; at most " + RuleParser.MAX_CHARS + " are allowed");
    }

    @Test
    void scopeByDeviceMetricAndLabels() {
        Rule r = parser.parseRule("body", "{id: s, devices: [a, b], metric: t, labels: {site: north}, when: value > 1}");
        DeviceLabels labels = d -> d.equals("a") ? Map.of("site", "north", "row", "1") : Map.of("site", "south");
        assertThat(r.covers(new dev.fieldline.analytics.StreamKey("a", "t"), labels)).isTrue();
        assertThat(r.covers(new dev.fieldline.analytics.StreamKey("a", "u"), labels)).isFalse();
        assertThat(r.covers(new dev.fieldline.analytics.StreamKey("b", "t"), labels)).isFalse();
        assertThat(r.covers(new dev.fieldline.analytics.StreamKey("c", "t"), labels)).isFalse();
        assertThat(Set.of(r.id())).containsExactly("s");
    }
}
