package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;
import java.util.function.DoubleUnaryOperator;

/**
 * SOFTMAX along the last dimension, as TensorFlow Lite 2.6's builtin kernel computes it on x86:
 * <ul>
 *   <li>float32: {@code exp(beta * (x - max))} normalised by multiplying with the reciprocal sum;
 *   <li>int8 to int8 or int16: the float lookup table {@code exp(-scale * beta * d)} for the 256
 *       possible distances {@code d} to the row maximum ({@code PopulateSoftmaxLookupTable}), summed
 *       in float and quantised with the output's scale and zero point, rounding half away from zero;
 *   <li>int16 to int16 (ranks 1 to 4, zero points 0, output scale 1/32768): the fixed-point
 *       {@code SoftmaxInt16} with its two interpolated 513-entry tables, exp on [-10, 0] and
 *       1/(1+x) on [0, 1].
 * </ul>
 */
final class Softmax {

    /** Entries of the int16 interpolation tables. */
    private static final int LUT_SIZE = 513;

    private Softmax() {}

    static Kernel prepare(OpContext ctx) {
        ctx.requireInputs(1, 1);
        ctx.requireOutputs(1);
        TensorView input = ctx.input(0);
        TensorView output = ctx.output(0);
        FlatTable opts = LayerKernels.options(ctx, LayerKernels.SOFTMAX_OPTIONS, false);
        float beta = opts == null ? 0f : opts.getFloat(0, 0f);
        if (input.rank() < 1) {
            throw ctx.invalid(input, "softmax needs at least one dimension");
        }
        ctx.requireShape(output, input.shape());
        int depth = input.dim(input.rank() - 1);
        int rows = depth == 0 ? 0 : input.elementCount() / depth;
        switch (input.type()) {
            case FLOAT32 -> {
                ctx.requireType(output, TensorType.FLOAT32);
                return new FloatKernel(input, output, rows, depth, beta);
            }
            case INT8 -> {
                ctx.requireType(output, TensorType.INT8, TensorType.INT16);
                ctx.requireQuantized(input);
                ctx.requireQuantized(output);
                ctx.requirePerTensor(input);
                ctx.requirePerTensor(output);
                float[] table = new float[256];
                float scale = -input.scale() * beta;
                for (int d = 0; d <= 255; d++) {
                    table[255 - d] = (float) StrictMath.exp(scale * d);
                }
                ctx.kernelBytes(4L * table.length);
                return new Int8Kernel(input, output, rows, depth, table);
            }
            case INT16 -> {
                ctx.requireType(output, TensorType.INT16);
                ctx.requireQuantized(input);
                ctx.requireQuantized(output);
                ctx.requirePerTensor(input);
                ctx.requirePerTensor(output);
                Requantization.requireZeroPoint(ctx, input);
                Requantization.requireZeroPoint(ctx, output);
                if (input.rank() > 4) {
                    throw ctx.unsupported(input, "int16 softmax supports ranks 1 to 4");
                }
                if (Math.abs(output.scale() * 32768.0 - 1.0) > 1.0e-3) {
                    throw ctx.unsupported(output, "int16 softmax needs the output scale 1/32768, not " + output.scale());
                }
                if (depth > 65536) {
                    throw ctx.unsupported(input, "int16 softmax over more than 65536 values would overflow its sum");
                }
                long q = QuantMath.quantizeMultiplier((double) (input.scale() * beta) / (10.0 / 65535.0));
                ctx.kernelBytes(4L * LUT_SIZE + 4L * depth);
                return new Int16Kernel(input, output, rows, depth, QuantMath.multiplier(q), QuantMath.shift(q),
                        table(StrictMath::exp, -10.0, 0.0), table(v -> 1.0 / (1.0 + v), 0.0, 1.0));
            }
            default -> throw ctx.unsupported(input, "type " + input.type().dtype() + " is not supported (float32, int8, int16)");
        }
    }

    /**
     * TFLite's {@code gen_lut}: samples {@code f} at 512 steps over [min, max] in Q0.15, each nudged
     * by half the error of linear interpolation at the step's midpoint; the last entry is f(max).
     */
    static short[] table(DoubleUnaryOperator f, double min, double max) {
        short[] t = new short[LUT_SIZE];
        double step = (max - min) / (LUT_SIZE - 1);
        double halfStep = step / 2.0;
        for (int i = 0; i < LUT_SIZE - 1; i++) {
            double sample = round(f.applyAsDouble(min + i * step) * 32768.0);
            double midpointInterpolated = round((f.applyAsDouble(min + (i + 1) * step) * 32768.0
                    + round(f.applyAsDouble(min + i * step) * 32768.0)) / 2.0);
            double midpoint = round(f.applyAsDouble(min + i * step + halfStep) * 32768.0);
            double bias = round((midpointInterpolated - midpoint) / 2.0);
            t[i] = (short) Math.min(Math.max(sample - bias, -32768.0), 32767.0);
        }
        t[LUT_SIZE - 1] = (short) Math.min(Math.max(round(f.applyAsDouble(max) * 32768.0), -32768.0), 32767.0);
        return t;
    }

    private static double round(double x) {
        return QuantMath.roundHalfAway(x);
    }

    /** TFLite's {@code generic_int16_table_lookup}: linear interpolation between 512 Q0.15 samples. */
    static short lookup(short value, short[] lut) {
        int index = 256 + (value >> 7);
        int offset = value & 0x7f;
        short base = lut[index];
        short slope = (short) (lut[index + 1] - lut[index]);
        int delta = (slope * offset + 64) >> 7;
        return (short) (base + delta);
    }

    private static final class FloatKernel implements Kernel {
        private final byte[] in;
        private final int inOff;
        private final byte[] out;
        private final int outOff;
        private final int rows;
        private final int depth;
        private final float beta;

