package dev.fieldline.inference.ops;

import static dev.fieldline.inference.ops.LayerOpCases.finish;
import static dev.fieldline.inference.ops.LayerOpCases.randomShape;
import static dev.fieldline.tflite.TensorType.FLOAT32;
import static dev.fieldline.tflite.TensorType.INT16;
import static dev.fieldline.tflite.TensorType.INT32;
import static dev.fieldline.tflite.TensorType.INT8;
import static dev.fieldline.tflite.TensorType.UINT8;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.kernels.Activation;
import dev.fieldline.tflite.writer.BuiltinOptions;
import java.util.Arrays;

/**
 * Generators for QUANTIZE, DEQUANTIZE, ADD, SUB, MUL, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU,
 * CONCATENATION, PAD and MEAN, in the types TensorFlow Lite 2.6.2 runs them.
 */
final class ElementwiseOpCases {

    private ElementwiseOpCases() {}

    static OpCase quantize(long seed) {
        Gen g = new Gen(seed);
        String variant = g.pick("float32->int8", "float32->int16", "int8->int8", "int16->int8", "int16->int16",
                "int16->int32");
        String[] types = variant.split("->");
        TensorType inT = TensorType.ofDtype(types[0]);
        TensorType outT = TensorType.ofDtype(types[1]);
        int[] shape = randomShape(g, g.between(1, 4), 5);
        Quantization inQ = g.activationQuant(inT);
        Quantization outQ = g.activationQuant(outT);
        if (inT != FLOAT32 && g.chance(0.5)) {
            // a requantisation near the input's scale rather than anywhere
            outQ = Quantization.perTensor(inQ.scale(0) * g.logUniform(0.25, 4), outQ.zeroPoint(0));
        }
        g.note("variant", variant).note("shape", shape).noteQ("in_q", inQ).noteQ("out_q", outQ);
        int in = g.input("in", inT, shape, inQ);
        int out = g.output("out", outT, shape, outQ);
        int version = outT == INT16 ? 2 : 1; // as the converter numbers them
        g.model.addOperator(BuiltinOperator.QUANTIZE, version, new int[] {in}, new int[] {out},
                new BuiltinOptions.Quantize());
        float range = inT == FLOAT32 ? (float) (outQ.scale(0) * (outT == INT8 ? 160 : 40000)) : 1;
        return finish(g, "QUANTIZE", seed, out, 1, range);
    }

    static OpCase dequantize(long seed) {
        Gen g = new Gen(seed);
        TensorType inT = g.pick(INT8, INT16, UINT8);
        int[] shape = randomShape(g, g.between(1, 4), 5);
        Quantization inQ = g.activationQuant(inT);
        g.note("type", inT.dtype()).note("shape", shape).noteQ("in_q", inQ);
        int in = g.input("in", inT, shape, inQ);
        int out = g.output("out", FLOAT32, shape, Quantization.NONE);
        int version = inT == UINT8 ? 1 : inT == INT8 ? 2 : 3;
        g.model.addOperator(BuiltinOperator.DEQUANTIZE, version, new int[] {in}, new int[] {out},
                new BuiltinOptions.Dequantize());
        return finish(g, "DEQUANTIZE", seed, out, 1, 1);
    }

    static OpCase add(long seed) {
        return addSub(seed, BuiltinOperator.ADD, "ADD");
    }

    static OpCase sub(long seed) {
        return addSub(seed, BuiltinOperator.SUB, "SUB");
    }

