package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.internal.FlatTable;
import java.util.Map;

/**
 * Layer operators: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D,
 * RESHAPE, SOFTMAX. Each is registered with the newest operator version whose semantics it
 * implements; features of intermediate versions that it does not implement (hybrid or int4 weights,
 * grouped convolution, shuffled or sparse weights) are refused when the operator is prepared.
 */
final class LayerKernels {

    /** Schema {@code BuiltinOptions} union types of the options these operators take. */
    static final int CONV_2D_OPTIONS = 1;
    static final int DEPTHWISE_CONV_2D_OPTIONS = 2;
    static final int POOL_2D_OPTIONS = 5;
    static final int FULLY_CONNECTED_OPTIONS = 8;
    static final int SOFTMAX_OPTIONS = 9;
    static final int RESHAPE_OPTIONS = 17;

    private LayerKernels() {}

    static void register(Map<Integer, KernelSpec> m) {
        // v1 float, v2 shuffled (refused), v3 hybrid (refused), v4 int8, v5 keep_num_dims, v6 no bias,
        // v7 int16, v8 sparse (refused), v9 hybrid (refused), v10 int4 (refused), v11 int16 with int32 bias
        KernelRegistry.add(m, BuiltinOperator.FULLY_CONNECTED, 11, FullyConnected::prepare);
        // v1 float, v2 hybrid (refused), v3 int8, v4 int16, v5 hybrid per-channel (refused),
        // v6 grouped (refused), v7 int4 (refused), v8 int16 with int32 bias
        KernelRegistry.add(m, BuiltinOperator.CONV_2D, 8, Conv2D::prepare);
        // v1 float, v2 dilation, v3 int8, v4 hybrid (refused), v5 int16
        KernelRegistry.add(m, BuiltinOperator.DEPTHWISE_CONV_2D, 5, DepthwiseConv2D::prepare);
        // v1 float, v2 int8, v3 int16
        KernelRegistry.add(m, BuiltinOperator.AVERAGE_POOL_2D, 3, Pooling::prepareAverage);
        KernelRegistry.add(m, BuiltinOperator.MAX_POOL_2D, 3, Pooling::prepareMax);
        KernelRegistry.add(m, BuiltinOperator.RESHAPE, 1, Reshape::prepare);
        // v1 float, v2 int8 (to int8 or int16), v3 int16
        KernelRegistry.add(m, BuiltinOperator.SOFTMAX, 3, Softmax::prepare);
    }

    /**
     * The operator's builtin options, checked to be of the expected union type.
     *
     * @param required refuse the operator when it has no options (TFLite would run it with zeroed
     *     parameters, such as a stride of 0)
     * @return the options, or null when absent and not required
     */
    static FlatTable options(OpContext ctx, int unionType, boolean required) {
        FlatTable t = ctx.options();
        if (t == null) {
            if (required) {
                throw ctx.invalid("builtin options are missing");
            }
            return null;
        }
        if (ctx.op().optionsType() != unionType) {
            throw ctx.invalid("builtin options of union type " + ctx.op().optionsType() + ", expected " + unionType);
        }
        return t;
    }

    /** Reads a fused activation option (absent options: NONE). */
    static Activation activation(OpContext ctx, FlatTable options, int field) {
        return Activation.of(options == null ? 0 : options.getByte(field, 0), ctx);
    }

    /** Requires a tensor of rank 4 (NHWC). */
    static void requireRank4(OpContext ctx, TensorView t) {
        if (t.rank() != 4) {
            throw ctx.invalid(t, "rank " + t.rank() + " but a 4-D (NHWC) tensor is required");
        }
    }

    /** Weights are copied to typed arrays when the operator is prepared, so they must be constants. */
    static void requireConstant(OpContext ctx, TensorView t) {
        if (!t.isConstant()) {
            throw ctx.unsupported(t, "the weights must be a constant tensor");
        }
    }

    /**
     * Reads an int8 tensor plus {@code offset} (the negated zero point) or an int16 tensor into
     * {@code dst}, once per invocation, so that the inner loops work on plain ints.
     */
    static void loadInts(byte[] src, int srcOffset, boolean int16, int offset, int[] dst) {
        if (int16) {
            for (int i = 0; i < dst.length; i++) {
                dst[i] = TensorView.getInt16(src, srcOffset + 2 * i) + offset;
            }
        } else {
            for (int i = 0; i < dst.length; i++) {
                dst[i] = src[srcOffset + i] + offset;
            }
        }
    }

    /** Reads a float32 tensor into {@code dst}. */
    static void loadFloats(byte[] src, int srcOffset, float[] dst) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = TensorView.getFloat(src, srcOffset + 4 * i);
        }
    }

    /** Sum of products of {@code n} elements, the inner loop of the integer kernels. */
    static int dot(int[] a, int aOff, int[] b, int bOff, int n) {
        int acc = 0;
        for (int k = 0; k < n; k++) {
            acc += a[aOff + k] * b[bOff + k];
        }
        return acc;
    }

    /**
     * {@code rows} sums of products of consecutive weight rows ({@code n} apart, from {@code wOff})
     * with one vector, into {@code sums[0..rows)}: four rows at a time, so that each input element is
     * loaded once for four products.
     */
    static void dotRows(int[] w, int wOff, int rows, int n, int[] x, int xOff, int[] sums) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int w0 = wOff + r * n;
            int w1 = w0 + n;
            int w2 = w1 + n;
            int w3 = w2 + n;
            int s0 = 0;
            int s1 = 0;
            int s2 = 0;
            int s3 = 0;
            for (int k = 0; k < n; k++) {
                int v = x[xOff + k];
                s0 += w[w0 + k] * v;
                s1 += w[w1 + k] * v;
                s2 += w[w2 + k] * v;
                s3 += w[w3 + k] * v;
            }
            sums[r] = s0;
            sums[r + 1] = s1;
            sums[r + 2] = s2;
            sums[r + 3] = s3;
        }
        for (; r < rows; r++) {
            sums[r] = dot(w, wOff + r * n, x, xOff, n);
        }
    }

    /** Sum of products with a 64-bit accumulator (int16 activations with int64 bias). */
    static long dotWide(int[] a, int aOff, int[] b, int bOff, int n) {
        long acc = 0;
        for (int k = 0; k < n; k++) {
            acc += a[aOff + k] * b[bOff + k];
        }
        return acc;
    }

    /**
     * Sum of products in float in the order of the matrix-vector product behind TFLite 2.6's float
     * FULLY_CONNECTED on x86 (Eigen's 4-lane SSE GEMV): four running sums over strides of four,
     * reduced as {@code (s0 + s2) + (s1 + s3)}, then the remaining products one by one. Matches the
     * golden outputs of hello_world_float bit for bit, where a plain in-order sum does not.
     */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            s0 += a[aOff + k] * b[bOff + k];
            s1 += a[aOff + k + 1] * b[bOff + k + 1];
            s2 += a[aOff + k + 2] * b[bOff + k + 2];
            s3 += a[aOff + k + 3] * b[bOff + k + 3];
        }
        float acc = (s0 + s2) + (s1 + s3);
        for (; k < n; k++) {
            acc += a[aOff + k] * b[bOff + k];
        }
        return acc;
    }
}
