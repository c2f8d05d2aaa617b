package dev.fieldline.tflite.micro.kernels;

/**
 * A filter window sliding along one spatial axis of a convolution or pool, sized and padded as
 * TensorFlow Lite does ({@code ComputeOutSize} and {@code ComputePaddingHeightWidth} in
 * {@code kernels/padding.h}): SAME keeps {@code ceil(in / stride)} positions and pads the total
 * shortfall, the smaller half before; VALID keeps only windows that fit.
 *
 * @param inSize input extent along the axis
 * @param filterSize filter extent (taps)
 * @param stride step between windows
 * @param dilation step between taps
 * @param outSize number of window positions
 * @param padBefore padding before the first input element
 */
record Window(int inSize, int filterSize, int stride, int dilation, int outSize, int padBefore) {

    /** Schema {@code Padding.SAME}. */
    static final int SAME = 0;
    /** Schema {@code Padding.VALID}. */
    static final int VALID = 1;

    /**
     * Computes the window, refusing what TFLite could not run: unknown padding, a stride, dilation or
     * filter below 1, a window that leaves no output.
     */
    static Window of(OpContext ctx, String axis, int padding, int inSize, int filterSize, int stride, int dilation) {
        if (padding != SAME && padding != VALID) {
            throw ctx.invalid("unknown padding " + padding);
        }
        if (stride < 1) {
            throw ctx.invalid(axis + " stride " + stride + " must be at least 1");
        }
        if (dilation < 1) {
            throw ctx.invalid(axis + " dilation " + dilation + " must be at least 1");
        }
        if (filterSize < 1) {
            throw ctx.invalid(axis + " filter size " + filterSize + " must be at least 1");
        }
        long effective = (long) (filterSize - 1) * dilation + 1;
        long out = padding == SAME ? ((long) inSize + stride - 1) / stride : ((long) inSize + stride - effective) / stride;
        if (out < 1 || effective > Integer.MAX_VALUE) {
            throw ctx.invalid(axis + ": a filter of " + filterSize + " (dilation " + dilation + ") over " + inSize
                    + " inputs with " + (padding == SAME ? "SAME" : "VALID") + " padding leaves no output");
        }
        long total = (out - 1) * stride + effective - inSize;
        int pad = (int) (Math.max(total, 0) / 2);
        return new Window(inSize, filterSize, stride, dilation, (int) out, pad);
    }

    /** The first input position of window {@code o} (negative inside the padding). */
    int origin(int o) {
        return o * stride - padBefore;
    }

    /** The first tap of window {@code o} that falls inside the input. */
    int firstTap(int o) {
        int origin = origin(o);
        if (origin >= 0) {
            return 0;
        }
        return Math.min(filterSize, (-origin + dilation - 1) / dilation);
    }

    /** {@link #firstTap} of every window position, for kernels that precompute them. */
    int[] firstTaps() {
        int[] t = new int[outSize];
        for (int o = 0; o < outSize; o++) {
            t[o] = firstTap(o);
        }
        return t;
    }

    /** {@link #endTap} of every window position. */
    int[] endTaps() {
        int[] t = new int[outSize];
        for (int o = 0; o < outSize; o++) {
            t[o] = endTap(o);
        }
        return t;
    }

    /** One past the last tap of window {@code o} that falls inside the input. */
    int endTap(int o) {
        int origin = origin(o);
        int room = inSize - origin; // taps t with origin + t * dilation < inSize
        if (room <= 0) {
            return 0;
        }
        return Math.min(filterSize, (room + dilation - 1) / dilation);
    }
}
