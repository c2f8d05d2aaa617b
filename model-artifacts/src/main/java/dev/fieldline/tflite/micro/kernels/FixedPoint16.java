package dev.fieldline.tflite.micro.kernels;

/**
 * 16-bit fixed-point arithmetic as TensorFlow Lite uses it for int16 LOGISTIC and TANH, bit for
 * bit: gemmlowp's {@code FixedPoint<int16_t, N>} functions ({@code logistic}, {@code tanh} and what
 * they are built from) for power-of-two input scales, and the interpolated lookup in
 * {@code sigmoid_table_uint16} that TFLite's reference kernels use for other scales.
 *
 * <p>Values are int16 raw values held in ints; every addition, subtraction and negation wraps to
 * 16 bits as the C++ code's int16 results do. A raw value with {@code n} integer bits has
 * {@code 15 - n} fractional bits.
 */
final class FixedPoint16 {

    /** The raw value of 1.0 (saturated) with no integer bits. */
    static final int ONE_F0 = Short.MAX_VALUE;

    /** sigmoid(i / 24) in 0.16 fixed point, i = 0..255 (TFLite's {@code sigmoid_table_uint16}). */
    private static final int[] SIGMOID_TABLE = {
        32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
        43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
        51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
        57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
        61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
        63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
        64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
        64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
        65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
        65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
        65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
        65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
        65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
        65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
        65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
        65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
    };

    // gemmlowp's 32-bit constants, rounded to 16 bits as RescaleConstantInitializer does
    private static final int EXP_CONSTANT_TERM = constant(1895147668); // exp(-1/8)
    private static final int ONE_THIRD = constant(715827883);
    private static final int[] EXP_BARREL = {
        constant(1672461947), constant(1302514674), constant(790015084), constant(290630308),
        constant(39332535), constant(720401), constant(242),
    };
    private static final int C48_OVER_17 = constant(1515870810); // 48/17 with 2 integer bits
    private static final int CNEG32_OVER_17 = constant(-1010580540); // -32/17 with 2 integer bits
    private static final int ONE_F2 = 1 << 13;
    private static final int ONE_HALF_F0 = constant(1 << 30);

    private FixedPoint16() {}

    private static int constant(int raw32) {
        return (short) QuantMath.roundingDivideByPOT(raw32, 16);
    }

    private static int wrap(int x) {
        return (short) x;
    }

    /** {@code SaturatingRoundingDoublingHighMul} on int16. */
    static int mul(int a, int b) {
        if (a == b && a == Short.MIN_VALUE) {
            return Short.MAX_VALUE;
        }
        int ab = a * b;
        int nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
        return (short) ((ab + nudge) / (1 << 15));
    }

    /** {@code SaturatingRoundingMultiplyByPOT<exponent>} on int16. */
    static int multiplyByPot(int x, int exponent) {
        if (exponent == 0) {
            return x;
        }
        if (exponent < 0) {
            return QuantMath.roundingDivideByPOT(x, -exponent);
        }
        int threshold = (1 << (15 - exponent)) - 1;
        if (x > threshold) {
            return Short.MAX_VALUE;
        }
        if (x < -threshold) {
            return Short.MIN_VALUE;
        }
        return wrap(x << exponent);
    }

    private static int saturatingAdd(int a, int b) {
        return QuantMath.clamp(a + b, Short.MIN_VALUE, Short.MAX_VALUE);
    }

    /** exp(a) for a in [-1/4, 0), 0 integer bits in and out. */
    private static int expOnQuarterInterval(int a) {
        int x = wrap(a + (1 << 12)); // a + 1/8
        int x2 = mul(x, x);
        int x3 = mul(x2, x);
        int x4 = mul(x2, x2);
        int x4Over4 = multiplyByPot(x4, -2);
        int poly = multiplyByPot(wrap(mul(wrap(x4Over4 + x3), ONE_THIRD) + x2), -1);
        return saturatingAdd(EXP_CONSTANT_TERM, mul(EXP_CONSTANT_TERM, wrap(x + poly)));
    }

