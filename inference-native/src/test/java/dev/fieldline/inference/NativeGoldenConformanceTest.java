package dev.fieldline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The golden conformance test with the native engines on the class path: every shared model on
 * {@code micro}, {@code tflite} and {@code tflite-javacpp}, against the goldens of TensorFlow Lite
 * 2.6.2. Native TensorFlow Lite refuses the original person_detect file, which the base test
 * requires {@code check} to report.
 */
@Tag("conformance")
class NativeGoldenConformanceTest extends GoldenConformanceTest {

    @Test
    @EnabledOnOs(value = OS.LINUX, architectures = {"amd64", "x86_64"})
    void theNativeEnginesTakePartOnLinuxX8664() {
        assertThat(Engines.available()).extracting(InferenceEngine::name)
                .containsExactly("micro", "tflite", "tflite-javacpp");
    }
}
