package dev.fieldline.tflite.micro;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.ModelException.Reason;
import dev.fieldline.tflite.OperatorInfo;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.kernels.Kernel;
import dev.fieldline.tflite.micro.kernels.KernelRegistry;
import dev.fieldline.tflite.micro.kernels.KernelSpec;
import dev.fieldline.tflite.micro.kernels.OpContext;
import dev.fieldline.tflite.micro.kernels.TensorView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The pure-Java TensorFlow Lite interpreter, in the manner of TensorFlow Lite Micro: the model is
 * checked and every operator prepared at load time, all activations live in one arena planned
 * ahead ({@link ArenaPlan}), and {@link #invoke()} allocates nothing.
 */
public final class MicroInterpreter implements InferenceSession {

    public static final String ENGINE = "micro";

    private final TfliteModel model;
    private final ArenaPlan plan;
    private final byte[] arena;
    private final TensorView[] views;
    private final Kernel[] kernels;
    private final long kernelBytes;
    private final List<TensorSpec> inputSpecs;
    private final List<TensorSpec> outputSpecs;
    private final ByteBuffer[] inputBuffers;
    private final ByteBuffer[] outputBuffers;
    private final int[] variableTensors;

    private MicroInterpreter(TfliteModel model, EngineOptions options, KernelRegistry registry, Consumer<ModelException> problems) {
        this.model = model;
        if (model.operators().isEmpty()) {
            throw new ModelException(Reason.INVALID, "model has no operators");
        }
        this.plan = ArenaPlan.plan(model, options.preserveAllTensors());
        this.arena = new byte[plan.totalBytes()];
        List<TensorInfo> tensors = model.tensors();
        this.views = new TensorView[tensors.size()];
        List<Integer> variables = new ArrayList<>();
        for (TensorInfo t : tensors) {
            if (t.variable()) {
                variables.add(t.index());
            }
            if (t.isConstant() && !t.variable()) {
                views[t.index()] = new TensorView(t, model.bytes(), t.dataOffset());
            } else if (plan.offset(t.index()) >= 0) {
                views[t.index()] = new TensorView(t, arena, plan.offset(t.index()));
            }
        }
        this.variableTensors = variables.stream().mapToInt(Integer::intValue).toArray();
        checkGraph(model);

        List<OperatorInfo> ops = model.operators();
        this.kernels = new Kernel[ops.size()];
        long bytes = 0;
        for (OperatorInfo op : ops) {
            try {
                KernelSpec spec = registry.find(op.builtinCode()).orElseThrow(() -> new ModelException(
                        Reason.UNSUPPORTED, op.describe() + ": operator not supported by the " + ENGINE + " engine",
                        op.index(), -1, null));
                if (op.version() < 1 || op.version() > spec.maxVersion()) {
                    throw new ModelException(Reason.UNSUPPORTED, op.describe() + ": version " + op.version()
                            + " not supported by the " + ENGINE + " engine (supports v1 to v" + spec.maxVersion() + ")",
                            op.index(), -1, null);
                }
                OpContext ctx = new OpContext(op, views);
                kernels[op.index()] = spec.factory().prepare(ctx);
                bytes += ctx.kernelBytes();
            } catch (ModelException e) {
                problems.accept(e);
            } catch (RuntimeException e) {
                problems.accept(new ModelException(Reason.INVALID, op.describe() + ": " + e, op.index(), -1, e));
            }
        }
        this.kernelBytes = bytes;

        int[] in = model.inputs();
        int[] out = model.outputs();
        this.inputSpecs = Arrays.stream(in).mapToObj(i -> TensorSpec.of(tensors.get(i))).toList();
        this.outputSpecs = Arrays.stream(out).mapToObj(i -> TensorSpec.of(tensors.get(i))).toList();
        this.inputBuffers = new ByteBuffer[in.length];
        this.outputBuffers = new ByteBuffer[out.length];
        for (int i = 0; i < in.length; i++) {
            inputBuffers[i] = buffer(views[in[i]]);
        }
        for (int i = 0; i < out.length; i++) {
            outputBuffers[i] = buffer(views[out[i]]).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        resetVariableTensors();
    }

    /** Loads a model with the standard kernels; throws on the first problem. */
    public static MicroInterpreter create(TfliteModel model, EngineOptions options) {
        return new MicroInterpreter(model, options, KernelRegistry.standard(), e -> {
            throw e;
        });
    }

    public static MicroInterpreter create(TfliteModel model) {
        return create(model, EngineOptions.DEFAULT);
    }

    /** Every reason the interpreter would refuse this model; empty when it loads. */
    public static List<String> check(TfliteModel model) {
        List<String> problems = new ArrayList<>();
        try {
            new MicroInterpreter(model, EngineOptions.DEFAULT, KernelRegistry.standard(), e -> problems.add(e.getMessage()));
        } catch (ModelException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    private void checkGraph(TfliteModel model) {
        for (int t : model.inputs()) {
            TensorInfo info = model.tensor(t);
            if (info.isConstant() || info.variable()) {
                throw new ModelException(Reason.INVALID, "model input " + info.describe() + " is a constant or variable",
                        -1, t, null);
            }
        }
        for (OperatorInfo op : model.operators()) {
            for (int t : op.outputs()) {
                TensorInfo info = model.tensor(t);
                if (info.isConstant() && !info.variable()) {
                    throw new ModelException(Reason.INVALID, op.describe() + ": output " + info.describe()
                            + " has constant data", op.index(), t, null);
                }
            }
        }
        for (TensorInfo t : model.tensors()) {
            if (views[t.index()] == null && plan.offset(t.index()) >= 0) {
                throw new IllegalStateException("unplaced tensor " + t.index());
            }
        }
        // A tensor read before any operator wrote it (and not an input, constant or variable) would
        // hold garbage: refuse instead of giving a wrong answer.
        boolean[] written = new boolean[model.tensors().size()];
        for (int t : model.inputs()) {
            written[t] = true;
        }
        for (TensorInfo t : model.tensors()) {
            if (t.isConstant() || t.variable()) {
                written[t.index()] = true;
            }
        }
        for (OperatorInfo op : model.operators()) {
            for (int t : op.inputs()) {
                if (t >= 0 && !written[t]) {
                    throw new ModelException(Reason.INVALID, op.describe() + ": input " + model.tensor(t).describe()
                            + " is read before any operator writes it", op.index(), t, null);
                }
            }
            for (int t : op.outputs()) {
                written[t] = true;
            }
        }
        for (int t : model.outputs()) {
            if (!written[t]) {
                throw new ModelException(Reason.INVALID, "model output " + model.tensor(t).describe()
                        + " is never written", -1, t, null);
            }
        }
    }

    private static ByteBuffer buffer(TensorView v) {
        return ByteBuffer.wrap(v.data(), v.offset(), v.byteSize()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String engine() {
        return ENGINE;
    }

    public TfliteModel model() {
        return model;
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
        return inputBuffers[i].clear();
    }

    @Override
    public ByteBuffer output(int i) {
        return outputBuffers[i].clear();
    }

    @Override
    public void invoke() {
        Kernel[] k = kernels;
        for (int i = 0; i < k.length; i++) {
            k[i].invoke();
        }
    }

    @Override
    public void resetVariableTensors() {
        for (int t : variableTensors) {
            TensorView v = views[t];
            byte fill = v.type() == TensorType.INT8 ? (byte) v.zeroPoint() : 0;
            Arrays.fill(arena, v.offset(), v.offset() + v.byteSize(), fill);
        }
    }

    /**
     * A copy of any tensor's current bytes. Intermediate tensors share arena space, so their contents
     * are only meaningful with {@link EngineOptions#preserveAllTensors()}.
     */
    public byte[] tensorBytes(int index) {
        TensorView v = views[index];
        if (v == null) {
            throw new IllegalArgumentException("tensor " + index + " is not used by the model");
        }
        return Arrays.copyOfRange(v.data(), v.offset(), v.offset() + v.byteSize());
    }

    /** Bytes of the tensor arena (activations and state). */
    public int arenaBytes() {
        return plan.totalBytes();
    }

    /** Bytes the kernels keep for themselves (converted weights, scratch). */
    public long kernelBytes() {
        return kernelBytes;
    }

    @Override
    public void close() {
        // nothing native to release
    }

    @Override
    public String toString() {
        return ENGINE + " interpreter: " + kernels.length + " operators, arena " + plan.totalBytes() + " bytes, "
                + model.operators().stream().map(OperatorInfo::name).distinct().collect(Collectors.joining(","));
    }
}
