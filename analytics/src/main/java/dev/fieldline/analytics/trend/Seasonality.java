package dev.fieldline.analytics.trend;

import java.util.Arrays;

/**
 * A series' dominant period, found from its autocorrelation function (ACF).
 *
 * <p>{@link #detect(double[])}: the series is scaled by its largest magnitude (so any finite values
 * work) and its least-squares line removed (a trend would otherwise correlate at every lag); then the
 * ACF is computed for lags 1..2·maxPeriod + 1 with the unbiased normalisation
 * {@code r(k) = (Σ d_i·d_{i+k} / (n - k)) / (Σ d_i² / n)}. A lag k in [minPeriod, maxPeriod] is a
 * candidate when it is a local maximum of r (at maxPeriod itself: r rises into it, so a period just
 * past the end of the range, or one that detrending and noise nudge by a lag, is reported as maxPeriod), r(k) reaches the strength threshold, and r fell by at
 * least the threshold somewhere between lag 1 and k (a real cycle goes down and comes back; slowly
 * varying noise only decays), and the ACF around 2k (lags 2k - 1..2k + 1) reaches the threshold too (a
 * real cycle repeats; a random walk's chance bump does not). Among candidates the highest wins, except that the shortest candidate
 * within 90 % of the highest is taken instead, so a period is not reported as its multiple. The broad
 * top of a long period's peak is then refined: among lags within 1/8 of it, the one whose per-phase
 * means leave the least residual variance per degree of freedom. The
 * threshold is {@code max(threshold, 3/√n)}: three standard errors of the ACF of white noise.
 * maxPeriod is capped at n/3 (three full cycles).
 *
 * @param period the period in samples; 0 when none
 * @param strength the ACF at the period, in [0, 1] (1 for a noiseless periodic series; 0 when none)
 */
public record Seasonality(int period, double strength) {
    /** No period found. */
    public static final Seasonality NONE = new Seasonality(0, 0);
    /** The default strength threshold of {@link #detect(double[])}. */
    public static final double DEFAULT_THRESHOLD = 0.3;

    public Seasonality {
        if (period < 0 || !(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("period must be >= 0 and strength in [0, 1], were " + period + ", " + strength);
        }
    }

    public boolean found() {
        return period > 0;
    }

    /** With the defaults: periods 2..n/3, threshold 0.3. */
    public static Seasonality detect(double[] values) {
        return detect(values, values.length, 2, values.length / 3, DEFAULT_THRESHOLD);
    }

    /** The first n values; periods minPeriod..maxPeriod (capped at n/3). The array is not changed. */
    public static Seasonality detect(double[] values, int n, int minPeriod, int maxPeriod, double threshold) {
        double[] work = Arrays.copyOf(values, n);
        return detectInPlace(work, n, minPeriod, maxPeriod, threshold, new double[scratchLength(n, maxPeriod)]);
    }

    /** How long the {@code acf} scratch of {@link #detectInPlace} must be. */
    public static int scratchLength(int n, int maxPeriod) {
        int maxLag = Math.max(0, Math.min(maxPeriod, n / 3));
        // the ACF up to 2·maxLag + 1, then two sums per phase for refining up to maxLag
        return 2 * maxLag + 2 + 2 * (maxLag + 1);
    }

    /**
     * As {@link #detect(double[], int, int, int, double)}, overwriting {@code work[0, n)} and using
     * {@code acf} (at least {@link #scratchLength} long) as scratch: no allocation, for detectors
     * that re-learn periodically.
     */
    public static Seasonality detectInPlace(double[] work, int n, int minPeriod, int maxPeriod, double threshold,
            double[] acf) {
        if (minPeriod < 1 || threshold <= 0) {
            throw new IllegalArgumentException("minPeriod must be >= 1 and threshold > 0");
        }
        int maxLag = Math.min(maxPeriod, n / 3);
        if (n < 4 || maxLag < minPeriod) {
            return NONE;
        }
        if (!detrend(work, n)) {
            return NONE;
        }
        double c0 = 0;
        for (int i = 0; i < n; i++) {
            c0 += work[i] * work[i];
        }
        if (!(c0 > 0)) {
            return NONE;
        }
        c0 /= n;
        int top = Math.min(2 * maxLag + 1, n - 1);
        for (int k = 1; k <= top; k++) {
            double s = 0;
            for (int i = 0; i + k < n; i++) {
                s += work[i] * work[i + k];
            }
            acf[k] = s / (n - k) / c0;
        }
        double level = Math.max(threshold, 3 / Math.sqrt(n));
        double lowest = Double.POSITIVE_INFINITY;
        int best = 0;
        double bestR = Double.NEGATIVE_INFINITY;
        for (int k = 1; k <= maxLag; k++) {
            lowest = Math.min(lowest, acf[k]);
            if (k < minPeriod || acf[k] < level || acf[k] - lowest < level) {
                continue;
            }
            if (isPeak(acf, k, maxLag) && repeats(acf, k, top, level) && acf[k] > bestR) {
                bestR = acf[k];
                best = k;
            }
        }
        if (best == 0) {
            return NONE;
        }
        // the shortest candidate within 90 % of the best: a period, not its multiple
        lowest = Double.POSITIVE_INFINITY;
        for (int k = 1; k < best; k++) {
            lowest = Math.min(lowest, acf[k]);
            if (k >= minPeriod && acf[k] >= 0.9 * bestR && acf[k] - lowest >= level
                    && isPeak(acf, k, maxLag) && repeats(acf, k, top, level)) {
                best = k;
                bestR = acf[k];
                break;
            }
        }
        best = refine(work, n, best, Math.max(minPeriod, best - best / 8), Math.min(maxLag, best + best / 8), acf);
        return new Seasonality(best, Math.min(1, Math.max(0, acf[best])));
    }

    /**
     * The sampling step: the median positive interval between the first n timestamps (gaps and jitter do
     * not move it as they move the mean), 0 when there is none.
     */
    public static double medianStep(long[] times, int n) {
        long[] d = new long[Math.max(0, n - 1)];
        int m = 0;
        for (int i = 1; i < n; i++) {
            if (times[i] > times[i - 1]) {
                d[m++] = times[i] - times[i - 1];
            }
        }
        if (m == 0) {
            return 0;
        }
        Arrays.sort(d, 0, m);
        return d[m / 2];
    }

    /**
     * The values less their phase's mean, plus the overall mean: the season's shape is gone, a trend across
     * cycles stays (as a staircase with the same slope), and the residuals the slope's p-value assumes
     * independent are no longer the season itself. Phase by sample index: {@code i mod period}.
     */
    public static double[] deseasonalized(double[] values, int n, int period) {
        double[] sum = new double[period];
        int[] count = new int[period];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            sum[i % period] += values[i];
            count[i % period]++;
            mean += values[i] / n;
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = values[i] - sum[i % period] / count[i % period] + mean;
        }
        return out;
    }

