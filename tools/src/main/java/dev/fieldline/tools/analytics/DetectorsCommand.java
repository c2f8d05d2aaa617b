package dev.fieldline.tools.analytics;

import dev.fieldline.analytics.detect.DetectorType;
import dev.fieldline.analytics.detect.Detectors;
import java.util.TreeMap;
import picocli.CommandLine.Command;

@Command(name = "detectors", mixinStandardHelpOptions = true,
        description = "List the detectors with their parameters and defaults.")
final class DetectorsCommand implements Runnable {
    @Override
    public void run() {
        for (DetectorType t : Detectors.types()) {
            System.out.println(t.name() + (t.name().equals(Detectors.DEFAULT) ? " (default)" : "") + ": " + t.description());
            new TreeMap<>(t.parameters()).forEach((k, v) -> System.out.println("    " + k + ": " + v));
            if (t.parameters().isEmpty()) {
                System.out.println("    (no parameters)");
            }
        }
    }
}
