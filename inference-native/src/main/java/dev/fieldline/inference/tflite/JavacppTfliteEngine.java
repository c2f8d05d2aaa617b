package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.EngineUnavailableException;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.TfliteModel;
import java.time.Duration;
import java.util.List;

/**
 * Engine {@code tflite-javacpp}: TensorFlow Lite 2.20 through its C++ API via JavaCPP
 * ({@code org.bytedeco:tensorflow-lite}), linux-x86_64 and linux-arm64: the native path on a
 * Raspberry Pi. Builtin kernels without default delegates (XNNPACK off), threads from
 * {@link EngineOptions#threads()}. This class loads without the native library.
 */
public final class JavacppTfliteEngine implements InferenceEngine {

    public static final String NAME = "tflite-javacpp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "TensorFlow Lite " + JavacppTflite.VERSION + ", C++ API through JavaCPP (org.bytedeco:tensorflow-lite), "
                + "builtin kernels, XNNPACK off";
    }

    @Override
    public boolean isAvailable() {
        return JavacppTflite.runtime().available();
    }

    @Override
    public String unavailableReason() {
        return JavacppTflite.runtime().reason();
    }

    @Override
    public List<String> check(TfliteModel model) {
        if (!isAvailable()) {
            return List.of("engine " + NAME + " is unavailable: " + unavailableReason());
        }
        List<String> problems = NativeModelChecks.quantizationProblems(model);
        if (!problems.isEmpty()) {
            return problems;
        }
        return JavacppTfliteSession.refusal(model).map(List::of).orElse(List.of());
    }

    @Override
    public InferenceSession open(TfliteModel model, EngineOptions options) {
        if (!isAvailable()) {
            throw new EngineUnavailableException(NAME, "inference engine '" + NAME + "' cannot run here: "
                    + unavailableReason());
        }
        return JavacppTfliteSession.open(model, options);
    }

    /** The load of the native library (first call loads it): for diagnostics and benchmarks. */
    public static Duration loadTime() {
        return JavacppTflite.runtime().loadTime();
    }
}
