package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.OpModel.q;
import static dev.fieldline.tflite.micro.kernels.OpModel.shape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.writer.BuiltinOptions;
import org.junit.jupiter.api.Test;

class PadTest {

    private static OpModel pad(TensorType t, int[] in, Quantization qin, int[] paddings, int[] out, Quantization qout) {
        OpModel m = new OpModel();
        int x = m.input(t, in, qin);
        int p = m.constantInt32(shape(in.length, 2), paddings);
        int y = m.output(t, out, qout);
        return m.op(BuiltinOperator.PAD, t == TensorType.INT8 ? 2 : 1, new BuiltinOptions.Pad(), new int[] {x, p}, y);
    }

    @Test
    void int8PadsWithTheOutputZeroPoint() {
        OpModel m = pad(TensorType.INT8, shape(2, 3), q(0.1, -5), new int[] {1, 0, 2, 1}, shape(3, 6), q(0.1, -5));
        assertThat(m.run(1, 2, 3, 4, 5, 6)).containsExactly(
                -5, -5, -5, -5, -5, -5,
                -5, -5, 1, 2, 3, -5,
                -5, -5, 4, 5, 6, -5);
    }

    @Test
    void fiveDimensionalFloatPadsWithZero() {
        OpModel m = pad(TensorType.FLOAT32, shape(1, 1, 1, 1, 2), Quantization.NONE, new int[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                shape(2, 1, 1, 1, 3), Quantization.NONE);
        assertThat(m.run(1.5, -2)).containsExactly(0, 0, 0, 1.5, -2, 0);
    }

    @Test
    void int64ValuesWithInt64Paddings() {
        OpModel m = new OpModel();
        int x = m.input(TensorType.INT64, 2);
        int p = m.builder.addConstantInt64("pads", shape(1, 2), Quantization.NONE, new long[] {0, 1});
        int y = m.output(TensorType.INT64, 3);
        m.op(BuiltinOperator.PAD, 1, new BuiltinOptions.Pad(), new int[] {x, p}, y);
        assertThat(m.run(1L << 40, -7)).containsExactly((double) (1L << 40), -7, 0);
    }

    @Test
    void padV2PadsWithItsConstant() {
        OpModel m = new OpModel();
        int x = m.input(TensorType.FLOAT32, 2);
        int p = m.constantInt32(shape(1, 2), 1, 2);
        int c = m.builder.addConstantFloat("c", shape(), new float[] {7.5f});
        int y = m.output(TensorType.FLOAT32, 5);
        m.op(BuiltinOperator.PADV2, 1, BuiltinOptions.NONE, new int[] {x, p, c}, y);
        assertThat(m.run(1, 2)).containsExactly(7.5, 1, 2, 7.5, 7.5);

        OpModel q8 = new OpModel();
        int x8 = q8.input(TensorType.INT8, shape(1), q(0.5, 1));
        int p8 = q8.constantInt32(shape(1, 2), 0, 2);
        int c8 = q8.builder.addConstantInt8("c", shape(1), q(0.5, 1), new byte[] {-3});
        int y8 = q8.output(TensorType.INT8, shape(3), q(0.5, 1));
        q8.op(BuiltinOperator.PADV2, 2, BuiltinOptions.NONE, new int[] {x8, p8, c8}, y8);
        assertThat(q8.run(9)).containsExactly(9, -3, -3);
    }

    @Test
    void refusals() {
        assertThat(pad(TensorType.FLOAT32, shape(2), Quantization.NONE, new int[] {-1, 2}, shape(3), Quantization.NONE)
                .refusal().getMessage()).contains("operator #0 PAD v1", "tensor 1", "negative");
        assertThat(pad(TensorType.FLOAT32, shape(2), Quantization.NONE, new int[] {1, 2}, shape(4), Quantization.NONE)
                .refusal().getMessage()).contains("tensor 2", "[5] is required");
        assertThat(pad(TensorType.INT8, shape(2), q(0.1, 0), new int[] {1, 2}, shape(5), q(0.2, 0)).refusal().getMessage())
                .contains("PAD v2", "differ from the output's");
        assertThat(pad(TensorType.FLOAT32, shape(1, 1, 1, 1, 1, 1), Quantization.NONE, new int[12], shape(1, 1, 1, 1, 1, 1),
                Quantization.NONE).refusal().getMessage()).contains("rank 6");

        OpModel dynamic = new OpModel();
        int x = dynamic.input(TensorType.FLOAT32, 2);
        int p = dynamic.input(TensorType.INT32, 1, 2);
        int y = dynamic.output(TensorType.FLOAT32, 3);
        dynamic.op(BuiltinOperator.PAD, 1, new BuiltinOptions.Pad(), new int[] {x, p}, y);
        assertThat(dynamic.refusal().getMessage()).contains("tensor 1", "constant");
    }
}
