package dev.fieldline.analytics.trend;

/**
 * Additive Holt-Winters exponential smoothing, fitted to a series and forecasting it.
 *
 * <p>With period m ≥ 2: level {@code l_t = α(x_t - s_{t-m}) + (1 - α)(l_{t-1} + b_{t-1})}, trend
 * {@code b_t = β(l_t - l_{t-1}) + (1 - β)b_{t-1}}, season {@code s_t = γ(x_t - l_t) + (1 - γ)s_{t-m}};
 * forecast {@code x̂_{t+h} = l_t + h·b_t + s_{t+h-m⌈h/m⌉}}. Initialised from the first two cycles: the
 * trend is the difference of their means over m, the level the first cycle's mean carried to its end,
 * the season each first-cycle value less that line. Needs at least 2m values. Without a season (m ≤ 1,
 * or fewer than 2m values) it is Holt's double exponential smoothing (γ unused; l₀ and b₀ from the
 * least-squares line through the first 10 values).
 *
 * <p><b>Fitting.</b> Parameters not given are chosen by a grid search minimising the sum of squared
 * one-step-ahead errors: α, β, γ each over {0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9} (512 runs over the
 * series with a season, 64 without). σ² is that SSE divided by the number of one-step errors. The errors
 * of a burn-in (the first cycle after initialisation; two values without a season) are left out of both:
 * they measure the initialisation, not the model.
 *
 * <p><b>Prediction interval</b> (Hyndman et al., <i>Forecasting with Exponential Smoothing</i>, 2008,
 * class 1, ETS(A,A,A)): {@code x̂_{t+h} ± z_{(1+level)/2} · σ · sqrt(1 + Σ_{j=1}^{h-1} c_j²)} with
 * {@code c_j = α(1 + jβ) + γ(1 - α)·[j mod m = 0]} (without a season the γ term is absent). It widens
 * with h: linearly in h for β > 0, as √h for β = 0.
 */
public final class HoltWinters {
    private static final double[] GRID = {0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9};

    private final int period;
    private final double alpha;
    private final double beta;
    private final double gamma;
    private final double level;
    private final double trend;
    private final double[] season;
    /** The season index of the next value. */
    private final int nextPhase;
    private final double sigma;
    private final int errors;

    private HoltWinters(int period, double alpha, double beta, double gamma, Run run) {
        this.period = period;
        this.alpha = alpha;
        this.beta = beta;
        this.gamma = gamma;
        this.level = run.level;
        this.trend = run.trend;
        this.season = run.season;
        this.nextPhase = run.nextPhase;
        this.errors = run.errors;
        this.sigma = run.errors > 0 ? Math.sqrt(run.sse / run.errors) : 0;
    }

    /**
     * Fits the first n values, choosing α, β, γ by grid search.
     *
     * @param period the season in samples; 0 or 1 for none (Holt's method); a season needs n ≥ 2·period
     */
    public static HoltWinters fit(double[] values, int n, int period) {
        check(values, n);
        int m = seasonal(period, n) ? period : 0;
        double bestSse = Double.POSITIVE_INFINITY;
        double[] best = {0.5, 0.1, 0.1};
        for (double a : GRID) {
            for (double b : GRID) {
                for (double g : m > 0 ? GRID : new double[] {0}) {
                    double sse = run(values, n, m, a, b, g).sse;
                    if (sse < bestSse) {
                        bestSse = sse;
                        best = new double[] {a, b, g};
                    }
                }
            }
        }
        return fit(values, n, m, best[0], best[1], best[2]);
    }

