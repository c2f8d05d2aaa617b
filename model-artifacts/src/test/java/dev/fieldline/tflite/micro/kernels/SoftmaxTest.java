package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.SingleOp.q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.tflite.writer.BuiltinOptions;
import org.junit.jupiter.api.Test;

/** Expected quantised values were worked out by hand and agree with TensorFlow Lite 2.6.2's kernel. */
class SoftmaxTest {

    private static SingleOp softmax(TensorType in, Quantization qin, TensorType out, Quantization qout, float beta,
            int version, int... shape) {
        SingleOp t = new SingleOp();
        int input = t.input(in, shape, qin);
        t.output(out, shape, qout);
        return t.op(BuiltinOperator.SOFTMAX, version, new BuiltinOptions.Softmax(beta), input);
    }

    @Test
    void float32() {
        try (MicroInterpreter s = softmax(TensorType.FLOAT32, Quantization.NONE, TensorType.FLOAT32, Quantization.NONE,
                1f, 1, 2, 3).load()) {
            float[] out = SingleOp.run(s, 1, 2, 3, 0, 0, 0).floats();
            assertThat(out[0]).isCloseTo(0.09003057f, within(1e-6f));
            assertThat(out[1]).isCloseTo(0.24472847f, within(1e-6f));
            assertThat(out[2]).isCloseTo(0.66524096f, within(1e-6f));
            assertThat(out[3]).isCloseTo(1f / 3, within(1e-6f));
        }
    }

    @Test
    void int8ToInt8() {
        // real inputs 0, 1, 2: probabilities 0.0900, 0.2447, 0.6652; x 256 = 23.05, 62.65, 170.30; zp -128
        try (MicroInterpreter s = softmax(TensorType.INT8, q(0.1, 0), TensorType.INT8, q(1.0 / 256, -128), 1f, 2, 1, 3)
                .load()) {
            assertThat(SingleOp.run(s, 0, 10, 20).ints()).containsExactly(-105, -65, 42);
        }
    }

    @Test
    void int8ToInt16() {
        // x 65536 = 5900.2, 16038.5, 43597.3 minus 32768; a distance of 25.5 saturates
        try (MicroInterpreter s = softmax(TensorType.INT8, q(0.1, 0), TensorType.INT16, q(1.0 / 65536, -32768), 1f, 2,
                1, 3).load()) {
            assertThat(SingleOp.run(s, 0, 10, 20).ints()).containsExactly(-26868, -16729, 10829);
        }
        try (MicroInterpreter s = softmax(TensorType.INT8, q(0.1, 0), TensorType.INT16, q(1.0 / 65536, -32768), 1f, 2,
                1, 2).load()) {
            assertThat(SingleOp.run(s, 127, -128).ints()).containsExactly(32767, -32768);
        }
    }

    @Test
    void int16ToInt16UsesTheInterpolatedTables() {
        // real 0, 1, -2, 3 -> 0.0418, 0.1135, 0.0057, 0.8390 (x 32768: 1370.6, 3725.7, 185.5, 27492.3);
        // the fixed-point tables are within a few steps; equal inputs give exactly a quarter each
        try (MicroInterpreter s = softmax(TensorType.INT16, q(0.001, 0), TensorType.INT16, q(1.0 / 32768, 0), 1f, 3,
                2, 4).load()) {
            assertThat(SingleOp.run(s, 0, 1000, -2000, 3000, 5, 5, 5, 5).ints())
                    .containsExactly(1370, 3721, 185, 27493, 8192, 8192, 8192, 8192);
        }
        // distances beyond the table's [-10, 0] still get its smallest entry, not zero
        try (MicroInterpreter s = softmax(TensorType.INT16, q(0.001, 0), TensorType.INT16, q(1.0 / 32768, 0), 0.5f, 3,
                1, 3).load()) {
            assertThat(SingleOp.run(s, -32768, 0, 32767).ints()).containsExactly(2, 2, 32764);
        }
    }

    @Test
    void tablesFollowTflitesGenLut() {
        short[] exp = Softmax.table(StrictMath::exp, -10.0, 0.0);
        assertThat(exp).hasSize(513);
        assertThat(exp[512]).isEqualTo((short) 32767); // exp(0) * 32768 saturates
        // exp(-10) * 32768 = 1.49, nudged up by half the interpolation error to 2: what TFLite outputs
        // for distances beyond the table (int16ToInt16UsesTheInterpolatedTables)
        assertThat(exp[0]).isEqualTo((short) 2);
        short[] reciprocal = Softmax.table(v -> 1.0 / (1.0 + v), 0.0, 1.0);
        assertThat(reciprocal[0]).isEqualTo((short) 32767);
        assertThat(reciprocal[512]).isEqualTo((short) 16384);
        // the lookup interpolates between neighbours: halfway between entries 256 and 257
        int mid = Softmax.lookup((short) 64, reciprocal);
        assertThat(mid).isBetween((int) reciprocal[257], (int) reciprocal[256]);
    }

    @Test
    void refusesInt16WithAnotherOutputScaleAndFloatOutputsOfQuantisedInputs() {
        SingleOp scale = softmax(TensorType.INT16, q(0.001, 0), TensorType.INT16, q(1.0 / 256, 0), 1f, 3, 1, 2);
        scale.refused(ModelException.Reason.UNSUPPORTED, "operator #0 SOFTMAX v3").hasMessageContaining("tensor 1")
                .hasMessageContaining("1/32768");
        SingleOp mixed = softmax(TensorType.INT8, q(0.1, 0), TensorType.FLOAT32, Quantization.NONE, 1f, 2, 1, 2);
        mixed.refused(ModelException.Reason.UNSUPPORTED, "operator #0 SOFTMAX v2").hasMessageContaining("tensor 1");
        SingleOp rank0 = softmax(TensorType.FLOAT32, Quantization.NONE, TensorType.FLOAT32, Quantization.NONE, 1f, 1);
        rank0.refused(ModelException.Reason.INVALID, "SOFTMAX v1").hasMessageContaining("tensor 0");
    }
}
