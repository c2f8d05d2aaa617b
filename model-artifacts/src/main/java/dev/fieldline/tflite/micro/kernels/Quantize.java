package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;

/**
 * QUANTIZE (versions 1 and 2; per-channel v3 is refused), as TFLite 2.6's builtin kernel computes it.
 *
 * <ul>
 *   <li>float32 to int8, uint8 or int16 ({@code optimized_ops::AffineQuantize}):
 *       {@code q = clamp(round(x / (double) scale) + zero_point)}, halves away from zero. Values
 *       too large for int32 (and NaN) saturate instead of hitting C++'s undefined conversion.</li>
 *   <li>Requantisation ({@code reference_ops::Requantize}): int16 to int8, int16 or int32; int8 to
 *       int8, uint8 or int16; uint8 to int8 or uint8:
 *       {@code q' = clamp(MultiplyByQuantizedMultiplier(q - zp_in, M, shift) + zp_out)} with
 *       {@code M, shift = QuantizeMultiplier((double) scale_in / scale_out)}. int8 to int16 is
 *       TFLite Micro's extension of the same arithmetic (native TFLite refuses it).</li>
 * </ul>
 * Per-channel output quantisation and int16 to int16 with a non-zero zero point are refused, as
 * TFLite refuses them.
 */
final class Quantize {

    private Quantize() {}

    static Kernel prepare(OpContext ctx) {
        ctx.requireInputs(1, 1);
        ctx.requireOutputs(1);
        TensorView in = ctx.input(0);
        TensorView out = ctx.output(0);
        ctx.requireShape(out, in.shape());
        ctx.requireQuantized(out);
        ctx.requirePerTensor(out);
        checkScale(ctx, out);
        if (in.type() == TensorType.FLOAT32) {
            ctx.requireType(out, TensorType.INT8, TensorType.UINT8, TensorType.INT16);
            checkZeroPoint(ctx, out);
            return new FromFloat(in, out);
        }
        ctx.requireType(in, TensorType.INT8, TensorType.UINT8, TensorType.INT16);
        switch (in.type()) {
            case INT16 -> ctx.requireType(out, TensorType.INT8, TensorType.INT16, TensorType.INT32);
            case INT8 -> ctx.requireType(out, TensorType.INT8, TensorType.UINT8, TensorType.INT16);
            default -> ctx.requireType(out, TensorType.INT8, TensorType.UINT8);
        }
        ctx.requireQuantized(in);
        ctx.requirePerTensor(in);
        checkScale(ctx, in);
        checkZeroPoint(ctx, in);
        checkZeroPoint(ctx, out);
        if (in.type() == TensorType.INT16 && out.type() == TensorType.INT16 && (in.zeroPoint() != 0 || out.zeroPoint() != 0)) {
            throw ctx.unsupported(in.zeroPoint() != 0 ? in : out, "int16 to int16 requantisation needs zero points of 0");
        }
        long m = QuantMath.quantizeMultiplier((double) in.scale() / (double) out.scale());
        return new Requantize(in, out, QuantMath.multiplier(m), QuantMath.shift(m));
    }

    /**
     * Checks that each tensor has a valid per-tensor scale and zero point; with {@code int16Symmetric},
     * int16 tensors must have a zero point of 0 (as TFLite requires of most int16 kernels).
     */
    static void checkPerTensor(OpContext ctx, boolean int16Symmetric, TensorView... tensors) {
        for (TensorView t : tensors) {
            ctx.requireQuantized(t);
            ctx.requirePerTensor(t);
            checkScale(ctx, t);
            checkZeroPoint(ctx, t);
            if (int16Symmetric && t.type() == TensorType.INT16 && t.zeroPoint() != 0) {
                throw ctx.unsupported(t, "int16 needs a zero point of 0, not " + t.zeroPoint());
            }
        }
    }

    static void checkScale(OpContext ctx, TensorView t) {
        float s = t.scale();
        if (!(s > 0f) || Float.isInfinite(s)) {
            throw ctx.invalid(t, "scale " + s + " (must be positive and finite)");
        }
    }

    static void checkZeroPoint(OpContext ctx, TensorView t) {
        long zp = t.quantization().zeroPoint(0);
        if (zp < QuantMath.typeMin(t.type()) || zp > QuantMath.typeMax(t.type())) {
            throw ctx.invalid(t, "zero point " + zp + " outside the range of " + t.type().dtype());
        }
    }

    /** float32 to a quantised type. */
    private static final class FromFloat extends UnaryKernel {
        private final double scale;
        private final int zeroPoint;
        private final int min;
        private final int max;

        FromFloat(TensorView in, TensorView out) {
            super(in, out);
            this.scale = out.scale();
            this.zeroPoint = out.zeroPoint();
            this.min = QuantMath.typeMin(out.type());
            this.max = QuantMath.typeMax(out.type());
        }

        @Override
        void compute(int i) {
            long q = QuantMath.roundHalfAway(in.getFloat(i) / scale);
            q = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, q)) + zeroPoint;
            IntElements.set(out, i, (int) Math.max(min, Math.min(max, q)));
        }
    }

    /** Quantised to quantised with another scale, zero point or type. */
    private static final class Requantize extends UnaryKernel {
        private final int multiplier;
        private final int shift;
        private final int inZeroPoint;
        private final int outZeroPoint;
        private final int min;
        private final int max;

        Requantize(TensorView in, TensorView out, int multiplier, int shift) {
            super(in, out);
            this.multiplier = multiplier;
            this.shift = shift;
            this.inZeroPoint = in.zeroPoint();
            this.outZeroPoint = out.zeroPoint();
            this.min = QuantMath.typeMin(out.type());
            this.max = QuantMath.typeMax(out.type());
        }

        @Override
        void compute(int i) {
            int v = QuantMath.multiplyByQuantizedMultiplier(IntElements.get(in, i) - inZeroPoint, multiplier, shift)
                    + outZeroPoint;
            IntElements.set(out, i, QuantMath.clamp(v, min, max));
        }
    }
}
