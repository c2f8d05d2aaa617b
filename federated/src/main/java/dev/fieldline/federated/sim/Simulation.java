package dev.fieldline.federated.sim;

import dev.fieldline.federated.Byzantine;
import dev.fieldline.federated.ClientUpdate;
import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.LocalTrainer;
import dev.fieldline.federated.RoundCoordinator;
import dev.fieldline.federated.Strategies;
import dev.fieldline.federated.Strategy;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.federated.UpdateValidator;
import dev.fieldline.federated.privacy.DpConfig;
import dev.fieldline.federated.privacy.DpMeanAggregator;
import dev.fieldline.federated.privacy.NoiseSource;
import dev.fieldline.federated.privacy.PrivacyAccountant;
import dev.fieldline.federated.privacy.UpdateClipping;
import dev.fieldline.federated.secagg.SecAggConfig;
import dev.fieldline.federated.secagg.SecureAggregation;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.data.FashionMnist;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Federated learning on Fashion-MNIST in one process, with the real client and server code and no sockets:
 * a {@link RoundCoordinator} samples clients and aggregates, and each sampled client trains its own partition of
 * the training set with a {@link LocalTrainer}, exactly as an agent does. Time is passed to the coordinator, so the
 * deadline is never hit.
 *
 * <p>The clients of a round train in parallel on a fixed pool of {@link Config#threads()} threads, each thread
 * with its own model; their updates are submitted in client-id order. Local training is deterministic, so the
 * global weights after each round do not depend on the number of threads. After each round the global model is
 * evaluated on the whole test split (accuracy and mean cross-entropy).
 */
public final class Simulation {
    private static final Logger LOG = LoggerFactory.getLogger(Simulation.class);
    private static final Instant T0 = Instant.EPOCH;
    private static final Duration DEADLINE = Duration.ofHours(1);

    /**
     * What to simulate.
     *
     * @param clients number of clients N, each holding one partition of the training set
     * @param fraction fraction C of the clients sampled per round (at least one)
     * @param rounds number of rounds R
     * @param partition how the training set is split among the clients
     * @param strategy a {@link Strategies} spec, e.g. {@code fedavg} or {@code fedprox:mu=0.01}
     * @param model a {@link FlModels} name, {@code mlp} or {@code cnn}
     * @param plan local epochs E, batch B, learning rate, momentum, and the clients' shuffling seed
     * @param seed seed of the initial weights, the partition and the sampling
     * @param threads clients trained at once
     * @param dp DP-FedAvg (clients clip, the server clips again and adds Gaussian noise), or null for none
     * @param secureAggregation whether the server learns only the sum of each round's updates, through
     *     {@link SecureAggregation} with {@link SecAggConfig#DEFAULT} (the updates are then not validated: the
     *     server never sees them)
     * @param byzantine the attack a fixed set of clients mounts every round they are sampled, or null for none
     */
    public record Config(int clients, double fraction, int rounds, Partitions.Scheme partition, String strategy,
            String model, TrainingPlan plan, long seed, int threads, DpConfig dp, boolean secureAggregation,
            Byzantine byzantine) {

        /** Without differential privacy, secure aggregation or attackers. */
        public Config(int clients, double fraction, int rounds, Partitions.Scheme partition, String strategy,
                String model, TrainingPlan plan, long seed, int threads) {
            this(clients, fraction, rounds, partition, strategy, model, plan, seed, threads, null, false, null);
        }

        public Config withDp(DpConfig newDp) {
            return new Config(clients, fraction, rounds, partition, strategy, model, plan, seed, threads, newDp,
                    secureAggregation, byzantine);
        }

        public Config withSecureAggregation(boolean on) {
            return new Config(clients, fraction, rounds, partition, strategy, model, plan, seed, threads, dp, on,
                    byzantine);
        }

        public Config withByzantine(Byzantine attack) {
            return new Config(clients, fraction, rounds, partition, strategy, model, plan, seed, threads, dp,
                    secureAggregation, attack);
        }

        /** Clients sampled per round, as {@link RoundCoordinator} samples them (minimum one). */
        public int perRound() {
            return Math.min(clients, Math.max(1, (int) Math.ceil(fraction * clients)));
        }

        public Config {
            if (clients < 1) {
                throw new IllegalArgumentException("clients must be >= 1, was " + clients);
            }
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be >= 1, was " + rounds);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            }
            if (!FlModels.NAMES.contains(model)) {
                throw new IllegalArgumentException("unknown model '" + model + "'; known: " + FlModels.NAMES);
            }
            if (partition == null || strategy == null || plan == null) {
                throw new IllegalArgumentException("partition, strategy and plan must be given");
            }
            if (secureAggregation && dp != null) {
                throw new IllegalArgumentException("secure aggregation and DP are not combined here: the server adds "
                        + "DP's noise to updates it can see, and with secure aggregation it sees none");
            }
        }
    }

    /**
     * One finished round.
     *
     * @param accuracy of the global model after the round on the test split
     * @param loss mean softmax cross-entropy of the global model on the test split
     * @param selected clients sampled
     * @param contributors clients whose update was aggregated
     * @param rejected updates the server refused
     * @param trainLoss example-weighted mean of the contributors' last local epoch loss (NaN if none)
     * @param seconds wall-clock time of the round: local training, aggregation and evaluation
     * @param aggregated false when the round was abandoned (the global model is unchanged)
     * @param epsilon with DP, the cumulative ε after this round at {@link #DP_DELTA}; NaN without
     * @param attackers sampled clients that sent a forged update
     * @param secAggSeconds with secure aggregation, the wall-clock time of the protocol (every client and the
     *     server, one after another, on one thread); NaN without
     */
    public record RoundReport(int round, double accuracy, double loss, int selected, int contributors, int rejected,
            double trainLoss, double seconds, boolean aggregated, double epsilon, int attackers,
            double secAggSeconds) {
    }

    /** The δ at which the simulation reports DP's ε. */
    public static final double DP_DELTA = 1e-5;

    /** Called after each round, on the thread that called {@link #run}. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = r -> { };

        void round(RoundReport report);
    }

    /**
     * The simulation's outcome.
     *
     * @param rounds every round's report, in order
     * @param global the final global weights
     * @param seconds wall-clock time of all rounds (data loading and partitioning excluded)
     */
    public record Result(List<RoundReport> rounds, float[] global, double seconds) {
        public Result {
            rounds = List.copyOf(rounds);
        }

        public double finalAccuracy() {
            return rounds.get(rounds.size() - 1).accuracy();
        }

        /** The first round after which the test accuracy was at least {@code target}, if any. */
        public OptionalInt roundsTo(double target) {
            for (RoundReport r : rounds) {
                if (r.accuracy() >= target) {
                    return OptionalInt.of(r.round());
                }
            }
            return OptionalInt.empty();
        }

        public double meanSecondsPerRound() {
            return rounds.stream().mapToDouble(RoundReport::seconds).average().orElse(0);
        }
    }

    private final Config config;
    private final FashionMnist.Split train;
    private final FashionMnist.Split test;

    public Simulation(Config config, FashionMnist.Split train, FashionMnist.Split test) {
        this.config = config;
        this.train = train;
        this.test = test;
    }

    public Config config() {
        return config;
    }

    /** Client {@code i}'s id; zero-padded so that the ids sort in client order. */
    public static String clientId(int i, int clients) {
        int width = String.valueOf(Math.max(0, clients - 1)).length();
        return String.format("client-%0" + width + "d", i);
    }

    public Result run(Listener listener) {
        int n = config.clients();
        Strategy strategy = Strategies.create(config.strategy());
        if (config.secureAggregation() && !strategy.linear()) {
            throw new IllegalArgumentException(strategy.name() + " needs the individual updates; with secure "
                    + "aggregation the server learns only their sum");
        }
        int[][] parts = config.partition().split(train.labels(), FashionMnist.CLASSES, n, config.seed());
        List<String> ids = new ArrayList<>();
        Dataset[] local = new Dataset[n];
        for (int i = 0; i < n; i++) {
            ids.add(clientId(i, n));
            local[i] = gather(train, parts[i]);
        }
        Dataset testSet = test.dataset();
        Byzantine attack = config.byzantine();
        Set<String> attackers = attack == null ? Set.of() : attack.attackers(ids, config.seed());
        SecureRandom secAggRandom = config.secureAggregation() ? new SecureRandom() : null;
        Sequential initial = FlModels.create(config.model(), config.seed());
        LocalTrainer first = new LocalTrainer(initial);
        RoundCoordinator.Config roundConfig = new RoundCoordinator.Config(config.fraction(), 1, 1, DEADLINE,
                config.plan(), config.seed());
        UpdateValidator validator = new UpdateValidator(first.layout());
        DpConfig dp = config.dp();
        PrivacyAccountant accountant = null;
        RoundCoordinator coordinator;
        if (dp == null) {
            coordinator = new RoundCoordinator(roundConfig, strategy, validator, first.layout().read(initial));
        } else {
            // the seeded noise makes runs reproducible; it is for simulation only and gives no real privacy
            DpMeanAggregator aggregator = new DpMeanAggregator(dp, config.perRound(),
                    NoiseSource.seededForSimulationOnly(config.seed()));
            coordinator = new RoundCoordinator(roundConfig, strategy, validator, first.layout().read(initial),
                    aggregator);
            accountant = PrivacyAccountant.forSampling(n, config.perRound(), dp.noiseMultiplier());
        }
        // one model per thread; a task borrows one and gives it back
        BlockingQueue<LocalTrainer> trainers = new ArrayBlockingQueue<>(config.threads());
        trainers.add(first);
        for (int t = 1; t < config.threads(); t++) {
            trainers.add(new LocalTrainer(FlModels.create(config.model(), config.seed())));
        }
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "fl-sim-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        LOG.info("simulation: {} clients, C={}, {} rounds, {}, {}, {}, {} threads", n, config.fraction(),
                config.rounds(), config.partition().spec(), strategy.name(), config.model(), config.threads());
        List<RoundReport> reports = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int r = 1; r <= config.rounds(); r++) {
                long t0 = System.nanoTime();
                Instant now = T0.plus(DEADLINE.multipliedBy(r));
                RoundCoordinator.RoundPlan plan = coordinator.start(ids, now);
                float[] global = coordinator.global();
                List<Future<ClientUpdate>> futures = new ArrayList<>();
                int attacking = 0;
                for (String id : plan.selected()) {
                    int index = ids.indexOf(id);
                    Dataset data = local[index];
                    boolean forges = attackers.contains(id);
                    attacking += forges ? 1 : 0;
                    long forgery = (config.seed() * 1_000_003L + plan.round()) * 1_000_003L + index;
                    futures.add(pool.submit(() -> withTrainer(trainers, t -> {
                        ClientUpdate u = t.train(id, global, data, plan.plan());
                        if (forges) {
                            return attack.apply(u, new Random(forgery));
                        }
                        return dp == null ? u : UpdateClipping.clip(u, dp.clipNorm());
                    })));
                }
                List<ClientUpdate> updates = new ArrayList<>();
                for (Future<ClientUpdate> f : futures) {
                    updates.add(get(f));
                }
                RoundCoordinator.RoundResult result;
                double secAggSeconds = Double.NaN;
                if (config.secureAggregation()) {
                    long s0 = System.nanoTime();
                    SecureAggregation.Result sum = SecureAggregation.run(SecAggConfig.DEFAULT, updates, Set.of(),
                            Set.of(), secAggRandom);
                    secAggSeconds = (System.nanoTime() - s0) / 1e9;
                    result = coordinator.closeWithMean(sum.meanDelta(), sum.contributors(), sum.examples(), sum.metrics());
                } else {
                    for (ClientUpdate u : updates) {
                        coordinator.submit(plan.round(), u, now);
                    }
                    result = coordinator.close();
                }
                Evaluation eval = evaluate(pool, trainers, coordinator.global(), testSet);
                double seconds = (System.nanoTime() - t0) / 1e9;
                RoundReport report = new RoundReport(plan.round(), eval.accuracy(), eval.loss(), plan.selected().size(),
                        result.contributors().size(), result.rejected().size(),
                        result.metrics().getOrDefault("loss", Double.NaN), seconds,
                        result.outcome() == RoundCoordinator.Outcome.AGGREGATED,
                        accountant == null ? Double.NaN : accountant.epsilon(r, DP_DELTA).epsilon(), attacking,
                        secAggSeconds);
                if (!report.aggregated()) {
                    LOG.warn("round {} abandoned: {}", r, result.reason());
                }
                reports.add(report);
                listener.round(report);
            }
        } finally {
            pool.shutdownNow();
        }
        Result result = new Result(reports, coordinator.global(), (System.nanoTime() - start) / 1e9);
        LOG.info("simulation finished: accuracy {} after {} rounds in {} s", result.finalAccuracy(), config.rounds(),
                result.seconds());
        return result;
    }

    /** Examples {@code indices} of a split as a {@link Dataset} (inputs scaled to 0..1, one-hot targets). */
    static Dataset gather(FashionMnist.Split split, int[] indices) {
        int px = FashionMnist.ROWS * FashionMnist.COLS;
        float[] x = new float[indices.length * px];
        int[] labels = new int[indices.length];
        byte[] images = split.images();
        for (int k = 0; k < indices.length; k++) {
            int from = indices[k] * px;
            for (int j = 0; j < px; j++) {
                x[k * px + j] = (images[from + j] & 0xff) / 255f;
            }
            labels[k] = split.labels()[indices[k]];
        }
        return Dataset.classification(x, px, labels, FashionMnist.CLASSES);
    }

    /** The weights' {@link Evaluation} on the data, chunk by chunk on the pool, summed in chunk order. */
    private static Evaluation evaluate(ExecutorService pool, BlockingQueue<LocalTrainer> trainers, float[] weights,
            Dataset data) {
        List<Future<double[]>> chunks = new ArrayList<>();
        for (int from = 0; from < data.count(); from += Evaluation.CHUNK) {
            int to = Math.min(data.count(), from + Evaluation.CHUNK);
            int a = from;
            chunks.add(pool.submit(() -> withTrainer(trainers, t -> {
                t.layout().write(t.model(), weights);
                return Evaluation.sums(t.model(), data, a, to);
            })));
        }
        double correct = 0;
        double loss = 0;
        for (Future<double[]> f : chunks) {
            double[] c = get(f);
            correct += c[0];
            loss += c[1];
        }
        return new Evaluation(correct / data.count(), loss / data.count());
    }

    private interface TrainerTask<T> {
        T apply(LocalTrainer trainer);
    }

    private static <T> T withTrainer(BlockingQueue<LocalTrainer> trainers, TrainerTask<T> task)
            throws InterruptedException {
        LocalTrainer t = trainers.take();
        try {
            return task.apply(t);
        } finally {
            trainers.add(t);
        }
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("simulation interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }
}
