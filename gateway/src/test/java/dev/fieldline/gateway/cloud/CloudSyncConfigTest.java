package dev.fieldline.gateway.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.config.Backoff;
import dev.fieldline.config.ConfigException;
import dev.fieldline.config.YamlDocuments;
import dev.fieldline.gateway.cloud.CloudSyncConfig.HttpTarget;
import dev.fieldline.gateway.cloud.CloudSyncConfig.MqttTarget;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudSyncConfigTest {
    @TempDir
    Path dir;

    private static CloudSyncConfig parse(String yaml) {
        return CloudSyncConfig.fromYaml(YamlDocuments.parse("cloud.yaml", yaml));
    }

    @Test
    void aFullHttpConfigurationFromAFile() throws Exception {
        Path file = dir.resolve("cloud.yaml");
        Files.writeString(file, """
                target:
                  http:
                    url: https://cloud.example.com/v1/ingest
                    token: s3cret
                    headers: {X-Site: greenhouse-3}
                    batch-size: 50
                    batch-bytes: 128KiB
                    timeout: 5s
                selection:
                  readings: {metrics: [temperature], above: 50}
                  anomalies: {min-score: 0.9}
                  aggregates: {window: tumbling 1m, metrics: [temperature, humidity]}
                  alerts: true
                outbox: {max-records: 1000, max-size: 1MiB}
                backoff: {initial: 500ms, max: 1m, jitter: 0.1}
                """);
        CloudSyncConfig c = CloudSyncConfig.load(file);
        HttpTarget h = (HttpTarget) c.target();
        assertThat(h.url()).isEqualTo(URI.create("https://cloud.example.com/v1/ingest"));
        assertThat(h.token()).contains("s3cret");
        assertThat(h.headers()).containsEntry("X-Site", "greenhouse-3");
        assertThat(h.batchSize()).isEqualTo(50);
        assertThat(h.batchBytes()).isEqualTo(128 * 1024);
        assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(h.toString()).doesNotContain("s3cret");
        assertThat(c.selection().readings().orElseThrow().metrics()).containsExactly("temperature");
        assertThat(c.selection().readings().orElseThrow().above()).contains(50.0);
        assertThat(c.selection().anomalyMinScore()).contains(0.9);
        assertThat(c.selection().aggregates().orElseThrow().window().text()).isEqualTo("tumbling 1m");
        assertThat(c.selection().aggregates().orElseThrow().metrics()).isEqualTo(Set.of("temperature", "humidity"));
        assertThat(c.selection().alerts()).isTrue();
        assertThat(c.maxRecords()).isEqualTo(1000);
        assertThat(c.maxBytes()).isEqualTo(1 << 20);
        assertThat(c.backoff()).isEqualTo(new Backoff(Duration.ofMillis(500), Duration.ofMinutes(1), 0.1));
    }

    @Test
    void anMqttTargetWithDefaults() {
        CloudSyncConfig c = parse("target: {mqtt: {broker: 'ssl://cloud.example.com:8883', client-id: gw-1, username: u, password: p}}\n");
        MqttTarget m = (MqttTarget) c.target();
        assertThat(m.topicPrefix()).isEqualTo("fieldline");
        assertThat(m.maxInFlight()).isEqualTo(CloudSyncConfig.DEFAULT_MAX_IN_FLIGHT);
        assertThat(m.username()).contains("u");
        assertThat(m.toString()).doesNotContain("=p,");
        assertThat(c.selection()).isEqualTo(CloudSelection.NONE);
        assertThat(c.backoff()).isEqualTo(CloudSyncConfig.DEFAULT_BACKOFF);
    }

    private static void refused(String yaml, String... fragments) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cloud.yaml:")
                .satisfies(e -> {
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    @Test
    void badConfigurationsAreRefusedWithLineKeyAndWhatIsValid() {
        refused("selection: {alerts: true}\n", "required key 'target'");
        refused("target: {}\n", "exactly one of http or mqtt");
        refused("target: {http: {url: 'http://a/'}, mqtt: {broker: 'tcp://b:1883', client-id: c}}\n", "exactly one");
        refused("target:\n  http:\n    url: 'ftp://a/'\n", "cloud.yaml:3", "target.http", "http://host");
        refused("target: {http: {url: 'http://a/', batchsize: 3}}\n", "unknown key 'batchsize'", "batch-size");
        refused("target: {http: {url: 'http://a/', timeout: soon}}\n", "target.http.timeout", "expected a duration");
        refused("target: {http: {url: 'http://a/', headers: {Idempotency-Key: x}}}\n", "Idempotency-Key", "reserved");
        refused("target: {http: {url: 'http://a/', batch-size: 0}}\n", "between 1 and 10000");
        refused("target: {http: {url: 'http://a/', token: \"a\\r\\nX-Evil: 1\"}}\n", "token", "no line breaks");
        refused("target: {http: {url: 'http://a/', headers: {X-Site: \"caf\\u00e9\"}}}\n", "header 'X-Site'", "visible ASCII");
        refused("target: {mqtt: {broker: 'tcp://b:1883'}}\n", "required key 'client-id'");
        refused("target: {mqtt: {broker: 'tcp://b:1883', client-id: c, password: p}}\n", "password needs a username");
        refused("target: {mqtt: {broker: 'tcp://b:1883', client-id: c, topic-prefix: 'a/#'}}\n", "topicPrefix");
        refused("target: {mqtt: {broker: 'tcp://b', client-id: c}}\n", "tcp://host:port");
        refused("target: {http: {url: 'http://a/'}}\nselection: {anomalies: {min-score: 2}}\n",
                "selection.anomalies.min-score", "between 0.0 and 1.0");
        refused("target: {http: {url: 'http://a/'}}\nselection: {readings: {metrics: []}}\n", "leave metrics out");
        refused("target: {http: {url: 'http://a/'}}\nselection: {readings: {above: hot}}\n", "expected a number");
        refused("target: {http: {url: 'http://a/'}}\nselection: {aggregates: {window: rolling 5m}}\n",
                "selection.aggregates.window", "tumbling");
        refused("target: {http: {url: 'http://a/'}}\nbackoff: {initial: 10s, max: 1s}\n", "backoff.max", ">= backoff.initial");
        refused("target: {http: {url: 'http://a/'}}\noutbox: {max-size: 1KiB}\n", "outbox.max-size", "between 64KiB");
    }

    @Test
    void describesEveryKey() {
        String text = CloudSyncConfig.describe();
        for (String key : Set.of("target.http.url", "target.mqtt.max-in-flight", "selection.anomalies.min-score",
                "outbox.max-records", "backoff.jitter")) {
            assertThat(text).contains(key);
        }
    }

    @Test
    void codeBuiltTargetsCheckTheirArguments() {
        assertThatThrownBy(() -> MqttTarget.of(URI.create("tcp://h:1883"), "", "p"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientId");
        assertThatThrownBy(() -> new HttpTarget(URI.create("http://h/"), java.util.Map.of(), Optional.empty(), 1, 1,
                Duration.ZERO)).hasMessageContaining("timeout must be positive");
    }
}
