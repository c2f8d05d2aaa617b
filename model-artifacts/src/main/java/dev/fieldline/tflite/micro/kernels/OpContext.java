package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.ModelException.Reason;
import dev.fieldline.tflite.OperatorInfo;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;
import java.util.Arrays;

/**
 * What a {@link KernelFactory} sees of one operator: its declaration, its tensors, its options, and
 * ways to refuse it with a message naming the operator, its version and the tensor.
 */
public final class OpContext {

    private final OperatorInfo op;
    private final TensorView[] tensors;
    private long kernelBytes;

    public OpContext(OperatorInfo op, TensorView[] tensors) {
        this.op = op;
        this.tensors = tensors;
    }

    public OperatorInfo op() {
        return op;
    }

    public int version() {
        return op.version();
    }

    public int inputCount() {
        return op.inputCount();
    }

    public int outputCount() {
        return op.outputCount();
    }

    /** Input {@code i}; refuses the model when it is absent. */
    public TensorView input(int i) {
        int t = op.input(i);
        if (t < 0) {
            throw invalid("input " + i + " is missing");
        }
        return tensors[t];
    }

    /** Input {@code i}, or null when the model omits this optional input. */
    public TensorView optionalInput(int i) {
        int t = op.input(i);
        return t < 0 ? null : tensors[t];
    }

    public TensorView output(int i) {
        int t = op.output(i);
        if (t < 0) {
            throw invalid("output " + i + " is missing");
        }
        return tensors[t];
    }

    /** Any tensor of the subgraph by index (intermediates). */
    public TensorView tensor(int index) {
        return tensors[index];
    }

    /** The builtin options table, or null when the operator has none. */
    public FlatTable options() {
        return op.options().orElse(null);
    }

    /** Records memory a kernel keeps for itself (scratch, converted weights), for the arena report. */
    public void kernelBytes(long bytes) {
        kernelBytes += bytes;
    }

    public long kernelBytes() {
        return kernelBytes;
    }

    // checks

    public void requireInputs(int min, int max) {
        if (op.inputCount() < min || op.inputCount() > max) {
            throw invalid("expects " + (min == max ? min : min + " to " + max) + " inputs, has " + op.inputCount());
        }
    }

    public void requireOutputs(int n) {
        if (op.outputCount() != n) {
            throw invalid("expects " + n + " outputs, has " + op.outputCount());
        }
    }

    public void requireType(TensorView t, TensorType... allowed) {
        for (TensorType a : allowed) {
            if (t.type() == a) {
                return;
            }
        }
        throw unsupported(t, "type " + t.type().dtype() + " is not supported here (supported: "
                + Arrays.stream(allowed).map(TensorType::dtype).toList() + ")");
    }

    public void requireShape(TensorView t, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw invalid(t, "shape " + Arrays.toString(t.shape()) + " but " + Arrays.toString(shape) + " is required");
        }
    }

    public void requirePerTensor(TensorView t) {
        if (t.quantization().isPerChannel()) {
            throw unsupported(t, "per-channel quantisation is not supported here");
        }
    }

    public void requireQuantized(TensorView t) {
        if (!t.quantization().isQuantized()) {
            throw invalid(t, "a quantised tensor is required (no scale/zero point)");
        }
    }

    // refusals

    public ModelException unsupported(String message) {
        return new ModelException(Reason.UNSUPPORTED, op.describe() + ": " + message, op.index(), -1, null);
    }

    public ModelException unsupported(TensorView t, String message) {
        return new ModelException(Reason.UNSUPPORTED, op.describe() + ": " + t.describe() + ": " + message,
                op.index(), t.index(), null);
    }

    public ModelException invalid(String message) {
        return new ModelException(Reason.INVALID, op.describe() + ": " + message, op.index(), -1, null);
    }

    public ModelException invalid(TensorView t, String message) {
        return new ModelException(Reason.INVALID, op.describe() + ": " + t.describe() + ": " + message,
                op.index(), t.index(), null);
    }
}
