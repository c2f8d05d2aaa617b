package dev.fieldline.inference.tflite;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteOk;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.TfliteModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithoutDefaultDelegates;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.InterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * A model on TensorFlow Lite 2.20's C++ interpreter through JavaCPP:
 * {@code FlatBufferModel::BuildFromBuffer}, a {@code BuiltinOpResolver} without default delegates
 * (so no XNNPACK), {@code InterpreterBuilder}, {@code AllocateTensors}, {@code Invoke},
 * {@code ResetVariableTensors}. The model bytes, resolver and builder live as long as the
 * interpreter, as TensorFlow Lite requires. The session's buffers are copied to and from the
 * tensors' raw memory around {@code Invoke} (one memcpy each, no allocation).
 */
final class JavacppTfliteSession extends NativeSession {

    private final BytePointer modelData;
    private final FlatBufferModel flatBufferModel;
    private final BuiltinOpResolver resolver;
    private final InterpreterOptions interpreterOptions;
    private final InterpreterBuilder builder;
    private final Interpreter interpreter;
    private final ByteBuffer[] inputTensors;
    private final ByteBuffer[] outputTensors;

    private JavacppTfliteSession(TfliteModel model, EngineOptions options) {
        super(JavacppTfliteEngine.NAME, model);
        modelData = new BytePointer(model.size());
        modelData.put(model.bytes());
        flatBufferModel = FlatBufferModel.BuildFromBuffer(modelData, model.size());
        resolver = new BuiltinOpResolverWithoutDefaultDelegates();
        interpreterOptions = new InterpreterOptions();
        interpreterOptions.SetPreserveAllTensors(options.preserveAllTensors());
        builder = flatBufferModel == null || flatBufferModel.isNull() ? null
                : new InterpreterBuilder(flatBufferModel, resolver, interpreterOptions);
        interpreter = new Interpreter((Pointer) null);
        try {
            if (builder == null) {
                throw refused("FlatBufferModel::BuildFromBuffer failed");
            }
            if (builder.SetNumThreads(options.threads()) != kTfLiteOk) {
                throw refused("InterpreterBuilder::SetNumThreads(" + options.threads() + ") failed");
            }
            if (builder.apply(interpreter) != kTfLiteOk || interpreter.isNull()) {
                throw refused("InterpreterBuilder failed");
            }
            if (interpreter.AllocateTensors() != kTfLiteOk) {
                throw refused("AllocateTensors failed");
            }
            inputTensors = new ByteBuffer[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                inputTensors[i] = memory("input", i, interpreter.input_tensor(i), inputs().get(i));
            }
            outputTensors = new ByteBuffer[outputs.length];
            for (int i = 0; i < outputs.length; i++) {
                outputTensors[i] = memory("output", i, interpreter.output_tensor(i), outputs().get(i));
            }
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    static JavacppTfliteSession open(TfliteModel model, EngineOptions options) {
        return new JavacppTfliteSession(model, options);
    }

    /** Why TensorFlow Lite 2.20 refuses the model, or empty when it loads it. */
    static Optional<String> refusal(TfliteModel model) {
        try (JavacppTfliteSession s = new JavacppTfliteSession(model, EngineOptions.DEFAULT)) {
            return Optional.empty();
        } catch (ModelException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Loads the native libraries and returns TensorFlow Lite's version string. */
    static String loadAndGetVersion() {
        Loader.load(tensorflowlite.class);
        return tensorflowlite.TfLiteVersion().getString();
    }

    private static ModelException refused(String what) {
        return new ModelException(ModelException.Reason.UNSUPPORTED, "TensorFlow Lite " + JavacppTflite.VERSION
                + " refuses the model: " + what + " (TensorFlow Lite printed its reason on standard error)");
    }

    /** A little-endian view of a tensor's raw memory, after checking its size. */
    private static ByteBuffer memory(String what, int i, TfLiteTensor t, TensorSpec spec) {
        if (t == null || t.isNull()) {
            throw new ModelException(ModelException.Reason.INVALID, what + " " + i + ": TensorFlow Lite has no tensor");
        }
        if (t.bytes() != spec.byteSize()) {
            throw new ModelException(ModelException.Reason.INVALID, what + " " + i + " (" + spec.name() + "): TensorFlow"
                    + " Lite has " + t.bytes() + " bytes, the model declares " + spec.byteSize());
        }
        BytePointer raw = t.data().raw();
        if (raw == null || raw.isNull()) {
            throw new ModelException(ModelException.Reason.INVALID, what + " " + i + " (" + spec.name() + "): no memory"
                    + " allocated by TensorFlow Lite");
        }
        return raw.capacity(t.bytes()).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    void run() {
        for (int i = 0; i < inputs.length; i++) {
            copy(inputs[i], inputTensors[i]);
        }
        if (interpreter.Invoke() != kTfLiteOk) {
            throw new IllegalStateException("TensorFlow Lite " + JavacppTflite.VERSION
                    + " Invoke failed (TensorFlow Lite printed its reason on standard error)");
        }
        for (int i = 0; i < outputs.length; i++) {
            copy(outputTensors[i], outputs[i]);
        }
    }

    @Override
    void resetState() {
        if (interpreter.ResetVariableTensors() != kTfLiteOk) {
            throw new IllegalStateException("TensorFlow Lite " + JavacppTflite.VERSION + " ResetVariableTensors failed");
        }
    }

    /** Frees in the order TensorFlow Lite needs: the interpreter before what it refers to. */
    @Override
    void release() {
        interpreter.close();
        if (builder != null) {
            builder.close();
        }
        interpreterOptions.close();
        resolver.close();
        if (flatBufferModel != null) {
            flatBufferModel.close();
        }
        modelData.close();
    }
}
