package dev.fieldline.training;

/** {@code mean over the batch of Σ (y - t)² / width}; the gradient is {@code 2(y - t)/(width·batch)}. */
public final class MeanSquaredError implements Loss {

    @Override
    public float lossAndGradient(float[] outputs, float[] targets, int batch, int width, float[] gradOutput) {
        float total = 0f;
        float scale = 2f / (width * (float) batch);
        for (int i = 0; i < batch * width; i++) {
            float d = outputs[i] - targets[i];
            total += d * d;
            gradOutput[i] = d * scale;
        }
        return total / (width * (float) batch);
    }
}
