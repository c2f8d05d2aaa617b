package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.OpModel.q;
import static dev.fieldline.tflite.micro.kernels.OpModel.shape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.writer.BuiltinOptions;
import org.junit.jupiter.api.Test;

class ArithmeticTest {

    private static OpModel binary(int code, int version, TensorType t, int[] a, Quantization qa, int[] b, Quantization qb,
            int[] out, Quantization qo, BuiltinOptions options) {
        OpModel m = new OpModel();
        m.input(t, a, qa);
        m.input(t, b, qb);
        m.output(t, out, qo);
        return m.op(code, version, options);
    }

    private static OpModel floatOp(int code, int[] a, int[] b, int[] out, Activation act) {
        BuiltinOptions o = code == BuiltinOperator.ADD ? new BuiltinOptions.Add(act, true)
                : code == BuiltinOperator.SUB ? new BuiltinOptions.Sub(act, true) : new BuiltinOptions.Mul(act);
        return binary(code, 1, TensorType.FLOAT32, a, Quantization.NONE, b, Quantization.NONE, out, Quantization.NONE, o);
    }

    @Test
    void floatAddBroadcastsATrailingVector() {
        OpModel m = floatOp(BuiltinOperator.ADD, shape(2, 3), shape(3), shape(2, 3), Activation.NONE);
        m.set(0, 1, 2, 3, 4, 5, 6).set(1, 10, 20, 30).invoke();
        assertThat(m.get(0)).containsExactly(11, 22, 33, 14, 25, 36);
    }

    @Test
    void floatMulBroadcastsBothWaysIntoAnOuterProduct() {
        OpModel m = floatOp(BuiltinOperator.MUL, shape(2, 1), shape(1, 3), shape(2, 3), Activation.NONE);
        m.set(0, 2, -1).set(1, 1, 2, 3).invoke();
        assertThat(m.get(0)).containsExactly(2, 4, 6, -1, -2, -3);
    }

    @Test
    void floatSubWithRelu6AndHigherRankBroadcast() {
        OpModel m = floatOp(BuiltinOperator.SUB, shape(2, 1, 2), shape(3, 1), shape(2, 3, 2), Activation.RELU6);
        m.set(0, 10, 0, 4, 5).set(1, 1, 2, 3).invoke();
        assertThat(m.get(0)).containsExactly(6, 0, 6, 0, 6, 0, 3, 4, 2, 3, 1, 2);
    }

    @Test
    void floatOverflowIsClampedToTheLargestFloatAsTfliteDoes() {
        OpModel m = floatOp(BuiltinOperator.ADD, shape(2), shape(2), shape(2), Activation.NONE);
        m.set(0, Float.MAX_VALUE, -Float.MAX_VALUE).set(1, Float.MAX_VALUE, -Float.MAX_VALUE).invoke();
        assertThat(m.get(0)).containsExactly(Float.MAX_VALUE, -Float.MAX_VALUE);
    }

    @Test
    void int8AddRoundsHalvesAwayFromZero() {
        // 1.5 + 1.0 = 2.5 -> 3 and -2.5 -> -3 at output scale 1
        OpModel m = binary(BuiltinOperator.ADD, 2, TensorType.INT8, shape(3), q(0.5, 0), shape(3), q(0.5, 0), shape(3),
                q(1, 0), new BuiltinOptions.Add(Activation.NONE, true));
        m.set(0, 3, -3, 100).set(1, 2, -2, 100).invoke();
        assertThat(m.get(0)).containsExactly(3, -3, 100);
    }

    @Test
    void int8AddWithZeroPointsBroadcastAndRelu() {
        // a = 0.1 (q - 5), b = 0.2 (q + 3), out = 0.25 (q - 10), RELU clamps at the output zero point
        OpModel m = binary(BuiltinOperator.ADD, 2, TensorType.INT8, shape(2, 2), q(0.1, 5), shape(1, 2), q(0.2, -3),
                shape(2, 2), q(0.25, 10), new BuiltinOptions.Add(Activation.RELU, true));
        m.set(0, 15, 5, -128, 127).set(1, 2, -13).invoke();
        // (1.0 + 1.0) / 0.25 = 8 -> 18; (0 - 2.0) -> 10 (relu); (-13.3 + 1.0) -> 10; (12.2 - 2.0) = 10.2 / 0.25 = 40.8 -> 51
        assertThat(m.get(0)).containsExactly(18, 10, 10, 51);
    }

