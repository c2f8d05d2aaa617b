package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.TfliteModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;
import org.tensorflow.lite.TensorFlowLite;

/**
 * A model on {@code org.tensorflow.lite.Interpreter}. The Java API copies the session's direct
 * input buffers into the input tensors ({@code writeDirectBuffer}); outputs are copied from the
 * output tensors' memory after each run. The input array is built once and the output map is
 * empty, so a run allocates nothing on the Java side.
 */
final class TfliteJniSession extends NativeSession {

    private final ByteBuffer modelBuffer;
    private final Interpreter interpreter;
    private final Object[] inputArray;
    private final ByteBuffer[] outputTensors;
    private final Map<Integer, Object> noOutputs = Collections.emptyMap();

    private TfliteJniSession(TfliteModel model, EngineOptions options) {
        super(TfliteJniEngine.NAME, model);
        modelBuffer = ByteBuffer.allocateDirect(model.size()).order(ByteOrder.nativeOrder());
        modelBuffer.put(model.bytes()).rewind();
        Interpreter.Options o = new Interpreter.Options();
        o.setNumThreads(options.threads());
        o.setUseXNNPACK(false);
        try {
            interpreter = new Interpreter(modelBuffer, o);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw refused(e);
        }
        try {
            interpreter.allocateTensors();
            checkCount("inputs", interpreter.getInputTensorCount(), inputs.length);
            checkCount("outputs", interpreter.getOutputTensorCount(), outputs.length);
            for (int i = 0; i < inputs.length; i++) {
                checkBytes("input", i, interpreter.getInputTensor(i), inputs().get(i));
            }
            inputArray = inputs.clone();
            outputTensors = new ByteBuffer[outputs.length];
            for (int i = 0; i < outputs.length; i++) {
                Tensor t = interpreter.getOutputTensor(i);
                checkBytes("output", i, t, outputs().get(i));
                outputTensors[i] = t.buffer().order(ByteOrder.LITTLE_ENDIAN);
            }
        } catch (RuntimeException e) {
            interpreter.close();
            throw e instanceof ModelException ? e : refused(e);
        }
    }

    static TfliteJniSession open(TfliteModel model, EngineOptions options) {
        return new TfliteJniSession(model, options);
    }

    /** Why TensorFlow Lite refuses the model (its own message), or empty when it loads it. */
    static Optional<String> refusal(TfliteModel model) {
        try (TfliteJniSession s = new TfliteJniSession(model, EngineOptions.DEFAULT)) {
            return Optional.empty();
        } catch (ModelException e) {
            return Optional.of(e.getMessage());
        }
    }

    static String runtimeVersion() {
        return TensorFlowLite.runtimeVersion();
    }

    private static ModelException refused(RuntimeException e) {
        String msg = String.valueOf(e.getMessage()).strip();
        return new ModelException(ModelException.Reason.UNSUPPORTED, "TensorFlow Lite " + TfliteJni.VERSION
                + " refuses the model: " + msg, -1, -1, e);
    }

    private static void checkCount(String what, int nativeCount, int modelCount) {
        if (nativeCount != modelCount) {
            throw new ModelException(ModelException.Reason.INVALID, "TensorFlow Lite sees " + nativeCount + " " + what
                    + ", the model declares " + modelCount);
        }
    }

    private static void checkBytes(String what, int i, Tensor t, TensorSpec spec) {
        if (t.numBytes() != spec.byteSize()) {
            throw new ModelException(ModelException.Reason.INVALID, what + " " + i + " (" + spec.name() + "): TensorFlow"
                    + " Lite has " + t.numBytes() + " bytes, the model declares " + spec.byteSize());
        }
    }

    @Override
    void run() {
        for (ByteBuffer in : inputs) {
            in.clear();
        }
        interpreter.runForMultipleInputsOutputs(inputArray, noOutputs);
        for (int i = 0; i < outputs.length; i++) {
            copy(outputTensors[i], outputs[i]);
        }
    }

    @Override
    void resetState() {
        interpreter.resetVariableTensors();
    }

    @Override
    void release() {
        interpreter.close();
    }
}
