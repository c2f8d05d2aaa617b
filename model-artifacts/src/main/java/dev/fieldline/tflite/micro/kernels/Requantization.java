package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.Quantization;

/**
 * The fixed-point multipliers that bring a convolution's or fully connected layer's accumulator to
 * the output's scale, one per output channel (a per-tensor filter scale is broadcast to every
 * channel), as {@code PopulateConvolutionQuantizationParams} computes them:
 * {@code QuantizeMultiplier((double) inputScale * filterScale[c] / outputScale)}.
 *
 * @param multiplier Q31 multiplier per channel
 * @param shift power-of-two exponent per channel (positive: left)
 */
record Requantization(int[] multiplier, int[] shift) {

    /**
     * Checks the quantisation of input, filter and output and computes the multipliers.
     *
     * @param channels output channels
     * @param channelAxis the filter axis that holds the output channels (per-channel scales must lie
     *     along it)
     * @param requireZeroFilterOffset whether the kernel ignores the filter's zero point, as TFLite's
     *     per-channel kernels do (then it must be 0)
     */
    static Requantization of(OpContext ctx, TensorView input, TensorView filter, TensorView output, int channels,
            int channelAxis, boolean requireZeroFilterOffset) {
        ctx.requireQuantized(input);
        ctx.requireQuantized(filter);
        ctx.requireQuantized(output);
        ctx.requirePerTensor(input);
        ctx.requirePerTensor(output);
        Quantization fq = filter.quantization();
        if (fq.isPerChannel()) {
            if (fq.channels() != channels) {
                throw ctx.invalid(filter, fq.channels() + " per-channel scales for " + channels + " output channels");
            }
            if (fq.quantizedDimension() != channelAxis) {
                throw ctx.unsupported(filter, "per-channel scales along axis " + fq.quantizedDimension()
                        + "; this operator needs them along axis " + channelAxis);
            }
        }
        if (requireZeroFilterOffset) {
            for (int c = 0; c < fq.channels(); c++) {
                if (fq.zeroPoint(c) != 0) {
                    throw ctx.unsupported(filter, "filter zero point " + fq.zeroPoint(c)
                            + " (TFLite's integer kernels need symmetric filters, zero point 0)");
                }
            }
        }
        int[] m = new int[channels];
        int[] s = new int[channels];
        double inScale = input.scale();
        double outScale = output.scale();
        for (int c = 0; c < channels; c++) {
            double effective = inScale * (double) fq.scale(c) / outScale;
            long q = QuantMath.quantizeMultiplier(effective);
            m[c] = QuantMath.multiplier(q);
            s[c] = QuantMath.shift(q);
        }
        ctx.kernelBytes(8L * channels);
        return new Requantization(m, s);
    }

    /**
     * Refuses shifts that TFLite's 64-bit {@code MultiplyByQuantizedMultiplier} (int16 activations)
     * cannot apply: it rounds by {@code 15 - shift} bits.
     */
    Requantization requireWideShifts(OpContext ctx, TensorView output) {
        for (int c = 0; c < shift.length; c++) {
            if (shift[c] > 14) {
                throw ctx.unsupported(output, "output rescale factor 2^" + shift[c]
                        + " is too large for 16-bit activations");
            }
        }
        return this;
    }

    /**
     * Ruy's {@code MultiplyByQuantizedMultiplier}, which TFLite 2.6's optimized int8 convolution
     * applies through its GEMM on x86: one rounding, to nearest with ties upward,
     * {@code (x * multiplier + 2^(30 - shift)) >> (31 - shift)}, where TFLite's reference kernels
     * round twice (a rounding doubling high multiply, then a rounding shift). They differ by one for
     * some products.
     */
    static int multiplySingleRounding(int x, int multiplier, int shift) {
        int totalShift = 31 - shift;
        return (int) (((long) x * multiplier + (1L << (totalShift - 1))) >> totalShift);
    }

    /** TFLite's int16 kernels need symmetric activations. */
    static void requireZeroPoint(OpContext ctx, TensorView t) {
        if (t.zeroPoint() != 0) {
            throw ctx.unsupported(t, "zero point " + t.zeroPoint() + " (int16 activations must have zero point 0)");
        }
    }
}
