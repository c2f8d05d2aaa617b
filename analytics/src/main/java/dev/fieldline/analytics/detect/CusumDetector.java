package dev.fieldline.analytics.detect;

import java.util.Map;

/**
 * Page's two-sided tabular CUSUM for level shifts, in σ units: with {@code u = (x - μ)/σ},
 * {@code S⁺ = max(0, S⁺ + u - k)} and {@code S⁻ = max(0, S⁻ - u - k)}; a signal when either exceeds h.
 * k = 0.5 and h = 5 detect a 1σ shift in about 10 values with an in-control average run length of about
 * 465 (Montgomery, Table 9.4; 930 per side). μ and σ are the mean and standard deviation of a warm-up of
 * {@code warmup} values, then adapt slowly at {@code adapt} per value. After a signal both sums reset to 0
 * and μ, σ are learnt again from the next {@code warmup} values (the new level is the new normal).
 * Score {@link Scores#fromRatio(double) fromRatio(max(S⁺, S⁻) / h)}: rises while a shift accumulates,
 * 0.5 at the signal. 0 during a warm-up.
 *
 * <p>Parameters: {@code k} (default 0.5), {@code h} (default 5), {@code warmup} (default 30),
 * {@code adapt} (default 0.001, [0, 1)).
 */
public final class CusumDetector implements Detector {
    public static final String NAME = "cusum";

    private final double k;
    private final double h;
    private final Baseline baseline;
    private double high;
    private double low;

    public CusumDetector(double k, double h, int warmup, double adapt) {
        if (!(k >= 0) || !(h > 0) || warmup < 2 || !(adapt >= 0 && adapt < 1)) {
            throw new IllegalArgumentException("cusum: k must be >= 0, h > 0, warmup >= 2, adapt in [0, 1)");
        }
        this.k = k;
        this.h = h;
        this.baseline = new Baseline(warmup, adapt);
    }

    static DetectorType type() {
        return new DetectorType(NAME, "two-sided tabular CUSUM: level shifts up or down, in sigma units; resets after a signal",
                Map.of("k", "allowance (slack) in standard deviations, about half the shift to detect (default 0.5)",
                        "h", "decision interval in standard deviations: a sum above h signals (default 5)",
                        "warmup", "values that estimate mean and sigma, at start and after each signal; 0 until then (default 30)",
                        "adapt", "rate at which mean and sigma follow the stream between signals, 0 = fixed (default 0.001)"),
                p -> {
                    double k = p.decimal("k", 0.5, 0, 1e3);
                    double h = p.decimal("h", 5, 1e-6, 1e6);
                    int warmup = p.integer("warmup", 30, 2, 100_000);
                    double adapt = p.decimal("adapt", 0.001, 0, 0.999);
                    return () -> new CusumDetector(k, h, warmup, adapt);
                });
    }

    @Override
    public double update(long timeMillis, double value) {
        if (!baseline.ready()) {
            baseline.add(value);
            return 0;
        }
        double u = Scores.standardized(value, baseline.mean(), baseline.stddev());
        // an infinite u (zero sigma) signals at once; max(0, NaN) cannot arise because u is never NaN
        high = Math.max(0, high + u - k);
        low = Math.max(0, low - u - k);
        double s = Math.max(high, low);
        double score = Scores.fromRatio(s / h);
        if (s > h) {
            high = 0;
            low = 0;
            baseline.restart();
        } else {
            baseline.add(value);
        }
        return score;
    }
}
