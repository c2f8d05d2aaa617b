package dev.fieldline.tflite;

/** TFLite tensor element types (schema {@code TensorType}), with their size in bytes. */
public enum TensorType {
    FLOAT32(0, 4),
    FLOAT16(1, 2),
    INT32(2, 4),
    UINT8(3, 1),
    INT64(4, 8),
    STRING(5, 0),
    BOOL(6, 1),
    INT16(7, 2),
    COMPLEX64(8, 8),
    INT8(9, 1),
    FLOAT64(10, 8),
    COMPLEX128(11, 16),
    UINT64(12, 8),
    RESOURCE(13, 0),
    VARIANT(14, 0),
    UINT32(15, 4),
    UINT16(16, 2),
    INT4(17, 0);

    private static final TensorType[] BY_CODE = values();

    private final int code;
    private final int bytes;

    TensorType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The schema's numeric code. */
    public int code() {
        return code;
    }

    /** Bytes per element; 0 for types without a fixed element size (string, resource, int4). */
    public int bytes() {
        return bytes;
    }

    /** Lower-case name as the golden files and TensorFlow spell it ({@code int8}, {@code float32}). */
    public String dtype() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static TensorType ofCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new ModelException(ModelException.Reason.MALFORMED, "unknown tensor type code " + code);
        }
        return BY_CODE[code];
    }

    public static TensorType ofDtype(String dtype) {
        for (TensorType t : BY_CODE) {
            if (t.dtype().equals(dtype)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + dtype + "'");
    }
}
