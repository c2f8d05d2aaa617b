package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;

/**
 * DEQUANTIZE (versions 1 to 3): int8, uint8 or int16 with a per-tensor scale to float32,
 * {@code x = (float) ((double) scale * (q - zero_point))} as TFLite computes it (the double product
 * is exact, so this is the correctly rounded float product); float16 to float32 exactly.
 * Per-channel quantisation (version 4 and later) is refused.
 */
final class Dequantize {

    private Dequantize() {}

    static Kernel prepare(OpContext ctx) {
        ctx.requireInputs(1, 1);
        ctx.requireOutputs(1);
        TensorView in = ctx.input(0);
        TensorView out = ctx.output(0);
        ctx.requireType(in, TensorType.INT8, TensorType.UINT8, TensorType.INT16, TensorType.FLOAT16);
        ctx.requireType(out, TensorType.FLOAT32);
        ctx.requireShape(out, in.shape());
        if (in.type() == TensorType.FLOAT16) {
            return new FromHalf(in, out);
        }
        ctx.requireQuantized(in);
        ctx.requirePerTensor(in);
        Quantize.checkScale(ctx, in);
        Quantize.checkZeroPoint(ctx, in);
        return new FromQuantized(in, out);
    }

    /** IEEE 754 binary16 to float (exact). */
    static float halfToFloat(short h) {
        int sign = (h >> 15) & 1;
        int exponent = (h >> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        float magnitude;
        if (exponent == 0x1f) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f; // subnormal
        } else {
            magnitude = Float.intBitsToFloat((exponent - 15 + 127) << 23 | mantissa << 13);
        }
        return sign == 0 ? magnitude : -magnitude;
    }

    private static final class FromQuantized extends UnaryKernel {
        private final double scale;
        private final int zeroPoint;

        FromQuantized(TensorView in, TensorView out) {
            super(in, out);
            this.scale = in.scale();
            this.zeroPoint = in.zeroPoint();
        }

        @Override
        void compute(int i) {
            out.setFloat(i, (float) (scale * (IntElements.get(in, i) - zeroPoint)));
        }
    }

    private static final class FromHalf extends UnaryKernel {
        FromHalf(TensorView in, TensorView out) {
            super(in, out);
        }

        @Override
        void compute(int i) {
            out.setFloat(i, halfToFloat(in.getInt16(i)));
        }
    }
}
