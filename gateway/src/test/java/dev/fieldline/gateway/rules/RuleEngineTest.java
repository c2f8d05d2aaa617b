package dev.fieldline.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.trend.Trend;
import dev.fieldline.gateway.metrics.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import dev.fieldline.gateway.testing.ManualClock;

class RuleEngineTest {
    private final RecordingActionRunner runner = new RecordingActionRunner();
    private final RuleParser parser = new RuleParser(runner, List.of("zscore"));
    private final Metrics metrics = new Metrics();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RuleEngine engine = new RuleEngine(runner, d -> d.startsWith("north") ? Map.of("site", "north") : Map.of(),
            metrics, clock);

    static Observation obs(String device, String metric, long t, double value) {
        return obs(device, metric, t, value, 0, Trend.UNKNOWN);
    }

    static Observation obs(String device, String metric, long t, double value, double score, Trend trend) {
        return new Observation(new StreamKey(device, metric), t, value, 1, value, 0, value, value, value, 0, score,
                new double[] {score}, trend);
    }

    private List<Rule> rules(String yaml) {
        return parser.parseDocument("test", yaml);
    }

    @Test
    void firesOnceWhenTheConditionHeldForItsDurationAndClearsWhenItStops() {
        engine.replace(rules("rules: [{id: hot, metric: t, when: value > 75, for: 30s, actions: [{alert: {}}]}]"));

        engine.evaluate(obs("d", "t", 0, 80));
        engine.evaluate(obs("d", "t", 29_999, 81));
        assertThat(runner.calls).isEmpty();
        engine.evaluate(obs("d", "t", 30_000, 82));
        engine.evaluate(obs("d", "t", 40_000, 83));
        assertThat(runner.summary()).containsExactly("fired hot d/t 82.0");
        RuleFiring f = runner.calls.get(0).firing();
        assertThat(f.condition()).isEqualTo("value > 75 for 30s");
        assertThat(f.eventTime()).isEqualTo(Instant.ofEpochMilli(30_000));
    }

    @Test
    void aBreakRestartsTheDurationAndClearsOnlyWhatFired() {
        engine.replace(rules("rules: [{id: hot, when: value > 75, for: 10s}]"));
        engine.evaluate(obs("d", "t", 0, 80));
        engine.evaluate(obs("d", "t", 9_000, 70)); // broke: never fired, so nothing to clear
        engine.evaluate(obs("d", "t", 10_000, 80));
        engine.evaluate(obs("d", "t", 19_000, 80));
        assertThat(runner.calls).isEmpty();
        engine.evaluate(obs("d", "t", 20_000, 80));
        engine.evaluate(obs("d", "t", 21_000, 60));
        engine.evaluate(obs("d", "t", 22_000, 60));
        assertThat(runner.summary()).containsExactly("fired hot d/t 80.0", "cleared hot d/t 60.0");
        assertThat(metrics.get(RuleEngine.EVALUATIONS, "rule", "hot")).isEqualTo(7);
        assertThat(metrics.get(RuleEngine.FIRED, "rule", "hot")).isEqualTo(1);
    }

    @Test
    void withoutForItFiresAtOnceAndStreamsAreIndependent() {
        engine.replace(rules("rules: [{id: hot, when: value > 75}]"));
        engine.evaluate(obs("a", "t", 0, 80));
        engine.evaluate(obs("b", "t", 0, 70));
        engine.evaluate(obs("a", "u", 0, 90));
        engine.evaluate(obs("a", "t", 1, 85));
        assertThat(runner.summary()).containsExactly("fired hot a/t 80.0", "fired hot a/u 90.0");
        assertThat(engine.counts("hot")).isEqualTo(new RuleEngine.Counts(3, 2));
    }

