package dev.fieldline.analytics.detect;

import java.util.Map;
import java.util.function.Function;

/**
 * A kind of detector as the registry lists it.
 *
 * @param name what {@code --detector} and rule files call it, e.g. {@code zscore}
 * @param description one line: what it detects and how
 * @param parameters every parameter it takes, by name, with a one-line description that states its default
 * @param factory makes a factory from validated parameters
 */
public record DetectorType(String name, String description, Map<String, String> parameters,
        Function<Params, DetectorFactory> factory) {
    public DetectorType {
        parameters = Map.copyOf(parameters);
    }
}
