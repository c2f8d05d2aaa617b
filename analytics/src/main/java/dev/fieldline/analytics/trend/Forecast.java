package dev.fieldline.analytics.trend;

import java.util.Arrays;

/**
 * Point forecasts for the next {@code horizon()} steps with a central prediction interval.
 *
 * @param method {@code holt-winters} (level, trend, season), {@code holt} (level, trend) or {@code last}
 *     (a single value: that value, interval 0)
 * @param level the interval's coverage, e.g. 0.95
 * @param sigma the standard deviation of the one-step errors the interval rests on
 */
public record Forecast(String method, double level, double sigma, double[] mean, double[] lower, double[] upper) {
    public Forecast {
        if (mean.length != lower.length || mean.length != upper.length || mean.length == 0) {
            throw new IllegalArgumentException("a forecast needs equal, non-empty mean, lower and upper arrays");
        }
        mean = mean.clone();
        lower = lower.clone();
        upper = upper.clone();
    }

    public int horizon() {
        return mean.length;
    }

    /** The point forecast {@code step} steps ahead (1 is the next value). */
    public double mean(int step) {
        return mean[step - 1];
    }

    public double lower(int step) {
        return lower[step - 1];
    }

    public double upper(int step) {
        return upper[step - 1];
    }

    /** Half the interval's width {@code step} steps ahead. */
    public double halfWidth(int step) {
        return (upper[step - 1] - lower[step - 1]) / 2;
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] lower() {
        return lower.clone();
    }

    @Override
    public double[] upper() {
        return upper.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Forecast f && method.equals(f.method) && Double.compare(level, f.level) == 0
                && Double.compare(sigma, f.sigma) == 0 && Arrays.equals(mean, f.mean) && Arrays.equals(lower, f.lower)
                && Arrays.equals(upper, f.upper);
    }

    @Override
    public int hashCode() {
        return 31 * method.hashCode() + Arrays.hashCode(mean);
    }

    @Override
    public String toString() {
        return "Forecast[" + method + ", next " + mean[0] + " ± " + halfWidth(1) + " (" + level + "), horizon " + mean.length + "]";
    }
}
