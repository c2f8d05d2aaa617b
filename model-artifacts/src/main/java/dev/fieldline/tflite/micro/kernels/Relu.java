package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;

/**
 * RELU, RELU6 (versions 1 to 3) and LEAKY_RELU (versions 1 and 2) as TFLite 2.6 computes them.
 *
 * <ul>
 *   <li>float32: {@code max(0, x)}, {@code min(max(0, x), 6)}, {@code x > 0 ? x : alpha * x}.</li>
 *   <li>int8, uint8, int16 RELU/RELU6 ({@code QuantizedReluX}): rescale with
 *       {@code QuantizeMultiplier(scale_in / scale_out)} (the ratio taken in float), add the output
 *       zero point, clamp to {@code [zp + round(0 / s), zp + round(6 / s)]} within the type.</li>
 *   <li>int8, uint8, int16 LEAKY_RELU ({@code QuantizeLeakyRelu}): the identity multiplier for
 *       inputs at or above the zero point, {@code scale_in * alpha / scale_out} below it.</li>
 * </ul>
 * int16 needs zero points of 0, as TFLite requires.
 */
final class Relu {

    private Relu() {}

    static Kernel relu(OpContext ctx) {
        return prepare(ctx, 0f, Float.POSITIVE_INFINITY);
    }

    static Kernel relu6(OpContext ctx) {
        return prepare(ctx, 0f, 6f);
    }

    static Kernel leakyRelu(OpContext ctx) {
        FlatTable options = ctx.options();
        float alpha = options == null ? 0f : options.getFloat(0, 0f);
        if (!Float.isFinite(alpha)) {
            throw ctx.invalid("alpha " + alpha + " is not finite");
        }
        TensorView in = checkUnary(ctx);
        TensorView out = ctx.output(0);
        if (in.type() == TensorType.FLOAT32) {
            return new FloatActivation(in, out, FloatActivation.Function.LEAKY_RELU, alpha);
        }
        checkQuantized(ctx, in, out);
        long alphaM = QuantMath.quantizeMultiplier(in.scale() * alpha / out.scale());
        long identityM = QuantMath.quantizeMultiplier(in.scale() / out.scale());
        return new QuantizedRelu(in, out, identityM, alphaM, QuantMath.typeMin(out.type()), QuantMath.typeMax(out.type()));
    }

    private static Kernel prepare(OpContext ctx, float actMin, float actMax) {
        TensorView in = checkUnary(ctx);
        TensorView out = ctx.output(0);
        if (in.type() == TensorType.FLOAT32) {
            return new FloatActivation(in, out, FloatActivation.Function.RELU, actMax);
        }
        checkQuantized(ctx, in, out);
        long m = QuantMath.quantizeMultiplier(in.scale() / out.scale());
        int qmin = Math.max(QuantMath.typeMin(out.type()), out.zeroPoint() + QuantMath.roundToInt(actMin / out.scale()));
        int qmax = actMax == Float.POSITIVE_INFINITY ? QuantMath.typeMax(out.type())
                : Math.min(QuantMath.typeMax(out.type()), out.zeroPoint() + QuantMath.roundToInt(actMax / out.scale()));
        return new QuantizedRelu(in, out, m, m, qmin, qmax);
    }

    private static TensorView checkUnary(OpContext ctx) {
        return UnaryKernel.checkSameTypeAndShape(ctx, TensorType.FLOAT32, TensorType.INT8, TensorType.UINT8,
                TensorType.INT16);
    }

    private static void checkQuantized(OpContext ctx, TensorView in, TensorView out) {
        Quantize.checkPerTensor(ctx, true, in, out);
    }

    /** Requantisation with one multiplier at or above the input zero point and another below it. */
    private static final class QuantizedRelu extends UnaryKernel {
        private final int inZeroPoint;
        private final int outZeroPoint;
        private final int upperMultiplier;
        private final int upperShift;
        private final int lowerMultiplier;
        private final int lowerShift;
        private final int min;
        private final int max;

        QuantizedRelu(TensorView in, TensorView out, long upper, long lower, int min, int max) {
            super(in, out);
            this.inZeroPoint = in.zeroPoint();
            this.outZeroPoint = out.zeroPoint();
            this.upperMultiplier = QuantMath.multiplier(upper);
            this.upperShift = QuantMath.shift(upper);
            this.lowerMultiplier = QuantMath.multiplier(lower);
            this.lowerShift = QuantMath.shift(lower);
            this.min = min;
            this.max = max;
        }

        @Override
        void compute(int i) {
            int x = IntElements.get(in, i) - inZeroPoint;
            int v = x >= 0 ? QuantMath.multiplyByQuantizedMultiplier(x, upperMultiplier, upperShift)
                    : QuantMath.multiplyByQuantizedMultiplier(x, lowerMultiplier, lowerShift);
            IntElements.set(out, i, QuantMath.clamp(outZeroPoint + v, min, max));
        }
    }
}
