package dev.fieldline.training;

/**
 * How a sliding window (convolution or pooling) treats the borders, as TensorFlow and TFLite define
 * it. {@link #VALID}: only windows that fit entirely, {@code out = floor((in - k) / s) + 1}.
 * {@link #SAME}: {@code out = ceil(in / s)}, the input padded by
 * {@code max((out - 1)·s + k - in, 0)} positions, the smaller half before and the larger after.
 */
public enum Padding {
    SAME,
    VALID;

    /** Output length along one axis of an input of length {@code in}, window {@code k}, stride {@code s}. */
    public int outSize(int in, int k, int s) {
        if (in < 1 || k < 1 || s < 1 || (this == VALID && in < k)) {
            throw new IllegalArgumentException("window " + k + " with stride " + s + " and padding " + this
                    + " does not fit an input of " + in + " (VALID needs input >= window; all must be positive)");
        }
        return this == SAME ? (in + s - 1) / s : (in - k) / s + 1;
    }

    /** Padding positions before the first input element along one axis. */
    public int before(int in, int k, int s) {
        if (this == VALID) {
            return 0;
        }
        int total = Math.max((outSize(in, k, s) - 1) * s + k - in, 0);
        return total / 2;
    }

    static void checkImage(String layer, int[] shape) {
        if (shape.length != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1) {
            throw new IllegalArgumentException(layer + " takes an image [height, width, channels] (NHWC per example), was "
                    + java.util.Arrays.toString(shape));
        }
    }
}
