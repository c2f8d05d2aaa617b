package dev.fieldline.analytics.detect;

import java.util.Map;

/**
 * Iglewicz and Hoaglin's modified z-score over a sliding window: {@code z = (x - median) / (1.4826 · MAD)}
 * with the median and the median absolute deviation of the last {@code window} values before x. The
 * median and MAD ignore up to half the window being outliers, so a burst of spikes does not mask itself
 * as the 3σ rule's mean and stddev do. When more than half the window is one value (MAD = 0) the scale
 * falls back to 1.2533 × the mean absolute deviation from the median (the same fallback as IBM SPSS);
 * when that is 0 too the window is constant and any other value scores 1.
 * Score {@link Scores#fromRatio(double) fromRatio(|z| / threshold)}: 0.5 at 3.5 with the defaults.
 *
 * <p>Cost per value: O(window) (a sorted copy kept by binary search and one array shift; the MAD by a
 * merge walk outward from the median), no allocation.
 *
 * <p>Parameters: {@code window} (default 100, 3..20000), {@code threshold} (default 3.5),
 * {@code min-samples} (default 30, 3..window).
 */
public final class RobustZDetector implements Detector {
    public static final String NAME = "robust_z";
    /** MAD × 1.4826 estimates σ for normal data. */
    static final double MAD_TO_SIGMA = 1.4826;
    /** Mean absolute deviation × 1.2533 (√(π/2)) estimates σ for normal data. */
    static final double MEAN_AD_TO_SIGMA = 1.2533;

    private final double[] ring;
    private final double[] sorted;
    private int next;
    private int size;
    private final double threshold;
    private final int minSamples;

    public RobustZDetector(int window, double threshold, int minSamples) {
        if (window < 3 || threshold <= 0 || minSamples < 3 || minSamples > window) {
            throw new IllegalArgumentException("robust_z: window must be >= 3, threshold > 0, min-samples in [3, window]");
        }
        this.ring = new double[window];
        this.sorted = new double[window];
        this.threshold = threshold;
        this.minSamples = minSamples;
    }

    static DetectorType type() {
        return new DetectorType(NAME, "modified z-score (median/MAD, Iglewicz-Hoaglin) over the last N values",
                Map.of("window", "values in the sliding window (default 100)",
                        "threshold", "|modified z| that scores 0.5 (default 3.5)",
                        "min-samples", "values seen before scoring; 0 until then (default 30)"),
                p -> {
                    int window = p.integer("window", 100, 3, 20_000);
                    double threshold = p.decimal("threshold", 3.5, 1e-6, 1e6);
                    int minSamples = p.integer("min-samples", Math.min(30, window), 3, window);
                    new RobustZDetector(window, threshold, minSamples);
                    return () -> new RobustZDetector(window, threshold, minSamples);
                });
    }

    @Override
    public double update(long timeMillis, double value) {
        double score = 0;
        if (size >= minSamples) {
            score = Scores.fromRatio(modifiedZ(value) / threshold);
        }
        add(value);
        return score;
    }

    /** The modified z of x against the current window. */
    double modifiedZ(double x) {
        double med = median();
        double mad = mad(med);
        double scale = mad * MAD_TO_SIGMA;
        if (!(scale > 0)) {
            scale = meanAbsDeviation(med) * MEAN_AD_TO_SIGMA;
        }
        return Scores.standardized(x, med, scale);
    }

    double median() {
        int h = size / 2;
        return (size & 1) == 1 ? sorted[h] : sorted[h - 1] * 0.5 + sorted[h] * 0.5;
    }

    /** The median of |v - med| over the window: merge the two sorted runs of deviations outward from the middle. */
    private double mad(double med) {
        int k = (size - 1) / 2; // 0-based rank of the (lower) median
        boolean even = (size & 1) == 0;
        int lo = lowerBound(med) - 1; // values below med, walking down
        int hi = lo + 1;              // values at or above med, walking up
        double prev = 0;
        for (int r = 0; r <= k + (even ? 1 : 0); r++) {
            double dl = lo >= 0 ? med * 0.5 - sorted[lo] * 0.5 : Double.POSITIVE_INFINITY;
            double dh = hi < size ? sorted[hi] * 0.5 - med * 0.5 : Double.POSITIVE_INFINITY;
            double d;
            if (dl <= dh) {
                d = dl;
                lo--;
            } else {
                d = dh;
                hi++;
            }
            if (r == k) {
                if (!even) {
                    return d * 2;
                }
                prev = d;
            } else if (r == k + 1) {
                return prev + d; // (prev + d) / 2 in half units
            }
        }
        return prev * 2;
    }

    private double meanAbsDeviation(double med) {
        double s = 0;
        for (int i = 0; i < size; i++) {
            s += Math.abs(sorted[i] * 0.5 - med * 0.5) / size;
        }
        return s * 2;
    }

    private void add(double value) {
        double x = value + 0.0; // -0.0 becomes 0.0: one order for equal values
        if (size == ring.length) {
            double old = ring[next];
            int at = lowerBound(old); // old is in sorted[], and is the first value >= itself there
            System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
            size--;
        }
        ring[next] = x;
        next = next + 1 == ring.length ? 0 : next + 1;
        int at = lowerBound(x);
        System.arraycopy(sorted, at, sorted, at + 1, size - at);
        sorted[at] = x;
        size++;
    }

    /** First index in sorted[0, size) whose value is >= x. */
    private int lowerBound(double x) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
