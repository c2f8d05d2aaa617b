package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;

/**
 * ADD (v1 to v4), SUB (v1 to v5) and MUL (v1 to v5) with broadcasting and fused activations, as
 * TFLite 2.6's builtin kernels compute them.
 *
 * <ul>
 *   <li>float32, int32, int64: plain arithmetic (integers wrap), then clamped to the activation's
 *       range ({@code CalculateActivationRange}).</li>
 *   <li>int8, uint8 and int16 ADD/SUB ("general scale"): both inputs are shifted left by 20 (8 bit)
 *       or 15 (int16) bits, brought to twice the larger input scale, added or subtracted and
 *       brought to the output scale, each with {@code MultiplyByQuantizedMultiplierSmallerThanOneExp}.
 *       </li>
 *   <li>int16 ADD/SUB with {@code pot_scale_int16} (the schema default) and power-of-two scales:
 *       gemmlowp's saturating 16-bit fixed-point sum of one input and the other rounding-shifted
 *       right (the LSTM path); no broadcasting, as in TFLite.</li>
 *   <li>int8, uint8, int16 MUL: {@code MultiplyByQuantizedMultiplier((a - za) * (b - zb), M, s) + zo}
 *       with {@code M, s} from {@code scale_a * scale_b / scale_out} computed in float.</li>
 * </ul>
 * int16 operands must have zero points of 0, as TFLite requires.
 */
final class Arithmetic {

    private static final int ADD = 0;
    private static final int SUB = 1;
    private static final int MUL = 2;

    private Arithmetic() {}

    static Kernel add(OpContext ctx) {
        return prepare(ctx, ADD);
    }

    static Kernel sub(OpContext ctx) {
        return prepare(ctx, SUB);
    }

    static Kernel mul(OpContext ctx) {
        return prepare(ctx, MUL);
    }

    private static Kernel prepare(OpContext ctx, int op) {
        ctx.requireInputs(2, 2);
        ctx.requireOutputs(1);
        TensorView a = ctx.input(0);
        TensorView b = ctx.input(1);
        TensorView out = ctx.output(0);
        ctx.requireType(a, TensorType.FLOAT32, TensorType.INT32, TensorType.INT64, TensorType.INT8, TensorType.UINT8,
                TensorType.INT16);
        ctx.requireType(b, a.type());
        ctx.requireType(out, a.type());
        FlatTable options = ctx.options();
        Activation act = Activation.of(options == null ? 0 : options.getByte(0, 0), ctx);
        // ADD/SUB: pot_scale_int16 defaults to true in the schema; without an options table the
        // parsed params are zeroed (false).
        boolean potScaleInt16 = op != MUL && options != null && options.getBool(1, true);
        Broadcast broadcast = Broadcast.of(ctx, a, b, out);
        return switch (a.type()) {
            case FLOAT32 -> new FloatKernel(op, a, b, out, broadcast, act.floatMin(), act.floatMax());
            case INT32, INT64 -> new IntegerKernel(op, a, b, out, broadcast, act);
            default -> quantized(ctx, op, a, b, out, broadcast, act, potScaleInt16);
        };
    }

