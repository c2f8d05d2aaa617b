package dev.fieldline.analytics.detect;

import java.util.List;
import java.util.Map;

/** Published detectors re-implemented from their public description, to validate the NAB scorer (windowed Gaussian). */
final class ReferenceDetectors {
    private ReferenceDetectors() {
    }

    static List<DetectorType> types() {
        return List.of(new DetectorType("windowed_gaussian",
                "NAB's windowed Gaussian: 1 - the normal tail probability of the value against the window's mean and deviation",
                Map.of("window", "values in the window (default 6400, NAB's tuned size)",
                        "step", "values the full window slides by at a time (default 100)"),
                p -> {
                    int window = p.integer("window", 6400, 2, 10_000_000);
                    int step = p.integer("step", 100, 1, window);
                    return () -> new WindowedGaussianDetector(window, step);
                }));
    }
}
