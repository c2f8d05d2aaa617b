package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.TfliteModel;
import java.util.List;

/**
 * Engine {@code tflite}: TensorFlow Lite 2.6.2 (the runtime of the golden files) through its
 * official Java API, {@code org.tensorflow.lite.Interpreter}, with the JNI library of
 * {@code ai.djl.tflite:tflite-native-cpu}; linux-x86_64 only. XNNPACK off, threads from
 * {@link EngineOptions#threads()}. {@link #check} reports TensorFlow Lite's own reason.
 */
public final class TfliteJniEngine extends NativeEngine {

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
    NativeRuntime runtime() {
        return TfliteJni.runtime();
    }

    @Override
    List<String> refusals(TfliteModel model) {
        return TfliteJniSession.refusal(model).map(List::of).orElse(List.of());
    }

    @Override
    InferenceSession openSession(TfliteModel model, EngineOptions options) {
        return TfliteJniSession.open(model, options);
    }
}
