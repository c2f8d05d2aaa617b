package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;
import java.util.Arrays;

/**
 * CONCATENATION (versions 1 to 3) along any axis (negative counts from the end), for float32,
 * int8, uint8, int16, int32, int64 and bool: a byte copy per input and outer index.
 *
 * <p>An int8 or uint8 input whose scale or zero point differs from the output's is requantised
 * with TFLite's {@code ConcatenationWithScaling} arithmetic, in float:
 * {@code q' = round(q * (s_in / s_out) - zp_in * (s_in / s_out)) + zp_out}, clamped. TFLite does
 * this for uint8; for int8 it refuses such models, so for int8 this is an extension of ours with the
 * same arithmetic. int16 inputs must have the output's scale and zero points of 0. A fused
 * activation other than NONE is refused (TFLite ignores it).
 */
final class Concatenation {

    private Concatenation() {}

    static Kernel prepare(OpContext ctx) {
        if (ctx.inputCount() < 1) {
            throw ctx.invalid("expects at least one input");
        }
        ctx.requireOutputs(1);
        FlatTable options = ctx.options();
        int axisOption = options == null ? 0 : options.getInt(0, 0);
        Activation act = Activation.of(options == null ? 0 : options.getByte(1, 0), ctx);
        if (act != Activation.NONE) {
            throw ctx.unsupported("fused activation " + act + " on CONCATENATION");
        }
        TensorView out = ctx.output(0);
        ctx.requireType(out, TensorType.FLOAT32, TensorType.INT8, TensorType.UINT8, TensorType.INT16,
                TensorType.INT32, TensorType.INT64, TensorType.BOOL);
        int rank = out.rank();
        int axis = axisOption < 0 ? axisOption + rank : axisOption;
        if (axis < 0 || axis >= rank) {
            throw ctx.invalid("axis " + axisOption + " is outside a rank " + rank + " output");
        }
        int count = ctx.inputCount();
        TensorView[] inputs = new TensorView[count];
        int[] expected = out.shape();
        expected[axis] = 0;
        for (int i = 0; i < count; i++) {
            TensorView in = ctx.input(i);
            ctx.requireType(in, out.type());
            int[] shape = in.shape();
            if (shape.length != rank) {
                throw ctx.invalid(in, "rank " + shape.length + " differs from the output's " + rank);
            }
            for (int d = 0; d < rank; d++) {
                if (d != axis && shape[d] != expected[d]) {
                    throw ctx.invalid(in, "shape " + Arrays.toString(shape) + " does not match the output "
                            + Arrays.toString(out.shape()) + " outside axis " + axis);
                }
            }
            expected[axis] += shape[axis];
            inputs[i] = in;
        }
        ctx.requireShape(out, expected);

        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= expected[d];
        }
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) {
            inner *= expected[d];
        }
        int[] copyElements = new int[count];
        float[] scale = new float[count];
        float[] bias = new float[count];
        boolean[] rescale = new boolean[count];
        for (int i = 0; i < count; i++) {
            copyElements[i] = inputs[i].dim(axis) * inner;
            rescale[i] = needsRescale(ctx, inputs[i], out);
            if (rescale[i]) {
                float inverseOutputScale = 1.f / out.scale();
                scale[i] = inputs[i].scale() * inverseOutputScale;
                bias[i] = -inputs[i].zeroPoint() * scale[i];
            }
        }
        return new Copy(inputs, out, outer, copyElements, rescale, scale, bias);
    }

    private static boolean needsRescale(OpContext ctx, TensorView in, TensorView out) {
        TensorType type = out.type();
        if (type != TensorType.INT8 && type != TensorType.UINT8 && type != TensorType.INT16) {
            return false;
        }
        Quantize.checkPerTensor(ctx, false, in, out);
        boolean same = in.scale() == out.scale() && in.zeroPoint() == out.zeroPoint();
        if (type == TensorType.INT16 && (!same || out.zeroPoint() != 0)) {
            throw ctx.unsupported(in, "int16 inputs need the output's scale and zero points of 0");
        }
        return !same;
    }

    private static final class Copy implements Kernel {
        private final TensorView[] inputs;
        private final TensorView out;
        private final int outer;
        private final int[] copyElements;
        private final boolean[] rescale;
        private final float[] scale;
        private final float[] bias;
        private final int elementBytes;
        private final int outZeroPoint;
        private final int min;
        private final int max;

        Copy(TensorView[] inputs, TensorView out, int outer, int[] copyElements, boolean[] rescale, float[] scale,
                float[] bias) {
            this.inputs = inputs;
            this.out = out;
            this.outer = outer;
            this.copyElements = copyElements;
            this.rescale = rescale;
            this.scale = scale;
            this.bias = bias;
            this.elementBytes = out.type().bytes();
            boolean quantized = out.type() == TensorType.INT8 || out.type() == TensorType.UINT8;
            this.outZeroPoint = quantized ? out.zeroPoint() : 0;
            this.min = quantized ? QuantMath.typeMin(out.type()) : 0;
            this.max = quantized ? QuantMath.typeMax(out.type()) : 0;
        }

        @Override
        public void invoke() {
            int position = 0;
            for (int k = 0; k < outer; k++) {
                for (int i = 0; i < inputs.length; i++) {
                    TensorView in = inputs[i];
                    int n = copyElements[i];
                    int from = k * n;
                    if (rescale[i]) {
                        for (int j = 0; j < n; j++) {
                            float v = IntElements.get(in, from + j) * scale[i] + bias[i];
                            int q = QuantMath.roundToInt(v) + outZeroPoint;
                            IntElements.set(out, position + j, QuantMath.clamp(q, min, max));
                        }
                    } else {
                        System.arraycopy(in.data(), in.offset() + from * elementBytes, out.data(),
                                out.offset() + position * elementBytes, n * elementBytes);
                    }
                    position += n;
                }
            }
        }
    }
}
