package dev.fieldline.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleFileTest {
    @TempDir
    Path dir;

    private final RecordingActionRunner runner = new RecordingActionRunner();
    private final RuleParser parser = new RuleParser(runner, List.of());
    private final Metrics metrics = new Metrics();
    private final RuleEngine engine = new RuleEngine(runner, d -> Map.of(), metrics, Clock.systemUTC());

    private static void edit(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }

    @Test
    void createdEmptyWhenAbsent() throws IOException {
        Path file = dir.resolve("sub/rules.yaml");
        try (RuleFile f = RuleFile.open(file, parser, engine, metrics)) {
            assertThat(engine.rules()).isEmpty();
            assertThat(parser.parseDocument("x", Files.readString(file))).isEmpty();
            assertThat(f.lastError()).isEmpty();
        }
    }

    @Test
    void anInvalidFileAtStartIsRefused() throws IOException {
        Path file = dir.resolve("rules.yaml");
        edit(file, "rules: [{id: a, when: value > x}]\n");
        assertThatThrownBy(() -> RuleFile.open(file, parser, engine, metrics))
                .isInstanceOf(RuleException.class)
                .hasMessageContaining("rule 'a': " + file + ":1: rules[0].when: 'x' is not a finite number");
    }

    @Test
    void editsAreWatched_aBrokenEditKeepsTheRulesInForce() throws IOException {
        Path file = dir.resolve("rules.yaml");
        edit(file, "rules: [{id: a, when: value > 1, for: 10s}]\n");
        try (RuleFile f = RuleFile.open(file, parser, engine, metrics).watch()) {
            engine.evaluate(RuleEngineTest.obs("d", "t", 0, 5));

            edit(file, "rules:\n  - {id: a, when: value > 1, for: 10s}\n  - {id: b, when: value < 0}\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.rules().size() == 2);
            engine.evaluate(RuleEngineTest.obs("d", "t", 10_000, 5));
            assertThat(runner.summary()).as("rule a kept its state across the reload").containsExactly("fired a d/t 5.0");

            edit(file, "rules:\n  - {id: a, when: value > 1, for: 10s}\n  - {id: b, when: value << 0}\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> f.lastError().isPresent());
            assertThat(f.lastError().get()).startsWith("rule 'b': " + file + ":3: rules[1].when: cannot read 'value << 0'");
            assertThat(metrics.get(RuleFile.RELOAD_FAILED)).isEqualTo(1);
            assertThat(engine.rules()).extracting(Rule::id).containsExactly("a", "b");

            edit(file, "rules: []\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.rules().isEmpty());
            assertThat(f.lastError()).isEmpty();
            assertThat(runner.summary()).containsExactly("fired a d/t 5.0", "cleared a d/t 5.0");
        }
    }

    @Test
    void apiChangesRewriteTheFileAtomically() throws IOException {
        Path file = dir.resolve("rules.yaml");
        try (RuleFile f = RuleFile.open(file, parser, engine, metrics)) {
            Rule a = parser.parseRule("body", "{id: a, metric: t, when: value > 1}");
            f.create(a);
            assertThatThrownBy(() -> f.create(a)).isInstanceOf(RuleException.class)
                    .hasMessage("a rule with id 'a' already exists")
                    .extracting(e -> ((RuleException) e).code()).isEqualTo(RuleException.DUPLICATE);
            f.create(parser.parseRule("body", "{id: b, when: value < 1}"));
            f.update(parser.parseRule("body", "{id: a, metric: t, when: value > 2}"));
            f.setEnabled("b", false);
            assertThat(parser.parseDocument("file", Files.readString(file))).isEqualTo(engine.rules());
            assertThat(engine.rules()).extracting(r -> r.when().text() + " " + r.enabled())
                    .containsExactly("value > 2 true", "value < 1 false");

            f.delete("a");
            assertThatThrownBy(() -> f.delete("a")).hasMessage("no rule with id 'a'");
            assertThat(parser.parseDocument("file", Files.readString(file))).extracting(Rule::id).containsExactly("b");
            assertThat(f.poll()).as("its own writes are not reloaded").isFalse();
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("rules.yaml");
            }
        }
    }

    @Test
    void anEditNotYetPickedUpIsNotUndoneByAnApiChange() throws IOException {
        Path file = dir.resolve("rules.yaml");
        try (RuleFile f = RuleFile.open(file, parser, engine, metrics)) {
            edit(file, "rules: [{id: by-hand, when: value > 1}]\n");
            f.create(parser.parseRule("body", "{id: by-api, when: value > 1}"));
            assertThat(engine.rules()).extracting(Rule::id).containsExactly("by-hand", "by-api");
        }
    }
}
