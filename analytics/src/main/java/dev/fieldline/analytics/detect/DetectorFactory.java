package dev.fieldline.analytics.detect;

/** Makes fresh detectors with fixed, already validated parameters: one per stream. */
@FunctionalInterface
public interface DetectorFactory {
    Detector create();
}
