package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TensorType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A tensor as a kernel sees it: its declaration and where its bytes are, either in the model file
 * (constants) or in the interpreter's arena. Element accessors take an element index and are
 * little-endian, as TFLite stores data. Kernels may copy constants into typed arrays when they are
 * prepared; they must not allocate in {@link Kernel#invoke()}.
 */
public final class TensorView {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private final TensorInfo info;
    private final byte[] data;
    private final int offset;

    public TensorView(TensorInfo info, byte[] data, int offset) {
        this.info = info;
        this.data = data;
        this.offset = offset;
    }

    public TensorInfo info() {
        return info;
    }

    /** The backing array (model bytes or arena). Index it from {@link #offset()}. */
    public byte[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    public int index() {
        return info.index();
    }

    public TensorType type() {
        return info.type();
    }

    public int[] shape() {
        return info.shape();
    }

    public int rank() {
        return info.rank();
    }

    public int dim(int i) {
        return info.dim(i);
    }

    public int elementCount() {
        return info.elementCount();
    }

    public int byteSize() {
        return info.byteSize();
    }

    public boolean isConstant() {
        return info.isConstant();
    }

    public Quantization quantization() {
        return info.quantization();
    }

    /** The per-tensor scale (the first scale of a per-channel tensor); 0 when not quantised. */
    public float scale() {
        return info.quantization().isQuantized() ? info.quantization().scale(0) : 0f;
    }

    /** The per-tensor zero point; 0 when not quantised. */
    public int zeroPoint() {
        return info.quantization().isQuantized() ? (int) info.quantization().zeroPoint(0) : 0;
    }

    public String describe() {
        return info.describe();
    }

    // element access (index in elements, not bytes)

    public byte getInt8(int i) {
        return data[offset + i];
    }

    public void setInt8(int i, byte v) {
        data[offset + i] = v;
    }

    public int getUint8(int i) {
        return data[offset + i] & 0xff;
    }

    public short getInt16(int i) {
        return (short) SHORT.get(data, offset + 2 * i);
    }

    public void setInt16(int i, short v) {
        SHORT.set(data, offset + 2 * i, v);
    }

    public int getInt32(int i) {
        return (int) INT.get(data, offset + 4 * i);
    }

    public void setInt32(int i, int v) {
        INT.set(data, offset + 4 * i, v);
    }

    public long getInt64(int i) {
        return (long) LONG.get(data, offset + 8 * i);
    }

    public void setInt64(int i, long v) {
        LONG.set(data, offset + 8 * i, v);
    }

    public float getFloat(int i) {
        return (float) FLOAT.get(data, offset + 4 * i);
    }

    public void setFloat(int i, float v) {
        FLOAT.set(data, offset + 4 * i, v);
    }

    // copies, for kernels that want constants in typed arrays at prepare time

    public byte[] toInt8Array() {
        byte[] out = new byte[elementCount()];
        System.arraycopy(data, offset, out, 0, out.length);
        return out;
    }

    public short[] toInt16Array() {
        short[] out = new short[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getInt16(i);
        }
        return out;
    }

    public int[] toInt32Array() {
        int[] out = new int[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getInt32(i);
        }
        return out;
    }

    public long[] toInt64Array() {
        long[] out = new long[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getInt64(i);
        }
        return out;
    }

    public float[] toFloatArray() {
        float[] out = new float[elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(i);
        }
        return out;
    }

    /** Reads a little-endian float from any byte array; for kernels that index raw arrays directly. */
    public static float getFloat(byte[] b, int byteOffset) {
        return (float) FLOAT.get(b, byteOffset);
    }

    public static void setFloat(byte[] b, int byteOffset, float v) {
        FLOAT.set(b, byteOffset, v);
    }

    public static short getInt16(byte[] b, int byteOffset) {
        return (short) SHORT.get(b, byteOffset);
    }

    public static void setInt16(byte[] b, int byteOffset, short v) {
        SHORT.set(b, byteOffset, v);
    }

    public static int getInt32(byte[] b, int byteOffset) {
        return (int) INT.get(b, byteOffset);
    }

    public static void setInt32(byte[] b, int byteOffset, int v) {
        INT.set(b, byteOffset, v);
    }
}
