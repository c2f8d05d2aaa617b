package dev.fieldline.analytics.detect;

import dev.fieldline.analytics.trend.Seasonality;
import java.util.Arrays;
import java.util.Map;

/**
 * Compares each value with the same phase of the stream's season.
 *
 * <p><b>Learning.</b> The first {@code learn} values are buffered (score 0). Then the period is sought
 * by autocorrelation over the buffer ({@link Seasonality#detectInPlace}: candidate lags
 * {@code min-period..max-period}, ACF peak at least {@code strength}). The phase of a value is taken
 * <em>by time</em>: the sampling step Δ is the median interval between buffered timestamps, and a value
 * at time t is in phase {@code round((t - t₀)/Δ) mod period}, so gaps and missing samples do not shift
 * the phase (when all buffered timestamps are equal, the sample index is used instead). Every
 * {@code relearn} values the search runs again over the last {@code learn} values; the per-phase
 * statistics are kept when the period is unchanged and rebuilt from the buffer when it changed.
 *
 * <p><b>Scoring.</b> Each phase bucket keeps an exponentially weighted mean and variance (rate
 * {@code alpha} per visit); a pooled residual variance over all phases is updated at alpha/period per
 * value. The value's deviation from its phase mean is divided by
 * {@code sqrt((phase variance + pooled variance)/2)} (the pooled term steadies buckets seen few times)
 * and scored {@link Scores#fromRatio(double) fromRatio(|z| / threshold)}. When no period is found the
 * detector is a plain z-score against an exponentially weighted mean and variance of the whole stream
 * (one bucket, rate 2/(fallback-window + 1)).
 *
 * <p><b>Memory</b>, bounded: 8 bytes per buffered value (a float offset from the stream's first value,
 * which keeps about 7 significant digits of the difference, and an int gap in milliseconds from the
 * previous value) plus 16 per phase of the period found: {@code 8·learn + 16·period} bytes, 7 KB with
 * the defaults and no season, 11.5 KB with a daily one. {@code update()} does not allocate except when
 * it re-learns (once every {@code relearn} values), which allocates its O(learn) scratch and costs
 * O(learn · max-period).
 *
 * <p>Parameters: {@code learn} (default 864: three days of 5-minute data), {@code min-period} (4),
 * {@code max-period} (288: a day of 5-minute data; at most learn/3), {@code strength} (0.3),
 * {@code alpha} (0.1), {@code threshold} (3.5), {@code relearn} (864, 0 = never), {@code fallback-window} (100).
 */
public final class SeasonalDetector implements Detector {
    public static final String NAME = "seasonal";

    private final int minPeriod;
    private final int maxPeriod;
    private final double strength;
    private final double alpha;
    private final double threshold;
    private final int relearnEvery;
    private final double fallbackRate;

    /** The buffered values as float offsets from {@link #reference} (4 bytes a value). */
    private final float[] offsets;
    /** Milliseconds from each buffered value's predecessor (capped at {@link Integer#MAX_VALUE}). */
    private final int[] gaps;
    private double reference;
    private long lastTime;
    private int next;
    private int size;
    private long seen;
    private int sinceLearn;

    private boolean learnt;
    private int period = 1;
    private double step;
    private long origin;
    private double[] phaseMean = new double[1];
    private double[] phaseVar = new double[1];
    private double pooledVar;

    public SeasonalDetector(int learn, int minPeriod, int maxPeriod, double strength, double alpha, double threshold,
            int relearn, int fallbackWindow) {
        if (minPeriod < 2 || maxPeriod < minPeriod || learn < 3 * maxPeriod) {
            throw new IllegalArgumentException("seasonal: need 2 <= min-period <= max-period <= learn/3, were "
                    + minPeriod + ", " + maxPeriod + ", learn " + learn);
        }
        if (!(strength > 0 && strength < 1) || !(alpha > 0 && alpha < 1) || !(threshold > 0) || relearn < 0
                || fallbackWindow < 1) {
            throw new IllegalArgumentException("seasonal: strength and alpha must be in (0, 1), threshold > 0, "
                    + "relearn >= 0, fallback-window >= 1");
        }
        this.minPeriod = minPeriod;
        this.maxPeriod = maxPeriod;
        this.strength = strength;
        this.alpha = alpha;
        this.threshold = threshold;
        this.relearnEvery = relearn;
        this.fallbackRate = 2.0 / (fallbackWindow + 1);
        this.offsets = new float[learn];
        this.gaps = new int[learn];
    }

