package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;

/**
 * Where the integer convolution and fully connected kernels put their results: each channel's
 * accumulator is rescaled by its fixed-point multiplier, moved to the output's zero point, clamped to
 * the fused activation's range and stored as int8 or int16.
 */
final class QuantizedOutput {

    private final byte[] out;
    private final int offset;
    private final boolean int16;
    private final boolean singleRounding;
    private final int[] multiplier;
    private final int[] shift;
    private final int zeroPoint;
    private final int min;
    private final int max;

    /**
     * @param singleRounding rescale 32-bit accumulators as ruy does (TFLite 2.6's int8 convolution)
     *     instead of TFLite's reference double rounding
     */
    QuantizedOutput(TensorView output, Requantization rq, Activation activation, boolean singleRounding) {
        this.out = output.data();
        this.offset = output.offset();
        this.int16 = output.type() == TensorType.INT16;
        this.singleRounding = singleRounding;
        this.multiplier = rq.multiplier();
        this.shift = rq.shift();
        this.zeroPoint = output.zeroPoint();
        this.min = activation.quantizedMin(output);
        this.max = activation.quantizedMax(output);
    }

    /** Element {@code e} from channel {@code c}'s 32-bit accumulator. */
    void put(int e, int c, int acc) {
        int v = singleRounding ? Requantization.multiplySingleRounding(acc, multiplier[c], shift[c])
                : QuantMath.multiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]);
        store(e, v + zeroPoint);
    }

    /** Element {@code e} from channel {@code c}'s 64-bit accumulator (int16 activations, int64 bias). */
    void putWide(int e, int c, long acc) {
        store(e, QuantMath.multiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + zeroPoint);
    }

    private void store(int e, int v) {
        int clamped = v < min ? min : (v > max ? max : v);
        if (int16) {
            TensorView.setInt16(out, offset + 2 * e, (short) clamped);
        } else {
            out[offset + e] = (byte) clamped;
        }
    }
}
