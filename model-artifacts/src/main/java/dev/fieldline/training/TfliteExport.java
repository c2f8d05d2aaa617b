package dev.fieldline.training;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.kernels.Activation;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.TfliteModelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Exports a trained {@link Sequential} as a TensorFlow Lite model through
 * {@link TfliteModelBuilder}: in float32, or fully quantised to int8 after training.
 *
 * <p>Every layer of the library exports, one operator per layer:
 * <ul>
 *   <li>{@link Conv2D} → CONV_2D (the filters are already in its {@code [out, kh, kw, in]} layout);</li>
 *   <li>{@link Pool2D} → MAX_POOL_2D or AVERAGE_POOL_2D;</li>
 *   <li>{@link Flatten} → RESHAPE to {@code [1, size]} (shape given both as a constant second input and
 *       as the {@code new_shape} option, as the converter writes it);</li>
 *   <li>{@link Dense} → FULLY_CONNECTED;</li>
 *   <li>{@link Relu} → fused into the preceding CONV_2D or FULLY_CONNECTED as its activation, as the
 *       converter does; a ReLU anywhere else (after a pool, a reshape, another ReLU, or first) becomes
 *       a RELU operator.</li>
 * </ul>
 * The model's input is one example ({@code [1, ...inputShape]}, e.g. {@code [1, 28, 28, 1]}); its
 * output is the last layer's ({@code [1, ...outputShape]}), logits unless the model says otherwise.
 *
 * <p>Post-training quantisation follows TensorFlow Lite's converter: the float model runs over
 * calibration examples to record each activation's range (widened to include 0); activations become
 * asymmetric int8 ({@code scale = (max - min)/255}, zero point nudged to an integer); weights
 * symmetric int8 in {@code [-127, 127]}; biases int32 with scale {@code inputScale × weightScale} and
 * zero point 0. CONV_2D weights have one scale per output channel (quantized dimension 0), the
 * converter's norm; FULLY_CONNECTED weights are per tensor or per channel as asked (see
 * {@link WeightGranularity}). Pooling and reshape outputs keep their input's parameters, as the
 * converter does, so they move values without rescaling.
 */
public final class TfliteExport {

    /** FULLY_CONNECTED version for float32 tensors. */
    private static final int FC_FLOAT_VERSION = 1;
    /** FULLY_CONNECTED version for int8 tensors (as in converter output such as hello_world_int8). */
    private static final int FC_INT8_VERSION = 4;
    /** CONV_2D version for float32 tensors. */
    private static final int CONV_FLOAT_VERSION = 1;
    /** CONV_2D version for int8 tensors with per-channel weights (TensorFlow Lite's op_version). */
    private static final int CONV_INT8_VERSION = 3;
    /** MAX_POOL_2D / AVERAGE_POOL_2D versions for float32 and int8. */
    private static final int POOL_FLOAT_VERSION = 1;
    private static final int POOL_INT8_VERSION = 2;
    /** RESHAPE has version 1 for every type but int16. */
    private static final int RESHAPE_VERSION = 1;
    /** RELU versions for float32 and int8. */
    private static final int RELU_FLOAT_VERSION = 1;
    private static final int RELU_INT8_VERSION = 2;

    /**
     * How FULLY_CONNECTED weights are quantised. CONV_2D weights are always per output channel (what
     * the converter writes and every TensorFlow Lite version reads).
     */
    public enum WeightGranularity {
        /** One scale per output unit (row of the weights): the most precise. */
        PER_CHANNEL,
        /** One scale for the whole weight tensor: what TensorFlow Lite 2.6's FULLY_CONNECTED kernel reads. */
        PER_TENSOR
    }