    static DetectorType type() {
        return new DetectorType(NAME, "learns the period by autocorrelation and scores the deviation from the same phase; "
                + "a plain z-score when there is no season",
                Map.of("learn", "values buffered before the first period search and searched at each re-learning (default 864)",
                        "min-period", "shortest period considered, in samples (default 4)",
                        "max-period", "longest period considered, in samples, at most learn/3 (default 288)",
                        "strength", "autocorrelation a period needs, (0, 1) (default 0.3)",
                        "alpha", "weight of the newest value in its phase's mean and variance, (0, 1) (default 0.1)",
                        "threshold", "|z| against the phase that scores 0.5 (default 3.5)",
                        "relearn", "values between period searches, 0 = only once (default 864)",
                        "fallback-window", "effective window of the z-score used when there is no season (default 100)"),
                p -> {
                    int learn = p.integer("learn", 864, 12, 100_000);
                    int maxPeriod = p.integer("max-period", Math.min(288, learn / 3), 2, 33_333);
                    int minPeriod = p.integer("min-period", Math.min(4, maxPeriod), 2, 33_333);
                    double strength = p.decimal("strength", 0.3, 0.01, 0.99);
                    double alpha = p.decimal("alpha", 0.1, 1e-4, 0.99);
                    double threshold = p.decimal("threshold", 3.5, 1e-6, 1e6);
                    int relearn = p.integer("relearn", learn, 0, Integer.MAX_VALUE);
                    int fallback = p.integer("fallback-window", 100, 1, 1_000_000);
                    new SeasonalDetector(learn, minPeriod, maxPeriod, strength, alpha, threshold, relearn, fallback);
                    return () -> new SeasonalDetector(learn, minPeriod, maxPeriod, strength, alpha, threshold, relearn, fallback);
                });
    }

    /** The period in use, in samples; 1 when there is no season (or before learning). */
    public int period() {
        return period;
    }

    /** The sampling step the phase is computed with, in milliseconds; 0 when phase is by sample index. */
    public double stepMillis() {
        return step;
    }

