package dev.fieldline.inference.ops;

import static dev.fieldline.tflite.TensorType.FLOAT32;
import static dev.fieldline.tflite.TensorType.INT16;
import static dev.fieldline.tflite.TensorType.INT32;
import static dev.fieldline.tflite.TensorType.INT64;
import static dev.fieldline.tflite.TensorType.INT8;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.kernels.Activation;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.Padding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Generators for the layer operators: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D,
 * MAX_POOL_2D, RESHAPE, SOFTMAX. Each draws types (float32, int8, int16 activations with int8
 * weights), shapes, options and quantisation within what TensorFlow Lite 2.6.2 accepts.
 */
final class LayerOpCases {

    private LayerOpCases() {}

    /** Raw RMS of an activation's quantised values around zero, for choosing output scales. */
    static double rawRms(TensorType t, long zeroPoint) {
        return t == INT16 ? 18918 : Math.sqrt(74.0 * 74.0 + (double) zeroPoint * zeroPoint);
    }

    /**
     * An output scale for a sum of {@code k} products of input by int8 weight, so that outputs spread
     * over the type's range (sometimes saturating).
     */
    static float accumulatorOutputScale(Gen g, Quantization in, float weightScale, int k, TensorType out) {
        double accStd = in.scale(0) * (double) weightScale * Math.sqrt(k) * 73 * rawRms(out, in.zeroPoint(0));
        double target = out == INT16 ? 6000 : 40;
        return (float) (accStd / target * g.logUniform(0.4, 2.5));
    }

