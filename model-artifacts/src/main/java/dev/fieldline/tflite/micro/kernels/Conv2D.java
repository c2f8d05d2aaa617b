package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;

/**
 * CONV_2D: NHWC input, filter {@code [out_channels, height, width, in_channels]}, optional bias; SAME
 * or VALID padding, strides, dilation, fused activation. Float32; int8 with per-tensor or per-channel
 * filter scales and int32 bias ({@code ConvPerChannel}); int16 activations with int8 filters and
 * int64 bias (64-bit accumulator) or int32 bias (32-bit accumulator), as TFLite's reference kernels.
 */
final class Conv2D {

    private Conv2D() {}

    static Kernel prepare(OpContext ctx) {
        Operands ops = Operands.of(ctx, LayerKernels.CONV_2D_OPTIONS, "convolution");
        TensorView input = ops.input();
        TensorView filter = ops.filter();
        TensorView bias = ops.bias();
        TensorView output = ops.output();
        FlatTable opts = ops.options();
        int inC = input.dim(3);
        if (filter.dim(3) != inC) {
            if (filter.dim(3) > 0 && inC % filter.dim(3) == 0) {
                throw ctx.unsupported(filter, "grouped convolution (" + inC / filter.dim(3) + " groups) is not supported");
            }
            throw ctx.invalid(filter, "filter depth " + filter.dim(3) + " does not match the input's " + inC + " channels");
        }
        Geometry g = Geometry.of(ctx, opts, input, filter.dim(1), filter.dim(2), filter.dim(0), 4, 5);
        ctx.requireShape(output, g.batches, g.outH, g.outW, g.outC);
        Activation act = LayerKernels.activation(ctx, opts, 3);
        int biasType = opts.getByte(6, 0);
        if (biasType != 0) {
            if (input.type() != TensorType.INT16 || bias == null || bias.type().code() != biasType) {
                throw ctx.invalid("quantized_bias_type " + TensorType.ofCode(biasType).dtype()
                        + " does not describe this operator's bias");
            }
        }
        int k = g.kernelH * g.kernelW * inC;
        ctx.kernelBytes(4L * filter.elementCount());
        switch (input.type()) {
            case FLOAT32 -> {
                float[] b = Bias.float32(ctx, bias, g.outC);
                ctx.kernelBytes(4L * input.elementCount());
                return new FloatKernel(g, input, output, filter.toFloatArray(), b, act.floatMin(), act.floatMax());
            }
            case INT8 -> {
                Requantization rq = Requantization.of(ctx, input, filter, output, g.outC, 0, true);
                for (int s : rq.shift()) {
                    if (s > 30) {
                        throw ctx.unsupported(output, "output rescale factor 2^" + s + " is too large");
                    }
                }
                int[] b = Bias.int32(ctx, bias, g.outC);
                ctx.kernelBytes(4L * input.elementCount() + 4L * k);
                return new IntKernel(g, input, new QuantizedOutput(output, rq, act, true), widen(filter), b, null);
            }
            default -> {
                Requantization.requireZeroPoint(ctx, input);
                Requantization.requireZeroPoint(ctx, output);
                Requantization rq = Requantization.of(ctx, input, filter, output, g.outC, 0, true)
                        .requireWideShifts(ctx, output);
                ctx.kernelBytes(4L * input.elementCount() + 4L * k);
                QuantizedOutput out = new QuantizedOutput(output, rq, act, false);
                if (bias != null && bias.type() == TensorType.INT32) {
                    return new IntKernel(g, input, out, widen(filter), Bias.int32(ctx, bias, g.outC), null);
                }
                return new IntKernel(g, input, out, widen(filter), null, Bias.int64(ctx, bias, g.outC));
            }
        }
    }

    static int[] widen(TensorView int8Weights) {
        int[] w = new int[int8Weights.elementCount()];
        for (int i = 0; i < w.length; i++) {
            w[i] = int8Weights.getInt8(i);
        }
        return w;
    }

    /**
     * The operands of CONV_2D and DEPTHWISE_CONV_2D, checked alike: input, filter and output of rank
     * 4, float32 throughout or int8/int16 activations with int8 filters (hybrid refused), a constant
     * filter, and the operator's options.
     */
    record Operands(TensorView input, TensorView filter, TensorView bias, TensorView output, FlatTable options) {

