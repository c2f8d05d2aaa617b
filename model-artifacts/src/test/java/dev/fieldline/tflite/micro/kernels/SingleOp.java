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
import org.assertj.core.api.AbstractThrowableAssert;

/**
 * A one-operator model for kernel tests, written with the project's TFLite writer and run on the
 * micro interpreter: raw (quantised) values in, raw values out.
 */
final class SingleOp {

    private final TfliteModelBuilder builder = new TfliteModelBuilder();
    private int input = -1;
    private int output = -1;

    static Quantization q(double scale, long zeroPoint) {
        return Quantization.perTensor((float) scale, zeroPoint);
    }

    static Quantization perChannel(int axis, double... scales) {
        float[] s = new float[scales.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) scales[i];
        }
        return new Quantization(s, new long[s.length], axis);
    }

    TfliteModelBuilder builder() {
        return builder;
    }

    int input(TensorType type, int[] shape, Quantization q) {
        input = builder.addTensor("input", type, shape, q);
        return input;
    }

    int output(TensorType type, int[] shape, Quantization q) {
        output = builder.addTensor("output", type, shape, q);
        return output;
    }

    int int8(int[] shape, Quantization q, int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return builder.addConstantInt8("weights", shape, q, b);
    }

    int int32(Quantization q, int... values) {
        return builder.addConstantInt32("bias", new int[] {values.length}, q, values);
    }

    int int64(Quantization q, long... values) {
        return builder.addConstantInt64("bias", new int[] {values.length}, q, values);
    }

    int floats(int[] shape, float... values) {
        return builder.addConstantFloat("weights", shape, values);
    }

    SingleOp op(int code, int version, BuiltinOptions options, int... inputs) {
        builder.addOperator(code, version, inputs, new int[] {output}, options);
        return this;
    }

    TfliteModel model() {
        builder.inputs(input).outputs(output);
        return builder.buildModel();
    }

    MicroInterpreter load() {
        return MicroInterpreter.create(model());
    }

    /** Asserts that loading refuses the model for the given reason, naming the operator and version. */
    AbstractThrowableAssert<?, ? extends Throwable> refused(ModelException.Reason reason, String operator) {
        TfliteModel m = model();
        return assertThatThrownBy(() -> MicroInterpreter.create(m))
                .isInstanceOfSatisfying(ModelException.class, e -> org.assertj.core.api.Assertions.assertThat(e.reason())
                        .as(e.getMessage()).isEqualTo(reason))
                .hasMessageContaining(operator);
    }

    /** Runs once with raw input values (integers for quantised types, floats for float32). */
    static Output run(MicroInterpreter session, double... values) {
        ByteBuffer in = session.input(0).order(ByteOrder.LITTLE_ENDIAN);
        TensorType type = session.inputs().get(0).type();
        for (double v : values) {
            switch (type) {
                case INT8 -> in.put((byte) v);
                case INT16 -> in.putShort((short) v);
                case INT32 -> in.putInt((int) v);
                case FLOAT32 -> in.putFloat((float) v);
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        session.invoke();
        return Output.of(session);
    }

    /** The output's raw values as ints (quantised types) or floats. */
    record Output(int[] ints, float[] floats) {
        static Output of(MicroInterpreter session) {
            ByteBuffer out = session.output(0).order(ByteOrder.LITTLE_ENDIAN);
            TensorType type = session.outputs().get(0).type();
            int n = out.remaining() / type.bytes();
            int[] ints = new int[n];
            float[] floats = new float[n];
            for (int i = 0; i < n; i++) {
                switch (type) {
                    case INT8 -> ints[i] = out.get();
                    case INT16 -> ints[i] = out.getShort();
                    case INT32 -> ints[i] = out.getInt();
                    case FLOAT32 -> floats[i] = out.getFloat();
                    default -> throw new IllegalArgumentException(type.toString());
                }
            }
            return new Output(ints, floats);
        }
    }
}
