package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;

/**
 * SVDF (versions 1 to 3): a fully connected layer factored into a feature filter and a time filter
 * over the last {@code memory_size} activations, which live in the variable state tensor (input 4)
 * and persist across invocations until {@code resetVariableTensors()} zeroes them. The kernel keeps
 * no state of its own; its scratch arrays are overwritten on every invocation.
 *
 * <p>Per invocation, as TFLite 2.6's {@code EvalFloatSVDF}/{@code EvalIntegerSVDF}: shift the whole
 * state left by one element, write the feature filter's output for each filter into the newest
 * (last) slot of that filter's memory, dot each filter's memory with its time weights, sum
 * {@code rank} filters per unit, add the bias, apply the activation.
 *
 * <p>float32: everything in float; fused NONE, RELU, RELU_N1_TO_1, RELU6 or TANH.
 *
 * <p>Full integer (v3; int8 input, int8 weights_feature, int16 weights_time, int32 bias, int16
 * state, int8 output): the feature dot product (input minus its zero point) is rescaled with
 * {@code QuantizeMultiplier(s_in * s_wf / s_state)} and clamped to int16 into the state; the time dot
 * products of int16 values are summed in int32, the bias added, and the sum rescaled with
 * {@code QuantizeMultiplier(s_state * s_wt / s_out)} plus the output zero point, clamped to int8.
 * Both scale ratios are taken in float, as TFLite does. TFLite requires the RELU activation here and
 * applies no clamp beyond int8's range; so do we. Weights and state must be symmetric (zero point
 * 0), which TFLite assumes without checking. Hybrid SVDF (float input, int8 weights) is refused.
 */
final class Svdf {

    private Svdf() {}

    static Kernel prepare(OpContext ctx) {
        ctx.requireInputs(5, 5);
        ctx.requireOutputs(1);
        TensorView input = ctx.input(0);
        TensorView weightsFeature = ctx.input(1);
        TensorView weightsTime = ctx.input(2);
        TensorView bias = ctx.optionalInput(3);
        TensorView state = ctx.input(4);
        TensorView output = ctx.output(0);
        FlatTable options = ctx.options();
        int rank = options == null ? 0 : options.getInt(0, 0);
        int activationCode = options == null ? 0 : options.getByte(1, 0);

        if (input.rank() != 2 || weightsFeature.rank() != 2 || weightsTime.rank() != 2) {
            throw ctx.invalid(input.rank() != 2 ? input : weightsFeature.rank() != 2 ? weightsFeature : weightsTime,
                    "input, weights_feature and weights_time must have rank 2");
        }
        int batch = input.dim(0);
        int inputSize = input.dim(1);
        int filters = weightsFeature.dim(0);
        if (rank < 1 || filters % rank != 0) {
            throw ctx.invalid("rank " + rank + " must be positive and divide the " + filters + " filters");
        }
        int units = filters / rank;
        int memory = weightsTime.dim(1);
        ctx.requireShape(weightsFeature, filters, inputSize);
        if (weightsTime.dim(0) != filters || memory < 1) {
            throw ctx.invalid(weightsTime, "weights_time must be [" + filters + ", memory_size >= 1]");
        }
        if (bias != null) {
            ctx.requireShape(bias, units);
        }
        if (!state.info().variable()) {
            throw ctx.invalid(state, "the state (input 4) must be a variable tensor");
        }
        ctx.requireShape(state, batch, memory * filters);
        ctx.requireShape(output, batch, units);
        for (TensorView w : new TensorView[] {weightsFeature, weightsTime, bias}) {
            if (w != null && !w.isConstant()) {
                throw ctx.unsupported(w, "SVDF weights and bias must be constant tensors");
            }
        }
        Shape shape = new Shape(batch, inputSize, filters, rank, units, memory);
        if (input.type() == TensorType.FLOAT32) {
            ctx.requireType(weightsFeature, TensorType.FLOAT32);
            ctx.requireType(weightsTime, TensorType.FLOAT32);
            ctx.requireType(state, TensorType.FLOAT32);
            ctx.requireType(output, TensorType.FLOAT32);
            if (bias != null) {
                ctx.requireType(bias, TensorType.FLOAT32);
            }
            boolean tanh = activationCode == 4;
            Activation act = tanh ? Activation.NONE : Activation.of(activationCode, ctx);
            ctx.kernelBytes(4L * (weightsFeature.elementCount() + weightsTime.elementCount() + units + batch * filters));
            return new FloatSvdf(shape, input, weightsFeature.toFloatArray(), weightsTime.toFloatArray(),
                    bias == null ? new float[units] : bias.toFloatArray(), state, output, act, tanh);
        }
        ctx.requireType(input, TensorType.INT8);
        ctx.requireType(weightsFeature, TensorType.INT8);
        ctx.requireType(weightsTime, TensorType.INT16);
        ctx.requireType(state, TensorType.INT16);
        ctx.requireType(output, TensorType.INT8);
        if (bias != null) {
            ctx.requireType(bias, TensorType.INT32);
        }
        if (activationCode != Activation.RELU.ordinal()) {
            throw ctx.unsupported("full-integer SVDF supports only the RELU activation (as TFLite), not code "
                    + activationCode);
        }
        Quantize.checkPerTensor(ctx, false, input, weightsFeature, weightsTime, state, output);
        for (TensorView t : new TensorView[] {weightsFeature, weightsTime, state}) {
            if (t.zeroPoint() != 0) {
                throw ctx.unsupported(t, "zero point " + t.zeroPoint() + " (SVDF needs symmetric weights and state)");
            }
        }
        long scale1 = QuantMath.quantizeMultiplier(input.scale() * weightsFeature.scale() / state.scale());
        long scale2 = QuantMath.quantizeMultiplier(state.scale() * weightsTime.scale() / output.scale());
        ctx.kernelBytes(weightsFeature.elementCount() + 2L * weightsTime.elementCount() + 4L * (units + batch * filters));
        return new IntegerSvdf(shape, input, weightsFeature.toInt8Array(), weightsTime.toInt16Array(),
                bias == null ? new int[units] : bias.toInt32Array(), state, output, scale1, scale2);
    }