    @Override
    public double update(long timeMillis, double value) {
        double score = 0;
        if (learnt) {
            int ph = phase(timeMillis, seen);
            double sd = Math.sqrt(0.5 * phaseVar[ph] + 0.5 * pooledVar);
            score = Scores.fromRatio(Scores.standardized(value, phaseMean[ph], sd) / threshold);
            absorb(ph, value);
        }
        if (seen == 0) {
            reference = value;
            lastTime = timeMillis;
        }
        double off = value - reference; // ±infinity only for values near ±1e308 of opposite signs
        offsets[next] = (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, off));
        gaps[next] = (int) Math.max(0, Math.min(Integer.MAX_VALUE, timeMillis - lastTime));
        lastTime = timeMillis;
        next = next + 1 == offsets.length ? 0 : next + 1;
        size = Math.min(size + 1, offsets.length);
        seen++;
        sinceLearn++;
        if (!learnt ? size == offsets.length : relearnEvery > 0 && sinceLearn >= relearnEvery) {
            learn();
        }
        return score;
    }

    private int phase(long timeMillis, long index) {
        if (period == 1) {
            return 0;
        }
        double steps = step > 0 ? Math.rint(((double) timeMillis - (double) origin) / step) : index - origin;
        double ph = steps % period;
        return (int) (ph < 0 ? ph + period : ph);
    }

    private void absorb(int ph, double x) {
        double rate = period == 1 ? fallbackRate : alpha;
        double d = x - phaseMean[ph];
        phaseMean[ph] = (1 - rate) * phaseMean[ph] + rate * x;
        phaseVar[ph] = capped((1 - rate) * (phaseVar[ph] + rate * d * d));
        double pooledRate = period == 1 ? fallbackRate : alpha / period;
        pooledVar = capped((1 - pooledRate) * (pooledVar + pooledRate * d * d));
    }

    private static double capped(double v) {
        return v <= Double.MAX_VALUE ? v : Double.MAX_VALUE; // also maps NaN (inf·0) to the cap
    }

    /** Searches the period over the buffer and (re)builds the phase statistics if it changed. */
    private void learn() {
        sinceLearn = 0;
        int n = size;
        double[] work = new double[n];
        long[] t = new long[n];
        int start = n == offsets.length ? next : 0;
        for (int i = 0; i < n; i++) {
            work[i] = offsets[(start + i) % offsets.length];
        }
        // times back from the newest through the gaps
        t[n - 1] = lastTime;
        for (int i = n - 1; i > 0; i--) {
            t[i - 1] = t[i] - gaps[(start + i) % offsets.length];
        }
        Seasonality s = Seasonality.detectInPlace(work, n, minPeriod, maxPeriod, strength,
                new double[Seasonality.scratchLength(n, maxPeriod)]);
        int newPeriod = s.found() ? s.period() : 1;
        double newStep = Seasonality.medianStep(t, n);
        if (learnt && newPeriod == period && newStep == step) {
            return;
        }
        period = newPeriod;
        step = newStep;
        // phase 0 at the oldest buffered value; by index, the index of that value
        origin = step > 0 ? t[0] : seen - n;
        if (phaseMean.length != period) {
            phaseMean = new double[period];
            phaseVar = new double[period];
        }
        rebuild(work, n, t);
        learnt = true;
    }

    /** Per-phase mean and variance of the buffered values, pooled variance of their residuals. */
    private void rebuild(double[] work, int n, long[] t) {
        int start = n == offsets.length ? next : 0;
        for (int i = 0; i < n; i++) {
            work[i] = offsets[(start + i) % offsets.length]; // work was detrended by the period search
        }
        int[] count = new int[period];
        Arrays.fill(phaseMean, 0);
        Arrays.fill(phaseVar, 0);
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, Math.abs(work[i]));
        }
        scale = scale > 0 ? scale : 1;
        // mean of the scaled offsets per phase, then the scaled squared residuals
        double overall = 0;
        for (int i = 0; i < n; i++) {
            double x = work[i] / scale;
            int ph = phase(t[i], seen - n + i);
            count[ph]++;
            phaseMean[ph] += (x - phaseMean[ph]) / count[ph];
            overall += x / n;
        }
        double pooled = 0;
        for (int i = 0; i < n; i++) {
            double x = work[i] / scale;
            int ph = phase(t[i], seen - n + i);
            double d = x - phaseMean[ph];
            phaseVar[ph] += d * d;
            pooled += d * d / n;
        }
        // residuals against a mean fitted on the same values understate the spread of new values: divide by the
        // degrees of freedom left (n - period) and add the phase mean's own error (variance σ²/count)
        pooled = n > period ? pooled * n / (n - period) * (1 + (double) period / n) : pooled;
        for (int ph = 0; ph < period; ph++) {
            if (count[ph] == 0) {
                phaseMean[ph] = overall;
                phaseVar[ph] = pooled;
            } else {
                phaseVar[ph] = count[ph] > 1 ? phaseVar[ph] / (count[ph] - 1) * (1 + 1.0 / count[ph]) : pooled;
            }
            phaseMean[ph] = reference + phaseMean[ph] * scale;
            phaseVar[ph] = capped(phaseVar[ph] * scale * scale);
        }
        pooledVar = capped(pooled * scale * scale);
    }
}
