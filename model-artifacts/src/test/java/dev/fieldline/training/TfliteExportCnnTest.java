package dev.fieldline.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.OperatorInfo;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.MicroInterpreter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Convolutional models exported by {@link TfliteExport} and run on the micro interpreter: the float
 * file computes what {@link Sequential#predict} computes, the int8 file picks the same class.
 */
class TfliteExportCnnTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fieldline.training.ExportFixtures#variants")
    void exportedCnnRunsOnTheMicroInterpreterAsTrained(String name, int side, Supplier<Sequential> factory) {
        Sequential m = factory.get();
        Dataset train = ExportFixtures.bars(640, side, m.outputSize(), 11);
        Dataset test = ExportFixtures.bars(200, side, m.outputSize(), 12);
        ExportFixtures.trainBriefly(m, train);
        int in = m.inputSize();
        int out = m.outputSize();
        float[] expected = m.predict(test.inputs(), test.count(), 50);

        TfliteModel f = TfliteModel.parse(TfliteExport.float32(m, name));
        assertThat(MicroInterpreter.check(f)).isEmpty();
        TfliteModel q = TfliteModel.parse(TfliteExport.int8(m, train.inputs(), 300,
                TfliteExport.WeightGranularity.PER_TENSOR, name));
        assertThat(MicroInterpreter.check(q)).isEmpty();
        float maxDiff = 0f;
        int agree = 0;
        int trainedRight = 0;
        try (MicroInterpreter fi = MicroInterpreter.create(f); MicroInterpreter qi = MicroInterpreter.create(q)) {
            TfliteExport.QuantParams inQ = params(qi.inputs().get(0).quantization());
            TfliteExport.QuantParams outQ = params(qi.outputs().get(0).quantization());
            float[] got = new float[out];
            float[] deq = new float[out];
            for (int n = 0; n < test.count(); n++) {
                ByteBuffer fin = fi.input(0).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer qin = qi.input(0);
                for (int i = 0; i < in; i++) {
                    float v = test.inputs()[n * in + i];
                    fin.putFloat(4 * i, v);
                    qin.put(i, inQ.quantize(v));
                }
                fi.invoke();
                qi.invoke();
                ByteBuffer fout = fi.output(0).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < out; k++) {
                    got[k] = fout.getFloat(4 * k);
                    deq[k] = outQ.dequantize(qi.output(0).get(k));
                    float e = expected[n * out + k];
                    maxDiff = Math.max(maxDiff, Math.abs(got[k] - e) / Math.max(1f, Math.abs(e)));
                }
                int want = Dataset.argmax(expected, n * out, out);
                if (Dataset.argmax(deq, 0, out) == want) {
                    agree++;
                }
                if (want == test.label(n)) {
                    trainedRight++;
                }
            }
        }
        System.out.printf("%s: float test accuracy %d/200, float file max relative difference %.2e,"
                + " int8 argmax agreement %d/200%n", name, trainedRight, maxDiff, agree);
        assertThat(trainedRight).as("%s learnt the bars (test accuracy of the float model)", name).isGreaterThan(150);
        assertThat(maxDiff).as("%s float file vs Sequential.predict, largest relative difference", name).isLessThan(1e-5f);
        assertThat(agree).as("%s int8 argmax agrees with float on 200 images", name).isGreaterThanOrEqualTo(196);
    }

    @Test
    void lenetBecomesOneOperatorPerLayerWithReluFused() {
        Sequential m = ExportFixtures.lenet(1);
        TfliteModel f = TfliteModel.parse(TfliteExport.float32(m, "lenet"));
        assertThat(f.operators().stream().map(OperatorInfo::builtinCode).toList()).containsExactly(
                BuiltinOperator.CONV_2D, BuiltinOperator.MAX_POOL_2D, BuiltinOperator.CONV_2D,
                BuiltinOperator.MAX_POOL_2D, BuiltinOperator.RESHAPE, BuiltinOperator.FULLY_CONNECTED,
                BuiltinOperator.FULLY_CONNECTED, BuiltinOperator.FULLY_CONNECTED);
        assertThat(f.input(0).shape()).containsExactly(1, 28, 28, 1);
        assertThat(f.output(0).shape()).containsExactly(1, 10);
        TensorInfo filters = f.tensor(f.operators().get(2).input(1));
        assertThat(filters.shape()).containsExactly(16, 5, 5, 6);
        assertThat(f.tensor(f.operators().get(4).output(0)).shape()).containsExactly(1, 256);

        float[] calib = ExportFixtures.bars(64, 28, 10, 2).inputs();
        TfliteModel q = TfliteModel.parse(TfliteExport.int8(m, calib, 64, TfliteExport.WeightGranularity.PER_TENSOR, ""));
        assertThat(q.input(0).type()).isEqualTo(TensorType.INT8);
        List<OperatorInfo> ops = q.operators();
        for (int i : new int[] {0, 2}) {
            OperatorInfo conv = ops.get(i);
            Quantization w = q.tensor(conv.input(1)).quantization();
            Quantization b = q.tensor(conv.input(2)).quantization();
            float sIn = q.tensor(conv.input(0)).quantization().scale(0);
            assertThat(w.channels()).as("CONV_2D weights per output channel").isEqualTo(i == 0 ? 6 : 16);
            assertThat(w.quantizedDimension()).isZero();
            assertThat(q.tensor(conv.input(2)).type()).isEqualTo(TensorType.INT32);
            for (int c = 0; c < w.channels(); c++) {
                assertThat(b.scale(c)).isEqualTo(sIn * w.scale(c));
                assertThat(w.zeroPoint(c)).isZero();
            }
            assertThat(q.tensor(conv.output(0)).quantization().zeroPoint(0)).as("ReLU output starts at -128").isEqualTo(-128);
        }
        for (int i : new int[] {1, 3, 4}) {
            assertThat(q.tensor(ops.get(i).output(0)).quantization())
                    .as("%s keeps its input's quantisation", ops.get(i).describe())
                    .isEqualTo(q.tensor(ops.get(i).input(0)).quantization());
        }
        for (int i = 5; i < 8; i++) {
            assertThat(q.tensor(ops.get(i).input(1)).quantization().channels()).as("FULLY_CONNECTED per tensor").isEqualTo(1);
        }
    }

    /** Every int8 weight and bias, dequantised with its channel's scale, is within half a step of the float value. */
    @Test
    void quantisedWeightsAndBiasesRoundTripPerChannel() {
        Sequential m = ExportFixtures.lenet(1);
        Random r = new Random(5);
        for (Parameter p : m.parameters()) {
            if (p.name().equals("bias")) {
                for (int i = 0; i < p.value().length; i++) {
                    p.value()[i] = r.nextFloat() - 0.5f; // fresh layers have zero biases, which would prove nothing
                }
            }
        }
        float[] calib = ExportFixtures.bars(64, 28, 10, 2).inputs();
        for (TfliteExport.WeightGranularity g : TfliteExport.WeightGranularity.values()) {
            TfliteModel q = TfliteModel.parse(TfliteExport.int8(m, calib, 64, g, ""));
            ByteBuffer bytes = ByteBuffer.wrap(q.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            int layer = 0;
            for (OperatorInfo op : q.operators()) {
                if (op.builtinCode() != BuiltinOperator.CONV_2D && op.builtinCode() != BuiltinOperator.FULLY_CONNECTED) {
                    continue;
                }
                while (m.layers().get(layer).parameters().isEmpty()) {
                    layer++;
                }
                List<Parameter> params = m.layers().get(layer++).parameters();
                TensorInfo w = q.tensor(op.input(1));
                TensorInfo b = q.tensor(op.input(2));
                float[] wf = params.get(0).value();
                float[] bf = params.get(1).value();
                int channels = w.shape()[0];
                int perChannel = wf.length / channels;
                for (int i = 0; i < wf.length; i++) {
                    float scale = w.quantization().scale(w.quantization().channels() == 1 ? 0 : i / perChannel);
                    assertThat(bytes.get(w.dataOffset() + i) * scale).as("%s weight %d (%s)", op.describe(), i, g)
                            .isCloseTo(wf[i], within(scale * 0.5001f));
                }
                for (int c = 0; c < channels; c++) {
                    float scale = b.quantization().scale(b.quantization().channels() == 1 ? 0 : c);
                    assertThat(bytes.getInt(b.dataOffset() + 4 * c) * scale).as("%s bias %d (%s)", op.describe(), c, g)
                            .isCloseTo(bf[c], within(scale * 0.5001f));
                }
            }
            assertThat(layer).as("all five layers with parameters checked").isEqualTo(m.layers().size());
        }
    }

    @Test
    void calibrationGivesOneParameterSetPerOperatorPlusTheInput() {
        Sequential m = ExportFixtures.lenet(1);
        float[] calib = ExportFixtures.bars(32, 28, 10, 2).inputs();
        List<TfliteExport.QuantParams> p = TfliteExport.calibrate(m, calib, 32);
        assertThat(p).hasSize(9);
        assertThat(p.get(0).zeroPoint()).isEqualTo(-128); // pixels 0..1
        assertThat(p.get(0).scale()).isCloseTo(1f / 255, within(0.0001f));
        assertThat(p.get(2)).isEqualTo(p.get(1)); // max pool keeps the convolution's
        assertThat(p.get(5)).isEqualTo(p.get(4)).isEqualTo(p.get(3));
    }

    private static TfliteExport.QuantParams params(Quantization q) {
        return new TfliteExport.QuantParams(q.scale(0), (int) q.zeroPoint(0));
    }
}
