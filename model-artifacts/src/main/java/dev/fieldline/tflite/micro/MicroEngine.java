package dev.fieldline.tflite.micro;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.TfliteModel;
import java.util.List;

/** The pure-Java interpreter as an {@link InferenceEngine}: always available. */
public final class MicroEngine implements InferenceEngine {

    @Override
    public String name() {
        return MicroInterpreter.ENGINE;
    }

    @Override
    public String description() {
        return "Fieldline pure-Java TFLite interpreter (static arena, no native code)";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String unavailableReason() {
        return "";
    }

    @Override
    public List<String> check(TfliteModel model) {
        return MicroInterpreter.check(model);
    }

    @Override
    public InferenceSession open(TfliteModel model, EngineOptions options) {
        return MicroInterpreter.create(model, options);
    }
}
