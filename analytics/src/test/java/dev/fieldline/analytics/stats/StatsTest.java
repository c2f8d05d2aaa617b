package dev.fieldline.analytics.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StatsTest {
    private static double[] values(long seed, int n, double offset) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + r.nextGaussian() * 3;
        }
        return v;
    }

    private static double twoPassMean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    private static double twoPassVariance(double[] v, int from, int to) {
        double m = twoPassMean(v, from, to);
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (v[i] - m) * (v[i] - m);
        }
        return s / (to - from - 1);
    }

    @Test
    void welfordMatchesTwoPassEvenWithLargeOffset() {
        double[] v = values(1, 10_000, 1e9);
        Welford w = new Welford();
        for (double x : v) {
            w.add(x);
        }
        assertThat(w.count()).isEqualTo(10_000);
        assertThat(w.mean()).isCloseTo(twoPassMean(v, 0, v.length), within(1e-6));
        assertThat(w.variance()).isCloseTo(twoPassVariance(v, 0, v.length), within(1e-6 * 9));
        assertThat(w.stddev()).isCloseTo(Math.sqrt(twoPassVariance(v, 0, v.length)), within(1e-6));
    }

    @Test
    void welfordMergeEqualsOneAccumulator() {
        double[] v = values(2, 1000, 5);
        Welford a = new Welford();
        Welford b = new Welford();
        for (int i = 0; i < v.length; i++) {
            (i < 337 ? a : b).add(v[i]);
        }
        a.merge(b);
        assertThat(a.count()).isEqualTo(1000);
        assertThat(a.mean()).isCloseTo(twoPassMean(v, 0, 1000), within(1e-12));
        assertThat(a.variance()).isCloseTo(twoPassVariance(v, 0, 1000), within(1e-10));
        Welford empty = new Welford();
        empty.merge(a);
        assertThat(empty.variance()).isEqualTo(a.variance());
        a.merge(new Welford());
        assertThat(a.count()).isEqualTo(1000);
    }

    @Test
    void welfordBelowTwoValuesHasNoVariance() {
        Welford w = new Welford();
        assertThat(w.mean()).isZero();
        assertThat(w.variance()).isZero();
        w.add(7);
        assertThat(w.mean()).isEqualTo(7);
        assertThat(w.variance()).isZero();
        w.add(9);
        assertThat(w.variance()).isEqualTo(2);
    }

    @Test
    void minMaxAndMerge() {
        MinMax m = new MinMax();
        assertThat(m.isEmpty()).isTrue();
        assertThat(m.min()).isNaN();
        for (double x : new double[] {3, -2, 8, 0}) {
            m.add(x);
        }
        assertThat(m.min()).isEqualTo(-2);
        assertThat(m.max()).isEqualTo(8);
        MinMax o = new MinMax();
        o.add(-5);
        m.merge(o);
        assertThat(m.min()).isEqualTo(-5);
        assertThat(m.max()).isEqualTo(8);
        m.merge(new MinMax());
        assertThat(m.min()).isEqualTo(-5);
    }

    @Test
    void ewmaMatchesItsDefinition() {
        Ewma e = new Ewma(0.25);
        double[] v = {10, 20, 0, 40};
        double expected = v[0];
        e.add(v[0]);
        assertThat(e.value()).isEqualTo(10);
        for (int i = 1; i < v.length; i++) {
            expected = 0.25 * v[i] + 0.75 * expected;
            assertThat(e.add(v[i])).isCloseTo(expected, within(1e-12));
        }
        assertThatThrownBy(() -> new Ewma(0)).hasMessageContaining("alpha must be in (0, 1]");
        assertThatThrownBy(() -> new Ewma(1.5)).hasMessageContaining("was 1.5");
    }

    @Test
    void rateIsPerSecondOfEventTime() {
        RateOfChange r = new RateOfChange();
        assertThat(r.add(1_000, 5)).isZero();
        assertThat(r.add(3_000, 9)).isEqualTo(2.0);
        assertThat(r.add(3_500, 8)).isEqualTo(-2.0);
        assertThat(r.add(3_500, 100)).as("no elapsed time").isZero();
        assertThat(r.perSecond()).isZero();
    }
}
