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

class ConcatenationTest {

    private static OpModel concat(TensorType t, int axis, Activation act, int[] out, Quantization qo, Object... inputs) {
        OpModel m = new OpModel();
        for (int i = 0; i < inputs.length; i += 2) {
            m.input(t, (int[]) inputs[i], (Quantization) inputs[i + 1]);
        }
        m.output(t, out, qo);
        int version = t == TensorType.INT8 ? 2 : t == TensorType.INT16 ? 3 : 1;
        return m.op(BuiltinOperator.CONCATENATION, version, new BuiltinOptions.Concatenation(axis, act));
    }

    @Test
    void floatAlongTheLastAxisCountedFromTheEnd() {
        Quantization n = Quantization.NONE;
        OpModel m = concat(TensorType.FLOAT32, -1, Activation.NONE, shape(2, 3), n, shape(2, 2), n, shape(2, 1), n);
        m.set(0, 1, 2, 3, 4).set(1, 5, 6).invoke();
        assertThat(m.get(0)).containsExactly(1, 2, 5, 3, 4, 6);
    }

    @Test
    void int8AlongTheFirstAxis() {
        Quantization s = q(0.1, 3);
        OpModel m = concat(TensorType.INT8, 0, Activation.NONE, shape(3, 3), s, shape(1, 3), s, shape(2, 3), s);
        m.set(0, -1, -2, -3).set(1, 1, 2, 3, 4, 5, 6).invoke();
        assertThat(m.get(0)).containsExactly(-1, -2, -3, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void threeInputsAlongAMiddleAxis() {
        Quantization n = Quantization.NONE;
        OpModel m = concat(TensorType.INT32, 1, Activation.NONE, shape(2, 4, 2), n, shape(2, 1, 2), n, shape(2, 2, 2), n,
                shape(2, 1, 2), n);
        m.set(0, 1, 2, 3, 4).set(1, 5, 6, 7, 8, 9, 10, 11, 12).set(2, 13, 14, 15, 16).invoke();
        assertThat(m.get(0)).containsExactly(1, 2, 5, 6, 7, 8, 13, 14, 3, 4, 9, 10, 11, 12, 15, 16);
    }

    @Test
    void uint8InputsWithOtherScalesAreRequantisedInFloatAsTfliteDoes() {
        OpModel m = concat(TensorType.UINT8, 0, Activation.NONE, shape(6), q(1, 128), shape(2), q(1, 128), shape(4),
                q(0.5, 100));
        m.set(0, 7, 200).set(1, 101, 99, 255, 0).invoke();
        // (q - 100) * 0.5, rounded half away from zero: 0.5 -> 1, -0.5 -> -1, 77.5 -> 78, -50
        assertThat(m.get(0)).containsExactly(7, 200, 129, 127, 206, 78);
    }

    @Test
    void int8InputsWithOtherScalesAreRequantisedWithTheSameArithmetic() {
        OpModel m = concat(TensorType.INT8, 0, Activation.NONE, shape(3), q(0.5, 0), shape(1), q(0.5, 0), shape(2),
                q(1, -10));
        m.set(0, -7).set(1, 0, 127).invoke();
        assertThat(m.get(0)).containsExactly(-7, 20, 127);
    }

    @Test
    void refusesInconsistentShapesAxesAndOptions() {
        Quantization n = Quantization.NONE;
        ModelException e = concat(TensorType.FLOAT32, 1, Activation.NONE, shape(2, 3), n, shape(2, 2), n, shape(3, 1), n)
                .refusal();
        assertThat(e.reason()).isEqualTo(ModelException.Reason.INVALID);
        assertThat(e.getMessage()).contains("operator #0 CONCATENATION v1", "tensor 1", "outside axis 1");

        assertThat(concat(TensorType.FLOAT32, 0, Activation.NONE, shape(2, 3), n, shape(2, 3), n, shape(3), n).refusal()
                .getMessage()).contains("tensor 1", "rank 1");
        assertThat(concat(TensorType.FLOAT32, 2, Activation.NONE, shape(2, 3), n, shape(2, 3), n).refusal().getMessage())
                .contains("axis 2");
        assertThat(concat(TensorType.FLOAT32, 0, Activation.RELU, shape(4), n, shape(2), n, shape(2), n).refusal()
                .getMessage()).contains("fused activation RELU");
        assertThat(concat(TensorType.FLOAT32, 0, Activation.NONE, shape(5), n, shape(2), n, shape(2), n).refusal()
                .getMessage()).contains("tensor 2", "[4] is required");
        assertThat(concat(TensorType.INT16, 0, Activation.NONE, shape(4), q(0.01, 0), shape(2), q(0.01, 0), shape(2),
                q(0.02, 0)).refusal().getMessage()).contains("CONCATENATION v3", "tensor 1", "output's scale");
    }
}
