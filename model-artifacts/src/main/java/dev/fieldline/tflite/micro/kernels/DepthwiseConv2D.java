package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.internal.FlatTable;

/**
 * DEPTHWISE_CONV_2D: NHWC input, filter {@code [1, height, width, in_channels * depth_multiplier]},
 * optional bias; each input channel {@code i} feeds output channels {@code i * m .. i * m + m - 1}.
 * Float32; int8 with per-tensor or per-channel scales and int32 bias; int16 activations with int8
 * filters and int64 bias, as TFLite's {@code DepthwiseConvPerChannel}.
 */
final class DepthwiseConv2D {

    private DepthwiseConv2D() {}

    static Kernel prepare(OpContext ctx) {
        Conv2D.Operands ops = Conv2D.Operands.of(ctx, LayerKernels.DEPTHWISE_CONV_2D_OPTIONS, "depthwise convolution");
        TensorView input = ops.input();
        TensorView filter = ops.filter();
        TensorView bias = ops.bias();
        TensorView output = ops.output();
        FlatTable opts = ops.options();
        if (filter.dim(0) != 1) {
            throw ctx.invalid(filter, "the first filter dimension must be 1");
        }
        int inC = input.dim(3);
        int outC = filter.dim(3);
        int multiplier = opts.getInt(3, 0);
        if (multiplier < 1 || (long) multiplier * inC != outC) {
            throw ctx.invalid(filter, "depth_multiplier " + multiplier + " times " + inC + " input channels is not the "
                    + outC + " filter channels");
        }
        Conv2D.Geometry g = Conv2D.Geometry.of(ctx, opts, input, filter.dim(1), filter.dim(2), outC, 5, 6);
        ctx.requireShape(output, g.batches(), g.outH(), g.outW(), outC);
        Activation act = LayerKernels.activation(ctx, opts, 4);
        ctx.kernelBytes(4L * filter.elementCount() + 4L * input.elementCount() + 8L * outC);
        switch (input.type()) {
            case FLOAT32 -> {
                return new FloatKernel(g, multiplier, input, output, filter.toFloatArray(), Bias.float32(ctx, bias, outC),
                        act.floatMin(), act.floatMax());
            }
            case INT8 -> {
                Requantization rq = Requantization.of(ctx, input, filter, output, outC, 3, true);
                return new IntKernel(g, multiplier, input, new QuantizedOutput(output, rq, act, false), Conv2D.widen(filter),
                        Bias.int32(ctx, bias, outC), null);
            }
            default -> {
                Requantization.requireZeroPoint(ctx, input);
                Requantization.requireZeroPoint(ctx, output);
                Requantization rq = Requantization.of(ctx, input, filter, output, outC, 3, true)
                        .requireWideShifts(ctx, output);
                return new IntKernel(g, multiplier, input, new QuantizedOutput(output, rq, act, false), Conv2D.widen(filter),
                        null, Bias.int64(ctx, bias, outC));
            }
        }
    }

    /**
     * int8 (32-bit accumulators, {@code narrowBias}) or int16 (64-bit accumulators, {@code wideBias})
     * activations. Taps in the padding are skipped.
     */
    private static final class IntKernel implements Kernel {
        private final Conv2D.Geometry g;
        private final Conv2D.Taps taps;
        private final int depthMultiplier;
        private final boolean int16;
        private final byte[] in;
        private final int inOff;
        private final int inputOffset;
        private final QuantizedOutput out;
        private final int[] weights;
        private final int[] narrowBias;
        private final long[] wideBias;
        private final int[] values;
        private final int[] acc;
        private final long[] wideAcc;

        IntKernel(Conv2D.Geometry g, int depthMultiplier, TensorView input, QuantizedOutput out, int[] weights,
                int[] narrowBias, long[] wideBias) {
            this.g = g;
            this.taps = Conv2D.Taps.of(g);
            this.depthMultiplier = depthMultiplier;
            this.int16 = wideBias != null;
            this.in = input.data();
            this.inOff = input.offset();
            this.inputOffset = -input.zeroPoint();
            this.out = out;
            this.weights = weights;
            this.narrowBias = narrowBias;
            this.wideBias = wideBias;
            this.values = new int[input.elementCount()];
            this.acc = new int[g.outC()];
            this.wideAcc = int16 ? new long[g.outC()] : null;
        }

