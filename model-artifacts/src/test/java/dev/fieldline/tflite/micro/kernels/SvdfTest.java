package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.OpModel.q;
import static dev.fieldline.tflite.micro.kernels.OpModel.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.tflite.writer.BuiltinOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SVDF on hand-worked cases: two filters of rank 2 (one unit) and a memory of 2; the state shifts
 * one step per invocation, persists across invocations and is cleared by a reset.
 *
 * <p>Filters: feature weights f0 = (1, 2), f1 = (0, -1); time weights (oldest, newest)
 * f0 = (0.5, 1), f1 = (2, -1); bias 0.25. Inputs (1, 1), (2, -1), (0, 0) give feature outputs
 * f0: 3, 0, 0 and f1: -1, 1, 0, so the unit's outputs are 4 + 0.25, -1.5 + 0.25, 2 + 0.25.
 */
class SvdfTest {

    private static final float[] FEATURE = {1, 2, 0, -1};
    private static final float[] TIME = {0.5f, 1, 2, -1};

    private static final class Model {
        final OpModel m = new OpModel();
        int state;
    }

    private static Model floatModel(Activation act) {
        Model s = new Model();
        int in = s.m.input(TensorType.FLOAT32, 1, 2);
        int wf = s.m.builder.addConstantFloat("wf", shape(2, 2), FEATURE);
        int wt = s.m.builder.addConstantFloat("wt", shape(2, 2), TIME);
        int bias = s.m.builder.addConstantFloat("bias", shape(1), new float[] {0.25f});
        s.state = s.m.builder.addVariable("state", TensorType.FLOAT32, shape(1, 4), Quantization.NONE);
        int out = s.m.output(TensorType.FLOAT32, 1, 1);
        s.m.op(BuiltinOperator.SVDF, 1, new BuiltinOptions.Svdf(2, act, false), new int[] {in, wf, wt, bias, s.state}, out);
        return s;
    }

    /**
     * The same filters in full integer: input, feature weights and state at scale 1, time weights at
     * 1/4 (raw 2, 4, 8, -4), output at scale 1, bias raw 1 (= 0.25).
     */
    private static Model integerModel(Activation act, Quantization stateQ) {
        Model s = new Model();
        int in = s.m.input(TensorType.INT8, shape(1, 2), q(1, 0));
        int wf = s.m.builder.addConstantInt8("wf", shape(2, 2), q(1, 0), new byte[] {1, 2, 0, -1});
        int wt = s.m.builder.addConstantInt16("wt", shape(2, 2), q(0.25, 0), new short[] {2, 4, 8, -4});
        int bias = s.m.builder.addConstantInt32("bias", shape(1), q(0.25, 0), new int[] {1});
        s.state = s.m.builder.addVariable("state", TensorType.INT16, shape(1, 4), stateQ);
        int out = s.m.output(TensorType.INT8, shape(1, 1), q(1, 0));
        s.m.op(BuiltinOperator.SVDF, 3, new BuiltinOptions.Svdf(2, act, false), new int[] {in, wf, wt, bias, s.state}, out);
        return s;
    }

