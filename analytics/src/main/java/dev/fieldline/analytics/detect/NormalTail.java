package dev.fieldline.analytics.detect;

/** Tail probabilities of the standard normal distribution. */
public final class NormalTail {
    private NormalTail() {
    }

    /**
     * Q(z) = P(Z > z) for a standard normal Z, with a relative error under 1.2e-7 for every z (the
     * Chebyshev fit of erfc in Press et al., Numerical Recipes, 6.2).
     */
    public static double upper(double z) {
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** P(|Z| > |z|) / 2: the one-sided tail beyond |z|, as NAB's windowed Gaussian folds it. */
    public static double beyond(double z) {
        return upper(Math.abs(z));
    }

    /** The complementary error function. */
    public static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