    private static Kernel quantized(OpContext ctx, int op, TensorView a, TensorView b, TensorView out,
            Broadcast broadcast, Activation act, boolean potScaleInt16) {
        Quantize.checkPerTensor(ctx, true, a, b, out);
        int qmin = act.quantizedMin(out);
        int qmax = act.quantizedMax(out);
        if (op == MUL) {
            float real = a.scale() * b.scale() / out.scale();
            long m = QuantMath.quantizeMultiplier(real);
            return new QuantizedMul(a, b, out, broadcast, QuantMath.multiplier(m), QuantMath.shift(m), qmin, qmax);
        }
        boolean pot = QuantMath.isPowerOfTwo(a.scale()) && QuantMath.isPowerOfTwo(b.scale())
                && QuantMath.isPowerOfTwo(out.scale());
        if (a.type() == TensorType.INT16 && potScaleInt16 && pot) {
            if (!broadcast.trivial()) {
                throw ctx.unsupported(out, "int16 " + (op == ADD ? "ADD" : "SUB")
                        + " with power-of-two scales (pot_scale_int16) does not broadcast");
            }
            int outLog2 = QuantMath.log2Rounded(out.scale());
            int shiftA = QuantMath.log2Rounded(a.scale()) - outLog2;
            int shiftB = QuantMath.log2Rounded(b.scale()) - outLog2;
            if ((shiftA != 0 && shiftB != 0) || shiftA > 0 || shiftB > 0) {
                throw ctx.unsupported(out, "int16 power-of-two scales need one input at the output scale and the other"
                        + " at most that (input shifts " + shiftA + ", " + shiftB + ")");
            }
            return new PotInt16(op, a, b, out, shiftA, shiftB, qmin, qmax);
        }
        int leftShift = a.type() == TensorType.INT16 ? 15 : 20;
        double twiceMaxInputScale = 2 * Math.max(a.scale(), b.scale());
        double realA = a.scale() / twiceMaxInputScale;
        double realB = b.scale() / twiceMaxInputScale;
        double realOut = twiceMaxInputScale / ((float) (1 << leftShift) * out.scale());
        if (!(realOut < 1.0)) {
            throw ctx.unsupported(out, "output scale " + out.scale() + " is too small for the inputs' scales "
                    + a.scale() + " and " + b.scale() + " (rescale factor " + realOut + " must be below 1)");
        }
        long ma = QuantMath.quantizeMultiplier(realA);
        long mb = QuantMath.quantizeMultiplier(realB);
        long mo = QuantMath.quantizeMultiplier(realOut);
        return new QuantizedAddSub(op, a, b, out, broadcast, leftShift, ma, mb, mo, qmin, qmax);
    }

    /** Visits every output element with the input elements it combines. */
    private abstract static class Binary implements Kernel {
        final TensorView a;
        final TensorView b;
        final TensorView out;
        private final Broadcast broadcast;
        private final int n;

        Binary(TensorView a, TensorView b, TensorView out, Broadcast broadcast) {
            this.a = a;
            this.b = b;
            this.out = out;
            this.broadcast = broadcast;
            this.n = out.elementCount();
        }

        @Override
        public final void invoke() {
            if (broadcast.trivial()) {
                for (int i = 0; i < n; i++) {
                    compute(i, i, i);
                }
                return;
            }
            Broadcast bc = broadcast;
            bc.start();
            for (int o = 0; o < n; o++) {
                compute(o, bc.a(), bc.b());
                bc.next();
            }
        }

        abstract void compute(int o, int ia, int ib);
    }

    private static final class FloatKernel extends Binary {
        private final int op;
        private final float min;
        private final float max;

        FloatKernel(int op, TensorView a, TensorView b, TensorView out, Broadcast broadcast, float min, float max) {
            super(a, b, out, broadcast);
            this.op = op;
            this.min = min;
            this.max = max;
        }

        @Override
        void compute(int o, int ia, int ib) {
            float x = a.getFloat(ia);
            float y = b.getFloat(ib);
            float r = op == ADD ? x + y : op == SUB ? x - y : x * y;
            out.setFloat(o, Activation.clamp(r, min, max));
        }
    }

    /** int32 and int64, wrapping like the C++ arithmetic, clamped to the activation's range. */
    private static final class IntegerKernel extends Binary {
        private final int op;
        private final boolean int32;
        private final long min;
        private final long max;

        IntegerKernel(int op, TensorView a, TensorView b, TensorView out, Broadcast broadcast, Activation act) {
            super(a, b, out, broadcast);
            this.op = op;
            this.int32 = a.type() == TensorType.INT32;
            long lowest = int32 ? Integer.MIN_VALUE : Long.MIN_VALUE;
            long highest = int32 ? Integer.MAX_VALUE : Long.MAX_VALUE;
            this.min = switch (act) {
                case RELU, RELU6 -> 0;
                case RELU_N1_TO_1 -> -1;
                default -> lowest;
            };
            this.max = switch (act) {
                case RELU6 -> 6;
                case RELU_N1_TO_1 -> 1;
                default -> highest;
            };
        }

        @Override
        void compute(int o, int ia, int ib) {
            if (int32) {
                int x = a.getInt32(ia);
                int y = b.getInt32(ib);
                long r = op == ADD ? x + y : op == SUB ? x - y : x * y;
                out.setInt32(o, (int) Math.max(min, Math.min(max, r)));
            } else {
                long x = a.getInt64(ia);
                long y = b.getInt64(ib);
                long r = op == ADD ? x + y : op == SUB ? x - y : x * y;
                out.setInt64(o, Math.max(min, Math.min(max, r)));
            }
        }
    }

