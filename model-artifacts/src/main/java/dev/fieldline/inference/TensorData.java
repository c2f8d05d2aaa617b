package dev.fieldline.inference;

import dev.fieldline.tflite.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor's raw values as test-vector files carry them: integers for integer (and quantised) types,
 * floats for float32. {@code index} is the position among the model's inputs or outputs.
 *
 * @param index input or output position
 * @param type element type
 * @param shape dimensions
 * @param ints values for integer and bool types (empty otherwise)
 * @param floats values for float32 (empty otherwise)
 */
public record TensorData(int index, TensorType type, int[] shape, long[] ints, float[] floats) {

    public TensorData {
        shape = shape.clone();
        ints = ints.clone();
        floats = floats.clone();
    }

    public boolean isFloat() {
        return type == TensorType.FLOAT32;
    }

    public int length() {
        return isFloat() ? floats.length : ints.length;
    }

    /** Reads a tensor's values out of an engine buffer (little-endian raw bytes). */
    public static TensorData read(int index, TensorSpec spec, ByteBuffer raw) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(0);
        int n = spec.elementCount();
        if (spec.type() == TensorType.FLOAT32) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = b.getFloat(4 * i);
            }
            return new TensorData(index, spec.type(), spec.shape(), new long[0], f);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (spec.type()) {
                case INT8 -> b.get(i);
                case UINT8, BOOL -> b.get(i) & 0xff;
                case INT16 -> b.getShort(2 * i);
                case UINT16 -> b.getShort(2 * i) & 0xffff;
                case INT32 -> b.getInt(4 * i);
                case UINT32 -> b.getInt(4 * i) & 0xffffffffL;
                case INT64 -> b.getLong(8 * i);
                default -> throw new IllegalArgumentException("cannot read " + spec.type().dtype() + " values");
            };
        }
        return new TensorData(index, spec.type(), spec.shape(), v, new float[0]);
    }

    /**
     * Writes the values into an engine's input buffer, checking type and element count.
     *
     * @throws IllegalArgumentException naming the mismatch
     */
    public void writeTo(TensorSpec spec, ByteBuffer raw) {
        if (spec.type() != type) {
            throw new IllegalArgumentException("input " + index + ": dtype " + type.dtype() + " but the model expects "
                    + spec.type().dtype());
        }
        if (length() != spec.elementCount()) {
            throw new IllegalArgumentException("input " + index + ": " + length() + " values but the model expects "
                    + spec.elementCount() + " " + Arrays.toString(spec.shape()));
        }
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.clear();
        for (int i = 0; i < length(); i++) {
            switch (type) {
                case FLOAT32 -> b.putFloat(floats[i]);
                case INT8, UINT8, BOOL -> b.put((byte) checkRange(ints[i], i));
                case INT16, UINT16 -> b.putShort((short) checkRange(ints[i], i));
                case INT32, UINT32 -> b.putInt((int) checkRange(ints[i], i));
                case INT64 -> b.putLong(ints[i]);
                default -> throw new IllegalArgumentException("cannot write " + type.dtype() + " values");
            }
        }
    }

    private long checkRange(long v, int i) {
        long min;
        long max;
        switch (type) {
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case UINT8, BOOL -> { min = 0; max = 255; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT16 -> { min = 0; max = 65535; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            case UINT32 -> { min = 0; max = 0xffffffffL; }
            default -> { return v; }
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("input " + index + " value [" + i + "] = " + v + " is out of range for "
                    + type.dtype());
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && index == t.index && type == t.type && Arrays.equals(shape, t.shape)
                && Arrays.equals(ints, t.ints) && Arrays.equals(floats, t.floats);
    }

    @Override
    public int hashCode() {
        return 31 * index + Arrays.hashCode(ints) + Arrays.hashCode(floats);
    }
}
