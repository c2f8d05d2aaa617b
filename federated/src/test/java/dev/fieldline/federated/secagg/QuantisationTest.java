package dev.fieldline.federated.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.federated.secagg.Quantisation.Rounding;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantisationTest {

    private static float[] gaussian(int d, double sd, long seed) {
        Random r = new Random(seed);
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) (r.nextGaussian() * sd);
        }
        return v;
    }

    @Test
    void oneClientsDequantisedDeltaIsWithinTheBoundForBothRoundings() {
        for (Rounding rounding : Rounding.values()) {
            Quantisation q = new Quantisation(0.5, 64, 10_000, 32, rounding);
            float[] delta = gaussian(5000, 0.2, 1);
            long[] x = q.quantise(delta, 37, new Random(2));
            assertThat(x).hasSize(5001);
            assertThat(x[5000]).isEqualTo(37);
            float[] back = q.mean(x);
            double bound = q.meanErrorBound(1, 37);
            assertThat(bound).isEqualTo((rounding == Rounding.NEAREST ? 0.5 : 1.0) / (64 * 37));
            double worst = 0;
            for (int i = 0; i < delta.length; i++) {
                double clipped = Math.max(-0.5, Math.min(0.5, delta[i]));
                double err = Math.abs(back[i] - clipped);
                assertThat(err).as("%s coordinate %d", rounding, i).isLessThanOrEqualTo(bound + Math.ulp(back[i]));
                worst = Math.max(worst, err);
            }
            // the bound is tight enough to mean something: the worst error comes close to it
            assertThat(worst).isGreaterThan(bound * 0.8);
        }
    }

    @Test
    void clippingLimitsEachCoordinate() {
        Quantisation q = new Quantisation(0.25, 100, 100, 32, Rounding.NEAREST);
        float[] back = q.mean(q.quantise(new float[] {10f, -10f, 0.1f}, 4, new Random(1)));
        assertThat(back).containsExactly(0.25f, -0.25f, 0.1f);
    }

    @Test
    void stochasticRoundingIsUnbiased() {
        Quantisation q = new Quantisation(1, 1, 1, 16, Rounding.STOCHASTIC);
        Random r = new Random(3);
        double sum = 0;
        int trials = 200_000;
        for (int i = 0; i < trials; i++) {
            sum += q.signed(q.quantise(new float[] {0.3f}, 1, r)[0]);
        }
        // mean of Bernoulli(0.3): standard error 0.001, so 5 standard errors is 0.005
        assertThat(sum / trials).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.005));
        Quantisation nearest = new Quantisation(1, 1, 1, 16, Rounding.NEAREST);
        assertThat(nearest.quantise(new float[] {0.3f}, 1, r)[0]).isZero();
    }

    @Test
    void negativeValuesWrapAndComeBack() {
        Quantisation q = new Quantisation(1, 1000, 1000, 24, Rounding.NEAREST);
        long[] x = q.quantise(new float[] {-1f, 1f}, 3, new Random(4));
        assertThat(x[0]).isEqualTo((1L << 24) - 3000);
        assertThat(q.signed(x[0])).isEqualTo(-3000);
        assertThat(q.mean(x)).containsExactly(-1f, 1f);
    }

    @Test
    void outOfRangeInputsAreRefused() {
        Quantisation q = new Quantisation(1, 1000, 1000, 40, Rounding.NEAREST);
        assertThatThrownBy(() -> q.quantise(new float[] {0}, 1001, new Random()))
                .isInstanceOfSatisfying(SecAggException.class,
                        e -> assertThat(e.reason()).isEqualTo(SecAggException.Reason.OVERFLOW))
                .hasMessageContaining("example count 1001 is not in 1..1000");
        assertThatThrownBy(() -> q.quantise(new float[] {Float.NaN}, 1, new Random()))
                .hasMessageContaining("NaN at index 0");
        assertThatThrownBy(() -> new Quantisation(1, 1000, 1000, 36, Rounding.NEAREST))
                .hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> Quantisation.forClients(1e4, 1e6, 1_000_000, 10, Rounding.NEAREST))
                .hasMessageContaining("must be at most 2^52");
    }

    @Test
    void forClientsPicksTheSmallestModulusThatCannotWrap() {
        Quantisation q = Quantisation.forClients(1, 1024, 65_536, 100, Rounding.NEAREST);
        // 100 · 2^26 < 2^33 needs 34 bits of signed range: 40
        assertThat(q.bits()).isEqualTo(40);
        assertThat(Quantisation.forClients(1, 16, 256, 10, Rounding.NEAREST).bits()).isEqualTo(24);
        // the sum of the extreme inputs of the most clients it admits does not wrap
        Quantisation small = Quantisation.forClients(1, 16, 256, 10, Rounding.NEAREST);
        int clients = 1;
        while (small.fits(clients + 1)) {
            clients++;
        }
        long sumPlus = 0;
        long sumMinus = 0;
        for (int i = 0; i < clients; i++) {
            sumPlus = (sumPlus + small.quantise(new float[] {5f}, 256, new Random())[0]) & small.mask();
            sumMinus = (sumMinus + small.quantise(new float[] {-5f}, 256, new Random())[0]) & small.mask();
        }
        assertThat(small.signed(sumPlus)).isEqualTo(clients * 16L * 256);
        assertThat(small.signed(sumMinus)).isEqualTo(-clients * 16L * 256);
        int tooMany = clients + 1;
        assertThatThrownBy(() -> small.checkFits(tooMany)).hasMessageContaining("can wrap");
    }
}