        static Operands of(OpContext ctx, int optionsType, String what) {
            ctx.requireInputs(2, 3);
            ctx.requireOutputs(1);
            TensorView input = ctx.input(0);
            TensorView filter = ctx.input(1);
            TensorView output = ctx.output(0);
            FlatTable opts = LayerKernels.options(ctx, optionsType, true);
            LayerKernels.requireRank4(ctx, input);
            LayerKernels.requireRank4(ctx, filter);
            LayerKernels.requireRank4(ctx, output);
            ctx.requireType(input, TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
            if (output.type() != input.type()) {
                throw ctx.unsupported(output, "output type " + output.type().dtype() + " differs from the input's "
                        + input.type().dtype());
            }
            if (input.type() == TensorType.FLOAT32 && filter.type() != TensorType.FLOAT32) {
                throw ctx.unsupported(filter, "hybrid " + what + " (float input, " + filter.type().dtype()
                        + " filter) is not supported");
            }
            ctx.requireType(filter, input.type() == TensorType.FLOAT32 ? TensorType.FLOAT32 : TensorType.INT8);
            LayerKernels.requireConstant(ctx, filter);
            return new Operands(input, filter, ctx.optionalInput(2), output, opts);
        }
    }

    /**
     * The spatial shape of a convolution or pool over an NHWC input.
     *
     * @param outC output channels
     */
    record Geometry(int batches, int inH, int inW, int inC, int kernelH, int kernelW, int outH, int outW, int outC,
            Window y, Window x) {

        /** Reads padding (field 0), strides (1, 2) and dilation (the given fields; -1: none). */
        static Geometry of(OpContext ctx, FlatTable opts, TensorView input, int kernelH, int kernelW, int outC,
                int dilationWField, int dilationHField) {
            int padding = opts.getByte(0, Window.SAME);
            int strideW = opts.getInt(1, 0);
            int strideH = opts.getInt(2, 0);
            int dilationW = dilationWField < 0 ? 1 : opts.getInt(dilationWField, 1);
            int dilationH = dilationHField < 0 ? 1 : opts.getInt(dilationHField, 1);
            Window y = Window.of(ctx, "height", padding, input.dim(1), kernelH, strideH, dilationH);
            Window x = Window.of(ctx, "width", padding, input.dim(2), kernelW, strideW, dilationW);
            return new Geometry(input.dim(0), input.dim(1), input.dim(2), input.dim(3), kernelH, kernelW,
                    y.outSize(), x.outSize(), outC, y, x);
        }
    }

    /**
     * For every output row and column, the range of filter taps that falls inside the input, so that
     * window loops skip the padding without testing each tap.
     */
    record Taps(int[] firstY, int[] endY, int[] firstX, int[] endX) {
        static Taps of(Geometry g) {
            return new Taps(g.y.firstTaps(), g.y.endTaps(), g.x.firstTaps(), g.x.endTaps());
        }

        /** Taps of the window at output ({@code oy}, {@code ox}) that fall inside the input. */
        int count(int oy, int ox) {
            return (endY[oy] - firstY[oy]) * (endX[ox] - firstX[ox]);
        }
    }

    /** Copies the input patch under one output position, zeros where it lies in the padding. */
    private static void fillPatch(Geometry g, int[] src, int batch, int oy, int ox, int[] patch) {
        int inC = g.inC;
        int p = 0;
        int y0 = g.y.origin(oy);
        int x0 = g.x.origin(ox);
        for (int ky = 0; ky < g.kernelH; ky++) {
            int iy = y0 + ky * g.y.dilation();
            if (iy < 0 || iy >= g.inH) {
                java.util.Arrays.fill(patch, p, p + g.kernelW * inC, 0);
                p += g.kernelW * inC;
                continue;
            }
            int row = (batch * g.inH + iy) * g.inW;
            for (int kx = 0; kx < g.kernelW; kx++) {
                int ix = x0 + kx * g.x.dilation();
                if (ix < 0 || ix >= g.inW) {
                    java.util.Arrays.fill(patch, p, p + inC, 0);
                } else {
                    System.arraycopy(src, (row + ix) * inC, patch, p, inC);
                }
                p += inC;
            }
        }
    }

    /** A 1x1 filter reads one input pixel per output: no patch to assemble. */
    private static boolean pointwise(Geometry g) {
        return g.kernelH == 1 && g.kernelW == 1 && g.y.padBefore() == 0 && g.x.padBefore() == 0;
    }

