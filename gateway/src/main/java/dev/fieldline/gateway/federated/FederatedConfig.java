package dev.fieldline.gateway.federated;

import dev.fieldline.config.ConfigException.Reason;
import dev.fieldline.config.ConfigKey;
import dev.fieldline.config.ConfigNode;
import dev.fieldline.config.YamlDocuments;
import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.RoundCoordinator;
import dev.fieldline.federated.Strategies;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.federated.UpdateValidator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's federated-learning rounds ({@code --fl FILE}, docs/federated.md "Protocol and gateway
 * service"). Immutable; {@link #load} reads the YAML file, {@link #describe()} prints every key.
 *
 * <pre>
 * model: mlp                      # mlp | cnn (FlModels)
 * strategy: fedavg                # a Strategies spec, e.g. "fedprox:mu=0.01", "fedavgm:momentum=0.9"
 * fraction: 1.0
 * min-clients: 2
 * min-updates: 2
 * deadline: 60s
 * pause: 5s                       # between a round's end and the next round's start
 * rounds: 0                       # stop after this many rounds (0: never)
 * join-timeout: 30s               # a device that has not sent fl/join for this long is not sampled
 * training: {epochs: 1, batch: 32, lr: 0.05, momentum: 0.9}
 * seed: 1
 * chunk-size: 32KiB
 * max-norm: 10000
 * evaluation: {data: /usr/share/datasets/fashion-mnist, count: 2000}   # optional held-out accuracy per round
 * rollout: manual                 # manual | all: offer each new global model to every device at once
 * </pre>
 */
