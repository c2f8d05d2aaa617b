package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.OpModel.q;
import static dev.fieldline.tflite.micro.kernels.OpModel.shape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.writer.BuiltinOptions;
import org.junit.jupiter.api.Test;

class MeanTest {

    private static OpModel mean(TensorType t, int[] in, Quantization qin, int[] axes, boolean keepDims, int[] out,
            Quantization qout) {
        OpModel m = new OpModel();
        int x = m.input(t, in, qin);
        int a = m.constantInt32(shape(axes.length), axes);
        int y = m.output(t, out, qout);
        int version = t == TensorType.FLOAT32 ? 1 : t == TensorType.INT16 ? 3 : 2;
        return m.op(BuiltinOperator.MEAN, version, new BuiltinOptions.Reducer(keepDims),
                new int[] {x, a}, y);
    }

    private static OpModel floatMean(int[] in, int[] axes, boolean keepDims, int[] out) {
        return mean(TensorType.FLOAT32, in, Quantization.NONE, axes, keepDims, out, Quantization.NONE);
    }

    @Test
    void floatOverOneAxis() {
        assertThat(floatMean(shape(2, 3), new int[] {1}, false, shape(2)).run(1, 2, 3, 4, 5, 6)).containsExactly(2, 5);
    }

    @Test
    void negativeAndRepeatedAxesWithKeepDims() {
        assertThat(floatMean(shape(2, 3), new int[] {-1, 1}, true, shape(2, 1)).run(1, 2, 3, 4, 5, 6)).containsExactly(2, 5);
    }

    @Test
    void floatOverOuterAndInnerAxes() {
        double[] x = new double[12];
        for (int i = 0; i < x.length; i++) {
            x[i] = i; // x[i][j][k] = 6i + 2j + k
        }
        assertThat(floatMean(shape(2, 3, 2), new int[] {0, 2}, false, shape(3)).run(x)).containsExactly(3.5, 5.5, 7.5);
    }

    @Test
    void int8WithTheSameScaleTruncatesTheRawMean() {
        OpModel m = mean(TensorType.INT8, shape(2, 2), q(0.5, 1), new int[] {1}, false, shape(2), q(0.5, 1));
        assertThat(m.run(-3, 0, 5, 0)).containsExactly(-1, 2);
    }

    @Test
    void int8WithOtherScalesRescalesInFloatRoundingHalfAway() {
        OpModel m = mean(TensorType.INT8, shape(2, 2), q(0.5, 2), new int[] {1}, false, shape(2), q(0.25, -1));
        assertThat(m.run(4, 6, -1, 0)).containsExactly(5, -6);
        // mean 0.25 -> 0.25 * 2 - 4 = -3.5 -> -4
        OpModel tie = mean(TensorType.INT8, shape(1, 4), q(0.5, 2), new int[] {1}, false, shape(1), q(0.25, -1));
        assertThat(tie.run(0, 0, 0, 1)).containsExactly(-5);
    }

    @Test
    void int8SpatialMeanOfAFeatureMapRoundsHalfAway() {
        OpModel m = mean(TensorType.INT8, shape(1, 2, 2, 2), q(1, 0), new int[] {1, 2}, true, shape(1, 1, 1, 2), q(1, 0));
        // channel 0: 1, 2, 3, 5 -> 2.75 -> 3; channel 1: the negatives -> -3
        assertThat(m.run(1, -1, 2, -2, 3, -3, 5, -5)).containsExactly(3, -3);
        OpModel ties = mean(TensorType.INT8, shape(1, 2, 2, 2), q(1, 0), new int[] {2, 1}, true, shape(1, 1, 1, 2),
                q(1, 0));
        assertThat(ties.run(1, -1, 2, -2, 3, -3, 4, -4)).containsExactly(3, -3);
        OpModel zp = mean(TensorType.INT8, shape(1, 2, 2, 1), q(0.5, 10), new int[] {1, 2}, true, shape(1, 1, 1, 1),
                q(1, -3));
        assertThat(zp.run(12, 14, 10, 20)).containsExactly(-1);
    }

    @Test
    void int16SpatialAndRescaledMeans() {
        OpModel spatial = mean(TensorType.INT16, shape(1, 2, 2, 1), q(1.0 / 1024, 0), new int[] {1, 2}, true,
                shape(1, 1, 1, 1), q(1.0 / 1024, 0));
        assertThat(spatial.run(1000, 2000, 3000, 5000)).containsExactly(2750);
        assertThat(spatial.run(1, 2, 3, 4)).containsExactly(3);
        OpModel rescaled = mean(TensorType.INT16, shape(2, 2), q(1.0 / 1024, 0), new int[] {1}, false, shape(2),
                q(1.0 / 512, 0));
        assertThat(rescaled.run(3, 0, -3, 0)).containsExactly(1, -1);
    }

    @Test
    void uint8SpatialMean() {
        OpModel m = mean(TensorType.UINT8, shape(1, 2, 2, 1), q(1, 0), new int[] {1, 2}, true, shape(1, 1, 1, 1), q(1, 0));
        assertThat(m.run(1, 2, 3, 5)).containsExactly(3);
    }

    @Test
    void refusals() {
        assertThat(floatMean(shape(2, 3), new int[] {2}, false, shape(2)).refusal().getMessage())
                .contains("operator #0 MEAN v1", "tensor 1", "axis 2");
        assertThat(floatMean(shape(2, 3), new int[] {1}, true, shape(2)).refusal().getMessage())
                .contains("tensor 2", "[2, 1] is required");
        assertThat(mean(TensorType.INT32, shape(2), Quantization.NONE, new int[] {0}, false, shape(), Quantization.NONE)
                .refusal().getMessage()).contains("MEAN v2", "tensor 0", "int32");
        assertThat(mean(TensorType.INT16, shape(2), q(0.1, 3), new int[] {0}, false, shape(), q(0.1, 0)).refusal()
                .getMessage()).contains("MEAN v3", "tensor 0", "zero point of 0");

        OpModel dynamic = new OpModel();
        int x = dynamic.input(TensorType.FLOAT32, 2, 2);
        int a = dynamic.input(TensorType.INT32, 1);
        int y = dynamic.output(TensorType.FLOAT32, 2);
        dynamic.op(BuiltinOperator.MEAN, 1, new BuiltinOptions.Reducer(false), new int[] {x, a}, y);
        assertThat(dynamic.refusal().getMessage()).contains("tensor 1", "constant");
    }
}
