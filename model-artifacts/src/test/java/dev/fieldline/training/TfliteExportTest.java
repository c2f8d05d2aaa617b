package dev.fieldline.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.MicroInterpreter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TfliteExportTest {

    private static Sequential trained() {
        Sequential m = Sequential.builder(2, 2).dense(8).relu().dense(3).build();
        Random r = new Random(1);
        float[] x = new float[300 * 2];
        int[] y = new int[300];
        for (int i = 0; i < 300; i++) {
            x[2 * i] = r.nextFloat() * 4 - 2;
            x[2 * i + 1] = r.nextFloat() * 4 - 2;
            y[i] = x[2 * i] > 0.5f ? 0 : x[2 * i + 1] > 0 ? 1 : 2;
        }
        Trainer.fit(m, Dataset.classification(x, 2, y, 3), new SoftmaxCrossEntropy(), new Adam(0.02f),
                new Trainer.Config(20, 16, 1));
        return m;
    }

    @Test
    void quantParamsFollowTfliteConventions() {
        TfliteExport.QuantParams relu = TfliteExport.QuantParams.forRange(0f, 6f);
        assertThat(relu.zeroPoint()).isEqualTo(-128);
        assertThat(relu.scale()).isEqualTo((float) (6.0 / 255));
        TfliteExport.QuantParams sym = TfliteExport.QuantParams.forRange(-1f, 1f);
        assertThat(sym.zeroPoint()).isIn(-1, 0);
        assertThat(sym.quantize(1f)).isEqualTo((byte) 127);
        assertThat(sym.quantize(-5f)).isEqualTo((byte) -128);
        // a range without 0 is widened to hold it
        assertThat(TfliteExport.QuantParams.forRange(2f, 4f).zeroPoint()).isEqualTo(-128);
        assertThat(sym.dequantize(sym.quantize(0.5f))).isCloseTo(0.5f, org.assertj.core.data.Offset.offset(sym.scale()));
    }

    @Test
    void floatAndInt8FilesHaveTheExpectedStructure() {
        Sequential m = trained();
        TfliteModel f = TfliteModel.parse(TfliteExport.float32(m, "test float"));
        assertThat(f.operators()).hasSize(2).allMatch(op -> op.builtinCode() == BuiltinOperator.FULLY_CONNECTED);
        assertThat(f.input(0).type()).isEqualTo(TensorType.FLOAT32);
        assertThat(f.input(0).shape()).containsExactly(1, 2);
        assertThat(f.output(0).shape()).containsExactly(1, 3);
        assertThat(f.description()).isEqualTo("test float");

        float[] calib = new float[100 * 2];
        new Random(3).ints(0).limit(0);
        for (int i = 0; i < calib.length; i++) {
            calib[i] = (i % 7) / 3f - 1f;
        }
        for (TfliteExport.WeightGranularity g : TfliteExport.WeightGranularity.values()) {
            TfliteModel q = TfliteModel.parse(TfliteExport.int8(m, calib, 100, g, "test int8"));
            assertThat(q.input(0).type()).isEqualTo(TensorType.INT8);
            assertThat(q.output(0).type()).isEqualTo(TensorType.INT8);
            TensorInfo w0 = q.tensor(q.operators().get(0).input(1));
            TensorInfo b0 = q.tensor(q.operators().get(0).input(2));
            assertThat(w0.type()).isEqualTo(TensorType.INT8);
            assertThat(b0.type()).isEqualTo(TensorType.INT32);
            int channels = g == TfliteExport.WeightGranularity.PER_CHANNEL ? 8 : 1;
            assertThat(w0.quantization().channels()).isEqualTo(channels);
            assertThat(b0.quantization().channels()).isEqualTo(channels);
            // bias scale = input scale x weight scale, zero points 0
            float sIn = q.input(0).quantization().scale(0);
            for (int c = 0; c < channels; c++) {
                assertThat(b0.quantization().scale(c)).isEqualTo(sIn * w0.quantization().scale(c));
                assertThat(w0.quantization().zeroPoint(c)).isZero();
            }
        }
    }

    /** On the interpreter (once it has FULLY_CONNECTED): float file = the trained model; int8 ≈ it. */
    @Test
    void exportedModelsComputeWhatTheTrainedModelComputes() {
        Sequential m = trained();
        TfliteModel f = TfliteModel.parse(TfliteExport.float32(m, ""));
        assumeThat(MicroInterpreter.check(f)).as("micro interpreter supports FULLY_CONNECTED").isEmpty();
        float[] calib = new float[400 * 2];
        Random r = new Random(8);
        for (int i = 0; i < calib.length; i++) {
            calib[i] = r.nextFloat() * 4 - 2;
        }
        TfliteModel q = TfliteModel.parse(TfliteExport.int8(m, calib, 400, TfliteExport.WeightGranularity.PER_CHANNEL, ""));
        int agree = 0;
        try (MicroInterpreter fi = MicroInterpreter.create(f); MicroInterpreter qi = MicroInterpreter.create(q)) {
            for (int n = 0; n < 200; n++) {
                float a = r.nextFloat() * 4 - 2;
                float b = r.nextFloat() * 4 - 2;
                float[] expected = m.forward(new float[] {a, b}, 1).clone();
                ByteBuffer in = fi.input(0).order(ByteOrder.LITTLE_ENDIAN);
                in.putFloat(0, a).putFloat(4, b);
                fi.invoke();
                ByteBuffer out = fi.output(0).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < 3; k++) {
                    assertThat(out.getFloat(4 * k)).isCloseTo(expected[k], org.assertj.core.data.Offset.offset(1e-5f));
                }
                TensorSpec qin = qi.inputs().get(0);
                TfliteExport.QuantParams p = new TfliteExport.QuantParams(qin.quantization().scale(0),
                        (int) qin.quantization().zeroPoint(0));
                qi.input(0).put(0, p.quantize(a)).put(1, p.quantize(b));
                qi.invoke();
                byte[] raw = new byte[3];
                qi.output(0).get(0, raw);
                int best = 0;
                for (int k = 1; k < 3; k++) {
                    if (raw[k] > raw[best]) {
                        best = k;
                    }
                }
                if (best == Dataset.argmax(expected, 0, 3)) {
                    agree++;
                }
            }
        }
        assertThat(agree).as("int8 argmax agrees with float").isGreaterThanOrEqualTo(190);
    }

    @Test
    void refusesLayersItCannotExport() {
        Layer custom = new Layer() {
            @Override
            public int[] inputShape() {
                return new int[] {3};
            }

            @Override
            public int[] outputShape() {
                return new int[] {3};
            }

            @Override
            public float[] forward(float[] input, int batch) {
                return input;
            }

            @Override
            public float[] backward(float[] gradOutput, int batch) {
                return gradOutput;
            }

            @Override
            public java.util.List<Parameter> parameters() {
                return java.util.List.of();
            }

            @Override
            public String toString() {
                return "Identity";
            }
        };
        Sequential m = new Sequential(java.util.List.of(new Dense(3, 3, new Random(1)), custom));
        assertThatThrownBy(() -> TfliteExport.float32(m, "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot export layer 1 (Identity): TFLite export knows Conv2D, Pool2D, Flatten, Dense and Relu");
    }
}
