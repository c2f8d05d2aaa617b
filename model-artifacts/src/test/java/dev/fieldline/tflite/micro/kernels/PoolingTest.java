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
import org.junit.jupiter.api.Test;

class PoolingTest {

    private static SingleOp pool(int code, int version, TensorType type, Quantization q, int[] in, int[] out,
            BuiltinOptions.Pool2D options) {
        SingleOp t = new SingleOp();
        int input = t.input(type, in, q);
        t.output(type, out, q);
        return t.op(code, version, options, input);
    }

    @Test
    void int8AverageRoundsHalfAwayFromZero() {
        // five 2x2 windows: sums 7, -7, 3, -2, 2 over 4 -> 1.75, -1.75, 0.75, -0.5, 0.5
        SingleOp t = pool(BuiltinOperator.AVERAGE_POOL_2D, 2, TensorType.INT8, q(1, 0), new int[] {1, 2, 10, 1},
                new int[] {1, 1, 5, 1}, new BuiltinOptions.Pool2D(Padding.VALID, 2, 2, 2, 2, Activation.NONE));
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, 1, 2, -1, -2, 1, 2, -1, -1, 1, 1, 2, 2, -2, -2, 0, 0, 0, 0, 0, 0).ints())
                    .containsExactly(2, -2, 1, -1, 1);
        }
    }

    @Test
    void samePaddingAveragesOnlyTheElementsInside() {
        // 3x3 (1..9), 2x2 windows, stride 2, SAME: the padding row and column come after
        SingleOp t = pool(BuiltinOperator.AVERAGE_POOL_2D, 1, TensorType.FLOAT32, Quantization.NONE,
                new int[] {1, 3, 3, 1}, new int[] {1, 2, 2, 1},
                new BuiltinOptions.Pool2D(Padding.SAME, 2, 2, 2, 2, Activation.NONE));
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, 1, 2, 3, 4, 5, 6, 7, 8, 9).floats()).containsExactly(3f, 4.5f, 7.5f, 9f);
        }
    }

    @Test
    void maxWithFusedActivations() {
        SingleOp f = pool(BuiltinOperator.MAX_POOL_2D, 1, TensorType.FLOAT32, Quantization.NONE, new int[] {1, 1, 4, 1},
                new int[] {1, 1, 2, 1}, new BuiltinOptions.Pool2D(Padding.VALID, 2, 1, 2, 1, Activation.RELU6));
        try (MicroInterpreter s = f.load()) {
            assertThat(SingleOp.run(s, -3, 10, 2, 5).floats()).containsExactly(6f, 5f);
            assertThat(SingleOp.run(s, -3, -1, -2, -5).floats()).containsExactly(0f, 0f);
        }
        SingleOp i = pool(BuiltinOperator.MAX_POOL_2D, 3, TensorType.INT16, q(0.01, 0), new int[] {1, 1, 4, 1},
                new int[] {1, 1, 2, 1}, new BuiltinOptions.Pool2D(Padding.VALID, 2, 1, 2, 1, Activation.RELU));
        try (MicroInterpreter s = i.load()) {
            assertThat(SingleOp.run(s, -300, -200, 100, -5).ints()).containsExactly(0, 100);
        }
        SingleOp a = pool(BuiltinOperator.AVERAGE_POOL_2D, 3, TensorType.INT16, q(0.01, 0), new int[] {1, 1, 4, 1},
                new int[] {1, 1, 2, 1}, new BuiltinOptions.Pool2D(Padding.VALID, 2, 1, 2, 1, Activation.NONE));
        try (MicroInterpreter s = a.load()) {
            assertThat(SingleOp.run(s, -30001, -30000, 30000, 30003).ints()).containsExactly(-30001, 30002);
        }
    }

    @Test
    void refusesQuantisedPoolingThatWouldRescale() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 2, 2, 1}, q(0.5, 0));
        int out = t.output(TensorType.INT8, new int[] {1, 1, 1, 1}, q(0.25, 0));
        t.op(BuiltinOperator.MAX_POOL_2D, 2, new BuiltinOptions.Pool2D(Padding.VALID, 2, 2, 2, 2, Activation.NONE), in);
        t.refused(ModelException.Reason.UNSUPPORTED, "operator #0 MAX_POOL_2D v2").hasMessageContaining("tensor " + out);
    }

    @Test
    void refusesAWrongOutputShape() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 4, 4, 1}, Quantization.NONE);
        int out = t.output(TensorType.FLOAT32, new int[] {1, 2, 2, 1}, Quantization.NONE);
        t.op(BuiltinOperator.AVERAGE_POOL_2D, 1, new BuiltinOptions.Pool2D(Padding.SAME, 1, 1, 2, 2, Activation.NONE), in);
        t.refused(ModelException.Reason.INVALID, "AVERAGE_POOL_2D v1").hasMessageContaining("tensor " + out)
                .hasMessageContaining("[1, 4, 4, 1] is required");
    }
}
