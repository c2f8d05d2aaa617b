package dev.fieldline.analytics.detect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every detector by name: the single detectors ({@link CoreDetectors}), the published reference
 * detectors re-implemented for NAB ({@link ReferenceDetectors}) and the combinations
 * ({@link EnsembleDetectors}). {@code fieldline analytics run --detector NAME --param k=v}, rule
 * files and the gateway's stream engine all make detectors here.
 */
public final class Detectors {
    /** The detector used when none is named: the best ensemble on NAB. */
    public static final String DEFAULT = "ensemble";

    private static final Map<String, DetectorType> TYPES = catalogue();

    private Detectors() {
    }

    private static Map<String, DetectorType> catalogue() {
        List<DetectorType> all = new ArrayList<>(CoreDetectors.types());
        all.addAll(ReferenceDetectors.types());
        all.addAll(EnsembleDetectors.types());
        Map<String, DetectorType> m = new LinkedHashMap<>();
        for (DetectorType t : all) {
            if (m.put(t.name(), t) != null) {
                throw new IllegalStateException("two detectors are called " + t.name());
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** Every detector type, in catalogue order. */
    public static List<DetectorType> types() {
        return List.copyOf(TYPES.values());
    }

    /**
     * A factory for the named detector with these parameters (absent ones take their defaults).
     *
     * @throws IllegalArgumentException for an unknown name (listing the known ones), an unknown
     *     parameter or a bad value (naming it and what would be valid)
     */
    public static DetectorFactory factory(String name, Map<String, String> params) {
        DetectorType t = TYPES.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no detector called '" + name + "'; known: " + String.join(", ", TYPES.keySet()));
        }
        Params p = new Params(name, params);
        DetectorFactory f = t.factory().apply(p);
        p.checkUsed(t.parameters().keySet());
        return f;
    }
}
