package dev.fieldline.tflite;

import dev.fieldline.tflite.ModelException.Reason;
import dev.fieldline.tflite.internal.FlatTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A TensorFlow Lite model (flatbuffer schema version 3) read and checked: every offset is bounds
 * checked, every tensor's shape, buffer and quantisation are consistent, every operator refers to
 * existing tensors. Immutable; the file's bytes are kept because constant tensors are read from them.
 * Only the first subgraph is the model; others (control flow) are refused by the engines that do not
 * run them.
 */
public final class TfliteModel {

    /** Largest model accepted by default: 64 MiB. */
    public static final int DEFAULT_MAX_BYTES = 64 << 20;
    /** Largest tensor rank accepted. */
    public static final int MAX_RANK = 8;

    private final byte[] bytes;
    private final int schemaVersion;
    private final String description;
    private final List<TensorInfo> tensors;
    private final List<OperatorInfo> operators;
    private final int[] inputs;
    private final int[] outputs;
    private final int subgraphCount;

    private TfliteModel(byte[] bytes, int schemaVersion, String description, List<TensorInfo> tensors,
            List<OperatorInfo> operators, int[] inputs, int[] outputs, int subgraphCount) {
        this.bytes = bytes;
        this.schemaVersion = schemaVersion;
        this.description = description;
        this.tensors = List.copyOf(tensors);
        this.operators = List.copyOf(operators);
        this.inputs = inputs;
        this.outputs = outputs;
        this.subgraphCount = subgraphCount;
    }

