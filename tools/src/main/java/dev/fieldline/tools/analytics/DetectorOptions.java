package dev.fieldline.tools.analytics;

import dev.fieldline.analytics.detect.DetectorFactory;
import dev.fieldline.analytics.detect.Detectors;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --detector NAME --param k=v ...}, shared by {@code analytics run} and {@code analytics nab}. */
final class DetectorOptions {
    @Option(names = "--detector", paramLabel = "NAME", defaultValue = Detectors.DEFAULT,
            description = "Detector (default ${DEFAULT-VALUE}); `fieldline analytics detectors` lists them.")
    String detector;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A detector parameter; repeat for more.")
    Map<String, String> params = new LinkedHashMap<>();

    /** @throws IllegalArgumentException for an unknown detector or parameter, listing the valid ones */
    DetectorFactory factory() {
        return Detectors.factory(detector, params);
    }

    @Override
    public String toString() {
        return detector + (params.isEmpty() ? "" : " " + params);
    }
}
