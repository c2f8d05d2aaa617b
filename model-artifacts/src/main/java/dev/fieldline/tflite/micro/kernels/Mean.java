package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;
import java.util.Arrays;

/**
 * MEAN (versions 1 to 3) over the axes of a constant int32 axis tensor (negative axes count from
 * the end, repeats are ignored), with or without {@code keep_dims}, taking the same path through
 * the arithmetic as TFLite 2.6's builtin kernel:
 *
 * <ul>
 *   <li>float32: sum in input order, divided by the element count, in float.</li>
 *   <li>int8 and int16, rank 4, {@code keep_dims}, axes exactly {1, 2} (as written, unnormalised):
 *       {@code reference_integer_ops::Mean}: the sum of {@code q - zp_in} times a multiplier for
 *       {@code s_in / s_out}, divided by the count rounding half away from zero, plus
 *       {@code zp_out}. uint8 there: {@code optimized_ops::Mean}, the raw sum times a multiplier
 *       for {@code s_in / (count * s_out)} plus {@code zp_out - round(zp_in * s_in / s_out)}.</li>
 *   <li>Quantised otherwise, same scale and zero point in and out: the raw integer sum divided by
 *       the count, truncating toward zero.</li>
 *   <li>Quantised otherwise ({@code QuantizedMeanOrSum}): in float,
 *       {@code round(sum / count * (s_in / s_out) - zp_in * (s_in / s_out)) + zp_out}, clamped.</li>
 * </ul>
 * int16 needs zero points of 0.
 */
final class Mean {

    private Mean() {}

