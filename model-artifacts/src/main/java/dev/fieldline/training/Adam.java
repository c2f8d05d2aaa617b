package dev.fieldline.training;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba, 2015) with bias correction: {@code m = β1·m + (1-β1)·g},
 * {@code v = β2·v + (1-β2)·g²}, {@code w -= η·m̂/(sqrt(v̂) + ε)}.
 */
public final class Adam implements Optimizer {
    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final Map<Parameter, float[][]> moments = new IdentityHashMap<>();
    private int t;

    public Adam(float learningRate) {
        this(learningRate, 0.9f, 0.999f, 1e-7f);
    }

    public Adam(float learningRate, float beta1, float beta2, float epsilon) {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive, was " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), were " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive, was " + epsilon);
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public void step(List<Parameter> parameters) {
        t++;
        float c1 = 1f - (float) StrictMath.pow(beta1, t);
        float c2 = 1f - (float) StrictMath.pow(beta2, t);
        for (Parameter p : parameters) {
            float[][] mv = moments.computeIfAbsent(p, k -> new float[][] {new float[k.size()], new float[k.size()]});
            float[] m = mv[0];
            float[] v = mv[1];
            float[] w = p.value();
            float[] g = p.grad();
            for (int i = 0; i < w.length; i++) {
                m[i] = beta1 * m[i] + (1f - beta1) * g[i];
                v[i] = beta2 * v[i] + (1f - beta2) * g[i] * g[i];
                float mHat = m[i] / c1;
                float vHat = v[i] / c2;
                w[i] -= learningRate * mHat / ((float) Math.sqrt(vHat) + epsilon);
            }
        }
    }
}
