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
            return new FloatLeaky(in, out, alpha);
        }
        checkQuantized(ctx, in, out);
        long alphaM = QuantMath.quantizeMultiplier(in.scale() * alpha / out.scale());
        long identityM = QuantMath.quantizeMultiplier(in.scale() / out.scale());
        return new QuantizedLeaky(in, out, identityM, alphaM);
    }

    private static Kernel prepare(OpContext ctx, float actMin, float actMax) {
        TensorView in = checkUnary(ctx);
        TensorView out = ctx.output(0);
        if (in.type() == TensorType.FLOAT32) {
            return new FloatRelu(in, out, actMax);
        }
        checkQuantized(ctx, in, out);
        long m = QuantMath.quantizeMultiplier(in.scale() / out.scale());
        int qmin = Math.max(QuantMath.typeMin(out.type()), out.zeroPoint() + QuantMath.roundToInt(actMin / out.scale()));
        int qmax = actMax == Float.POSITIVE_INFINITY ? QuantMath.typeMax(out.type())
                : Math.min(QuantMath.typeMax(out.type()), out.zeroPoint() + QuantMath.roundToInt(actMax / out.scale()));
        return new QuantizedRelu(in, out, m, qmin, qmax);
    }

    private static TensorView checkUnary(OpContext ctx) {
        ctx.requireInputs(1, 1);
        ctx.requireOutputs(1);
        TensorView in = ctx.input(0);
        TensorView out = ctx.output(0);
        ctx.requireType(in, TensorType.FLOAT32, TensorType.INT8, TensorType.UINT8, TensorType.INT16);
        ctx.requireType(out, in.type());
        ctx.requireShape(out, in.shape());
        return in;
    }

    private static void checkQuantized(OpContext ctx, TensorView in, TensorView out) {
        for (TensorView t : new TensorView[] {in, out}) {
            ctx.requireQuantized(t);
            ctx.requirePerTensor(t);
            Quantize.checkScale(ctx, t);
            Quantize.checkZeroPoint(ctx, t);
            if (t.type() == TensorType.INT16 && t.zeroPoint() != 0) {
                throw ctx.unsupported(t, "int16 needs a zero point of 0, not " + t.zeroPoint());
            }
        }
    }

    private static final class FloatRelu implements Kernel {
        private final TensorView in;
        private final TensorView out;
        private final float max;
        private final int n;

        FloatRelu(TensorView in, TensorView out, float max) {
            this.in = in;
            this.out = out;
            this.max = max;
            this.n = in.elementCount();
        }

        @Override
        public void invoke() {
            for (int i = 0; i < n; i++) {
                out.setFloat(i, Activation.clamp(in.getFloat(i), 0f, max));
            }
        }
    }

    private static final class FloatLeaky implements Kernel {
        private final TensorView in;
        private final TensorView out;
        private final float alpha;
        private final int n;

        FloatLeaky(TensorView in, TensorView out, float alpha) {
            this.in = in;
            this.out = out;
            this.alpha = alpha;
            this.n = in.elementCount();
        }

        @Override
        public void invoke() {
            for (int i = 0; i < n; i++) {
                float x = in.getFloat(i);
                out.setFloat(i, x > 0 ? x : x * alpha);
            }
        }
    }

    private static final class QuantizedRelu implements Kernel {
        private final TensorView in;
        private final TensorView out;
        private final int inZeroPoint;
        private final int outZeroPoint;
        private final int multiplier;
        private final int shift;
        private final int min;
        private final int max;
        private final int n;

        QuantizedRelu(TensorView in, TensorView out, long m, int min, int max) {
            this.in = in;
            this.out = out;
            this.inZeroPoint = in.zeroPoint();
            this.outZeroPoint = out.zeroPoint();
            this.multiplier = QuantMath.multiplier(m);
            this.shift = QuantMath.shift(m);
            this.min = min;
            this.max = max;
            this.n = in.elementCount();
        }

        @Override
        public void invoke() {
            for (int i = 0; i < n; i++) {
                int v = outZeroPoint
                        + QuantMath.multiplyByQuantizedMultiplier(IntElements.get(in, i) - inZeroPoint, multiplier, shift);
                IntElements.set(out, i, QuantMath.clamp(v, min, max));
            }
        }
    }

    private static final class QuantizedLeaky implements Kernel {
        private final TensorView in;
        private final TensorView out;
        private final int inZeroPoint;
        private final int outZeroPoint;
        private final int identityMultiplier;
        private final int identityShift;
        private final int alphaMultiplier;
        private final int alphaShift;
        private final int min;
        private final int max;
        private final int n;

        QuantizedLeaky(TensorView in, TensorView out, long identity, long alpha) {
            this.in = in;
            this.out = out;
            this.inZeroPoint = in.zeroPoint();
            this.outZeroPoint = out.zeroPoint();
            this.identityMultiplier = QuantMath.multiplier(identity);
            this.identityShift = QuantMath.shift(identity);
            this.alphaMultiplier = QuantMath.multiplier(alpha);
            this.alphaShift = QuantMath.shift(alpha);
            this.min = QuantMath.typeMin(out.type());
            this.max = QuantMath.typeMax(out.type());
            this.n = in.elementCount();
        }

        @Override
        public void invoke() {
            for (int i = 0; i < n; i++) {
                int x = IntElements.get(in, i) - inZeroPoint;
                int v = x >= 0 ? QuantMath.multiplyByQuantizedMultiplier(x, identityMultiplier, identityShift)
                        : QuantMath.multiplyByQuantizedMultiplier(x, alphaMultiplier, alphaShift);
                IntElements.set(out, i, QuantMath.clamp(outZeroPoint + v, min, max));
            }
        }
    }
}
