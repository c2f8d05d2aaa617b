package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.TfliteModel;
import java.util.List;

/**
 * Engine {@code tflite-javacpp}: TensorFlow Lite 2.20 through its C++ API via JavaCPP
 * ({@code org.bytedeco:tensorflow-lite}), linux-x86_64 and linux-arm64: the native path on a
 * Raspberry Pi. Builtin kernels without default delegates (XNNPACK off), threads from
 * {@link EngineOptions#threads()}. TensorFlow Lite prints its reasons on standard error, so
 * {@link #check} first repeats its quantisation checks and names the tensor.
 */
public final class JavacppTfliteEngine extends NativeEngine {

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
    NativeRuntime runtime() {
        return JavacppTflite.runtime();
    }

    @Override
    List<String> refusals(TfliteModel model) {
        List<String> problems = NativeModelChecks.quantizationProblems(model);
        if (!problems.isEmpty()) {
            return problems;
        }
        return JavacppTfliteSession.refusal(model).map(List::of).orElse(List.of());
    }

    @Override
    InferenceSession openSession(TfliteModel model, EngineOptions options) {
        return JavacppTfliteSession.open(model, options);
    }
}
