package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.TfliteModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;
import org.tensorflow.lite.TensorFlowLite;

/**
 * A model on {@code org.tensorflow.lite.Interpreter}. Inputs are session-owned direct buffers that
 * the Java API copies into the input tensors ({@code writeDirectBuffer}); outputs are copied from
 * the output tensors' memory into session-owned buffers after each run, so no buffer handed out
 * ever points into native memory that {@link #close()} frees. {@link #invoke()} allocates nothing
 * on the Java side: the input array is built once and the output map is empty.
 */
final class TfliteJniSession implements InferenceSession {

    private final Interpreter interpreter;
    @SuppressWarnings("unused") // the interpreter reads the model from this buffer for its whole life
    private final ByteBuffer modelBuffer;
    private final List<TensorSpec> inputSpecs;
    private final List<TensorSpec> outputSpecs;
    private final ByteBuffer[] inputs;
    private final Object[] inputArray;
    private final ByteBuffer[] outputTensors;
    private final ByteBuffer[] outputs;
    private final Map<Integer, Object> noOutputs = Collections.emptyMap();
    private boolean closed;

    private TfliteJniSession(TfliteModel model, EngineOptions options) {
        this.modelBuffer = ByteBuffer.allocateDirect(model.size()).order(ByteOrder.nativeOrder());
        modelBuffer.put(model.bytes()).rewind();
        Interpreter.Options o = new Interpreter.Options();
        o.setNumThreads(options.threads());
        o.setUseXNNPACK(false);
        try {
            this.interpreter = new Interpreter(modelBuffer, o);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw refused(e);
        }
        try {
            interpreter.allocateTensors();
            this.inputSpecs = specs(model, model.inputs());
            this.outputSpecs = specs(model, model.outputs());
            checkCount("inputs", interpreter.getInputTensorCount(), inputSpecs.size());
            checkCount("outputs", interpreter.getOutputTensorCount(), outputSpecs.size());
            this.inputs = new ByteBuffer[inputSpecs.size()];
            for (int i = 0; i < inputs.length; i++) {
                checkBytes("input", i, interpreter.getInputTensor(i), inputSpecs.get(i));
                inputs[i] = ByteBuffer.allocateDirect(inputSpecs.get(i).byteSize()).order(ByteOrder.nativeOrder());
            }
            this.inputArray = inputs.clone();
            this.outputTensors = new ByteBuffer[outputSpecs.size()];
            this.outputs = new ByteBuffer[outputSpecs.size()];
            for (int i = 0; i < outputs.length; i++) {
                Tensor t = interpreter.getOutputTensor(i);
                checkBytes("output", i, t, outputSpecs.get(i));
                outputTensors[i] = t.buffer().order(ByteOrder.LITTLE_ENDIAN);
                outputs[i] = ByteBuffer.allocateDirect(outputSpecs.get(i).byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            }
        } catch (RuntimeException e) {
            interpreter.close();
            throw e instanceof ModelException ? e : refused(e);
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            interpreter.close();
            throw new IllegalStateException("big-endian platform: raw tensor bytes would not be little-endian");
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

    private static List<TensorSpec> specs(TfliteModel model, int[] indices) {
        List<TensorSpec> specs = new ArrayList<>(indices.length);
        for (int t : indices) {
            specs.add(TensorSpec.of(model.tensor(t)));
        }
        return List.copyOf(specs);
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
    public String engine() {
        return TfliteJniEngine.NAME;
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputSpecs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputSpecs;
    }

    @Override
    public ByteBuffer input(int i) {
        return inputs[i].clear();
    }

    @Override
    public void invoke() {
        if (closed) {
            throw new IllegalStateException("session closed");
        }
        for (ByteBuffer in : inputs) {
            in.clear();
        }
        interpreter.runForMultipleInputsOutputs(inputArray, noOutputs);
        for (int i = 0; i < outputs.length; i++) {
            outputs[i].clear();
            outputs[i].put(outputTensors[i].clear());
        }
    }

    @Override
    public ByteBuffer output(int i) {
        return outputs[i].clear();
    }

    @Override
    public void resetVariableTensors() {
        if (closed) {
            throw new IllegalStateException("session closed");
        }
        interpreter.resetVariableTensors();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            interpreter.close();
        }
    }
}
