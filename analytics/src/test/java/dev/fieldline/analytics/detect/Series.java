package dev.fieldline.analytics.detect;

import java.util.Random;

/** Synthetic test series: seeded N(0, 1) noise with injected anomalies, and a way to run a detector over one. */
final class Series {
    private Series() {
    }

    static double[] noise(long seed, int n) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    /** Scores of a fresh detector over the values, one a minute from t = 0. */
    static double[] scores(Detector d, double[] values) {
        double[] s = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            s[i] = d.update(i * 60_000L, values[i]);
        }
        return s;
    }

    static double max(double[] s, int from, int to) {
        double m = 0;
        for (int i = from; i < to; i++) {
            m = Math.max(m, s[i]);
        }
        return m;
    }

    /** First index in [from, s.length) with a score >= level, or -1. */
    static int firstAtLeast(double[] s, int from, double level) {
        for (int i = from; i < s.length; i++) {
            if (s[i] >= level) {
                return i;
            }
        }
        return -1;
    }

    /** Fraction of scores in [from, s.length) at or above level. */
    static double rateAtLeast(double[] s, int from, double level) {
        int c = 0;
        for (int i = from; i < s.length; i++) {
            if (s[i] >= level) {
                c++;
            }
        }
        return (double) c / (s.length - from);
    }
}