    /** exp(a) for a &lt;= 0 with {@code integerBits} integer bits; result with 0 integer bits. */
    static int expOnNegativeValues(int a, int integerBits) {
        int fractionalBits = 15 - integerBits;
        int oneQuarter = 1 << (fractionalBits - 2);
        int aModQuarterMinusQuarter = wrap((a & (oneQuarter - 1)) - oneQuarter);
        int result = expOnQuarterInterval(multiplyByPot(aModQuarterMinusQuarter, integerBits));
        int remainder = wrap(aModQuarterMinusQuarter - a);
        for (int i = 0; i < EXP_BARREL.length; i++) {
            int exponent = i - 2;
            if (integerBits > exponent && (remainder & wrap(1 << (fractionalBits + exponent))) != 0) {
                result = mul(result, EXP_BARREL[i]);
            }
        }
        return a == 0 ? ONE_F0 : result;
    }

    /** Newton-Raphson for 1 / (1 + a) (a in (0,1), 0 integer bits); x returned with 2 integer bits. */
    private static int reciprocalOfOnePlus(int a) {
        int sum = a + ONE_F0;
        int halfDenominator = (short) ((sum + (sum >= 0 ? 1 : -1)) / 2);
        int x = wrap(C48_OVER_17 + mul(halfDenominator, CNEG32_OVER_17));
        for (int i = 0; i < 3; i++) {
            int halfDenominatorTimesX = mul(halfDenominator, x);
            int oneMinus = wrap(ONE_F2 - halfDenominatorTimesX);
            x = wrap(x + multiplyByPot(mul(x, oneMinus), 2));
        }
        return x;
    }

    /** gemmlowp {@code logistic} on a value with 3 integer bits; result with 0 integer bits. */
    static int logistic(int a) {
        if (a == 0) {
            return ONE_HALF_F0;
        }
        boolean positive = a > 0;
        int abs = positive ? a : wrap(-a);
        int exp = expOnNegativeValues(wrap(-abs), 3);
        int resultIfPositive = multiplyByPot(reciprocalOfOnePlus(exp), 1); // x/2 rescaled to 0 integer bits
        return positive ? resultIfPositive : wrap(ONE_F0 - resultIfPositive);
    }

    /** gemmlowp {@code tanh} on a value with 3 integer bits; result with 0 integer bits. */
    static int tanh(int a) {
        if (a == 0) {
            return 0;
        }
        boolean negative = a < 0;
        int n = negative ? a : wrap(-a);
        int exp = expOnNegativeValues(n, 4); // exp(2n): the same raw value read with 4 integer bits
        int t = multiplyByPot(wrap(reciprocalOfOnePlus(exp) - ONE_F2), 2); // (1 - e) / (1 + e)
        return negative ? wrap(-t) : t;
    }

    /**
     * TFLite's reference int16 logistic: the input rescaled by {@code multiplier} and
     * {@code leftShift} (as its Prepare computes them) and interpolated in the sigmoid table.
     */
    static int logisticLut(int x, int multiplier, int leftShift) {
        int round = leftShift > 0 ? 1 << (leftShift - 1) : 0;
        int input = (x * multiplier + round) >> leftShift;
        int abs = Math.abs(input);
        int uh = abs >>> 9;
        int result;
        if (uh >= 255) {
            result = 0x7FFF << 10;
        } else {
            int ua = SIGMOID_TABLE[uh];
            int ub = SIGMOID_TABLE[uh + 1];
            result = (ua << 9) + (abs & 0x1ff) * (ub - ua);
        }
        result = input >= 0 ? result + (1 << 9) : (1 << 25) - result + (1 << 9) - 1;
        return (short) (result >>> 10);
    }

    /** TFLite's reference int16 tanh through the sigmoid table (tanh(x) = 2 sigmoid(2x) - 1). */
    static int tanhLut(int x, int multiplier, int leftShift) {
        int round = leftShift > 0 ? 1 << (leftShift - 1) : 0;
        int input = (x * multiplier + round) >> leftShift;
        int abs = Math.abs(input);
        int uh = abs >>> 8;
        int result;
        if (uh >= 255) {
            result = 0xFFFF << 8;
        } else {
            int ua = SIGMOID_TABLE[uh];
            int ub = SIGMOID_TABLE[uh + 1];
            result = (ua << 8) + (abs & 0xff) * (ub - ua);
        }
        result = input >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
        return (short) (result >> 8);
    }

    /** The table entry, for tests. */
    static int sigmoidTable(int i) {
        return SIGMOID_TABLE[i];
    }
}
