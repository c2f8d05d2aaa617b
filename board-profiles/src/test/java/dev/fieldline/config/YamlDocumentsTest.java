package dev.fieldline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.config.ConfigException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlDocumentsTest {

    @Test
    void typedAccessorsReadValuesWithLocations() {
        ConfigNode root = YamlDocuments.parse("t.yaml", """
                a: 5
                b:
                  c: 1.5s
                  d: [x, y]
                e:
                """);
        assertThat(root.integer("a", 0, 0, 10)).isEqualTo(5);
        ConfigNode b = root.require("b");
        assertThat(b.line()).isEqualTo(3);
        assertThat(b.duration("c", Duration.ZERO, Duration.ZERO, Duration.ofHours(1))).isEqualTo(Duration.ofMillis(1500));
        assertThat(b.require("d").asList()).extracting(ConfigNode::asString).containsExactly("x", "y");
        assertThat(b.require("d").asList().get(1).path()).isEqualTo("b.d[1]");
        assertThat(root.get("e")).isEmpty();
        assertThat(root.string("missing", "dflt")).isEqualTo("dflt");
    }

    @Test
    void wrongTypeNamesFileLineAndPath() {
        ConfigNode root = YamlDocuments.parse("agent.yaml", "x: 1\nreconnect:\n  max: soon\n");
        assertThatThrownBy(() -> root.require("reconnect").duration("max", Duration.ZERO, Duration.ZERO, Duration.ofDays(1)))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE);
                    assertThat(e.line()).hasValue(3);
                    assertThat(e.path()).isEqualTo("reconnect.max");
                    assertThat(e.getMessage()).startsWith("agent.yaml:3: reconnect.max: expected a duration");
                });
    }

    @Test
    void outOfRangeAndUnknownAndMissingKeys() {
        ConfigNode root = YamlDocuments.parse("f.yaml", "n: 300\ntypo: 1\n");
        assertThatThrownBy(() -> root.integer("n", 0, 0, 255))
                .hasMessage("f.yaml:1: n: must be between 0 and 255, was 300");
        assertThatThrownBy(() -> root.allowOnly(Set.of("n", "type")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY))
                .hasMessage("f.yaml:2: typo: unknown key 'typo'; known keys here: n, type");
        assertThatThrownBy(() -> root.require("m"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_KEY))
                .hasMessageContaining("required key 'm' is missing");
    }

    @Test
    void syntaxAndDuplicateErrorsCarryTheLine() {
        assertThatThrownBy(() -> YamlDocuments.parse("s.yaml", "a: 1\nb: [1, 2\nc: 3\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.SYNTAX);
                    assertThat(e.line()).isPresent();
                    assertThat(e.source()).isEqualTo("s.yaml");
                });
        assertThatThrownBy(() -> YamlDocuments.parse("d.yaml", "a: 1\nb: 2\na: 3\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_KEY);
                    assertThat(e.line()).hasValue(3);
                    assertThat(e.path()).isEqualTo("a");
                });
        assertThatThrownBy(() -> YamlDocuments.parse("a.yaml", "a: &x 1\nb: *x\n"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void missingFileIsNotFound(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> YamlDocuments.read(f))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
        Files.writeString(f, "");
        assertThat(YamlDocuments.read(f).keys()).isEmpty();
    }

    @Test
    void durationsInBothNotations() {
        assertThat(ConfigNode.parseDuration("500ms")).hasValue(Duration.ofMillis(500));
        assertThat(ConfigNode.parseDuration("2h")).hasValue(Duration.ofHours(2));
        assertThat(ConfigNode.parseDuration("10min")).hasValue(Duration.ofMinutes(10));
        assertThat(ConfigNode.parseDuration("PT0.1S")).hasValue(Duration.ofMillis(100));
        assertThat(ConfigNode.parseDuration("5")).isEmpty();
        assertThat(ConfigNode.text(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(ConfigNode.text(Duration.ofSeconds(30))).isEqualTo("30s");
    }
}