    @Test
    void int8SubSaturates() {
        OpModel m = binary(BuiltinOperator.SUB, 2, TensorType.INT8, shape(3), q(1, 0), shape(3), q(1, 0), shape(3),
                q(1, 0), new BuiltinOptions.Sub(Activation.NONE, true));
        m.set(0, 127, -128, 7).set(1, -128, 127, 9).invoke();
        assertThat(m.get(0)).containsExactly(127, -128, -2);
    }

    @Test
    void int16PowerOfTwoAddShiftsTheFinerInputWithRoundingAndSaturates() {
        // output and a at 2^-10, b at 2^-12: b / 4 rounded half away from zero, sum saturated to int16
        OpModel m = binary(BuiltinOperator.ADD, 1, TensorType.INT16, shape(4), q(1.0 / 1024, 0), shape(4), q(1.0 / 4096, 0),
                shape(4), q(1.0 / 1024, 0), new BuiltinOptions.Add(Activation.NONE, true));
        m.set(0, 100, 100, 32767, -32768).set(1, 6, -6, 32767, -32768).invoke();
        assertThat(m.get(0)).containsExactly(102, 98, 32767, -32768);
    }

    @Test
    void int16PowerOfTwoSubKeepsTheOperandOrder() {
        OpModel m = binary(BuiltinOperator.SUB, 1, TensorType.INT16, shape(2), q(1.0 / 4096, 0), shape(2), q(1.0 / 1024, 0),
                shape(2), q(1.0 / 1024, 0), new BuiltinOptions.Sub(Activation.NONE, true));
        m.set(0, 6, -6).set(1, 100, 100).invoke();
        assertThat(m.get(0)).containsExactly(-98, -102);
    }

    @Test
    void int16GeneralScaleAddWhenPotScaleIsOff() {
        OpModel m = binary(BuiltinOperator.ADD, 3, TensorType.INT16, shape(3), q(0.001, 0), shape(1), q(0.003, 0), shape(3),
                q(0.002, 0), new BuiltinOptions.Add(Activation.NONE, false));
        m.set(0, 1000, -20000, 30000).set(1, 1000).invoke();
        // (1.0 + 3.0) / 0.002 = 2000; (-20 + 3) = -8500; (30 + 3) / 0.002 = 16500
        assertThat(m.get(0)).containsExactly(2000, -8500, 16500);
    }

    @Test
    void int8MulWithBroadcastAndSaturation() {
        OpModel m = binary(BuiltinOperator.MUL, 2, TensorType.INT8, shape(4), q(0.5, 0), shape(1), q(0.25, 2), shape(4),
                q(0.1, -1), new BuiltinOptions.Mul(Activation.NONE));
        m.set(0, 4, -4, 127, 0).set(1, 10).invoke();
        // b = 2.0: 2*2 = 4 -> 40 - 1 = 39; -4 -> -41; 127 -> 635 saturates; 0 -> -1
        assertThat(m.get(0)).containsExactly(39, -41, 127, -1);
    }

    @Test
    void int16Mul() {
        OpModel m = binary(BuiltinOperator.MUL, 4, TensorType.INT16, shape(2), q(1.0 / 256, 0), shape(2), q(1.0 / 256, 0),
                shape(2), q(1.0 / 128, 0), new BuiltinOptions.Mul(Activation.NONE));
        m.set(0, 512, -384).set(1, 768, 256).invoke();
        // 2 * 3 = 6 -> 768; -1.5 * 1 -> -192
        assertThat(m.get(0)).containsExactly(768, -192);
    }

