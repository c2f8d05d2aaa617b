package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.SingleOp.q;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.Padding;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Conv2DTest {

    private static BuiltinOptions.Conv2D options(Padding p, int stride, int dilation, Activation a) {
        return new BuiltinOptions.Conv2D(p, stride, stride, a, dilation, dilation);
    }

    private static float[] ones(int n) {
        float[] f = new float[n];
        Arrays.fill(f, 1f);
        return f;
    }

    private static double[] ramp(int from, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = from + i;
        }
        return d;
    }

    /** A float convolution of a single-channel image with an all-ones filter: window sums. */
    private static float[] windowSums(int size, int kernel, Padding p, int stride, int dilation, int outSize) {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, size, size, 1}, Quantization.NONE);
        int w = t.floats(new int[] {1, kernel, kernel, 1}, ones(kernel * kernel));
        int b = t.builder().addConstantFloat("bias", new int[] {1}, new float[] {0});
        t.output(TensorType.FLOAT32, new int[] {1, outSize, outSize, 1}, Quantization.NONE);
        t.op(BuiltinOperator.CONV_2D, 1, options(p, stride, dilation, Activation.NONE), in, w, b);
        try (MicroInterpreter s = t.load()) {
            return SingleOp.run(s, ramp(1, size * size)).floats();
        }
    }

    @Test
    void samePaddingSumsOnlyTheInputUnderTheWindow() {
        assertThat(windowSums(3, 3, Padding.SAME, 1, 1, 3)).containsExactly(12, 21, 16, 27, 45, 33, 24, 39, 28);
    }

    @Test
    void samePaddingWithStrideTwoPadsTheOddElementAfter() {
        // 4x4 input, 3x3 filter, stride 2: total padding 1, none before, one after
        assertThat(windowSums(4, 3, Padding.SAME, 2, 1, 2)).containsExactly(54, 45, 72, 54);
    }

    @Test
    void dilationSpreadsTheTaps() {
        // 5x5 input (1..25), 2x2 filter with dilation 2 (effective 3x3), VALID: taps (y, x), (y, x+2), (y+2, x), (y+2, x+2)
        float[] out = windowSums(5, 2, Padding.VALID, 1, 2, 3);
        assertThat(out).containsExactly(28, 32, 36, 48, 52, 56, 68, 72, 76);
    }

    @Test
    void int8PerChannelRoundsLikeTflitesX86Gemm() {
        // input scale 1, output scale 1, channel scales 0.5 and 0.25. TFLite 2.6's int8 CONV_2D runs
        // through ruy on x86, which rounds once, half up: -0.5 -> 0 and -1.5 -> -1 (its reference kernel
        // would give -1 and -2).
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 1, 1, 1}, q(1, 0));
        int w = t.int8(new int[] {2, 1, 1, 1}, SingleOp.perChannel(0, 0.5, 0.25), 1, 1);
        int b = t.int32(Quantization.NONE, 0, 0);
        t.output(TensorType.INT8, new int[] {1, 1, 1, 2}, q(1, 0));
        t.op(BuiltinOperator.CONV_2D, 3, options(Padding.VALID, 1, 1, Activation.NONE), in, w, b);
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, -2).ints()).containsExactly(-1, 0);
            assertThat(SingleOp.run(s, -6).ints()).containsExactly(-3, -1);
            assertThat(SingleOp.run(s, 2).ints()).containsExactly(1, 1);
            assertThat(SingleOp.run(s, 6).ints()).containsExactly(3, 2);
        }
    }

    @Test
    void int8ZeroPointsAndRelu6() {
        // input scale 0.5 zp 3, weight 4 at scale 0.5 (2.0), output scale 0.25 zp -10: out = 4 * (x - 3) - 10,
        // RELU6 clamps to [q(0), q(6)] = [-10, 14]
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 1, 3, 1}, q(0.5, 3));
        int w = t.int8(new int[] {1, 1, 1, 1}, q(0.5, 0), 4);
        int b = t.int32(q(0.25, 0), 0);
        t.output(TensorType.INT8, new int[] {1, 1, 3, 1}, q(0.25, -10));
        t.op(BuiltinOperator.CONV_2D, 3, options(Padding.SAME, 1, 1, Activation.RELU6), in, w, b);
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, 7, 13, -1).ints()).containsExactly(6, 14, -10);
        }
    }

    @Test
    void int16WithInt64BiasAndInt32Bias() {
        // multiplier 1/512: accumulator -256 is -0.5; the 64-bit path rounds up (0), the 32-bit path
        // (int32 bias) away from zero (-1)
        assertThat(int16Conv(false, -256)).isEqualTo(0);
        assertThat(int16Conv(true, -256)).isEqualTo(-1);
        assertThat(int16Conv(false, 1280)).isEqualTo(3); // 2.5 -> 3
    }

    private static int int16Conv(boolean int32Bias, int x) {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT16, new int[] {1, 1, 1, 1}, q(1.0 / 256, 0));
        int w = t.int8(new int[] {1, 1, 1, 1}, q(1.0 / 128, 0), 1);
        int b = int32Bias ? t.int32(Quantization.NONE, 0) : t.int64(Quantization.NONE, 0);
        t.output(TensorType.INT16, new int[] {1, 1, 1, 1}, q(1.0 / 64, 0));
        t.op(BuiltinOperator.CONV_2D, int32Bias ? 8 : 4, options(Padding.VALID, 1, 1, Activation.NONE), in, w, b);
        try (MicroInterpreter s = t.load()) {
            return SingleOp.run(s, x).ints()[0];
        }
    }

    @Test
    void refusesHybridAndGroupedConvolution() {
        SingleOp hybrid = new SingleOp();
        int in = hybrid.input(TensorType.FLOAT32, new int[] {1, 2, 2, 1}, Quantization.NONE);
        int w = hybrid.int8(new int[] {1, 1, 1, 1}, q(0.1, 0), 1);
        int b = hybrid.builder().addConstantFloat("bias", new int[] {1}, new float[] {0});
        hybrid.output(TensorType.FLOAT32, new int[] {1, 2, 2, 1}, Quantization.NONE);
        hybrid.op(BuiltinOperator.CONV_2D, 2, options(Padding.SAME, 1, 1, Activation.NONE), in, w, b);
        hybrid.refused(ModelException.Reason.UNSUPPORTED, "operator #0 CONV_2D v2").hasMessageContaining("tensor " + w)
                .hasMessageContaining("hybrid");

        SingleOp grouped = new SingleOp();
        in = grouped.input(TensorType.FLOAT32, new int[] {1, 2, 2, 4}, Quantization.NONE);
        w = grouped.floats(new int[] {2, 1, 1, 2}, 1, 1, 1, 1);
        grouped.output(TensorType.FLOAT32, new int[] {1, 2, 2, 2}, Quantization.NONE);
        grouped.op(BuiltinOperator.CONV_2D, 6, options(Padding.SAME, 1, 1, Activation.NONE), in, w);
        grouped.refused(ModelException.Reason.UNSUPPORTED, "operator #0 CONV_2D v6").hasMessageContaining("tensor " + w)
                .hasMessageContaining("grouped");
    }

    @Test
    void refusesAWrongOutputShape() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 4, 4, 1}, Quantization.NONE);
        int w = t.floats(new int[] {1, 3, 3, 1}, ones(9));
        int out = t.output(TensorType.FLOAT32, new int[] {1, 4, 4, 1}, Quantization.NONE);
        t.op(BuiltinOperator.CONV_2D, 1, options(Padding.VALID, 1, 1, Activation.NONE), in, w);
        t.refused(ModelException.Reason.INVALID, "operator #0 CONV_2D v1").hasMessageContaining("tensor " + out)
                .hasMessageContaining("[1, 2, 2, 1] is required");
    }

    @Test
    void refusesPerChannelScalesOnTheWrongAxisAndFilterZeroPoints() {
        SingleOp axis = new SingleOp();
        int in = axis.input(TensorType.INT8, new int[] {1, 1, 1, 2}, q(1, 0));
        int w = axis.int8(new int[] {2, 1, 1, 2}, SingleOp.perChannel(3, 0.5, 0.25), 1, 1, 1, 1);
        axis.output(TensorType.INT8, new int[] {1, 1, 1, 2}, q(1, 0));
        axis.op(BuiltinOperator.CONV_2D, 3, options(Padding.VALID, 1, 1, Activation.NONE), in, w);
        axis.refused(ModelException.Reason.UNSUPPORTED, "CONV_2D v3").hasMessageContaining("tensor " + w)
                .hasMessageContaining("axis 3");

        SingleOp zp = new SingleOp();
        in = zp.input(TensorType.INT8, new int[] {1, 1, 1, 1}, q(1, 0));
        w = zp.int8(new int[] {1, 1, 1, 1}, q(0.5, 4), 1);
        zp.output(TensorType.INT8, new int[] {1, 1, 1, 1}, q(1, 0));
        zp.op(BuiltinOperator.CONV_2D, 3, options(Padding.VALID, 1, 1, Activation.NONE), in, w);
        zp.refused(ModelException.Reason.UNSUPPORTED, "CONV_2D v3").hasMessageContaining("tensor " + w)
                .hasMessageContaining("zero point 4");
    }

    @Test
    void refusesInt16WithAZeroPoint() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT16, new int[] {1, 1, 1, 1}, q(1.0 / 256, 3));
        int w = t.int8(new int[] {1, 1, 1, 1}, q(1.0 / 128, 0), 1);
        t.output(TensorType.INT16, new int[] {1, 1, 1, 1}, q(1.0 / 64, 0));
        t.op(BuiltinOperator.CONV_2D, 4, options(Padding.VALID, 1, 1, Activation.NONE), in, w);
        t.refused(ModelException.Reason.UNSUPPORTED, "CONV_2D v4").hasMessageContaining("tensor " + in)
                .hasMessageContaining("zero point 3");
    }
}
