package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.EngineUnavailableException;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.TfliteModel;
import java.util.List;

/**
 * Engine {@code tflite}: TensorFlow Lite 2.6.2 (the runtime of the golden files) through its
 * official Java API, {@code org.tensorflow.lite.Interpreter}, with the JNI library of
 * {@code ai.djl.tflite:tflite-native-cpu}; linux-x86_64 only. XNNPACK off, threads from
 * {@link EngineOptions#threads()}. This class loads without the native library, so that the engine
 * can be listed and refused by name where it cannot run.
 */
public final class TfliteJniEngine implements InferenceEngine {

    public static final String NAME = "tflite";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "TensorFlow Lite " + TfliteJni.VERSION + ", official Java API (org.tensorflow.lite.Interpreter, "
                + "JNI from ai.djl.tflite:tflite-native-cpu), XNNPACK off";
    }

    @Override
    public boolean isAvailable() {
        return TfliteJni.runtime().available();
    }

    @Override
    public String unavailableReason() {
        return TfliteJni.runtime().reason();
    }

    @Override
    public List<String> check(TfliteModel model) {
        if (!isAvailable()) {
            return List.of("engine " + NAME + " is unavailable: " + unavailableReason());
        }
        return TfliteJniSession.refusal(model).map(List::of).orElse(List.of());
    }

    @Override
    public InferenceSession open(TfliteModel model, EngineOptions options) {
        if (!isAvailable()) {
            throw new EngineUnavailableException(NAME, "inference engine '" + NAME + "' cannot run here: "
                    + unavailableReason());
        }
        return TfliteJniSession.open(model, options);
    }

    /** The load of the native library (first call loads it): for diagnostics and benchmarks. */
    public static java.time.Duration loadTime() {
        return TfliteJni.runtime().loadTime();
    }
}