    private static float[] floatState(MicroInterpreter interpreter, int tensor) {
        ByteBuffer b = ByteBuffer.wrap(interpreter.tensorBytes(tensor)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }

    @Test
    void floatStateShiftsAcrossInvocationsAndResets() {
        Model s = floatModel(Activation.NONE);
        assertThat(s.m.run(1, 1)).containsExactly(4.25);
        // state per filter, oldest first: f0 (0, 3), f1 (0, -1)
        assertThat(floatState(s.m.load(), s.state)).containsExactly(0, 3, 0, -1);
        assertThat(s.m.run(2, -1)).containsExactly(-1.25);
        assertThat(floatState(s.m.load(), s.state)).containsExactly(3, 0, -1, 1);
        assertThat(s.m.run(0, 0)).containsExactly(2.25);

        s.m.load().resetVariableTensors();
        assertThat(floatState(s.m.load(), s.state)).containsOnly(0f);
        assertThat(s.m.run(0, 0)).containsExactly(0.25);
        s.m.load().resetVariableTensors();
        assertThat(s.m.run(1, 1)).containsExactly(4.25);
    }

    @Test
    void floatFusedRelu() {
        Model s = floatModel(Activation.RELU);
        assertThat(s.m.run(1, 1)).containsExactly(4.25);
        assertThat(s.m.run(2, -1)).containsExactly(0);
    }

    @Test
    void integerSvdfKeepsTflitesDoubleRounding() {
        Model s = integerModel(Activation.RELU, q(1, 0));
        // 17 * 0.25 = 4.25, but MultiplyByQuantizedMultiplier rounds 17/2 to 9 and then 9/2 to 5
        assertThat(s.m.run(1, 1)).containsExactly(5);
        assertThat(s.m.run(2, -1)).containsExactly(-1); // -5 * 0.25 = -1.25
        assertThat(s.m.run(0, 0)).containsExactly(3); // 9 * 0.25 = 2.25 -> 5/2 -> 3
    }

    @Test
    void integerStateLivesInTheVariableTensorAndResets() {
        Model s = integerModel(Activation.RELU, q(1, 0));
        s.m.run(1, 1);
        s.m.run(2, -1);
        assertThat(int16State(s)).containsExactly(3, 0, -1, 1);
        s.m.load().resetVariableTensors();
        assertThat(int16State(s)).containsOnly((short) 0);
        assertThat(s.m.run(0, 0)).containsExactly(1); // bias only: 0.25 rounds to 1 twice
        s.m.load().resetVariableTensors();
        assertThat(s.m.run(1, 1)).containsExactly(5);
    }

    private static short[] int16State(Model s) {
        ByteBuffer b = ByteBuffer.wrap(s.m.load().tensorBytes(s.state)).order(ByteOrder.LITTLE_ENDIAN);
        short[] out = new short[b.remaining() / 2];
        b.asShortBuffer().get(out);
        return out;
    }

    @Test
    void floatBatchesUnitsAndMemoryAgainstTheSlidingWindowDefinition() {
        int batch = 2;
        int inputSize = 3;
        int rank = 2;
        int units = 3;
        int memory = 4;
        int filters = rank * units;
        SplittableRandom rnd = new SplittableRandom(42);
        float[] wf = random(rnd, filters * inputSize);
        float[] wt = random(rnd, filters * memory);
        float[] bias = random(rnd, units);
        OpModel m = new OpModel();
        int in = m.input(TensorType.FLOAT32, batch, inputSize);
        int cwf = m.builder.addConstantFloat("wf", shape(filters, inputSize), wf);
        int cwt = m.builder.addConstantFloat("wt", shape(filters, memory), wt);
        int cb = m.builder.addConstantFloat("bias", shape(units), bias);
        int state = m.builder.addVariable("state", TensorType.FLOAT32, shape(batch, memory * filters), Quantization.NONE);
        int out = m.output(TensorType.FLOAT32, batch, units);
        m.op(BuiltinOperator.SVDF, 1, new BuiltinOptions.Svdf(rank, Activation.NONE, false),
                new int[] {in, cwf, cwt, cb, state}, out);

        int steps = 7;
        float[][] xs = new float[steps][];
        for (int step = 0; step < steps; step++) {
            xs[step] = random(rnd, batch * inputSize);
            double[] x = new double[xs[step].length];
            for (int i = 0; i < x.length; i++) {
                x[i] = xs[step][i];
            }
            double[] y = m.run(x);
            for (int b = 0; b < batch; b++) {
                for (int u = 0; u < units; u++) {
                    double want = bias[u];
                    for (int r = 0; r < rank; r++) {
                        int f = u * rank + r;
                        for (int t = 0; t < memory; t++) {
                            int s = step - (memory - 1) + t; // the activation of step s sits in slot t
                            if (s >= 0) {
                                double activation = 0;
                                for (int c = 0; c < inputSize; c++) {
                                    activation += wf[f * inputSize + c] * xs[s][b * inputSize + c];
                                }
                                want += wt[f * memory + t] * activation;
                            }
                        }
                    }
                    assertThat(y[b * units + u]).as("step %d batch %d unit %d", step, b, u).isCloseTo(want, within(1e-4));
                }
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }

    @Test
    void refusals() {
        assertThat(integerModel(Activation.NONE, q(1, 0)).m.refusal().getMessage())
                .contains("operator #0 SVDF v3", "RELU");
        assertThat(integerModel(Activation.RELU, q(1, 2)).m.refusal().getMessage())
                .contains("SVDF v3", "tensor 4", "zero point 2");

        OpModel hybrid = new OpModel();
        int in = hybrid.input(TensorType.FLOAT32, 1, 2);
        int wf = hybrid.builder.addConstantInt8("wf", shape(2, 2), q(0.1, 0), new byte[4]);
        int wt = hybrid.builder.addConstantFloat("wt", shape(2, 2), new float[4]);
        int st = hybrid.builder.addVariable("state", TensorType.FLOAT32, shape(1, 4), Quantization.NONE);
        int out = hybrid.output(TensorType.FLOAT32, 1, 2);
        hybrid.op(BuiltinOperator.SVDF, 2, new BuiltinOptions.Svdf(1, Activation.NONE, false), new int[] {in, wf, wt, -1, st},
                out);
        assertThat(hybrid.refusal().getMessage()).contains("SVDF v2", "tensor 1", "int8");

        OpModel notVariable = new OpModel();
        int in2 = notVariable.input(TensorType.FLOAT32, 1, 2);
        int wf2 = notVariable.builder.addConstantFloat("wf", shape(2, 2), new float[4]);
        int wt2 = notVariable.builder.addConstantFloat("wt", shape(2, 2), new float[4]);
        int st2 = notVariable.builder.addConstantFloat("state", shape(1, 4), new float[4]);
        int out2 = notVariable.output(TensorType.FLOAT32, 1, 1);
        notVariable.op(BuiltinOperator.SVDF, 1, new BuiltinOptions.Svdf(2, Activation.NONE, false),
                new int[] {in2, wf2, wt2, -1, st2}, out2);
        assertThat(notVariable.refusal().getMessage()).contains("SVDF v1", "tensor 3 'state'", "variable");

        OpModel rank3 = new OpModel();
        int in3 = rank3.input(TensorType.FLOAT32, 1, 2);
        int wf3 = rank3.builder.addConstantFloat("wf", shape(2, 2), new float[4]);
        int wt3 = rank3.builder.addConstantFloat("wt", shape(2, 2), new float[4]);
        int st3 = rank3.builder.addVariable("state", TensorType.FLOAT32, shape(1, 4), Quantization.NONE);
        int out3 = rank3.output(TensorType.FLOAT32, 1, 1);
        rank3.op(BuiltinOperator.SVDF, 1, new BuiltinOptions.Svdf(3, Activation.NONE, false),
                new int[] {in3, wf3, wt3, -1, st3}, out3);
        assertThat(rank3.refusal().getMessage()).contains("rank 3", "2 filters");
    }
}
