package dev.fieldline.training;

/**
 * Softmax followed by cross-entropy, on logits: {@code -Σ t·log softmax(z)} with one-hot (or any
 * probability) targets. The gradient is {@code softmax(z) - t}. Numerically stable (the maximum
 * logit is subtracted); {@link StrictMath} keeps {@code exp} and {@code log} identical on every
 * platform.
 */
public final class SoftmaxCrossEntropy implements Loss {

    @Override
    public float lossAndGradient(float[] outputs, float[] targets, int batch, int width, float[] gradOutput) {
        float total = 0f;
        float inv = 1f / batch;
        for (int n = 0; n < batch; n++) {
            int o = n * width;
            softmax(outputs, o, width, gradOutput, o);
            float loss = 0f;
            for (int k = 0; k < width; k++) {
                float t = targets[o + k];
                if (t != 0f) {
                    loss -= t * (float) StrictMath.log(Math.max(gradOutput[o + k], 1e-30f));
                }
                gradOutput[o + k] = (gradOutput[o + k] - t) * inv;
            }
            total += loss;
        }
        return total * inv;
    }

    /** Writes {@code softmax(z[from..from+width))} to {@code out[at..]}. */
    public static void softmax(float[] z, int from, int width, float[] out, int at) {
        float max = z[from];
        for (int k = 1; k < width; k++) {
            max = Math.max(max, z[from + k]);
        }
        float sum = 0f;
        for (int k = 0; k < width; k++) {
            float e = (float) StrictMath.exp(z[from + k] - max);
            out[at + k] = e;
            sum += e;
        }
        for (int k = 0; k < width; k++) {
            out[at + k] /= sum;
        }
    }
}
