package dev.fieldline.tools.fl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.federated.Byzantine;
import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.Strategies;
import dev.fieldline.federated.Strategy;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.federated.privacy.DpConfig;
import dev.fieldline.federated.sim.Partitions;
import dev.fieldline.federated.sim.Simulation;
import dev.fieldline.training.data.FashionMnist;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Federated learning on Fashion-MNIST in one process: N clients, each with its own partition of the "
                    + "training set, train locally (the agent's LocalTrainer) and a RoundCoordinator (the gateway's) "
                    + "aggregates; no sockets. After each round the global model is evaluated on the test set.",
            "Prints one line per round and ends with one JSON line: "
                    + "{\"final_accuracy\": ..., \"rounds\": ..., \"rounds_to\": {\"0.85\": ..., \"0.88\": ...}, "
                    + "\"seconds\": ...} (rounds_to: the first round at or above that test accuracy, null if never; "
                    + "with DP also \"epsilon\" and \"delta\": the cumulative (ε, δ) of DP-FedAvg, ε null when z = 0)."
        })
final class SimulateCommand implements Callable<Integer> {
    static final double[] TARGETS = {0.85, 0.88};
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--clients", paramLabel = "N", description = "Clients, each with one partition (default: ${DEFAULT-VALUE}).")
    int clients = 10;

