package dev.fieldline.tflite.internal;

import dev.fieldline.tflite.ModelException;
import java.nio.charset.StandardCharsets;

/**
 * A flatbuffer table read with every offset checked against the buffer: a malformed file produces a
 * {@link ModelException} with reason MALFORMED, never an index exception or a silent wrong value.
 * Field numbers are the schema's field ids (0-based), as in {@code schema.fbs}.
 */
public final class FlatTable {

    private final byte[] buf;
    private final int pos;
    private final int vtable;
    private final int vtableSize;
    private final String what;

    private FlatTable(byte[] buf, int pos, String what) {
        this.buf = buf;
        this.pos = pos;
        this.what = what;
        need(buf, pos, 4, what);
        long vt = (long) pos - readInt(buf, pos);
        if (vt < 0 || vt > buf.length - 4L) {
            throw malformed(what + ": vtable offset out of bounds");
        }
        this.vtable = (int) vt;
        this.vtableSize = readShort(buf, vtable);
        int tableSize = readShort(buf, vtable + 2);
        if (vtableSize < 4 || (vtableSize & 1) != 0 || vtable + (long) vtableSize > buf.length) {
            throw malformed(what + ": bad vtable size " + vtableSize);
        }
        if (pos + (long) tableSize > buf.length) {
            throw malformed(what + ": table extends past the end of the file");
        }
    }

    /** The root table of a flatbuffer. */
    public static FlatTable root(byte[] buf, String what) {
        need(buf, 0, 8, what);
        return new FlatTable(buf, checkedTarget(buf, 0, what), what);
    }

    public byte[] buffer() {
        return buf;
    }

    public String what() {
        return what;
    }

    private int fieldPos(int field, int width) {
        int slot = 4 + 2 * field;
        if (slot + 2 > vtableSize) {
            return 0;
        }
        int off = readShort(buf, vtable + slot);
        if (off == 0) {
            return 0;
        }
        int p = pos + off;
        need(buf, p, width, what);
        return p;
    }

    public boolean has(int field) {
        return fieldPos(field, 0) != 0;
    }

    public int getInt(int field, int def) {
        int p = fieldPos(field, 4);
        return p == 0 ? def : readInt(buf, p);
    }

    /** An unsigned 32-bit field, refused when it does not fit an int. */
    public int getUint(int field, int def) {
        int p = fieldPos(field, 4);
        if (p == 0) {
            return def;
        }
        int v = readInt(buf, p);
        if (v < 0) {
            throw malformed(what + ": field " + field + " value " + Integer.toUnsignedString(v) + " too large");
        }
        return v;
    }

    public long getLong(int field, long def) {
        int p = fieldPos(field, 8);
        return p == 0 ? def : readLong(buf, p);
    }

    public int getByte(int field, int def) {
        int p = fieldPos(field, 1);
        return p == 0 ? def : buf[p];
    }

    public int getUbyte(int field, int def) {
        int p = fieldPos(field, 1);
        return p == 0 ? def : buf[p] & 0xff;
    }

    public boolean getBool(int field, boolean def) {
        int p = fieldPos(field, 1);
        return p == 0 ? def : buf[p] != 0;
    }

    public float getFloat(int field, float def) {
        int p = fieldPos(field, 4);
        return p == 0 ? def : Float.intBitsToFloat(readInt(buf, p));
    }

    /** A sub-table, or null when the field is absent. */
    public FlatTable getTable(int field, String childWhat) {
        int p = fieldPos(field, 4);
        return p == 0 ? null : new FlatTable(buf, checkedTarget(buf, p, childWhat), childWhat);
    }

    public String getString(int field, String def) {
        int p = fieldPos(field, 4);
        if (p == 0) {
            return def;
        }
        int start = checkedTarget(buf, p, what);
        int len = vectorLength(start, 1);
        return new String(buf, start + 4, len, StandardCharsets.UTF_8);
    }

    /** Position and length of a vector field, or null when absent. */
    public Vector getVector(int field, int elementSize) {
        int p = fieldPos(field, 4);
        if (p == 0) {
            return null;
        }
        int start = checkedTarget(buf, p, what);
        int len = vectorLength(start, elementSize);
        return new Vector(start + 4, len, elementSize);
    }

    public int[] getIntVector(int field) {
        Vector v = getVector(field, 4);
        if (v == null) {
            return null;
        }
        int[] out = new int[v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = readInt(buf, v.start + 4 * i);
        }
        return out;
    }

    public long[] getLongVector(int field) {
        Vector v = getVector(field, 8);
        if (v == null) {
            return null;
        }
        long[] out = new long[v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = readLong(buf, v.start + 8 * i);
        }
        return out;
    }

    public float[] getFloatVector(int field) {
        Vector v = getVector(field, 4);
        if (v == null) {
            return null;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat(readInt(buf, v.start + 4 * i));
        }
        return out;
    }

    /** Element {@code i} of a vector of tables. */
    public FlatTable tableAt(Vector v, int i, String childWhat) {
        if (i < 0 || i >= v.length) {
            throw new IndexOutOfBoundsException(i);
        }
        int p = v.start + 4 * i;
        return new FlatTable(buf, checkedTarget(buf, p, childWhat), childWhat);
    }

    private int vectorLength(int start, int elementSize) {
        need(buf, start, 4, what);
        int len = readInt(buf, start);
        if (len < 0 || start + 4L + (long) len * elementSize > buf.length) {
            throw malformed(what + ": vector of " + Integer.toUnsignedString(len) + " elements extends past the end of the file");
        }
        return len;
    }

    /** A vector's first element position, element count and element size. */
    public record Vector(int start, int length, int elementSize) {}

    private static int checkedTarget(byte[] buf, int p, String what) {
        need(buf, p, 4, what);
        long target = p + (readInt(buf, p) & 0xffffffffL);
        if (target > buf.length - 4L) {
            throw malformed(what + ": offset points past the end of the file");
        }
        return (int) target;
    }

    private static void need(byte[] buf, int p, int n, String what) {
        if (p < 0 || p + (long) n > buf.length) {
            throw malformed(what + ": read at " + p + " past the end of the file (" + buf.length + " bytes)");
        }
    }

    private static ModelException malformed(String message) {
        return new ModelException(ModelException.Reason.MALFORMED, message);
    }

    public static int readInt(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | b[p + 3] << 24;
    }

    static int readShort(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
    }

    static long readLong(byte[] b, int p) {
        return (readInt(b, p) & 0xffffffffL) | ((long) readInt(b, p + 4)) << 32;
    }
}
