package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.OpModel.q;
import static dev.fieldline.tflite.micro.kernels.OpModel.shape;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.writer.BuiltinOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** One small model per kernel variant of the element-wise operators, for whole-kernel checks. */
final class ElementwiseModels {

    private static final Quantization INT8 = q(0.05, -3);
    private static final Quantization INT16 = q(1.0 / 4096, 0);
    private static final Quantization OUT16 = q(1.0 / 32768, 0);

    private ElementwiseModels() {}

    static Map<String, Supplier<TfliteModel>> all() {
        Map<String, Supplier<TfliteModel>> m = new LinkedHashMap<>();
        m.put("QUANTIZE float32 to int8", () -> unary(BuiltinOperator.QUANTIZE, 1, new BuiltinOptions.Quantize(),
                TensorType.FLOAT32, Quantization.NONE, TensorType.INT8, INT8));
        m.put("QUANTIZE int16 to int32", () -> unary(BuiltinOperator.QUANTIZE, 1, new BuiltinOptions.Quantize(),
                TensorType.INT16, q(1.0 / 32768, -32768), TensorType.INT32, q(1.0 / 16384, 0)));
        m.put("DEQUANTIZE int8", () -> unary(BuiltinOperator.DEQUANTIZE, 2, new BuiltinOptions.Dequantize(),
                TensorType.INT8, INT8, TensorType.FLOAT32, Quantization.NONE));
        m.put("DEQUANTIZE float16", () -> unary(BuiltinOperator.DEQUANTIZE, 3, new BuiltinOptions.Dequantize(),
                TensorType.FLOAT16, Quantization.NONE, TensorType.FLOAT32, Quantization.NONE));
        m.put("ADD float32 broadcast", () -> binary(BuiltinOperator.ADD, 1, TensorType.FLOAT32, Quantization.NONE,
                new BuiltinOptions.Add(Activation.RELU6, true), true));
        m.put("ADD int8 broadcast", () -> binary(BuiltinOperator.ADD, 2, TensorType.INT8, INT8,
                new BuiltinOptions.Add(Activation.NONE, true), true));
        m.put("ADD int16 power-of-two", () -> binary(BuiltinOperator.ADD, 1, TensorType.INT16, INT16,
                new BuiltinOptions.Add(Activation.NONE, true), false));
        m.put("SUB int16 general", () -> binary(BuiltinOperator.SUB, 5, TensorType.INT16, INT16,
                new BuiltinOptions.Sub(Activation.NONE, false), true));
        m.put("ADD int32", () -> binary(BuiltinOperator.ADD, 1, TensorType.INT32, Quantization.NONE,
                new BuiltinOptions.Add(Activation.NONE, true), true));
        m.put("MUL int8 broadcast", () -> binary(BuiltinOperator.MUL, 2, TensorType.INT8, INT8,
                new BuiltinOptions.Mul(Activation.RELU), true));
        m.put("MUL int64", () -> binary(BuiltinOperator.MUL, 5, TensorType.INT64, Quantization.NONE,
                new BuiltinOptions.Mul(Activation.NONE), false));
        for (int code : new int[] {BuiltinOperator.LOGISTIC, BuiltinOperator.TANH}) {
            String name = BuiltinOperator.name(code);
            m.put(name + " float32", () -> unary(code, 1, BuiltinOptions.NONE, TensorType.FLOAT32, Quantization.NONE,
                    TensorType.FLOAT32, Quantization.NONE));
            m.put(name + " int8", () -> unary(code, 2, BuiltinOptions.NONE, TensorType.INT8, INT8, TensorType.INT8,
                    q(1.0 / 256, -128)));
            m.put(name + " int16 fixed point", () -> unary(code, 3, BuiltinOptions.NONE, TensorType.INT16, INT16,
                    TensorType.INT16, OUT16));
            m.put(name + " int16 table", () -> unary(code, 3, BuiltinOptions.NONE, TensorType.INT16, q(0.001, 0),
                    TensorType.INT16, OUT16));
        }
        m.put("RELU int8", () -> unary(BuiltinOperator.RELU, 2, BuiltinOptions.NONE, TensorType.INT8, INT8,
                TensorType.INT8, q(0.1, -128)));
        m.put("RELU6 float32", () -> unary(BuiltinOperator.RELU6, 1, BuiltinOptions.NONE, TensorType.FLOAT32,
                Quantization.NONE, TensorType.FLOAT32, Quantization.NONE));
        m.put("LEAKY_RELU int16", () -> unary(BuiltinOperator.LEAKY_RELU, 2, new BuiltinOptions.LeakyRelu(0.2f),
                TensorType.INT16, INT16, TensorType.INT16, INT16));
        m.put("CONCATENATION int8 requantised", ElementwiseModels::concatenation);
        m.put("PAD int8", () -> pad(false));
        m.put("PADV2 float32", () -> pad(true));
        m.put("MEAN float32", () -> mean(TensorType.FLOAT32, Quantization.NONE, Quantization.NONE, new int[] {1, 2}));
        m.put("MEAN int8 spatial", () -> mean(TensorType.INT8, INT8, q(0.02, 5), new int[] {1, 2}));
        m.put("MEAN int8 rescaled", () -> mean(TensorType.INT8, INT8, q(0.02, 5), new int[] {-1}));
        m.put("MEAN int16 spatial", () -> mean(TensorType.INT16, INT16, q(1.0 / 2048, 0), new int[] {1, 2}));
        m.put("SVDF float32", () -> svdf(false));
        m.put("SVDF int8", () -> svdf(true));
        return m;
    }