    @Test
    void scopeByDeviceIdLabelAndMetric() {
        engine.replace(rules("""
                rules:
                  - {id: by-id, devices: [a], when: value > 0}
                  - {id: by-label, labels: {site: north}, when: value > 0}
                  - {id: by-metric, metrics: [h], when: value > 0}
                """));
        engine.evaluate(obs("a", "t", 0, 1));
        engine.evaluate(obs("north-1", "t", 0, 1));
        engine.evaluate(obs("b", "h", 0, 1));
        assertThat(runner.summary()).containsExactly("fired by-id a/t 1.0", "fired by-label north-1/t 1.0",
                "fired by-metric b/h 1.0");
        assertThat(metrics.get(RuleEngine.EVALUATIONS, "rule", "by-id")).isEqualTo(1);
        assertThat(metrics.get(RuleEngine.EVALUATIONS, "rule", "by-label")).isEqualTo(1);
    }

    @Test
    void scoresAndTrends() {
        Trend up = new Trend(Trend.Direction.INCREASING, Trend.Direction.INCREASING, 1, 0.001, 50);
        engine.replace(rules("""
                rules:
                  - {id: odd, when: anomaly_score > 0.9}
                  - {id: z, when: score.zscore >= 0.5}
                  - {id: rising, when: trend is increasing, for: 10m}
                """));
        engine.evaluate(obs("d", "t", 0, 21.5, 0.95, up));
        engine.evaluate(obs("d", "t", 600_000, 22, 0.1, up));
        // a firing carries the reading; what the condition tested and its limit are in the details
        assertThat(runner.summary()).containsExactly("fired odd d/t 21.5", "fired z d/t 21.5", "cleared odd d/t 22.0",
                "cleared z d/t 22.0", "fired rising d/t 22.0");
        assertThat(runner.calls.get(0).firing().details()).containsEntry("subject", 0.95).containsEntry("threshold", 0.9);
        assertThat(runner.calls.get(4).firing().details()).containsKey("subject").doesNotContainKey("threshold");
    }

    @Test
    void disablingOrChangingARuleClearsWhatItFired_unchangedRulesKeepTheirState() {
        List<Rule> both = rules("rules: [{id: a, when: value > 0}, {id: b, when: value > 0, for: 10s}]");
        engine.replace(both);
        engine.evaluate(obs("d", "t", 0, 1));
        assertThat(runner.summary()).containsExactly("fired a d/t 1.0");

        engine.replace(List.of(both.get(0).withEnabled(false), both.get(1)));
        assertThat(runner.summary()).containsExactly("fired a d/t 1.0", "cleared a d/t 1.0");
        engine.evaluate(obs("d", "t", 10_000, 1)); // b kept its "holding since 0"
        assertThat(runner.summary()).containsExactly("fired a d/t 1.0", "cleared a d/t 1.0", "fired b d/t 1.0");
        assertThat(metrics.get(RuleEngine.EVALUATIONS, "rule", "a")).isEqualTo(1);

        engine.replace(both);
        engine.evaluate(obs("d", "t", 11_000, 1));
        assertThat(runner.summary()).endsWith("fired a d/t 1.0");
    }

    @Test
    void aFailingRunnerIsCountedAndTheEngineGoesOn() {
        engine.replace(rules("rules: [{id: hook, when: value > 0}]"));
        runner.failing(true);
        engine.evaluate(obs("d", "t", 0, 1));
        engine.evaluate(obs("e", "t", 0, 1));
        assertThat(metrics.get(RuleEngine.FAILED, "rule", "hook")).isEqualTo(2);
        assertThat(metrics.get(RuleEngine.FIRED, "rule", "hook")).isEqualTo(2);
    }

    @Test
    void idleStreamsAreForgotten() {
        engine.replace(rules("rules: [{id: a, when: value > 0, for: 1m}]"));
        engine.evaluate(obs("d", "t", 0, 1));
        clock.advance(Duration.ofMinutes(5));
        engine.evaluate(obs("e", "t", 0, 1));
        assertThat(engine.expireIdle(Duration.ofMinutes(1))).isEqualTo(1);
        assertThat(engine.streams("a", 10)).extracting(v -> v.key().deviceId()).containsExactly("e");
    }
}