    /**
     * Affine int8 parameters of an activation: {@code real = scale × (q - zeroPoint)}.
     *
     * @param scale the step
     * @param zeroPoint the integer that stands for 0.0
     */
    public record QuantParams(float scale, int zeroPoint) {
        /** TensorFlow Lite's asymmetric int8 parameters for the range {@code [min, max]} (widened to hold 0). */
        public static QuantParams forRange(float min, float max) {
            double lo = Math.min(min, 0.0);
            double hi = Math.max(max, 0.0);
            if (hi == lo) {
                hi = lo + 1e-6; // a constant-zero activation: any small scale represents it exactly
            }
            double scale = (hi - lo) / 255.0;
            double zeroFromMin = -128.0 - lo / scale;
            long zp = Math.round(zeroFromMin);
            zp = Math.max(-128, Math.min(127, zp));
            return new QuantParams((float) scale, (int) zp);
        }

        /** {@code clamp(round(x / scale) + zeroPoint, -128, 127)}. */
        public byte quantize(float x) {
            long q = Math.round(x / (double) scale) + zeroPoint;
            return (byte) Math.max(-128, Math.min(127, q));
        }

        public float dequantize(int q) {
            return scale * (q - zeroPoint);
        }

        public Quantization toQuantization() {
            return Quantization.perTensor(scale, zeroPoint);
        }
    }

    /** The operator a step becomes. */
    private enum Op { CONV_2D, POOL, RESHAPE, FULLY_CONNECTED, RELU }

    /**
     * One operator of the exported graph.
     *
     * @param op what it becomes
     * @param layer the layer it exports
     * @param relu whether a following ReLU is fused into it
     * @param layers the model's layers it covers ({@code layer}, then the fused ReLU if any)
     */
    private record Step(Op op, Layer layer, boolean relu, List<Layer> layers) {
        int[] outputShape() {
            return layers.get(layers.size() - 1).outputShape();
        }

        /** Whether the output keeps the input's quantisation (moves values without arithmetic on them). */
        boolean keepsInputQuantization() {
            return op == Op.POOL || op == Op.RESHAPE;
        }

        String name(int index) {
            String kind = switch (op) {
                case CONV_2D -> "conv2d";
                case POOL -> ((Pool2D) layer).kind() == Pool2D.Kind.MAX ? "max_pool" : "average_pool";
                case RESHAPE -> "flatten";
                case FULLY_CONNECTED -> "dense";
                case RELU -> "relu";
            };
            return kind + "_" + index;
        }
    }

    private TfliteExport() {
    }

    /** The model in float32. */
    public static byte[] float32(Sequential model, String description) {
        return write(model, steps(model), null, WeightGranularity.PER_CHANNEL, description);
    }

    /**
     * The model fully quantised to int8 (input and output int8 too), calibrated on
     * {@code calibration} ({@code count × inputSize} values, in the model's input domain).
     * {@code granularity} applies to FULLY_CONNECTED weights.
     */
    public static byte[] int8(Sequential model, float[] calibration, int count, WeightGranularity granularity,
            String description) {
        List<Step> steps = steps(model);
        return write(model, steps, calibrate(model, steps, calibration, count), granularity, description);
    }

    /**
     * The int8 parameters of the model's input and of each exported operator's output, in order
     * (after a fused ReLU; a pool's or reshape's are its input's), from the ranges the float model
     * reaches on the calibration examples.
     */
    public static List<QuantParams> calibrate(Sequential model, float[] calibration, int count) {
        return calibrate(model, steps(model), calibration, count);
    }