    public static TfliteModel read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > DEFAULT_MAX_BYTES) {
            throw new ModelException(Reason.TOO_LARGE, file + ": " + size + " bytes, limit " + DEFAULT_MAX_BYTES);
        }
        try {
            return parse(Files.readAllBytes(file), DEFAULT_MAX_BYTES);
        } catch (ModelException e) {
            throw new ModelException(e.reason(), file.getFileName() + ": " + e.getMessage(),
                    e.operatorIndex().orElse(-1), e.tensorIndex().orElse(-1), e);
        }
    }

    public static TfliteModel parse(byte[] bytes) {
        return parse(bytes, DEFAULT_MAX_BYTES);
    }

    /** Reads and validates a model; the array is copied. */
    public static TfliteModel parse(byte[] bytes, int maxBytes) {
        if (bytes.length > maxBytes) {
            throw new ModelException(Reason.TOO_LARGE, "model of " + bytes.length + " bytes exceeds the limit of " + maxBytes);
        }
        byte[] b = bytes.clone();
        if (b.length < 8) {
            throw new ModelException(Reason.MALFORMED, "not a TFLite model: " + b.length + " bytes");
        }
        if (b[4] != 'T' || b[5] != 'F' || b[6] != 'L' || b[7] != '3') {
            throw new ModelException(Reason.MALFORMED, "not a TFLite model: file identifier is not TFL3");
        }
        FlatTable model = FlatTable.root(b, "model");
        int version = model.getUint(0, 0);
        if (version != 3) {
            throw new ModelException(Reason.UNSUPPORTED, "schema version " + version + ", only version 3 is supported");
        }
        String description = model.getString(3, "");

        // operator codes
        FlatTable.Vector codesVec = model.getVector(1, 4);
        int codeCount = codesVec == null ? 0 : codesVec.length();
        int[] codes = new int[codeCount];
        int[] versions = new int[codeCount];
        String[] customs = new String[codeCount];
        for (int i = 0; i < codeCount; i++) {
            FlatTable oc = model.tableAt(codesVec, i, "operator_codes[" + i + "]");
            int deprecated = oc.getByte(0, 0);
            int builtin = oc.getInt(3, 0);
            // Old files only have the deprecated byte; new files put 127 there for codes above it.
            codes[i] = Math.max(deprecated, builtin);
            if (codes[i] < 0) {
                throw new ModelException(Reason.MALFORMED, "operator_codes[" + i + "]: negative builtin code " + codes[i]);
            }
            versions[i] = oc.getInt(2, 1);
            customs[i] = oc.getString(1, "");
        }

        // buffers: position of each buffer's data in the file (or -1) and its length
        FlatTable.Vector bufVec = model.getVector(4, 4);
        int bufferCount = bufVec == null ? 0 : bufVec.length();
        int[] bufStart = new int[bufferCount];
        int[] bufLen = new int[bufferCount];
        for (int i = 0; i < bufferCount; i++) {
            FlatTable buffer = model.tableAt(bufVec, i, "buffers[" + i + "]");
            FlatTable.Vector data = buffer.getVector(0, 1);
            long offset = buffer.getLong(1, 0);
            long size = buffer.getLong(2, 0);
            if (data != null && data.length() > 0) {
                bufStart[i] = data.start();
                bufLen[i] = data.length();
            } else if (offset > 1) {
                if (size < 0 || offset + size > b.length || offset + size < offset) {
                    throw new ModelException(Reason.MALFORMED, "buffers[" + i + "]: external data at " + offset
                            + " of " + size + " bytes lies outside the file");
                }
                bufStart[i] = (int) offset;
                bufLen[i] = (int) size;
            } else {
                bufStart[i] = -1;
            }
        }

        FlatTable.Vector subVec = model.getVector(2, 4);
        if (subVec == null || subVec.length() == 0) {
            throw new ModelException(Reason.INVALID, "model has no subgraph");
        }
        FlatTable sub = model.tableAt(subVec, 0, "subgraphs[0]");

        FlatTable.Vector tensorVec = sub.getVector(0, 4);
        int tensorCount = tensorVec == null ? 0 : tensorVec.length();
        List<TensorInfo> tensors = new ArrayList<>(tensorCount);
        for (int i = 0; i < tensorCount; i++) {
            tensors.add(readTensor(sub.tableAt(tensorVec, i, "tensors[" + i + "]"), i, bufStart, bufLen));
        }

        int[] inputs = orEmpty(sub.getIntVector(1));
        int[] outputs = orEmpty(sub.getIntVector(2));
        checkTensorRefs(inputs, tensorCount, "subgraph inputs", false);
        checkTensorRefs(outputs, tensorCount, "subgraph outputs", false);

        FlatTable.Vector opVec = sub.getVector(3, 4);
        int opCount = opVec == null ? 0 : opVec.length();
        List<OperatorInfo> ops = new ArrayList<>(opCount);
        for (int i = 0; i < opCount; i++) {
            FlatTable op = sub.tableAt(opVec, i, "operators[" + i + "]");
            int codeIndex = op.getUint(0, 0);
            if (codeIndex >= codeCount) {
                throw new ModelException(Reason.MALFORMED, "operator #" + i + ": opcode_index " + codeIndex
                        + " but the model has " + codeCount + " operator codes", i, -1, null);
            }
            int[] in = orEmpty(op.getIntVector(1));
            int[] out = orEmpty(op.getIntVector(2));
            int[] mid = orEmpty(op.getIntVector(8));
            String opName = "operator #" + i + " " + BuiltinOperator.name(codes[codeIndex]) + " v" + versions[codeIndex];
            checkOpRefs(in, tensorCount, opName + " inputs", i, true);
            checkOpRefs(out, tensorCount, opName + " outputs", i, false);
            checkOpRefs(mid, tensorCount, opName + " intermediates", i, false);
            int optionsType = op.getUbyte(3, 0);
            FlatTable options = optionsType == 0 ? null : op.getTable(4, opName + " options");
            ops.add(new OperatorInfo(i, codes[codeIndex], customs[codeIndex], versions[codeIndex], in, out, mid,
                    optionsType, Optional.ofNullable(options)));
        }
        return new TfliteModel(b, version, description, tensors, ops, inputs, outputs, subVec.length());
    }

    private static TensorInfo readTensor(FlatTable t, int index, int[] bufStart, int[] bufLen) {
        String name = t.getString(3, "");
        String where = "tensor " + index + (name.isEmpty() ? "" : " '" + name + "'");
        int[] shape = orEmpty(t.getIntVector(0));
        if (shape.length > MAX_RANK) {
            throw invalid(where + ": rank " + shape.length + " exceeds " + MAX_RANK, index);
        }
        long elements = 1;
        for (int d : shape) {
            if (d < 0) {
                throw invalid(where + ": dynamic or negative dimension " + d + " is not supported", index);
            }
            elements *= d;
            if (elements > Integer.MAX_VALUE) {
                throw invalid(where + ": more than 2^31 elements", index);
            }
        }
        TensorType type;
        try {
            type = TensorType.ofCode(t.getByte(1, 0));
        } catch (ModelException e) {
            throw invalid(where + ": " + e.getMessage(), index);
        }
        int buffer = t.getUint(2, 0);
        if (buffer >= bufStart.length) {
            throw new ModelException(Reason.MALFORMED, where + ": buffer index " + buffer + " but the model has "
                    + bufStart.length + " buffers", -1, index, null);
        }
        int dataOffset = bufStart[buffer];
        if (dataOffset >= 0 && type.bytes() > 0) {
            long expected = elements * type.bytes();
            if (bufLen[buffer] != expected) {
                throw invalid(where + " " + type.dtype() + java.util.Arrays.toString(shape) + ": buffer " + buffer
                        + " holds " + bufLen[buffer] + " bytes, the shape needs " + expected, index);
            }
        }
        Quantization q = readQuantization(t.getTable(4, where + " quantization"), shape, where, index);
        boolean variable = t.getBool(5, false);
        return new TensorInfo(index, name, type, shape, buffer, dataOffset, q, variable);
    }

    private static Quantization readQuantization(FlatTable qt, int[] shape, String where, int index) {
        if (qt == null) {
            return Quantization.NONE;
        }
        float[] scale = qt.getFloatVector(2);
        long[] zp = qt.getLongVector(3);
        if (scale == null || scale.length == 0) {
            return Quantization.NONE;
        }
        if (zp == null || zp.length != scale.length) {
            throw invalid(where + ": " + scale.length + " scales but " + (zp == null ? 0 : zp.length) + " zero points", index);
        }
        for (float s : scale) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw invalid(where + ": quantisation scale " + s + " is not a positive finite number", index);
            }
        }
        int qdim = qt.getInt(6, 0);
        if (scale.length > 1) {
            boolean inRange = qdim >= 0 && qdim < shape.length;
            if (!inRange && shape.length == 1 && shape[0] == scale.length) {
                // As TFLite Micro does: a 1-D (bias) tensor's channel axis can only be 0, whatever the file says.
                qdim = 0;
            } else if (!inRange) {
                throw invalid(where + ": quantized_dimension " + qdim + " out of range for rank " + shape.length, index);
            } else if (shape[qdim] != scale.length) {
                throw invalid(where + ": " + scale.length + " per-channel scales but dimension " + qdim + " is "
                        + shape[qdim], index);
            }
        }
        return new Quantization(scale, zp, qdim);
    }

    private static void checkTensorRefs(int[] refs, int count, String what, boolean optional) {
        for (int r : refs) {
            if (r >= count || r < (optional ? -1 : 0)) {
                throw new ModelException(Reason.MALFORMED, what + ": tensor index " + r + " but the subgraph has "
                        + count + " tensors");
            }
        }
    }

    private static void checkOpRefs(int[] refs, int count, String what, int op, boolean optional) {
        for (int r : refs) {
            if (r >= count || r < (optional ? -1 : 0)) {
                throw new ModelException(Reason.MALFORMED, what + ": tensor index " + r + " but the subgraph has "
                        + count + " tensors", op, -1, null);
            }
        }
    }

    private static ModelException invalid(String message, int tensor) {
        return new ModelException(Reason.INVALID, message, -1, tensor, null);
    }

    private static int[] orEmpty(int[] a) {
        return a == null ? new int[0] : a;
    }

    /** The model file's bytes. Do not modify: constant tensors are read from this array. */
    public byte[] bytes() {
        return bytes;
    }

    public int size() {
        return bytes.length;
    }

    public int schemaVersion() {
        return schemaVersion;
    }

    public String description() {
        return description;
    }

    public int subgraphCount() {
        return subgraphCount;
    }

    public List<TensorInfo> tensors() {
        return tensors;
    }

    public TensorInfo tensor(int index) {
        return tensors.get(index);
    }

    public List<OperatorInfo> operators() {
        return operators;
    }

    public int[] inputs() {
        return inputs.clone();
    }

    public int[] outputs() {
        return outputs.clone();
    }

    public TensorInfo input(int i) {
        return tensors.get(inputs[i]);
    }

    public TensorInfo output(int i) {
        return tensors.get(outputs[i]);
    }

    /** SHA-256 of the file, lower-case hex. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