        @Override
        public void invoke() {
            int[] x = values;
            LayerKernels.loadInts(in, inOff, int16, inputOffset, x);
            int inC = g.inC();
            int outC = g.outC();
            int m = depthMultiplier;
            int dy = g.y().dilation();
            int dx = g.x().dilation();
            int e = 0;
            for (int b = 0; b < g.batches(); b++) {
                for (int oy = 0; oy < g.outH(); oy++) {
                    int y0 = g.y().origin(oy);
                    for (int ox = 0; ox < g.outW(); ox++) {
                        int x0 = g.x().origin(ox);
                        if (int16) {
                            java.util.Arrays.fill(wideAcc, 0L);
                        } else {
                            java.util.Arrays.fill(acc, 0);
                        }
                        for (int ky = taps.firstY()[oy]; ky < taps.endY()[oy]; ky++) {
                            int row = (b * g.inH() + y0 + ky * dy) * g.inW();
                            for (int kx = taps.firstX()[ox]; kx < taps.endX()[ox]; kx++) {
                                int xi = (row + x0 + kx * dx) * inC;
                                int wi = (ky * g.kernelW() + kx) * outC;
                                if (int16) {
                                    accumulateWide(x, xi, wi, inC, m);
                                } else if (m == 1) {
                                    int[] a = acc;
                                    int[] w = weights;
                                    for (int c = 0; c < outC; c++) {
                                        a[c] += w[wi + c] * x[xi + c];
                                    }
                                } else {
                                    int[] a = acc;
                                    int[] w = weights;
                                    for (int ic = 0; ic < inC; ic++) {
                                        int v = x[xi + ic];
                                        int oc = ic * m;
                                        int wo = wi + oc;
                                        for (int j = 0; j < m; j++) {
                                            a[oc + j] += w[wo + j] * v;
                                        }
                                    }
                                }
                            }
                        }
                        for (int c = 0; c < outC; c++, e++) {
                            if (int16) {
                                out.putWide(e, c, wideAcc[c] + wideBias[c]);
                            } else {
                                out.put(e, c, acc[c] + narrowBias[c]);
                            }
                        }
                    }
                }
            }
        }

        private void accumulateWide(int[] x, int xi, int wi, int inC, int m) {
            for (int ic = 0, oc = 0; ic < inC; ic++) {
                int v = x[xi + ic];
                for (int j = 0; j < m; j++, oc++) {
                    wideAcc[oc] += weights[wi + oc] * v;
                }
            }
        }
    }

    /** Float32 in TFLite's reference order: taps row by row, then bias, then the activation clamp. */
    private static final class FloatKernel implements Kernel {
        private final Conv2D.Geometry g;
        private final int depthMultiplier;
        private final byte[] in;
        private final int inOff;
        private final byte[] out;
        private final int outOff;
        private final float[] weights;
        private final float[] bias;
        private final float actMin;
        private final float actMax;
        private final float[] values;
        private final float[] acc;
        private final Conv2D.Taps taps;

        FloatKernel(Conv2D.Geometry g, int depthMultiplier, TensorView input, TensorView output, float[] weights,
                float[] bias, float actMin, float actMax) {
            this.g = g;
            this.depthMultiplier = depthMultiplier;
            this.in = input.data();
            this.inOff = input.offset();
            this.out = output.data();
            this.outOff = output.offset();
            this.weights = weights;
            this.bias = bias;
            this.actMin = actMin;
            this.actMax = actMax;
            this.values = new float[input.elementCount()];
            this.acc = new float[g.outC()];
            this.taps = Conv2D.Taps.of(g);
        }

        @Override
        public void invoke() {
            float[] x = values;
            LayerKernels.loadFloats(in, inOff, x);
            int inC = g.inC();
            int outC = g.outC();
            int m = depthMultiplier;
            int o = outOff;
            for (int b = 0; b < g.batches(); b++) {
                for (int oy = 0; oy < g.outH(); oy++) {
                    int y0 = g.y().origin(oy);
                    for (int ox = 0; ox < g.outW(); ox++) {
                        int x0 = g.x().origin(ox);
                        java.util.Arrays.fill(acc, 0f);
                        for (int ky = taps.firstY()[oy]; ky < taps.endY()[oy]; ky++) {
                            int row = (b * g.inH() + y0 + ky * g.y().dilation()) * g.inW();
                            for (int kx = taps.firstX()[ox]; kx < taps.endX()[ox]; kx++) {
                                int xi = (row + x0 + kx * g.x().dilation()) * inC;
                                int wi = (ky * g.kernelW() + kx) * outC;
                                for (int ic = 0, oc = 0; ic < inC; ic++) {
                                    float v = x[xi + ic];
                                    for (int j = 0; j < m; j++, oc++) {
                                        acc[oc] += v * weights[wi + oc];
                                    }
                                }
                            }
                        }
                        for (int c = 0; c < outC; c++) {
                            TensorView.setFloat(out, o, Activation.clamp(acc[c] + bias[c], actMin, actMax));
                            o += 4;
                        }
                    }
                }
            }
        }
    }
}
