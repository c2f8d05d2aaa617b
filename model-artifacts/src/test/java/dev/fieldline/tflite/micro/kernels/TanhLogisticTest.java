package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.OpModel.q;
import static dev.fieldline.tflite.micro.kernels.OpModel.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.writer.BuiltinOptions;
import org.junit.jupiter.api.Test;

class TanhLogisticTest {

    private static OpModel unary(int code, TensorType t, int n, Quantization qin, Quantization qout) {
        OpModel m = new OpModel();
        m.input(t, shape(n), qin);
        m.output(t, shape(n), qout);
        int version = t == TensorType.INT16 ? 3 : t == TensorType.INT8 ? 2 : 1;
        return m.op(code, version, BuiltinOptions.NONE);
    }

    private static double[] allInt16() {
        double[] x = new double[65536];
        for (int i = 0; i < x.length; i++) {
            x[i] = i - 32768;
        }
        return x;
    }

    @Test
    void floatLogisticAndTanh() {
        assertThat(unary(BuiltinOperator.LOGISTIC, TensorType.FLOAT32, 3, Quantization.NONE, Quantization.NONE).run(0, 2, -50))
                .containsExactly(0.5, (float) (1 / (1 + Math.exp(-2))), (float) (1 / (1 + Math.exp(50))));
        assertThat(unary(BuiltinOperator.TANH, TensorType.FLOAT32, 3, Quantization.NONE, Quantization.NONE).run(0, -0.5, 30))
                .containsExactly(0, (float) Math.tanh(-0.5), 1);
    }

    @Test
    void int8LogisticThroughTheLookupTable() {
        OpModel m = unary(BuiltinOperator.LOGISTIC, TensorType.INT8, 5, q(0.1, 0), q(1.0 / 256, -128));
        // sigmoid(0) = 0.5 -> 128 - 128; sigmoid(1) = 0.731 -> 187 - 128; sigmoid(-1) -> 69 - 128; saturation
        assertThat(m.run(0, 10, -10, 127, -128)).containsExactly(0, 59, -59, 127, -128);
    }

    @Test
    void int8AndUint8TanhThroughTheLookupTable() {
        OpModel m = unary(BuiltinOperator.TANH, TensorType.INT8, 5, q(0.05, 3), q(1.0 / 128, 0));
        // tanh(1) = 0.7616 -> 97.5 -> 97
        assertThat(m.run(3, 23, -17, 127, -128)).containsExactly(0, 97, -97, 127, -128);
        OpModel u = unary(BuiltinOperator.TANH, TensorType.UINT8, 2, q(0.05, 128), q(1.0 / 128, 128));
        assertThat(u.run(148, 128)).containsExactly(225, 128);
    }

    @Test
    void int16LogisticWithPowerOfTwoScaleUsesGemmlowpFixedPoint() {
        double[] x = allInt16();
        double[] y = unary(BuiltinOperator.LOGISTIC, TensorType.INT16, x.length, q(1.0 / 4096, 0), q(1.0 / 32768, 0)).run(x);
        for (int i = 0; i < x.length; i++) {
            assertThat(y[i]).as("logistic(%s / 4096)", x[i]).isCloseTo(32768 / (1 + Math.exp(-x[i] / 4096)), within(6.5));
            if (x[i] != 0 && x[i] != -32768) {
                // gemmlowp computes negative inputs as one minus the positive result
                assertThat(y[i] + y[65536 - i]).isEqualTo(32767);
            }
        }
        assertThat(y[32768]).isEqualTo(16384);
    }

    @Test
    void int16TanhWithPowerOfTwoScalesIsOddAndClose() {
        double[] x = allInt16();
        for (double scale : new double[] {1.0 / 4096, 1.0 / 2048}) {
            double[] y = unary(BuiltinOperator.TANH, TensorType.INT16, x.length, q(scale, 0), q(1.0 / 32768, 0)).run(x);
            for (int i = 1; i < x.length; i++) {
                double ideal = 32768 * Math.tanh(Math.max(-32768, Math.min(32767, x[i] * scale * 4096)) / 4096);
                assertThat(y[i]).as("tanh(%s * %s)", x[i], scale).isCloseTo(Math.min(32767, ideal), within(12.0));
                assertThat(y[i]).isEqualTo(-y[65536 - i]);
            }
        }
    }

    @Test
    void int16WithOtherScalesInterpolatesTheSigmoidTable() {
        double[] x = allInt16();
        double scale = 0.001f;
        double[] s = unary(BuiltinOperator.LOGISTIC, TensorType.INT16, x.length, q(scale, 0), q(1.0 / 32768, 0)).run(x);
        double[] t = unary(BuiltinOperator.TANH, TensorType.INT16, x.length, q(scale, 0), q(1.0 / 32768, 0)).run(x);
        for (int i = 0; i < x.length; i++) {
            assertThat(s[i]).isCloseTo(32768 / (1 + Math.exp(-x[i] * scale)), within(1.5));
            assertThat(t[i]).isCloseTo(Math.min(32767, 32768 * Math.tanh(x[i] * scale)), within(3.0));
        }
    }

    @Test
    void sigmoidTableIsSigmoidInSixteenBitFixedPoint() {
        for (int i = 0; i < 256; i++) {
            assertThat((double) FixedPoint16.sigmoidTable(i)).isCloseTo(65536 / (1 + Math.exp(-i / 24.0)), within(2.1));
        }
    }

    @Test
    void refusesQuantisationTfliteDoesNotSupport() {
        assertThat(unary(BuiltinOperator.LOGISTIC, TensorType.INT8, 2, q(0.1, 0), q(1.0 / 128, 0)).refusal().getMessage())
                .contains("operator #0 LOGISTIC v2", "tensor 1", "1/256");
        assertThat(unary(BuiltinOperator.TANH, TensorType.INT16, 2, q(1.0 / 4096, 0), q(1.0 / 16384, 0)).refusal().getMessage())
                .contains("TANH v3", "tensor 1", "2^-15");
        assertThat(unary(BuiltinOperator.TANH, TensorType.INT16, 2, q(1.0 / 4096, 1), q(1.0 / 32768, 0)).refusal().getMessage())
                .contains("TANH v3", "tensor 0", "zero points of 0");
        assertThat(unary(BuiltinOperator.LOGISTIC, TensorType.INT32, 2, q(1, 0), q(1, 0)).refusal().getMessage())
                .contains("LOGISTIC v1", "int32");
        assertThat(unary(BuiltinOperator.LOGISTIC, TensorType.INT16, 2, q(4.0, 0), q(1.0 / 32768, 0)).refusal().getMessage())
                .contains("LOGISTIC v3", "too large");
    }
}
