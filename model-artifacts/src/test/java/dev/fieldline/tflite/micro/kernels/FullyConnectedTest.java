package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.SingleOp.q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.OperatorInfo;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.tflite.writer.BuiltinOptions;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FullyConnectedTest {

    private static BuiltinOptions.FullyConnected options(Activation a, boolean keepNumDims) {
        return new BuiltinOptions.FullyConnected(a, keepNumDims, false);
    }

    @Test
    void floatWithBiasAndRelu() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 3}, Quantization.NONE);
        int w = t.floats(new int[] {2, 3}, 1, 0, -1, 0.5f, 0.5f, 0.5f);
        int b = t.builder().addConstantFloat("bias", new int[] {2}, new float[] {0.5f, 1});
        t.output(TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        t.op(BuiltinOperator.FULLY_CONNECTED, 1, options(Activation.RELU, false), in, w, b);
        try (MicroInterpreter s = t.load()) {
            // unit 0: 1 - 3 + 0.5 = -1.5 -> relu 0; unit 1: 0.5 * 6 + 1 = 4
            assertThat(SingleOp.run(s, 1, 2, 3).floats()).containsExactly(0f, 4f);
            assertThat(SingleOp.run(s, -1, 0, 1).floats()).containsExactly(0f, 1f);
        }
    }

    @Test
    void int8WithOffsetsAndWeightZeroPoint() {
        // input scale 0.5 zp -1, weights scale 0.25 zp 1, output scale 1 zp 2: multiplier 0.125 exactly
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 2}, q(0.5, -1));
        int w = t.int8(new int[] {1, 2}, q(0.25, 1), 5, -7);
        int b = t.int32(q(0.125, 0), 8);
        t.output(TensorType.INT8, new int[] {1, 1}, q(1.0, 2));
        t.op(BuiltinOperator.FULLY_CONNECTED, 4, options(Activation.NONE, false), in, w, b);
        try (MicroInterpreter s = t.load()) {
            // real: x = (1, 2), w = (1, -2), b = 1 -> 1 - 4 + 1 = -2 -> q = -2 + 2 = 0
            assertThat(SingleOp.run(s, 1, 3).ints()).containsExactly(0);
            // x = (10, 0.5), w = (1, -2) -> 10 - 1 + 1 = 10 -> 12
            assertThat(SingleOp.run(s, 19, 0).ints()).containsExactly(12);
            // saturates at 127
            assertThat(SingleOp.run(s, 127, -128).ints()).containsExactly(127);
        }
    }

    @Test
    void keepNumDimsKeepsLeadingDimensionsAndBiasIsOptional() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {2, 1, 2}, Quantization.NONE);
        int w = t.floats(new int[] {3, 2}, 1, 0, 0, 1, 1, 1);
        t.output(TensorType.FLOAT32, new int[] {2, 1, 3}, Quantization.NONE);
        t.op(BuiltinOperator.FULLY_CONNECTED, 6, options(Activation.NONE, true), in, w);
        try (MicroInterpreter s = t.load()) {
            assertThat(s.outputs().get(0).shape()).containsExactly(2, 1, 3);
            assertThat(SingleOp.run(s, 1, 2, 3, 4).floats()).containsExactly(1, 2, 3, 3, 4, 7);
        }
    }

    @Test
    void floatSumsInTheOrderOfTflitesGemv() {
        // TFLite 2.6 on x86 sums in four lanes, (s0 + s2) + (s1 + s3): 1e8 and -1e8 cancel before the
        // ones are added (2), where an in-order sum loses the first one to 1e8 (1).
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 8}, Quantization.NONE);
        int w = t.floats(new int[] {1, 8}, 1, 1, 1, 1, 1, 1, 1, 1);
        t.output(TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
        t.op(BuiltinOperator.FULLY_CONNECTED, 6, options(Activation.NONE, false), in, w);
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, 1e8, 1, -1e8, 1, 0, 0, 0, 0).floats()).containsExactly(2f);
        }
    }

    @Test
    void int16WithInt64BiasRoundsHalfUpAndWithInt32BiasAwayFromZero() {
        // multiplier (1/256 * 1/128) / (1/64) = 1/512; accumulator -256 is exactly -0.5 output steps.
        // TFLite's 64-bit MultiplyByQuantizedMultiplier (int64 bias) rounds it up to 0; the 32-bit one
        // (int32 bias) rounds half away from zero, to -1.
        assertThat(int16Fc(false, -256, 1)).isEqualTo(0);
        assertThat(int16Fc(true, -256, 1)).isEqualTo(-1);
        assertThat(int16Fc(false, 256, 1)).isEqualTo(1);
        assertThat(int16Fc(true, 256, 1)).isEqualTo(1);
        assertThat(int16Fc(false, 32767, 127)).isEqualTo(8128); // 32767 * 127 / 512 = 8127.7
    }

    private static int int16Fc(boolean int32Bias, int x, int weight) {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT16, new int[] {1, 1}, q(1.0 / 256, 0));
        int w = t.int8(new int[] {1, 1}, q(1.0 / 128, 0), weight);
        Quantization bq = q(1.0 / 32768, 0);
        int b = int32Bias ? t.int32(bq, 0) : t.int64(bq, 0);
        t.output(TensorType.INT16, new int[] {1, 1}, q(1.0 / 64, 0));
        t.op(BuiltinOperator.FULLY_CONNECTED, 7, options(Activation.NONE, false), in, w, b);
        try (MicroInterpreter s = t.load()) {
            return SingleOp.run(s, x).ints()[0];
        }
    }

    @Test
    void perChannelWeightsScaleEachUnit() {
        // input scale 1, output scale 1; unit scales 0.5 and 0.25
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 1}, q(1.0, 0));
        int w = t.int8(new int[] {2, 1}, SingleOp.perChannel(0, 0.5, 0.25), 4, 4);
        t.output(TensorType.INT8, new int[] {1, 2}, q(1.0, 0));
        t.op(BuiltinOperator.FULLY_CONNECTED, 6, options(Activation.NONE, false), in, w);
        try (MicroInterpreter s = t.load()) {
            assertThat(SingleOp.run(s, 10).ints()).containsExactly(20, 10);
        }
    }

    @Test
    void refusesHybridWeights() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        int w = t.int8(new int[] {1, 2}, q(0.1, 0), 1, 2);
        t.output(TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
        t.op(BuiltinOperator.FULLY_CONNECTED, 3, options(Activation.NONE, false), in, w);
        t.refused(ModelException.Reason.UNSUPPORTED, "operator #0 FULLY_CONNECTED v3")
                .hasMessageContaining("tensor " + w).hasMessageContaining("hybrid");
    }

    @Test
    void refusesAWrongOutputShape() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        int w = t.floats(new int[] {3, 2}, 1, 2, 3, 4, 5, 6);
        int out = t.output(TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        t.op(BuiltinOperator.FULLY_CONNECTED, 6, options(Activation.NONE, false), in, w);
        t.refused(ModelException.Reason.INVALID, "operator #0 FULLY_CONNECTED v6")
                .hasMessageContaining("tensor " + out).hasMessageContaining("[1, 3] is required");
    }

    @Test
    void refusesAnInputThatIsNotAMultipleOfTheDepth() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 5}, Quantization.NONE);
        int w = t.floats(new int[] {1, 2}, 1, 2);
        t.output(TensorType.FLOAT32, new int[] {2, 1}, Quantization.NONE);
        t.op(BuiltinOperator.FULLY_CONNECTED, 6, options(Activation.NONE, false), in, w);
        t.refused(ModelException.Reason.INVALID, "FULLY_CONNECTED v6").hasMessageContaining("tensor " + in);
    }

    @Test
    void refusesMismatchedBiasScale() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 1}, q(0.5, 0));
        int w = t.int8(new int[] {1, 1}, q(0.5, 0), 1);
        int b = t.int32(q(1.0, 0), 1);
        t.output(TensorType.INT8, new int[] {1, 1}, q(1.0, 0));
        t.op(BuiltinOperator.FULLY_CONNECTED, 4, options(Activation.NONE, false), in, w, b);
        t.refused(ModelException.Reason.INVALID, "FULLY_CONNECTED v4").hasMessageContaining("tensor " + b)
                .hasMessageContaining("bias scale");
    }

    @Test
    void refusesTanhActivationAndTooNewVersions() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
        int w = t.floats(new int[] {1, 1}, 1);
        t.output(TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
        t.op(BuiltinOperator.FULLY_CONNECTED, 6, options(Activation.TANH, false), in, w);
        t.refused(ModelException.Reason.UNSUPPORTED, "FULLY_CONNECTED v6").hasMessageContaining("TANH");

        SingleOp newer = new SingleOp();
        in = newer.input(TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
        w = newer.floats(new int[] {1, 1}, 1);
        newer.output(TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
        newer.op(BuiltinOperator.FULLY_CONNECTED, 12, options(Activation.NONE, false), in, w);
        newer.refused(ModelException.Reason.UNSUPPORTED, "FULLY_CONNECTED v12").hasMessageContaining("v1 to v11");
    }

    @Test
    void refusesShuffledWeights() {
        // The writer only writes the default format: build the operator with hand-made options.
        byte[] arena = new byte[64];
        TensorInfo input = new TensorInfo(0, "in", TensorType.UINT8, new int[] {1, 16}, 0, -1, q(1, 0), false);
        TensorInfo weights = new TensorInfo(1, "w", TensorType.UINT8, new int[] {4, 16}, 1, 0, q(1, 0), false);
        TensorInfo output = new TensorInfo(2, "out", TensorType.INT16, new int[] {1, 4}, 0, -1, q(1, 0), false);
        FlatTable opts = OptionsTable.bytes(0, 1); // activation NONE, weights_format SHUFFLED4x16INT8
        OperatorInfo op = new OperatorInfo(0, BuiltinOperator.FULLY_CONNECTED, "", 2, new int[] {0, 1, -1},
                new int[] {2}, new int[0], LayerKernels.FULLY_CONNECTED_OPTIONS, Optional.of(opts));
        OpContext ctx = new OpContext(op, new TensorView[] {
            new TensorView(input, arena, 0), new TensorView(weights, arena, 0), new TensorView(output, arena, 0)});
        assertThatThrownBy(() -> FullyConnected.prepare(ctx))
                .isInstanceOfSatisfying(ModelException.class,
                        e -> assertThat(e.reason()).isEqualTo(ModelException.Reason.UNSUPPORTED))
                .hasMessageContaining("operator #0 FULLY_CONNECTED v2")
                .hasMessageContaining("SHUFFLED4x16INT8");
    }
}
