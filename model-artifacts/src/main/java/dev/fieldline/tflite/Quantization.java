package dev.fieldline.tflite;

import java.util.Arrays;

/**
 * Affine quantisation of a tensor: {@code real = scale * (q - zeroPoint)}, per tensor (one scale) or
 * per channel along {@link #quantizedDimension()}.
 *
 * @param scale one scale per tensor or per channel
 * @param zeroPoint as many zero points as scales
 * @param quantizedDimension the channel axis when there is more than one scale
 */
public record Quantization(float[] scale, long[] zeroPoint, int quantizedDimension) {

    public static final Quantization NONE = new Quantization(new float[0], new long[0], 0);

    public Quantization {
        scale = scale.clone();
        zeroPoint = zeroPoint.clone();
    }

    public static Quantization perTensor(float scale, long zeroPoint) {
        return new Quantization(new float[] {scale}, new long[] {zeroPoint}, 0);
    }

    public boolean isQuantized() {
        return scale.length > 0;
    }

    public boolean isPerChannel() {
        return scale.length > 1;
    }

    public int channels() {
        return scale.length;
    }

    /** The scale of channel {@code c} (or the single scale). */
    public float scale(int c) {
        return scale[scale.length == 1 ? 0 : c];
    }

    /** The zero point of channel {@code c} (or the single one). */
    public long zeroPoint(int c) {
        return zeroPoint[zeroPoint.length == 1 ? 0 : c];
    }

    @Override
    public float[] scale() {
        return scale.clone();
    }

    @Override
    public long[] zeroPoint() {
        return zeroPoint.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantization q
                && Arrays.equals(scale, q.scale)
                && Arrays.equals(zeroPoint, q.zeroPoint)
                && quantizedDimension == q.quantizedDimension;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(scale) + Arrays.hashCode(zeroPoint) + quantizedDimension;
    }

    @Override
    public String toString() {
        if (!isQuantized()) {
            return "none";
        }
        if (!isPerChannel()) {
            return "scale=" + scale[0] + " zero_point=" + zeroPoint[0];
        }
        return "per-channel(" + scale.length + ") along axis " + quantizedDimension;
    }
}