    private static TfliteModel unary(int code, int version, BuiltinOptions options, TensorType in, Quantization qin,
            TensorType out, Quantization qout) {
        OpModel m = new OpModel();
        m.input(in, shape(2, 5, 7), qin);
        m.output(out, shape(2, 5, 7), qout);
        return m.op(code, version, options).model();
    }

    private static TfliteModel binary(int code, int version, TensorType t, Quantization qt, BuiltinOptions options,
            boolean broadcast) {
        OpModel m = new OpModel();
        m.input(t, shape(3, 4, 5), qt);
        m.input(t, broadcast ? shape(4, 1) : shape(3, 4, 5), qt);
        m.output(t, shape(3, 4, 5), qt);
        return m.op(code, version, options).model();
    }

    private static TfliteModel concatenation() {
        OpModel m = new OpModel();
        m.input(TensorType.INT8, shape(2, 3, 4), INT8);
        m.input(TensorType.INT8, shape(2, 2, 4), q(0.1, 7));
        m.output(TensorType.INT8, shape(2, 5, 4), INT8);
        return m.op(BuiltinOperator.CONCATENATION, 2, new BuiltinOptions.Concatenation(-2, Activation.NONE)).model();
    }

    private static TfliteModel pad(boolean v2) {
        OpModel m = new OpModel();
        TensorType t = v2 ? TensorType.FLOAT32 : TensorType.INT8;
        Quantization qt = v2 ? Quantization.NONE : INT8;
        int x = m.input(t, shape(1, 4, 4, 3), qt);
        int p = m.constantInt32(shape(4, 2), 0, 0, 1, 2, 2, 1, 0, 0);
        int y = m.output(t, shape(1, 7, 7, 3), qt);
        if (v2) {
            int c = m.builder.addConstantFloat("c", shape(), new float[] {-1f});
            return m.op(BuiltinOperator.PADV2, 1, BuiltinOptions.NONE, new int[] {x, p, c}, y).model();
        }
        return m.op(BuiltinOperator.PAD, 2, new BuiltinOptions.Pad(), new int[] {x, p}, y).model();
    }

    private static TfliteModel mean(TensorType t, Quantization qin, Quantization qout, int[] axes) {
        OpModel m = new OpModel();
        int x = m.input(t, shape(1, 6, 5, 4), qin);
        int a = m.constantInt32(shape(axes.length), axes);
        int y = m.output(t, axes.length == 2 ? shape(1, 1, 1, 4) : shape(1, 6, 5, 1), qout);
        int version = t == TensorType.FLOAT32 ? 1 : t == TensorType.INT16 ? 3 : 2;
        return m.op(BuiltinOperator.MEAN, version, new BuiltinOptions.Reducer(true),
                new int[] {x, a}, y).model();
    }

    private static TfliteModel svdf(boolean integer) {
        OpModel m = new OpModel();
        int filters = 8;
        int memory = 5;
        int in;
        int wf;
        int wt;
        int bias;
        int state;
        int out;
        if (integer) {
            in = m.input(TensorType.INT8, shape(2, 6), INT8);
            wf = m.builder.addConstantInt8("wf", shape(filters, 6), q(0.01, 0), new byte[filters * 6]);
            wt = m.builder.addConstantInt16("wt", shape(filters, memory), q(0.001, 0), new short[filters * memory]);
            bias = m.builder.addConstantInt32("bias", shape(4), q(1e-6, 0), new int[4]);
            state = m.builder.addVariable("state", TensorType.INT16, shape(2, filters * memory), q(0.001, 0));
            out = m.output(TensorType.INT8, shape(2, 4), INT8);
        } else {
            in = m.input(TensorType.FLOAT32, 2, 6);
            wf = m.builder.addConstantFloat("wf", shape(filters, 6), new float[filters * 6]);
            wt = m.builder.addConstantFloat("wt", shape(filters, memory), new float[filters * memory]);
            bias = -1;
            state = m.builder.addVariable("state", TensorType.FLOAT32, shape(2, filters * memory), Quantization.NONE);
            out = m.output(TensorType.FLOAT32, 2, 4);
        }
        return m.op(BuiltinOperator.SVDF, integer ? 3 : 1, new BuiltinOptions.Svdf(2, Activation.RELU, false),
                new int[] {in, wf, wt, bias, state}, out).model();
    }
}
