package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.OpModel.d;
import static dev.fieldline.tflite.micro.kernels.OpModel.q;
import static dev.fieldline.tflite.micro.kernels.OpModel.shape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.writer.BuiltinOptions;
import org.junit.jupiter.api.Test;

class QuantizeTest {

    private static OpModel quantize(TensorType in, Quantization qin, TensorType out, Quantization qout, int n) {
        OpModel m = new OpModel();
        m.input(in, shape(n), qin);
        m.output(out, shape(n), qout);
        return m.op(BuiltinOperator.QUANTIZE, out == TensorType.INT16 ? 2 : 1, new BuiltinOptions.Quantize());
    }

    private static OpModel dequantize(TensorType in, Quantization qin, int n) {
        OpModel m = new OpModel();
        m.input(in, shape(n), qin);
        m.output(TensorType.FLOAT32, shape(n), Quantization.NONE);
        return m.op(BuiltinOperator.DEQUANTIZE, in == TensorType.INT16 || in == TensorType.FLOAT16 ? 3 : 2,
                new BuiltinOptions.Dequantize());
    }

    @Test
    void floatToInt8RoundsHalfAwayFromZeroAndSaturates() {
        OpModel m = quantize(TensorType.FLOAT32, Quantization.NONE, TensorType.INT8, q(0.5, -1), 7);
        assertThat(m.run(0.25, -0.25, 0.74, 63.4, 100, -100, 0)).containsExactly(0, -2, 0, 126, 127, -128, -1);
    }

    @Test
    void floatQuotientIsTakenInDoubleAsTfliteOptimizedKernelDoes() {
        // 0.25f / 0.1f is exactly 2.5 in float but 2.49999996 in double; TFLite 2.6.2 gives 2
        OpModel m = quantize(TensorType.FLOAT32, Quantization.NONE, TensorType.INT8, q(0.1, 0), 4);
        assertThat(m.run(0.25, -0.25, 0.35, 0.05)).containsExactly(2, -2, 3, 1);
    }

    @Test
    void floatToUint8AndInt16() {
        assertThat(quantize(TensorType.FLOAT32, Quantization.NONE, TensorType.UINT8, q(1, 128), 4).run(2.5, -2.5, 300, -300))
                .containsExactly(131, 125, 255, 0);
        assertThat(quantize(TensorType.FLOAT32, Quantization.NONE, TensorType.INT16, q(1.0 / 1024, 0), 3).run(1, -40, 0.5))
                .containsExactly(1024, -32768, 512);
    }

    @Test
    void int16ToInt8AsTheKeywordModelsFirstOperator() {
        OpModel m = quantize(TensorType.INT16, q(0.000625, 0), TensorType.INT8, q(0.059208333, -128), 5);
        // real = 0.000625 x, q = round(real / 0.059208333) - 128
        assertThat(m.run(1000, -32768, 0, 32767, 5000)).containsExactly(-117, -128, -128, 127, -75);
    }

    @Test
    void int16ToInt32WithAnInputZeroPointAsTheKeywordModelsLastOperator() {
        OpModel m = quantize(TensorType.INT16, q(1.5259022e-5, -32768), TensorType.INT32, q(3.051851e-05, 0), 3);
        assertThat(m.run(0, -32768, 32767)).containsExactly(16384, 0, 32767);
    }

    @Test
    void requantisationRoundsTiesUpwardLikeTflitesFixedPointMultiply() {
        // scale ratio 1/2: 1.5 -> 2, -1.5 -> -1, 0.5 -> 1, -0.5 -> 0
        OpModel m = quantize(TensorType.INT8, q(1, 0), TensorType.INT8, q(2, 0), 4);
        assertThat(m.run(3, -3, 1, -1)).containsExactly(2, -1, 1, 0);
    }

    @Test
    void int8ToInt8Uint8AndInt16() {
        assertThat(quantize(TensorType.INT8, q(0.5, 10), TensorType.INT8, q(0.25, -10), 3).run(20, -128, 127))
                .containsExactly(10, -128, 127);
        assertThat(quantize(TensorType.INT8, q(0.5, 0), TensorType.UINT8, q(0.5, 128), 2).run(-128, 127))
                .containsExactly(0, 255);
        assertThat(quantize(TensorType.INT8, q(0.5, 0), TensorType.INT16, q(1.0 / 256, 0), 2).run(3, -128))
                .containsExactly(384, -16384);
    }

