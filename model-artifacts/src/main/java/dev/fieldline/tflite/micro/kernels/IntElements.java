package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;

/**
 * Element access to integer tensors (int8, uint8, int16, int32) as ints, for kernels that treat
 * several quantised types alike. Writes truncate to the element type; callers clamp first.
 */
final class IntElements {

    private IntElements() {}

    static boolean supports(TensorType t) {
        return t == TensorType.INT8 || t == TensorType.UINT8 || t == TensorType.INT16 || t == TensorType.INT32;
    }

    static int get(TensorView t, int i) {
        return switch (t.type()) {
            case INT8 -> t.getInt8(i);
            case UINT8 -> t.getUint8(i);
            case INT16 -> t.getInt16(i);
            case INT32 -> t.getInt32(i);
            default -> throw new IllegalStateException("not an integer tensor: " + t.describe());
        };
    }

    static void set(TensorView t, int i, int v) {
        switch (t.type()) {
            case INT8, UINT8 -> t.setInt8(i, (byte) v);
            case INT16 -> t.setInt16(i, (short) v);
            case INT32 -> t.setInt32(i, v);
            default -> throw new IllegalStateException("not an integer tensor: " + t.describe());
        }
    }
}
