package dev.fieldline.analytics.detect;

import java.util.List;

/**
 * The single detectors: z-score, robust z, EWMA chart, CUSUM, seasonal. Each maps its statistic to a
 * score with {@link Scores#fromRatio(double)} (0.5 at its own threshold) and scores 0 while learning.
 */
final class CoreDetectors {
    private CoreDetectors() {
    }

    static List<DetectorType> types() {
        return List.of(ZScoreDetector.type(), RobustZDetector.type(), EwmaDetector.type(), CusumDetector.type(),
                SeasonalDetector.type());
    }
}
