package dev.fieldline.analytics.trend;

import dev.fieldline.analytics.stats.StudentT;

/**
 * The trend of a stream's last {@code n} samples, updated in O(1) per sample from running sums over a
 * ring buffer (the sums are recomputed from the ring each time it wraps, relative to its oldest
 * sample, so they neither drift nor lose precision to large times or values).
 *
 * <p>What {@link #trend()} reports:
 * <ul>
 *   <li>{@code slopePerSecond}: the least-squares slope of value on event time (seconds);
 *   <li>{@code pValue}: two-sided p-value of that slope against zero, from its t statistic
 *       {@code slope / se(slope)} with {@code n - 2} degrees of freedom (1 when undetermined: fewer
 *       than 3 samples, or all at one time);
 *   <li>{@code direction}: INCREASING (DECREASING) when the slope is positive (negative) and
 *       significant, {@code pValue < alpha} (default 0.05); else STABLE;
 *   <li>{@code halves}: the seed's rule: the latter half's mean more than 10% above (below) the
 *       former half's is INCREASING (DECREASING), else STABLE. Two guards: the 10% is of
 *       {@code |former mean|} (the seed's {@code latter > 1.1 × former} reads backwards for negative
 *       means), and the difference must also exceed twice its standard error,
 *       {@code 2·s·sqrt(1/n₁ + 1/n₂)} with s the pooled within-half standard deviation: near a mean of 0, 10% of
 *       the mean is below the noise and the seed's rule alone calls almost every window of pure noise
 *       a trend. Where the mean is large against the noise the floor never binds and the result is the
 *       seed's. With an odd count the middle sample is in the latter half.
 * </ul>
 * Samples are expected in time order (the engine feeds only those). Not thread-safe.
 */
public final class TrendEstimator {
    /** The seed's relative threshold between the halves' means. */
    public static final double HALVES_THRESHOLD = 0.10;

    private final int capacity;
    private final double alpha;
    private final long[] times;
    private final double[] values;
    private int head;
    private int size;
    /** Bases the sums are relative to: seconds and value of the oldest sample at the last recompute. */
    private long baseTime;
    private double baseValue;
    private double sx;
    private double sy;
    private double sxx;
    private double sxy;
    private double syy;
    /** Sum of (value - baseValue) over the former half: the oldest size / 2 samples. */
    private double former;
    /** Sum of (value - baseValue)² over the former half. */
    private double formerSq;
    /** ln B((n - 2) / 2, 1/2) for n = lnBetaFor: the t test's constant, the same once the ring is full. */
    private double lnBeta;
    private int lnBetaFor = -1;

    /**
     * @param capacity samples the trend rests on, at least 4
     * @param alpha significance level for {@code direction}, in (0, 1)
     */
    public TrendEstimator(int capacity, double alpha) {
        if (capacity < 4 || capacity > 1_000_000) {
            throw new IllegalArgumentException("trend capacity must be in [4, 1000000] samples, was " + capacity);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("trend alpha must be in (0, 1), was " + alpha);
        }
        this.capacity = capacity;
        this.alpha = alpha;
        this.times = new long[capacity];
        this.values = new double[capacity];
    }

    public void add(long timeMillis, double value) {
        if (size == 0) {
            baseTime = timeMillis;
            baseValue = value;
        }
        if (size == capacity) {
            double y0 = values[head] - baseValue;
            double x0 = (times[head] - baseTime) / 1000.0;
            remove(x0, y0);
            former -= y0;
            formerSq -= y0 * y0;
            // the sample at the middle moves from the latter half to the former one
            double ym = values[(head + capacity / 2) % capacity] - baseValue;
            former += ym;
            formerSq += ym * ym;
            times[head] = timeMillis;
            values[head] = value;
            head = (head + 1) % capacity;
            include(timeMillis, value);
            if (head == 0) {
                recompute();
            }
        } else {
            int half = size / 2;
            if ((size + 1) / 2 > half) {
                double ym = values[(head + half) % capacity] - baseValue;
                former += ym;
                formerSq += ym * ym;
            }
            int at = (head + size) % capacity;
            times[at] = timeMillis;
            values[at] = value;
            size++;
            include(timeMillis, value);
        }
    }

    /** Samples the trend rests on now (at most the capacity). */
    public int size() {
        return size;
    }

    public Trend trend() {
        if (size < 3) {
            return size == 0 ? Trend.UNKNOWN : new Trend(Trend.Direction.STABLE, Trend.Direction.STABLE, 0, 1, size);
        }
        double n = size;
        double cxx = sxx - sx * sx / n;
        double cyy = Math.max(0, syy - sy * sy / n);
        double cxy = sxy - sx * sy / n;
        Trend.Direction halves = halves();
        if (!(cxx > 0)) {
            return new Trend(Trend.Direction.STABLE, halves, 0, 1, size);
        }
        double slope = cxy / cxx;
        double sse = Math.max(0, cyy - slope * cxy);
        double p;
        if (slope == 0) {
            p = 1;
        } else if (sse <= 1e-24 * Math.max(cyy, Double.MIN_NORMAL)) {
            p = 0;
        } else {
            double se = Math.sqrt(sse / (n - 2) / cxx);
            if (size != lnBetaFor) {
                lnBeta = StudentT.logBeta((n - 2) / 2, 0.5);
                lnBetaFor = size;
            }
            p = StudentT.twoSidedP(slope / se, n - 2, lnBeta);
        }
        Trend.Direction direction = p < alpha ? (slope > 0 ? Trend.Direction.INCREASING : Trend.Direction.DECREASING)
                : Trend.Direction.STABLE;
        return new Trend(direction, halves, slope, p, size);
    }

    private Trend.Direction halves() {
        int nf = size / 2;
        int nl = size - nf;
        if (nf < 1) {
            return Trend.Direction.STABLE;
        }
        double formerMean = former / nf;
        double latterMean = (sy - former) / nl;
        double ssFormer = Math.max(0, formerSq - former * former / nf);
        double ssLatter = Math.max(0, (syy - formerSq) - (sy - former) * (sy - former) / nl);
        double pooledSd = Math.sqrt((ssFormer + ssLatter) / Math.max(1, size - 2));
        double noiseFloor = 2 * pooledSd * Math.sqrt(1.0 / nf + 1.0 / nl);
        double threshold = Math.max(HALVES_THRESHOLD * Math.abs(formerMean + baseValue), noiseFloor);
        double diff = latterMean - formerMean;
        if (diff > threshold) {
            return Trend.Direction.INCREASING;
        }
        if (diff < -threshold) {
            return Trend.Direction.DECREASING;
        }
        return Trend.Direction.STABLE;
    }

    private void include(long timeMillis, double value) {
        double x = (timeMillis - baseTime) / 1000.0;
        double y = value - baseValue;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
    }

    private void remove(double x, double y) {
        sx -= x;
        sy -= y;
        sxx -= x * x;
        sxy -= x * y;
        syy -= y * y;
    }

    private void recompute() {
        baseTime = times[head];
        baseValue = values[head];
        sx = 0;
        sy = 0;
        sxx = 0;
        sxy = 0;
        syy = 0;
        former = 0;
        formerSq = 0;
        for (int k = 0; k < size; k++) {
            int i = (head + k) % capacity;
            include(times[i], values[i]);
            if (k < size / 2) {
                double y = values[i] - baseValue;
                former += y;
                formerSq += y * y;
            }
        }
    }
}
