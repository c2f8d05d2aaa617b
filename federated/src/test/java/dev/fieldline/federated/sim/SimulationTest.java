package dev.fieldline.federated.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.training.data.FashionMnist;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimulationTest {

    /** 28×28 images whose class k is a bright band at rows 2k..2k+2 over noise: easy to learn, not trivial. */
    static FashionMnist.Split synthetic(int count, long seed) {
        Random r = new Random(seed);
        byte[] images = new byte[count * 784];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = r.nextInt(10);
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                int v = r.nextInt(120) + (row >= 2 * labels[i] && row < 2 * labels[i] + 3 ? 110 : 0);
                images[i * 784 + p] = (byte) v;
            }
        }
        return new FashionMnist.Split(images, labels);
    }

    private static Simulation.Config config(String partition, double fraction, int threads, int rounds) {
        return new Simulation.Config(6, fraction, rounds, Partitions.parse(partition), "fedavg", "mlp",
                new TrainingPlan(1, 16, 0.02f, 0.5f, 0, 9), 5, threads);
    }

    @Test
    void federatedTrainingLearnsAndReportsEveryRound() {
        List<Simulation.RoundReport> seen = new ArrayList<>();
        Simulation.Result result = new Simulation(config("iid", 0.5, 2, 3), synthetic(600, 1), synthetic(200, 2)).run(seen::add);
        assertThat(seen).hasSize(3).isEqualTo(result.rounds());
        assertThat(seen).extracting(Simulation.RoundReport::round).containsExactly(1, 2, 3);
        for (Simulation.RoundReport r : seen) {
            assertThat(r.selected()).isEqualTo(3);
            assertThat(r.contributors()).isEqualTo(3);
            assertThat(r.rejected()).isZero();
            assertThat(r.aggregated()).isTrue();
            assertThat(r.seconds()).isPositive();
            assertThat(r.loss()).isPositive().isFinite();
            assertThat(r.trainLoss()).isPositive().isFinite();
        }
        assertThat(result.finalAccuracy()).isGreaterThan(0.9);
        assertThat(seen.get(2).loss()).isLessThan(seen.get(0).loss());
        assertThat(result.roundsTo(seen.get(0).accuracy())).hasValue(1);
        assertThat(result.roundsTo(1.01)).isEmpty();
        assertThat(result.seconds()).isGreaterThanOrEqualTo(seen.stream().mapToDouble(Simulation.RoundReport::seconds).sum() * 0.99);
    }

    @Test
    void theGlobalWeightsDoNotDependOnTheNumberOfThreads() {
        FashionMnist.Split train = synthetic(240, 3);
        FashionMnist.Split test = synthetic(60, 4);
        Simulation.Result one = new Simulation(config("shards:2", 1, 1, 2), train, test).run(Simulation.Listener.NONE);
        Simulation.Result two = new Simulation(config("shards:2", 1, 2, 2), train, test).run(Simulation.Listener.NONE);
        assertThat(two.global()).containsExactly(one.global());
        assertThat(two.rounds()).extracting(Simulation.RoundReport::accuracy)
                .isEqualTo(one.rounds().stream().map(Simulation.RoundReport::accuracy).toList());
        assertThat(two.rounds()).extracting(Simulation.RoundReport::loss)
                .isEqualTo(one.rounds().stream().map(Simulation.RoundReport::loss).toList());
        // and they do depend on the seed: the run above is not a constant
        Simulation.Config other = new Simulation.Config(6, 1, 2, Partitions.parse("shards:2"), "fedavg", "mlp",
                new TrainingPlan(1, 16, 0.02f, 0.5f, 0, 9), 6, 1);
        assertThat(new Simulation(other, train, test).run(Simulation.Listener.NONE).global()).isNotEqualTo(one.global());
    }

    @Test
    void secureAggregationGivesTheSameModelAsPlainFedAvgUpToQuantisation() {
        FashionMnist.Split train = synthetic(240, 5);
        FashionMnist.Split test = synthetic(60, 6);
        Simulation.Config plain = new Simulation.Config(3, 1, 1, new Partitions.Iid(), "fedavg", "mlp",
                new TrainingPlan(1, 16, 0.02f, 0.5f, 0, 9), 5, 2);
        Simulation.Result a = new Simulation(plain, train, test).run(Simulation.Listener.NONE);
        Simulation.Result b = new Simulation(plain.withSecureAggregation(true), train, test).run(Simulation.Listener.NONE);
        assertThat(b.rounds().get(0).secAggSeconds()).isPositive();
        assertThat(a.rounds().get(0).secAggSeconds()).isNaN();
        assertThat(b.rounds().get(0).contributors()).isEqualTo(3);
        // rounding to 1/1024 of a unit of n·Δ: the mean is off by at most m/(2·1024·Σn) per weight
        double bound = 3 / (2.0 * 1024 * 240);
        float maxDiff = 0;
        for (int i = 0; i < a.global().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a.global()[i] - b.global()[i]));
        }
        assertThat((double) maxDiff).isPositive().isLessThanOrEqualTo(bound * 1.01);
        assertThatThrownBy(() -> new Simulation(new Simulation.Config(3, 1, 1, new Partitions.Iid(), "fedmedian", "mlp",
                TrainingPlan.DEFAULT, 5, 1).withSecureAggregation(true), train, test).run(Simulation.Listener.NONE))
                .hasMessageContaining("fedmedian needs the individual updates");
    }

    @Test
    void byzantineClientsForgeTheirUpdatesEveryRoundTheyAreSampled() {
        FashionMnist.Split train = synthetic(200, 7);
        FashionMnist.Split test = synthetic(100, 8);
        Simulation.Config honest = new Simulation.Config(5, 1, 1, new Partitions.Iid(), "fedavg", "mlp",
                new TrainingPlan(1, 16, 0.02f, 0.5f, 0, 9), 5, 2);
        Simulation.Result clean = new Simulation(honest, train, test).run(Simulation.Listener.NONE);
        Simulation.Result attacked = new Simulation(honest.withByzantine(dev.fieldline.federated.Byzantine.parse("0.4:scale:50")),
                train, test).run(Simulation.Listener.NONE);
        assertThat(attacked.rounds()).extracting(Simulation.RoundReport::attackers).containsExactly(2);
        assertThat(clean.rounds()).extracting(Simulation.RoundReport::attackers).containsExactly(0);
        assertThat(attacked.finalAccuracy()).isLessThan(clean.finalAccuracy());
        // the same attack and seed give the same run
        Simulation.Result again = new Simulation(honest.withByzantine(dev.fieldline.federated.Byzantine.parse("0.4:scale:50")),
                train, test).run(Simulation.Listener.NONE);
        assertThat(again.global()).containsExactly(attacked.global());
    }

    @Test
    void clientIdsSortInClientOrder() {
        assertThat(Simulation.clientId(7, 100)).isEqualTo("client-07");
        assertThat(Simulation.clientId(0, 1)).isEqualTo("client-0");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ids.add(Simulation.clientId(i, 150));
        }
        assertThat(ids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void badConfigurationsNameTheParameter() {
        TrainingPlan plan = TrainingPlan.DEFAULT;
        assertThatThrownBy(() -> new Simulation.Config(0, 1, 1, new Partitions.Iid(), "fedavg", "mlp", plan, 1, 1))
                .hasMessage("clients must be >= 1, was 0");
        assertThatThrownBy(() -> new Simulation.Config(2, 1.5, 1, new Partitions.Iid(), "fedavg", "mlp", plan, 1, 1))
                .hasMessage("fraction must be in (0, 1], was 1.5");
        assertThatThrownBy(() -> new Simulation.Config(2, 1, 1, new Partitions.Iid(), "fedavg", "resnet", plan, 1, 1))
                .hasMessage("unknown model 'resnet'; known: [mlp, cnn]");
        assertThatThrownBy(() -> new Simulation.Config(2, 1, 1, new Partitions.Iid(), "fedavg", "mlp", plan, 1, 0))
                .hasMessage("threads must be >= 1, was 0");
        assertThatThrownBy(() -> new Simulation.Config(2, 1, 1, new Partitions.Iid(), "fedavg", "mlp", plan, 1, 1)
                .withDp(new dev.fieldline.federated.privacy.DpConfig(1, 1)).withSecureAggregation(true))
                .hasMessageStartingWith("secure aggregation and DP are not combined here");
    }
}
