package dev.fieldline.federated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrategiesTest {

    private static ClientUpdate u(String id, long examples, float... delta) {
        return new ClientUpdate(id, delta, examples, Map.of());
    }

    private static final Offset<Float> EPS = Offset.offset(1e-6f);

    // --- the registry -------------------------------------------------------------------------------

    @Test
    void unknownNameListsEveryName() {
        assertThatThrownBy(() -> Strategies.create("fedfoo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown strategy 'fedfoo'; known: fedavg, fedprox, fedavgm, fedadagrad, fedadam, fedyogi, "
                        + "fedmedian, fedtrimmedavg, trimmedavg, krum, multikrum");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "fedtrimmedavg:beta=0.5 | strategy fedtrimmedavg: parameter 'beta' must be in [0, 0.5), was 0.5",
        "trimmedavg:beta=-0.1   | strategy trimmedavg: parameter 'beta' must be in [0, 0.5), was -0.1",
        "fedavgm:momentum=1     | strategy fedavgm: parameter 'momentum' must be in [0, 1), was 1",
        "fedadam:eta=0          | strategy fedadam: parameter 'eta' must be in (0, 1000000], was 0",
        "fedyogi:beta_2=1.5     | strategy fedyogi: parameter 'beta_2' must be in [0, 1), was 1.5",
        "fedyogi:tau=-1         | strategy fedyogi: parameter 'tau' must be in (0, 1000000], was -1",
        "fedprox:mu=-1          | strategy fedprox: parameter 'mu' must be in [0, 1000000], was -1",
        "fedprox                | strategy fedprox: parameter 'mu' is required, e.g. fedprox:mu=0.01",
        "krum:f=1.5             | strategy krum: parameter 'f' must be an integer >= 0, was 1.5",
        "multikrum:f=1,m=-2     | strategy multikrum: parameter 'm' must be an integer >= 0, was -2",
        "krum:f=x               | strategy krum: parameter 'f' must be a number, was 'x'",
        "fedmedian:beta=0.1     | strategy fedmedian has no parameter 'beta'; it takes none",
        "fedadagrad:beta_2=0.9  | strategy fedadagrad has no parameter 'beta_2'; it takes eta, beta_1, tau",
        "krum:m=3               | strategy krum has no parameter 'm'; it takes f",
    })
    void badParametersNameTheValidRange(String spec, String message) {
        assertThatThrownBy(() -> Strategies.create(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({
        "fedavg, fedavg, true", "fedprox:mu=0.1, fedprox, true", "fedavgm, fedavgm, true",
        "fedadagrad, fedadagrad, true", "fedadam, fedadam, true", "FedYogi:eta=0.02, fedyogi, true",
        "fedmedian, fedmedian, false", "trimmedavg, fedtrimmedavg, false", "fedtrimmedavg:beta=0, fedtrimmedavg, false",
        "krum, krum, false", "'multikrum:f=1,m=3', multikrum, false",
    })
    void namesAndLinearity(String spec, String name, boolean linear) {
        Strategy s = Strategies.create(spec);
        assertThat(s.name()).isEqualTo(name);
        assertThat(s.linear()).isEqualTo(linear);
    }

    @Test
    void linearStrategiesAggregateAsTheyApplyTheWeightedMean() {
        Random r = new Random(5);
        List<ClientUpdate> updates = randomUpdates(r, 4, 6);
        float[] global = randomVector(r, 6);
        for (String spec : List.of("fedavg:server_lr=0.7", "fedprox:mu=0.1", "fedavgm:momentum=0.9", "fedadagrad",
                "fedadam", "fedyogi")) {
            float[] viaUpdates = Strategies.create(spec).aggregate(1, global, updates);
            float[] viaMean = Strategies.create(spec).applyMean(1, global, Strategy.weightedMean(updates));
            assertThat(viaUpdates).as(spec).containsExactly(viaMean);
        }
        assertThatThrownBy(() -> Strategies.create("fedmedian").applyMean(1, global, global))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("fedmedian is not linear");
    }

    // --- FedProx ---------------------------------------------------------------------------------------

    @Test
    void fedProxSendsMuToClientsAndAveragesLikeFedAvg() {
        Strategy prox = Strategies.create("fedprox:mu=0.01");
        assertThat(prox.clientSettings()).containsExactly(Map.entry("proximal_mu", 0.01));
        List<ClientUpdate> updates = List.of(u("a", 1, 1f, 4f), u("b", 3, 5f, 0f));
        assertThat(prox.aggregate(1, new float[] {1, 1}, updates)).containsExactly(5f, 2f);

        WeightLayout layout = WeightLayout.of(dev.fieldline.training.Sequential.builder(1, 2).dense(1).build());
        RoundCoordinator c = new RoundCoordinator(new RoundCoordinator.Config(1, 1, 1, Duration.ofSeconds(5),
                TrainingPlan.DEFAULT, 1), prox, new UpdateValidator(layout), new float[layout.size()]);
        assertThat(c.start(List.of("a"), Instant.EPOCH).plan().proximalMu()).isEqualTo(0.01);
    }

    // --- server optimisers ---------------------------------------------------------------------------------

    @Test
    void fedAvgMAccumulatesMomentum() {
        Strategy s = Strategies.create("fedavgm:server_lr=0.5,momentum=0.9");
        float[] w1 = s.aggregate(1, new float[] {0}, List.of(u("a", 1, 1f)));
        assertThat(w1[0]).isCloseTo(0.5f, EPS); // v = 1
        float[] w2 = s.aggregate(2, w1, List.of(u("a", 1, 1f)));
        assertThat(w2[0]).isCloseTo(0.5f + 0.5f * 1.9f, EPS); // v = 0.9 + 1
        assertThat(Strategies.create("fedavgm").aggregate(1, new float[] {2}, List.of(u("a", 1, 3f))))
                .containsExactly(5f); // Flower's defaults: lr 1, momentum 0 = FedAvg
    }

    @Test
    void fedAdamWithFlowersDefaults() {
        Strategy s = Strategies.create("fedadam"); // eta 0.1, beta_1 0.9, beta_2 0.99, tau 1e-9
        float[] w = s.aggregate(1, new float[] {0}, List.of(u("a", 1, 2f)));
        assertThat(w[0]).isCloseTo(0.1f, EPS);
        w = s.aggregate(2, w, List.of(u("a", 1, 1f)));
        assertThat(w[0]).isCloseTo(0.22572371f, EPS);
    }

    @Test
    void fedYogiMovesTheSecondMomentBySign() {
        Strategy s = Strategies.create("fedyogi"); // eta 0.01, beta_1 0.9, beta_2 0.99, tau 1e-3
        float[] w = s.aggregate(1, new float[] {0}, List.of(u("a", 1, 2f)));
        assertThat(w[0]).isCloseTo(0.009950249f, EPS);
        w = s.aggregate(2, w, List.of(u("a", 1, 1f)));
        assertThat(w[0]).isCloseTo(0.022416479f, EPS); // v = 0.04 + 0.01·1 (Adam would give 0.0496)
        assertThat(s.state().get("v")[0]).isCloseTo(0.05f, EPS);
    }

    @Test
    void fedAdagradSumsSquares() {
        Strategy s = Strategies.create("fedadagrad");
        float[] w = s.aggregate(1, new float[] {0}, List.of(u("a", 1, 2f)));
        assertThat(w[0]).isCloseTo(0.1f, EPS);
        w = s.aggregate(2, w, List.of(u("a", 1, 1f)));
        assertThat(w[0]).isCloseTo(0.14472136f, EPS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fedavgm:momentum=0.9", "fedadagrad", "fedadam", "fedyogi:eta=0.05"})
    void restoredStateGivesIdenticalRounds(String spec) {
        Random r = new Random(spec.hashCode());
        Strategy first = Strategies.create(spec);
        float[] w = randomVector(r, 8);
        for (int round = 1; round <= 3; round++) {
            w = first.aggregate(round, w, randomUpdates(r, 3, 8));
        }
        Map<String, float[]> saved = first.state();
        assertThat(saved).isNotEmpty();
        Strategy second = Strategies.create(spec);
        second.restore(saved);
        saved.values().forEach(a -> java.util.Arrays.fill(a, 99f)); // state() hands out copies
        float[] w1 = w;
        float[] w2 = w;
        for (int round = 4; round <= 6; round++) {
            List<ClientUpdate> updates = randomUpdates(r, 3, 8);
            w1 = first.aggregate(round, w1, updates);
            w2 = second.aggregate(round, w2, updates);
            assertThat(w2).containsExactly(w1);
        }
        Strategy fresh = Strategies.create(spec);
        assertThat(fresh.aggregate(4, w, randomUpdates(new Random(1), 3, 8)))
                .isNotEqualTo(first.aggregate(4, w, randomUpdates(new Random(1), 3, 8)));
    }

    @Test
    void coordinatorRestartResumesTheServerOptimiser() {
        WeightLayout layout = WeightLayout.of(dev.fieldline.training.Sequential.builder(1, 3).dense(2).build());
        RoundCoordinator.Config config = new RoundCoordinator.Config(1, 2, 2, Duration.ofSeconds(5),
                TrainingPlan.DEFAULT, 3);
        Random r = new Random(8);
        RoundCoordinator a = new RoundCoordinator(config, Strategies.create("fedadam"), new UpdateValidator(layout),
                new float[layout.size()]);
        List<String> clients = List.of("x", "y");
        for (int i = 0; i < 2; i++) {
            round(a, clients, randomUpdates(r, 2, layout.size()));
        }
        RoundCoordinator b = new RoundCoordinator(config, Strategies.create("fedadam"), new UpdateValidator(layout),
                new float[layout.size()]);
        b.restore(a.snapshot());
        for (int i = 0; i < 3; i++) {
            List<ClientUpdate> updates = randomUpdates(r, 2, layout.size());
            round(a, clients, updates);
            round(b, clients, updates);
            assertThat(b.global()).containsExactly(a.global());
        }
    }

    @Test
    void restoredStateOfTheWrongSizeAbandonsTheRound() {
        WeightLayout layout = WeightLayout.of(dev.fieldline.training.Sequential.builder(1, 3).dense(2).build());
        Strategy adam = Strategies.create("fedadam");
        adam.restore(Map.of("m", new float[3], "v", new float[3]));
        RoundCoordinator c = new RoundCoordinator(new RoundCoordinator.Config(1, 1, 1, Duration.ofSeconds(5),
                TrainingPlan.DEFAULT, 3), adam, new UpdateValidator(layout), new float[layout.size()]);
        RoundCoordinator.RoundResult result = round(c, List.of("x"), randomUpdates(new Random(1), 1, layout.size()));
        assertThat(result.outcome()).isEqualTo(RoundCoordinator.Outcome.ABANDONED);
        assertThat(result.reason()).isEqualTo("round 1: fedadam: restored state 'm' holds 3 values, the model 8");
        assertThat(c.version()).isZero();
    }

    @Test
    void aRoundAbandonedForNonFiniteWeightsLeavesTheServerOptimiserUnchanged() {
        WeightLayout layout = WeightLayout.of(dev.fieldline.training.Sequential.builder(1, 1).dense(1).build());
        RoundCoordinator.Config config = new RoundCoordinator.Config(1, 1, 1, Duration.ofSeconds(5),
                TrainingPlan.DEFAULT, 3);
        UpdateValidator lax = new UpdateValidator(layout, 1e39, 10);
        RoundCoordinator c = new RoundCoordinator(config, Strategies.create("fedavgm:server_lr=1e6,momentum=0.5"),
                lax, new float[2]);
        RoundCoordinator fresh = new RoundCoordinator(config, Strategies.create("fedavgm:server_lr=1e6,momentum=0.5"),
                lax, new float[2]);
        RoundCoordinator.RoundResult blown = round(c, List.of("x"), List.of(u("x", 1, 1e33f, 1e33f)));
        assertThat(blown.outcome()).isEqualTo(RoundCoordinator.Outcome.ABANDONED);
        assertThat(blown.reason()).isEqualTo("round 1: aggregation gave a non-finite weight");
        assertThat(c.strategy().state()).isEmpty();
        round(c, List.of("x"), List.of(u("x", 1, 1e-6f, 2e-6f)));
        round(fresh, List.of("x"), List.of(u("x", 1, 1e-6f, 2e-6f)));
        assertThat(c.global()).containsExactly(fresh.global());
        assertThat(c.strategy().state().get("momentum")).containsExactly(fresh.strategy().state().get("momentum"));
    }

    private static RoundCoordinator.RoundResult round(RoundCoordinator c, List<String> clients,
            List<ClientUpdate> updates) {
        RoundCoordinator.RoundPlan plan = c.start(clients, Instant.EPOCH);
        for (int i = 0; i < clients.size(); i++) {
            ClientUpdate x = updates.get(i);
            c.submit(plan.round(), new ClientUpdate(clients.get(i), x.delta(), x.examples(), x.metrics()), Instant.EPOCH);
        }
        return c.close();
    }

    // --- median and trimmed mean -------------------------------------------------------------------------

    private static final List<ClientUpdate> FIVE = List.of(
            u("a", 1, 1f, 10f, -1f),
            u("b", 100, 3f, -4f, -1f), // example counts do not matter to the robust strategies
            u("c", 1, 2f, 0f, 5f),
            u("d", 7, 10f, 1f, 0f),
            u("e", 1, 0f, 2f, 2f));

    @Test
    void medianOddAndEvenCountsIgnoringExampleCounts() {
        float[] g = {0.5f, 0.5f, 0.5f};
        assertThat(new FedMedian().aggregate(1, g, FIVE.subList(0, 3))).containsExactly(2.5f, 0.5f, -0.5f);
        // even: the mean of the two middle values
        assertThat(new FedMedian().aggregate(1, g, FIVE.subList(0, 4))).containsExactly(3f, 1f, 0f);
        // ties
        assertThat(new FedMedian().aggregate(1, new float[] {0}, List.of(u("a", 1, 4f), u("b", 1, 4f), u("c", 1, -9f))))
                .containsExactly(4f);
        assertThat(new FedMedian().aggregate(1, new float[] {1}, List.of(u("a", 1, 7f)))).containsExactly(8f);
    }

    @Test
    void trimmedMeanCutsFloorBetaNFromEachEnd() {
        float[] g = {0, 0, 0};
        // β = 0.2, n = 5: one from each end
        assertThat(new FedTrimmedAvg(0.2).aggregate(1, g, FIVE)).containsExactly(2f, 1f, 1f / 3);
        // β = 0.19: ⌊0.95⌋ = 0, the unweighted mean
        assertThat(new FedTrimmedAvg(0.19).aggregate(1, g, FIVE)).containsExactly(16f / 5, 9f / 5, 1f);
        // β = 0.4: two from each end, the median
        assertThat(new FedTrimmedAvg(0.4).aggregate(1, g, FIVE)).containsExactly(new FedMedian().aggregate(1, g, FIVE));
        // n = 4, β = 0.25: one from each end of [1,2,3,10], [-4,0,1,10], [-1,-1,0,5]
        assertThat(new FedTrimmedAvg(0.25).aggregate(1, g, FIVE.subList(0, 4))).containsExactly(2.5f, 0.5f, -0.5f);
        assertThat(new FedTrimmedAvg(0.2).trimmed(10)).isEqualTo(2);
        assertThat(Strategies.create("fedtrimmedavg")).extracting(s -> ((FedTrimmedAvg) s).beta()).isEqualTo(0.2);
    }

    // --- Krum ------------------------------------------------------------------------------------------------

    // one-dimensional deltas 0, 1, 2, 10, 11; with f = 1 each score sums the 2 nearest squared distances:
    // a: 1+4 = 5, b: 1+1 = 2, c: 1+4 = 5, d: 1+64 = 65, e: 1+81 = 82
    private static final List<ClientUpdate> LINE = List.of(
            u("a", 1, 0f), u("b", 1, 1f), u("c", 2, 2f), u("d", 1, 10f), u("e", 1, 11f));

    @Test
    void krumPicksTheLowestScore() {
        assertThat(Strategies.create("krum:f=1").aggregate(1, new float[] {100}, LINE)).containsExactly(101f);
    }

    @Test
    void multiKrumAveragesTheBestWeightedByExamplesAndBreaksTiesByClientId() {
        // m = 3: b, a, c (a and c tie) → (0·1 + 1·1 + 2·2) / 4
        assertThat(Strategies.create("multikrum:f=1,m=3").aggregate(1, new float[] {0}, LINE)).containsExactly(1.25f);
        // m = 2: b, then a before c by id → (0 + 1) / 2
        assertThat(Strategies.create("multikrum:f=1,m=2").aggregate(1, new float[] {0}, LINE)).containsExactly(0.5f);
        // default m = n − f = 4: b, a, c, d → (0 + 1 + 4 + 10) / 5
        assertThat(Strategies.create("multikrum:f=1").aggregate(1, new float[] {0}, LINE)).containsExactly(3f);
        assertThat(Krum.multiKrum(1, 2).select(LINE)).extracting(ClientUpdate::clientId).containsExactly("b", "a");
    }

    @Test
    void krumNeedsMoreThanTwoFPlusTwoUpdates() {
        assertThatThrownBy(() -> Strategies.create("krum:f=1").aggregate(1, new float[] {0}, LINE.subList(0, 4)))
                .isInstanceOf(AggregationException.class)
                .hasMessage("krum with f=1 needs more than 2f+2 = 4 updates, got 4");
        assertThatThrownBy(() -> Strategies.create("multikrum:f=1,m=5").aggregate(1, new float[] {0}, LINE))
                .isInstanceOf(AggregationException.class)
                .hasMessage("multikrum with f=1 can average 1..n-f = 4 of 5 updates, m is 5");
    }

    @Test
    void coordinatorAbandonsARoundKrumCannotAggregate() {
        WeightLayout layout = WeightLayout.of(dev.fieldline.training.Sequential.builder(1, 1).dense(1).build());
        RoundCoordinator c = new RoundCoordinator(new RoundCoordinator.Config(1, 2, 2, Duration.ofSeconds(5),
                TrainingPlan.DEFAULT, 3), Strategies.create("krum:f=1"), new UpdateValidator(layout),
                new float[] {1, 1});
        RoundCoordinator.RoundResult result = round(c, List.of("x", "y"), randomUpdates(new Random(2), 2, 2));
        assertThat(result.outcome()).isEqualTo(RoundCoordinator.Outcome.ABANDONED);
        assertThat(result.reason()).isEqualTo("round 1: krum with f=1 needs more than 2f+2 = 4 updates, got 2");
        assertThat(c.global()).containsExactly(1f, 1f);
    }

    // --- properties ---------------------------------------------------------------------------------------------

    @Test
    void robustStrategiesArePermutationInvariant() {
        Random r = new Random(11);
        for (int trial = 0; trial < 40; trial++) {
            int n = 5 + r.nextInt(6);
            List<ClientUpdate> updates = randomUpdates(r, n, 7);
            if (trial % 3 == 0) { // duplicates make ties in every statistic
                updates.set(1, new ClientUpdate("dup", updates.get(0).delta(), 3, Map.of()));
            }
            float[] g = randomVector(r, 7);
            List<ClientUpdate> shuffled = new ArrayList<>(updates);
            Collections.shuffle(shuffled, r);
            for (String spec : List.of("fedmedian", "fedtrimmedavg:beta=0.2", "krum:f=1", "multikrum:f=1",
                    "multikrum:f=1,m=2")) {
                assertThat(Strategies.create(spec).aggregate(1, g, shuffled)).as(spec + " n=" + n)
                        .containsExactly(Strategies.create(spec).aggregate(1, g, updates));
            }
        }
    }

    @Test
    void trimmedMeanWithBetaZeroIsTheUnweightedMean() {
        Random r = new Random(12);
        for (int trial = 0; trial < 20; trial++) {
            List<ClientUpdate> updates = randomUpdates(r, 1 + r.nextInt(8), 5);
            List<ClientUpdate> unweighted = new ArrayList<>();
            for (ClientUpdate x : updates) {
                unweighted.add(new ClientUpdate(x.clientId(), x.delta(), 1, Map.of()));
            }
            float[] g = randomVector(r, 5);
            float[] mean = new FedAvg().aggregate(1, g, unweighted);
            float[] trimmed = Strategies.create("trimmedavg:beta=0").aggregate(1, g, updates);
            for (int i = 0; i < g.length; i++) {
                assertThat(trimmed[i]).isCloseTo(mean[i], EPS);
            }
        }
    }

    @Test
    void multiKrumOfAllWithNoByzantineIsTheWeightedMean() {
        Random r = new Random(13);
        for (int trial = 0; trial < 20; trial++) {
            int n = 3 + r.nextInt(7);
            List<ClientUpdate> updates = randomUpdates(r, n, 6);
            float[] g = randomVector(r, 6);
            float[] mean = new FedAvg().aggregate(1, g, updates);
            float[] krum = Strategies.create("multikrum:f=0,m=" + n).aggregate(1, g, updates);
            for (int i = 0; i < g.length; i++) {
                assertThat(krum[i]).isCloseTo(mean[i], EPS);
            }
        }
    }

    @Test
    void robustStrategiesIgnoreAMinorityOfHugeUpdates() {
        Random r = new Random(14);
        List<ClientUpdate> updates = randomUpdates(r, 7, 4); // values in [-1, 1]
        for (int i = 0; i < 2; i++) {
            updates.set(i, u("evil-" + i, 1000, 1e6f, -1e6f, 1e6f, -1e6f));
        }
        for (String spec : List.of("fedmedian", "fedtrimmedavg:beta=0.3", "krum:f=2", "multikrum:f=2")) {
            for (float v : Strategies.create(spec).aggregate(1, new float[4], updates)) {
                assertThat(Math.abs(v)).as(spec).isLessThanOrEqualTo(1f);
            }
        }
        assertThat(Math.abs(new FedAvg().aggregate(1, new float[4], updates)[0])).isGreaterThan(1e5f);
    }

    static List<ClientUpdate> randomUpdates(Random r, int n, int dim) {
        List<ClientUpdate> updates = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            updates.add(new ClientUpdate("c" + c, randomVector(r, dim), 1 + r.nextInt(50), Map.of()));
        }
        return updates;
    }

    static float[] randomVector(Random r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
