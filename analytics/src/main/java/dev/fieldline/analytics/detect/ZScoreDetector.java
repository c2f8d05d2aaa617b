package dev.fieldline.analytics.detect;

import java.util.Map;

/**
 * The seed's 3σ rule over a sliding window: {@code z = (x - mean) / stddev} with the mean and sample
 * standard deviation of the last {@code window} values <em>before</em> x, so a spike cannot dilute its
 * own verdict. Score {@link Scores#fromRatio(double) fromRatio(|z| / threshold)}: 0.5 at 3σ with the
 * defaults. 0 until {@code min-samples} values have been seen. A window of identical values has
 * stddev 0: the same value again scores 0, any other value scores 1.
 *
 * <p>Parameters: {@code window} (default 100, 2..100000), {@code threshold} (default 3, in σ),
 * {@code min-samples} (default 30, 2..window).
 */
public final class ZScoreDetector implements Detector {
    public static final String NAME = "zscore";

    private final SlidingMoments window;
    private final double threshold;
    private final int minSamples;

    public ZScoreDetector(int window, double threshold, int minSamples) {
        if (threshold <= 0 || minSamples < 2 || minSamples > window) {
            throw new IllegalArgumentException("zscore: threshold must be > 0 and min-samples in [2, window]");
        }
        this.window = new SlidingMoments(window);
        this.threshold = threshold;
        this.minSamples = minSamples;
    }

    static DetectorType type() {
        return new DetectorType(NAME, "the seed's 3-sigma rule: z-score against the mean and stddev of the last N values",
                Map.of("window", "values in the sliding window (default 100)",
                        "threshold", "|z| that scores 0.5, in standard deviations (default 3)",
                        "min-samples", "values seen before scoring; 0 until then (default 30)"),
                p -> {
                    int window = p.integer("window", 100, 2, 100_000);
                    double threshold = p.decimal("threshold", 3, 1e-6, 1e6);
                    int minSamples = p.integer("min-samples", Math.min(30, window), 2, window);
                    new ZScoreDetector(window, threshold, minSamples);
                    return () -> new ZScoreDetector(window, threshold, minSamples);
                });
    }

    @Override
    public double update(long timeMillis, double value) {
        double score = 0;
        if (window.size() >= minSamples) {
            score = Scores.fromRatio(Scores.standardized(value, window.mean(), window.stddev()) / threshold);
        }
        window.add(value);
        return score;
    }
}
