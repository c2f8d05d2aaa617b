package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.SingleOp.q;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.tflite.writer.BuiltinOptions;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReshapeTest {

    @Test
    void shapeFromASecondInputWithAStretchedDimension() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {2, 3}, Quantization.NONE);
        int shape = t.builder().addConstantInt32("shape", new int[] {2}, Quantization.NONE, new int[] {3, -1});
        t.output(TensorType.FLOAT32, new int[] {3, 2}, Quantization.NONE);
        t.op(BuiltinOperator.RESHAPE, 1, new BuiltinOptions.Reshape(Optional.empty()), in, shape);
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, 1, 2, 3, 4, 5, 6).floats()).containsExactly(1, 2, 3, 4, 5, 6);
        }
    }

    @Test
    void shapeFromTheOptions() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT16, new int[] {1, 4}, q(0.5, 0));
        t.output(TensorType.INT16, new int[] {2, 2}, q(0.5, 0));
        t.op(BuiltinOperator.RESHAPE, 1, new BuiltinOptions.Reshape(Optional.of(new int[] {2, 2})), in);
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, -7, 300, 0, 32767).ints()).containsExactly(-7, 300, 0, 32767);
        }
    }

    @Test
    void refusesAShapeThatIsNotTheOutputs() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 4}, q(1, 0));
        int out = t.output(TensorType.INT8, new int[] {4, 1}, q(1, 0));
        t.op(BuiltinOperator.RESHAPE, 1, new BuiltinOptions.Reshape(Optional.of(new int[] {2, 2})), in);
        t.refused(ModelException.Reason.INVALID, "operator #0 RESHAPE v1").hasMessageContaining("tensor " + out)
                .hasMessageContaining("[2, 2]");
    }

    @Test
    void refusesTwoStretchedDimensionsAndAWrongElementCount() {
        SingleOp two = new SingleOp();
        int in = two.input(TensorType.INT8, new int[] {1, 4}, q(1, 0));
        two.output(TensorType.INT8, new int[] {2, 2}, q(1, 0));
        two.op(BuiltinOperator.RESHAPE, 1, new BuiltinOptions.Reshape(Optional.of(new int[] {-1, -1})), in);
        two.refused(ModelException.Reason.INVALID, "RESHAPE v1").hasMessageContaining("more than one -1");

        SingleOp count = new SingleOp();
        in = count.input(TensorType.INT8, new int[] {1, 4}, q(1, 0));
        count.output(TensorType.INT8, new int[] {3}, q(1, 0));
        count.op(BuiltinOperator.RESHAPE, 1, new BuiltinOptions.Reshape(Optional.of(new int[] {3})), in);
        count.refused(ModelException.Reason.INVALID, "RESHAPE v1").hasMessageContaining("holds 3 elements");
    }

    @Test
    void refusesAChangeOfType() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {4}, q(1, 0));
        int out = t.output(TensorType.UINT8, new int[] {4}, q(1, 0));
        t.op(BuiltinOperator.RESHAPE, 1, new BuiltinOptions.Reshape(Optional.of(new int[] {4})), in);
        t.refused(ModelException.Reason.INVALID, "RESHAPE v1").hasMessageContaining("tensor " + out);
    }
}
