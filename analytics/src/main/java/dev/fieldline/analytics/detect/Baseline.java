package dev.fieldline.analytics.detect;

/**
 * The in-control mean and variance the EWMA chart and CUSUM judge against: the mean and variance of a
 * warm-up of {@code warmup} values, then adapted at {@code rate} per value with an exponentially weighted
 * mean and variance (West 1979: {@code mean += rate·d; var = (1 - rate)(var + rate·d²)}), so a slowly
 * wandering process stays in control. Rate 0 keeps the warm-up estimate. Overflow-safe: the variance is
 * capped at {@link Double#MAX_VALUE}. No allocation after construction.
 */
final class Baseline {
    private final SlidingMoments warm;
    private final double rate;
    private boolean ready;
    private double mean;
    private double var;

    Baseline(int warmup, double rate) {
        this.warm = new SlidingMoments(warmup);
        this.rate = rate;
    }

    boolean ready() {
        return ready;
    }

    double mean() {
        return mean;
    }

    double stddev() {
        return Math.sqrt(var);
    }

    /** Forget everything; the next {@code warmup} values are a new warm-up. */
    void restart() {
        ready = false;
        warm.clear();
    }

    void add(double x) {
        if (!ready) {
            warm.add(x);
            if (warm.size() == warm.capacity()) {
                mean = warm.mean();
                double sd = warm.stddev();
                var = sd * sd;
                ready = true;
            }
            return;
        }
        if (rate > 0) {
            double d = x - mean;
            mean = (1 - rate) * mean + rate * x;
            double nv = (1 - rate) * (var + rate * d * d);
            var = nv <= Double.MAX_VALUE ? nv : Double.MAX_VALUE;
        }
    }
}
