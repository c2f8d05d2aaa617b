package dev.fieldline.agent.federated;

import dev.fieldline.config.ConfigNode;
import dev.fieldline.federated.FlModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * How the agent takes part in federated learning ({@code federated:} in the agent's YAML; docs/agent.md).
 * The local data is a shard of Fashion-MNIST's training split read from IDX files: shard {@code shard} of
 * {@code shards}, at most {@code examples} images (the shards are disjoint).
 *
 * @param model the model the device can train ({@code mlp}, {@code cnn})
 * @param data directory with the Fashion-MNIST IDX files (Debian: /usr/share/datasets/fashion-mnist)
 * @param joinInterval how often the device repeats {@code fl/join} (its federated heartbeat)
 * @param timeout how long to wait for each answer (a chunk, a receipt) before asking again
 * @param slowdown extra time each local training takes: a slow board in simulation (0 on real devices)
 */
public record ParticipantConfig(String model, Path data, int shard, int shards, int examples, Duration joinInterval,
        Duration timeout, Duration slowdown) {

    public ParticipantConfig {
        FlModels.create(model, 0);
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("need 0 <= shard < shards, were " + shard + " and " + shards);
        }
        if (examples < 1) {
            throw new IllegalArgumentException("examples must be >= 1, was " + examples);
        }
        if (joinInterval.isNegative() || joinInterval.isZero() || timeout.isNegative() || timeout.isZero()
                || slowdown.isNegative()) {
            throw new IllegalArgumentException("join-interval and timeout must be positive, slowdown not negative");
        }
    }

    public static ParticipantConfig of(String model, Path data, int shard, int shards, int examples) {
        return new ParticipantConfig(model, data, shard, shards, examples, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ZERO);
    }

    public ParticipantConfig withTiming(Duration join, Duration answerTimeout, Duration slow) {
        return new ParticipantConfig(model, data, shard, shards, examples, join, answerTimeout, slow);
    }

    /** Reads the {@code federated:} section. */
    public static ParticipantConfig fromYaml(ConfigNode n) {
        n.allowOnly(Set.of("model", "data", "shard", "shards", "examples", "join-interval", "timeout", "slowdown"));
        try {
            return new ParticipantConfig(n.string("model", "mlp"), n.require("data").parse(Path::of),
                    n.integer("shard", 0, 0, 1_000_000), n.integer("shards", 1, 1, 1_000_000),
                    n.integer("examples", 2000, 1, 60_000),
                    n.duration("join-interval", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofHours(1)),
                    n.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofHours(1)),
                    n.duration("slowdown", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        } catch (IllegalArgumentException e) {
            throw n.error(dev.fieldline.config.ConfigException.Reason.INVALID_VALUE, e.getMessage());
        }
    }
}
