package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;

/**
 * AVERAGE_POOL_2D and MAX_POOL_2D over NHWC tensors: float32, int8 and int16 (zero point 0), with
 * SAME/VALID padding, strides and a fused activation. Windows only count the elements inside the
 * input; the quantised average rounds half away from zero, as TFLite's integer kernels do. Quantised
 * pools work on raw values, so input and output must share scale and zero point.
 */
final class Pooling {

    private Pooling() {}

    static Kernel prepareAverage(OpContext ctx) {
        return prepare(ctx, true);
    }

    static Kernel prepareMax(OpContext ctx) {
        return prepare(ctx, false);
    }

    private static Kernel prepare(OpContext ctx, boolean average) {
        ctx.requireInputs(1, 1);
        ctx.requireOutputs(1);
        TensorView input = ctx.input(0);
        TensorView output = ctx.output(0);
        FlatTable opts = LayerKernels.options(ctx, LayerKernels.POOL_2D_OPTIONS, true);
        LayerKernels.requireRank4(ctx, input);
        LayerKernels.requireRank4(ctx, output);
        ctx.requireType(input, TensorType.FLOAT32, TensorType.INT8, TensorType.INT16);
        if (output.type() != input.type()) {
            throw ctx.unsupported(output, "output type " + output.type().dtype() + " differs from the input's "
                    + input.type().dtype());
        }
        int filterW = opts.getInt(3, 0);
        int filterH = opts.getInt(4, 0);
        Conv2D.Geometry g = Conv2D.Geometry.of(ctx, opts, input, filterH, filterW, input.dim(3), -1, -1);
        ctx.requireShape(output, g.batches(), g.outH(), g.outW(), g.outC());
        requireCoverage(ctx, g.y());
        requireCoverage(ctx, g.x());
        Activation act = LayerKernels.activation(ctx, opts, 5);
        if (input.type() == TensorType.FLOAT32) {
            return new FloatKernel(g, average, input, output, act.floatMin(), act.floatMax());
        }
        ctx.requireQuantized(input);
        ctx.requireQuantized(output);
        ctx.requirePerTensor(input);
        ctx.requirePerTensor(output);
        if (Math.abs(input.scale() - output.scale()) > 1.0e-6 || input.zeroPoint() != output.zeroPoint()) {
            throw ctx.unsupported(output, "quantisation (" + output.quantization() + ") differs from the input's ("
                    + input.quantization() + "); quantised pooling does not rescale");
        }
        if (input.type() == TensorType.INT16) {
            Requantization.requireZeroPoint(ctx, input);
        }
        ctx.kernelBytes(4L * g.outC());
        return new IntKernel(g, average, input, output, act.quantizedMin(output), act.quantizedMax(output));
    }

    /** Every window must cover at least one input element (TFLite fails at run time otherwise). */
    private static void requireCoverage(OpContext ctx, Window w) {
        for (int o = 0; o < w.outSize(); o++) {
            if (w.endTap(o) <= w.firstTap(o)) {
                throw ctx.invalid("pooling window " + o + " lies entirely in the padding");
            }
        }
    }

    private static final class IntKernel implements Kernel {
        private final Conv2D.Geometry g;
        private final boolean average;
        private final boolean int16;
        private final byte[] in;
        private final int inOff;
        private final byte[] out;
        private final int outOff;
        private final int actMin;
        private final int actMax;
        private final int[] acc;
        private final Conv2D.Taps taps;

        IntKernel(Conv2D.Geometry g, boolean average, TensorView input, TensorView output, int actMin, int actMax) {
            this.g = g;
            this.average = average;
            this.int16 = input.type() == TensorType.INT16;
            this.in = input.data();
            this.inOff = input.offset();
            this.out = output.data();
            this.outOff = output.offset();
            this.actMin = actMin;
            this.actMax = actMax;
            this.acc = new int[g.outC()];
            this.taps = Conv2D.Taps.of(g);
        }

