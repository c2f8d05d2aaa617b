package dev.fieldline.tflite.micro.kernels;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.TfliteModelBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-operator model for kernel tests, written with our writer and run on the interpreter: declare
 * inputs, constants and outputs, then the operator; feed values as floats or raw integers and read
 * outputs the same way.
 */
final class OpModel {

    final TfliteModelBuilder builder = new TfliteModelBuilder();
    private final List<Integer> inputs = new ArrayList<>();
    private final List<Integer> outputs = new ArrayList<>();
    private final List<TensorType> inputTypes = new ArrayList<>();
    private final List<TensorType> outputTypes = new ArrayList<>();
    private MicroInterpreter interpreter;

    static Quantization q(double scale, long zeroPoint) {
        return Quantization.perTensor((float) scale, zeroPoint);
    }

    static int[] shape(int... dims) {
        return dims;
    }

    int input(TensorType type, int[] shape, Quantization q) {
        int t = builder.addTensor("in" + inputs.size(), type, shape, q);
        inputs.add(t);
        inputTypes.add(type);
        return t;
    }

    int input(TensorType type, int... shape) {
        return input(type, shape, Quantization.NONE);
    }

    int output(TensorType type, int[] shape, Quantization q) {
        int t = builder.addTensor("out" + outputs.size(), type, shape, q);
        outputs.add(t);
        outputTypes.add(type);
        return t;
    }

    int output(TensorType type, int... shape) {
        return output(type, shape, Quantization.NONE);
    }

    int constantInt32(int[] shape, int... values) {
        return builder.addConstantInt32("c" + builder.tensorCount(), shape, Quantization.NONE, values);
    }

    OpModel op(int code, int version, BuiltinOptions options, int[] in, int... out) {
        builder.addOperator(code, version, in, out, options);
        return this;
    }

    /** A model with one operator over all declared inputs (in order) and outputs. */
    OpModel op(int code, int version, BuiltinOptions options) {
        return op(code, version, options, inputs.stream().mapToInt(Integer::intValue).toArray(),
                outputs.stream().mapToInt(Integer::intValue).toArray());
    }

    TfliteModel model() {
        builder.inputs(inputs.stream().mapToInt(Integer::intValue).toArray());
        builder.outputs(outputs.stream().mapToInt(Integer::intValue).toArray());
        return TfliteModel.parse(builder.build());
    }

    MicroInterpreter load() {
        if (interpreter == null) {
            interpreter = MicroInterpreter.create(model());
        }
        return interpreter;
    }

    /** Asserts that the interpreter refuses the model and returns the refusal. */
    ModelException refusal() {
        TfliteModel model = model();
        ModelException[] caught = new ModelException[1];
        assertThatThrownBy(() -> MicroInterpreter.create(model)).isInstanceOfSatisfying(ModelException.class,
                e -> caught[0] = e);
        return caught[0];
    }

    OpModel set(int input, double... values) {
        ByteBuffer b = load().input(input);
        TensorType t = inputTypes.get(input);
        for (double v : values) {
            switch (t) {
                case FLOAT32 -> b.putFloat((float) v);
                case INT8, UINT8 -> b.put((byte) (long) v);
                case INT16, FLOAT16 -> b.putShort((short) (long) v);
                case INT32 -> b.putInt((int) (long) v);
                case INT64 -> b.putLong((long) v);
                default -> throw new IllegalArgumentException(t.toString());
            }
        }
        return this;
    }

    OpModel invoke() {
        load().invoke();
        return this;
    }

    /** Output {@code i} as doubles (raw integers for quantised types). */
    double[] get(int output) {
        ByteBuffer b = load().output(output).order(ByteOrder.LITTLE_ENDIAN);
        TensorType t = outputTypes.get(output);
        double[] out = new double[b.remaining() / t.bytes()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (t) {
                case FLOAT32 -> b.getFloat();
                case INT8 -> b.get();
                case UINT8 -> b.get() & 0xff;
                case INT16 -> b.getShort();
                case INT32 -> b.getInt();
                case INT64 -> b.getLong();
                default -> throw new IllegalArgumentException(t.toString());
            };
        }
        return out;
    }

    /** Sets input 0, invokes and returns output 0. */
    double[] run(double... values) {
        return set(0, values).invoke().get(0);
    }

    static double[] d(double... values) {
        return values;
    }
}