    private static final class QuantizedAddSub extends Binary {
        private final boolean subtract;
        private final int offsetA;
        private final int offsetB;
        private final int offsetOut;
        private final int leftShift;
        private final int multiplierA;
        private final int shiftA;
        private final int multiplierB;
        private final int shiftB;
        private final int multiplierOut;
        private final int shiftOut;
        private final int min;
        private final int max;

        QuantizedAddSub(int op, TensorView a, TensorView b, TensorView out, Broadcast broadcast, int leftShift,
                long ma, long mb, long mo, int min, int max) {
            super(a, b, out, broadcast);
            this.subtract = op == SUB;
            this.offsetA = -a.zeroPoint();
            this.offsetB = -b.zeroPoint();
            this.offsetOut = out.zeroPoint();
            this.leftShift = leftShift;
            this.multiplierA = QuantMath.multiplier(ma);
            this.shiftA = QuantMath.shift(ma);
            this.multiplierB = QuantMath.multiplier(mb);
            this.shiftB = QuantMath.shift(mb);
            this.multiplierOut = QuantMath.multiplier(mo);
            this.shiftOut = QuantMath.shift(mo);
            this.min = min;
            this.max = max;
        }

        @Override
        void compute(int o, int ia, int ib) {
            int x = (offsetA + IntElements.get(a, ia)) * (1 << leftShift);
            int y = (offsetB + IntElements.get(b, ib)) * (1 << leftShift);
            int sx = QuantMath.multiplyByQuantizedMultiplierSmallerThanOneExp(x, multiplierA, shiftA);
            int sy = QuantMath.multiplyByQuantizedMultiplierSmallerThanOneExp(y, multiplierB, shiftB);
            int raw = subtract ? sx - sy : sx + sy;
            int r = QuantMath.multiplyByQuantizedMultiplierSmallerThanOneExp(raw, multiplierOut, shiftOut) + offsetOut;
            IntElements.set(out, o, QuantMath.clamp(r, min, max));
        }
    }

    /** int16 ADD/SUB with power-of-two scales and zero points of 0 (same shapes). */
    private static final class PotInt16 implements Kernel {
        private final boolean subtract;
        private final TensorView a;
        private final TensorView b;
        private final TensorView out;
        private final boolean shiftFirst;
        private final int rightShift;
        private final int min;
        private final int max;
        private final int n;

        PotInt16(int op, TensorView a, TensorView b, TensorView out, int shiftA, int shiftB, int min, int max) {
            this.subtract = op == SUB;
            this.a = a;
            this.b = b;
            this.out = out;
            // TFLite rescales the second input unless the first one has the shift
            this.shiftFirst = shiftA != 0;
            this.rightShift = shiftA != 0 ? -shiftA : -shiftB;
            this.min = min;
            this.max = max;
            this.n = out.elementCount();
        }

        @Override
        public void invoke() {
            for (int i = 0; i < n; i++) {
                int x = a.getInt16(i);
                int y = b.getInt16(i);
                if (shiftFirst) {
                    x = QuantMath.roundingDivideByPOT(x, rightShift);
                } else {
                    y = QuantMath.roundingDivideByPOT(y, rightShift);
                }
                int r = QuantMath.clamp(subtract ? x - y : x + y, Short.MIN_VALUE, Short.MAX_VALUE);
                out.setInt16(i, (short) QuantMath.clamp(r, min, max));
            }
        }
    }

    private static final class QuantizedMul extends Binary {
        private final int offsetA;
        private final int offsetB;
        private final int offsetOut;
        private final int multiplier;
        private final int shift;
        private final int min;
        private final int max;

        QuantizedMul(TensorView a, TensorView b, TensorView out, Broadcast broadcast, int multiplier, int shift,
                int min, int max) {
            super(a, b, out, broadcast);
            this.offsetA = -a.zeroPoint();
            this.offsetB = -b.zeroPoint();
            this.offsetOut = out.zeroPoint();
            this.multiplier = multiplier;
            this.shift = shift;
            this.min = min;
            this.max = max;
        }

        @Override
        void compute(int o, int ia, int ib) {
            int x = offsetA + IntElements.get(a, ia);
            int y = offsetB + IntElements.get(b, ib);
            int r = offsetOut + QuantMath.multiplyByQuantizedMultiplier(x * y, multiplier, shift);
            IntElements.set(out, o, QuantMath.clamp(r, min, max));
        }
    }
}
