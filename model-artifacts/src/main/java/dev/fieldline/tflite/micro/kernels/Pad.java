package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import java.util.Arrays;

/**
 * PAD and PADV2 (versions 1 to 4): constant padding of up to 5 dimensions, for float32, int8,
 * uint8, int16, int32 and int64. The paddings are a constant int32 or int64 {@code [rank, 2]}
 * tensor of non-negative (before, after) counts. PAD pads with 0, or with the output's zero point
 * for int8 and uint8; PADV2 pads with its scalar {@code constant_values} input (which, for
 * quantised types, must share the output's scale and zero point). Input and output of a quantised
 * PAD must share scale and zero point, since values are copied unchanged.
 */
final class Pad {

    /** TFLite's {@code PadKernelMaxDimensionCount()}. */
    static final int MAX_RANK = 5;

    private Pad() {}

    static Kernel pad(OpContext ctx) {
        ctx.requireInputs(2, 2);
        return prepare(ctx, false);
    }

    static Kernel padV2(OpContext ctx) {
        ctx.requireInputs(2, 3);
        return prepare(ctx, true);
    }

    private static Kernel prepare(OpContext ctx, boolean v2) {
        ctx.requireOutputs(1);
        TensorView in = ctx.input(0);
        TensorView paddings = ctx.input(1);
        TensorView out = ctx.output(0);
        ctx.requireType(in, TensorType.FLOAT32, TensorType.INT8, TensorType.UINT8, TensorType.INT16, TensorType.INT32,
                TensorType.INT64);
        ctx.requireType(out, in.type());
        int rank = in.rank();
        if (rank < 1 || rank > MAX_RANK) {
            throw ctx.unsupported(in, "rank " + rank + " (PAD supports 1 to " + MAX_RANK + " dimensions)");
        }
        ctx.requireType(paddings, TensorType.INT32, TensorType.INT64);
        if (!paddings.isConstant()) {
            throw ctx.unsupported(paddings, "the paddings must be a constant tensor");
        }
        ctx.requireShape(paddings, rank, 2);
        int[] before = new int[rank];
        int[] after = new int[rank];
        int[] expected = new int[rank];
        for (int d = 0; d < rank; d++) {
            long b = paddings.type() == TensorType.INT32 ? paddings.getInt32(2 * d) : paddings.getInt64(2 * d);
            long a = paddings.type() == TensorType.INT32 ? paddings.getInt32(2 * d + 1) : paddings.getInt64(2 * d + 1);
            if (b < 0 || a < 0 || in.dim(d) + b + a > Integer.MAX_VALUE) {
                throw ctx.invalid(paddings, "padding (" + b + ", " + a + ") of dimension " + d + " is negative or too large");
            }
            before[d] = (int) b;
            after[d] = (int) a;
            expected[d] = in.dim(d) + before[d] + after[d];
        }
        ctx.requireShape(out, expected);
        boolean quantized = in.type() == TensorType.INT8 || in.type() == TensorType.UINT8 || in.type() == TensorType.INT16;
        if (quantized) {
            requireSameQuantization(ctx, in, out);
            if (in.type() == TensorType.INT16 && out.zeroPoint() != 0) {
                throw ctx.unsupported(out, "int16 needs a zero point of 0");
            }
        }
        TensorView constant = v2 ? ctx.optionalInput(2) : null;
        if (constant != null) {
            ctx.requireType(constant, in.type());
            if (constant.elementCount() != 1) {
                throw ctx.invalid(constant, "constant_values must hold a single value");
            }
            if (quantized) {
                requireSameQuantization(ctx, constant, out);
            }
        }
        byte[] padValue = new byte[in.type().bytes()];
        if (in.type() == TensorType.INT8 || in.type() == TensorType.UINT8) {
            padValue[0] = (byte) out.zeroPoint();
        }
        return new ConstantPad(in, out, constant, padValue, before, after);
    }

    private static void requireSameQuantization(OpContext ctx, TensorView t, TensorView out) {
        ctx.requireQuantized(t);
        ctx.requirePerTensor(t);
        ctx.requireQuantized(out);
        ctx.requirePerTensor(out);
        if (t.scale() != out.scale() || t.zeroPoint() != out.zeroPoint()) {
            throw ctx.unsupported(t, "scale " + t.scale() + " and zero point " + t.zeroPoint()
                    + " differ from the output's " + out.scale() + ", " + out.zeroPoint());
        }
    }

    /** Copies input rows (the last dimension) into the output and fills the rest with the pad value. */
    private static final class ConstantPad implements Kernel {
        private final TensorView in;
        private final TensorView out;
        private final TensorView constant;
        private final byte[] padValue;
        private final int rank;
        private final int[] outDims;
        private final int[] inDims;
        private final int[] before;
        private final int[] after;
        private final int[] counter;
        private final int elementBytes;
        private final int outRows;

        ConstantPad(TensorView in, TensorView out, TensorView constant, byte[] padValue, int[] before, int[] after) {
            this.in = in;
            this.out = out;
            this.constant = constant;
            this.padValue = padValue;
            this.rank = in.rank();
            this.outDims = out.shape();
            this.inDims = in.shape();
            this.before = before;
            this.after = after;
            this.counter = new int[rank];
            this.elementBytes = in.type().bytes();
            int rows = 1;
            for (int d = 0; d < rank - 1; d++) {
                rows *= outDims[d];
            }
            this.outRows = outDims[rank - 1] == 0 ? 0 : rows;
        }

        @Override
        public void invoke() {
            if (constant != null) {
                System.arraycopy(constant.data(), constant.offset(), padValue, 0, elementBytes);
            }
            byte[] dst = out.data();
            byte[] src = in.data();
            int last = rank - 1;
            int rowBytes = outDims[last] * elementBytes;
            int inRowBytes = inDims[last] * elementBytes;
            Arrays.fill(counter, 0);
            int o = out.offset();
            for (int row = 0; row < outRows; row++) {
                // where this output row comes from, if it is inside the input region
                int inRow = 0;
                boolean inside = true;
                for (int d = 0; d < last; d++) {
                    int c = counter[d] - before[d];
                    if (c < 0 || c >= inDims[d]) {
                        inside = false;
                        break;
                    }
                    inRow = inRow * inDims[d] + c;
                }
                if (inside) {
                    int leftBytes = before[last] * elementBytes;
                    fill(dst, o, leftBytes);
                    System.arraycopy(src, in.offset() + inRow * inRowBytes, dst, o + leftBytes, inRowBytes);
                    fill(dst, o + leftBytes + inRowBytes, after[last] * elementBytes);
                } else {
                    fill(dst, o, rowBytes);
                }
                o += rowBytes;
                for (int d = last - 1; d >= 0; d--) {
                    if (++counter[d] < outDims[d]) {
                        break;
                    }
                    counter[d] = 0;
                }
            }
        }

        private void fill(byte[] dst, int from, int bytes) {
            byte[] v = padValue;
            int size = v.length;
            for (int i = 0; i < bytes; i += size) {
                for (int j = 0; j < size; j++) {
                    dst[from + i + j] = v[j];
                }
            }
        }
    }
}
