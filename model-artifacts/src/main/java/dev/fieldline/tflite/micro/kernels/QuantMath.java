package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;

/**
 * TensorFlow Lite's integer arithmetic, bit for bit: fixed-point multipliers, rounding high
 * multiplies, rounding shifts and activation ranges (tensorflow/lite/kernels/internal/common.h and
 * quantization_util.cc, without TFLITE_SINGLE_ROUNDING, as TFLite 2.6 and TFLite Micro build it).
 */
public final class QuantMath {

    private QuantMath() {}

    /**
     * Splits a positive real multiplier into a Q31 multiplier and a power-of-two shift
     * ({@code QuantizeMultiplier}). Returns {@code multiplier} in the low 32 bits and {@code shift}
     * in the high 32 bits; use {@link #multiplier(long)} and {@link #shift(long)}.
     */
    public static long quantizeMultiplier(double realMultiplier) {
        if (realMultiplier == 0.0) {
            return 0;
        }
        int shift = Math.getExponent(realMultiplier) + 1;
        double q = Math.scalb(realMultiplier, -shift);
        if (q < 0.5 && q > 0) { // subnormal input: normalise like frexp
            while (q < 0.5) {
                q *= 2;
                shift--;
            }
        }
        long qFixed = roundHalfAway(q * (1L << 31));
        if (qFixed == (1L << 31)) {
            qFixed /= 2;
            shift++;
        }
        if (shift < -31) {
            shift = 0;
            qFixed = 0;
        }
        return (qFixed & 0xffffffffL) | ((long) shift << 32);
    }

    public static int multiplier(long packed) {
        return (int) packed;
    }

    public static int shift(long packed) {
        return (int) (packed >> 32);
    }

    /** {@code std::round}: halves away from zero. */
    public static long roundHalfAway(double x) {
        return x >= 0 ? (long) Math.floor(x + 0.5) : -(long) Math.floor(-x + 0.5);
    }

    /** {@code TfLiteRound} on floats to int, as quantisation of a real value uses. */
    public static int roundToInt(float x) {
        return (int) roundHalfAway(x);
    }

    /** gemmlowp's {@code SaturatingRoundingDoublingHighMul}. */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == b && a == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        long ab = (long) a * b;
        int nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
        return (int) ((ab + nudge) / (1L << 31));
    }

    /** gemmlowp's {@code RoundingDivideByPOT}: arithmetic shift right rounding half away from zero. */
    public static int roundingDivideByPOT(int x, int exponent) {
        int mask = (1 << exponent) - 1;
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /** {@code MultiplyByQuantizedMultiplier(int32 x, int32 multiplier, int shift)}. */
    public static int multiplyByQuantizedMultiplier(int x, int quantizedMultiplier, int shift) {
        int leftShift = shift > 0 ? shift : 0;
        int rightShift = shift > 0 ? 0 : -shift;
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * (1 << leftShift), quantizedMultiplier), rightShift);
    }

    /**
     * {@code MultiplyByQuantizedMultiplier(int64 x, int32 multiplier, int shift)}, used with 64-bit
     * accumulators (int16 activations): the multiplier is reduced to 16 bits first.
     */
    public static int multiplyByQuantizedMultiplier(long x, int quantizedMultiplier, int shift) {
        int reduced = quantizedMultiplier < 0x7FFF0000 ? ((quantizedMultiplier + (1 << 15)) >> 16) : 0x7FFF;
        int totalShift = 15 - shift;
        long round = 1L << (totalShift - 1);
        long result = x * reduced + round;
        result = result >> totalShift;
        return (int) result;
    }

    /** {@code MultiplyByQuantizedMultiplierSmallerThanOneExp}. */
    public static int multiplyByQuantizedMultiplierSmallerThanOneExp(int x, int quantizedMultiplier, int leftShift) {
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, quantizedMultiplier), -leftShift);
    }

    /** {@code MultiplyByQuantizedMultiplierGreaterThanOne}. */
    public static int multiplyByQuantizedMultiplierGreaterThanOne(int x, int quantizedMultiplier, int leftShift) {
        return saturatingRoundingDoublingHighMul(x * (1 << leftShift), quantizedMultiplier);
    }

    /**
     * {@code CheckedLog2}'s rounded result: {@code round(log(x) / log(2))}, computed in float as
     * TFLite does. Use with {@link #isPowerOfTwo(float)}.
     */
    public static int log2Rounded(float x) {
        return (int) roundHalfAway(log2(x));
    }

    /** {@code CheckedLog2}'s verdict: whether {@code x} is within 1e-3 (in log2) of a power of two. */
    public static boolean isPowerOfTwo(float x) {
        float log2 = log2(x);
        float rounded = (float) roundHalfAway(log2);
        return Math.abs(log2 - rounded) < 1e-3f;
    }

    private static float log2(float x) {
        return (float) Math.log(x) * (1.0f / (float) Math.log(2.0f));
    }

    public static int clamp(int v, int min, int max) {
        return v < min ? min : (v > max ? max : v);
    }

    /** Smallest value of a quantised type. */
    public static int typeMin(TensorType t) {
        return switch (t) {
            case INT8 -> Byte.MIN_VALUE;
            case UINT8 -> 0;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            default -> throw new IllegalArgumentException("not a quantised type: " + t);
        };
    }

    /** Largest value of a quantised type. */
    public static int typeMax(TensorType t) {
        return switch (t) {
            case INT8 -> Byte.MAX_VALUE;
            case UINT8 -> 255;
            case INT16 -> Short.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            default -> throw new IllegalArgumentException("not a quantised type: " + t);
        };
    }
}
