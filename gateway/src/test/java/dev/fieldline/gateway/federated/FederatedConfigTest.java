package dev.fieldline.gateway.federated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.config.ConfigException;
import dev.fieldline.config.YamlDocuments;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FederatedConfigTest {

    private static FederatedConfig yaml(String text) {
        return FederatedConfig.fromYaml(YamlDocuments.parse("fl.yaml", text));
    }

    @Test
    void readsEveryKey() {
        FederatedConfig c = yaml("model: cnn\nstrategy: 'fedprox:mu=0.01'\nfraction: 0.5\nmin-clients: 4\nmin-updates: 3\n"
                + "deadline: 45s\npause: 2s\nrounds: 10\njoin-timeout: 20s\ntraining: {epochs: 2, batch: 16, lr: 0.01, momentum: 0.5}\n"
                + "seed: 9\nchunk-size: 16KiB\nmax-norm: 50\nevaluation: {data: /data/fm, count: 500}\nrollout: all\n");
        assertThat(c.model()).isEqualTo("cnn");
        assertThat(c.strategy()).isEqualTo("fedprox:mu=0.01");
        assertThat(c.minClients()).isEqualTo(4);
        assertThat(c.minUpdates()).isEqualTo(3);
        assertThat(c.deadline()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.rounds()).isEqualTo(10);
        assertThat(c.plan().localEpochs()).isEqualTo(2);
        assertThat(c.plan().batchSize()).isEqualTo(16);
        assertThat(c.plan().seed()).isEqualTo(9);
        assertThat(c.chunkSize()).isEqualTo(16 * 1024);
        assertThat(c.evaluationData()).contains(Path.of("/data/fm"));
        assertThat(c.evaluationCount()).isEqualTo(500);
        assertThat(c.rollout()).isEqualTo(FederatedConfig.Rollout.ALL);
        assertThat(yaml("model: mlp\n").rollout()).as("rollout defaults to manual").isEqualTo(FederatedConfig.Rollout.MANUAL);
        assertThat(yaml("min-clients: 5\n").minUpdates()).as("min-updates defaults to min-clients").isEqualTo(5);
        for (var k : FederatedConfig.KEYS) {
            assertThat(FederatedConfig.describe()).contains(k.name());
        }
    }

    @Test
    void refusesBadValuesWithTheKey() {
        assertThatThrownBy(() -> yaml("model: resnet\n")).isInstanceOf(ConfigException.class).hasMessageContaining("resnet");
        assertThatThrownBy(() -> yaml("strategy: 'fedavg:x=1'\n")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> yaml("min-clients: 2\nmin-updates: 3\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("minUpdates");
        assertThatThrownBy(() -> yaml("chunk-size: 1MiB\n")).isInstanceOf(ConfigException.class).hasMessageContaining("chunk-size");
        assertThatThrownBy(() -> yaml("rollout: some\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rollout must be manual or all, was 'some'");
        assertThatThrownBy(() -> yaml("colour: blue\n")).isInstanceOf(ConfigException.class).hasMessageContaining("colour");
    }
}
