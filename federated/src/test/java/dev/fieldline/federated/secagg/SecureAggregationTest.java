package dev.fieldline.federated.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.federated.ClientUpdate;
import dev.fieldline.federated.FedAvg;
import dev.fieldline.federated.RoundCoordinator;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.federated.UpdateValidator;
import dev.fieldline.federated.WeightLayout;
import dev.fieldline.federated.secagg.SecureAggregation.Dropouts;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SecureAggregationTest {
    private static final Quantisation Q40 = new Quantisation(1.0, 1024, 65_536, 40, Quantisation.Rounding.NEAREST);

    private static List<long[]> inputs(int n, int length, int bits, long seed) {
        Random r = new Random(seed);
        long mask = (1L << bits) - 1;
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] x = new long[length];
            for (int j = 0; j < length; j++) {
                x[j] = r.nextLong() & mask;
            }
            out.add(x);
        }
        return out;
    }

    private static long[] plainSum(List<long[]> inputs, List<Integer> over, int bits) {
        long mask = (1L << bits) - 1;
        long[] s = new long[inputs.get(0).length];
        for (int u : over) {
            long[] x = inputs.get(u - 1);
            for (int j = 0; j < s.length; j++) {
                s[j] = (s[j] + x[j]) & mask;
            }
        }
        return s;
    }

    private static SecAggParams params(int n, int t, int length) {
        return new SecAggParams(0x5eca99L, n, t, length, Q40);
    }

    @Test
    void theSumIsBitExactWithoutDropouts() {
        List<long[]> x = inputs(7, 1000, 40, 1);
        SecureAggregation.Sum s = SecureAggregation.sum(params(7, 4, 1000), x, Dropouts.NONE, Seeded.random(1));
        assertThat(s.contributors()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(s.sum()).isEqualTo(plainSum(x, s.contributors(), 40));
        assertThat(s.costs()).hasSize(4).allSatisfy(c -> assertThat(c.bytesUpPerClient()).isPositive());
    }

    @Test
    void clientsThatDropBeforeSharingKeysAreLeftOut() {
        List<long[]> x = inputs(7, 300, 40, 2);
        SecureAggregation.Sum s = SecureAggregation.sum(params(7, 4, 300), x,
                new Dropouts(Set.of(2, 6), Set.of(), Set.of()), Seeded.random(2));
        assertThat(s.contributors()).containsExactly(1, 3, 4, 5, 7);
        assertThat(s.sum()).isEqualTo(plainSum(x, s.contributors(), 40));
    }

    @Test
    void clientsThatDropAfterSharingKeysBeforeMaskingHaveTheirPairwiseMasksRemoved() {
        List<long[]> x = inputs(8, 300, 40, 3);
        SecureAggregation.Sum s = SecureAggregation.sum(params(8, 5, 300), x,
                new Dropouts(Set.of(), Set.of(1, 5, 8), Set.of()), Seeded.random(3));
        assertThat(s.contributors()).containsExactly(2, 3, 4, 6, 7);
        assertThat(s.sum()).isEqualTo(plainSum(x, s.contributors(), 40));
    }

    @Test
    void clientsThatDropAfterMaskingStillCountAndTheirSelfMasksAreRemoved() {
        List<long[]> x = inputs(8, 300, 40, 4);
        SecureAggregation.Sum s = SecureAggregation.sum(params(8, 5, 300), x,
                new Dropouts(Set.of(), Set.of(), Set.of(2, 3, 7)), Seeded.random(4));
        assertThat(s.contributors()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(s.sum()).isEqualTo(plainSum(x, s.contributors(), 40));
    }

    @Test
    void dropoutsAtEveryPointTogether() {
        List<long[]> x = inputs(12, 200, 16, 5);
        SecAggParams p = new SecAggParams(9, 12, 7,  200, new Quantisation(1, 1, 100, 16, Quantisation.Rounding.NEAREST));
        SecureAggregation.Sum s = SecureAggregation.sum(p, x, new Dropouts(Set.of(12), Set.of(1, 4), Set.of(5, 9)),
                Seeded.random(5));
        assertThat(s.contributors()).containsExactly(2, 3, 5, 6, 7, 8, 9, 10, 11);
        assertThat(s.sum()).isEqualTo(plainSum(x, s.contributors(), 16));
    }

    @Test
    void fewerThanThresholdMaskedInputsAbandonsTheRound() {
        List<long[]> x = inputs(6, 50, 40, 6);
        assertThatThrownBy(() -> SecureAggregation.sum(params(6, 4, 50), x,
                new Dropouts(Set.of(), Set.of(1, 2, 3), Set.of()), Seeded.random(6)))
                .isInstanceOfSatisfying(SecAggException.class,
                        e -> assertThat(e.reason()).isEqualTo(SecAggException.Reason.TOO_FEW_CLIENTS))
                .hasMessageContaining("only 3 clients sent masked inputs, fewer than the threshold of 4");
    }

    @Test
    void fewerThanThresholdSurvivorsAnsweringTheUnmaskRequestAbandonsTheRound() {
        List<long[]> x = inputs(6, 50, 40, 7);
        assertThatThrownBy(() -> SecureAggregation.sum(params(6, 4, 50), x,
                new Dropouts(Set.of(), Set.of(1), Set.of(2, 3)), Seeded.random(7)))
                .isInstanceOfSatisfying(SecAggException.class,
                        e -> assertThat(e.reason()).isEqualTo(SecAggException.Reason.TOO_FEW_SHARES))
                .hasMessageContaining("only 3 clients answered the unmask request");
    }

    @Test
    void fewerThanThresholdSharingKeysAbandonsTheRound() {
        List<long[]> x = inputs(5, 10, 40, 8);
        assertThatThrownBy(() -> SecureAggregation.sum(params(5, 3, 10), x,
                new Dropouts(Set.of(1, 2, 3), Set.of(), Set.of()), Seeded.random(8)))
                .isInstanceOfSatisfying(SecAggException.class,
                        e -> assertThat(e.reason()).isEqualTo(SecAggException.Reason.TOO_FEW_CLIENTS))
                .hasMessageContaining("only 2 clients shared keys");
    }

    private static List<ClientUpdate> updates(int n, int d, long seed) {
        Random r = new Random(seed);
        List<ClientUpdate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] delta = new float[d];
            for (int j = 0; j < d; j++) {
                delta[j] = (float) (r.nextGaussian() * 0.05);
            }
            delta[0] = 3f; // clipped to 1.0
            out.add(new ClientUpdate(String.format("dev-%02d", i), delta, 20 + r.nextInt(600),
                    Map.of("loss", 0.3 + 2 * r.nextDouble(), "accuracy", r.nextDouble(), "only-" + i, 1.0)));
        }
        return out;
    }

    /** Σ n_u clip(Δ_u) / Σ n_u in double, over the given clients. */
    private static double[] clippedMean(List<ClientUpdate> updates, List<String> over, double clip) {
        double[] s = new double[updates.get(0).delta().length];
        long examples = 0;
        for (ClientUpdate u : updates) {
            if (!over.contains(u.clientId())) {
                continue;
            }
            examples += u.examples();
            for (int j = 0; j < s.length; j++) {
                s[j] += u.examples() * Math.max(-clip, Math.min(clip, u.delta()[j]));
            }
        }
        for (int j = 0; j < s.length; j++) {
            s[j] /= examples;
        }
        return s;
    }

    private static void assertWithin(SecureAggregation.Result r, List<ClientUpdate> updates) {
        assertThat(r.metrics().keySet()).as("only the metrics every client reported").containsOnly("loss", "accuracy");
        for (String metric : List.of("loss", "accuracy")) {
            double sum = 0;
            long examples = 0;
            for (ClientUpdate u : updates) {
                if (r.contributors().contains(u.clientId())) {
                    sum += u.examples() * u.metrics().get(metric);
                    examples += u.examples();
                }
            }
            assertThat(r.metrics().get(metric)).isCloseTo(sum / examples,
                    org.assertj.core.data.Offset.offset(r.errorBound() * Quantisation.METRIC_CLIP));
        }
        double[] exact = clippedMean(updates, r.contributors(), 1.0);
        for (int j = 0; j < exact.length; j++) {
            double tolerance = r.errorBound() + Math.ulp((float) exact[j]);
            assertThat(Math.abs(r.meanDelta()[j] - exact[j])).as("coordinate %d", j).isLessThanOrEqualTo(tolerance);
        }
    }

    @Test
    void theMeanIsTheExampleWeightedMeanWithinTheQuantisationBound() {
        List<ClientUpdate> updates = updates(10, 2000, 9);
        SecureAggregation.Result r = SecureAggregation.run(SecAggConfig.DEFAULT, updates, Set.of(), Set.of(),
                Seeded.random(9));
        assertThat(r.contributors()).hasSize(10);
        assertThat(r.examples()).isEqualTo(updates.stream().mapToLong(ClientUpdate::examples).sum());
        assertThat(r.errorBound()).isEqualTo(10 * 0.5 / (1024.0 * r.examples()));
        assertWithin(r, updates);
        assertThat(r.meanDelta()[0]).isEqualTo(1.0f); // every client's 3.0 clipped to 1.0
    }

    @Test
    void theMeanWithDropoutsAndStochasticRoundingIsOverTheContributors() {
        List<ClientUpdate> updates = updates(10, 2000, 10);
        SecAggConfig config = SecAggConfig.DEFAULT.withQuantisation(
                Quantisation.forClients(1.0, 256, 65_536, 100, Quantisation.Rounding.STOCHASTIC));
        SecureAggregation.Result r = SecureAggregation.run(config, updates, Set.of("dev-03", "dev-07"), Set.of("dev-01"),
                Seeded.random(10));
        assertThat(r.contributors()).containsExactly("dev-00", "dev-01", "dev-02", "dev-04", "dev-05", "dev-06",
                "dev-08", "dev-09");
        assertThat(r.errorBound()).isEqualTo(8 * 1.0 / (256.0 * r.examples()));
        assertWithin(r, updates);
    }

    @Test
    void theResultClosesARoundOfTheCoordinator() {
        WeightLayout layout = new WeightLayout(List.of("w"), List.of(new int[] {50}));
        List<ClientUpdate> updates = updates(5, 50, 11);
        RoundCoordinator c = new RoundCoordinator(new RoundCoordinator.Config(1, 3, 3, Duration.ofSeconds(60),
                TrainingPlan.DEFAULT, 1), new FedAvg(), new UpdateValidator(layout), new float[50]);
        c.start(updates.stream().map(ClientUpdate::clientId).toList(), Instant.EPOCH);
        SecureAggregation.Result r = SecureAggregation.run(SecAggConfig.DEFAULT, updates, Set.of(), Set.of(),
                Seeded.random(11));
        RoundCoordinator.RoundResult result = c.closeWithMean(r.meanDelta(), r.contributors(), r.examples(), Map.of());
        assertThat(result.outcome()).isEqualTo(RoundCoordinator.Outcome.AGGREGATED);
        assertThat(result.contributors()).hasSize(5);
        double[] exact = clippedMean(updates, r.contributors(), 1.0);
        float[] global = c.global();
        for (int j = 0; j < 50; j++) {
            assertThat(Math.abs(global[j] - exact[j])).isLessThanOrEqualTo(r.errorBound() + 1e-7);
        }
    }

    @Test
    void aModulusTooSmallForTheClientsIsRefused() {
        Quantisation small = new Quantisation(1.0, 1024, 65_536, 32, Quantisation.Rounding.NEAREST);
        assertThatThrownBy(() -> new SecAggParams(1, 40, 21, 10, small))
                .isInstanceOfSatisfying(SecAggException.class,
                        e -> assertThat(e.reason()).isEqualTo(SecAggException.Reason.OVERFLOW))
                .hasMessageContaining("can wrap mod 2^32");
        assertThat(SecAggConfig.DEFAULT.quantisation().bits()).isEqualTo(40);
        assertThat(SecAggConfig.DEFAULT.quantisation().fits(8191)).isTrue();
        assertThat(SecAggConfig.DEFAULT.quantisation().fits(8192)).isFalse(); // 8192 · 2^26 = 2^39
    }

    @Test
    void theDefaultThresholdIsAMajority() {
        for (int n : IntStream.rangeClosed(2, 200).toArray()) {
            int t = SecAggConfig.DEFAULT.threshold(n);
            assertThat(t).isGreaterThan(n / 2).isLessThanOrEqualTo(n);
            assertThat(2 * t).isGreaterThan(n);
        }
        assertThat(SecAggConfig.DEFAULT.threshold(10)).isEqualTo(6);
        assertThatThrownBy(() -> new SecAggConfig(Q40, 0.3, false)).hasMessageContaining("allowMinorityThreshold");
        assertThat(new SecAggConfig(Q40, 0.3, true).threshold(10)).isEqualTo(4);
    }

    @Test
    void runNamesUnknownDropouts() {
        List<ClientUpdate> updates = updates(3, 5, 12);
        SecureRandom random = Seeded.random(12);
        assertThatThrownBy(() -> SecureAggregation.run(SecAggConfig.DEFAULT, updates, Set.of("nobody"), Set.of(), random))
                .hasMessageContaining("drop-out nobody has no update");
    }
}
