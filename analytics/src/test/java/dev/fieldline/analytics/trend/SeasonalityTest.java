package dev.fieldline.analytics.trend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SeasonalityTest {

    private static double[] sine(int n, double period, double amplitude, double noise, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = amplitude * Math.sin(2 * Math.PI * i / period) + noise * r.nextGaussian();
        }
        return v;
    }

    @Test
    void sineWithNoise() {
        Seasonality s = Seasonality.detect(sine(1000, 24, 1, 0.3, 1));
        assertThat(s.period()).isEqualTo(24);
        assertThat(s.strength()).isBetween(0.75, 1.0); // 1 / (1 + 2·0.3²) = 0.85 expected
        Seasonality noisy = Seasonality.detect(sine(2000, 50, 1, 1, 2));
        assertThat(noisy.period()).isBetween(49, 51);
        assertThat(noisy.strength()).isBetween(0.2, 0.5); // 1 / (1 + 2) = 0.33 expected
    }

    @Test
    void sineOnATrendIsStillFound() {
        double[] v = sine(600, 30, 1, 0.2, 3);
        for (int i = 0; i < v.length; i++) {
            v[i] += 0.05 * i; // 30 units of trend under an amplitude of 1
        }
        assertThat(Seasonality.detect(v).period()).isEqualTo(30);
    }

    @Test
    void squareWaves() {
        for (int period : new int[] {4, 10, 37, 288}) {
            double[] v = new double[period * 6];
            for (int i = 0; i < v.length; i++) {
                v[i] = (i % period) < period / 2 ? 5 : -5;
            }
            Seasonality s = Seasonality.detect(v);
            assertThat(s.period()).as("period %d", period).isEqualTo(period);
            assertThat(s.strength()).isGreaterThan(0.95);
        }
    }

    @Test
    void notItsMultiple() {
        // a weekly pattern with a daily component: the day is the period reported only if it is strong; here the
        // 7-sample cycle carries everything, so lags 14 and 21 must not win over 7
        Seasonality s = Seasonality.detect(sine(700, 7, 1, 0.1, 4));
        assertThat(s.period()).isEqualTo(7);
    }

    @Test
    void noiseHasNoPeriod() {
        int found = 0;
        for (long seed = 0; seed < 50; seed++) {
            Random r = new Random(seed);
            double[] v = new double[500];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextGaussian();
            }
            if (Seasonality.detect(v).found()) {
                found++;
            }
        }
        assertThat(found).as("of 50 white-noise series").isZero();
    }

    @Test
    void randomWalkHasNoPeriod() {
        int found = 0;
        for (long seed = 0; seed < 50; seed++) {
            Random r = new Random(seed);
            double[] v = new double[500];
            for (int i = 1; i < v.length; i++) {
                v[i] = v[i - 1] + r.nextGaussian();
            }
            if (Seasonality.detect(v).found()) {
                found++;
            }
        }
        assertThat(found).as("of 50 random walks").isLessThanOrEqualTo(5);
    }

    @Test
    void degenerateInputs() {
        assertThat(Seasonality.detect(new double[0])).isEqualTo(Seasonality.NONE);
        assertThat(Seasonality.detect(new double[100])).isEqualTo(Seasonality.NONE);
        assertThat(Seasonality.detect(new double[] {1, 2, 3})).isEqualTo(Seasonality.NONE);
        double[] huge = new double[200];
        for (int i = 0; i < huge.length; i++) {
            huge[i] = (i % 10) < 5 ? Double.MAX_VALUE : -Double.MAX_VALUE;
        }
        assertThat(Seasonality.detect(huge).period()).isEqualTo(10);
        double[] linear = new double[200];
        for (int i = 0; i < linear.length; i++) {
            linear[i] = 3 * i;
        }
        assertThat(Seasonality.detect(linear)).isEqualTo(Seasonality.NONE);
    }

    @Test
    void deseasonalizingKeepsTheTrendAcrossCycles() {
        double[] v = new double[120];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.5 * i + 10 * Math.sin(2 * Math.PI * i / 12);
        }
        double[] d = Seasonality.deseasonalized(v, v.length, 12);
        double mean = IndexLine.mean(d, d.length);
        assertThat(IndexLine.slope(d, d.length, mean)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
        assertThat(mean).isCloseTo(IndexLine.mean(v, v.length), org.assertj.core.data.Offset.offset(1e-9));
        // within a cycle the sine is gone: what is left is a staircase of the trend
        assertThat(d[13] - d[12]).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void medianStepIgnoresGapsAndRepeats() {
        long[] t = {0, 1000, 2000, 2000, 3000, 60_000, 61_000, 62_100};
        assertThat(Seasonality.medianStep(t, t.length)).isEqualTo(1000);
        assertThat(Seasonality.medianStep(new long[] {5, 5, 5}, 3)).isZero();
    }
}
