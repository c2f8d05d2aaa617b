package dev.fieldline.analytics.stats;

import com.tdunning.math.stats.AVLTreeDigest;
import java.util.Arrays;

/**
 * Streaming quantiles with small memory per stream: the first {@value #EXACT_LIMIT} values are kept
 * as they are (quantiles exact), after which they move into a t-digest ({@link AVLTreeDigest},
 * compression {@value #COMPRESSION}), allocated only then. Mergeable, so windows can combine
 * per-pane sketches.
 *
 * <p>Why this digest: measured here on 5,000 normal values per digest, retained heap per digest was
 * about 2.2 KB for {@code AVLTreeDigest(30)}, 2.9 KB for {@code AVLTreeDigest(50)}, 6.4 KB for
 * {@code MergingDigest(50, 100, 110)} and 13 KB for {@code MergingDigest(50)} (its merge buffers are
 * preallocated), with similar accuracy. Accuracy, checked by {@code QuantilesTest} against exact
 * sorted quantiles on 100,000 values (uniform, normal, exponential): rank error of p50, p95 and
 * p99 under 0.5% (measured at most about 0.1%). An update costs O(log centroids), bounded by the
 * compression. Not thread-safe.
 */
public final class Quantiles {
    /** Values kept exactly before the digest is allocated. */
    public static final int EXACT_LIMIT = 32;
    /** The t-digest compression: about 2 × this many centroids at most. */
    public static final double COMPRESSION = 30;

    private double[] exact;
    private int exactCount;
    /** True when exact[0, exactCount) is sorted (order does not matter to quantiles: it is sorted in place). */
    private boolean sorted;
    private AVLTreeDigest digest;

    public void add(double x) {
        if (digest != null) {
            digest.add(x);
            return;
        }
        if (exact == null) {
            exact = new double[8];
        } else if (exactCount == exact.length) {
            if (exactCount == EXACT_LIMIT) {
                toDigest();
                digest.add(x);
                return;
            }
            exact = Arrays.copyOf(exact, Math.min(EXACT_LIMIT, exact.length * 2));
        }
        exact[exactCount++] = x;
        sorted = false;
    }

    /** Folds another sketch's values into this one. */
    public void merge(Quantiles other) {
        if (other.digest != null) {
            if (digest == null) {
                toDigest();
            }
            digest.add(other.digest);
        } else {
            for (int i = 0; i < other.exactCount; i++) {
                add(other.exact[i]);
            }
        }
    }

    public long count() {
        return digest != null ? digest.size() : exactCount;
    }

    /** True while every value is still kept exactly. */
    public boolean isExact() {
        return digest == null;
    }

    /**
     * The q-quantile: exact (linear interpolation between closest ranks) while exact, else the
     * digest's estimate; NaN when empty.
     *
     * @param q in [0, 1]
     */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in [0, 1], was " + q);
        }
        if (digest != null) {
            return digest.quantile(q);
        }
        if (exactCount == 0) {
            return Double.NaN;
        }
        if (!sorted) {
            Arrays.sort(exact, 0, exactCount);
            sorted = true;
        }
        return interpolate(exact, exactCount, q);
    }

    /** The q-quantile of the first n values of a sorted array, linear between closest ranks. */
    static double interpolate(double[] sorted, int n, double q) {
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(n - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    public void clear() {
        exact = null;
        exactCount = 0;
        digest = null;
    }

    private void toDigest() {
        digest = new AVLTreeDigest(COMPRESSION);
        for (int i = 0; i < exactCount; i++) {
            digest.add(exact[i]);
        }
        exact = null;
        exactCount = 0;
    }
}