    private record Shape(int batch, int inputSize, int filters, int rank, int units, int memory) {}

    /**
     * The invocation's three passes, each per batch and filter (or unit): the feature filter into
     * the newest state slot, the time filter into scratch, the rank reduction into the output. The
     * whole state first moves one element towards the start (the oldest activation drops out).
     */
    private abstract static class Passes implements Kernel {
        final Shape s;
        final TensorView input;
        final TensorView state;
        final TensorView output;

        Passes(Shape s, TensorView input, TensorView state, TensorView output) {
            this.s = s;
            this.input = input;
            this.state = state;
            this.output = output;
        }

        @Override
        public final void invoke() {
            int elementBytes = state.type().bytes();
            System.arraycopy(state.data(), state.offset() + elementBytes, state.data(), state.offset(),
                    state.byteSize() - elementBytes);
            for (int b = 0; b < s.batch; b++) {
                for (int f = 0; f < s.filters; f++) {
                    feature(b, f, (b * s.filters + f) * s.memory + s.memory - 1);
                }
            }
            for (int b = 0; b < s.batch; b++) {
                for (int f = 0; f < s.filters; f++) {
                    time(b * s.filters + f, f * s.memory, (b * s.filters + f) * s.memory);
                }
            }
            for (int b = 0; b < s.batch; b++) {
                for (int u = 0; u < s.units; u++) {
                    unit(b * s.units + u, u);
                }
            }
        }

        /** Writes the feature filter {@code f}'s output for batch {@code b} into state element {@code slot}. */
        abstract void feature(int b, int f, int slot);

        /** Dots the memory at state element {@code memory} with the time weights at {@code weights}. */
        abstract void time(int scratchIndex, int weights, int memory);

        /** Sums the rank filters of unit {@code u}, adds the bias and writes output element {@code o}. */
        abstract void unit(int o, int u);
    }

