package dev.fieldline.analytics.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class QuantilesTest {
    @Test
    void exactWhileSmall() {
        Quantiles q = new Quantiles();
        assertThat(q.quantile(0.5)).isNaN();
        double[] v = {5, 1, 4, 2, 3};
        for (double x : v) {
            q.add(x);
        }
        assertThat(q.isExact()).isTrue();
        assertThat(q.quantile(0.5)).isEqualTo(3);
        assertThat(q.quantile(0)).isEqualTo(1);
        assertThat(q.quantile(1)).isEqualTo(5);
        assertThat(q.quantile(0.95)).isCloseTo(4.8, within(1e-12));
        for (int i = 0; i < Quantiles.EXACT_LIMIT; i++) {
            q.add(i);
        }
        assertThat(q.isExact()).isFalse();
        assertThat(q.count()).isEqualTo(5 + Quantiles.EXACT_LIMIT);
    }

    /** The accuracy Quantiles documents: rank error of p50, p95, p99 under 0.5% on 100,000 values. */
    @Test
    void digestRankErrorIsSmall() {
        Random r = new Random(42);
        DoubleSupplier[] dists = {r::nextDouble, r::nextGaussian, () -> -Math.log(1 - r.nextDouble())};
        double worst = 0;
        for (DoubleSupplier d : dists) {
            Quantiles q = new Quantiles();
            double[] v = new double[100_000];
            for (int i = 0; i < v.length; i++) {
                v[i] = d.getAsDouble();
                q.add(v[i]);
            }
            Arrays.sort(v);
            for (double p : new double[] {0.5, 0.95, 0.99}) {
                double err = rankError(v, q.quantile(p), p);
                worst = Math.max(worst, err);
                assertThat(err).as("rank error at %s", p).isLessThan(0.005);
            }
        }
        System.out.printf("Quantiles worst rank error on 100,000 values: %.5f%n", worst);
    }

    @Test
    void mergeOfPartsMatchesTheWhole() {
        Random r = new Random(7);
        double[] v = new double[20_000];
        Quantiles[] parts = {new Quantiles(), new Quantiles(), new Quantiles()};
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
            parts[i < 10 ? 0 : i % 2 + 1].add(v[i]);
        }
        Quantiles all = new Quantiles();
        for (Quantiles p : parts) {
            all.merge(p);
        }
        Arrays.sort(v);
        assertThat(all.count()).isEqualTo(v.length);
        assertThat(rankError(v, all.quantile(0.5), 0.5)).isLessThan(0.005);
        assertThat(rankError(v, all.quantile(0.95), 0.95)).isLessThan(0.005);

        Quantiles small = new Quantiles();
        Quantiles other = new Quantiles();
        small.add(1);
        other.add(3);
        small.merge(other);
        assertThat(small.isExact()).isTrue();
        assertThat(small.quantile(0.5)).isEqualTo(2);
    }

    private static double rankError(double[] sorted, double estimate, double p) {
        int lo = 0;
        while (lo < sorted.length && sorted[lo] < estimate) {
            lo++;
        }
        return Math.abs((double) lo / sorted.length - p);
    }
}
