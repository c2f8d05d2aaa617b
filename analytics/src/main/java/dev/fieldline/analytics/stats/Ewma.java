package dev.fieldline.analytics.stats;

/**
 * Exponentially weighted moving average per sample: {@code s = alpha * x + (1 - alpha) * s}, seeded
 * with the first value. Not thread-safe.
 */
public final class Ewma {
    private final double alpha;
    private double value;
    private boolean seeded;

    /** @param alpha weight of the newest value, in (0, 1] */
    public Ewma(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], was " + alpha);
        }
        this.alpha = alpha;
    }

    public double add(double x) {
        if (seeded) {
            value += alpha * (x - value);
        } else {
            value = x;
            seeded = true;
        }
        return value;
    }

    /** The average; 0 before the first value. */
    public double value() {
        return value;
    }

    public double alpha() {
        return alpha;
    }
}
