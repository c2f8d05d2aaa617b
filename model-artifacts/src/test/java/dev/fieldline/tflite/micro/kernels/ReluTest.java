package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.OpModel.q;
import static dev.fieldline.tflite.micro.kernels.OpModel.shape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.writer.BuiltinOptions;
import org.junit.jupiter.api.Test;

class ReluTest {

    private static OpModel unary(int code, int version, BuiltinOptions options, TensorType t, int n, Quantization qin,
            Quantization qout) {
        OpModel m = new OpModel();
        m.input(t, shape(n), qin);
        m.output(t, shape(n), qout);
        return m.op(code, version, options);
    }

    @Test
    void floatRelus() {
        assertThat(unary(BuiltinOperator.RELU, 1, BuiltinOptions.NONE, TensorType.FLOAT32, 3, Quantization.NONE,
                Quantization.NONE).run(-1, 0.5, 7)).containsExactly(0, 0.5, 7);
        assertThat(unary(BuiltinOperator.RELU6, 1, BuiltinOptions.NONE, TensorType.FLOAT32, 3, Quantization.NONE,
                Quantization.NONE).run(-1, 0.5, 7)).containsExactly(0, 0.5, 6);
        assertThat(unary(BuiltinOperator.LEAKY_RELU, 1, new BuiltinOptions.LeakyRelu(0.1f), TensorType.FLOAT32, 3,
                Quantization.NONE, Quantization.NONE).run(-1, 0.5, 7)).containsExactly(-0.1f, 0.5, 7);
    }

    @Test
    void int8ReluRescalesAndClampsAtTheOutputZeroPoint() {
        OpModel relu = unary(BuiltinOperator.RELU, 2, BuiltinOptions.NONE, TensorType.INT8, 4, q(0.5, 10), q(0.25, -5));
        assertThat(relu.run(10, 12, 8, 127)).containsExactly(-5, -1, -5, 127);
        OpModel relu6 = unary(BuiltinOperator.RELU6, 2, BuiltinOptions.NONE, TensorType.INT8, 3, q(0.5, 10), q(0.25, -5));
        // 6 / 0.25 = 24 above the zero point: at most 19
        assertThat(relu6.run(127, 20, 0)).containsExactly(19, 15, -5);
    }

    @Test
    void quantizedReluRoundsTiesUpward() {
        OpModel m = unary(BuiltinOperator.RELU, 2, BuiltinOptions.NONE, TensorType.INT8, 3, q(1, 0), q(2, 0));
        assertThat(m.run(3, 1, 5)).containsExactly(2, 1, 3);
    }

    @Test
    void int8LeakyRelu() {
        OpModel half = unary(BuiltinOperator.LEAKY_RELU, 1, new BuiltinOptions.LeakyRelu(0.5f), TensorType.INT8, 4,
                q(1, 0), q(1, 0));
        // -1.5 rounds to -1 (ties upward in the fixed-point multiply)
        assertThat(half.run(-3, 4, -128, 127)).containsExactly(-1, 4, -64, 127);
        OpModel zp = unary(BuiltinOperator.LEAKY_RELU, 1, new BuiltinOptions.LeakyRelu(0.2f), TensorType.INT8, 2,
                q(0.5, -10), q(0.25, 5));
        // -5.0 * 0.2 = -1.0 -> -4 + 5; 5.0 -> 20 + 5
        assertThat(zp.run(-20, 0)).containsExactly(1, 25);
    }

    @Test
    void int16ReluAndLeakyRelu() {
        OpModel relu = unary(BuiltinOperator.RELU, 3, BuiltinOptions.NONE, TensorType.INT16, 4, q(1.0 / 1024, 0),
                q(1.0 / 512, 0));
        assertThat(relu.run(-100, 1000, -32768, 32767)).containsExactly(0, 500, 0, 16384);
        OpModel leaky = unary(BuiltinOperator.LEAKY_RELU, 2, new BuiltinOptions.LeakyRelu(0.25f), TensorType.INT16, 2,
                q(1.0 / 1024, 0), q(1.0 / 1024, 0));
        assertThat(leaky.run(-1000, 1000)).containsExactly(-250, 1000);
    }

    @Test
    void refusals() {
        assertThat(unary(BuiltinOperator.RELU, 3, BuiltinOptions.NONE, TensorType.INT16, 2, q(0.01, 2), q(0.01, 0))
                .refusal().getMessage()).contains("operator #0 RELU v3", "tensor 0", "zero point of 0");
        assertThat(unary(BuiltinOperator.RELU6, 1, BuiltinOptions.NONE, TensorType.INT32, 2, Quantization.NONE,
                Quantization.NONE).refusal().getMessage()).contains("RELU6 v1", "tensor 0", "int32");
        assertThat(unary(BuiltinOperator.LEAKY_RELU, 1, new BuiltinOptions.LeakyRelu(Float.NaN), TensorType.FLOAT32, 2,
                Quantization.NONE, Quantization.NONE).refusal().getMessage()).contains("LEAKY_RELU v1", "alpha NaN");
        assertThat(unary(BuiltinOperator.RELU, 4, BuiltinOptions.NONE, TensorType.FLOAT32, 2, Quantization.NONE,
                Quantization.NONE).refusal().getMessage()).contains("RELU v4", "supports v1 to v3");
        assertThat(unary(BuiltinOperator.RELU, 2, BuiltinOptions.NONE, TensorType.INT8, 2, q(0.5, 0), Quantization.NONE)
                .refusal().getMessage()).contains("RELU v2", "tensor 1", "quantised tensor is required");
    }
}