    @Test
    void dequantizesInt8Int16AndUint8() {
        assertThat(dequantize(TensorType.INT8, q(0.5, -128), 3).run(-128, 127, 0)).containsExactly(0, 127.5, 64);
        assertThat(dequantize(TensorType.INT16, q(1.0 / 1024, 0), 2).run(-32768, 512)).containsExactly(-32, 0.5);
        assertThat(dequantize(TensorType.UINT8, q(0.1, 128), 1).run(255)).containsExactly((float) (0.1f * 127.0));
    }

    @Test
    void dequantizesFloat16Exactly() {
        // 1.0, -2.0, +inf, smallest subnormal, -0.0, 65504 (max), NaN
        double[] out = dequantize(TensorType.FLOAT16, Quantization.NONE, 7)
                .run(0x3C00, 0xC000, 0x7C00, 0x0001, 0x8000, 0x7BFF, 0x7E00);
        assertThat(out).startsWith(1.0, -2.0, Double.POSITIVE_INFINITY, Math.pow(2, -24));
        assertThat(Double.doubleToRawLongBits(out[4])).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(out[5]).isEqualTo(65504.0);
        assertThat(out[6]).isNaN();
    }

    @Test
    void refusesUnsupportedConversionsNamingOperatorVersionAndTensor() {
        ModelException e = quantize(TensorType.FLOAT32, Quantization.NONE, TensorType.INT32, q(1, 0), 2).refusal();
        assertThat(e.reason()).isEqualTo(ModelException.Reason.UNSUPPORTED);
        assertThat(e.getMessage()).contains("operator #0 QUANTIZE v1", "tensor 1", "int32");
        assertThat(e.tensorIndex()).contains(1);

        Quantization perChannel = new Quantization(new float[] {0.1f, 0.2f}, new long[] {0, 0}, 0);
        assertThat(quantize(TensorType.FLOAT32, Quantization.NONE, TensorType.INT8, perChannel, 2).refusal().getMessage())
                .contains("QUANTIZE", "per-channel");

        assertThat(quantize(TensorType.INT16, q(0.01, 3), TensorType.INT16, q(0.02, 0), 2).refusal().getMessage())
                .contains("QUANTIZE v2", "tensor 0", "zero points of 0");

        assertThat(quantize(TensorType.INT8, Quantization.NONE, TensorType.INT8, q(0.02, 0), 2).refusal().reason())
                .isEqualTo(ModelException.Reason.INVALID);

        assertThat(dequantize(TensorType.INT8, perChannel, 2).refusal().getMessage()).contains("DEQUANTIZE v2", "per-channel");
    }

    @Test
    void refusesNewerVersionsAndWrongShapes() {
        OpModel v3 = new OpModel();
        v3.input(TensorType.FLOAT32, 2);
        v3.output(TensorType.INT8, shape(2), q(1, 0));
        v3.op(BuiltinOperator.QUANTIZE, 3, new BuiltinOptions.Quantize());
        assertThat(v3.refusal().getMessage()).contains("QUANTIZE v3", "supports v1 to v2");

        OpModel shape = new OpModel();
        shape.input(TensorType.FLOAT32, 2);
        shape.output(TensorType.INT8, shape(3), q(1, 0));
        shape.op(BuiltinOperator.QUANTIZE, 1, new BuiltinOptions.Quantize());
        assertThat(shape.refusal().getMessage()).contains("tensor 1", "[3]", "[2] is required");
    }

    @Test
    void quantizeThenDequantizeRoundTripsWithinHalfAStep() {
        OpModel m = new OpModel();
        int in = m.input(TensorType.FLOAT32, 5);
        int mid = m.builder.addTensor("mid", TensorType.INT8, shape(5), q(0.05, 3));
        int out = m.output(TensorType.FLOAT32, 5);
        m.op(BuiltinOperator.QUANTIZE, 1, new BuiltinOptions.Quantize(), new int[] {in}, mid);
        m.op(BuiltinOperator.DEQUANTIZE, 2, new BuiltinOptions.Dequantize(), new int[] {mid}, out);
        double[] x = d(-1.2, -0.01, 0, 0.333, 5.5);
        double[] y = m.run(x);
        for (int i = 0; i < x.length; i++) {
            assertThat(Math.abs(y[i] - x[i])).isLessThanOrEqualTo(0.025 + 1e-6);
        }
    }
}
