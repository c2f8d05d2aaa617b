package dev.fieldline.analytics.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeasonalDetectorTest {
    private static final long FIVE_MINUTES = 300_000;

    /** A daily cycle at 5-minute sampling (period 288) of amplitude 5 with N(0, noise²) noise. */
    private static double[] daily(int n, double noise, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 20 + 5 * Math.sin(2 * Math.PI * i / 288) + noise * r.nextGaussian();
        }
        return v;
    }

    private static double[] run(Detector d, double[] v, long[] t) {
        double[] s = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = d.update(t[i], v[i]);
        }
        return s;
    }

    private static long[] regular(int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1_600_000_000_000L + i * FIVE_MINUTES;
        }
        return t;
    }

    private static SeasonalDetector fresh() {
        return (SeasonalDetector) Detectors.factory("seasonal", Map.of()).create();
    }

    @Test
    void learnsTheDailyPeriodAndFlagsAValueWrongForItsPhase() {
        double[] v = daily(3000, 0.3, 1);
        int trough = 2000 + (288 * 3 / 4 - 2000 % 288 + 288) % 288; // a sample at the cycle's minimum (15)
        v[trough] = 25; // the daily maximum, at the time of the minimum: within the stream's range
        SeasonalDetector d = fresh();
        double[] s = run(d, v, regular(v.length));
        assertThat(d.period()).isEqualTo(288);
        assertThat(d.stepMillis()).isEqualTo(FIVE_MINUTES);
        assertThat(s[trough]).isGreaterThan(0.9);
        // the 3σ rule over the last 100 values sees a value inside the range it has just seen
        double[] z = Series.scores(Detectors.factory("zscore", Map.of()).create(), v);
        assertThat(z[trough]).isLessThan(0.5);
        assertThat(Series.rateAtLeast(s, 900, 0.5)).as("quiet elsewhere").isLessThan(0.005);
    }

    @Test
    void flagsASeasonalBreak() {
        // from 2000 on the cycle is inverted (a schedule shifted by half a day): same values, wrong phase
        double[] v = daily(2600, 0.3, 2);
        for (int i = 2000; i < v.length; i++) {
            v[i] = 40 - v[i];
        }
        double[] s = run(fresh(), v, regular(v.length));
        assertThat(Series.max(s, 900, 2000)).isLessThan(0.9);
        // the first broken day is flagged wherever the inverted cycle is far from the old one; afterwards each
        // phase adapts (alpha 0.1 per visit) and the new schedule becomes normal
        double flagged = Series.rateAtLeast(java.util.Arrays.copyOf(s, 2288), 2000, 0.5);
        assertThat(flagged).as("share of the first broken day flagged").isGreaterThan(0.7);
    }

    @Test
    void phaseFollowsTimeAcrossGaps() {
        // a two-hour hole in the data (24 missing samples): by sample index the phase would be off by 24
        double[] v = daily(3000, 0.3, 3);
        long[] t = regular(v.length);
        for (int i = 1500; i < t.length; i++) {
            t[i] += 24 * FIVE_MINUTES;
        }
        for (int i = 1500; i < v.length; i++) {
            v[i] = 20 + 5 * Math.sin(2 * Math.PI * (i + 24) / 288) + (v[i] - 20 - 5 * Math.sin(2 * Math.PI * i / 288));
        }
        double[] s = run(fresh(), v, t);
        assertThat(Series.rateAtLeast(s, 1500, 0.5)).isLessThan(0.005);
    }

    @Test
    void withoutSeasonItIsAZScore() {
        SeasonalDetector d = fresh();
        double[] v = Series.noise(4, 3000);
        v[2500] += 8;
        double[] s = Series.scores(d, v);
        assertThat(d.period()).isEqualTo(1);
        assertThat(s[2500]).isGreaterThan(0.9);
        assertThat(Series.rateAtLeast(s, 900, 0.5)).isLessThan(0.006);
    }

    @Test
    void relearnsWhenThePeriodChanges() {
        // period 48 for 2000 values, then period 100: the next re-learning picks 100 up
        Random r = new Random(5);
        double[] v = new double[5000];
        for (int i = 0; i < v.length; i++) {
            int p = i < 2000 ? 48 : 100;
            v[i] = 3 * Math.sin(2 * Math.PI * i / p) + 0.2 * r.nextGaussian();
        }
        SeasonalDetector d = new SeasonalDetector(600, 4, 200, 0.3, 0.1, 3.5, 600, 100);
        double[] s = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = d.update(i * 1000L, v[i]);
            if (i == 1999) {
                assertThat(d.period()).isEqualTo(48);
            }
        }
        assertThat(d.period()).isBetween(99, 101); // an integer period: noise and detrending may pick a neighbour
        assertThat(Series.rateAtLeast(s, 4000, 0.5)).isLessThan(0.005);
    }

    @Test
    void refusesAPeriodRangeItCannotLearn() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> Detectors.factory("seasonal", Map.of("learn", "100", "max-period", "50")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learn/3");
    }
}
