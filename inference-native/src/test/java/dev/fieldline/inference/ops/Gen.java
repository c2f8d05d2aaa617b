package dev.fieldline.inference.ops;

import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.kernels.Activation;
import dev.fieldline.tflite.writer.Padding;
import dev.fieldline.tflite.writer.TfliteModelBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Drawing one case: a seeded random source, the model being written, its inputs, and a running
 * description of every parameter drawn (printed when the case fails).
 */
final class Gen {

    final SplittableRandom rnd;
    final TfliteModelBuilder model = new TfliteModelBuilder();
    private final List<Integer> inputTensors = new ArrayList<>();
    private final List<TensorType> inputTypes = new ArrayList<>();
    private final List<int[]> inputShapes = new ArrayList<>();
    private final List<Quantization> inputQuant = new ArrayList<>();
    private final StringBuilder params = new StringBuilder();

    Gen(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    // --- drawing ---

    /** Uniform in [lo, hi], both inclusive. */
    int between(int lo, int hi) {
        return lo + rnd.nextInt(hi - lo + 1);
    }

    boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    @SafeVarargs
    final <T> T pick(T... options) {
        return options[rnd.nextInt(options.length)];
    }

    float uniform(double lo, double hi) {
        return (float) (lo + rnd.nextDouble() * (hi - lo));
    }

    float logUniform(double lo, double hi) {
        return (float) Math.exp(Math.log(lo) + rnd.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    /** A fused activation TensorFlow Lite's kernels apply (no TANH or SIGN_BIT). */
    Activation activation() {
        return pick(Activation.NONE, Activation.RELU, Activation.RELU_N1_TO_1, Activation.RELU6);
    }

    Padding padding() {
        return pick(Padding.SAME, Padding.VALID);
    }

    /** Per-tensor quantisation of an activation of this type (int16 symmetric, as TensorFlow Lite needs). */
    Quantization activationQuant(TensorType type) {
        return switch (type) {
            case INT8 -> Quantization.perTensor(logUniform(1e-3, 0.25), between(-128, 127));
            case UINT8 -> Quantization.perTensor(logUniform(1e-3, 0.25), between(0, 255));
            case INT16 -> Quantization.perTensor(logUniform(1e-5, 2e-3), 0);
            case INT32 -> Quantization.perTensor(logUniform(1e-6, 1e-3), 0);
            default -> Quantization.NONE;
        };
    }

    /** A power-of-two scale 2^e, e in [lo, hi]. */
    float potScale(int lo, int hi) {
        return (float) Math.scalb(1.0, between(lo, hi));
    }

    // --- data ---

    /** Random raw values filling the type's range (floats in [-range, range]). */
    byte[] data(TensorType type, int count, float range) {
        ByteBuffer b = ByteBuffer.allocate(count * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            switch (type) {
                case FLOAT32 -> b.putFloat(uniform(-range, range));
                case INT8 -> b.put((byte) between(-128, 127));
                case UINT8 -> b.put((byte) between(0, 255));
                case INT16 -> b.putShort((short) between(-32768, 32767));
                case INT32 -> b.putInt(rnd.nextInt());
                default -> throw new IllegalArgumentException(type.dtype());
            }
        }
        return b.array();
    }

    /** Symmetric int8 weights in [-127, 127]. */
    byte[] weights(int count) {
        byte[] w = new byte[count];
        for (int i = 0; i < count; i++) {
            w[i] = (byte) between(-127, 127);
        }
        return w;
    }

    float[] floats(int count, float range) {
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = uniform(-range, range);
        }
        return f;
    }

    // --- tensors ---

    /** A model input; its random data is drawn by {@link #steps}. */
    int input(String name, TensorType type, int[] shape, Quantization q) {
        int t = model.addTensor(name, type, shape, q);
        inputTensors.add(t);
        inputTypes.add(type);
        inputShapes.add(shape.clone());
        inputQuant.add(q);
        return t;
    }

    int output(String name, TensorType type, int[] shape, Quantization q) {
        return model.addTensor(name, type, shape, q);
    }

    /** Random inputs for {@code count} invocations. */
    List<List<byte[]>> steps(int count, float floatRange) {
        List<List<byte[]>> steps = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            List<byte[]> step = new ArrayList<>();
            for (int i = 0; i < inputTensors.size(); i++) {
                step.add(data(inputTypes.get(i), elements(inputShapes.get(i)), floatRange));
            }
            steps.add(step);
        }
        return steps;
    }

    int[] inputs() {
        return inputTensors.stream().mapToInt(Integer::intValue).toArray();
    }

    // --- description ---

    Gen note(String key, Object value) {
        if (params.length() > 0) {
            params.append(' ');
        }
        params.append(key).append('=').append(value instanceof int[] a ? Arrays.toString(a) : String.valueOf(value));
        return this;
    }

    Gen noteQ(String key, Quantization q) {
        if (!q.isQuantized()) {
            return this;
        }
        if (q.isPerChannel()) {
            return note(key, "per-channel" + Arrays.toString(q.scale()) + " axis " + q.quantizedDimension());
        }
        return note(key, "(" + q.scale(0) + "," + q.zeroPoint(0) + ")");
    }

    String params() {
        return params.toString();
    }

    static int elements(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** The scale of an int32/int64 bias: input scale × weight scale, computed as TensorFlow Lite checks it. */
    static float biasScale(float inputScale, float weightScale) {
        return (float) ((double) inputScale * (double) weightScale);
    }
}