public record FederatedConfig(String model, String strategy, double fraction, int minClients, int minUpdates,
        Duration deadline, Duration pause, int rounds, Duration joinTimeout, TrainingPlan plan, long seed, int chunkSize,
        double maxNorm, Optional<Path> evaluationData, int evaluationCount, Rollout rollout) {

    /** What happens to each new global model once it is published as a signed version. */
    public enum Rollout {
        /** it waits for an operator ({@code POST /api/v1/models/{name}/{version}/rollout}) */
        MANUAL,
        /** it is offered to every device the gateway knows as soon as it is signed */
        ALL;

        static Rollout parse(String text) {
            return switch (text) {
                case "manual" -> MANUAL;
                case "all" -> ALL;
                default -> throw new IllegalArgumentException("rollout must be manual or all, was '" + text + "'");
            };
        }
    }

    public static final int MAX_CHUNK = 48 * 1024;

    public static final List<ConfigKey> KEYS = List.of(
            new ConfigKey("model", "string", "mlp", "", "the model trained: mlp (2NN, 199,210 values) or cnn (LeNet-style, 44,426)"),
            new ConfigKey("strategy", "string", "fedavg", "", "aggregation strategy spec, name[:k=v,...] (docs/federated.md)"),
            new ConfigKey("fraction", "number", "1.0", "", "fraction of the available devices sampled per round, (0, 1]"),
            new ConfigKey("min-clients", "integer", "2", "devices", "a round starts only with this many available and samples at least this many"),
            new ConfigKey("min-updates", "integer", "= min-clients", "updates", "a round aggregates only with this many accepted updates, else it is abandoned"),
            new ConfigKey("deadline", "duration", "60s", "", "how long sampled devices have to upload after the announcement"),
            new ConfigKey("pause", "duration", "5s", "", "wait between the end of a round and the start of the next"),
            new ConfigKey("rounds", "integer", "0", "rounds", "stop starting rounds after this many (0: no limit)"),
            new ConfigKey("join-timeout", "duration", "30s", "", "a device counts as available while its last fl/join is this recent"),
            new ConfigKey("training.epochs", "integer", "1", "", "local epochs per round"),
            new ConfigKey("training.batch", "integer", "32", "examples", "mini-batch size"),
            new ConfigKey("training.lr", "number", "0.05", "", "SGD learning rate"),
            new ConfigKey("training.momentum", "number", "0.9", "", "SGD momentum"),
            new ConfigKey("seed", "integer", "1", "", "seed of the initial model, the sampling and the devices' shuffling"),
            new ConfigKey("chunk-size", "size", "32KiB", "bytes", "weights are served in chunks of this size (at most 48KiB)"),
            new ConfigKey("max-norm", "number", "10000", "", "updates whose delta has a larger L2 norm are rejected"),
            new ConfigKey("evaluation.data", "path", "(none)", "", "Fashion-MNIST IDX directory: each new global model is scored on its test split"),
            new ConfigKey("evaluation.count", "integer", "2000", "images", "test images scored per round"),
            new ConfigKey("rollout", "string", "manual", "", "manual, or all: offer each new signed global model to every device"));

    public FederatedConfig {
        FlModels.create(model, 0); // refuses an unknown name
        Strategies.create(strategy); // refuses an unknown strategy or parameter
        new RoundCoordinator.Config(fraction, minClients, minUpdates, deadline, plan, seed); // its own checks
        if (pause.isNegative()) {
            throw new IllegalArgumentException("pause must not be negative, was " + pause);
        }
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0, was " + rounds);
        }
        if (joinTimeout.isNegative() || joinTimeout.isZero()) {
            throw new IllegalArgumentException("join-timeout must be positive, was " + joinTimeout);
        }
        if (chunkSize < 1024 || chunkSize > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk-size must be in 1KiB..48KiB, was " + chunkSize);
        }
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max-norm must be positive, was " + maxNorm);
        }
        if (evaluationCount < 1) {
            throw new IllegalArgumentException("evaluation count must be >= 1, was " + evaluationCount);
        }
        if (rollout == null) {
            throw new IllegalArgumentException("rollout must be manual or all");
        }
    }

    public static FederatedConfig defaults() {
        return new FederatedConfig("mlp", "fedavg", 1.0, 2, 2, Duration.ofSeconds(60), Duration.ofSeconds(5), 0,
                Duration.ofSeconds(30), new TrainingPlan(1, 32, 0.05f, 0.9f, 0, 1), 1, 32 * 1024,
                UpdateValidator.DEFAULT_MAX_NORM, Optional.empty(), 2000, Rollout.MANUAL);
    }

    public RoundCoordinator.Config coordinatorConfig() {
        return new RoundCoordinator.Config(fraction, minClients, minUpdates, deadline, plan, seed);
    }

    public FederatedConfig withRounds(int n) {
        return new FederatedConfig(model, strategy, fraction, minClients, minUpdates, deadline, pause, n, joinTimeout, plan,
                seed, chunkSize, maxNorm, evaluationData, evaluationCount, rollout);
    }

    public FederatedConfig withTiming(Duration newDeadline, Duration newPause, Duration newJoinTimeout) {
        return new FederatedConfig(model, strategy, fraction, minClients, minUpdates, newDeadline, newPause, rounds,
                newJoinTimeout, plan, seed, chunkSize, maxNorm, evaluationData, evaluationCount, rollout);
    }

    public FederatedConfig withClients(double newFraction, int newMinClients, int newMinUpdates) {
        return new FederatedConfig(model, strategy, newFraction, newMinClients, newMinUpdates, deadline, pause, rounds,
                joinTimeout, plan, seed, chunkSize, maxNorm, evaluationData, evaluationCount, rollout);
    }

    public FederatedConfig withPlan(TrainingPlan newPlan) {
        return new FederatedConfig(model, strategy, fraction, minClients, minUpdates, deadline, pause, rounds, joinTimeout,
                newPlan, seed, chunkSize, maxNorm, evaluationData, evaluationCount, rollout);
    }

    public FederatedConfig withEvaluation(Path data, int count) {
        return new FederatedConfig(model, strategy, fraction, minClients, minUpdates, deadline, pause, rounds, joinTimeout,
                plan, seed, chunkSize, maxNorm, Optional.of(data), count, rollout);
    }

    public FederatedConfig withRollout(Rollout newRollout) {
        return new FederatedConfig(model, strategy, fraction, minClients, minUpdates, deadline, pause, rounds, joinTimeout,
                plan, seed, chunkSize, maxNorm, evaluationData, evaluationCount, newRollout);
    }

    public static FederatedConfig load(Path file) {
        return fromYaml(YamlDocuments.read(file));
    }

    /** Reads a parsed YAML document; unknown keys and bad values are refused with file, line and key path. */
    public static FederatedConfig fromYaml(ConfigNode root) {
        root.allowOnly(Set.of("model", "strategy", "fraction", "min-clients", "min-updates", "deadline", "pause", "rounds",
                "join-timeout", "training", "seed", "chunk-size", "max-norm", "evaluation", "rollout"));
        FederatedConfig d = defaults();
        int minClients = root.integer("min-clients", d.minClients, 1, 1_000_000);
        TrainingPlan plan = d.plan;
        long seed = root.longValue("seed", d.seed, Long.MIN_VALUE, Long.MAX_VALUE);
        Optional<ConfigNode> t = root.get("training");
        if (t.isPresent()) {
            ConfigNode n = t.get().allowOnly(Set.of("epochs", "batch", "lr", "momentum"));
            plan = new TrainingPlan(n.integer("epochs", plan.localEpochs(), 1, 1000), n.integer("batch", plan.batchSize(), 1, 65536),
                    (float) n.number("lr", plan.learningRate(), 1e-9, 100), (float) n.number("momentum", plan.momentum(), 0, 0.999999),
                    0, seed);
        } else {
            plan = new TrainingPlan(plan.localEpochs(), plan.batchSize(), plan.learningRate(), plan.momentum(), 0, seed);
        }
        Optional<Path> evalData = Optional.empty();
        int evalCount = d.evaluationCount;
        Optional<ConfigNode> e = root.get("evaluation");
        if (e.isPresent()) {
            ConfigNode n = e.get().allowOnly(Set.of("data", "count"));
            evalData = Optional.of(n.require("data").parse(Path::of));
            evalCount = n.integer("count", evalCount, 1, 1_000_000);
        }
        try {
            return new FederatedConfig(root.string("model", d.model), root.string("strategy", d.strategy),
                    root.number("fraction", d.fraction, 1e-9, 1), minClients,
                    root.integer("min-updates", minClients, 1, 1_000_000),
                    root.duration("deadline", d.deadline, Duration.ofMillis(100), Duration.ofDays(7)),
                    root.duration("pause", d.pause, Duration.ZERO, Duration.ofDays(7)),
                    root.integer("rounds", 0, 0, Integer.MAX_VALUE),
                    root.duration("join-timeout", d.joinTimeout, Duration.ofMillis(100), Duration.ofDays(7)),
                    plan, seed,
                    root.get("chunk-size").map(v -> (int) v.asSize(1024, MAX_CHUNK)).orElse(d.chunkSize),
                    root.number("max-norm", d.maxNorm, 1e-9, Double.MAX_VALUE), evalData, evalCount,
                    Rollout.parse(root.string("rollout", "manual")));
        } catch (IllegalArgumentException ex) {
            throw root.error(Reason.INVALID_VALUE, ex.getMessage());
        }
    }

    public static String describe() {
        return ConfigKey.describe(KEYS);
    }
}
