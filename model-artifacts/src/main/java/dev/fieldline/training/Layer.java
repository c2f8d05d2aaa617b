package dev.fieldline.training;

import java.util.List;

/**
 * One step of a {@link Sequential} model. Works on mini-batches: tensors are float32 arrays of
 * {@code batch} examples laid out one after the other, each example row-major in the layer's
 * per-example shape ({@link #inputShape()}, {@link #outputShape()}; e.g. {@code [units]} for dense
 * layers, {@code [height, width, channels]} for image layers).
 *
 * <p>{@link #forward} keeps what {@link #backward} needs; {@code backward} must follow the
 * {@code forward} of the same batch. Buffers returned are owned by the layer and overwritten by its
 * next call. All arithmetic runs in a fixed order on one thread, so results are bit-for-bit
 * reproducible.
 */
public interface Layer {

    /** Per-example input shape. */
    int[] inputShape();

    /** Per-example output shape. */
    int[] outputShape();

    /** Computes the outputs of a batch; {@code input} holds {@code batch × inputSize} values. */
    float[] forward(float[] input, int batch);

    /**
     * Back-propagates the gradient of the loss with respect to this layer's outputs: adds the
     * parameters' gradients to {@link Parameter#grad()} and returns the gradient with respect to the
     * inputs.
     */
    float[] backward(float[] gradOutput, int batch);

    /** Trainable parameters, empty for parameter-free layers. */
    List<Parameter> parameters();

    /** Number of elements of a per-example shape. */
    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