    private static OpCase addSub(long seed, int code, String name) {
        Gen g = new Gen(seed);
        String variant = g.pick("float32", "int8", "int16-pot", "int16-general");
        TensorType t = variant.equals("float32") ? FLOAT32 : variant.equals("int8") ? INT8 : INT16;
        int[][] shapes = broadcastShapes(g);
        if (variant.equals("int16-pot")) {
            // TensorFlow Lite 2.6.2 aborts the process on a broadcast with power-of-two int16 scales
            shapes = new int[][] {shapes[2], shapes[2], shapes[2]};
        }
        Activation act = g.activation();
        Quantization q1;
        Quantization q2;
        Quantization qo;
        if (variant.equals("int16-pot")) {
            int e1 = g.between(-14, -8);
            int e2 = g.between(-14, -8);
            q1 = Quantization.perTensor(g.potScale(e1, e1), 0);
            q2 = Quantization.perTensor(g.potScale(e2, e2), 0);
            // TensorFlow Lite needs the output scale to equal one input's (one shift of zero)
            qo = Quantization.perTensor(g.potScale(Math.max(e1, e2), Math.max(e1, e2)), 0);
        } else {
            q1 = g.activationQuant(t);
            q2 = g.activationQuant(t);
            qo = t == FLOAT32 ? Quantization.NONE : Quantization.perTensor(
                    Math.max(q1.scale(0), q2.scale(0)) * g.logUniform(0.5, 4), t == INT8 ? g.between(-128, 127) : 0);
        }
        boolean pot = !variant.equals("int16-general");
        g.note("variant", variant).note("in1", shapes[0]).note("in2", shapes[1]).note("act", act)
                .noteQ("in1_q", q1).noteQ("in2_q", q2).noteQ("out_q", qo);
        int a = g.input("a", t, shapes[0], q1);
        int b = g.input("b", t, shapes[1], q2);
        int out = g.output("out", t, shapes[2], qo);
        // as the converter numbers them: int16 with general scales is ADD v3 / SUB v5, power-of-two v1
        int version = t == FLOAT32 ? 1 : t == INT8 ? 2 : pot ? 1 : code == BuiltinOperator.ADD ? 3 : 5;
        BuiltinOptions options = code == BuiltinOperator.ADD ? new BuiltinOptions.Add(act, pot)
                : new BuiltinOptions.Sub(act, pot);
        g.model.addOperator(code, version, new int[] {a, b}, new int[] {out}, options);
        return finish(g, name, seed, out, 1, 4);
    }

    static OpCase mul(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int[][] shapes = broadcastShapes(g);
        Activation act = g.activation();
        Quantization q1 = g.activationQuant(t);
        Quantization q2 = g.activationQuant(t);
        Quantization qo = Quantization.NONE;
        if (t != FLOAT32) {
            double raw = t == INT8 ? 74 * 74 / 40.0 : 18918.0 * 18918 / 6000;
            qo = Quantization.perTensor((float) (q1.scale(0) * (double) q2.scale(0) * raw * g.logUniform(0.3, 3)),
                    t == INT8 ? g.between(-128, 127) : 0);
        }
        g.note("type", t.dtype()).note("in1", shapes[0]).note("in2", shapes[1]).note("act", act)
                .noteQ("in1_q", q1).noteQ("in2_q", q2).noteQ("out_q", qo);
        int a = g.input("a", t, shapes[0], q1);
        int b = g.input("b", t, shapes[1], q2);
        int out = g.output("out", t, shapes[2], qo);
        int version = t == FLOAT32 ? 1 : t == INT8 ? 2 : 4;
        g.model.addOperator(BuiltinOperator.MUL, version, new int[] {a, b}, new int[] {out},
                new BuiltinOptions.Mul(act));
        return finish(g, "MUL", seed, out, 1, 4);
    }

