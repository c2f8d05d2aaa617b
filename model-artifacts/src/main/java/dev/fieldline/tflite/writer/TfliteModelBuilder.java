package dev.fieldline.tflite.writer;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.kernels.Activation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a TensorFlow Lite model: schema version 3, file identifier {@code TFL3}, one subgraph, as
 * the TensorFlow Lite converter lays it out (buffer 0 empty, constant data 16-byte aligned, operator
 * codes in both {@code deprecated_builtin_code} and {@code builtin_code}). Tensors and operators are
 * added in order and referred to by the index each {@code add} method returns. Not thread-safe.
 *
 * <pre>{@code
 * TfliteModelBuilder b = new TfliteModelBuilder().description("sine");
 * int x = b.addTensor("x", TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
 * int w = b.addConstantFloat("w", new int[] {1, 1}, new float[] {2f});
 * int y = b.addTensor("y", TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
 * b.addOperator(BuiltinOperator.FULLY_CONNECTED, 1, new int[] {x, w, -1}, new int[] {y},
 *         new BuiltinOptions.FullyConnected(Activation.NONE, false, false));
 * byte[] tflite = b.inputs(x).outputs(y).build();
 * }</pre>
 */
public final class TfliteModelBuilder {

    /** The schema version written. */
    public static final int SCHEMA_VERSION = 3;
    /** The file identifier written. */
    public static final String FILE_IDENTIFIER = "TFL3";
    /** Alignment of constant data, as the schema's {@code force_align: 16} asks. */
    private static final int DATA_ALIGNMENT = 16;

    private record TensorDef(String name, TensorType type, int[] shape, Quantization quantization, int buffer,
            boolean variable) {}

    private record OpDef(int opcodeIndex, int[] inputs, int[] outputs, BuiltinOptions options) {}

    private record OpCode(int builtinCode, int version) {}

    private record MetadataDef(String name, int buffer) {}

    private final List<byte[]> buffers = new ArrayList<>();
    private final List<TensorDef> tensors = new ArrayList<>();
    private final List<OpDef> operators = new ArrayList<>();
    private final Map<OpCode, Integer> opcodes = new LinkedHashMap<>();
    private final List<MetadataDef> metadata = new ArrayList<>();
    private String description = "";
    private String subgraphName = "main";
    private int[] inputs = new int[0];
    private int[] outputs = new int[0];

    public TfliteModelBuilder() {
        buffers.add(new byte[0]); // buffer 0: the empty buffer of every tensor without data
    }

    /** The model's description string. */
    public TfliteModelBuilder description(String text) {
        this.description = Objects.requireNonNull(text, "text");
        return this;
    }

    /** The subgraph's name ({@code main} unless set). */
    public TfliteModelBuilder subgraphName(String name) {
        this.subgraphName = Objects.requireNonNull(name, "name");
        return this;
    }

    /** A named metadata entry ({@code Model.metadata}) holding {@code data} in a buffer of its own. */
    public TfliteModelBuilder metadata(String name, byte[] data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        buffers.add(data.clone());
        metadata.add(new MetadataDef(name, buffers.size() - 1));
        return this;
    }

    /** A tensor without data (an activation: input, output or intermediate); returns its index. */
    public int addTensor(String name, TensorType type, int[] shape, Quantization quantization) {
        return add(name, type, shape, quantization, 0, false);
    }

    /**
     * A variable tensor (state kept across invocations, reset by {@code resetVariableTensors});
     * returns its index.
     */
    public int addVariable(String name, TensorType type, int[] shape, Quantization quantization) {
        return add(name, type, shape, quantization, 0, true);
    }

    /**
     * A constant tensor whose raw little-endian bytes are {@code data}; returns its index.
     *
     * @throws IllegalArgumentException when the data does not have the shape's byte size
     */
    public int addConstant(String name, TensorType type, int[] shape, Quantization quantization, byte[] data) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(shape, "shape");
        if (type.bytes() == 0) {
            throw new IllegalArgumentException("type " + type.dtype() + " has no fixed element size");
        }
        long expected = elementCount(shape) * type.bytes();
        if (data.length != expected) {
            throw new IllegalArgumentException("constant '" + name + "' " + type.dtype() + shapeString(shape) + " needs "
                    + expected + " bytes, data has " + data.length);
        }
        int buffer = buffers.size();
        buffers.add(data.clone());
        return add(name, type, shape, quantization, buffer, false);
    }

    public int addConstantInt8(String name, int[] shape, Quantization quantization, byte[] values) {
        return addConstant(name, TensorType.INT8, shape, quantization, values);
    }

    public int addConstantInt16(String name, int[] shape, Quantization quantization, short[] values) {
        ByteBuffer b = little(2 * values.length);
        for (short v : values) {
            b.putShort(v);
        }
        return addConstant(name, TensorType.INT16, shape, quantization, b.array());
    }

    public int addConstantInt32(String name, int[] shape, Quantization quantization, int[] values) {
        ByteBuffer b = little(4 * values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return addConstant(name, TensorType.INT32, shape, quantization, b.array());
    }

    public int addConstantInt64(String name, int[] shape, Quantization quantization, long[] values) {
        ByteBuffer b = little(8 * values.length);
        for (long v : values) {
            b.putLong(v);
        }
        return addConstant(name, TensorType.INT64, shape, quantization, b.array());
    }

    public int addConstantFloat(String name, int[] shape, float[] values) {
        ByteBuffer b = little(4 * values.length);
        for (float v : values) {
            b.putFloat(v);
        }
        return addConstant(name, TensorType.FLOAT32, shape, Quantization.NONE, b.array());
    }

    /**
     * An operator, appended to the execution order; returns its index.
     *
     * @param builtinCode a {@link BuiltinOperator} code
     * @param version the operator version to declare (what the kernels check)
     * @param inputs tensor indices, -1 for an omitted optional input
     * @param outputs tensor indices
     * @param options the builtin options, {@link BuiltinOptions#NONE} for operators without
     * @throws IllegalArgumentException for unknown tensors or options of the wrong kind
     */
    public int addOperator(int builtinCode, int version, int[] inputs, int[] outputs, BuiltinOptions options) {
        Objects.requireNonNull(options, "options");
        if (builtinCode < 0 || builtinCode == BuiltinOperator.CUSTOM) {
            throw new IllegalArgumentException("builtinCode " + builtinCode + " is not a builtin operator");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, was " + version);
        }
        String op = BuiltinOperator.name(builtinCode);
        BuiltinOptions.expectedFor(builtinCode).ifPresent(expected -> {
            if (!expected.isInstance(options)) {
                throw new IllegalArgumentException(op + " takes " + expected.getSimpleName() + " options, not "
                        + options.getClass().getSimpleName());
            }
        });
        checkTensors(inputs, op + " inputs", true);
        checkTensors(outputs, op + " outputs", false);
        int opcode = opcodes.computeIfAbsent(new OpCode(builtinCode, version), k -> opcodes.size());
        operators.add(new OpDef(opcode, inputs.clone(), outputs.clone(), options));
        return operators.size() - 1;
    }

    /** The subgraph's input tensors, in order. */
    public TfliteModelBuilder inputs(int... tensorIndices) {
        checkTensors(tensorIndices, "subgraph inputs", false);
        this.inputs = tensorIndices.clone();
        return this;
    }

    /** The subgraph's output tensors, in order. */
    public TfliteModelBuilder outputs(int... tensorIndices) {
        checkTensors(tensorIndices, "subgraph outputs", false);
        this.outputs = tensorIndices.clone();
        return this;
    }

    public int tensorCount() {
        return tensors.size();
    }

    /** The model's bytes. The builder can be built again (and extended in between). */
    public byte[] build() {
        if (outputs.length == 0) {
            throw new IllegalStateException("the model has no outputs");
        }
        FlatBufferBuilder fb = new FlatBufferBuilder(1024 + totalBufferBytes());

        int[] bufferOffsets = new int[buffers.size()];
        for (int i = 0; i < buffers.size(); i++) {
            byte[] data = buffers.get(i);
            int dataVector = 0;
            if (data.length > 0) {
                fb.createUnintializedVector(1, data.length, DATA_ALIGNMENT).put(data);
                dataVector = fb.endVector();
            }
            fb.startTable(3);
            if (dataVector != 0) {
                fb.addOffset(0, dataVector, 0);
            }
            bufferOffsets[i] = fb.endTable();
        }
        int buffersVector = offsetVector(fb, bufferOffsets);

        int[] tensorOffsets = new int[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            tensorOffsets[i] = writeTensor(fb, tensors.get(i));
        }
        int tensorsVector = offsetVector(fb, tensorOffsets);

        int[] opOffsets = new int[operators.size()];
        for (int i = 0; i < operators.size(); i++) {
            OpDef op = operators.get(i);
            int in = intVector(fb, op.inputs());
            int out = intVector(fb, op.outputs());
            int options = writeOptions(fb, op.options());
            fb.startTable(9);
            fb.addInt(0, op.opcodeIndex(), 0);
            fb.addOffset(1, in, 0);
            fb.addOffset(2, out, 0);
            fb.addByte(3, (byte) op.options().unionType(), 0);
            if (options != 0) {
                fb.addOffset(4, options, 0);
            }
            opOffsets[i] = fb.endTable();
        }
        int operatorsVector = offsetVector(fb, opOffsets);

        int subInputs = intVector(fb, inputs);
        int subOutputs = intVector(fb, outputs);
        int subName = fb.createString(subgraphName);
        fb.startTable(5);
        fb.addOffset(0, tensorsVector, 0);
        fb.addOffset(1, subInputs, 0);
        fb.addOffset(2, subOutputs, 0);
        fb.addOffset(3, operatorsVector, 0);
        fb.addOffset(4, subName, 0);
        int subgraph = fb.endTable();
        int subgraphsVector = offsetVector(fb, new int[] {subgraph});

        int[] codeOffsets = new int[opcodes.size()];
        for (Map.Entry<OpCode, Integer> e : opcodes.entrySet()) {
            int code = e.getKey().builtinCode();
            fb.startTable(4);
            fb.addByte(0, (byte) Math.min(code, BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
            fb.addInt(2, e.getKey().version(), 1);
            fb.addInt(3, code, 0);
            codeOffsets[e.getValue()] = fb.endTable();
        }
        int codesVector = offsetVector(fb, codeOffsets);

        int[] metaOffsets = new int[metadata.size()];
        for (int i = 0; i < metadata.size(); i++) {
            int name = fb.createString(metadata.get(i).name());
            fb.startTable(2);
            fb.addOffset(0, name, 0);
            fb.addInt(1, metadata.get(i).buffer(), 0);
            metaOffsets[i] = fb.endTable();
        }
        int metadataVector = metadata.isEmpty() ? 0 : offsetVector(fb, metaOffsets);
        int desc = fb.createString(description);

        fb.startTable(8);
        fb.addInt(0, SCHEMA_VERSION, 0);
        fb.addOffset(1, codesVector, 0);
        fb.addOffset(2, subgraphsVector, 0);
        fb.addOffset(3, desc, 0);
        fb.addOffset(4, buffersVector, 0);
        if (metadataVector != 0) {
            fb.addOffset(6, metadataVector, 0);
        }
        int model = fb.endTable();
        fb.finish(model, FILE_IDENTIFIER);
        return fb.sizedByteArray();
    }

    /** {@link #build()} read back through {@link TfliteModel#parse(byte[])}. */
    public TfliteModel buildModel() {
        return TfliteModel.parse(build());
    }

    private int writeTensor(FlatBufferBuilder fb, TensorDef t) {
        int shape = intVector(fb, t.shape());
        int name = fb.createString(t.name());
        int quant = 0;
        Quantization q = t.quantization();
        if (q.isQuantized()) {
            float[] scale = q.scale();
            fb.startVector(4, scale.length, 4);
            for (int i = scale.length - 1; i >= 0; i--) {
                fb.addFloat(scale[i]);
            }
            int scales = fb.endVector();
            long[] zp = q.zeroPoint();
            fb.startVector(8, zp.length, 8);
            for (int i = zp.length - 1; i >= 0; i--) {
                fb.addLong(zp[i]);
            }
            int zeroPoints = fb.endVector();
            fb.startTable(7);
            fb.addOffset(2, scales, 0);
            fb.addOffset(3, zeroPoints, 0);
            fb.addInt(6, q.quantizedDimension(), 0);
            quant = fb.endTable();
        }
        fb.startTable(6);
        fb.addOffset(0, shape, 0);
        fb.addByte(1, (byte) t.type().code(), 0);
        fb.addInt(2, t.buffer(), 0);
        fb.addOffset(3, name, 0);
        if (quant != 0) {
            fb.addOffset(4, quant, 0);
        }
        fb.addBoolean(5, t.variable(), false);
        return fb.endTable();
    }

    /** The options table (0 for none), fields by schema id, defaults omitted. */
    private static int writeOptions(FlatBufferBuilder fb, BuiltinOptions options) {
        if (options instanceof BuiltinOptions.Conv2D o) {
            fb.startTable(7);
            fb.addByte(0, (byte) o.padding().ordinal(), 0);
            fb.addInt(1, o.strideW(), 0);
            fb.addInt(2, o.strideH(), 0);
            fb.addByte(3, code(o.activation()), 0);
            fb.addInt(4, o.dilationW(), 1);
            fb.addInt(5, o.dilationH(), 1);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.DepthwiseConv2D o) {
            fb.startTable(7);
            fb.addByte(0, (byte) o.padding().ordinal(), 0);
            fb.addInt(1, o.strideW(), 0);
            fb.addInt(2, o.strideH(), 0);
            fb.addInt(3, o.depthMultiplier(), 0);
            fb.addByte(4, code(o.activation()), 0);
            fb.addInt(5, o.dilationW(), 1);
            fb.addInt(6, o.dilationH(), 1);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Pool2D o) {
            fb.startTable(6);
            fb.addByte(0, (byte) o.padding().ordinal(), 0);
            fb.addInt(1, o.strideW(), 0);
            fb.addInt(2, o.strideH(), 0);
            fb.addInt(3, o.filterW(), 0);
            fb.addInt(4, o.filterH(), 0);
            fb.addByte(5, code(o.activation()), 0);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Svdf o) {
            fb.startTable(3);
            fb.addInt(0, o.rank(), 0);
            fb.addByte(1, code(o.activation()), 0);
            fb.addBoolean(2, o.asymmetricQuantizeInputs(), false);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.FullyConnected o) {
            fb.startTable(4);
            fb.addByte(0, code(o.activation()), 0);
            fb.addBoolean(2, o.keepNumDims(), false);
            fb.addBoolean(3, o.asymmetricQuantizeInputs(), false);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Softmax o) {
            fb.startTable(1);
            fb.addFloat(0, o.beta(), 0);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Concatenation o) {
            fb.startTable(2);
            fb.addInt(0, o.axis(), 0);
            fb.addByte(1, code(o.activation()), 0);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Add o) {
            fb.startTable(2);
            fb.addByte(0, code(o.activation()), 0);
            fb.addBoolean(1, o.potScaleInt16(), true);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Sub o) {
            fb.startTable(2);
            fb.addByte(0, code(o.activation()), 0);
            fb.addBoolean(1, o.potScaleInt16(), true);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Mul o) {
            fb.startTable(1);
            fb.addByte(0, code(o.activation()), 0);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Reshape o) {
            int shape = o.newShape().map(s -> intVector(fb, s)).orElse(0);
            fb.startTable(1);
            if (shape != 0) {
                fb.addOffset(0, shape, 0);
            }
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Reducer o) {
            fb.startTable(1);
            fb.addBoolean(0, o.keepDims(), false);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.LeakyRelu o) {
            fb.startTable(1);
            fb.addFloat(0, o.alpha(), 0);
            return fb.endTable();
        }
        if (options instanceof BuiltinOptions.Pad || options instanceof BuiltinOptions.Quantize
                || options instanceof BuiltinOptions.Dequantize) {
            fb.startTable(0);
            return fb.endTable();
        }
        return 0; // BuiltinOptions.None
    }

    private static byte code(Activation a) {
        return (byte) a.ordinal();
    }

    private static int intVector(FlatBufferBuilder fb, int[] values) {
        fb.startVector(4, values.length, 4);
        for (int i = values.length - 1; i >= 0; i--) {
            fb.addInt(values[i]);
        }
        return fb.endVector();
    }

    private static int offsetVector(FlatBufferBuilder fb, int[] offsets) {
        fb.startVector(4, offsets.length, 4);
        for (int i = offsets.length - 1; i >= 0; i--) {
            fb.addOffset(offsets[i]);
        }
        return fb.endVector();
    }

    private int add(String name, TensorType type, int[] shape, Quantization quantization, int buffer, boolean variable) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(quantization, "quantization");
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + shapeString(shape));
            }
        }
        checkQuantization(name, shape, quantization);
        tensors.add(new TensorDef(name, type, shape.clone(), quantization, buffer, variable));
        return tensors.size() - 1;
    }

    private static void checkQuantization(String name, int[] shape, Quantization q) {
        int n = q.channels();
        if (q.zeroPoint().length != n) {
            throw new IllegalArgumentException("tensor '" + name + "': " + n + " scales but " + q.zeroPoint().length
                    + " zero points");
        }
        if (n > 1) {
            int axis = q.quantizedDimension();
            if (axis < 0 || axis >= shape.length || shape[axis] != n) {
                throw new IllegalArgumentException("tensor '" + name + "' " + shapeString(shape) + ": " + n
                        + " per-channel scales do not match quantized_dimension " + axis);
            }
        }
    }

    private void checkTensors(int[] indices, String what, boolean optional) {
        Objects.requireNonNull(indices, what);
        for (int t : indices) {
            if (t >= tensors.size() || t < (optional ? -1 : 0)) {
                throw new IllegalArgumentException(what + ": no tensor " + t + " (the model has " + tensors.size()
                        + " tensors)");
            }
        }
    }

    private int totalBufferBytes() {
        long n = 0;
        for (byte[] b : buffers) {
            n += b.length + DATA_ALIGNMENT;
        }
        if (n > Integer.MAX_VALUE - 4096) {
            throw new IllegalStateException("constant data of " + n + " bytes does not fit a flatbuffer");
        }
        return (int) n;
    }

    private static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static String shapeString(int[] shape) {
        return Arrays.toString(shape);
    }

    private static ByteBuffer little(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
