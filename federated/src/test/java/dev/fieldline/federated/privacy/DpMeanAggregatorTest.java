package dev.fieldline.federated.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.federated.ClientUpdate;
import dev.fieldline.federated.FedAvg;
import dev.fieldline.federated.RoundCoordinator;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.federated.UpdateValidator;
import dev.fieldline.federated.WeightLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DpMeanAggregatorTest {

    private static ClientUpdate update(String id, long examples, float... delta) {
        return new ClientUpdate(id, delta, examples, Map.of());
    }

    @Test
    void withoutNoiseItIsTheUnweightedSumOfClippedUpdatesOverTheExpectedCount() {
        DpMeanAggregator agg = new DpMeanAggregator(new DpConfig(1.0, 0), 4, NoiseSource.seededForSimulationOnly(1));
        float[] mean = agg.mean(List.of(
                update("a", 1, 0.5f, 0),
                update("b", 1000, 0, -0.5f), // example counts do not weigh
                update("c", 7, 30, 40))); // norm 50, clipped to (0.6, 0.8)
        assertThat(mean).containsExactly(new float[] {(0.5f + 0.6f) / 4, (-0.5f + 0.8f) / 4}, within(1e-7f));
        assertThat(agg.lastStats()).isEqualTo(new DpMeanAggregator.Stats(3, 1, 0, 0));
    }

    @Test
    void aHugeUpdateFromAClientThatSkippedClippingMovesTheMeanByAtMostSOverTheCount() {
        DpMeanAggregator agg = new DpMeanAggregator(new DpConfig(2.0, 0), 10, NoiseSource.seededForSimulationOnly(1));
        float[] huge = new float[100];
        java.util.Arrays.fill(huge, 3e37f); // norm 3e38: its square overflows float, not double
        float[] mean = agg.mean(List.of(update("evil", 1, huge)));
        assertThat(UpdateClipping.l2Norm(mean)).isCloseTo(2.0 / 10, within(1e-6));
        assertThat(huge[0]).isEqualTo(3e37f); // the received update is not modified
        assertThat(agg.lastStats().clipped()).isEqualTo(1);
        // a non-finite update counts as zero rather than poisoning the sum
        float[] withNan = agg.mean(List.of(update("a", 1, 1, 0), update("nan", 1, Float.NaN, 1)));
        assertThat(withNan).containsExactly(0.1f, 0f);
        assertThat(agg.lastStats().nonFinite()).isEqualTo(1);
    }

    @Test
    void noiseHasStandardDeviationZSOverTheExpectedCountPerCoordinate() {
        double z = 1.3;
        double s = 0.7;
        double expected = 25; // q·N, e.g. 250 clients at q = 0.1
        DpMeanAggregator agg = new DpMeanAggregator(new DpConfig(s, z), expected,
                NoiseSource.seededForSimulationOnly(42));
        int n = 200_000;
        float[] mean = agg.mean(List.of(update("a", 1, new float[n])));
        double sum = 0;
        double sq = 0;
        for (float v : mean) {
            sum += v;
            sq += (double) v * v;
        }
        double m = sum / n;
        double std = Math.sqrt(sq / n - m * m);
        double target = z * s / expected;
        assertThat(agg.lastStats().meanNoiseStd()).isCloseTo(target, within(1e-12));
        // the sample std of 200 000 normals is within 1% of the true one with overwhelming probability
        // (its relative standard error is 1/√(2n) = 0.16%)
        assertThat(std).isCloseTo(target, within(0.01 * target));
        assertThat(Math.abs(m)).isLessThan(5 * target / Math.sqrt(n));
    }

    @Test
    void theNoisyMeanIsUnbiasedForTheMeanOfTheClippedUpdates() {
        Random r = new Random(3);
        int dim = 8;
        List<ClientUpdate> updates = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            float[] d = new float[dim];
            for (int i = 0; i < dim; i++) {
                d[i] = (float) (r.nextGaussian() * (c % 3 == 0 ? 5 : 0.2)); // some above the bound
            }
            updates.add(update("c" + c, 1 + c, d));
        }
        DpConfig config = new DpConfig(1.0, 1.0);
        double[] target = new double[dim];
        for (ClientUpdate u : updates) {
            float[] clipped = UpdateClipping.clip(u.delta(), config.clipNorm());
            for (int i = 0; i < dim; i++) {
                target[i] += clipped[i] / 10.0;
            }
        }
        DpMeanAggregator agg = new DpMeanAggregator(config, 10, NoiseSource.seededForSimulationOnly(9));
        int trials = 20_000;
        double[] avg = new double[dim];
        for (int t = 0; t < trials; t++) {
            float[] m = agg.mean(updates);
            for (int i = 0; i < dim; i++) {
                avg[i] += m[i] / (double) trials;
            }
        }
        double se = 1.0 * 1.0 / 10 / Math.sqrt(trials); // z·S/(qN)/√trials
        for (int i = 0; i < dim; i++) {
            assertThat(avg[i]).as("coordinate %d", i).isCloseTo(target[i], within(4.5 * se));
        }
        assertThat(agg.lastStats().clipped()).isEqualTo(4);
    }

    @Test
    void seededNoiseRepeatsAndSecureNoiseDoesNot() {
        DpConfig config = new DpConfig(1, 1);
        List<ClientUpdate> u = List.of(update("a", 1, new float[16]));
        assertThat(new DpMeanAggregator(config, 1, NoiseSource.seededForSimulationOnly(5)).mean(u))
                .containsExactly(new DpMeanAggregator(config, 1, NoiseSource.seededForSimulationOnly(5)).mean(u));
        assertThat(new DpMeanAggregator(config, 1, NoiseSource.secure()).mean(u))
                .isNotEqualTo(new DpMeanAggregator(config, 1, NoiseSource.secure()).mean(u));
        assertThat(NoiseSource.seededForSimulationOnly(5).toString()).contains("not private");
    }

    @Test
    void plugsIntoTheRoundCoordinatorWithALinearStrategy() {
        WeightLayout layout = new WeightLayout(List.of("w"), List.of(new int[] {2}));
        Instant t0 = Instant.parse("2026-11-21T12:00:00Z");
        DpMeanAggregator agg = new DpMeanAggregator(new DpConfig(1.0, 0), 2, NoiseSource.seededForSimulationOnly(1));
        RoundCoordinator c = new RoundCoordinator(new RoundCoordinator.Config(1, 2, 2, Duration.ofSeconds(60),
                TrainingPlan.DEFAULT, 7), new FedAvg(), new UpdateValidator(layout, 100, 1000), new float[] {1, 1}, agg);
        RoundCoordinator.RoundPlan plan = c.start(List.of("a", "b"), t0);
        c.submit(plan.round(), update("a", 1, 3, 4), t0);
        c.submit(plan.round(), update("b", 500, 0, 1), t0);
        assertThat(c.close().outcome()).isEqualTo(RoundCoordinator.Outcome.AGGREGATED);
        // (0.6, 0.8) + (0, 1), over 2; FedAvg applies the mean delta as is
        assertThat(c.global()).containsExactly(new float[] {1.3f, 1.9f}, within(1e-6f));
    }

    @Test
    void refusesBadConfiguration() {
        assertThatThrownBy(() -> new DpConfig(0, 1)).hasMessageContaining("clipNorm");
        assertThatThrownBy(() -> new DpConfig(1, -0.1)).hasMessageContaining("noiseMultiplier");
        assertThatThrownBy(() -> new DpConfig(1, Double.NaN)).hasMessageContaining("noiseMultiplier");
        DpConfig ok = new DpConfig(1, 1);
        assertThatThrownBy(() -> new DpMeanAggregator(ok, 0, NoiseSource.secure()))
                .hasMessageContaining("expectedParticipants");
        DpMeanAggregator agg = new DpMeanAggregator(ok, 1, NoiseSource.secure());
        assertThatThrownBy(() -> agg.mean(List.of())).hasMessageContaining("no updates");
        assertThatThrownBy(() -> agg.mean(List.of(update("a", 1, 1, 2), update("b", 1, 1))))
                .hasMessageContaining("update of b");
    }
}