    /** Fits the first n values with the given smoothing parameters, each in [0, 1]. */
    public static HoltWinters fit(double[] values, int n, int period, double alpha, double beta, double gamma) {
        check(values, n);
        for (double p : new double[] {alpha, beta, gamma}) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("smoothing parameters must be in [0, 1], were " + alpha + ", " + beta + ", " + gamma);
            }
        }
        int m = seasonal(period, n) ? period : 0;
        return new HoltWinters(m, alpha, beta, gamma, run(values, n, m, alpha, beta, gamma));
    }

    /**
     * The seed's {@code predict_next_value}: the least-squares line through the window (value against
     * sample index 0..n-1) evaluated at index n. One value predicts itself.
     *
     * @throws IllegalArgumentException for an empty window
     */
    public static double predictNextValue(double[] values) {
        int n = values.length;
        if (n == 0) {
            throw new IllegalArgumentException("predictNextValue needs at least one value");
        }
        double mean = IndexLine.mean(values, n);
        return IndexLine.at(mean, IndexLine.slope(values, n, mean), n, n);
    }

    /** The season in samples; 0 for Holt's method. */
    public int period() {
        return period;
    }

    public double alpha() {
        return alpha;
    }

    public double beta() {
        return beta;
    }

    public double gamma() {
        return gamma;
    }

    /** Standard deviation of the one-step errors. */
    public double sigma() {
        return sigma;
    }

    /** The forecast for the next h values with a central interval of the given coverage (e.g. 0.95). */
    public Forecast forecast(int h, double coverage) {
        if (h < 1 || !(coverage > 0 && coverage < 1)) {
            throw new IllegalArgumentException("horizon must be >= 1 and coverage in (0, 1), were " + h + ", " + coverage);
        }
        double z = normalQuantile((1 + coverage) / 2);
        double[] mean = new double[h];
        double[] lower = new double[h];
        double[] upper = new double[h];
        double sumC2 = 0;
        for (int j = 1; j <= h; j++) {
            double s = period > 0 ? season[(nextPhase + j - 1) % period] : 0;
            mean[j - 1] = level + j * trend + s;
            double half = z * sigma * Math.sqrt(1 + sumC2);
            lower[j - 1] = mean[j - 1] - half;
            upper[j - 1] = mean[j - 1] + half;
            double c = alpha * (1 + j * beta) + (period > 0 && j % period == 0 ? gamma * (1 - alpha) : 0);
            sumC2 += c * c;
        }
        String method = errors == 0 ? "last" : period > 0 ? "holt-winters" : "holt";
        return new Forecast(method, coverage, sigma, mean, lower, upper);
    }

    private static void check(double[] values, int n) {
        if (n < 1 || n > values.length) {
            throw new IllegalArgumentException("need 1 to " + values.length + " values, was " + n);
        }
    }

    private static boolean seasonal(int period, int n) {
        return period >= 2 && n >= 2 * period;
    }

    private static final class Run {
        double level;
        double trend;
        double[] season;
        int nextPhase;
        double sse;
        int errors;
    }

    private static Run run(double[] x, int n, int m, double a, double b, double g) {
        Run r = new Run();
        int start;
        if (m > 0) {
            double mean1 = 0;
            double mean2 = 0;
            for (int i = 0; i < m; i++) {
                mean1 += x[i] / m;
                mean2 += x[i + m] / m;
            }
            r.trend = (mean2 - mean1) / m;
            r.season = new double[m];
            for (int i = 0; i < m; i++) {
                r.season[i] = x[i] - (mean1 + r.trend * (i - (m - 1) / 2.0));
            }
            r.level = mean1 + r.trend * (m - 1) / 2.0;
            start = m;
        } else {
            // the least-squares line through the first (up to) 10 values, at index 0
            int k = Math.min(n, 10);
            double mean = IndexLine.mean(x, k);
            r.trend = IndexLine.slope(x, k, mean);
            r.level = IndexLine.at(mean, r.trend, k, 0);
            r.season = new double[0];
            start = 1;
        }
        // the first cycle (two values without a season) after the start settles the initial state:
        // its errors count for neither the fit nor σ, unless nothing else is left
        int burnIn = Math.min(start + Math.max(m, 2), Math.max(start, n - 1));
        for (int t = start; t < n; t++) {
            int ph = m > 0 ? t % m : 0;
            double s = m > 0 ? r.season[ph] : 0;
            double e = x[t] - (r.level + r.trend + s);
            if (t >= burnIn) {
                r.sse += e * e;
                r.errors++;
            }
            double prevLevel = r.level;
            r.level = a * (x[t] - s) + (1 - a) * (r.level + r.trend);
            r.trend = b * (r.level - prevLevel) + (1 - b) * r.trend;
            if (m > 0) {
                r.season[ph] = g * (x[t] - r.level) + (1 - g) * s;
            }
        }
        r.nextPhase = m > 0 ? n % m : 0;
        if (!Double.isFinite(r.sse)) {
            r.sse = Double.MAX_VALUE;
        }
        return r;
    }

    /** Φ⁻¹(p) by Acklam's rational approximation (relative error below 1.2e-9), for p in (0, 1). */
    static double normalQuantile(double p) {
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            return -normalQuantile(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
