package dev.fieldline.tflite.micro.kernels;

/**
 * Fused activation functions (schema {@code ActivationFunctionType}) and the clamping ranges they
 * give, in float and in a quantised output's domain ({@code CalculateActivationRange(Quantized)}).
 */
public enum Activation {
    NONE,
    RELU,
    RELU_N1_TO_1,
    RELU6,
    TANH,
    SIGN_BIT;

    /** Reads the option value; TANH and SIGN_BIT are refused (no TFLite kernel fuses them either). */
    public static Activation of(int code, OpContext ctx) {
        if (code < 0 || code > 5) {
            throw ctx.invalid("unknown fused activation " + code);
        }
        Activation a = values()[code];
        if (a == TANH || a == SIGN_BIT) {
            throw ctx.unsupported("fused activation " + a + " is not supported");
        }
        return a;
    }

    /**
     * The lower clamp in float ({@code CalculateActivationRange}): without an activation it is the
     * lowest finite float, so that TFLite's clamp turns -infinity into {@code -Float.MAX_VALUE}.
     */
    public float floatMin() {
        return switch (this) {
            case RELU, RELU6 -> 0f;
            case RELU_N1_TO_1 -> -1f;
            default -> -Float.MAX_VALUE;
        };
    }

    /** The upper clamp in float; {@code Float.MAX_VALUE} where the activation has no upper bound. */
    public float floatMax() {
        return switch (this) {
            case RELU6 -> 6f;
            case RELU_N1_TO_1 -> 1f;
            default -> Float.MAX_VALUE;
        };
    }

    /**
     * {@code ActivationFunctionWithMinMax}: {@code std::min(std::max(x, min), max)} with C++'s
     * comparison semantics (NaN passes through, -0.0 is kept).
     */
    public static float clamp(float x, float min, float max) {
        float lo = x < min ? min : x;
        return max < lo ? max : lo;
    }

    /** The lower clamp in the output's quantised domain. */
    public int quantizedMin(TensorView output) {
        int qmin = QuantMath.typeMin(output.type());
        return switch (this) {
            case RELU, RELU6 -> Math.max(qmin, quantize(0f, output));
            case RELU_N1_TO_1 -> Math.max(qmin, quantize(-1f, output));
            default -> qmin;
        };
    }

    /** The upper clamp in the output's quantised domain. */
    public int quantizedMax(TensorView output) {
        int qmax = QuantMath.typeMax(output.type());
        return switch (this) {
            case RELU6 -> Math.min(qmax, quantize(6f, output));
            case RELU_N1_TO_1 -> Math.min(qmax, quantize(1f, output));
            default -> qmax;
        };
    }

    private static int quantize(float f, TensorView output) {
        return output.zeroPoint() + QuantMath.roundToInt(f / output.scale());
    }
}
