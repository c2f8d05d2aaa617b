package dev.fieldline.federated.privacy;

/**
 * Rényi differential privacy of the sampled Gaussian mechanism (Mironov, Talwar and Zhang 2019, "Rényi
 * Differential Privacy of the Sampled Gaussian Mechanism"): each client is included independently with
 * probability q, the included clients' updates (each of L2 norm at most S) are summed, and Gaussian noise
 * N(0, (z·S)²) is added per coordinate. For an order α &gt; 1 the RDP is
 *
 * <pre>  ε(α) = log A_α / (α − 1),   A_α = E_{x∼N(0,z²)} [((1 − q) + q·exp((2x − 1)/(2z²)))^α]</pre>
 *
 * computed as TensorFlow Privacy's {@code compute_rdp} does: for integer α by the binomial expansion
 * A_α = Σₖ C(α,k) (1−q)^(α−k) qᵏ exp((k² − k)/(2z²)), for fractional α by the two convergent series
 * of Mironov et al. §3.3 with erfc tails, all in log space. q = 1 is the plain Gaussian mechanism,
 * α/(2z²); q = 0 gives 0.
 */
public final class SampledGaussianRdp {
    private static final int MAX_SERIES_TERMS = 100_000;

    private SampledGaussianRdp() {
    }

    /**
     * The orders TensorFlow Privacy's {@code compute_dp_sgd_privacy} uses: 1.1, 1.2, …, 10.9, then
     * 11, 12, …, 63, then 128, 256, 512.
     */
    public static double[] defaultOrders() {
        double[] orders = new double[99 + 53 + 3];
        int k = 0;
        for (int x = 1; x < 100; x++) {
            orders[k++] = 1 + x / 10.0;
        }
        for (int a = 11; a < 64; a++) {
            orders[k++] = a;
        }
        orders[k++] = 128;
        orders[k++] = 256;
        orders[k] = 512;
        return orders;
    }

    /**
     * The RDP at order {@code alpha} of one step with sampling probability {@code q} and noise
     * multiplier {@code z}.
     */
    public static double rdp(double q, double z, double alpha) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in [0, 1], was " + q);
        }
        if (!(z >= 0) || Double.isInfinite(z)) {
            throw new IllegalArgumentException("z must be >= 0 and finite, was " + z);
        }
        if (!(alpha > 1)) {
            throw new IllegalArgumentException("alpha must be > 1, was " + alpha);
        }
        if (q == 0) {
            return 0;
        }
        if (z == 0 || alpha == Double.POSITIVE_INFINITY) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * z * z);
        }
        return logA(q, z, alpha) / (alpha - 1);
    }

    /** The RDP at each order. */
    public static double[] rdp(double q, double z, double[] orders) {
        double[] r = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            r[i] = rdp(q, z, orders[i]);
        }
        return r;
    }

    /** log A_α for 0 &lt; q &lt; 1, z &gt; 0, α &gt; 1. */
    static double logA(double q, double z, double alpha) {
        return alpha == Math.rint(alpha) && alpha < Integer.MAX_VALUE
                ? logAInteger(q, z, (int) alpha)
                : logAFractional(q, z, alpha);
    }

    static double logAInteger(double q, double z, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * z * z;
        double logA = Double.NEGATIVE_INFINITY;
        double logBinom = 0;
        for (int k = 0; k <= alpha; k++) {
            if (k > 0) {
                logBinom += Math.log(alpha - k + 1) - Math.log(k);
            }
            double term = logBinom + k * logQ + (alpha - k) * log1mQ + ((double) k * k - k) / twoVar;
            logA = LogMath.logAdd(logA, term);
        }
        return logA;
    }

    static double logAFractional(double q, double z, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * z * z;
        double sqrt2z = Math.sqrt(2) * z;
        double z0 = z * z * Math.log(1 / q - 1) + 0.5;
        double logHalf = Math.log(0.5);
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double logAbsCoef = 0;
        boolean positive = true;
        for (int i = 0; i < MAX_SERIES_TERMS; i++) {
            if (i > 0) {
                double factor = (alpha - i + 1) / i;
                logAbsCoef += Math.log(Math.abs(factor));
                if (factor < 0) {
                    positive = !positive;
                }
            }
            double j = alpha - i;
            double logT0 = logAbsCoef + i * logQ + j * log1mQ;
            double logT1 = logAbsCoef + j * logQ + i * log1mQ;
            double logE0 = logHalf + LogMath.logErfc((i - z0) / sqrt2z);
            double logE1 = logHalf + LogMath.logErfc((z0 - j) / sqrt2z);
            double logS0 = logT0 + ((double) i * i - i) / twoVar + logE0;
            double logS1 = logT1 + (j * j - j) / twoVar + logE1;
            if (positive) {
                logA0 = LogMath.logAdd(logA0, logS0);
                logA1 = LogMath.logAdd(logA1, logS1);
            } else {
                logA0 = LogMath.logSub(logA0, logS0);
                logA1 = LogMath.logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < -30) {
                return LogMath.logAdd(logA0, logA1);
            }
        }
        throw new ArithmeticException("the series for log A at q=" + q + ", z=" + z + ", alpha=" + alpha
                + " did not converge in " + MAX_SERIES_TERMS + " terms");
    }
}
