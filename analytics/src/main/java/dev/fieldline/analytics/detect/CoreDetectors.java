package dev.fieldline.analytics.detect;

import java.util.List;

/** The single detectors: z-score, robust z, EWMA chart, CUSUM, seasonal, windowed Gaussian. */
final class CoreDetectors {
    private CoreDetectors() {
    }

    static List<DetectorType> types() {
        return List.of();
    }
}
