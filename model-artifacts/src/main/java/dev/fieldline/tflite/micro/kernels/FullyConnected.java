package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;

/**
 * FULLY_CONNECTED with the default weights format: weights {@code [units, depth]}, the input read as
 * {@code [elements / depth, depth]}, optional bias, fused activation, {@code keep_num_dims}.
 * Float32; int8 with int32 bias (per-tensor weights with their zero point applied, as TFLite's
 * {@code FullyConnected}, or symmetric per-channel weights, as newer TFLite's
 * {@code FullyConnectedPerChannel}); int16 activations with int8 weights and int64 bias (64-bit
 * accumulator) or int32 bias (32-bit accumulator). Shuffled and hybrid weights are refused.
 */
final class FullyConnected {

    private FullyConnected() {}

    static Kernel prepare(OpContext ctx) {
        FlatTable opts = LayerKernels.options(ctx, LayerKernels.FULLY_CONNECTED_OPTIONS, false);
        int weightsFormat = opts == null ? 0 : opts.getByte(1, 0);
        if (weightsFormat != 0) {
            throw ctx.unsupported("weights format " + (weightsFormat == 1 ? "SHUFFLED4x16INT8" : weightsFormat)
                    + " is not supported (only DEFAULT)");
        }
        ctx.requireInputs(2, 3);
        ctx.requireOutputs(1);
        TensorView input = ctx.input(0);
        TensorView filter = ctx.input(1);
        TensorView bias = ctx.optionalInput(2);
        TensorView output = ctx.output(0);
        boolean keepNumDims = opts != null && opts.getBool(2, false);
        Activation act = LayerKernels.activation(ctx, opts, 0);

        if (filter.rank() != 2) {
            throw ctx.invalid(filter, "weights must be 2-D [units, depth]");
        }
        int units = filter.dim(0);
        int depth = filter.dim(1);
        if (depth < 1 || input.elementCount() % depth != 0) {
            throw ctx.invalid(input, input.elementCount() + " elements are not a multiple of the weights' depth " + depth);
        }
        int batches = input.elementCount() / depth;
        int[] expected;
        if (keepNumDims) {
            if (input.rank() < 1 || input.dim(input.rank() - 1) != depth) {
                throw ctx.invalid(input, "with keep_num_dims the last dimension must be the weights' depth " + depth);
            }
            expected = input.shape();
            expected[expected.length - 1] = units;
        } else {
            expected = new int[] {batches, units};
        }
        ctx.requireShape(output, expected);

        ctx.requireType(input, TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
        if (input.type() == TensorType.FLOAT32 && filter.type() != TensorType.FLOAT32) {
            throw ctx.unsupported(filter, "hybrid fully connected (float input, " + filter.type().dtype()
                    + " weights) is not supported");
        }
        ctx.requireType(filter, input.type() == TensorType.FLOAT32 ? TensorType.FLOAT32 : TensorType.INT8);
        if (output.type() != input.type()) {
            throw ctx.unsupported(output, "output type " + output.type().dtype() + " with " + input.type().dtype()
                    + " input is not supported");
        }
        LayerKernels.requireConstant(ctx, filter);
        int biasType = opts == null ? 0 : opts.getByte(4, 0);
        if (biasType != 0 && (input.type() != TensorType.INT16 || bias == null || bias.type().code() != biasType)) {
            throw ctx.invalid("quantized_bias_type " + TensorType.ofCode(biasType).dtype()
                    + " does not describe this operator's bias");
        }
        ctx.kernelBytes(4L * filter.elementCount() + 4L * input.elementCount());
        Shape s = new Shape(batches, depth, units);

        if (input.type() == TensorType.FLOAT32) {
            return new FloatKernel(s, input, output, filter.toFloatArray(), Bias.float32(ctx, bias, units),
                    act.floatMin(), act.floatMax());
        }
        boolean perChannel = filter.quantization().isPerChannel();
        Requantization rq = Requantization.of(ctx, input, filter, output, units, 0, perChannel);
        if (!perChannel && bias != null) {
            requireBiasScale(ctx, input, filter, bias, output);
        }
        int filterOffset = perChannel ? 0 : -filter.zeroPoint();
        int[] weights = new int[filter.elementCount()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = filter.getInt8(i) + filterOffset;
        }
        // TFLite 2.6's int8 fully connected runs through its GEMM (ruy) on x86, which rounds once
        QuantizedOutput out = new QuantizedOutput(output, rq, act, input.type() == TensorType.INT8);
        if (input.type() == TensorType.INT8) {
            return new IntKernel(s, input, out, weights, Bias.int32(ctx, bias, units), null);
        }
        Requantization.requireZeroPoint(ctx, input);
        Requantization.requireZeroPoint(ctx, output);
        if (bias != null && bias.type() == TensorType.INT32) {
            return new IntKernel(s, input, out, weights, Bias.int32(ctx, bias, units), null);
        }
        rq.requireWideShifts(ctx, output);
        return new IntKernel(s, input, out, weights, null, Bias.int64(ctx, bias, units));
    }

    /**
     * TFLite's {@code GetQuantizedConvolutionMultipler} check: the bias scale must be close to
     * input scale times weight scale, {@code |difference| / output scale <= 0.02}.
     */
    private static void requireBiasScale(OpContext ctx, TensorView input, TensorView filter, TensorView bias,
            TensorView output) {
        Quantization bq = bias.quantization();
        double product = (double) input.scale() * (double) filter.scale();
        double biasScale = bq.isQuantized() ? bq.scale(0) : 0.0;
        if (Math.abs(product - biasScale) / output.scale() > 0.02) {
            throw ctx.invalid(bias, "bias scale " + biasScale + " is not input scale times weight scale " + product);
        }
    }

    private record Shape(int batches, int depth, int units) {}

    /**
     * int8 (input offset applied, 32-bit accumulator) and int16 (64-bit accumulator with
     * {@code wideBias}, 32-bit with {@code narrowBias}) activations; weights hold their offset.
     */
    private static final class IntKernel implements Kernel {
        private final Shape s;
        private final boolean int16;
        private final byte[] in;
        private final int inOff;
        private final int inputOffset;
        private final QuantizedOutput out;
        private final int[] weights;
        private final int[] narrowBias;
        private final long[] wideBias;
        private final int[] values;

        IntKernel(Shape s, TensorView input, QuantizedOutput out, int[] weights, int[] narrowBias, long[] wideBias) {
            this.s = s;
            this.int16 = input.type() == TensorType.INT16;
            this.in = input.data();
            this.inOff = input.offset();
            this.inputOffset = -input.zeroPoint();
            this.out = out;
            this.weights = weights;
            this.narrowBias = narrowBias;
            this.wideBias = wideBias;
            this.values = new int[s.batches * s.depth];
        }

        @Override
        public void invoke() {
            int[] x = values;
            LayerKernels.loadInts(in, inOff, int16, inputOffset, x);
            int depth = s.depth;
            int e = 0;
            for (int b = 0; b < s.batches; b++) {
                int xo = b * depth;
                for (int u = 0, w = 0; u < s.units; u++, w += depth, e++) {
                    if (wideBias != null) {
                        out.putWide(e, u, LayerKernels.dotWide(weights, w, x, xo, depth) + wideBias[u]);
                    } else {
                        out.put(e, u, LayerKernels.dot(weights, w, x, xo, depth) + narrowBias[u]);
                    }
                }
            }
        }
    }

    /** Float32: each unit's products summed in order, then the bias, then the activation clamp. */
    private static final class FloatKernel implements Kernel {
        private final Shape s;
        private final byte[] in;
        private final int inOff;
        private final byte[] out;
        private final int outOff;
        private final float[] weights;
        private final float[] bias;
        private final float actMin;
        private final float actMax;
        private final float[] values;

        FloatKernel(Shape s, TensorView input, TensorView output, float[] weights, float[] bias, float actMin,
                float actMax) {
            this.s = s;
            this.in = input.data();
            this.inOff = input.offset();
            this.out = output.data();
            this.outOff = output.offset();
            this.weights = weights;
            this.bias = bias;
            this.actMin = actMin;
            this.actMax = actMax;
            this.values = new float[s.batches * s.depth];
        }

        @Override
        public void invoke() {
            float[] x = values;
            LayerKernels.loadFloats(in, inOff, x);
            int e = 0;
            for (int b = 0; b < s.batches; b++) {
                for (int u = 0; u < s.units; u++, e++) {
                    float total = LayerKernels.dot(x, b * s.depth, weights, u * s.depth, s.depth);
                    TensorView.setFloat(out, outOff + 4 * e, Activation.clamp(total + bias[u], actMin, actMax));
                }
            }
        }
    }
}