    private static final class FloatSvdf extends Passes {
        private final float[] weightsFeature;
        private final float[] weightsTime;
        private final float[] bias;
        private final float min;
        private final float max;
        private final boolean tanh;
        private final float[] scratch;

        FloatSvdf(Shape s, TensorView input, float[] weightsFeature, float[] weightsTime, float[] bias,
                TensorView state, TensorView output, Activation act, boolean tanh) {
            super(s, input, state, output);
            this.weightsFeature = weightsFeature;
            this.weightsTime = weightsTime;
            this.bias = bias;
            this.min = act == Activation.NONE ? Float.NEGATIVE_INFINITY : act.floatMin();
            this.max = act == Activation.NONE ? Float.POSITIVE_INFINITY : act.floatMax();
            this.tanh = tanh;
            this.scratch = new float[s.batch * s.filters];
        }

        @Override
        void feature(int b, int f, int slot) {
            float dot = 0f;
            int w = f * s.inputSize;
            int x = b * s.inputSize;
            for (int c = 0; c < s.inputSize; c++) {
                dot += weightsFeature[w + c] * input.getFloat(x + c);
            }
            state.setFloat(slot, dot);
        }

        @Override
        void time(int scratchIndex, int weights, int memory) {
            float dot = 0f;
            for (int t = 0; t < s.memory; t++) {
                dot += weightsTime[weights + t] * state.getFloat(memory + t);
            }
            scratch[scratchIndex] = dot;
        }

        @Override
        void unit(int o, int u) {
            float sum = 0f;
            for (int r = 0; r < s.rank; r++) {
                sum += scratch[o * s.rank + r];
            }
            sum += bias[u];
            output.setFloat(o, tanh ? (float) Math.tanh(sum) : Activation.clamp(sum, min, max));
        }
    }

    private static final class IntegerSvdf extends Passes {
        private final byte[] weightsFeature;
        private final short[] weightsTime;
        private final int[] bias;
        private final int inputZeroPoint;
        private final int outputZeroPoint;
        private final int multiplier1;
        private final int shift1;
        private final int multiplier2;
        private final int shift2;
        private final int[] scratch;

        IntegerSvdf(Shape s, TensorView input, byte[] weightsFeature, short[] weightsTime, int[] bias,
                TensorView state, TensorView output, long scale1, long scale2) {
            super(s, input, state, output);
            this.weightsFeature = weightsFeature;
            this.weightsTime = weightsTime;
            this.bias = bias;
            this.inputZeroPoint = input.zeroPoint();
            this.outputZeroPoint = output.zeroPoint();
            this.multiplier1 = QuantMath.multiplier(scale1);
            this.shift1 = QuantMath.shift(scale1);
            this.multiplier2 = QuantMath.multiplier(scale2);
            this.shift2 = QuantMath.shift(scale2);
            this.scratch = new int[s.batch * s.filters];
        }

        @Override
        void feature(int b, int f, int slot) {
            int dot = 0;
            int w = f * s.inputSize;
            int x = b * s.inputSize;
            for (int c = 0; c < s.inputSize; c++) {
                dot += weightsFeature[w + c] * (input.getInt8(x + c) - inputZeroPoint);
            }
            dot = QuantMath.multiplyByQuantizedMultiplier(dot, multiplier1, shift1);
            state.setInt16(slot, (short) QuantMath.clamp(dot, Short.MIN_VALUE, Short.MAX_VALUE));
        }

        @Override
        void time(int scratchIndex, int weights, int memory) {
            int dot = 0;
            for (int t = 0; t < s.memory; t++) {
                dot += weightsTime[weights + t] * state.getInt16(memory + t);
            }
            scratch[scratchIndex] = dot;
        }

        @Override
        void unit(int o, int u) {
            int sum = 0;
            for (int r = 0; r < s.rank; r++) {
                sum += scratch[o * s.rank + r];
            }
            sum += bias[u];
            int v = QuantMath.multiplyByQuantizedMultiplier(sum, multiplier2, shift2) + outputZeroPoint;
            output.setInt8(o, (byte) QuantMath.clamp(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
        }
    }
}
