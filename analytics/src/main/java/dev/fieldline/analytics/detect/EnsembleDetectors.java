package dev.fieldline.analytics.detect;

import java.util.List;

/** Detectors that combine others into one score (the default ensemble). */
final class EnsembleDetectors {
    private EnsembleDetectors() {
    }

    static List<DetectorType> types() {
        return List.of();
    }
}
