package dev.fieldline.analytics.detect;

/**
 * The one mapping every core detector uses from its statistic to a score in [0, 1].
 *
 * <p>A detector divides its statistic (|z|, |modified z|, the EWMA chart's distance in control-limit
 * widths, the CUSUM sum) by its own threshold, giving a ratio {@code r >= 0}, and reports
 * {@code score = r^4 / (1 + r^4)}: 0 at {@code r = 0}, exactly 0.5 at the threshold, 0.06 at half of
 * it, 0.94 at twice it, tending to 1. It is smooth and strictly increasing in {@code r}, so a score
 * threshold is a statistic threshold: {@code score >= 0.5} if and only if the statistic reaches the
 * detector's own threshold; {@code score >= 0.9} at 1.73 times it.
 */
public final class Scores {
    /** The exponent of the mapping: how sharply the score rises around the threshold. */
    public static final double SHARPNESS = 4;

    private Scores() {
    }

    /**
     * @param ratio the statistic divided by its threshold (its sign is ignored)
     * @return {@code r^4 / (1 + r^4)}; 1 for an infinite ratio, 0 for NaN
     */
    public static double fromRatio(double ratio) {
        double r = Math.abs(ratio);
        if (!(r > 0)) {
            return 0; // 0 and NaN
        }
        // 1 / (1 + r^-4): no overflow for huge r, and an r so small that r^-4 overflows scores 0
        return 1 / (1 + Math.pow(r, -SHARPNESS));
    }

    /**
     * {@code (x - center) / scale} computed without overflow for any finite inputs: huge values are
     * halved first, so (1e308 - (-1e308)) / 1 is a huge finite number and not infinity minus infinity.
     * A zero (or denormal) scale gives 0 when x equals the center and infinity otherwise.
     */
    static double standardized(double x, double center, double scale) {
        if (x == center) {
            return 0;
        }
        double d = x - center;
        if (Double.isInfinite(d)) {
            d = x * 0.5 - center * 0.5;
            return scale > 0 ? d / (scale * 0.5) : Double.POSITIVE_INFINITY;
        }
        return scale > 0 ? d / scale : Double.POSITIVE_INFINITY;
    }
}