    /** Writes the graph; {@code quant} holds the int8 parameters of every activation, or is null for float32. */
    private static byte[] write(Sequential model, List<Step> steps, List<QuantParams> quant,
            WeightGranularity granularity, String description) {
        boolean int8 = quant != null;
        TensorType type = int8 ? TensorType.INT8 : TensorType.FLOAT32;
        TfliteModelBuilder b = new TfliteModelBuilder().description(description);
        int x = b.addTensor("input", type, single(model.inputShape()), int8 ? quant.get(0).toQuantization() : Quantization.NONE);
        int input = x;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            String n = s.name(i);
            QuantParams xq = int8 ? quant.get(i) : null;
            Activation act = s.relu() ? Activation.RELU : Activation.NONE;
            int[] inputs;
            int code;
            int version;
            BuiltinOptions options;
            switch (s.op()) {
                case CONV_2D -> {
                    Conv2D c = (Conv2D) s.layer();
                    int[] shape = {c.outputShape()[2], c.kernelH(), c.kernelW(), c.inputShape()[2]};
                    int[] wb = addWeightsAndBias(b, n, shape, c.weights().value(), c.bias().value(), xq, true);
                    inputs = new int[] {x, wb[0], wb[1]};
                    code = BuiltinOperator.CONV_2D;
                    version = int8 ? CONV_INT8_VERSION : CONV_FLOAT_VERSION;
                    options = new BuiltinOptions.Conv2D(padding(c.padding()), c.stride(), c.stride(), act, 1, 1);
                }
                case POOL -> {
                    Pool2D p = (Pool2D) s.layer();
                    inputs = new int[] {x};
                    code = p.kind() == Pool2D.Kind.MAX ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D;
                    version = int8 ? POOL_INT8_VERSION : POOL_FLOAT_VERSION;
                    options = new BuiltinOptions.Pool2D(padding(p.padding()), p.stride(), p.stride(), p.size(), p.size(),
                            Activation.NONE);
                }
                case RESHAPE -> {
                    int[] newShape = single(s.outputShape());
                    inputs = new int[] {x, b.addConstantInt32(n + "/shape", new int[] {newShape.length},
                            Quantization.NONE, newShape)};
                    code = BuiltinOperator.RESHAPE;
                    version = RESHAPE_VERSION;
                    options = new BuiltinOptions.Reshape(Optional.of(newShape));
                }
                case FULLY_CONNECTED -> {
                    Dense d = (Dense) s.layer();
                    int[] wb = addWeightsAndBias(b, n, new int[] {d.units(), d.inputs()}, d.weights().value(),
                            d.bias().value(), xq, granularity == WeightGranularity.PER_CHANNEL);
                    inputs = new int[] {x, wb[0], wb[1]};
                    code = BuiltinOperator.FULLY_CONNECTED;
                    version = int8 ? FC_INT8_VERSION : FC_FLOAT_VERSION;
                    options = new BuiltinOptions.FullyConnected(act, false, false);
                }
                case RELU -> {
                    inputs = new int[] {x};
                    code = BuiltinOperator.RELU;
                    version = int8 ? RELU_INT8_VERSION : RELU_FLOAT_VERSION;
                    options = BuiltinOptions.NONE;
                }
                default -> throw new IllegalStateException("unknown step " + s.op());
            }
            // constants first, then the output, as the dense-only export always wrote them
            int y = b.addTensor(i == steps.size() - 1 ? "output" : n + "/output", type, single(s.outputShape()),
                    int8 ? quant.get(i + 1).toQuantization() : Quantization.NONE);
            b.addOperator(code, version, inputs, new int[] {y}, options);
            x = y;
        }
        return b.inputs(input).outputs(x).build();
    }

    /**
     * Adds a weight tensor of {@code shape} (output channels first) and its bias as constants: float32
     * when {@code in} is null, else int8 weights (per output channel or per tensor) and an int32 bias
     * with scale {@code in.scale × weightScale}. Returns the two tensor indices.
     */
    private static int[] addWeightsAndBias(TfliteModelBuilder b, String name, int[] shape, float[] weights, float[] bias,
            QuantParams in, boolean perChannel) {
        if (in == null) {
            return new int[] {b.addConstantFloat(name + "/weights", shape, weights),
                    b.addConstantFloat(name + "/bias", new int[] {shape[0]}, bias)};
        }
        int channels = shape[0];
        float[] wScales = weightScales(weights, channels, perChannel);
        byte[] wq = quantizeWeights(weights, channels, wScales);
        float[] bScales = new float[wScales.length];
        for (int c = 0; c < wScales.length; c++) {
            bScales[c] = in.scale() * wScales[c];
        }
        int[] bq = new int[channels];
        for (int u = 0; u < channels; u++) {
            double q = Math.rint(bias[u] / (double) bScales[perChannel ? u : 0]);
            bq[u] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, q));
        }
        return new int[] {
            b.addConstantInt8(name + "/weights", shape, new Quantization(wScales, new long[wScales.length], 0), wq),
            b.addConstantInt32(name + "/bias", new int[] {channels}, new Quantization(bScales, new long[bScales.length], 0), bq)
        };
    }

    private static List<QuantParams> calibrate(Sequential model, List<Step> steps, float[] calibration, int count) {
        int in = model.inputSize();
        if (count < 1 || calibration.length < (long) count * in) {
            throw new IllegalArgumentException("calibration needs at least one example of " + in + " values; "
                    + count + " examples were asked of " + calibration.length + " values");
        }
        float[] min = new float[steps.size() + 1];
        float[] max = new float[steps.size() + 1];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        int batch = 256;
        float[] chunk = new float[batch * in];
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            System.arraycopy(calibration, start * in, chunk, 0, n * in);
            track(chunk, n * in, 0, min, max);
            float[] a = chunk;
            for (int s = 0; s < steps.size(); s++) {
                for (Layer l : steps.get(s).layers()) {
                    a = l.forward(a, n);
                }
                track(a, n * Layer.size(steps.get(s).outputShape()), s + 1, min, max);
            }
        }
        List<QuantParams> out = new ArrayList<>();
        out.add(QuantParams.forRange(min[0], max[0]));
        for (int s = 0; s < steps.size(); s++) {
            out.add(steps.get(s).keepsInputQuantization() ? out.get(s) : QuantParams.forRange(min[s + 1], max[s + 1]));
        }
        return out;
    }

    private static void track(float[] v, int n, int k, float[] min, float[] max) {
        for (int i = 0; i < n; i++) {
            min[k] = Math.min(min[k], v[i]);
            max[k] = Math.max(max[k], v[i]);
        }
    }

    /** {@code max|w| / 127} per row of {@code rows} (or over all of them), 1 where the weights are all zero. */
    private static float[] weightScales(float[] w, int rows, boolean perChannel) {
        int cols = w.length / rows;
        float[] scales = new float[perChannel ? rows : 1];
        for (int u = 0; u < rows; u++) {
            float m = 0f;
            for (int i = 0; i < cols; i++) {
                m = Math.max(m, Math.abs(w[u * cols + i]));
            }
            int c = perChannel ? u : 0;
            scales[c] = Math.max(scales[c], m);
        }
        for (int c = 0; c < scales.length; c++) {
            scales[c] = scales[c] == 0f ? 1f : scales[c] / 127f;
        }
        return scales;
    }

    private static byte[] quantizeWeights(float[] w, int rows, float[] scales) {
        int cols = w.length / rows;
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            float s = scales[scales.length == 1 ? 0 : i / cols];
            long v = Math.round(w[i] / (double) s);
            q[i] = (byte) Math.max(-127, Math.min(127, v));
        }
        return q;
    }

    /** {@code [1, ...shape]}: one example. */
    private static int[] single(int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static dev.fieldline.tflite.writer.Padding padding(Padding p) {
        return p == Padding.SAME ? dev.fieldline.tflite.writer.Padding.SAME : dev.fieldline.tflite.writer.Padding.VALID;
    }

    private static List<Step> steps(Sequential model) {
        List<Step> steps = new ArrayList<>();
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            Op op;
            if (l instanceof Conv2D) {
                op = Op.CONV_2D;
            } else if (l instanceof Dense) {
                op = Op.FULLY_CONNECTED;
            } else if (l instanceof Pool2D) {
                op = Op.POOL;
            } else if (l instanceof Flatten) {
                op = Op.RESHAPE;
            } else if (l instanceof Relu) {
                op = Op.RELU;
            } else {
                throw new IllegalArgumentException("cannot export layer " + i + " (" + l + "): TFLite export knows"
                        + " Conv2D, Pool2D, Flatten, Dense and Relu");
            }
            boolean fuse = (op == Op.CONV_2D || op == Op.FULLY_CONNECTED) && i + 1 < layers.size()
                    && layers.get(i + 1) instanceof Relu;
            steps.add(new Step(op, l, fuse, fuse ? List.of(l, layers.get(i + 1)) : List.of(l)));
            if (fuse) {
                i++;
            }
        }
        return steps;
    }
}