    /**
     * The ACF's peak is broad for long periods and its top is nudged by edge terms and noise (a daily
     * period of 288 samples came out as 291): among the lags within 1/8 of the peak, take the one whose
     * per-phase means explain the series best (least residual variance per degree of freedom,
     * {@code Σ(x - phase mean)² / (n - period)}). Uses {@code acf[top + 1 ...]} beyond the computed
     * lags as scratch for the phase sums.
     */
    private static int refine(double[] x, int n, int best, int from, int to, double[] acf) {
        if (to <= from) {
            return best;
        }
        int base = acf.length - (to + 1) * 2;
        int chosen = best;
        double bestVar = Double.POSITIVE_INFINITY;
        for (int p = from; p <= to; p++) {
            if (n - p <= 0) {
                break;
            }
            Arrays.fill(acf, base, base + 2 * p, 0);
            for (int i = 0; i < n; i++) {
                int ph = base + 2 * (i % p);
                acf[ph] += x[i];
                acf[ph + 1] += 1;
            }
            double ss = 0;
            for (int i = 0; i < n; i++) {
                int ph = base + 2 * (i % p);
                double d = x[i] - acf[ph] / acf[ph + 1];
                ss += d * d;
            }
            double var = ss / (n - p);
            if (var < bestVar) {
                bestVar = var;
                chosen = p;
            }
        }
        return chosen;
    }

    /** A local maximum; at the top of the searched range, rising into it is enough. */
    private static boolean isPeak(double[] acf, int k, int maxLag) {
        return acf[k] >= acf[Math.max(1, k - 1)] && (k == maxLag || acf[k] >= acf[k + 1]);
    }

    private static boolean repeats(double[] acf, int k, int top, double level) {
        for (int j = 2 * k - 1; j <= Math.min(2 * k + 1, top); j++) {
            if (acf[j] >= level) {
                return true;
            }
        }
        return false;
    }

    /** Scales by the largest magnitude and removes the least-squares line; false for a non-finite input. */
    private static boolean detrend(double[] v, int n) {
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, Math.abs(v[i]));
        }
        if (!Double.isFinite(scale)) {
            return false;
        }
        if (scale == 0) {
            return true;
        }
        for (int i = 0; i < n; i++) {
            v[i] /= scale;
        }
        double mean = IndexLine.mean(v, n);
        double slope = IndexLine.slope(v, n, mean);
        for (int i = 0; i < n; i++) {
            v[i] -= IndexLine.at(mean, slope, n, i);
        }
        return true;
    }
}
