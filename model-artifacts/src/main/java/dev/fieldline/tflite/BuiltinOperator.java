package dev.fieldline.tflite;

/** Codes and names of TFLite builtin operators (schema {@code BuiltinOperator}) that Fieldline refers to. */
public final class BuiltinOperator {

    public static final int ADD = 0;
    public static final int AVERAGE_POOL_2D = 1;
    public static final int CONCATENATION = 2;
    public static final int CONV_2D = 3;
    public static final int DEPTHWISE_CONV_2D = 4;
    public static final int DEQUANTIZE = 6;
    public static final int FULLY_CONNECTED = 9;
    public static final int LOGISTIC = 14;
    public static final int MAX_POOL_2D = 17;
    public static final int MUL = 18;
    public static final int RELU = 19;
    public static final int RELU6 = 21;
    public static final int RESHAPE = 22;
    public static final int SOFTMAX = 25;
    public static final int SVDF = 27;
    public static final int TANH = 28;
    public static final int CUSTOM = 32;
    public static final int PAD = 34;
    public static final int MEAN = 40;
    public static final int SUB = 41;
    public static final int PADV2 = 60;
    public static final int LEAKY_RELU = 98;
    public static final int QUANTIZE = 114;
    /** Codes at or above this value are only in {@code builtin_code}, never in the deprecated byte. */
    public static final int PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

    private static final String[] NAMES = new String[130];

    static {
        String[] all = {
            "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
            "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
            "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
            "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN",
            "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM",
            "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND",
            "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
            "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE",
            "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG",
            "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV",
            "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT",
            "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR",
            "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY",
            "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU",
            "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N",
            "GATHER_ND", "COS", "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE",
            "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4",
            "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL",
            "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE"
        };
        System.arraycopy(all, 0, NAMES, 0, all.length);
    }

    private BuiltinOperator() {}

    /** The schema name of a builtin code, or {@code BUILTIN_<code>} for codes newer than this table. */
    public static String name(int code) {
        if (code >= 0 && code < NAMES.length && NAMES[code] != null) {
            return NAMES[code];
        }
        return "BUILTIN_" + code;
    }
}
