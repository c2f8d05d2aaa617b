package dev.fieldline.analytics.detect;

import java.util.List;

/** Published detectors re-implemented from their public description, to validate the NAB scorer (windowed Gaussian). */
final class ReferenceDetectors {
    private ReferenceDetectors() {
    }

    static List<DetectorType> types() {
        return List.of();
    }
}
