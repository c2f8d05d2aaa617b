package dev.fieldline.inference.tflite;

import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.TfliteModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * What both native sessions share: the specs from our reader, session-owned little-endian direct
 * buffers for inputs and outputs (so no buffer handed out points into native memory that
 * {@link #close()} frees), and refusing to run once closed. Subclasses copy the buffers to and from
 * the runtime's tensors around its invoke, without allocating.
 */
abstract class NativeSession implements InferenceSession {

    private final String engine;
    private final List<TensorSpec> inputSpecs;
    private final List<TensorSpec> outputSpecs;
    final ByteBuffer[] inputs;
    final ByteBuffer[] outputs;
    private boolean closed;

    NativeSession(String engine, TfliteModel model) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("big-endian platform: raw tensor bytes would not be little-endian");
        }
        this.engine = engine;
        this.inputSpecs = specs(model, model.inputs());
        this.outputSpecs = specs(model, model.outputs());
        this.inputs = buffers(inputSpecs);
        this.outputs = buffers(outputSpecs);
    }

    /** Copies the inputs in, runs the model, copies the outputs out. */
    abstract void run();

    /** The runtime's own variable-tensor reset. */
    abstract void resetState();

    /** Frees the native objects (also after a failed constructor: what exists). */
    abstract void release();

    private static List<TensorSpec> specs(TfliteModel model, int[] indices) {
        List<TensorSpec> specs = new ArrayList<>(indices.length);
        for (int t : indices) {
            specs.add(TensorSpec.of(model.tensor(t)));
        }
        return List.copyOf(specs);
    }

    private static ByteBuffer[] buffers(List<TensorSpec> specs) {
        ByteBuffer[] b = new ByteBuffer[specs.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = ByteBuffer.allocateDirect(specs.get(i).byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        }
        return b;
    }

    /** Copies all of {@code from} into {@code to}, both from position 0, allocating nothing. */
    static void copy(ByteBuffer from, ByteBuffer to) {
        to.clear();
        to.put(from.clear());
    }

    @Override
    public final String engine() {
        return engine;
    }

    @Override
    public final List<TensorSpec> inputs() {
        return inputSpecs;
    }

    @Override
    public final List<TensorSpec> outputs() {
        return outputSpecs;
    }

    @Override
    public final ByteBuffer input(int i) {
        return inputs[i].clear();
    }

    @Override
    public final ByteBuffer output(int i) {
        return outputs[i].clear();
    }

    @Override
    public final void invoke() {
        checkOpen();
        run();
    }

    @Override
    public final void resetVariableTensors() {
        checkOpen();
        resetState();
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(engine + " session closed");
        }
    }
}
