package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;

/**
 * LOGISTIC and TANH (versions 1 to 3) as TFLite 2.6's builtin ("generic optimized") kernels
 * compute them.
 *
 * <ul>
 *   <li>float32: the functions evaluated in double and rounded to float (TFLite uses Eigen's float
 *       approximations; the two agree to a few ulp).</li>
 *   <li>int8 and uint8: a 256-entry lookup table filled at prepare time the way
 *       {@code PopulateLookupTable} fills it, in float: dequantise, apply
 *       {@code 1 / (1 + exp(-x))} or {@code tanh(x)}, round half away from zero at the output
 *       scale, add the zero point, clamp. LOGISTIC requires an output scale of exactly 1/256.</li>
 *   <li>int16 (zero points 0, output scale 2^-15): for an input scale of exactly 2^-12 (TANH also
 *       2^-11) gemmlowp's fixed-point {@code logistic}/{@code tanh}; for any other input scale the
 *       reference kernel's interpolation in the 256-entry sigmoid table after rescaling the input
 *       by a multiplier of {@code scale * 3 * 4096} doubled until it exceeds 16383.5.</li>
 * </ul>
 */
final class TanhLogistic {

    private TanhLogistic() {}

    static Kernel logistic(OpContext ctx) {
        return prepare(ctx, false);
    }

    static Kernel tanh(OpContext ctx) {
        return prepare(ctx, true);
    }

    private static Kernel prepare(OpContext ctx, boolean tanh) {
        TensorView in = UnaryKernel.checkSameTypeAndShape(ctx, TensorType.FLOAT32, TensorType.INT8, TensorType.UINT8,
                TensorType.INT16);
        TensorView out = ctx.output(0);
        if (in.type() == TensorType.FLOAT32) {
            return new FloatActivation(in, out,
                    tanh ? FloatActivation.Function.TANH : FloatActivation.Function.LOGISTIC, 0f);
        }
        Quantize.checkPerTensor(ctx, false, in, out);
        if (in.type() == TensorType.INT16) {
            return int16(ctx, in, out, tanh);
        }
        if (!tanh && out.scale() != 1.0 / 256) {
            throw ctx.unsupported(out, "LOGISTIC output scale must be 1/256, not " + out.scale());
        }
        ctx.kernelBytes(256);
        return new Lookup(in, out, table(in, out, tanh));
    }

    /** {@code PopulateLookupTable}: indexed by the input's raw byte. */
    static byte[] table(TensorView in, TensorView out, boolean tanh) {
        byte[] table = new byte[256];
        int min = QuantMath.typeMin(in.type());
        int max = QuantMath.typeMax(in.type());
        float inverseScale = 1 / out.scale();
        float inScale = in.scale();
        int inZeroPoint = in.zeroPoint();
        int outZeroPoint = out.zeroPoint();
        for (int v = min; v <= max; v++) {
            float x = inScale * (v - inZeroPoint);
            float y = tanh ? (float) Math.tanh(x) : 1.0f / (1.0f + (float) Math.exp(-x));
            float rescaled = QuantMath.roundHalfAway(y * inverseScale);
            int q = (int) (rescaled + outZeroPoint);
            table[v & 0xff] = (byte) QuantMath.clamp(q, min, max);
        }
        return table;
    }

    private static Kernel int16(OpContext ctx, TensorView in, TensorView out, boolean tanh) {
        if (in.zeroPoint() != 0 || out.zeroPoint() != 0) {
            throw ctx.unsupported(in.zeroPoint() != 0 ? in : out, "int16 needs zero points of 0");
        }
        if (!QuantMath.isPowerOfTwo(out.scale()) || QuantMath.log2Rounded(out.scale()) != -15) {
            throw ctx.unsupported(out, "int16 output scale must be 2^-15, not " + out.scale());
        }
        if (!tanh && out.scale() != 1.0 / 32768) {
            throw ctx.unsupported(out, "LOGISTIC int16 output scale must be exactly 1/32768, not " + out.scale());
        }
        int leftShift = 12 + QuantMath.log2Rounded(in.scale());
        boolean pot = QuantMath.isPowerOfTwo(in.scale()) && (leftShift == 0 || (tanh && leftShift == 1));
        if (pot) {
            return new Int16FixedPoint(in, out, tanh, leftShift);
        }
        double multiplier = in.scale() * 4096.0 * 3.0;
        leftShift = 0;
        while (multiplier <= 32767.0 / 2.0 && leftShift <= 30) {
            leftShift++;
            multiplier *= 2.0;
        }
        if (multiplier > 32767.0) {
            throw ctx.unsupported(in, "int16 input scale " + in.scale() + " is too large (the lookup covers about"
                    + " +-10.7 only at scales up to 2^-1.5)");
        }
        return new Int16Lookup(in, out, tanh, (int) multiplier, leftShift);
    }

    private static final class Lookup extends UnaryKernel {
        private final byte[] table;

        Lookup(TensorView in, TensorView out, byte[] table) {
            super(in, out);
            this.table = table;
        }

        @Override
        void compute(int i) {
            out.setInt8(i, table[in.getInt8(i) & 0xff]);
        }
    }

    private static final class Int16FixedPoint extends UnaryKernel {
        private final boolean tanh;
        private final int leftShift;

        Int16FixedPoint(TensorView in, TensorView out, boolean tanh, int leftShift) {
            super(in, out);
            this.tanh = tanh;
            this.leftShift = leftShift;
        }

        @Override
        void compute(int i) {
            int x = FixedPoint16.multiplyByPot(in.getInt16(i), leftShift);
            out.setInt16(i, (short) (tanh ? FixedPoint16.tanh(x) : FixedPoint16.logistic(x)));
        }
    }

    private static final class Int16Lookup extends UnaryKernel {
        private final boolean tanh;
        private final int multiplier;
        private final int leftShift;

        Int16Lookup(TensorView in, TensorView out, boolean tanh, int multiplier, int leftShift) {
            super(in, out);
            this.tanh = tanh;
            this.multiplier = multiplier;
            this.leftShift = leftShift;
        }

        @Override
        void compute(int i) {
            int x = in.getInt16(i);
            out.setInt16(i, (short) (tanh ? FixedPoint16.tanhLut(x, multiplier, leftShift)
                    : FixedPoint16.logisticLut(x, multiplier, leftShift)));
        }
    }
}