    @Test
    void int32WrapsAndClampsToTheActivationRange() {
        OpModel add = binary(BuiltinOperator.ADD, 1, TensorType.INT32, shape(3), Quantization.NONE, shape(3),
                Quantization.NONE, shape(3), Quantization.NONE, new BuiltinOptions.Add(Activation.RELU6, true));
        add.set(0, 2, -5, 100).set(1, 3, 1, 1).invoke();
        assertThat(add.get(0)).containsExactly(5, 0, 6);
        OpModel mul = binary(BuiltinOperator.MUL, 1, TensorType.INT32, shape(1), Quantization.NONE, shape(1),
                Quantization.NONE, shape(1), Quantization.NONE, new BuiltinOptions.Mul(Activation.NONE));
        mul.set(0, 65536).set(1, 65536).invoke();
        assertThat(mul.get(0)).containsExactly(0); // wraps like the C++ int32 product
    }

    @Test
    void int64Add() {
        OpModel m = binary(BuiltinOperator.ADD, 4, TensorType.INT64, shape(1), Quantization.NONE, shape(1),
                Quantization.NONE, shape(1), Quantization.NONE, new BuiltinOptions.Add(Activation.NONE, true));
        m.set(0, 1L << 40).set(1, 5).invoke();
        assertThat(m.get(0)).containsExactly((double) ((1L << 40) + 5));
    }

    @Test
    void refusesShapesThatDoNotBroadcast() {
        OpModel m = floatOp(BuiltinOperator.ADD, shape(2, 3), shape(2), shape(2, 3), Activation.NONE);
        ModelException e = m.refusal();
        assertThat(e.reason()).isEqualTo(ModelException.Reason.INVALID);
        assertThat(e.getMessage()).contains("operator #0 ADD v1", "tensor 1", "does not broadcast");
    }

    @Test
    void refusesAnOutputShapeOtherThanTheBroadcastShape() {
        assertThat(floatOp(BuiltinOperator.MUL, shape(2, 1), shape(1, 3), shape(3, 2), Activation.NONE).refusal()
                .getMessage()).contains("MUL v1", "tensor 2", "[2, 3] is required");
    }

    @Test
    void refusesUnsupportedTypesVersionsAndQuantisation() {
        OpModel bool = binary(BuiltinOperator.ADD, 1, TensorType.BOOL, shape(2), Quantization.NONE, shape(2),
                Quantization.NONE, shape(2), Quantization.NONE, new BuiltinOptions.Add(Activation.NONE, true));
        assertThat(bool.refusal().getMessage()).contains("ADD v1", "tensor 0", "bool");

        OpModel v5 = binary(BuiltinOperator.ADD, 5, TensorType.INT16, shape(2), Quantization.NONE, shape(2),
                Quantization.NONE, shape(2), Quantization.NONE, new BuiltinOptions.Add(Activation.NONE, false));
        assertThat(v5.refusal().getMessage()).contains("ADD v5", "supports v1 to v4");

        OpModel zp = binary(BuiltinOperator.SUB, 5, TensorType.INT16, shape(2), q(0.01, 4), shape(2), q(0.01, 0), shape(2),
                q(0.01, 0), new BuiltinOptions.Sub(Activation.NONE, false));
        assertThat(zp.refusal().getMessage()).contains("SUB v5", "tensor 0", "zero point of 0");

        OpModel potBroadcast = binary(BuiltinOperator.ADD, 1, TensorType.INT16, shape(2, 2), q(1.0 / 1024, 0), shape(2),
                q(1.0 / 1024, 0), shape(2, 2), q(1.0 / 1024, 0), new BuiltinOptions.Add(Activation.NONE, true));
        assertThat(potBroadcast.refusal().getMessage()).contains("ADD v1", "does not broadcast");

        OpModel tanh = floatOp(BuiltinOperator.ADD, shape(2), shape(2), shape(2), Activation.TANH);
        assertThat(tanh.refusal().getMessage()).contains("fused activation TANH");
    }
}