    /** int32 (int8 activations) or int64 (int16 activations) bias raw values. */
    static byte[] biasData(Gen g, TensorType biasType, int count, double rawSpread) {
        ByteBuffer b = ByteBuffer.allocate(count * biasType.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            long v = Math.round((g.rnd.nextDouble() * 2 - 1) * rawSpread);
            if (biasType == INT32) {
                b.putInt((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v)));
            } else {
                b.putLong(v);
            }
        }
        return b.array();
    }

    static OpCase fullyConnected(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int batch = g.between(1, 3);
        int depth = g.between(1, 32);
        int units = g.between(1, 16);
        boolean extraDim = g.chance(0.2);
        int[] inShape = extraDim ? new int[] {batch, 2, depth} : new int[] {batch, depth};
        int rows = extraDim ? batch * 2 : batch;
        boolean hasBias = g.chance(0.8);
        Activation act = g.activation();
        g.note("type", t.dtype()).note("input", inShape).note("units", units).note("bias", hasBias).note("act", act);
        Quantization inQ = g.activationQuant(t);
        int in = g.input("in", t, inShape, inQ);
        int w;
        int bias = -1;
        Quantization outQ;
        if (t == FLOAT32) {
            w = g.model.addConstantFloat("w", new int[] {units, depth}, g.floats(units * depth, 1));
            if (hasBias) {
                bias = g.model.addConstantFloat("b", new int[] {units}, g.floats(units, 1));
            }
            outQ = Quantization.NONE;
        } else {
            float ws = g.logUniform(1e-3, 5e-2);
            Quantization wq = Quantization.perTensor(ws, 0);
            w = g.model.addConstantInt8("w", new int[] {units, depth}, wq, g.weights(units * depth));
            TensorType bt = t == INT8 ? INT32 : INT64;
            if (hasBias) {
                bias = g.model.addConstant("b", bt, new int[] {units},
                        Quantization.perTensor(Gen.biasScale(inQ.scale(0), ws), 0),
                        biasData(g, bt, units, Math.sqrt(depth) * 73 * rawRms(t, inQ.zeroPoint(0))));
            }
            outQ = t == INT8 ? Quantization.perTensor(accumulatorOutputScale(g, inQ, ws, depth, t), g.between(-128, 127))
                    : Quantization.perTensor(accumulatorOutputScale(g, inQ, ws, depth, t), 0);
            g.noteQ("in_q", inQ).noteQ("w_q", wq).noteQ("out_q", outQ);
        }
        int out = g.output("out", t, new int[] {rows, units}, outQ);
        int version = t == FLOAT32 ? 1 : t == INT8 ? 4 : 7;
        g.model.addOperator(BuiltinOperator.FULLY_CONNECTED, version, new int[] {in, w, bias}, new int[] {out},
                new BuiltinOptions.FullyConnected(act, false, false));
        return finish(g, "FULLY_CONNECTED", seed, out, 1, 3);
    }

    /** Output size along one axis as TensorFlow Lite computes it, or 0 when the window does not fit. */
    static int outSize(Padding p, int in, int filter, int stride, int dilation) {
        int effective = (filter - 1) * dilation + 1;
        if (p == Padding.SAME) {
            return (in + stride - 1) / stride;
        }
        return in >= effective ? (in - effective + stride) / stride : 0;
    }

    static OpCase conv2d(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int n = g.between(1, 2);
        int h = g.between(1, 10);
        int w = g.between(1, 10);
        int cin = g.between(1, 6);
        int cout = g.between(1, 8);
        Window win = Window.draw(g, h, w, true);
        int kh = win.kh();
        int kw = win.kw();
        Activation act = g.activation();
        g.note("type", t.dtype()).note("input", new int[] {n, h, w, cin}).note("filter", new int[] {cout, kh, kw, cin});
        win.note(g);
        g.note("act", act);
        Quantization inQ = g.activationQuant(t);
        int in = g.input("in", t, new int[] {n, h, w, cin}, inQ);
        Filter f = Filter.draw(g, t, inQ, new int[] {cout, kh, kw, cin}, 0, kh * kw * cin);
        int out = g.output("out", t, new int[] {n, win.oh(), win.ow(), cout}, f.outQ());
        int version = t == FLOAT32 ? 1 : t == INT8 ? 3 : 4;
        g.model.addOperator(BuiltinOperator.CONV_2D, version, new int[] {in, f.filter(), f.bias()}, new int[] {out},
                new BuiltinOptions.Conv2D(win.padding(), win.sw(), win.sh(), act, win.dw(), win.dh()));
        return finish(g, "CONV_2D", seed, out, 1, 2);
    }

    static OpCase depthwiseConv2d(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int n = g.between(1, 2);
        int h = g.between(1, 10);
        int w = g.between(1, 10);
        int cin = g.between(1, 6);
        int mult = g.between(1, 3);
        int cout = cin * mult;
        Window win = Window.draw(g, h, w, true);
        int kh = win.kh();
        int kw = win.kw();
        Activation act = g.activation();
        g.note("type", t.dtype()).note("input", new int[] {n, h, w, cin}).note("filter", new int[] {1, kh, kw, cout})
                .note("depth_multiplier", mult);
        win.note(g);
        g.note("act", act);
        Quantization inQ = g.activationQuant(t);
        int in = g.input("in", t, new int[] {n, h, w, cin}, inQ);
        Filter f = Filter.draw(g, t, inQ, new int[] {1, kh, kw, cout}, 3, kh * kw);
        int out = g.output("out", t, new int[] {n, win.oh(), win.ow(), cout}, f.outQ());
        int version = t == FLOAT32 ? (win.dh() > 1 || win.dw() > 1 ? 2 : 1) : t == INT8 ? 3 : 5;
        g.model.addOperator(BuiltinOperator.DEPTHWISE_CONV_2D, version, new int[] {in, f.filter(), f.bias()},
                new int[] {out},
                new BuiltinOptions.DepthwiseConv2D(win.padding(), win.sw(), win.sh(), mult, act, win.dw(), win.dh()));
        return finish(g, "DEPTHWISE_CONV_2D", seed, out, 1, 2);
    }

    static OpCase averagePool(long seed) {
        return pool(seed, BuiltinOperator.AVERAGE_POOL_2D, "AVERAGE_POOL_2D");
    }

    static OpCase maxPool(long seed) {
        return pool(seed, BuiltinOperator.MAX_POOL_2D, "MAX_POOL_2D");
    }

    private static OpCase pool(long seed, int code, String name) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16);
        int n = g.between(1, 2);
        int h = g.between(1, 10);
        int w = g.between(1, 10);
        int c = g.between(1, 6);
        Window win = Window.draw(g, h, w, false);
        Activation act = g.activation();
        g.note("type", t.dtype()).note("input", new int[] {n, h, w, c}).note("filter", win.kh() + "x" + win.kw());
        win.note(g);
        g.note("act", act);
        Quantization q = g.activationQuant(t);
        g.noteQ("q", q);
        int in = g.input("in", t, new int[] {n, h, w, c}, q);
        int out = g.output("out", t, new int[] {n, win.oh(), win.ow(), c}, q);
        int version = t == FLOAT32 ? 1 : t == INT8 ? 2 : 3;
        g.model.addOperator(code, version, new int[] {in}, new int[] {out},
                new BuiltinOptions.Pool2D(win.padding(), win.sw(), win.sh(), win.kw(), win.kh(), act));
        return finish(g, name, seed, out, 1, 4);
    }

    static OpCase reshape(long seed) {
        Gen g = new Gen(seed);
        TensorType t = g.pick(FLOAT32, INT8, INT16, INT32);
        int[] inShape = randomShape(g, g.between(1, 4), 4);
        int total = Gen.elements(inShape);
        int[] outShape = factor(g, total, g.between(1, 4));
        int[] spec = outShape.clone();
        if (g.chance(0.4)) {
            spec[g.between(0, spec.length - 1)] = -1;
        }
        String mode = g.pick("options", "tensor", "both");
        Quantization q = t == INT32 ? Quantization.NONE : g.activationQuant(t);
        g.note("type", t.dtype()).note("input", inShape).note("new_shape", spec).note("given_by", mode);
        int in = g.input("in", t, inShape, q);
        int out = g.output("out", t, outShape, q);
        int[] inputs = {in};
        if (!mode.equals("options")) {
            int shape = g.model.addConstantInt32("shape", new int[] {spec.length}, Quantization.NONE, spec);
            inputs = new int[] {in, shape};
        }
        BuiltinOptions.Reshape options = new BuiltinOptions.Reshape(mode.equals("tensor") ? Optional.empty()
                : Optional.of(spec));
        g.model.addOperator(BuiltinOperator.RESHAPE, 1, inputs, new int[] {out}, options);
        return finish(g, "RESHAPE", seed, out, 1, 4);
    }

    static OpCase softmax(long seed) {
        Gen g = new Gen(seed);
        String variant = g.pick("float32", "int8->int8", "int8->int16", "int16->int16");
        boolean rank4 = g.chance(0.3);
        int[] shape = rank4 ? new int[] {1, g.between(1, 3), g.between(1, 3), g.between(1, 12)}
                : new int[] {g.between(1, 3), g.between(1, 20)};
        float beta = g.chance(0.3) ? 1f : g.logUniform(0.2, 3);
        g.note("variant", variant).note("shape", shape).note("beta", beta);
        TensorType inT = variant.startsWith("float") ? FLOAT32 : variant.startsWith("int8") ? INT8 : INT16;
        TensorType outT = variant.endsWith("float32") ? FLOAT32 : variant.endsWith("int8") ? INT8 : INT16;
        Quantization inQ = switch (inT) {
            case INT8 -> Quantization.perTensor(g.logUniform(0.01, 0.2), g.between(-128, 127));
            case INT16 -> Quantization.perTensor(g.logUniform(1e-4, 1e-3), 0);
            default -> Quantization.NONE;
        };
        Quantization outQ = switch (outT) {
            case INT8 -> Quantization.perTensor(1f / 256, -128);
            case INT16 -> Quantization.perTensor(1f / 32768, 0);
            default -> Quantization.NONE;
        };
        g.noteQ("in_q", inQ).noteQ("out_q", outQ);
        int in = g.input("in", inT, shape, inQ);
        int out = g.output("out", outT, shape, outQ);
        int version = inT == FLOAT32 ? 1 : inT == INT8 ? 2 : 3;
        g.model.addOperator(BuiltinOperator.SOFTMAX, version, new int[] {in}, new int[] {out},
                new BuiltinOptions.Softmax(beta));
        return finish(g, "SOFTMAX", seed, out, 1, 6);
    }

    static int[] randomShape(Gen g, int rank, int maxDim) {
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) {
            s[i] = g.between(1, maxDim);
        }
        return s;
    }

    /** A random shape of the given rank whose elements multiply to {@code total}. */
    static int[] factor(Gen g, int total, int rank) {
        int[] s = new int[rank];
        int rest = total;
        for (int i = 0; i < rank - 1; i++) {
            int d = 1;
            for (int tries = 0; tries < 4; tries++) {
                int cand = g.between(1, Math.max(1, rest));
                if (rest % cand == 0) {
                    d = cand;
                    break;
                }
            }
            s[i] = d;
            rest /= d;
        }
        s[rank - 1] = rest;
        return s;
    }

    static OpCase finish(Gen g, String op, long seed, int output, int steps, float floatRange) {
        g.model.inputs(g.inputs()).outputs(output).description(op + " seed " + seed);
        return new OpCase(op, seed, g.params(), g.model.buildModel(), g.steps(steps, floatRange));
    }

    /**
     * A sliding window over an H×W input: filter, stride, dilation and padding, and the output size
     * TensorFlow Lite computes (VALID falls back to SAME when the window does not fit).
     */
    record Window(int kh, int kw, int sh, int sw, int dh, int dw, Padding padding, int oh, int ow) {
        static Window draw(Gen g, int h, int w, boolean dilation) {
            int kh = g.between(1, 4);
            int kw = g.between(1, 4);
            int sh = g.between(1, 3);
            int sw = g.between(1, 3);
            int dh = dilation && g.chance(0.25) ? g.between(2, 3) : 1;
            int dw = dilation && g.chance(0.25) ? g.between(2, 3) : 1;
            Padding pad = g.padding();
            if (outSize(pad, h, kh, sh, dh) == 0 || outSize(pad, w, kw, sw, dw) == 0) {
                pad = Padding.SAME;
            }
            return new Window(kh, kw, sh, sw, dh, dw, pad, outSize(pad, h, kh, sh, dh), outSize(pad, w, kw, sw, dw));
        }

        void note(Gen g) {
            g.note("stride", sh + "x" + sw).note("dilation", dh + "x" + dw).note("padding", padding);
        }
    }

    /**
     * A convolution's constant filter and bias and its output quantisation: float32, or int8 weights
     * per channel along {@code axis} (int32 bias for int8 activations, int64 for int16).
     */
    record Filter(int filter, int bias, Quantization outQ) {
        static Filter draw(Gen g, TensorType t, Quantization inQ, int[] shape, int axis, int depth) {
            int channels = shape[axis];
            int count = Gen.elements(shape);
            if (t == FLOAT32) {
                int filter = g.model.addConstantFloat("filter", shape, g.floats(count, 1));
                return new Filter(filter, g.model.addConstantFloat("bias", new int[] {channels}, g.floats(channels, 1)),
                        Quantization.NONE);
            }
            Weights wq = Weights.draw(g, channels, axis);
            int filter = g.model.addConstantInt8("filter", shape, wq.quant(), g.weights(count));
            TensorType bt = t == INT8 ? INT32 : INT64;
            int bias = g.model.addConstant("bias", bt, new int[] {channels}, wq.biasQuant(inQ.scale(0)),
                    biasData(g, bt, channels, Math.sqrt(depth) * 73 * rawRms(t, inQ.zeroPoint(0))));
            Quantization outQ = Quantization.perTensor(accumulatorOutputScale(g, inQ, wq.typical(), depth, t),
                    t == INT8 ? g.between(-128, 127) : 0);
            g.noteQ("in_q", inQ).noteQ("filter_q", wq.quant()).noteQ("out_q", outQ);
            return new Filter(filter, bias, outQ);
        }
    }

    /** int8 weights quantised per channel (sometimes per tensor) along {@code axis}, zero points 0. */
    record Weights(Quantization quant) {
        static Weights draw(Gen g, int channels, int axis) {
            if (channels == 1 || g.chance(0.3)) {
                return new Weights(Quantization.perTensor(g.logUniform(1e-3, 5e-2), 0));
            }
            float[] s = new float[channels];
            for (int i = 0; i < channels; i++) {
                s[i] = g.logUniform(1e-3, 5e-2);
            }
            return new Weights(new Quantization(s, new long[channels], axis));
        }

        float typical() {
            double sum = 0;
            for (float s : quant.scale()) {
                sum += s;
            }
            return (float) (sum / quant.channels());
        }

        /** The bias quantisation TensorFlow Lite expects: input scale × each weight scale. */
        Quantization biasQuant(float inputScale) {
            float[] s = quant.scale();
            float[] b = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                b[i] = Gen.biasScale(inputScale, s[i]);
            }
            return new Quantization(b, new long[s.length], 0);
        }
    }
}
