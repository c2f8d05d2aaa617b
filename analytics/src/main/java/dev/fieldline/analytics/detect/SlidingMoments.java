package dev.fieldline.analytics.detect;

/**
 * Mean and standard deviation of the last {@code capacity} values: a ring buffer with Welford's
 * update for the value that enters and its inverse for the one that leaves. Drift from the add/remove
 * pairs is removed by an exact two-pass recomputation every {@code capacity} values (amortised O(1)),
 * which also scales by the largest magnitude so that values near {@link Double#MAX_VALUE} do not overflow.
 * No allocation after construction.
 */
final class SlidingMoments {
    private final double[] ring;
    private int next;
    private int size;
    private int sinceExact;
    private double mean;
    private double m2;

    SlidingMoments(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("window must hold at least 2 values, was " + capacity);
        }
        ring = new double[capacity];
    }

    int size() {
        return size;
    }

    int capacity() {
        return ring.length;
    }

    double mean() {
        return mean;
    }

    /** Sample standard deviation (n - 1), 0 below two values. */
    double stddev() {
        return size < 2 ? 0 : Math.sqrt(Math.max(0, m2) / (size - 1));
    }

    /** The value {@code age} places back (0 the newest); {@code age < size()}. */
    double get(int age) {
        int i = next - 1 - age;
        return ring[i < 0 ? i + ring.length : i];
    }

    void clear() {
        next = 0;
        size = 0;
        sinceExact = 0;
        mean = 0;
        m2 = 0;
    }

    void add(double x) {
        if (size == ring.length) {
            double old = ring[next];
            ring[next] = x;
            double d = old - mean;
            double meanWithout = mean - d / (size - 1);
            m2 -= d * (old - meanWithout);
            double e = x - meanWithout;
            mean = meanWithout + e / size;
            m2 += e * (x - mean);
        } else {
            ring[next] = x;
            size++;
            double d = x - mean;
            mean += d / size;
            m2 += d * (x - mean);
        }
        next = next + 1 == ring.length ? 0 : next + 1;
        if (++sinceExact >= ring.length || !Double.isFinite(mean) || !Double.isFinite(m2)) {
            exact();
        }
    }

    /** Two passes over the window, scaled by its largest magnitude. */
    private void exact() {
        sinceExact = 0;
        double scale = 0;
        for (int i = 0; i < size; i++) {
            scale = Math.max(scale, Math.abs(ring[i]));
        }
        if (scale == 0 || size == 0) {
            mean = 0;
            m2 = 0;
            return;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += ring[i] / scale;
        }
        double m = sum / size;
        double ss = 0;
        for (int i = 0; i < size; i++) {
            double d = ring[i] / scale - m;
            ss += d * d;
        }
        mean = m * scale;
        // m2 in original units may overflow for windows of huge values; cap it (the z-score then saturates)
        double m2Scaled = ss * scale;
        m2 = Double.isFinite(m2Scaled * scale) ? m2Scaled * scale : Double.MAX_VALUE;
    }
}
