package dev.fieldline.training;

/**
 * A loss over a batch: the mean over examples of a per-example loss between a model's outputs and
 * target vectors of the same width.
 */
public interface Loss {

    /**
     * Computes the mean loss of a batch and writes its gradient with respect to the outputs into
     * {@code gradOutput} (already divided by the batch size).
     *
     * @param outputs {@code batch × width} model outputs
     * @param targets {@code batch × width} targets
     */
    float lossAndGradient(float[] outputs, float[] targets, int batch, int width, float[] gradOutput);
}
