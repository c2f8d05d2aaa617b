package dev.fieldline.analytics.engine;

import dev.fieldline.analytics.detect.DetectorFactory;
import dev.fieldline.analytics.detect.Detectors;
import java.util.Map;

/**
 * A detector the engine runs on every stream, under the name its scores are reported by.
 *
 * @param name how {@link StreamEngine#detectorNames()} and rules call it
 * @param factory makes one detector per stream
 */
public record NamedDetector(String name, DetectorFactory factory) {
    public NamedDetector {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("detector name must not be empty");
        }
        if (factory == null) {
            throw new IllegalArgumentException("detector factory must not be null");
        }
    }

    /**
     * A detector from the registry by its name and parameters.
     *
     * @throws IllegalArgumentException as {@link Detectors#factory} does
     */
    public static NamedDetector of(String name, Map<String, String> params) {
        return new NamedDetector(name, Detectors.factory(name, params));
    }
}
