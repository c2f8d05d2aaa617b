package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.internal.FlatTable;

/**
 * Hand-made builtin options tables, for option values the project's writer does not produce (such
 * as shuffled weights): a flatbuffer whose root table has one byte field per value.
 */
final class OptionsTable {

    private OptionsTable() {}

    /** A table whose field {@code i} is the byte {@code values[i]}. */
    static FlatTable bytes(int... values) {
        int n = values.length;
        int vtable = 4;
        int vtableSize = 4 + 2 * n;
        int table = (vtable + vtableSize + 3) & ~3;
        byte[] b = new byte[table + 4 + n + 4];
        putInt(b, 0, table);
        putShort(b, vtable, vtableSize);
        putShort(b, vtable + 2, 4 + n);
        for (int i = 0; i < n; i++) {
            putShort(b, vtable + 4 + 2 * i, 4 + i);
            b[table + 4 + i] = (byte) values[i];
        }
        putInt(b, table, table - vtable);
        return FlatTable.root(b, "options");
    }

    private static void putShort(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >> 8);
    }

    private static void putInt(byte[] b, int p, int v) {
        putShort(b, p, v);
        putShort(b, p + 2, v >> 16);
    }
}
