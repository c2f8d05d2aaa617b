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

class DepthwiseConv2DTest {

    private static BuiltinOptions.DepthwiseConv2D options(Padding p, int stride, int multiplier, int dilation,
            Activation a) {
        return new BuiltinOptions.DepthwiseConv2D(p, stride, stride, multiplier, a, dilation, dilation);
    }

    @Test
    void depthMultiplierFeedsEachInputChannelToConsecutiveOutputs() {
        // 2x2 image, 2 channels: pixel values (1,10) (2,20) (3,30) (4,40); 2x2 VALID window; m = 2:
        // outputs 0,1 from channel 0 with weights 1 and 2, outputs 2,3 from channel 1 with 1 and -1
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 2, 2, 2}, Quantization.NONE);
        float[] w = new float[16];
        for (int tap = 0; tap < 4; tap++) {
            w[tap * 4] = 1;
            w[tap * 4 + 1] = 2;
            w[tap * 4 + 2] = 1;
            w[tap * 4 + 3] = -1;
        }
        int wt = t.floats(new int[] {1, 2, 2, 4}, w);
        int b = t.builder().addConstantFloat("bias", new int[] {4}, new float[] {0.5f, 0, 0, 1});
        t.output(TensorType.FLOAT32, new int[] {1, 1, 1, 4}, Quantization.NONE);
        t.op(BuiltinOperator.DEPTHWISE_CONV_2D, 1, options(Padding.VALID, 1, 2, 1, Activation.NONE), in, wt, b);
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, 1, 10, 2, 20, 3, 30, 4, 40).floats()).containsExactly(10.5f, 20f, 100f, -99f);
        }
    }

    @Test
    void paddingContributesRealZeroWhateverTheInputZeroPoint() {
        // 3x3 image at its zero point 5 (real 0) but for the centre; 3x3 SAME with all-ones weights:
        // every window contains the centre and nothing else, per channel (scales 1 and 0.5)
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 3, 3, 2}, q(1, 5));
        int[] ones = new int[18];
        Arrays.fill(ones, 1);
        int w = t.int8(new int[] {1, 3, 3, 2}, SingleOp.perChannel(3, 1, 0.5), ones);
        int b = t.int32(Quantization.NONE, 0, 0);
        t.output(TensorType.INT8, new int[] {1, 3, 3, 2}, q(1, 0));
        t.op(BuiltinOperator.DEPTHWISE_CONV_2D, 3, options(Padding.SAME, 1, 1, 1, Activation.NONE), in, w, b);
        double[] image = new double[18];
        Arrays.fill(image, 5);
        image[8] = 8; // centre, channel 0: real 3
        image[9] = 9; // centre, channel 1: real 4
        try (MicroInterpreter s = t.load()) {
            int[] out = SingleOp.run(s, image).ints();
            for (int p = 0; p < 9; p++) {
                assertThat(out[2 * p]).as("pixel %d channel 0", p).isEqualTo(3);
                assertThat(out[2 * p + 1]).as("pixel %d channel 1", p).isEqualTo(2);
            }
        }
    }

    @Test
    void strideAndDilation() {
        // 5x5 ramp, 2x2 filter of ones with dilation 2, stride 2, VALID: windows at (0,0) (0,2) (2,0) (2,2)
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 5, 5, 1}, q(1, 0));
        int w = t.int8(new int[] {1, 2, 2, 1}, q(1, 0), 1, 1, 1, 1);
        int b = t.int32(Quantization.NONE, 0);
        t.output(TensorType.INT8, new int[] {1, 2, 2, 1}, q(1, 0));
        t.op(BuiltinOperator.DEPTHWISE_CONV_2D, 3, options(Padding.VALID, 2, 1, 2, Activation.NONE), in, w, b);
        double[] ramp = new double[25];
        for (int i = 0; i < 25; i++) {
            ramp[i] = i;
        }
        try (MicroInterpreter s = t.load()) {
            // window (y, x): 4 * (5y + x) + 24
            assertThat(SingleOp.run(s, ramp).ints()).containsExactly(24, 32, 64, 72);
        }
    }

    @Test
    void int16WithInt64BiasRoundsHalfUp() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT16, new int[] {1, 1, 1, 1}, q(1.0 / 256, 0));
        int w = t.int8(new int[] {1, 1, 1, 1}, q(1.0 / 128, 0), 1);
        int b = t.int64(Quantization.NONE, 512);
        t.output(TensorType.INT16, new int[] {1, 1, 1, 1}, q(1.0 / 64, 0));
        t.op(BuiltinOperator.DEPTHWISE_CONV_2D, 5, options(Padding.VALID, 1, 1, 1, Activation.NONE), in, w, b);
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, -768).ints()).containsExactly(0); // (-768 + 512) / 512 = -0.5 -> 0
            assertThat(SingleOp.run(s, -1280).ints()).containsExactly(-1); // -1.5 -> -1
            assertThat(SingleOp.run(s, 256).ints()).containsExactly(2); // 1.5 -> 2
        }
    }

    @Test
    void refusesAnInconsistentDepthMultiplier() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 2, 2, 2}, Quantization.NONE);
        int w = t.floats(new int[] {1, 1, 1, 4}, 1, 1, 1, 1);
        t.output(TensorType.FLOAT32, new int[] {1, 2, 2, 4}, Quantization.NONE);
        t.op(BuiltinOperator.DEPTHWISE_CONV_2D, 1, options(Padding.SAME, 1, 3, 1, Activation.NONE), in, w);
        t.refused(ModelException.Reason.INVALID, "operator #0 DEPTHWISE_CONV_2D v1").hasMessageContaining("tensor " + w)
                .hasMessageContaining("depth_multiplier 3");
    }

    @Test
    void refusesAFilterWhoseFirstDimensionIsNotOne() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 2, 2, 1}, Quantization.NONE);
        int w = t.floats(new int[] {2, 1, 1, 1}, 1, 1);
        t.output(TensorType.FLOAT32, new int[] {1, 2, 2, 1}, Quantization.NONE);
        t.op(BuiltinOperator.DEPTHWISE_CONV_2D, 1, options(Padding.SAME, 1, 1, 1, Activation.NONE), in, w);
        t.refused(ModelException.Reason.INVALID, "DEPTHWISE_CONV_2D v1").hasMessageContaining("tensor " + w);
    }

    @Test
    void refusesMismatchedTypes() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 2, 2, 1}, q(1, 0));
        int w = t.int8(new int[] {1, 1, 1, 1}, q(1, 0), 1);
        int out = t.output(TensorType.INT16, new int[] {1, 2, 2, 1}, q(1, 0));
        t.op(BuiltinOperator.DEPTHWISE_CONV_2D, 3, options(Padding.SAME, 1, 1, 1, Activation.NONE), in, w);
        t.refused(ModelException.Reason.UNSUPPORTED, "DEPTHWISE_CONV_2D v3").hasMessageContaining("tensor " + out);
    }
}
