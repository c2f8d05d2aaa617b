package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.EngineUnavailableException;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.TfliteModel;
import java.time.Duration;
import java.util.List;

/**
 * A native TensorFlow Lite engine: available when its runtime loaded, refusing with the runtime's
 * reason otherwise. Subclasses must load without the native library (only {@link #runtime()}
 * touches it), so that the engine can be listed and refused by name where it cannot run.
 */
abstract class NativeEngine implements InferenceEngine {

    /** The runtime, loaded on the first call (once per JVM). */
    abstract NativeRuntime runtime();

    /** Why the runtime refuses the model, empty when it loads it (the runtime is available). */
    abstract List<String> refusals(TfliteModel model);

    /** Opens a session (the runtime is available). */
    abstract InferenceSession openSession(TfliteModel model, EngineOptions options);

    @Override
    public final boolean isAvailable() {
        return runtime().available();
    }

    @Override
    public final String unavailableReason() {
        return runtime().reason();
    }

    @Override
    public final List<String> check(TfliteModel model) {
        if (!isAvailable()) {
            return List.of("engine " + name() + " is unavailable: " + unavailableReason());
        }
        return refusals(model);
    }

    @Override
    public final InferenceSession open(TfliteModel model, EngineOptions options) {
        if (!isAvailable()) {
            throw new EngineUnavailableException(name(), "inference engine '" + name() + "' cannot run here: "
                    + unavailableReason());
        }
        return openSession(model, options);
    }

    /** Extracting and loading the native library (the first call loads it): for diagnostics and benchmarks. */
    public final Duration loadTime() {
        return runtime().loadTime();
    }
}