    @Option(names = "--fraction", paramLabel = "C", description = "Fraction of the clients sampled per round, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double fraction = 1.0;

    @Option(names = "--rounds", paramLabel = "R", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int rounds = 50;

    @Option(names = "--partition", paramLabel = "SPEC",
            description = "iid, shards:K (K label-sorted shards per client) or dirichlet:A (default: ${DEFAULT-VALUE}).")
    String partition = "iid";

    @Option(names = "--strategy", paramLabel = "NAME", description = "Aggregation strategy, name[:key=value,...] (default: ${DEFAULT-VALUE}).")
    String strategy = "fedavg";

    @Option(names = "--model", paramLabel = "mlp|cnn", description = "mlp (2NN 784-200-200-10) or cnn (LeNet-style) (default: ${DEFAULT-VALUE}).")
    String model = "cnn";

    @Option(names = "--local-epochs", paramLabel = "E", description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
    int localEpochs = 1;

    @Option(names = "--batch", paramLabel = "B", description = "Local mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the weights, partition, sampling and shuffling (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--secure-agg", description = "Secure aggregation (Bonawitz et al.): the server learns only the "
            + "sum of each round's updates; needs a linear strategy.")
    boolean secureAgg;

    @Option(names = "--dp-noise", paramLabel = "Z", description = "DP-FedAvg noise multiplier z (with --dp-clip).")
    Double dpNoise;

    @Option(names = "--dp-clip", paramLabel = "S", description = "DP-FedAvg clip norm S of each client's update (with --dp-noise).")
    Double dpClip;

    @Option(names = "--byzantine", paramLabel = "F:KIND",
            description = "A fraction F of the clients forge their updates: F:sign_flip[:S], F:scale[:S], "
                    + "F:random[:SIGMA] or F:zero, e.g. 0.3:sign_flip.")
    String byzantine;

    @Option(names = "--lr", paramLabel = "RATE", description = "Local SGD learning rate (default: ${DEFAULT-VALUE}).")
    float lr = 0.01f;

    @Option(names = "--momentum", paramLabel = "M", description = "Local SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum = 0.9f;

    @Option(names = "--threads", paramLabel = "N", description = "Clients trained at once (default: the processors, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws JsonProcessingException {
        Simulation.Config config = config();
        data.check();
        FashionMnist f = data.load();
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "fl simulate: %d clients (%d per round), %s, %s, %s, E=%d B=%d lr=%s momentum=%s, "
                        + "%,d training and %,d test images, %d threads%s%n",
                config.clients(), config.perRound(), config.partition().spec(), strategy, model, localEpochs, batch, lr,
                momentum, f.train().count(), f.test().count(), threads,
                (config.dp() == null ? "" : String.format(Locale.ROOT, ", DP z=%s S=%s", dpNoise, dpClip))
                        + (secureAgg ? ", secure aggregation" : "")
                        + (config.byzantine() == null ? "" : ", attack " + config.byzantine().spec()));
        Simulation.Result result = new Simulation(config, f.train(), f.test()).run(r -> out.println(line(r, rounds)));
        out.println(JSON.writeValueAsString(summary(result, config)));
        out.flush();
        return 0;
    }

    /** Checks every flag before the data is read. */
    Simulation.Config config() {
        if (clients < 1) {
            throw new IllegalArgumentException("--clients must be at least 1, was " + clients);
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("--fraction must be in (0, 1], was " + fraction);
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1, was " + rounds);
        }
        if (!FlModels.NAMES.contains(model)) {
            throw new IllegalArgumentException("--model must be mlp or cnn, was '" + model + "'");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
        }
        if ((dpNoise == null) != (dpClip == null)) {
            throw new IllegalArgumentException("--dp-noise and --dp-clip go together: give both or neither");
        }
        if (localEpochs < 1) {
            throw new IllegalArgumentException("--local-epochs must be at least 1, was " + localEpochs);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, was " + batch);
        }
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("--lr must be positive, was " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("--momentum must be in [0, 1), was " + momentum);
        }
        Partitions.Scheme scheme;
        try {
            scheme = Partitions.parse(partition);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--partition: " + e.getMessage(), e);
        }
        Strategy created;
        try {
            created = Strategies.create(strategy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--strategy: " + e.getMessage(), e);
        }
        if (secureAgg && !created.linear()) {
            throw new IllegalArgumentException("--secure-agg needs a linear strategy (one that uses only the mean update); "
                    + created.name() + " needs the individual updates");
        }
        if (secureAgg && dpNoise != null) {
            throw new IllegalArgumentException("--secure-agg and --dp-noise/--dp-clip are not combined: the server adds "
                    + "DP's noise to updates it can see, and with secure aggregation it sees none");
        }
        Byzantine attack = null;
        if (byzantine != null) {
            try {
                attack = Byzantine.parse(byzantine);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--byzantine: " + e.getMessage(), e);
            }
        }
        DpConfig dp = null;
        if (dpNoise != null) {
            try {
                dp = new DpConfig(dpClip, dpNoise);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dp-noise/--dp-clip: " + e.getMessage(), e);
            }
        }
        TrainingPlan plan = new TrainingPlan(localEpochs, batch, lr, momentum, 0, seed);
        return new Simulation.Config(clients, fraction, rounds, scheme, strategy, model, plan, seed, threads, dp,
                secureAgg, attack);
    }

    static String line(Simulation.RoundReport r, int rounds) {
        String s = String.format(Locale.ROOT, "round %3d/%d  accuracy %.4f  loss %.4f  clients %d/%d  %.2f s", r.round(),
                rounds, r.accuracy(), r.loss(), r.contributors(), r.selected(), r.seconds());
        if (r.rejected() > 0) {
            s += "  rejected " + r.rejected();
        }
        if (!r.aggregated()) {
            s += "  abandoned";
        }
        if (r.attackers() > 0) {
            s += "  attackers " + r.attackers();
        }
        if (!Double.isNaN(r.secAggSeconds())) {
            s += String.format(Locale.ROOT, "  secagg %.2f s", r.secAggSeconds());
        }
        if (!Double.isNaN(r.epsilon())) {
            s += String.format(Locale.ROOT, "  epsilon %.3f", r.epsilon());
        }
        return s;
    }

    static Map<String, Object> summary(Simulation.Result result, Simulation.Config config) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("final_accuracy", result.finalAccuracy());
        json.put("rounds", result.rounds().size());
        Map<String, Object> to = new LinkedHashMap<>();
        for (double t : TARGETS) {
            OptionalInt r = result.roundsTo(t);
            to.put(String.valueOf(t), r.isPresent() ? r.getAsInt() : null);
        }
        json.put("rounds_to", to);
        json.put("seconds", Math.round(result.seconds() * 1000) / 1000.0);
        if (config.dp() != null) {
            // z = 0 gives no guarantee: epsilon is infinite, written as null (JSON has no infinity)
            double eps = result.rounds().get(result.rounds().size() - 1).epsilon();
            json.put("epsilon", Double.isFinite(eps) ? eps : null);
            json.put("delta", Simulation.DP_DELTA);
        }
        return json;
    }
}
