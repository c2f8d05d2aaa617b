package dev.fieldline.federated.privacy;

/**
 * A second, independent computation of the Rényi divergences of the sampled Gaussian mechanism, by
 * numerical integration rather than series: with μ₀ = N(0, σ²), μ₁ = N(1, σ²) and the mixture
 * μ = (1 − q)μ₀ + qμ₁,
 *
 * <pre>  A_α = ∫ μ₀ (μ/μ₀)^α dx,   B_α = ∫ μ (μ₀/μ)^α dx = ∫ μ₀ (μ/μ₀)^(1−α) dx</pre>
 *
 * by the trapezoid rule over [−40σ, α + 40σ] (the integrand of A peaks near 0 and near α) with step
 * σ/25, in log space. For these smooth, Gaussian-tailed integrands the trapezoid rule converges
 * geometrically, so the result is good to rounding.
 */
final class MixtureIntegral {

    private MixtureIntegral() {
    }

    static double logA(double q, double sigma, double alpha) {
        return logIntegral(q, sigma, alpha, alpha);
    }

    static double logB(double q, double sigma, double alpha) {
        return logIntegral(q, sigma, alpha, 1 - alpha);
    }

    /** log ∫ μ₀(x) (μ(x)/μ₀(x))^power dx. */
    private static double logIntegral(double q, double sigma, double alpha, double power) {
        double h = sigma / 25;
        double lo = -40 * sigma;
        double hi = alpha + 40 * sigma;
        int n = (int) Math.ceil((hi - lo) / h);
        double[] v = new double[n + 1];
        double max = Double.NEGATIVE_INFINITY;
        double logNorm = Math.log(sigma * Math.sqrt(2 * Math.PI));
        double logQ = Math.log(q);
        double log1mQ = q == 1 ? Double.NEGATIVE_INFINITY : Math.log1p(-q);
        for (int i = 0; i <= n; i++) {
            double x = lo + i * h;
            double t = (2 * x - 1) / (2 * sigma * sigma); // log(μ₁(x)/μ₀(x))
            double a = log1mQ;
            double b = logQ + t;
            double logRatio = a == Double.NEGATIVE_INFINITY ? b : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
            double w = (i == 0 || i == n) ? 0.5 : 1.0;
            v[i] = -x * x / (2 * sigma * sigma) - logNorm + power * logRatio + Math.log(w);
            max = Math.max(max, v[i]);
        }
        double sum = 0;
        for (double x : v) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum * h);
    }
}
