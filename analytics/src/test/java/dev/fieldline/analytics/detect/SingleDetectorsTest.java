package dev.fieldline.analytics.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each core detector on synthetic N(0, 1) series with known anomalies. False-positive bounds are on
 * 20 seeds × 10,000 values of clean noise, counting scores at or above 0.5 (the detector's own
 * threshold) after the first 100 values; the bounds are about 1.5 times the measured rates (docs/analytics.md).
 */
class SingleDetectorsTest {
    private static final int SEEDS = 20;

    private static double falsePositiveRate(String name, Map<String, String> params) {
        double rate = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            double[] s = Series.scores(Detectors.factory(name, params).create(), Series.noise(seed, 10_000));
            rate += Series.rateAtLeast(s, 100, 0.5) / SEEDS;
        }
        return rate;
    }

    private static double[] run(String name, double[] v) {
        return Series.scores(Detectors.factory(name, Map.of()).create(), v);
    }

    private static double[] shifted(long seed, int at, double by) {
        double[] v = Series.noise(seed, 2000);
        for (int i = at; i < v.length; i++) {
            v[i] += by;
        }
        return v;
    }

    private static double[] drifting(long seed, int from, double perSample) {
        double[] v = Series.noise(seed, 2000);
        for (int i = from; i < v.length; i++) {
            v[i] += perSample * (i - from);
        }
        return v;
    }

    @Test
    void zscoreFlagsSpikeAndShiftAndIsQuietOnNoise() {
        double[] v = Series.noise(1, 2000);
        v[1200] += 6;
        double[] s = run("zscore", v);
        assertThat(s[1200]).isGreaterThan(0.9);
        assertThat(Series.max(s, 1100, 1200)).isLessThan(0.5);
        assertThat(Series.firstAtLeast(run("zscore", shifted(2, 1000, 4)), 1000, 0.5)).isBetween(1000, 1005);
        // 3σ two-sided: 0.27 % for known μ, σ; a little more with a 100-value estimate (measured 0.36 %)
        assertThat(falsePositiveRate("zscore", Map.of())).isLessThan(0.0055);
    }

    @Test
    void zscoreJudgesAgainstTheWindowBeforeTheValue() {
        // a window of 5: 1, 2, 3, 4, 5 has mean 3 and stddev 1.58; 10 is 4.4σ away
        Detector d = new ZScoreDetector(5, 3, 5);
        for (int i = 1; i <= 5; i++) {
            assertThat(d.update(i, i)).isZero();
        }
        double z = (10 - 3) / Math.sqrt(2.5);
        assertThat(d.update(6, 10)).isCloseTo(Scores.fromRatio(z / 3), org.assertj.core.data.Offset.offset(1e-12));
        // now the window is 2, 3, 4, 5, 10: 2 is (2 - 4.8) / 3.11 = -0.9σ
        assertThat(d.update(7, 2)).isCloseTo(Scores.fromRatio(0.9 / 3), org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void robustZIsNotMaskedByABurstOfOutliers() {
        double[] v = Series.noise(5, 1000);
        for (int i = 600; i < 615; i++) {
            v[i] += 8; // 15 spikes inside one 100-value window
        }
        double[] robust = run("robust_z", v);
        double[] plain = run("zscore", v);
        assertThat(robust[614]).isGreaterThan(0.9);
        assertThat(plain[614]).as("the mean and stddev absorb the burst").isLessThan(0.5);
        assertThat(Series.firstAtLeast(run("robust_z", shifted(6, 1000, 5)), 1000, 0.5)).isBetween(1000, 1005);
        assertThat(falsePositiveRate("robust_z", Map.of())).isLessThan(0.002); // measured 0.12 %
    }

    @Test
    void robustZWithMostlyIdenticalValuesFallsBackToMeanDeviation() {
        // 60 % of the window is 10.0 (MAD 0); the scale falls back to the mean absolute deviation
        RobustZDetector d = new RobustZDetector(10, 3.5, 10);
        double[] w = {10, 10, 10, 10, 10, 10, 11, 9, 12, 8};
        for (int i = 0; i < w.length; i++) {
            d.update(i, w[i]);
        }
        double meanAd = (1 + 1 + 2 + 2) / 10.0;
        assertThat(d.modifiedZ(13)).isCloseTo(3 / (meanAd * RobustZDetector.MEAN_AD_TO_SIGMA), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(d.median()).isEqualTo(10);
    }

    @Test
    void robustZMatchesAStraightforwardMedianAndMad() {
        RobustZDetector d = new RobustZDetector(7, 3.5, 3);
        double[] v = Series.noise(8, 200);
        for (int i = 0; i < v.length; i++) {
            if (i >= 7) {
                double[] w = java.util.Arrays.copyOfRange(v, i - 7, i);
                double med = median(w);
                double[] dev = new double[w.length];
                for (int j = 0; j < w.length; j++) {
                    dev[j] = Math.abs(w[j] - med);
                }
                double z = (v[i] - med) / (median(dev) * RobustZDetector.MAD_TO_SIGMA);
                assertThat(d.modifiedZ(v[i])).isCloseTo(z, org.assertj.core.data.Offset.offset(1e-9));
            }
            d.update(i, v[i]);
        }
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        java.util.Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }

    @Test
    void ewmaFindsSmallShiftsAndDriftSoonerThanZscore() {
        double[] small = shifted(3, 1000, 1); // a 1σ shift: the 3σ rule rarely sees it
        int ewma = Series.firstAtLeast(run("ewma", small), 1000, 0.5);
        int z = Series.firstAtLeast(run("zscore", small), 1000, 0.5);
        assertThat(ewma).isBetween(1000, 1030);
        assertThat(z == -1 || z > ewma).isTrue();
        assertThat(Series.firstAtLeast(run("ewma", drifting(4, 1000, 0.02)), 1000, 0.5)).isBetween(1000, 1080);
        assertThat(falsePositiveRate("ewma", Map.of())).isLessThan(0.0025); // measured 0.14 %
    }

    @Test
    void ewmaWithLambdaOneIsAShewhartChart() {
        // λ = 1, fixed baseline: the statistic is the value itself, limits μ ± Lσ
        Detector d = new EwmaDetector(1, 3, 4, 0);
        for (double x : new double[] {1, 2, 3, 4}) {
            d.update(0, x);
        }
        double sigma = Math.sqrt(5.0 / 3); // sample stddev of 1..4
        assertThat(d.update(1, 2.5 + 3 * sigma)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void cusumFindsLevelShiftsAndResets() {
        int at = Series.firstAtLeast(run("cusum", shifted(9, 1000, 1)), 1000, 0.5);
        assertThat(at).as("1σ shift, k 0.5, h 5: about 10 values expected").isBetween(1000, 1030);
        int down = Series.firstAtLeast(run("cusum", shifted(10, 1000, -1.5)), 1000, 0.5);
        assertThat(down).isBetween(1000, 1020);
        // after the signal it learns the new level: a persisting shift is not flagged again and again
        double[] s = run("cusum", shifted(12, 1000, 3));
        assertThat(Series.firstAtLeast(s, 1000, 0.5)).isBetween(1000, 1005);
        assertThat(Series.rateAtLeast(s, 1100, 0.5)).isLessThan(0.01);
        assertThat(Series.firstAtLeast(run("cusum", drifting(13, 1000, 0.02)), 1000, 0.5)).isBetween(1000, 1080);
        assertThat(falsePositiveRate("cusum", Map.of())).isLessThan(0.004); // measured 0.24 %
    }

    @Test
    void cusumAccumulatesExactlyAsTabulated() {
        // warm-up 0, 2 (μ 1, σ 1.414) with a fixed baseline; then 1 + 1.414 · u for u = 2, 2, -1
        Detector d = new CusumDetector(0.5, 5, 2, 0);
        d.update(0, 0);
        d.update(1, 2);
        double sigma = Math.sqrt(2);
        assertThat(d.update(2, 1 + 2 * sigma)).isCloseTo(Scores.fromRatio(1.5 / 5), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(d.update(3, 1 + 2 * sigma)).isCloseTo(Scores.fromRatio(3.0 / 5), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(d.update(4, 1 - sigma)).isCloseTo(Scores.fromRatio(1.5 / 5), org.assertj.core.data.Offset.offset(1e-12));
    }
}