        @Override
        public void invoke() {
            int depth = g.outC();
            int lowest = int16 ? Short.MIN_VALUE : Byte.MIN_VALUE;
            int o = 0;
            for (int b = 0; b < g.batches(); b++) {
                for (int oy = 0; oy < g.outH(); oy++) {
                    int y0 = g.y().origin(oy);
                    for (int ox = 0; ox < g.outW(); ox++) {
                        int x0 = g.x().origin(ox);
                        java.util.Arrays.fill(acc, average ? 0 : lowest);
                        for (int ky = taps.firstY()[oy]; ky < taps.endY()[oy]; ky++) {
                            int row = (b * g.inH() + y0 + ky) * g.inW();
                            for (int kx = taps.firstX()[ox]; kx < taps.endX()[ox]; kx++) {
                                int e = (row + x0 + kx) * depth;
                                if (int16) {
                                    accumulate16(e, depth);
                                } else if (average) {
                                    for (int c = 0; c < depth; c++) {
                                        acc[c] += in[inOff + e + c];
                                    }
                                } else {
                                    for (int c = 0; c < depth; c++) {
                                        int v = in[inOff + e + c];
                                        if (v > acc[c]) {
                                            acc[c] = v;
                                        }
                                    }
                                }
                            }
                        }
                        int count = taps.count(oy, ox);
                        for (int c = 0; c < depth; c++, o++) {
                            int v = acc[c];
                            if (average) {
                                v = v > 0 ? (v + count / 2) / count : (v - count / 2) / count;
                            }
                            v = v < actMin ? actMin : (v > actMax ? actMax : v);
                            if (int16) {
                                TensorView.setInt16(out, outOff + 2 * o, (short) v);
                            } else {
                                out[outOff + o] = (byte) v;
                            }
                        }
                    }
                }
            }
        }

        private void accumulate16(int e, int depth) {
            for (int c = 0; c < depth; c++) {
                int v = TensorView.getInt16(in, inOff + 2 * (e + c));
                if (average) {
                    acc[c] += v;
                } else if (v > acc[c]) {
                    acc[c] = v;
                }
            }
        }
    }

    /** Float32: the average divides the in-order sum by the count; the maximum starts at the lowest float. */
    private static final class FloatKernel implements Kernel {
        private final Conv2D.Geometry g;
        private final boolean average;
        private final byte[] in;
        private final int inOff;
        private final byte[] out;
        private final int outOff;
        private final float actMin;
        private final float actMax;
        private final float[] acc;
        private final Conv2D.Taps taps;

        FloatKernel(Conv2D.Geometry g, boolean average, TensorView input, TensorView output, float actMin, float actMax) {
            this.g = g;
            this.average = average;
            this.in = input.data();
            this.inOff = input.offset();
            this.out = output.data();
            this.outOff = output.offset();
            this.actMin = actMin;
            this.actMax = actMax;
            this.acc = new float[g.outC()];
            this.taps = Conv2D.Taps.of(g);
        }

        @Override
        public void invoke() {
            int depth = g.outC();
            int o = 0;
            for (int b = 0; b < g.batches(); b++) {
                for (int oy = 0; oy < g.outH(); oy++) {
                    int y0 = g.y().origin(oy);
                    for (int ox = 0; ox < g.outW(); ox++) {
                        int x0 = g.x().origin(ox);
                        java.util.Arrays.fill(acc, average ? 0f : -Float.MAX_VALUE);
                        for (int ky = taps.firstY()[oy]; ky < taps.endY()[oy]; ky++) {
                            int row = (b * g.inH() + y0 + ky) * g.inW();
                            for (int kx = taps.firstX()[ox]; kx < taps.endX()[ox]; kx++) {
                                int e = (row + x0 + kx) * depth;
                                for (int c = 0; c < depth; c++) {
                                    float v = TensorView.getFloat(in, inOff + 4 * (e + c));
                                    if (average) {
                                        acc[c] += v;
                                    } else {
                                        acc[c] = acc[c] < v ? v : acc[c];
                                    }
                                }
                            }
                        }
                        float count = taps.count(oy, ox);
                        for (int c = 0; c < depth; c++, o++) {
                            float v = average ? acc[c] / count : acc[c];
                            TensorView.setFloat(out, outOff + 4 * o, Activation.clamp(v, actMin, actMax));
                        }
                    }
                }
            }
        }
    }
}
