package dev.fieldline.analytics.stats;

/**
 * Student's t distribution through the regularized incomplete beta function (continued fraction,
 * modified Lentz; log-gamma by Lanczos), accurate to about 1e-10 over the range a trend test needs.
 */
public final class StudentT {
    private static final double EPS = 1e-15;
    private static final double TINY = 1e-300;
    private static final int MAX_ITERATIONS = 300;
    private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851, -1259.1392167224028,
        771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
        9.9843695780195716e-6, 1.5056327351493116e-7};

    private StudentT() {
    }

    /** P(T ≤ t) for df degrees of freedom (df > 0). */
    public static double cdf(double t, double df) {
        checkDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return t > 0 ? 1 : 0;
        }
        double tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /** P(|T| ≥ |t|): the two-sided p-value of a t statistic. */
    public static double twoSidedP(double t, double df) {
        checkDf(df);
        return twoSidedP(t, df, logBeta(df / 2, 0.5));
    }

    /**
     * {@link #twoSidedP(double, double)} with {@code lnBeta = logBeta(df / 2, 0.5)} computed once by
     * a caller that tests many statistics with the same degrees of freedom.
     */
    public static double twoSidedP(double t, double df, double lnBeta) {
        checkDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return 0;
        }
        return Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5, lnBeta));
    }

    /** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
    public static double logBeta(double a, double b) {
        return logGamma(a) + logGamma(b) - logGamma(a + b);
    }

    /** I_x(a, b), the regularized incomplete beta function, for x in [0, 1] and a, b > 0. */
    public static double regularizedIncompleteBeta(double x, double a, double b) {
        if (!(x >= 0 && x <= 1) || !(a > 0) || !(b > 0)) {
            throw new IllegalArgumentException("need x in [0, 1], a > 0, b > 0; was x=" + x + " a=" + a + " b=" + b);
        }
        return incompleteBeta(x, a, b, logBeta(a, b));
    }

    private static double incompleteBeta(double x, double a, double b, double lnBeta) {
        if (x == 0 || x == 1) {
            return x;
        }
        double lnFront = a * Math.log(x) + b * Math.log1p(-x) - lnBeta;
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(lnFront) * continuedFraction(x, a, b) / a;
        }
        return 1 - Math.exp(lnFront) * continuedFraction(1 - x, b, a) / b;
    }

    /** ln Γ(x) for x > 0. */
    public static double logGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double s = LANCZOS[0];
        double t = x + 7.5;
        for (int i = 1; i < LANCZOS.length; i++) {
            s += LANCZOS[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
    }

    private static double continuedFraction(double x, double a, double b) {
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        if (Math.abs(d) < TINY) {
            d = TINY;
        }
        d = 1 / d;
        double h = d;
        // half-steps: even (i = 0, 2, ...) and odd coefficients of the m-th term, m = i / 2 + 1
        for (int i = 0; i < 2 * MAX_ITERATIONS; i++) {
            int m = i / 2 + 1;
            int m2 = 2 * m;
            double aa = i % 2 == 0 ? m * (b - m) * x / ((qam + m2) * (a + m2))
                    : -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (i % 2 == 1 && Math.abs(del - 1) < EPS) {
                return h;
            }
        }
        return h;
    }

    private static void checkDf(double df) {
        if (!(df > 0)) {
            throw new IllegalArgumentException("degrees of freedom must be > 0, was " + df);
        }
    }
}