    /** Two broadcast-compatible shapes (rank up to 4, sometimes lower rank on one side) and the result's. */
    static int[][] broadcastShapes(Gen g) {
        int rank = g.between(1, 4);
        int[] full = randomShape(g, rank, 5);
        int[] a = full.clone();
        int[] b = full.clone();
        if (g.chance(0.6)) {
            for (int i = 0; i < rank; i++) {
                if (g.chance(0.3)) {
                    a[i] = 1;
                } else if (g.chance(0.3)) {
                    b[i] = 1;
                }
            }
            if (g.chance(0.3)) {
                b = Arrays.copyOfRange(b, g.between(0, rank - 1), rank);
            }
        }
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int bi = i - (rank - b.length);
            out[i] = Math.max(a[i], bi >= 0 ? b[bi] : 1);
        }
        return new int[][] {a, b, out};
    }

    static OpCase logistic(long seed) {
        return sigmoidLike(seed, BuiltinOperator.LOGISTIC, "LOGISTIC", Quantization.perTensor(1f / 256, -128));
    }

    static OpCase tanh(long seed) {
        return sigmoidLike(seed, BuiltinOperator.TANH, "TANH", Quantization.perTensor(1f / 128, 0));
    }

    private static OpCase sigmoidLike(long seed, int code, String name, Quantization int8Out) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int[] shape = randomShape(g, g.between(1, 4), 5);
        Quantization inQ = switch (t) {
            case INT8 -> Quantization.perTensor(g.logUniform(0.005, 0.2), g.between(-128, 127));
            // power-of-two input scales (2^-12, 2^-11) take TensorFlow Lite's shift path, others its multiplier path
            case INT16 -> Quantization.perTensor(g.chance(0.3) ? g.potScale(-12, -11) : g.logUniform(5e-5, 1e-3), 0);
            default -> Quantization.NONE;
        };
        Quantization outQ = switch (t) {
            case INT8 -> int8Out;
            case INT16 -> Quantization.perTensor(1f / 32768, 0);
            default -> Quantization.NONE;
        };
        g.note("type", t.dtype()).note("shape", shape).noteQ("in_q", inQ).noteQ("out_q", outQ);
        int in = g.input("in", t, shape, inQ);
        int out = g.output("out", t, shape, outQ);
        int version = t == FLOAT32 ? 1 : t == INT8 ? 2 : 3;
        g.model.addOperator(code, version, new int[] {in}, new int[] {out}, BuiltinOptions.NONE);
        return finish(g, name, seed, out, 1, 8);
    }

    static OpCase relu(long seed) {
        return reluLike(seed, BuiltinOperator.RELU, "RELU", 0);
    }

    static OpCase relu6(long seed) {
        return reluLike(seed, BuiltinOperator.RELU6, "RELU6", 0);
    }

    static OpCase leakyRelu(long seed) {
        return reluLike(seed, BuiltinOperator.LEAKY_RELU, "LEAKY_RELU", 1);
    }

    private static OpCase reluLike(long seed, int code, String name, int leaky) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int[] shape = randomShape(g, g.between(1, 4), 5);
        Quantization inQ = g.activationQuant(t);
        Quantization outQ = t == FLOAT32 ? Quantization.NONE : Quantization.perTensor(
                inQ.scale(0) * g.logUniform(0.5, 2), t == INT8 ? g.between(-128, 127) : 0);
        if (t != FLOAT32 && g.chance(0.2)) {
            outQ = inQ;
        }
        float alpha = g.chance(0.2) ? 0.2f : g.uniform(0.01, 0.99);
        g.note("type", t.dtype()).note("shape", shape).noteQ("in_q", inQ).noteQ("out_q", outQ);
        if (leaky == 1) {
            g.note("alpha", alpha);
        }
        int in = g.input("in", t, shape, inQ);
        int out = g.output("out", t, shape, outQ);
        int version = t == FLOAT32 ? 1 : t == INT8 ? 2 : 3;
        if (code == BuiltinOperator.LEAKY_RELU) {
            version = t == INT16 ? 2 : 1;
        }
        BuiltinOptions options = leaky == 1 ? new BuiltinOptions.LeakyRelu(alpha) : BuiltinOptions.NONE;
        g.model.addOperator(code, version, new int[] {in}, new int[] {out}, options);
        return finish(g, name, seed, out, 1, 8);
    }

    static OpCase concatenation(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16, INT32);
        int rank = g.between(1, 4);
        int axis = g.between(-rank, rank - 1);
        int count = g.between(2, 4);
        int[] base = randomShape(g, rank, 4);
        Quantization q = t == INT32 ? Quantization.NONE : g.activationQuant(t);
        int positive = axis < 0 ? axis + rank : axis;
        g.note("type", t.dtype()).note("inputs", count).note("axis", axis).noteQ("q", q);
        int[] inputs = new int[count];
        int total = 0;
        for (int i = 0; i < count; i++) {
            int[] s = base.clone();
            s[positive] = g.between(1, 4);
            total += s[positive];
            g.note("in" + i, s);
            inputs[i] = g.input("in" + i, t, s, q);
        }
        int[] outShape = base.clone();
        outShape[positive] = total;
        int out = g.output("out", t, outShape, q);
        int version = t == FLOAT32 || t == INT32 ? 1 : t == INT8 ? 2 : 3;
        g.model.addOperator(BuiltinOperator.CONCATENATION, version, inputs, new int[] {out},
                new BuiltinOptions.Concatenation(axis, Activation.NONE));
        return finish(g, "CONCATENATION", seed, out, 1, 4);
    }

    static OpCase pad(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int rank = g.between(1, 4);
        int[] shape = randomShape(g, rank, 4);
        int[] pads = new int[2 * rank];
        int[] outShape = new int[rank];
        for (int i = 0; i < rank; i++) {
            pads[2 * i] = g.between(0, 3);
            pads[2 * i + 1] = g.between(0, 3);
            outShape[i] = shape[i] + pads[2 * i] + pads[2 * i + 1];
        }
        Quantization q = g.activationQuant(t);
        g.note("type", t.dtype()).note("input", shape).note("paddings", pads).noteQ("q", q);
        int in = g.input("in", t, shape, q);
        int paddings = g.model.addConstantInt32("paddings", new int[] {rank, 2}, Quantization.NONE, pads);
        int out = g.output("out", t, outShape, q);
        int version = t == FLOAT32 ? 1 : t == INT8 ? 2 : 3;
        g.model.addOperator(BuiltinOperator.PAD, version, new int[] {in, paddings}, new int[] {out},
                new BuiltinOptions.Pad());
        return finish(g, "PAD", seed, out, 1, 4);
    }

    static OpCase mean(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int rank = g.between(1, 4);
        int[] shape = randomShape(g, rank, 5);
        boolean keepDims = g.chance(0.5);
        boolean[] reduced = new boolean[rank];
        int k = g.between(1, rank);
        int[] axes = new int[k + (g.chance(0.1) ? 1 : 0)];
        for (int i = 0; i < k; i++) {
            int a;
            do {
                a = g.between(0, rank - 1);
            } while (reduced[a]);
            reduced[a] = true;
            axes[i] = g.chance(0.3) ? a - rank : a;
        }
        if (axes.length > k) {
            axes[k] = axes[0]; // a repeated axis, which TensorFlow Lite reduces once
        }
        if (rank == 4 && g.chance(0.3)) {
            // the spatial mean of a 4-D tensor: TensorFlow Lite's special-cased path
            Arrays.fill(reduced, false);
            reduced[1] = true;
            reduced[2] = true;
            axes = new int[] {1, 2};
        }
        int outRank = 0;
        for (boolean r : reduced) {
            outRank += r ? 0 : 1;
        }
        int[] outShape = new int[keepDims ? rank : outRank];
        for (int i = 0, j = 0; i < rank; i++) {
            if (keepDims) {
                outShape[i] = reduced[i] ? 1 : shape[i];
            } else if (!reduced[i]) {
                outShape[j++] = shape[i];
            }
        }
        Quantization inQ = g.activationQuant(t);
        Quantization outQ = t == FLOAT32 ? Quantization.NONE : g.chance(0.3) ? inQ
                : Quantization.perTensor(inQ.scale(0) * g.logUniform(0.5, 2), t == INT8 ? g.between(-128, 127) : 0);
        g.note("type", t.dtype()).note("input", shape).note("axes", axes).note("keep_dims", keepDims)
                .noteQ("in_q", inQ).noteQ("out_q", outQ);
        int in = g.input("in", t, shape, inQ);
        int axis = g.model.addConstantInt32("axis", new int[] {axes.length}, Quantization.NONE, axes);
        int out = g.output("out", t, outShape, outQ);
        int version = t == FLOAT32 ? 1 : t == INT8 ? 2 : 3;
        g.model.addOperator(BuiltinOperator.MEAN, version, new int[] {in, axis}, new int[] {out},
                new BuiltinOptions.Reducer(keepDims));
        return finish(g, "MEAN", seed, out, 1, 4);
    }

    /** SVDF with its variable state, three invocations per case without a reset. */
    static OpCase svdf(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8);
        int batch = g.between(1, 2);
        int inputSize = g.between(1, 16);
        int rank = g.between(1, 2);
        int units = g.between(1, 8);
        int filters = units * rank;
        int memory = g.between(2, 8);
        boolean hasBias = g.chance(0.8);
        Activation act = t == FLOAT32 ? g.activation() : Activation.RELU; // TensorFlow Lite's integer SVDF is RELU only
        g.note("type", t.dtype()).note("batch", batch).note("input_size", inputSize).note("rank", rank)
                .note("units", units).note("memory", memory).note("bias", hasBias).note("act", act);
        int[] stateShape = {batch, memory * filters};
        int in;
        int wf;
        int wt;
        int bias = -1;
        int state;
        int out;
        if (t == FLOAT32) {
            in = g.input("in", FLOAT32, new int[] {batch, inputSize}, Quantization.NONE);
            wf = g.model.addConstantFloat("weights_feature", new int[] {filters, inputSize}, g.floats(filters * inputSize, 1));
            wt = g.model.addConstantFloat("weights_time", new int[] {filters, memory}, g.floats(filters * memory, 1));
            if (hasBias) {
                bias = g.model.addConstantFloat("bias", new int[] {units}, g.floats(units, 1));
            }
            state = g.model.addVariable("state", FLOAT32, stateShape, Quantization.NONE);
            out = g.output("out", FLOAT32, new int[] {batch, units}, Quantization.NONE);
        } else {
            Quantization inQ = g.activationQuant(INT8);
            float wfScale = g.logUniform(1e-3, 2e-2);
            float wtScale = g.logUniform(1e-4, 5e-3);
            double feature = inQ.scale(0) * (double) wfScale * Math.sqrt(inputSize) * 73 * LayerOpCases.rawRms(INT8,
                    inQ.zeroPoint(0));
            float stateScale = (float) (feature / 3000 * g.logUniform(0.5, 2));
            double time = stateScale * (double) wtScale * Math.sqrt(memory * rank) * 3000 * 18918;
            Quantization outQ = Quantization.perTensor((float) (time / 40 * g.logUniform(0.5, 2)), g.between(-128, 127));
            g.noteQ("in_q", inQ).note("weights_feature_scale", wfScale).note("weights_time_scale", wtScale)
                    .note("state_scale", stateScale).noteQ("out_q", outQ);
            in = g.input("in", INT8, new int[] {batch, inputSize}, inQ);
            wf = g.model.addConstantInt8("weights_feature", new int[] {filters, inputSize},
                    Quantization.perTensor(wfScale, 0), g.weights(filters * inputSize));
            short[] wtData = new short[filters * memory];
            for (int i = 0; i < wtData.length; i++) {
                wtData[i] = (short) g.between(-32767, 32767);
            }
            wt = g.model.addConstantInt16("weights_time", new int[] {filters, memory},
                    Quantization.perTensor(wtScale, 0), wtData);
            if (hasBias) {
                bias = g.model.addConstant("bias", INT32, new int[] {units},
                        Quantization.perTensor(Gen.biasScale(stateScale, wtScale), 0),
                        LayerOpCases.biasData(g, INT32, units, 3000.0 * 18918));
            }
            state = g.model.addVariable("state", INT16, stateShape, Quantization.perTensor(stateScale, 0));
            out = g.output("out", INT8, new int[] {batch, units}, outQ);
        }
        int version = t == FLOAT32 ? 1 : 3;
        g.model.addOperator(BuiltinOperator.SVDF, version, new int[] {in, wf, wt, bias, state}, new int[] {out},
                new BuiltinOptions.Svdf(rank, act, false));
        g.model.inputs(g.inputs()).outputs(out).description("SVDF seed " + seed);
        return new OpCase("SVDF", seed, g.params(), g.model.buildModel(), g.steps(3, 2));
    }
}
