package dev.fieldline.federated;

import dev.fieldline.training.Dataset;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.Trainer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs federated rounds through the real server and client code ({@link RoundCoordinator},
 * {@link LocalTrainer}) in one thread, with an optional {@link Byzantine} attack on a fixed set of clients,
 * and reports the global model's test accuracy after each round.
 */
final class ByzantineHarness {

    /** A learning problem: each client's local data, a held-out test set and the model. */
    record Problem(List<Dataset> clients, Dataset test, Supplier<Sequential> model, TrainingPlan plan) {
    }

    /** One run's outcome. */
    record Result(double[] accuracy, int aggregated, int rejectedAttackers, int rejectedHonest, Set<String> attackers) {
        double last() {
            return accuracy[accuracy.length - 1];
        }

        /** Best accuracy over the last {@code k} rounds, and the mean; a diverging model scores low on both. */
        double meanOfLast(int k) {
            double s = 0;
            for (int i = accuracy.length - k; i < accuracy.length; i++) {
                s += accuracy[i];
            }
            return s / k;
        }
    }

    private ByzantineHarness() {
    }

    static Result run(Problem problem, Strategy strategy, Byzantine attack, int rounds, double maxNorm, long seed) {
        int n = problem.clients().size();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(String.format("client-%02d", i));
        }
        Set<String> attackers = attack == null ? Set.of() : attack.attackers(ids, seed);
        Sequential model = problem.model().get();
        LocalTrainer trainer = new LocalTrainer(model);
        WeightLayout layout = trainer.layout();
        float[] initial = layout.read(model);
        RoundCoordinator coordinator = new RoundCoordinator(
                new RoundCoordinator.Config(1.0, n, 1, Duration.ofMinutes(1), problem.plan(), seed), strategy,
                new UpdateValidator(layout, maxNorm, UpdateValidator.DEFAULT_MAX_EXAMPLES), initial);
        Sequential eval = problem.model().get();
        double[] accuracy = new double[rounds];
        int aggregated = 0;
        int rejectedAttackers = 0;
        int rejectedHonest = 0;
        Instant now = Instant.EPOCH;
        for (int r = 0; r < rounds; r++) {
            RoundCoordinator.RoundPlan plan = coordinator.start(ids, now);
            float[] global = coordinator.global();
            for (String id : plan.selected()) {
                Dataset local = problem.clients().get(ids.indexOf(id));
                ClientUpdate update = trainer.train(id, global, local, plan.plan());
                if (attackers.contains(id)) {
                    update = attack.apply(update, new Random(seed * 1_000_003L + plan.round() * 1009L + id.hashCode()));
                }
                coordinator.submit(plan.round(), update, now);
            }
            RoundCoordinator.RoundResult result = coordinator.close();
            if (result.outcome() == RoundCoordinator.Outcome.AGGREGATED) {
                aggregated++;
            }
            for (String id : result.rejected().keySet()) {
                if (attackers.contains(id)) {
                    rejectedAttackers++;
                } else {
                    rejectedHonest++;
                }
            }
            layout.write(eval, coordinator.global());
            accuracy[r] = Trainer.accuracy(eval, problem.test());
            now = now.plusSeconds(1);
        }
        return new Result(accuracy, aggregated, rejectedAttackers, rejectedHonest, attackers);
    }

    /**
     * A synthetic 10-class problem: Gaussian blobs in 20 dimensions (class centres drawn once, unit noise),
     * split IID over the clients; {@code hidden} = 0 gives softmax regression, else one hidden ReLU layer.
     */
    static Problem blobs(int clients, int perClient, int hidden, long seed) {
        int dim = 20;
        int classes = 10;
        Random r = new Random(seed);
        float[][] centres = new float[classes][dim];
        for (float[] c : centres) {
            for (int k = 0; k < dim; k++) {
                c[k] = (float) (r.nextGaussian() * 0.9);
            }
        }
        List<Dataset> parts = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            parts.add(sample(centres, perClient, r));
        }
        Dataset test = sample(centres, 1000, r);
        Supplier<Sequential> model = hidden == 0
                ? () -> Sequential.builder(seed, dim).dense(classes).build()
                : () -> Sequential.builder(seed, dim).dense(hidden).relu().dense(classes).build();
        return new Problem(parts, test, model, new TrainingPlan(1, 16, 0.05f, 0f, 0, seed));
    }

    /**
     * Fashion-MNIST: the first {@code clients × perClient} training images split IID (in file order) over
     * the clients, the first {@code testCount} test images held out; {@code hidden} = 0 gives softmax
     * regression (784 → 10), else one hidden ReLU layer.
     */
    static Problem fashion(dev.fieldline.training.data.FashionMnist data, int clients, int perClient, int testCount,
            int hidden, long seed) {
        List<Dataset> parts = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            parts.add(data.train().dataset(c * perClient, (c + 1) * perClient));
        }
        Supplier<Sequential> model = hidden == 0
                ? () -> Sequential.builder(seed, 784).dense(10).build()
                : () -> Sequential.builder(seed, 784).dense(hidden).relu().dense(10).build();
        return new Problem(parts, data.test().dataset(0, testCount), model,
                new TrainingPlan(1, 32, 0.05f, 0f, 0, seed));
    }

    private static Dataset sample(float[][] centres, int n, Random r) {
        int dim = centres[0].length;
        float[] x = new float[n * dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(centres.length);
            for (int k = 0; k < dim; k++) {
                x[i * dim + k] = (float) (centres[y[i]][k] + r.nextGaussian());
            }
        }
        return Dataset.classification(x, dim, y, centres.length);
    }
}
