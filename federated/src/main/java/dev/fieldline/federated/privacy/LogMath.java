package dev.fieldline.federated.privacy;

/** Arithmetic on logarithms and the log of erfc, in double, for the RDP accountant. */
final class LogMath {
    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private LogMath() {
    }

    /** log(eˣ + eʸ). */
    static double logAdd(double x, double y) {
        double a = Math.min(x, y);
        double b = Math.max(x, y);
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        return Math.log1p(Math.exp(a - b)) + b;
    }

    /** log(eˣ − eʸ), for x ≥ y. */
    static double logSub(double x, double y) {
        if (x < y) {
            throw new ArithmeticException("log of a negative difference: " + x + " < " + y);
        }
        if (y == Double.NEGATIVE_INFINITY) {
            return x;
        }
        if (x == y) {
            return Double.NEGATIVE_INFINITY;
        }
        double d = x - y;
        return d > 700 ? x : Math.log(Math.expm1(d)) + y;
    }

    /**
     * log erfc(x), accurate to about 1e-14 relative over the whole line, without underflow for large x
     * (log erfc(40) ≈ −1604): the series of erf for |x| &lt; 2, the continued fraction of erfc beyond.
     */
    static double logErfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x >= 2) {
            return logErfcContinuedFraction(x);
        }
        if (x >= 0) {
            return Math.log1p(-erfSeries(x));
        }
        if (x > -2) {
            return Math.log1p(erfSeries(-x));
        }
        return Math.log(2 - Math.exp(logErfcContinuedFraction(-x)));
    }

    /** erf(x) for 0 ≤ x &lt; 2 from the series (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) of positive terms. */
    static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 500; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /**
     * log erfc(x) for x ≥ 2 from erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))),
     * evaluated with the modified Lentz method.
     */
    static double logErfcContinuedFraction(double x) {
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        double tiny = 1e-300;
        double f = x;
        double c = f;
        double d = 0;
        for (int k = 1; k < 10_000; k++) {
            double a = k / 2.0;
            d = x + a * d;
            d = d == 0 ? 1 / tiny : 1 / d;
            c = x + a / c;
            if (c == 0) {
                c = tiny;
            }
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                return -x * x - LOG_SQRT_PI - Math.log(f);
            }
        }
        throw new ArithmeticException("the continued fraction of erfc(" + x + ") did not converge");
    }
}