    static Kernel prepare(OpContext ctx) {
        ctx.requireInputs(2, 2);
        ctx.requireOutputs(1);
        TensorView in = ctx.input(0);
        TensorView axisTensor = ctx.input(1);
        TensorView out = ctx.output(0);
        ctx.requireType(in, TensorType.FLOAT32, TensorType.INT8, TensorType.UINT8, TensorType.INT16);
        ctx.requireType(out, in.type());
        ctx.requireType(axisTensor, TensorType.INT32);
        if (!axisTensor.isConstant()) {
            throw ctx.unsupported(axisTensor, "the axes must be a constant tensor");
        }
        if (axisTensor.rank() > 1) {
            throw ctx.invalid(axisTensor, "axes must be a scalar or a vector");
        }
        FlatTable options = ctx.options();
        boolean keepDims = options != null && options.getBool(0, false);
        int rank = in.rank();
        int[] rawAxes = axisTensor.toInt32Array();
        boolean[] reduced = new boolean[rank];
        for (int a : rawAxes) {
            int axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank) {
                throw ctx.invalid(axisTensor, "axis " + a + " is outside a rank " + rank + " input");
            }
            reduced[axis] = true;
        }
        int[] inDims = in.shape();
        int[] expected = new int[keepDims ? rank : count(reduced, false)];
        int[] outStride = new int[rank]; // per input dimension, 0 where reduced
        int stride = 1;
        for (int d = rank - 1, e = expected.length - 1; d >= 0; d--) {
            if (!reduced[d]) {
                outStride[d] = stride;
                stride *= inDims[d];
            }
            if (keepDims || !reduced[d]) {
                expected[e--] = reduced[d] ? 1 : inDims[d];
            }
        }
        ctx.requireShape(out, expected);
        int elementsPerOutput = 1;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                elementsPerOutput *= inDims[d];
            }
        }
        if (in.type() == TensorType.FLOAT32) {
            ctx.kernelBytes(4L * out.elementCount());
            return new FloatMean(in, out, inDims, outStride, elementsPerOutput);
        }
        Quantize.checkPerTensor(ctx, true, in, out);
        ctx.kernelBytes(4L * out.elementCount());
        boolean spatial = keepDims && rank == 4 && rawAxes.length == 2
                && ((rawAxes[0] == 1 && rawAxes[1] == 2) || (rawAxes[0] == 2 && rawAxes[1] == 1));
        if (spatial && in.type() == TensorType.UINT8) {
            float numElements = inDims[1] * inDims[2];
            float temp = in.zeroPoint() * in.scale() / out.scale();
            temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
            int bias = out.zeroPoint() - (int) temp;
            float realScale = in.scale() / (numElements * out.scale());
            long m = QuantMath.quantizeMultiplier(realScale);
            return new QuantizedMean(in, out, inDims, outStride, elementsPerOutput, Mode.SPATIAL, m, bias);
        }
        if (spatial) {
            long m = QuantMath.quantizeMultiplier((double) in.scale() / (double) out.scale());
            return new QuantizedMean(in, out, inDims, outStride, elementsPerOutput, Mode.SPATIAL_INT8, m, 0);
        }
        Mode mode = in.scale() == out.scale() && in.zeroPoint() == out.zeroPoint() ? Mode.SAME_SCALE : Mode.RESCALE;
        return new QuantizedMean(in, out, inDims, outStride, elementsPerOutput, mode, 0, 0);
    }

    private static int count(boolean[] flags, boolean value) {
        int n = 0;
        for (boolean f : flags) {
            if (f == value) {
                n++;
            }
        }
        return n;
    }

    private enum Mode {
        SPATIAL,
        SPATIAL_INT8,
        SAME_SCALE,
        RESCALE
    }

    /** Walks the input in row-major order, tracking the output element each input element adds to. */
    private abstract static class Reduction implements Kernel {
        final TensorView in;
        final TensorView out;
        final int elementsPerOutput;
        final int outputs;
        private final int[] inDims;
        private final int[] outStride;
        private final int[] rewind;
        private final int[] counter;
        private final int inputs;

        Reduction(TensorView in, TensorView out, int[] inDims, int[] outStride, int elementsPerOutput) {
            this.in = in;
            this.out = out;
            this.inDims = inDims;
            this.outStride = outStride;
            this.elementsPerOutput = elementsPerOutput;
            this.outputs = out.elementCount();
            this.inputs = in.elementCount();
            this.rewind = new int[inDims.length];
            for (int d = 0; d < inDims.length; d++) {
                rewind[d] = outStride[d] * inDims[d];
            }
            this.counter = new int[inDims.length];
        }

        @Override
        public final void invoke() {
            clear();
            Arrays.fill(counter, 0);
            int o = 0;
            for (int i = 0; i < inputs; i++) {
                accumulate(o, i);
                for (int d = inDims.length - 1; d >= 0; d--) {
                    o += outStride[d];
                    if (++counter[d] < inDims[d]) {
                        break;
                    }
                    counter[d] = 0;
                    o -= rewind[d];
                }
            }
            finish();
        }

        abstract void clear();

        abstract void accumulate(int o, int i);

        abstract void finish();
    }

    private static final class FloatMean extends Reduction {
        private final float[] sum;

        FloatMean(TensorView in, TensorView out, int[] inDims, int[] outStride, int elementsPerOutput) {
            super(in, out, inDims, outStride, elementsPerOutput);
            this.sum = new float[outputs];
        }

        @Override
        void clear() {
            Arrays.fill(sum, 0f);
        }

        @Override
        void accumulate(int o, int i) {
            sum[o] += in.getFloat(i);
        }

        @Override
        void finish() {
            if (elementsPerOutput == 0) {
                return;
            }
            for (int o = 0; o < outputs; o++) {
                out.setFloat(o, sum[o] / elementsPerOutput);
            }
        }
    }

    private static final class QuantizedMean extends Reduction {
        private final int[] sum;
        private final Mode mode;
        private final int multiplier;
        private final int shift;
        private final int bias;
        private final float scale;
        private final float floatBias;
        private final int outZeroPoint;
        private final int inZeroPoint;
        private final int min;
        private final int max;

        QuantizedMean(TensorView in, TensorView out, int[] inDims, int[] outStride, int elementsPerOutput, Mode mode,
                long m, int bias) {
            super(in, out, inDims, outStride, elementsPerOutput);
            this.sum = new int[outputs];
            this.mode = mode;
            this.multiplier = QuantMath.multiplier(m);
            this.shift = QuantMath.shift(m);
            this.bias = bias;
            this.scale = in.scale() / out.scale();
            this.floatBias = -in.zeroPoint() * scale;
            this.outZeroPoint = out.zeroPoint();
            this.inZeroPoint = in.zeroPoint();
            this.min = QuantMath.typeMin(out.type());
            this.max = QuantMath.typeMax(out.type());
        }

        @Override
        void clear() {
            Arrays.fill(sum, 0);
        }

        @Override
        void accumulate(int o, int i) {
            sum[o] += IntElements.get(in, i);
        }

        @Override
        void finish() {
            for (int o = 0; o < outputs; o++) {
                int q;
                switch (mode) {
                    case SPATIAL -> q = QuantMath.clamp(
                            QuantMath.multiplyByQuantizedMultiplier(sum[o], multiplier, shift) + bias, min, max);
                    case SPATIAL_INT8 -> {
                        int n = elementsPerOutput;
                        int acc = QuantMath.multiplyByQuantizedMultiplier(sum[o] - n * inZeroPoint, multiplier, shift);
                        acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
                        q = QuantMath.clamp(acc + outZeroPoint, min, max);
                    }
                    case SAME_SCALE -> {
                        if (elementsPerOutput == 0) {
                            return;
                        }
                        q = sum[o] / elementsPerOutput;
                    }
                    default -> {
                        if (elementsPerOutput == 0) {
                            return;
                        }
                        float mean = (float) sum[o] / (float) elementsPerOutput;
                        float r = QuantMath.roundHalfAway(mean * scale + floatBias) + outZeroPoint;
                        r = Math.min(r, (float) max);
                        r = Math.max(r, (float) min);
                        q = (int) r;
                    }
                }
                IntElements.set(out, o, q);
            }
        }
    }
}
