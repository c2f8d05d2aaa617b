package dev.fieldline.inference;

import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.TfliteModel;
import java.util.List;

/**
 * A way to run TFLite models: the pure-Java interpreter ({@code micro}) or a native TensorFlow Lite
 * build. Engines are found by {@link Engines}.
 */
public interface InferenceEngine {

    /** Stable name used in configuration and on the command line. */
    String name();

    /** One line: what it is and which runtime version. */
    String description();

    /** Whether it can run on this machine; when not, {@link #unavailableReason()} says why. */
    boolean isAvailable();

    String unavailableReason();

    /**
     * The problems that would stop {@link #open} for this model (unsupported operators, versions or
     * types), empty when the engine supports it.
     */
    List<String> check(TfliteModel model);

    /**
     * Loads the model.
     *
     * @throws ModelException when the engine refuses the model
     * @throws EngineUnavailableException when the engine cannot run here
     */
    InferenceSession open(TfliteModel model, EngineOptions options);
}
