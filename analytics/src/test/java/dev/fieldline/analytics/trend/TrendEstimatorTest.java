package dev.fieldline.analytics.trend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.analytics.stats.StudentT;
import dev.fieldline.analytics.trend.Trend.Direction;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrendEstimatorTest {
    /** Straightforward two-pass least squares: slope and its t statistic. */
    private static double[] ols(long[] t, double[] v, int from, int to) {
        int n = to - from;
        double mx = 0;
        double my = 0;
        for (int i = from; i < to; i++) {
            mx += t[i] / 1000.0;
            my += v[i];
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double sxy = 0;
        for (int i = from; i < to; i++) {
            sxx += (t[i] / 1000.0 - mx) * (t[i] / 1000.0 - mx);
            sxy += (t[i] / 1000.0 - mx) * (v[i] - my);
        }
        double b = sxy / sxx;
        double a = my - b * mx;
        double sse = 0;
        for (int i = from; i < to; i++) {
            double r = v[i] - a - b * t[i] / 1000.0;
            sse += r * r;
        }
        return new double[] {b, b / Math.sqrt(sse / (n - 2) / sxx)};
    }

    @Test
    void fourPointRegressionHasTheClosedFormPValue() {
        // x = 0, 1, 2, 3 s; y = 1, 3, 2, 5: slope 1.1, SSE 2.7, t = 1.1 / sqrt(1.35 / 5) = 2.1170
        TrendEstimator e = new TrendEstimator(8, 0.05);
        double[] y = {1, 3, 2, 5};
        for (int i = 0; i < 4; i++) {
            e.add(1_000L * i, y[i]);
        }
        Trend tr = e.trend();
        double t = 1.1 / Math.sqrt(1.35 / 5);
        assertThat(tr.slopePerSecond()).isCloseTo(1.1, within(1e-12));
        assertThat(tr.pValue()).isCloseTo(1 - t / Math.sqrt(2 + t * t), within(1e-10));
        assertThat(tr.pValue()).isCloseTo(0.1685, within(1e-4));
        assertThat(tr.direction()).as("not significant at 5%").isEqualTo(Direction.STABLE);
        assertThat(tr.halves()).as("latter mean 3.5 vs former 2, but within-half spread 1.8: below the noise floor")
                .isEqualTo(Direction.STABLE);
        assertThat(tr.n()).isEqualTo(4);
    }

    @Test
    void halvesRuleOnASteps() {
        TrendEstimator up = new TrendEstimator(4, 0.05);
        TrendEstimator down = new TrendEstimator(4, 0.05);
        TrendEstimator small = new TrendEstimator(4, 0.05);
        double[] y = {100, 101, 120, 121};
        for (int i = 0; i < 4; i++) {
            up.add(i * 1000L, y[i]);
            down.add(i * 1000L, -y[i]);
            small.add(i * 1000L, y[i] / 2 + 50 + (i >= 2 ? -5 : 0));
        }
        assertThat(up.trend().halves()).as("120.5 vs 100.5: 20% up").isEqualTo(Direction.INCREASING);
        assertThat(down.trend().halves()).as("-120.5 vs -100.5: lower").isEqualTo(Direction.DECREASING);
        assertThat(small.trend().halves()).as("105.25 vs 100.25: 5%").isEqualTo(Direction.STABLE);
    }

    @Test
    void threePointRegressionAgainstCauchy() {
        TrendEstimator e = new TrendEstimator(16, 0.05);
        e.add(0, 10);
        e.add(2_000, 8);
        e.add(3_000, 7.5);
        double[] ref = ols(new long[] {0, 2_000, 3_000}, new double[] {10, 8, 7.5}, 0, 3);
        Trend tr = e.trend();
        assertThat(tr.slopePerSecond()).isCloseTo(ref[0], within(1e-12));
        assertThat(tr.pValue()).isCloseTo(1 - 2 / Math.PI * Math.atan(Math.abs(ref[1])), within(1e-10));
    }

    @Test
    void slidingRingMatchesTwoPassOnTheLastNSamples() {
        int cap = 50;
        TrendEstimator e = new TrendEstimator(cap, 0.05);
        Random r = new Random(3);
        int total = 1234;
        long[] t = new long[total];
        double[] v = new double[total];
        long time = 1_700_000_000_000L;
        for (int i = 0; i < total; i++) {
            time += 500 + r.nextInt(1000);
            t[i] = time;
            v[i] = 1e6 + 0.02 * (i % 300) + r.nextGaussian();
            e.add(t[i], v[i]);
            if (i >= 2 && i % 37 == 0 || i == total - 1) {
                int from = Math.max(0, i + 1 - cap);
                double[] ref = ols(t, v, from, i + 1);
                Trend tr = e.trend();
                assertThat(tr.n()).isEqualTo(i + 1 - from);
                assertThat(tr.slopePerSecond()).as("slope after %d", i).isCloseTo(ref[0], within(1e-7));
                assertThat(tr.pValue()).as("p after %d", i).isCloseTo(StudentT.twoSidedP(ref[1], tr.n() - 2), within(1e-6));
                int nf = tr.n() / 2;
                double fm = 0;
                double lm = 0;
                for (int k = from; k <= i; k++) {
                    if (k - from < nf) {
                        fm += v[k] / nf;
                    } else {
                        lm += v[k] / (tr.n() - nf);
                    }
                }
                Direction expect = lm - fm > 0.1 * Math.abs(fm) ? Direction.INCREASING
                        : lm - fm < -0.1 * Math.abs(fm) ? Direction.DECREASING : Direction.STABLE;
                assertThat(tr.halves()).isEqualTo(expect);
            }
        }
    }

    @Test
    void significantSlopeDecidesTheDirection() {
        TrendEstimator up = new TrendEstimator(60, 0.05);
        TrendEstimator down = new TrendEstimator(60, 0.05);
        TrendEstimator flat = new TrendEstimator(60, 0.05);
        Random r = new Random(11);
        for (int i = 0; i < 200; i++) {
            up.add(i * 1000L, 20 + 0.5 * i + r.nextGaussian());
            down.add(i * 1000L, -20 - 0.5 * i + r.nextGaussian());
            flat.add(i * 1000L, 20 + r.nextGaussian());
        }
        assertThat(up.trend().direction()).isEqualTo(Direction.INCREASING);
        assertThat(up.trend().slopePerSecond()).isCloseTo(0.5, within(0.05));
        assertThat(up.trend().pValue()).isLessThan(1e-10);
        assertThat(up.trend().halves()).as("former ≈ 135, latter ≈ 150: 11%").isEqualTo(Direction.INCREASING);
        assertThat(down.trend().direction()).isEqualTo(Direction.DECREASING);
        assertThat(down.trend().halves()).as("negative means: the latter is lower").isEqualTo(Direction.DECREASING);
        assertThat(flat.trend().direction()).isEqualTo(Direction.STABLE);
        assertThat(flat.trend().halves()).isEqualTo(Direction.STABLE);
    }

    @Test
    void noiseAroundZeroIsStableByTheHalvesRule() {
        TrendEstimator e = new TrendEstimator(40, 0.05);
        Random r = new Random(5);
        int increasing = 0;
        for (int i = 0; i < 400; i++) {
            e.add(i * 1000L, r.nextGaussian() * 0.01);
            if (i > 40 && e.trend().halves() != Direction.STABLE) {
                increasing++;
            }
        }
        // the seed's rule alone (10% of a mean near 0) would call nearly every window a trend
        assertThat(increasing).isLessThan(40);
    }

    @Test
    void undeterminedCases() {
        TrendEstimator e = new TrendEstimator(10, 0.05);
        assertThat(e.trend()).isEqualTo(Trend.UNKNOWN);
        e.add(0, 1);
        e.add(0, 2);
        e.add(0, 3);
        assertThat(e.trend().pValue()).as("all at one time").isEqualTo(1);
        TrendEstimator line = new TrendEstimator(10, 0.05);
        for (int i = 0; i < 5; i++) {
            line.add(i * 1000L, 2 * i);
        }
        assertThat(line.trend().pValue()).as("a perfect line").isZero();
        assertThat(line.trend().direction()).isEqualTo(Direction.INCREASING);
        assertThatThrownBy(() -> new TrendEstimator(3, 0.05)).hasMessageContaining("[4, 1000000]");
        assertThatThrownBy(() -> new TrendEstimator(10, 1)).hasMessageContaining("alpha must be in (0, 1)");
    }
}