        FloatKernel(TensorView input, TensorView output, int rows, int depth, float beta) {
            this.in = input.data();
            this.inOff = input.offset();
            this.out = output.data();
            this.outOff = output.offset();
            this.rows = rows;
            this.depth = depth;
            this.beta = beta;
        }

        @Override
        public void invoke() {
            for (int r = 0; r < rows; r++) {
                int i0 = inOff + 4 * r * depth;
                int o0 = outOff + 4 * r * depth;
                float max = -Float.MAX_VALUE;
                for (int j = 0; j < depth; j++) {
                    float v = TensorView.getFloat(in, i0 + 4 * j);
                    max = max < v ? v : max;
                }
                float sum = 0f;
                for (int j = 0; j < depth; j++) {
                    float e = (float) StrictMath.exp((TensorView.getFloat(in, i0 + 4 * j) - max) * beta);
                    TensorView.setFloat(out, o0 + 4 * j, e);
                    sum += e;
                }
                float scale = 1f / sum;
                for (int j = 0; j < depth; j++) {
                    TensorView.setFloat(out, o0 + 4 * j, TensorView.getFloat(out, o0 + 4 * j) * scale);
                }
            }
        }
    }

    private static final class Int8Kernel implements Kernel {
        private final byte[] in;
        private final int inOff;
        private final byte[] out;
        private final int outOff;
        private final boolean int16Output;
        private final int rows;
        private final int depth;
        private final float[] table;
        private final float outputScale;
        private final int outputZeroPoint;
        private final int outMin;
        private final int outMax;

        Int8Kernel(TensorView input, TensorView output, int rows, int depth, float[] table) {
            this.in = input.data();
            this.inOff = input.offset();
            this.out = output.data();
            this.outOff = output.offset();
            this.int16Output = output.type() == TensorType.INT16;
            this.rows = rows;
            this.depth = depth;
            this.table = table;
            this.outputScale = output.scale();
            this.outputZeroPoint = output.zeroPoint();
            this.outMin = QuantMath.typeMin(output.type());
            this.outMax = QuantMath.typeMax(output.type());
        }

        @Override
        public void invoke() {
            for (int r = 0; r < rows; r++) {
                int i0 = inOff + r * depth;
                int max = Byte.MIN_VALUE;
                for (int j = 0; j < depth; j++) {
                    max = Math.max(max, in[i0 + j]);
                }
                int base = 255 - max;
                float sum = 0f;
                for (int j = 0; j < depth; j++) {
                    sum += table[base + in[i0 + j]];
                }
                float inverse = 1.0f / (sum * outputScale);
                for (int j = 0; j < depth; j++) {
                    float p = table[base + in[i0 + j]] * inverse;
                    int q = QuantMath.roundToInt(p) + outputZeroPoint;
                    q = q < outMin ? outMin : (q > outMax ? outMax : q);
                    int e = r * depth + j;
                    if (int16Output) {
                        TensorView.setInt16(out, outOff + 2 * e, (short) q);
                    } else {
                        out[outOff + e] = (byte) q;
                    }
                }
            }
        }
    }

    private static final class Int16Kernel implements Kernel {
        private final byte[] in;
        private final int inOff;
        private final byte[] out;
        private final int outOff;
        private final int rows;
        private final int depth;
        private final int inputMultiplier;
        private final int inputShift;
        private final short[] expTable;
        private final short[] reciprocalTable;
        private final int[] exps;

        Int16Kernel(TensorView input, TensorView output, int rows, int depth, int inputMultiplier, int inputShift,
                short[] expTable, short[] reciprocalTable) {
            this.in = input.data();
            this.inOff = input.offset();
            this.out = output.data();
            this.outOff = output.offset();
            this.rows = rows;
            this.depth = depth;
            this.inputMultiplier = inputMultiplier;
            this.inputShift = inputShift;
            this.expTable = expTable;
            this.reciprocalTable = reciprocalTable;
            this.exps = new int[depth];
        }

        @Override
        public void invoke() {
            for (int r = 0; r < rows; r++) {
                int i0 = inOff + 2 * r * depth;
                int o0 = outOff + 2 * r * depth;
                int max = Short.MIN_VALUE;
                for (int j = 0; j < depth; j++) {
                    max = Math.max(max, TensorView.getInt16(in, i0 + 2 * j));
                }
                int sum = 0;
                for (int j = 0; j < depth; j++) {
                    int diff = TensorView.getInt16(in, i0 + 2 * j) - max;
                    int scaled = QuantMath.multiplyByQuantizedMultiplier(diff, inputMultiplier, inputShift) + 32767;
                    short clamped = (short) QuantMath.clamp(scaled, Short.MIN_VALUE, Short.MAX_VALUE);
                    exps[j] = lookup(clamped, expTable);
                    sum += exps[j];
                }
                int headroomPlusOne = Integer.numberOfLeadingZeros(sum);
                int shiftedSum = (int) ((((long) sum << (headroomPlusOne - 1)) + (1 << 13)) >> 14);
                int centred = shiftedSum - ((1 << 15) + (1 << 16));
                short reciprocal = lookup((short) QuantMath.clamp(centred, Short.MIN_VALUE, Short.MAX_VALUE),
                        reciprocalTable);
                int rightShift = 31 - headroomPlusOne;
                long round = 1L << (rightShift - 1);
                for (int j = 0; j < depth; j++) {
                    int result = (int) (((long) exps[j] * reciprocal + round) >> rightShift);
                    TensorView.setInt16(out, o0 + 2 * j, (short) QuantMath.clamp(result, 0, Short.MAX_VALUE));
                }
            }
        }
    }
}