    /**
     * int8 activations (input offset applied, 32-bit accumulator, ruy's single rounding as TFLite 2.6
     * runs int8 convolutions through its GEMM) or int16 activations with int64 bias ({@code wideBias},
     * 64-bit accumulator) or int32 bias ({@code narrowBias}, 32-bit accumulator), both rounded as
     * TFLite's reference kernel.
     */
    private static final class IntKernel implements Kernel {
        private final Geometry g;
        private final boolean int16;
        private final byte[] in;
        private final int inOff;
        private final int inputOffset;
        private final QuantizedOutput out;
        private final int[] weights;
        private final int[] narrowBias;
        private final long[] wideBias;
        private final int[] values;
        private final int[] patch;
        private final int[] sums;
        private final boolean pointwise;

        IntKernel(Geometry g, TensorView input, QuantizedOutput out, int[] weights, int[] narrowBias, long[] wideBias) {
            this.g = g;
            this.int16 = input.type() == TensorType.INT16;
            this.in = input.data();
            this.inOff = input.offset();
            this.inputOffset = -input.zeroPoint();
            this.out = out;
            this.weights = weights;
            this.narrowBias = narrowBias;
            this.wideBias = wideBias;
            this.values = new int[input.elementCount()];
            this.pointwise = pointwise(g);
            this.patch = new int[pointwise ? 0 : g.kernelH * g.kernelW * g.inC];
            this.sums = new int[g.outC];
        }

        @Override
        public void invoke() {
            int[] x = values;
            LayerKernels.loadInts(in, inOff, int16, inputOffset, x);
            int k = g.kernelH * g.kernelW * g.inC;
            int outC = g.outC;
            int e = 0;
            for (int b = 0; b < g.batches; b++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        int[] p;
                        int pOff;
                        if (pointwise) {
                            p = x;
                            pOff = ((b * g.inH + g.y.origin(oy)) * g.inW + g.x.origin(ox)) * g.inC;
                        } else {
                            fillPatch(g, x, b, oy, ox, patch);
                            p = patch;
                            pOff = 0;
                        }
                        if (wideBias != null) {
                            for (int c = 0, w = 0; c < outC; c++, w += k, e++) {
                                out.putWide(e, c, LayerKernels.dotWide(weights, w, p, pOff, k) + wideBias[c]);
                            }
                        } else {
                            LayerKernels.dotRows(weights, 0, outC, k, p, pOff, sums);
                            for (int c = 0; c < outC; c++, e++) {
                                out.put(e, c, sums[c] + narrowBias[c]);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Float32, summing in TFLite's reference order (rows, columns, channels), taps in the padding skipped. */
    private static final class FloatKernel implements Kernel {
        private final Geometry g;
        private final byte[] in;
        private final int inOff;
        private final byte[] out;
        private final int outOff;
        private final float[] weights;
        private final float[] bias;
        private final float actMin;
        private final float actMax;
        private final float[] values;

        FloatKernel(Geometry g, TensorView input, TensorView output, float[] weights, float[] bias, float actMin,
                float actMax) {
            this.g = g;
            this.in = input.data();
            this.inOff = input.offset();
            this.out = output.data();
            this.outOff = output.offset();
            this.weights = weights;
            this.bias = bias;
            this.actMin = actMin;
            this.actMax = actMax;
            this.values = new float[input.elementCount()];
        }

        @Override
        public void invoke() {
            float[] x = values;
            LayerKernels.loadFloats(in, inOff, x);
            int inC = g.inC;
            int k = g.kernelH * g.kernelW * inC;
            int o = outOff;
            for (int b = 0; b < g.batches; b++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    int y0 = g.y.origin(oy);
                    for (int ox = 0; ox < g.outW; ox++) {
                        int x0 = g.x.origin(ox);
                        for (int c = 0; c < g.outC; c++) {
                            float total = 0f;
                            for (int ky = 0; ky < g.kernelH; ky++) {
                                int iy = y0 + ky * g.y.dilation();
                                if (iy < 0 || iy >= g.inH) {
                                    continue;
                                }
                                for (int kx = 0; kx < g.kernelW; kx++) {
                                    int ix = x0 + kx * g.x.dilation();
                                    if (ix < 0 || ix >= g.inW) {
                                        continue;
                                    }
                                    int xi = ((b * g.inH + iy) * g.inW + ix) * inC;
                                    int wi = c * k + (ky * g.kernelW + kx) * inC;
                                    for (int ic = 0; ic < inC; ic++) {
                                        total += x[xi + ic] * weights[wi + ic];
                                    }
                                }
                            }
                            TensorView.setFloat(out, o, Activation.clamp(total + bias[c], actMin, actMax));
                            o += 4;
                        }
                    }
                }
            }
        }
    }
}
