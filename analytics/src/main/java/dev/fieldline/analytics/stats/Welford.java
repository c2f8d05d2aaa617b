package dev.fieldline.analytics.stats;

/**
 * Count, mean and sample variance in one pass (Welford's update; Chan et al.'s pairwise merge), O(1)
 * per value, numerically stable. Not thread-safe.
 */
public final class Welford {
    private long count;
    private double mean;
    private double m2;

    public void add(double x) {
        count++;
        double delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
    }

    /** Folds another accumulator's values into this one, as if they had been added here. */
    public void merge(Welford other) {
        if (other.count == 0) {
            return;
        }
        if (count == 0) {
            count = other.count;
            mean = other.mean;
            m2 = other.m2;
            return;
        }
        long n = count + other.count;
        double delta = other.mean - mean;
        mean += delta * other.count / n;
        m2 += other.m2 + delta * delta * ((double) count * other.count / n);
        count = n;
    }

    public long count() {
        return count;
    }

    /** The mean; 0 when empty. */
    public double mean() {
        return mean;
    }

    /** The sample (n - 1) variance; 0 below two values. */
    public double variance() {
        return count < 2 ? 0 : Math.max(0, m2 / (count - 1));
    }

    /** The sample standard deviation; 0 below two values. */
    public double stddev() {
        return Math.sqrt(variance());
    }

    public void clear() {
        count = 0;
        mean = 0;
        m2 = 0;
    }
}
