package dev.fieldline.analytics.trend;

/**
 * The least-squares line of values on their sample index 0..n-1 (not on time: {@link TrendEstimator}
 * fits on event time). One place for Holt's initial state, detrending before the ACF and the seed's
 * {@code predict_next_value}. No allocation.
 */
final class IndexLine {
    private IndexLine() {
    }

    /** The mean of v[0, n). */
    static double mean(double[] v, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) {
            m += v[i] / n;
        }
        return m;
    }

    /** The slope per index of v[0, n) around its mean; 0 below two values. */
    static double slope(double[] v, int n, double mean) {
        double meanX = (n - 1) / 2.0;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (i - meanX) * (v[i] - mean);
            sxx += (i - meanX) * (i - meanX);
        }
        return sxx > 0 ? sxy / sxx : 0;
    }

    /** The line's value at index x: {@code mean + slope·(x - (n - 1)/2)}. */
    static double at(double mean, double slope, int n, double x) {
        return mean + slope * (x - (n - 1) / 2.0);
    }
}
