package dev.fieldline.analytics.stats;

/** Smallest and largest value seen. Not thread-safe. */
public final class MinMax {
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    public void add(double x) {
        if (x < min) {
            min = x;
        }
        if (x > max) {
            max = x;
        }
    }

    public void merge(MinMax other) {
        if (other.min < min) {
            min = other.min;
        }
        if (other.max > max) {
            max = other.max;
        }
    }

    public boolean isEmpty() {
        return min > max;
    }

    /** The smallest value; NaN when empty. */
    public double min() {
        return isEmpty() ? Double.NaN : min;
    }

    /** The largest value; NaN when empty. */
    public double max() {
        return isEmpty() ? Double.NaN : max;
    }

    public void clear() {
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
    }
}
