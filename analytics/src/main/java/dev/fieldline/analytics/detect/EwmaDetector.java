package dev.fieldline.analytics.detect;

import java.util.Map;

/**
 * Roberts' EWMA control chart. The statistic {@code z_t = λ·x_t + (1 - λ)·z_{t-1}}, started at the
 * in-control mean μ, has variance {@code σ²·λ/(2 - λ)·(1 - (1 - λ)^{2t})} (the exact form, so the limits
 * are narrow right after the warm-up); the chart signals when z leaves {@code μ ± L·σ_z}. μ and σ are the
 * mean and standard deviation of the first {@code warmup} values, then adapt at {@code adapt} per value
 * (0 keeps them). Small λ sees small sustained shifts and drift; λ = 1 is a Shewhart 3σ chart.
 * Score {@link Scores#fromRatio(double) fromRatio(|z - μ| / (L·σ_z))}: 0.5 on the control limit.
 * 0 during the warm-up.
 *
 * <p>Parameters: {@code lambda} (default 0.2, (0, 1]), {@code limit} L (default 3),
 * {@code warmup} (default 30, 2..100000), {@code adapt} (default 0.01, [0, 1)).
 */
public final class EwmaDetector implements Detector {
    public static final String NAME = "ewma";

    private final double lambda;
    private final double limit;
    private final double decay2;
    private final Baseline baseline;
    private boolean started;
    private double z;
    private double decayPow = 1;

    public EwmaDetector(double lambda, double limit, int warmup, double adapt) {
        if (!(lambda > 0 && lambda <= 1) || !(limit > 0) || warmup < 2 || !(adapt >= 0 && adapt < 1)) {
            throw new IllegalArgumentException("ewma: lambda must be in (0, 1], limit > 0, warmup >= 2, adapt in [0, 1)");
        }
        this.lambda = lambda;
        this.limit = limit;
        this.decay2 = (1 - lambda) * (1 - lambda);
        this.baseline = new Baseline(warmup, adapt);
    }

    static DetectorType type() {
        return new DetectorType(NAME, "EWMA control chart: smoothed value outside mean +- L sigma_z (small shifts, drift)",
                Map.of("lambda", "smoothing weight of the newest value, (0, 1] (default 0.2)",
                        "limit", "control limit L in standard deviations of the EWMA statistic (default 3)",
                        "warmup", "values that estimate the in-control mean and sigma; 0 until then (default 30)",
                        "adapt", "rate at which mean and sigma follow the stream afterwards, 0 = fixed (default 0.01)"),
                p -> {
                    double lambda = p.decimal("lambda", 0.2, 1e-6, 1);
                    double limit = p.decimal("limit", 3, 1e-6, 1e6);
                    int warmup = p.integer("warmup", 30, 2, 100_000);
                    double adapt = p.decimal("adapt", 0.01, 0, 0.999);
                    return () -> new EwmaDetector(lambda, limit, warmup, adapt);
                });
    }

    @Override
    public double update(long timeMillis, double value) {
        if (!baseline.ready()) {
            baseline.add(value);
            return 0;
        }
        double mu = baseline.mean();
        if (!started) {
            z = mu;
            started = true;
        }
        z = lambda * value + (1 - lambda) * z;
        decayPow *= decay2; // (1 - λ)^{2t}; underflows to 0, where it belongs
        double sdZ = baseline.stddev() * Math.sqrt(lambda / (2 - lambda) * (1 - decayPow));
        double score = Scores.fromRatio(Scores.standardized(z, mu, sdZ) / limit);
        baseline.add(value);
        return score;
    }
}
