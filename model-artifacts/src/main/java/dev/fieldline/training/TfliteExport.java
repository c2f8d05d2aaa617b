package dev.fieldline.training;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.kernels.Activation;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.TfliteModelBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Exports a trained {@link Sequential} as a TensorFlow Lite model through
 * {@link TfliteModelBuilder}: in float32, or fully quantised to int8 after training.
 *
 * <p>Supported shape today: dense layers, each optionally followed by a ReLU (fused into the
 * FULLY_CONNECTED as TensorFlow Lite's converter does). The model's input is one example
 * ({@code [1, inputs]}); its output is the last layer's ({@code [1, units]}), logits unless the
 * model says otherwise.
 *
 * <p>Post-training quantisation follows TensorFlow Lite's converter: the float model runs over
 * calibration examples to record each activation's range (widened to include 0); activations become
 * asymmetric int8 ({@code scale = (max - min)/255}, zero point nudged to an integer); weights
 * symmetric int8 in {@code [-127, 127]}, per output channel or per tensor; biases int32 with scale
 * {@code inputScale × weightScale} and zero point 0.
 */
public final class TfliteExport {

    /** FULLY_CONNECTED version for float32 tensors. */
    private static final int FC_FLOAT_VERSION = 1;
    /** FULLY_CONNECTED version for int8 tensors (as in converter output such as hello_world_int8). */
    private static final int FC_INT8_VERSION = 4;

    /** How weights are quantised. */
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

    /** One dense layer and whether a ReLU follows it. */
    private record Step(Dense dense, boolean relu) {}

    private TfliteExport() {
    }

    /** The model in float32. */
    public static byte[] float32(Sequential model, String description) {
        List<Step> steps = steps(model);
        TfliteModelBuilder b = new TfliteModelBuilder().description(description);
        int x = b.addTensor("input", TensorType.FLOAT32, new int[] {1, model.inputSize()}, Quantization.NONE);
        int input = x;
        for (int i = 0; i < steps.size(); i++) {
            Dense d = steps.get(i).dense();
            String n = "dense_" + i;
            int w = b.addConstantFloat(n + "/weights", new int[] {d.units(), d.inputs()}, d.weights().value());
            int bias = b.addConstantFloat(n + "/bias", new int[] {d.units()}, d.bias().value());
            int y = b.addTensor(i == steps.size() - 1 ? "output" : n + "/output", TensorType.FLOAT32,
                    new int[] {1, d.units()}, Quantization.NONE);
            b.addOperator(BuiltinOperator.FULLY_CONNECTED, FC_FLOAT_VERSION, new int[] {x, w, bias}, new int[] {y},
                    new BuiltinOptions.FullyConnected(steps.get(i).relu() ? Activation.RELU : Activation.NONE, false, false));
            x = y;
        }
        return b.inputs(input).outputs(x).build();
    }

    /**
     * The model fully quantised to int8 (input and output int8 too), calibrated on
     * {@code calibration} ({@code count × inputs} values, in the model's input domain).
     */
    public static byte[] int8(Sequential model, float[] calibration, int count, WeightGranularity granularity,
            String description) {
        List<Step> steps = steps(model);
        if (count < 1 || calibration.length < count * model.inputSize()) {
            throw new IllegalArgumentException("calibration needs at least one example of " + model.inputSize() + " values");
        }
        List<QuantParams> ranges = calibrate(model, steps, calibration, count);
        TfliteModelBuilder b = new TfliteModelBuilder().description(description);
        QuantParams inQ = ranges.get(0);
        int x = b.addTensor("input", TensorType.INT8, new int[] {1, model.inputSize()}, inQ.toQuantization());
        int input = x;
        for (int i = 0; i < steps.size(); i++) {
            Dense d = steps.get(i).dense();
            String n = "dense_" + i;
            QuantParams xq = ranges.get(i);
            QuantParams yq = ranges.get(i + 1);
            float[] wScales = weightScales(d, granularity);
            byte[] wq = quantizeWeights(d, wScales);
            int[] bq = new int[d.units()];
            float[] bScales = new float[wScales.length];
            for (int c = 0; c < wScales.length; c++) {
                bScales[c] = xq.scale() * wScales[c];
            }
            for (int u = 0; u < d.units(); u++) {
                double q = Math.rint(d.bias().value()[u] / (double) bScales[granularity == WeightGranularity.PER_CHANNEL ? u : 0]);
                bq[u] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, q));
            }
            int w = b.addConstantInt8(n + "/weights", new int[] {d.units(), d.inputs()},
                    new Quantization(wScales, new long[wScales.length], 0), wq);
            int bias = b.addConstantInt32(n + "/bias", new int[] {d.units()},
                    new Quantization(bScales, new long[bScales.length], 0), bq);
            int y = b.addTensor(i == steps.size() - 1 ? "output" : n + "/output", TensorType.INT8,
                    new int[] {1, d.units()}, yq.toQuantization());
            b.addOperator(BuiltinOperator.FULLY_CONNECTED, FC_INT8_VERSION, new int[] {x, w, bias}, new int[] {y},
                    new BuiltinOptions.FullyConnected(steps.get(i).relu() ? Activation.RELU : Activation.NONE, false, false));
            x = y;
        }
        return b.inputs(input).outputs(x).build();
    }

    /**
     * The int8 parameters of the model's input and of each dense step's output (after its ReLU), from
     * the ranges the float model reaches on the calibration examples.
     */
    public static List<QuantParams> calibrate(Sequential model, float[] calibration, int count) {
        return calibrate(model, steps(model), calibration, count);
    }

    private static List<QuantParams> calibrate(Sequential model, List<Step> steps, float[] calibration, int count) {
        int in = model.inputSize();
        float[] min = new float[steps.size() + 1];
        float[] max = new float[steps.size() + 1];
        for (int k = 0; k < min.length; k++) {
            min[k] = Float.POSITIVE_INFINITY;
            max[k] = Float.NEGATIVE_INFINITY;
        }
        int batch = 256;
        float[] chunk = new float[batch * in];
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            System.arraycopy(calibration, start * in, chunk, 0, n * in);
            track(chunk, n * in, 0, min, max);
            float[] a = chunk;
            int layer = 0;
            for (int s = 0; s < steps.size(); s++) {
                a = model.layers().get(layer++).forward(a, n);
                if (steps.get(s).relu()) {
                    a = model.layers().get(layer++).forward(a, n);
                }
                track(a, n * steps.get(s).dense().units(), s + 1, min, max);
            }
        }
        List<QuantParams> out = new ArrayList<>();
        for (int k = 0; k < min.length; k++) {
            out.add(QuantParams.forRange(min[k], max[k]));
        }
        return out;
    }

    private static void track(float[] v, int n, int k, float[] min, float[] max) {
        for (int i = 0; i < n; i++) {
            min[k] = Math.min(min[k], v[i]);
            max[k] = Math.max(max[k], v[i]);
        }
    }

    private static float[] weightScales(Dense d, WeightGranularity granularity) {
        float[] w = d.weights().value();
        int rows = d.units();
        int cols = d.inputs();
        float[] scales = new float[granularity == WeightGranularity.PER_CHANNEL ? rows : 1];
        for (int u = 0; u < rows; u++) {
            float m = 0f;
            for (int i = 0; i < cols; i++) {
                m = Math.max(m, Math.abs(w[u * cols + i]));
            }
            int c = granularity == WeightGranularity.PER_CHANNEL ? u : 0;
            scales[c] = Math.max(scales[c], m);
        }
        for (int c = 0; c < scales.length; c++) {
            scales[c] = scales[c] == 0f ? 1f : scales[c] / 127f;
        }
        return scales;
    }

    private static byte[] quantizeWeights(Dense d, float[] scales) {
        float[] w = d.weights().value();
        int cols = d.inputs();
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            float s = scales[scales.length == 1 ? 0 : i / cols];
            long v = Math.round(w[i] / (double) s);
            q[i] = (byte) Math.max(-127, Math.min(127, v));
        }
        return q;
    }

    private static List<Step> steps(Sequential model) {
        List<Step> steps = new ArrayList<>();
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof Dense d)) {
                throw new IllegalArgumentException("cannot export layer " + i + " (" + layers.get(i)
                        + "): only dense layers, each optionally followed by a ReLU, are exported so far");
            }
            boolean relu = i + 1 < layers.size() && layers.get(i + 1) instanceof Relu;
            steps.add(new Step(d, relu));
            if (relu) {
                i++;
            }
        }
        return steps;
    }
}
